"""Which questions are asked when: the one branching rule the wizard and the FHIR Questionnaire share.

The wizard hides a question (and clears its answer) exactly when this says it is not
asked, and the Questionnaire's ``enableWhen`` is generated from the same entries, so a
form filler hides what the wizard hides. Each entry mirrors the validator in
``screening.answers`` that drops or requires the same field (tests check the two agree).

Two kinds of branching:
- a whole pathway section (headache, dystonia, ...) is asked only on its pathway, which
  the reason for seeking help decides (``PATHWAY_OF`` / ``PATHWAY_SECTIONS`` in answers);
- a question inside a section (or inside one item of a list, such as one preventive
  medicine) depends on an earlier answer in that same section or item, or (``section``)
  on an answer in an earlier section: ``ASKED_WHEN``. Warning signs are asked by pathway
  (``RED_FLAGS_ASKED``), so they depend on the reason for seeking help.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from screening.answers import (
    HEADACHE_RED_FLAGS,
    PATHWAY_OF,
    PATHWAY_SECTIONS,
    RED_FLAGS_ASKED,
    HeadachePattern,
    Seeking,
)
from screening.catalogue import OTHER_DRUG
from screening.choices import ContactMethod, Pathway, PreventiveOutcome, Reason, Sex, YesNoUnsure
from screening.returns.answers import RETURN_PATHWAY_SECTIONS, Linked

FieldPath = tuple[str, str]
"""(section, field) as in ``Submission``; for a list item's field, (``"treatments.preventives"``, field)."""


@dataclass(frozen=True)
class AskedWhen:
    """Asked when the sibling answer ``on`` is one of ``values`` or, with ``unless``, when it is not ``unless``.

    ``unless`` is one value, not several: "not that one, or not answered" is what a form's
    ``enableWhen`` can say in one go (``!=`` or "no answer"), and what the wizard does.
    """

    on: str
    values: tuple[Any, ...] = ()
    unless: Any = None
    section: str | None = None
    """The earlier section holding ``on``, when it is not the question's own; unanswered there, it is asked."""

    def holds(self, scope: Mapping[str, Any], answers: Mapping[str, Any] | None = None) -> bool:
        if self.section is not None:
            value = ((answers or {}).get(self.section) or {}).get(self.on)
            return value is None or value in self.values
        value = scope.get(self.on)
        if self.unless is not None:
            return value != self.unless
        return value in self.values


def _on_pathway(name: str) -> AskedWhen | None:
    """A warning sign is asked for the reasons whose pathway asks it (None: asked on every pathway)."""
    reasons = tuple(reason for reason, pathway in PATHWAY_OF.items() if name in RED_FLAGS_ASKED[pathway])
    return None if len(reasons) == len(PATHWAY_OF) else AskedWhen("reason", reasons, section="seeking")


_AFTER_INJECTION = AskedWhen("prior_toxin", (YesNoUnsure.yes,))
ACUTE_KINDS: tuple[str, ...] = tuple(name for name in HeadachePattern.model_fields if name.startswith("days_"))
"""The kinds of attack medicine, each with its own day count in ``HeadachePattern``."""

ACUTE_SECTIONS: tuple[str, ...] = ("headache", "migraine_now")
"""The sections asking days with each kind of attack medicine: a first screening's and a return visit's."""
SECTION_PATHWAYS: dict[str, Pathway] = {**PATHWAY_SECTIONS, **RETURN_PATHWAY_SECTIONS}
"""Every pathway section of either questionnaire and its pathway."""

ASKED_WHEN: dict[FieldPath, AskedWhen] = {
    **dict.fromkeys(
        [("about", "pregnant"), ("about", "breastfeeding"), ("about", "planning_pregnancy")],
        AskedWhen("sex", (Sex.female, Sex.other, Sex.prefer_not_to_say)),
    ),
    ("seeking", "spasticity_cause"): AskedWhen("reason", (Reason.limb_spasticity,)),
    ("toxin", "weeks_since_last"): _AFTER_INJECTION,
    ("toxin", "toxin_outcome"): _AFTER_INJECTION,
    ("toxin", "weeks_of_benefit"): _AFTER_INJECTION,
    ("safety", "neuromuscular_kind"): AskedWhen("neuromuscular", (YesNoUnsure.yes,)),
    ("contact", "phone"): AskedWhen("preferred_method", (ContactMethod.phone, ContactMethod.either)),
    ("contact", "email"): AskedWhen("preferred_method", (ContactMethod.email, ContactMethod.either)),
    # The day count per kind of attack medicine: not when no medicine is taken (0 days means none).
    **{("headache", kind): AskedWhen("acute_days", unless=0) for kind in ACUTE_KINDS},
    ("treatments.preventives", "other_name"): AskedWhen("drug", (OTHER_DRUG,)),
    ("treatments.preventives", "other_class"): AskedWhen("drug", (OTHER_DRUG,)),
    ("treatments.preventives", "helping"): AskedWhen("outcome", (PreventiveOutcome.still_taking,)),
    **{("red_flags", name): rule for name in HEADACHE_RED_FLAGS if (rule := _on_pathway(name)) is not None},
}

RETURN_ASKED_WHEN: dict[FieldPath, AskedWhen] = {
    ("migraine_now", kind): AskedWhen("acute_days", unless=0) for kind in ACUTE_KINDS
}
"""The return visit's branching (``ASKED_WHEN`` is the first questionnaire's; a return visit's ``seeking`` copies the
first screening's, so its rule there holds too). Each FHIR Questionnaire mirrors the rules of its own sections."""
_EVERY_ASKED_WHEN = {**ASKED_WHEN, **RETURN_ASKED_WHEN}

NOT_ASKED: frozenset[FieldPath] = frozenset({("about", "age")})
"""Kept with the answers but never asked: the age is computed from the date of birth when it arrives."""
RETURN_NOT_ASKED: frozenset[FieldPath] = frozenset(
    {("seeking", name) for name in Seeking.model_fields} | {("linked", name) for name in Linked.model_fields}
)
"""A return visit's answers the patient is never asked: the first screening's reason (its pathway) and what the
clinic's records give the visit (``returns.answers``); the return wizard has no step for them."""


def rules_for(sections: Iterable[str]) -> dict[FieldPath, AskedWhen]:
    """The branching rules of the questions in ``sections`` (and in their list items): one questionnaire's."""
    inside = set(sections)
    return {path: rule for path, rule in _EVERY_ASKED_WHEN.items() if path[0].partition(".")[0] in inside}


def reasons_for(section: str) -> tuple[Reason, ...]:
    """The reasons for seeking help that lead to a pathway section (of either questionnaire): asked for these only."""
    return tuple(reason for reason, pathway in PATHWAY_OF.items() if pathway == SECTION_PATHWAYS[section])


def pathway_of(answers: Mapping[str, Any]) -> Pathway | None:
    reason = (answers.get("seeking") or {}).get("reason")
    return PATHWAY_OF.get(Reason(reason)) if reason in set(Reason) else None


def section_asked(answers: Mapping[str, Any], section: str) -> bool:
    return section not in SECTION_PATHWAYS or SECTION_PATHWAYS[section] == pathway_of(answers)


def asked(scope: Mapping[str, Any], path: FieldPath, answers: Mapping[str, Any] | None = None) -> bool:
    """Whether the question at ``path`` is asked, given the answers of its own section (or list item) in ``scope``
    and, for a question that depends on an earlier section, all the ``answers``.

    (``NOT_ASKED`` fields are never on screen, but an answer given for them, e.g. an age sent as JSON, is kept.)
    """
    rule = _EVERY_ASKED_WHEN.get(path)
    return rule is None or rule.holds(scope, answers)
