"""Helpers for the storage and service tests: a patient of each triage, a logged-in staff member."""

import copy
from typing import Any

from screening import staff
from screening.answers import Submission
from screening.ruleset import RuleSet
from screening.staff import Role, StaffSession
from screening.storage import Database
from screening.triage import Triage

TRIAGE_CHANGES: dict[Triage, dict[str, dict[str, Any]]] = {
    Triage.urgent: {"red_flags": {"thunderclap": "yes"}},
    Triage.not_suitable: {"safety": {"toxin_allergy": "yes"}},
    Triage.needs_review: {"safety": {"blood_thinners": "yes"}},
    Triage.likely_candidate: {},
    Triage.unlikely: {"headache": {"headache_days": 5, "migraine_days": 2}},
}
"""Changes to the rule set's typical patient that give each triage (checked in test_intake)."""

PASSWORD = "Correct horse battery 9"


def patient(ruleset: RuleSet, triage: Triage = Triage.likely_candidate, *, name: str = "Case Patient") -> Submission:
    answers = copy.deepcopy(ruleset.case_defaults)
    for section, changes in TRIAGE_CHANGES[triage].items():
        answers[section].update(changes)
    answers["contact"]["name"] = name
    return Submission.model_validate(answers)


def login_as(db: Database, username: str, role: Role = Role.intake) -> StaffSession:
    """A new staff account and an open session for it."""
    staff.add_staff(db, username, username.title(), role, PASSWORD, actor=staff.CONSOLE)
    session = staff.authenticate(db, username, PASSWORD)
    assert session is not None
    return session
