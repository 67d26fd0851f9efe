"""Overdue targets: how long a case of each triage may wait in one status, in working time.

Administrators set them (each change audited); the queue marks open cases past their
target and analytics counts them. Closed cases (booked, declined, referred) are never overdue.
"""

from dataclasses import dataclass
from datetime import datetime

from screening.staff import Role, StaffSession, require_session, write_audit
from screening.storage import Database, Tx, targets
from screening.triage import RANK, TRIAGE_LABELS, Triage
from screening.workflow import CLOSED
from screening.worktime import MAX_TARGET, UNIT_LABELS, Unit

CLOSED_VALUES = tuple(sorted(status.value for status in CLOSED))


@dataclass(frozen=True)
class Target:
    triage: Triage
    amount: int
    unit: Unit
    updated_at: datetime

    def __str__(self) -> str:
        unit = UNIT_LABELS[self.unit]
        return f"within {self.amount} {unit[:-1] if self.amount == 1 else unit}"


def current(tx: Tx) -> dict[Triage, Target]:
    rows = targets.all_targets(tx)
    found = {Triage(r.triage): Target(Triage(r.triage), r.amount, Unit(r.unit), r.updated_at) for r in rows}
    return {triage: found[triage] for triage in Triage if triage in found}


def current_targets(db: Database, actor: StaffSession | None) -> dict[Triage, Target]:
    """Every triage's target, in triage order (one without a target is never overdue)."""
    with db.session() as tx:
        require_session(tx, db, actor)
        return current(tx)


def cutoffs(tx: Tx, db: Database) -> dict[int, datetime]:
    """Per triage rank, the instant before which a case entered its status is overdue now."""
    week, now = db.config.working_week, db.now()
    return {RANK[t.triage]: week.cutoff(now, week.span(t.amount, t.unit)) for t in current(tx).values()}


def set_target(db: Database, actor: StaffSession | None, triage: Triage | str, amount: int, unit: Unit | str) -> None:
    """Administrators only; the old and new target go in the audit log."""
    triage, unit = Triage(triage), Unit(unit)
    if not 1 <= amount <= MAX_TARGET[unit]:
        raise ValueError(f"A target in {UNIT_LABELS[unit]} must be between 1 and {MAX_TARGET[unit]}.")
    with db.session() as tx:
        live = require_session(tx, db, actor)
        if live.role != Role.admin:
            raise PermissionError("Only an administrator can set overdue targets.")
        before = current(tx).get(triage)
        targets.set_target(tx, triage.value, amount, unit.value, at=db.now(), by=live.staff_id)
        write_audit(
            tx,
            db,
            live,
            "set_target",
            TRIAGE_LABELS[triage],
            {"from": [before.amount, before.unit.value] if before else None, "to": [amount, unit.value]},
        )
