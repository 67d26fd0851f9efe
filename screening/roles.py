"""Staff roles: what each may see and do. In the core so the command line can name them without the database."""

from enum import StrEnum


class Role(StrEnum):
    intake = "intake"
    clinician = "clinician"
    admin = "admin"


ROLE_LABELS: dict[Role, str] = {Role.intake: "Intake staff", Role.clinician: "Clinician", Role.admin: "Administrator"}
