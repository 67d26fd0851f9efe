"""Submissions with their flags, their event timeline and the cached case state."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from screening.storage.models import CaseState, Event, SubmissionFlag, SubmissionRow

INITIAL_STATUS = "new"


@dataclass(frozen=True)
class NewSubmission:
    """Everything stored about one submission at the moment it arrives."""

    reference: str
    created_at: datetime
    pathway: str
    patient_name: str
    patient_contact: str
    age: int | None
    triage: str
    triage_rank: int
    answers: dict[str, Any]
    result: dict[str, Any]
    ruleset_version: str
    ruleset_hash: str
    flags: tuple[tuple[str, str], ...]
    """(flag id, severity) pairs."""


def reference_taken(tx: Session, reference: str) -> bool:
    return tx.scalar(select(SubmissionRow.id).where(SubmissionRow.reference == reference)) is not None


def insert_submissions(tx: Session, items: Sequence[NewSubmission]) -> list[int]:
    """Bulk insert (one statement per table), used for one patient and for the benchmark's 100,000 alike."""
    rows = [{k: v for k, v in vars(item).items() if k != "flags"} for item in items]
    ids = list(tx.scalars(insert(SubmissionRow).returning(SubmissionRow.id, sort_by_parameter_order=True), rows))
    flags = [
        {"submission_id": sid, "flag_id": flag_id, "severity": severity}
        for sid, item in zip(ids, items, strict=True)
        for flag_id, severity in item.flags
    ]
    if flags:
        tx.execute(insert(SubmissionFlag), flags)
    tx.execute(
        insert(Event),
        [
            {
                "submission_id": sid,
                "at": item.created_at,
                "actor_id": None,
                "kind": "status",
                "data": {"from": None, "to": INITIAL_STATUS},
            }
            for sid, item in zip(ids, items, strict=True)
        ],
    )
    tx.execute(
        insert(CaseState),
        [
            {
                "submission_id": sid,
                "status": INITIAL_STATUS,
                "assignee_id": None,
                "status_since": item.created_at,
                "contact_attempts": 0,
            }
            for sid, item in zip(ids, items, strict=True)
        ],
    )
    return ids
