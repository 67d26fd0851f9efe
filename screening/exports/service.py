"""Export services: the call list, a submission's consultation summary (PDF) and its FHIR bundle.

Each checks the caller, reads what their role may see, builds the file and writes its
audit row (who, what, how many rows) in one transaction: if the file cannot be built the
audit row is rolled back with it, and no file leaves without its row. The role rule of the
call list is enforced here, not by hiding columns on a page.
"""

from collections.abc import Mapping
from datetime import UTC
from typing import Any, Unpack

from screening import overdue
from screening.casework import NO_RULE_DECIDED, QueueFilters, audited_filters, queue_filter, queue_row
from screening.choices import VisitKind, label
from screening.exports import check_kind, fhir, spreadsheet
from screening.exports.pdf import SummaryInput, summary_pdf
from screening.i18n import STAFF_NAMES
from screening.roles import Role
from screening.staff import Actor, StaffSession, live_actor, require_session, write_audit
from screening.storage import Database, Tx, cases
from screening.storage.cases import Stored
from screening.triage import TRIAGE_LABELS
from screening.workflow import STATUS_LABELS

CONTACT_COLUMNS = ("phone", "email", "preferred method", "preferred times", "language")
"""How to reach the patient, including the language they answered in (call them in it)."""
CLINICAL_COLUMNS = ("flag reasons", "rule trace")
CONTACT_ROLES = frozenset({Role.intake, Role.clinician})
"""Who calls patients: intake and clinicians see how to reach them; an administrator does not need to."""
CLINICAL_ROLES = frozenset({Role.clinician, Role.admin})
"""Who reads why: clinicians and administrators get every flag's reason and the rule trace."""
BATCH = 1000


def call_list_columns(role: Role) -> tuple[str, ...]:
    """The role rule of the call list: contact columns for intake and clinicians, reasons and trace for
    clinicians and admins; everyone gets who, the triage, the deciding reason, the status and the assignee."""
    return (
        "reference",
        "name",
        *(CONTACT_COLUMNS if role in CONTACT_ROLES else ()),
        "triage",
        "reason",
        "status",
        "assigned to",
        *(CLINICAL_COLUMNS if role in CLINICAL_ROLES else ()),
    )


def _trace_text(result: Mapping[str, Any]) -> str:
    """The rules that fired, each with the conditions it tested and the patient's values."""
    lines = []
    for rule in result.get("trace") or []:
        if rule.get("fired"):
            tests = "; ".join(f"{c['condition']} [{c['value']}]" for c in rule.get("conditions", []))
            lines.append(f"{rule['rule']}: {tests}")
    return "\n".join(lines)


def _call_line(row: Any, answers: Mapping[str, Any] | None, result: Mapping[str, Any] | None) -> dict[str, Any]:
    """An erased submission (answers and result None) keeps its line, with nothing about the person."""
    answers, result = answers or {}, result or {}
    contact = answers.get("contact") or {}
    return {
        "reference": row.reference,
        "name": row.name,
        "phone": contact.get("phone"),
        "email": contact.get("email"),
        "preferred method": label(contact.get("preferred_method")),
        "preferred times": [label(t) for t in contact.get("preferred_times") or []],
        "language": STAFF_NAMES[row.language],
        "triage": TRIAGE_LABELS[row.triage],
        "reason": row.reason or NO_RULE_DECIDED,
        "status": STATUS_LABELS[row.status],
        "assigned to": row.assignee,
        "flag reasons": "\n".join(f"{f['id']}: {f['reason']} ({f['source']})" for f in result.get("flags", [])),
        "rule trace": _trace_text(result),
    }


def call_list(db: Database, actor: StaffSession | None, kind: str = "csv", **filters: Unpack[QueueFilters]) -> bytes:
    """The queue's matching submissions as a list to phone through, in queue order, with the caller's role's columns."""
    check_kind(kind)
    used = audited_filters(filters)
    with db.session() as tx:
        live = require_session(tx, db, actor)
        where = queue_filter(filters, overdue.cutoffs(tx, db))
        columns = call_list_columns(live.role)
        now = db.now()
        lines = []
        for batch in cases.queue_batches(tx, where, size=BATCH):
            wide = cases.answers_and_results(tx, [line.submission_id for line in batch])
            lines += [_call_line(queue_row(line, now), *wide[line.submission_id]) for line in batch]
        file = spreadsheet(kind, ({c: line[c] for c in columns} for line in lines), columns, sheet="Call list")
        detail = {"filters": used, "rows": len(lines), "columns": list(columns)}
        write_audit(tx, db, live, "export", f"call-list.{kind}", detail)
    return file


def _submission(tx: Tx, reference: str) -> Stored:
    """A stored submission of either kind of visit, with its answers and result (not erased)."""
    row = cases.by_reference(tx, reference.strip().upper())
    if row is None:
        raise LookupError(f"No submission with reference {reference}.")
    if row.answers is None or row.result is None:
        raise cases.Erased(f"The data of {row.reference} was erased: there is nothing to export.")
    return row


def _who(live: Actor) -> str:
    return live.display_name if isinstance(live, StaffSession) else live.username


def summary(db: Database, actor: Actor | None, reference: str) -> bytes:
    """The one-page consultation summary (PDF) of one submission, audited as an export of one row. A return visit's
    names the patient from their first screening, which holds who they are."""
    with db.session() as tx:
        live = live_actor(tx, db, actor)
        row = _submission(tx, reference)
        zone = db.config.clinic_timezone
        patient = cases.patient_answers(tx, row) if row.visit_kind == VisitKind.return_ else None
        data = SummaryInput(row.reference, row.created_at, row.answers, row.result, _who(live), db.now(), zone, patient)
        file = summary_pdf(data)
        write_audit(tx, db, live, "export", row.reference, {"file": "summary.pdf", "rows": 1})
    return file


def fhir_bundle(db: Database, actor: Actor | None, reference: str) -> dict[str, Any]:
    """One submission as FHIR R5: its QuestionnaireResponse (to the first screening's Questionnaire or the return
    visit's, as its answers were given) and its result (Observation) in a collection Bundle."""
    with db.session() as tx:
        live = live_actor(tx, db, actor)
        row = _submission(tx, reference)
        found = fhir.bundle(row.answers, row.result, reference=row.reference, at=row.created_at.astimezone(UTC))
        write_audit(tx, db, live, "export", row.reference, {"file": "fhir-bundle.json", "rows": 1})
    return found
