"""The closed answer options, with the plain words a patient sees for each.

Options are stored by their value (``not_sure``), shown by their label ("Not sure").
Labels live here, once, so the wizard, the staff pages and the exports agree.
"""

from enum import StrEnum

from screening.i18n import N_


class YesNoUnsure(StrEnum):
    """Every yes/no question allows "not sure": a guess would hide what a clinician must ask."""

    yes = "yes"
    no = "no"
    not_sure = "not_sure"


class Sex(StrEnum):
    female = "female"
    male = "male"
    other = "other"
    prefer_not_to_say = "prefer_not_to_say"


class Reason(StrEnum):
    chronic_migraine = "chronic_migraine"
    other_headache = "other_headache"
    cervical_dystonia = "cervical_dystonia"
    limb_spasticity = "limb_spasticity"
    facial_pain = "facial_pain"
    not_sure = "not_sure"


class Pathway(StrEnum):
    """Which set of questions a reason leads to; rules speak of pathways, not reasons."""

    headache = "headache"
    dystonia = "dystonia"
    spasticity = "spasticity"
    facial_pain = "facial_pain"
    unsure = "unsure"


class SpasticityCause(StrEnum):
    stroke = "stroke"
    brain_injury = "brain_injury"
    multiple_sclerosis = "multiple_sclerosis"
    spinal_cord_injury = "spinal_cord_injury"
    cerebral_palsy = "cerebral_palsy"
    other = "other"
    not_sure = "not_sure"


class Limb(StrEnum):
    left_arm = "left_arm"
    right_arm = "right_arm"
    left_leg = "left_leg"
    right_leg = "right_leg"


class SpasticityGoal(StrEnum):
    pain = "pain"
    hygiene = "hygiene"
    walking = "walking"
    splinting = "splinting"
    hand_use = "hand_use"
    other = "other"


class FacialPainKind(StrEnum):
    trigeminal_neuralgia = "trigeminal_neuralgia"
    jaw_tmd = "jaw_tmd"
    other = "other"
    no_diagnosis = "no_diagnosis"


class PreventiveClass(StrEnum):
    """Pharmacological classes, kept fine for display (tricyclic vs SNRI)."""

    beta_blocker = "beta_blocker"
    antiepileptic = "antiepileptic"
    tricyclic = "tricyclic"
    snri = "snri"
    ace_arb = "ace_arb"
    calcium_channel_blocker = "calcium_channel_blocker"
    cgrp_antibody = "cgrp_antibody"
    gepant = "gepant"
    other = "other"


class PreventiveOutcome(StrEnum):
    did_not_help = "did_not_help"
    side_effects = "side_effects"
    could_not_take = "could_not_take"
    helped = "helped"
    still_taking = "still_taking"


class ToxinOutcome(StrEnum):
    helped = "helped"
    stopped_working = "stopped_working"
    did_not_help = "did_not_help"
    side_effects = "side_effects"
    not_sure = "not_sure"


class LastTreatment(StrEnum):
    """How the last treatment went, as a returning patient tells it."""

    helped = "helped"
    wore_off = "wore_off"
    did_not_help = "did_not_help"
    not_sure = "not_sure"


class GoalsMet(StrEnum):
    yes = "yes"
    partly = "partly"
    no = "no"
    not_sure = "not_sure"


class Change(StrEnum):
    """Better or not since the last treatment, for one goal of spasticity treatment."""

    better = "better"
    same = "same"
    worse = "worse"
    not_a_goal = "not_a_goal"


class VisitKind(StrEnum):
    first = "first"
    return_ = "return"


class NeuromuscularKind(StrEnum):
    myasthenia_gravis = "myasthenia_gravis"
    lambert_eaton = "lambert_eaton"
    als = "als"
    other = "other"
    not_sure = "not_sure"


class ContactMethod(StrEnum):
    phone = "phone"
    email = "email"
    either = "either"


class TimeOfDay(StrEnum):
    morning = "morning"
    afternoon = "afternoon"
    evening = "evening"


LABELS: dict[str, str] = {
    "yes": N_("Yes"),
    "no": N_("No"),
    "not_sure": N_("Not sure"),
    "female": N_("Female"),
    "male": N_("Male"),
    "other": N_("Other"),
    "prefer_not_to_say": N_("Prefer not to say"),
    "chronic_migraine": N_("Migraine or headaches on many days"),
    "other_headache": N_("Another kind of headache"),
    "cervical_dystonia": N_("Neck muscles pulling or twisting (cervical dystonia)"),
    "limb_spasticity": N_("Stiff or tight arm or leg muscles (spasticity)"),
    "facial_pain": N_("Pain in the face or jaw"),
    "headache": N_("Headache"),
    "dystonia": N_("Cervical dystonia"),
    "spasticity": N_("Spasticity"),
    "unsure": N_("Not sure yet"),
    "stroke": N_("Stroke"),
    "brain_injury": N_("Brain injury"),
    "multiple_sclerosis": N_("Multiple sclerosis (MS)"),
    "spinal_cord_injury": N_("Spinal cord injury"),
    "cerebral_palsy": N_("Cerebral palsy"),
    "left_arm": N_("Left arm"),
    "right_arm": N_("Right arm"),
    "left_leg": N_("Left leg"),
    "right_leg": N_("Right leg"),
    "pain": N_("Less pain"),
    "hygiene": N_("Easier washing and dressing"),
    "walking": N_("Better walking"),
    "splinting": N_("Wearing a splint or brace"),
    "hand_use": N_("Using my hand"),
    "trigeminal_neuralgia": N_("Trigeminal neuralgia"),
    "jaw_tmd": N_("Jaw joint or jaw muscle pain (TMD)"),
    "no_diagnosis": N_("No diagnosis yet"),
    "beta_blocker": N_("Beta-blocker"),
    "antiepileptic": N_("Anti-seizure medicine"),
    "tricyclic": N_("Tricyclic antidepressant"),
    "snri": N_("SNRI antidepressant"),
    "ace_arb": N_("Blood-pressure medicine (ACE inhibitor / ARB)"),
    "calcium_channel_blocker": N_("Calcium-channel blocker"),
    "cgrp_antibody": N_("CGRP antibody injection"),
    "gepant": N_("Gepant tablet"),
    "did_not_help": N_("Did not help"),
    "side_effects": N_("Stopped because of side effects"),
    "could_not_take": N_("Could not take it (told not to)"),
    "helped": N_("Helped"),
    "still_taking": N_("Still taking it"),
    "stopped_working": N_("Helped at first, then stopped working"),
    "wore_off": N_("Helped, then wore off before the next treatment"),
    "partly": N_("Partly"),
    "better": N_("Better"),
    "same": N_("About the same"),
    "worse": N_("Worse"),
    "not_a_goal": N_("Not something I wanted to change"),
    "first": N_("First screening"),
    "return": N_("Return visit"),
    "myasthenia_gravis": N_("Myasthenia gravis"),
    "lambert_eaton": N_("Lambert-Eaton syndrome"),
    "als": N_("ALS (motor neurone disease)"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "either": N_("Either"),
    "morning": N_("Morning"),
    "afternoon": N_("Afternoon"),
    "evening": N_("Evening"),
}


def label(value: object) -> str:
    """Plain words for a stored option value; unknown values are shown as they are."""
    if value is None:
        return N_("Not answered")
    text = str(value)
    return LABELS.get(text, text)
