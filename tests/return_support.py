"""Return visits for the tests: a typical one from the rule set, built on a stored first screening."""

import copy
from datetime import date
from functools import cache
from typing import Any

from wizard_support import ROOT, typical_patient

from screening import intake
from screening.answers import Submission
from screening.loader import load_ruleset
from screening.returns.answers import ReturnVisit
from screening.storage import Database

BORN = date(1985, 4, 12)
"""The typical patient's birth date (``wizard_support.typical_patient``)."""


@cache
def _return_defaults() -> dict[str, Any]:
    return load_ruleset(ROOT / "rules").return_case_defaults


def first_screening(db: Database) -> intake.Receipt:
    ruleset = load_ruleset(ROOT / "rules")
    return intake.submit(db, Submission.model_validate(typical_patient()), ruleset)


def typical_return(link: intake.Link, **sections: dict[str, Any]) -> ReturnVisit:
    """The rule set's typical return visit on the linked record (its baseline, its pathway), changed by ``sections``."""
    answers = copy.deepcopy(_return_defaults()) | copy.deepcopy(link.answers)
    for name, changes in sections.items():
        answers[name] = {**answers.get(name, {}), **changes}
    return ReturnVisit.model_validate(answers)
