"""The patient's answers: one pydantic model, in sections, each question defined once.

Every field carries its question (``title``), a plain "why we ask" line
(``description``) and, where it has one, its unit. The wizard renders from these,
validation uses them, and the rule loader checks rule files against them, so a
question cannot drift between the page, the check and the rule.

Numbers a patient may not know are optional: ``None`` means "not sure" and the
rules treat it as unknown, never as zero.
"""

from datetime import date
from typing import Annotated, Any, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from screening.catalogue import DRUGS, OTHER_DRUG
from screening.choices import (
    ContactMethod,
    FacialPainKind,
    Limb,
    NeuromuscularKind,
    Pathway,
    PreventiveClass,
    PreventiveOutcome,
    Reason,
    Sex,
    SpasticityCause,
    SpasticityGoal,
    TimeOfDay,
    ToxinOutcome,
    YesNoUnsure,
)
from screening.i18n import N_
from screening.plaintext import OneLine

MAX_PREVENTIVES = 20


def question(label: str, why: str, *, unit: str | None = None, **constraints: Any) -> Any:
    """A field that is also a question: its label, its reason and its unit travel with it."""
    extra = {"unit": unit} if unit else None
    return Field(title=label, description=why, json_schema_extra=extra, **constraints)


STORED: dict[str, bool] = {"stored": True}
"""Validation context for answers read back from storage (see ``read_stored``)."""


def _is_stored(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("stored"))


def _answered(answer: Any, info: ValidationInfo) -> Any:
    """A question added after some answers were stored: required of a patient now, absent from older answers."""
    if answer is None and not _is_stored(info):
        raise ValueError(N_("Please answer this question (Not sure is fine)."))
    return answer


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


ShortText = Annotated[OneLine, StringConstraints(min_length=1, max_length=100)]
DayCount = Annotated[int | None, Field(ge=0, le=31)]
"""Days a month with one kind of attack medicine: 0 when not taken, ``None`` when taken on days not known."""
ACUTE_KIND_WHY = (
    "Taking some of these medicines on many days can cause more headaches. The number of days that is too many "
    "is different for each kind."
)


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class AboutYou(Section):
    age: int | None = question(
        "Age", "Some treatments are only given from a certain age.", unit="years", ge=0, le=120, default=None
    )
    date_of_birth: date | None = question(
        "Date of birth",
        "Some treatments are only given from a certain age. It also helps us find your saved answers.",
        default=None,
        validate_default=True,
    )
    sex: Sex = question("Sex", "Some questions, such as about pregnancy, only apply to some people.")
    pregnant: YesNoUnsure | None = question(
        "Are you pregnant?",
        "Botox is not well studied in pregnancy, so a doctor needs to know.",
        default=None,
        validate_default=True,
    )
    breastfeeding: YesNoUnsure | None = question(
        "Are you breastfeeding?", "Botox is not well studied during breastfeeding.", default=None, validate_default=True
    )
    planning_pregnancy: YesNoUnsure | None = question(
        "Are you planning a pregnancy in the next year?",
        "A doctor would plan treatment around it.",
        default=None,
        validate_default=True,
    )

    @field_validator("date_of_birth")
    @classmethod
    def _born_in_the_past(cls, born: date | None, info: ValidationInfo) -> date | None:
        if born is None:
            if info.data.get("age") is None and "age" in info.data:
                raise ValueError(N_("Please give your date of birth."))
            return None
        if born > date.today():
            raise ValueError(N_("Date of birth cannot be in the future."))
        if age_on(born, date.today()) > 120:
            raise ValueError(N_("Please check the year of birth."))
        return born

    @field_validator("pregnant", "breastfeeding", "planning_pregnancy")
    @classmethod
    def _pregnancy_unless_male(cls, answer: YesNoUnsure | None, info: ValidationInfo) -> YesNoUnsure | None:
        sex = info.data.get("sex")
        if sex is None or sex == Sex.male:
            return None
        if answer is None:
            raise ValueError(N_("Please answer this question (Not sure is fine)."))
        return answer

    @model_validator(mode="after")
    def _age_from_birth_date(self) -> "AboutYou":
        """Age is kept with the answers, so a stored result stays reproducible as time passes."""
        if self.age is None and self.date_of_birth is not None:
            object.__setattr__(self, "age", age_on(self.date_of_birth, date.today()))
        return self


PATHWAY_OF: dict[Reason, Pathway] = {
    Reason.chronic_migraine: Pathway.headache,
    Reason.other_headache: Pathway.headache,
    Reason.cervical_dystonia: Pathway.dystonia,
    Reason.limb_spasticity: Pathway.spasticity,
    Reason.facial_pain: Pathway.facial_pain,
    Reason.not_sure: Pathway.unsure,
}


class Seeking(Section):
    reason: Reason = question("What would you like help with?", "The questions that follow depend on it.")
    spasticity_cause: SpasticityCause | None = question(
        "What caused the stiffness?", "Treatment plans differ by cause.", default=None, validate_default=True
    )

    @field_validator("spasticity_cause")
    @classmethod
    def _cause_for_spasticity_only(cls, cause: SpasticityCause | None, info: ValidationInfo) -> SpasticityCause | None:
        if info.data.get("reason") != Reason.limb_spasticity:
            return None
        if cause is None:
            raise ValueError(N_("Please choose what caused the stiffness (Not sure is fine)."))
        return cause

    @property
    def pathway(self) -> Pathway:
        return PATHWAY_OF[self.reason]


def _flag(label: str, why: str) -> Any:
    """A warning-sign question: ``None`` when it is not asked on the patient's pathway (or was not asked yet)."""
    return question(label, why, default=None)


class RedFlags(Section):
    """SNOOP4 warning signs [Red flags], asked early because some answers mean urgent care now.

    Which are asked depends on the pathway (``RED_FLAGS_ASKED``); the rule set says which
    answers are an emergency and which mean "see a doctor soon" (``advice`` on its rules).
    """

    thunderclap: YesNoUnsure | None = _flag(
        "Have you had a sudden, very severe headache that reached its worst within about 5 minutes?",
        "A sudden, very severe headache can be a sign of bleeding in the brain.",
    )
    new_after_50: YesNoUnsure | None = _flag(
        "Did your headaches first start, or clearly change, after the age of 50?",
        "Headaches that begin or change later in life need checking for other causes.",
    )
    neuro_deficit: YesNoUnsure | None = _flag(
        "Have you recently had new weakness, numbness, trouble speaking, loss of vision, confusion, "
        "unusual drowsiness or a seizure?",
        "These can be signs of a stroke or another urgent problem.",
    )
    fever_stiff_neck: YesNoUnsure | None = _flag(
        "Do you have a fever together with a stiff neck?", "This can be a sign of an infection such as meningitis."
    )
    positional_or_straining: YesNoUnsure | None = _flag(
        "Is the headache clearly worse when lying down or when standing up, or brought on by coughing, "
        "sneezing or straining?",
        "This can be a sign of a change in pressure in the head.",
    )
    cancer_or_immune: YesNoUnsure | None = _flag(
        "Do you have cancer, HIV or a weakened immune system (for example from medicines), together with a "
        "headache that is new or different from your usual headaches? (If your headaches are the same as usual, "
        "answer No.)",
        "With cancer, HIV or a weakened immune system, a headache that is new or different needs checking sooner.",
    )
    fever_or_weight_loss: YesNoUnsure | None = _flag(
        "Have you had a fever, or lost weight without trying, with no other reason you know of?",
        "These can point to another illness that a doctor should look at.",
    )
    head_injury: YesNoUnsure | None = _flag(
        "Did a new or worse headache start after a head injury in the last 3 months?",
        "A headache after a head injury needs checking first.",
    )
    pattern_change: YesNoUnsure | None = _flag(
        "Have your headaches changed into a new kind (they feel different), or have they been steadily "
        "getting worse over weeks? (Migraines simply coming more often is not what we mean.)",
        "A new kind of headache needs checking before a new treatment.",
    )
    pregnancy_new_headache: YesNoUnsure | None = _flag(
        "Is this a new, severe headache that started during pregnancy or in the weeks after giving birth?",
        "New headaches in or after pregnancy need checking quickly.",
    )


HEADACHE_RED_FLAGS: tuple[str, ...] = tuple(RedFlags.model_fields)
RED_FLAGS_ASKED: dict[Pathway, tuple[str, ...]] = {
    Pathway.headache: HEADACHE_RED_FLAGS,
    Pathway.facial_pain: HEADACHE_RED_FLAGS,
    Pathway.unsure: HEADACHE_RED_FLAGS,
    Pathway.dystonia: ("neuro_deficit",),
    Pathway.spasticity: ("neuro_deficit",),
}
"""[Red flags] "worded for the pathway": a dystonia or spasticity patient is not asked about headaches."""
RED_FLAG_WORDING: dict[tuple[Pathway, str], str] = {
    **{
        (pathway, "neuro_deficit"): "Apart from the stiffness or movements you already have, have you recently had "
        "new or suddenly worse weakness, numbness, trouble speaking, loss of vision, confusion, unusual "
        "drowsiness or a seizure?"
        for pathway in (Pathway.dystonia, Pathway.spasticity)
    },
}
"""A question's words on a pathway where its usual words would not fit; the answer means the same."""


def red_flag_label(field: str, pathway: Pathway | None) -> str:
    title = RedFlags.model_fields[field].title or field
    return RED_FLAG_WORDING.get((pathway, field), title) if pathway is not None else title


class HeadachePattern(Section):
    headache_days: int | None = question(
        "On how many days a month do you have a headache? (average of the last 3 months)",
        "How often you have headaches is one of the main things the doctor looks at.",
        unit="days a month",
        ge=0,
        le=31,
        default=None,
    )
    migraine_days: int | None = question(
        "On how many of those days is it a migraine? (A migraine is often throbbing or on one side. "
        "You may feel sick, or find light and noise hard to bear.)",
        "Migraine and other headaches are treated differently, so the doctor needs both numbers.",
        unit="days a month",
        ge=0,
        le=31,
        default=None,
        validate_default=True,
    )
    hours_per_day: float | None = question(
        "On a typical headache day, how many hours does the headache last?",
        "How long a headache lasts helps the doctor tell what kind of headache it is.",
        unit="hours",
        ge=0,
        le=24,
        default=None,
    )
    pattern_months: int | None = question(
        "For how many months have you had headaches this often?",
        "How long this has gone on helps the doctor understand your headaches.",
        unit="months",
        ge=0,
        le=1200,
        default=None,
    )
    acute_days: int | None = question(
        "On how many days a month do you take any medicine for a headache attack?",
        "Taking pain medicine very often can itself keep headaches going.",
        unit="days a month",
        ge=0,
        le=31,
        default=None,
    )
    days_simple_analgesic: DayCount = question(
        "Days a month with simple painkillers",
        ACUTE_KIND_WHY,
        unit="days a month",
        default=0,
    )
    days_triptan: DayCount = question("Days a month with a triptan", ACUTE_KIND_WHY, unit="days a month", default=0)
    days_combination: DayCount = question(
        "Days a month with a combination pill", ACUTE_KIND_WHY, unit="days a month", default=0
    )
    days_opioid: DayCount = question("Days a month with an opioid", ACUTE_KIND_WHY, unit="days a month", default=0)
    days_ergot: DayCount = question("Days a month with an ergot", ACUTE_KIND_WHY, unit="days a month", default=0)
    days_gepant: DayCount = question(
        "Days a month with a gepant or lasmiditan for an attack", ACUTE_KIND_WHY, unit="days a month", default=0
    )

    @field_validator("migraine_days")
    @classmethod
    def _migraine_within_headache_days(cls, days: int | None, info: ValidationInfo) -> int | None:
        total = info.data.get("headache_days")
        if days is not None and total is not None and days > total:
            raise ValueError(
                N_("Migraine days ({days}) cannot be more than headache days ({total}).").format(days=days, total=total)
            )
        return days

    @field_validator(
        "days_simple_analgesic", "days_triptan", "days_combination", "days_opioid", "days_ergot", "days_gepant"
    )
    @classmethod
    def _kind_within_acute_days(cls, days: int | None, info: ValidationInfo) -> int | None:
        total = info.data.get("acute_days")
        if total is not None and days is not None and days > total:
            raise ValueError(
                N_("This ({days} days) cannot be more than the days you take any headache medicine ({total}).").format(
                    days=days, total=total
                )
            )
        return days


class PreventiveTried(Section):
    drug: str = question("Medicine", "The medicines you have tried help the doctor choose what to offer next.")
    other_name: OneLine | None = question(
        "Name of the medicine", "So the doctor knows what you took.", default=None, max_length=60, validate_default=True
    )
    other_class: PreventiveClass | None = question(
        "What kind of medicine was it, if you know?", "Helps us count which kinds you have tried.", default=None
    )
    weeks: float | None = question(
        "For how many weeks did you take it?",
        "A medicine needs time to show whether it works, so how long you took it matters.",
        unit="weeks",
        ge=0,
        le=1040,
        default=None,
    )
    outcome: PreventiveOutcome = question("How did it go?", "Whether it helped decides what to try next.")
    helping: YesNoUnsure | None = question(
        "Is it helping enough?",
        "A medicine you still take counts differently depending on whether it helps.",
        default=None,
        validate_default=True,
    )

    @field_validator("drug")
    @classmethod
    def _known_drug(cls, drug: str) -> str:
        if drug not in DRUGS and drug != OTHER_DRUG:
            raise ValueError(N_("Please pick the medicine from the list, or choose Other and type its name."))
        return drug

    @field_validator("other_name")
    @classmethod
    def _name_for_other(cls, name: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("drug") != OTHER_DRUG:
            return None
        if not name:
            raise ValueError(N_("Please type the name of the medicine."))
        return name

    @field_validator("helping")
    @classmethod
    def _helping_while_taking(cls, helping: YesNoUnsure | None, info: ValidationInfo) -> YesNoUnsure | None:
        if info.data.get("outcome") != PreventiveOutcome.still_taking:
            return None
        return _answered(helping, info)


class Treatments(Section):
    preventives: list[PreventiveTried] = question(
        "Medicines you have taken to prevent headaches",
        "Insurance plans ask which of these medicines you have tried, and how they went, before they pay for Botox.",
        default_factory=list,
        max_length=MAX_PREVENTIVES,
    )
    current_cgrp: YesNoUnsure = question(
        "Are you having injections or drips to prevent migraine now (Aimovig, Ajovy, Emgality or Vyepti)?",
        "Using it together with Botox is something a doctor decides.",
    )


class PriorToxin(Section):
    prior_toxin: YesNoUnsure = question(
        "Have you ever had Botox or another botulinum toxin injection (Dysport, Xeomin, Daxxify, Myobloc)?",
        "Earlier injections tell the doctor what to expect, and when the next one can be given.",
    )
    weeks_since_last: int | None = question(
        "How many weeks ago was your last injection?",
        "Injections need a gap between them, so the doctor needs to know when the last one was.",
        unit="weeks",
        ge=0,
        le=5200,
        default=None,
    )
    toxin_outcome: ToxinOutcome | None = question(
        "How did it go? (Side effects such as a drooping eyelid, neck pain or weakness count here.)",
        "Helps the doctor plan the dose.",
        default=None,
        validate_default=True,
    )
    weeks_of_benefit: int | None = question(
        "For about how many weeks did it help?",
        "Helps the doctor plan when to repeat.",
        unit="weeks",
        ge=0,
        le=52,
        default=None,
    )

    @field_validator("weeks_since_last", "weeks_of_benefit")
    @classmethod
    def _only_after_injection(cls, weeks: int | None, info: ValidationInfo) -> int | None:
        return weeks if info.data.get("prior_toxin") == YesNoUnsure.yes else None

    @field_validator("toxin_outcome")
    @classmethod
    def _outcome_after_injection(cls, outcome: ToxinOutcome | None, info: ValidationInfo) -> ToxinOutcome | None:
        if info.data.get("prior_toxin") != YesNoUnsure.yes:
            return None
        if outcome is None:
            raise ValueError(N_("Please say how the last injection went (Not sure is fine)."))
        return outcome


class CervicalDystonia(Section):
    diagnosed_by_neurologist: YesNoUnsure = question(
        "Has a neurologist (a nerve specialist) told you that you have cervical dystonia?",
        "Treatment starts from a confirmed diagnosis.",
    )
    head_turning: YesNoUnsure = question(
        "Does your head turn, tilt or pull to one side without you wanting it to?",
        "This is the main sign of cervical dystonia.",
    )
    neck_pain: YesNoUnsure = question("Do you have neck pain with it?", "Pain relief is one of the goals of treatment.")


class Spasticity(Section):
    limbs: list[Limb] = question(
        "Which arms or legs are affected?", "Injections are planned muscle by muscle.", min_length=1, max_length=4
    )
    goals: list[SpasticityGoal] = question(
        "What would you most like to improve?",
        "Treatment is planned around your goals.",
        default_factory=list,
        max_length=6,
    )
    current_therapy: YesNoUnsure = question(
        "Are you having physiotherapy or occupational therapy now?", "Injections work best with therapy."
    )

    @field_validator("limbs", "goals")
    @classmethod
    def _no_repeats(cls, items: list[Any]) -> list[Any]:
        return list(dict.fromkeys(items))


class FacialPain(Section):
    diagnosis: FacialPainKind = question(
        "Has a doctor told you what causes the pain?", "Botox is used for some kinds of facial pain and not others."
    )
    seen_specialist: YesNoUnsure = question(
        "Have you seen a specialist (neurologist, dentist or pain doctor) about it?",
        "Helps the doctor know what was tried.",
    )


def _added(label: str, why: str) -> Any:
    """A question added after answers were first stored: see ``_answered``."""
    return question(label, why, default=None, validate_default=True)


class Safety(Section):
    """[Label] contraindications, warnings and interactions, asked in words a patient recognises."""

    toxin_allergy: YesNoUnsure = question(
        "Have you ever had an allergic reaction to Botox or another botulinum toxin, such as hives, swelling "
        "of the face or throat, or wheezing? (Side effects such as a drooping eyelid, neck pain or weakness "
        "are asked about under earlier injections.)",
        "A true allergic reaction means it must not be given again.",
    )
    injection_site_infection: YesNoUnsure = question(
        "Do you have an infection of the skin on your head, face or neck, or where injections would go?",
        "Injections cannot be given into infected skin.",
    )
    injection_site_skin: YesNoUnsure | None = _added(
        "Do you have another skin problem there, such as a rash, eczema or psoriasis?",
        "The doctor will look at the skin before choosing where to inject.",
    )
    neuromuscular: YesNoUnsure = question(
        "Do you have a nerve-muscle disease such as myasthenia gravis, Lambert-Eaton syndrome or ALS?",
        "These conditions raise the risk of serious side effects.",
    )
    neuromuscular_kind: NeuromuscularKind | None = question(
        "Which one?", "Helps the doctor judge the risk.", default=None, validate_default=True
    )
    swallowing_breathing: YesNoUnsure = question(
        "Do you have trouble swallowing or breathing?", "Botox can make these worse, so a doctor must check first."
    )
    aminoglycosides: YesNoUnsure = question(
        "Are you using an antibiotic such as gentamicin, tobramycin (including inhaled tobramycin: TOBI, "
        "Bethkis), amikacin or streptomycin, in any form (drip, injection, inhaler or nebuliser)?",
        "These antibiotics can strengthen the effect of Botox.",
    )
    anticholinergics: YesNoUnsure | None = _added(
        "Do you take a medicine for an overactive bladder, travel sickness or tremor, such as oxybutynin "
        "(Ditropan), tolterodine (Detrol), scopolamine patches, benztropine (Cogentin) or trihexyphenidyl?",
        "Medicines like these can add to some effects of Botox, such as a dry mouth or blurred vision.",
    )
    muscle_relaxants: YesNoUnsure | None = _added(
        "Do you take a muscle relaxant, such as baclofen, tizanidine (Zanaflex), cyclobenzaprine (Flexeril), "
        "methocarbamol (Robaxin) or dantrolene?",
        "These can add to the muscle weakness Botox may cause.",
    )
    blood_thinners: YesNoUnsure = question(
        "Do you take a blood thinner (such as warfarin or apixaban), or have a bleeding disorder?",
        "Injections can cause bruising or bleeding.",
    )

    @field_validator("injection_site_skin", "anticholinergics", "muscle_relaxants")
    @classmethod
    def _answered_now(cls, answer: YesNoUnsure | None, info: ValidationInfo) -> YesNoUnsure | None:
        return _answered(answer, info)

    @field_validator("neuromuscular_kind")
    @classmethod
    def _kind_when_disease(cls, kind: NeuromuscularKind | None, info: ValidationInfo) -> NeuromuscularKind | None:
        if info.data.get("neuromuscular") != YesNoUnsure.yes:
            return None
        if kind is None:
            raise ValueError(N_("Please choose which one (Not sure is fine)."))
        return kind


Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()\-.]{7,20}$")]


class Contact(Section):
    name: ShortText = question("Your name", "So we know who to ask for.")
    preferred_method: ContactMethod = question("How should we contact you?", "We will use the way you prefer.")
    phone: Phone | None = question(
        "Phone number", "To call you and arrange the free video call.", default=None, validate_default=True
    )
    email: EmailStr | None = question(
        "Email address", "To send you the video call details.", default=None, validate_default=True
    )
    preferred_times: list[TimeOfDay] = question(
        "When are you usually free for a video call?",
        "So we can offer you a time that suits you.",
        min_length=1,
        max_length=3,
    )
    consent_contact: bool = question(
        "I agree that the clinic may contact me about this request.", "We need your permission to get in touch."
    )
    privacy_ack: bool = question(
        "I have read how the clinic keeps and uses my answers.", "We need you to know how your answers are used."
    )

    @field_validator("phone")
    @classmethod
    def _phone_when_chosen(cls, phone: str | None, info: ValidationInfo) -> str | None:
        if phone is None and info.data.get("preferred_method") == ContactMethod.phone:
            raise ValueError(N_("Please give a phone number, or choose email."))
        return phone

    @field_validator("email")
    @classmethod
    def _email_when_chosen(cls, email: str | None, info: ValidationInfo) -> str | None:
        if email is not None:
            return email
        if info.data.get("preferred_method") == ContactMethod.email:
            raise ValueError(N_("Please give an email address, or choose phone."))
        if "phone" in info.data and info.data["phone"] is None:
            raise ValueError(N_("Please give a phone number or an email address."))
        return None

    @field_validator("consent_contact", "privacy_ack")
    @classmethod
    def _must_agree(cls, agreed: bool) -> bool:
        if not agreed:
            raise ValueError(N_("Please tick this box to send your answers."))
        return agreed

    @field_validator("preferred_times")
    @classmethod
    def _no_repeated_times(cls, times: list[TimeOfDay]) -> list[TimeOfDay]:
        return list(dict.fromkeys(times))


PATHWAY_SECTIONS: dict[str, Pathway] = {
    "headache": Pathway.headache,
    "treatments": Pathway.headache,
    "dystonia": Pathway.dystonia,
    "spasticity": Pathway.spasticity,
    "facial_pain": Pathway.facial_pain,
}
"""Each pathway section is asked, and kept, only on its pathway."""


class Submission(BaseModel):
    """One patient's complete answers. Sections that do not apply to the pathway are dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    about: AboutYou
    seeking: Seeking
    red_flags: RedFlags
    headache: HeadachePattern | None = Field(default=None, validate_default=True)
    treatments: Treatments | None = Field(default=None, validate_default=True)
    dystonia: CervicalDystonia | None = Field(default=None, validate_default=True)
    spasticity: Spasticity | None = Field(default=None, validate_default=True)
    facial_pain: FacialPain | None = Field(default=None, validate_default=True)
    toxin: PriorToxin
    safety: Safety
    contact: Contact

    @field_validator("headache", "treatments", "dystonia", "spasticity", "facial_pain", mode="wrap")
    @classmethod
    def _section_on_its_pathway(cls, section: Any, handler: Any, info: ValidationInfo) -> Section | None:
        """Answers to another pathway's questions are dropped unvalidated: they were hidden from the patient."""
        seeking = info.data.get("seeking")
        assert info.field_name is not None
        if seeking is not None and seeking.pathway != PATHWAY_SECTIONS[info.field_name]:
            return None
        validated = handler(section)
        if validated is None and seeking is not None:
            raise ValueError(N_("Please answer the questions in this part."))
        return validated

    @field_validator("red_flags", mode="wrap")
    @classmethod
    def _red_flags_of_the_pathway(cls, flags: Any, handler: Any, info: ValidationInfo) -> RedFlags:
        """Questions not asked on the pathway are dropped; the ones asked must be answered (unless stored before
        a question was added)."""
        seeking = info.data.get("seeking")
        asked = RED_FLAGS_ASKED[seeking.pathway] if seeking is not None else HEADACHE_RED_FLAGS
        if isinstance(flags, dict):
            flags = {
                name: answer for name, answer in flags.items() if name in asked or name not in RedFlags.model_fields
            }
        validated: RedFlags = handler(flags)
        missing = [name for name in asked if getattr(validated, name) is None]
        if missing and not _is_stored(info):
            raise ValueError(f"Please answer every warning-sign question ({', '.join(missing)}).")
        return validated

    @property
    def pathway(self) -> Pathway:
        return self.seeking.pathway


RENAMED: dict[tuple[str, str], str] = {("safety", "injection_site_problem"): "injection_site_infection"}
"""Answer fields renamed since answers were first stored: (section, old name) -> new name."""


def upgrade(answers: dict[str, Any]) -> dict[str, Any]:
    """Stored answers (a submission or a saved draft) in today's shape: renamed fields under their new names.

    Questions added since are left out; validate with ``context=STORED`` (``read_stored``) so they read as
    not asked rather than as an error. The stored copy itself is never changed.
    """
    out = {section: dict(part) if isinstance(part, dict) else part for section, part in answers.items()}
    for (section, old), new in RENAMED.items():
        part = out.get(section)
        if isinstance(part, dict) and old in part:
            part.setdefault(new, part.pop(old))
    return out


def read_stored(answers: dict[str, Any]) -> "Submission":
    """A stored submission validated as it was given: older answers stay readable as the questions change."""
    return Submission.model_validate(upgrade(answers), context=STORED)


def section_model(section: str, questionnaire: type[BaseModel] | None = None) -> type[BaseModel]:
    """The section's model, read from ``Submission`` (or another questionnaire: the return visit's) so a new
    section needs no second list anywhere."""
    annotation = (questionnaire or Submission).model_fields[section].annotation
    return next(arg for arg in (*get_args(annotation), annotation) if isinstance(arg, type) and arg is not type(None))


def field_errors(err: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as plain ``{"field", "message"}`` pairs: what the wizard shows and the CLI prints."""
    return [
        {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"].removeprefix("Value error, ")}
        for e in err.errors()
    ]
