"""The closed answer options, with the plain words a patient sees for each.

Options are stored by their value (``not_sure``), shown by their label ("Not sure").
Labels live here, once, so the wizard, the staff pages and the exports agree.
"""

from enum import StrEnum


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
    "yes": "Yes",
    "no": "No",
    "not_sure": "Not sure",
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "prefer_not_to_say": "Prefer not to say",
    "chronic_migraine": "Migraine or headaches on many days",
    "other_headache": "Another kind of headache",
    "cervical_dystonia": "Neck muscles pulling or twisting (cervical dystonia)",
    "limb_spasticity": "Stiff or tight arm or leg muscles (spasticity)",
    "facial_pain": "Pain in the face or jaw",
    "headache": "Headache",
    "dystonia": "Cervical dystonia",
    "spasticity": "Spasticity",
    "unsure": "Not sure yet",
    "stroke": "Stroke",
    "brain_injury": "Brain injury",
    "multiple_sclerosis": "Multiple sclerosis (MS)",
    "spinal_cord_injury": "Spinal cord injury",
    "cerebral_palsy": "Cerebral palsy",
    "left_arm": "Left arm",
    "right_arm": "Right arm",
    "left_leg": "Left leg",
    "right_leg": "Right leg",
    "pain": "Less pain",
    "hygiene": "Easier washing and dressing",
    "walking": "Better walking",
    "splinting": "Wearing a splint or brace",
    "hand_use": "Using my hand",
    "trigeminal_neuralgia": "Trigeminal neuralgia",
    "jaw_tmd": "Jaw joint or jaw muscle pain (TMD)",
    "no_diagnosis": "No diagnosis yet",
    "beta_blocker": "Beta-blocker",
    "antiepileptic": "Anti-seizure medicine",
    "tricyclic": "Tricyclic antidepressant",
    "snri": "SNRI antidepressant",
    "ace_arb": "Blood-pressure medicine (ACE inhibitor / ARB)",
    "calcium_channel_blocker": "Calcium-channel blocker",
    "cgrp_antibody": "CGRP antibody injection",
    "gepant": "Gepant tablet",
    "did_not_help": "Did not help",
    "side_effects": "Stopped because of side effects",
    "could_not_take": "Could not take it (told not to)",
    "helped": "Helped",
    "still_taking": "Still taking it",
    "stopped_working": "Helped at first, then stopped working",
    "wore_off": "Helped, then wore off before the next treatment",
    "partly": "Partly",
    "better": "Better",
    "same": "About the same",
    "worse": "Worse",
    "not_a_goal": "Not something I wanted to change",
    "first": "First screening",
    "return": "Return visit",
    "myasthenia_gravis": "Myasthenia gravis",
    "lambert_eaton": "Lambert-Eaton syndrome",
    "als": "ALS (motor neurone disease)",
    "phone": "Phone",
    "email": "Email",
    "either": "Either",
    "morning": "Morning",
    "afternoon": "Afternoon",
    "evening": "Evening",
}


def label(value: object) -> str:
    """Plain words for a stored option value; unknown values are shown as they are."""
    if value is None:
        return "Not answered"
    text = str(value)
    return LABELS.get(text, text)
