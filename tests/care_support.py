"""Return visits for the ongoing-care tests, stored as the shared contract (migration 0010) defines them.

The return questionnaire's own answer model is built elsewhere; these tests need only what the staff
side reads: a submission with ``visit_kind = 'return'``, ``first_submission_id`` at the chain's root,
and its headache days in ``case_state``. So a typical screening's row is stored with those changed.
"""

from dataclasses import replace
from datetime import datetime

from storage_support import patient

from screening import intake
from screening.answers import Submission
from screening.ruleset import RuleSet
from screening.storage import Database, cases
from screening.triage import Triage


def at(db: Database, moment: datetime) -> None:
    """The services' clock set to ``moment`` from now on."""
    db.clock = lambda: moment


def first_visit(db: Database, ruleset: RuleSet, *, headache_days: int = 20, name: str = "Ruth Return") -> int:
    """A first screening (the chain's root and its baseline), arriving at the clock's now."""
    answers = patient(ruleset, Triage.likely_candidate, name=name).model_dump(mode="json")
    answers["headache"]["headache_days"] = headache_days
    return intake.submit(db, Submission.model_validate(answers), ruleset).submission_id


def return_visit(
    db: Database, ruleset: RuleSet, root: int, *, headache_days: int | None, name: str = "Ruth Return"
) -> int:
    """A return visit of the patient whose first screening is ``root``, arriving at the clock's now."""
    form = intake.stored_form(patient(ruleset, name=name), ruleset, "", db.now())
    with db.session() as tx:
        reference = f"{intake.REFERENCE_PREFIX}-{intake.random_code(2)}"
        row = replace(
            form, reference=reference, visit_kind="return", first_submission_id=root, headache_days=headache_days
        )
        (submission_id,) = cases.insert_submissions(tx, [row])
    return submission_id
