"""Preventive medicines a patient can pick, and how they count as classes tried.

The catalogue keeps the pharmacological class for display (tricyclic, SNRI);
``COUNTED_CLASS`` maps it to the class a payer counts [Payer]: antidepressants are
one class, so amitriptyline and venlafaxine together are one class tried, not two.
Gepants and "other" medicines are shown to the clinician but not counted, because
[Payer] does not list them among the step-therapy classes.
"""

from typing import NamedTuple

from screening.choices import PreventiveClass, PreventiveOutcome, YesNoUnsure
from screening.i18n import N_

DRUGS: dict[str, tuple[str, PreventiveClass]] = {
    "propranolol": (N_("Propranolol"), PreventiveClass.beta_blocker),
    "metoprolol": (N_("Metoprolol"), PreventiveClass.beta_blocker),
    "timolol": (N_("Timolol"), PreventiveClass.beta_blocker),
    "atenolol": (N_("Atenolol"), PreventiveClass.beta_blocker),
    "nadolol": (N_("Nadolol"), PreventiveClass.beta_blocker),
    "topiramate": (N_("Topiramate (Topamax)"), PreventiveClass.antiepileptic),
    "valproate": (N_("Divalproex / valproate (Depakote)"), PreventiveClass.antiepileptic),
    "amitriptyline": (N_("Amitriptyline"), PreventiveClass.tricyclic),
    "nortriptyline": (N_("Nortriptyline"), PreventiveClass.tricyclic),
    "venlafaxine": (N_("Venlafaxine (Effexor)"), PreventiveClass.snri),
    "duloxetine": (N_("Duloxetine (Cymbalta)"), PreventiveClass.snri),
    "candesartan": (N_("Candesartan"), PreventiveClass.ace_arb),
    "lisinopril": (N_("Lisinopril"), PreventiveClass.ace_arb),
    "verapamil": (N_("Verapamil"), PreventiveClass.calcium_channel_blocker),
    "flunarizine": (N_("Flunarizine"), PreventiveClass.calcium_channel_blocker),
    "erenumab": (N_("Erenumab (Aimovig)"), PreventiveClass.cgrp_antibody),
    "fremanezumab": (N_("Fremanezumab (Ajovy)"), PreventiveClass.cgrp_antibody),
    "galcanezumab": (N_("Galcanezumab (Emgality)"), PreventiveClass.cgrp_antibody),
    "eptinezumab": (N_("Eptinezumab (Vyepti)"), PreventiveClass.cgrp_antibody),
    "atogepant": (N_("Atogepant (Qulipta)"), PreventiveClass.gepant),
    "rimegepant": (N_("Rimegepant (Nurtec ODT)"), PreventiveClass.gepant),
}

OTHER_DRUG = "other"

COUNTED_CLASS: dict[PreventiveClass, str | None] = {
    PreventiveClass.beta_blocker: "beta-blocker",
    PreventiveClass.antiepileptic: "antiepileptic",
    PreventiveClass.tricyclic: "antidepressant",
    PreventiveClass.snri: "antidepressant",
    PreventiveClass.ace_arb: "ACE inhibitor / ARB",
    PreventiveClass.calcium_channel_blocker: "calcium-channel blocker",
    PreventiveClass.cgrp_antibody: "CGRP antibody",
    PreventiveClass.gepant: None,
    PreventiveClass.other: None,
}

ADEQUATE_TRIAL_WEEKS = 8
"""[Payer]: a drug that did not help counts only after an adequate trial (about 2 months)."""


def drug_label(key: str) -> str:
    return DRUGS[key][0] if key in DRUGS else key


def drug_class(key: str, typed_class: PreventiveClass | None) -> PreventiveClass:
    """A catalogue drug's class wins over what a patient typed; unknown typed drugs are 'other'."""
    if key in DRUGS:
        return DRUGS[key][1]
    return typed_class or PreventiveClass.other


OTHER_DRUG_LABEL = N_("Other (not on the list)")
DRUG_CHOICES: dict[str, str] = {**{key: name for key, (name, _) in DRUGS.items()}, OTHER_DRUG: OTHER_DRUG_LABEL}
"""The closed list a patient picks a preventive from (key -> plain name): the wizard's list and the form's options."""


class TrialVerdict(NamedTuple):
    counted: str | None
    """The step-therapy class it belongs to, or None for a drug outside them."""
    counts: bool | None
    """Counts as a class tried; None when it might (length or "helping enough" not known)."""
    why: str
    """In a payer's words."""
    too_short: bool = False
    """A failed trial that does not count only because it was shorter than an adequate trial."""


def trial_verdict(
    drug: str,
    typed_class: PreventiveClass | None,
    weeks: float | None,
    outcome: PreventiveOutcome,
    helping: YesNoUnsure | None = None,
) -> TrialVerdict:
    """[Payer] whether one preventive counts as a class tried: one rule for the facts and the summary PDF.

    A class counts when a drug of it did not help after an adequate trial, caused side effects, or
    could not be taken; a drug still taken counts the same way when the patient says it does not help
    enough, never when it helps; not sure whether it helps, or an unknown length, makes it "might".
    """
    counted = COUNTED_CLASS[drug_class(drug, typed_class)]
    if counted is None:
        return TrialVerdict(None, False, "not a step-therapy class")
    if outcome in (PreventiveOutcome.side_effects, PreventiveOutcome.could_not_take):
        why = "not tolerated" if outcome is PreventiveOutcome.side_effects else "contraindicated"
        return TrialVerdict(counted, True, why)
    still = outcome is PreventiveOutcome.still_taking
    if outcome is not PreventiveOutcome.did_not_help and not still:
        return TrialVerdict(counted, False, "helped: not a failed trial")
    if still and helping is YesNoUnsure.yes:
        return TrialVerdict(counted, False, "still taken and helping: not a failed trial")
    if weeks is not None and weeks < ADEQUATE_TRIAL_WEEKS:  # short whether or not the patient knows it helps
        return TrialVerdict(counted, False, f"{weeks:g} weeks, too short to count", too_short=True)
    if still and helping is not YesNoUnsure.no:
        return TrialVerdict(counted, None, "still taken, not known whether it helps enough")
    if weeks is None:
        return TrialVerdict(counted, None, "inadequate response, trial length not known")
    return TrialVerdict(counted, True, f"inadequate response after {weeks:g} weeks")
