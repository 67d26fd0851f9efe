"""The patient pre-screening wizard: one step at a time, from welcome to the reference code.

The page only draws: which steps exist, what is shown and how a step is checked live
in ``screening.ui.draft``; storing and screening live in ``screening.intake``. The
patient never sees a triage or any word that would read as a decision.
Everything the patient typed is echoed with ``st.text`` (never as markdown).
"""

from datetime import date
from typing import Any

import streamlit as st
from pydantic.fields import FieldInfo

from screening import intake
from screening.answers import MAX_PREVENTIVES, HeadachePattern, PreventiveTried
from screening.catalogue import DRUGS, OTHER_DRUG, drug_label
from screening.choices import YesNoUnsure, label
from screening.loader import RuleSetError
from screening.messaging.outbox import mail_on
from screening.settings import get_settings
from screening.storage import StorageError
from screening.ui import booking, resources
from screening.ui.draft import (
    ACUTE_KINDS,
    KIND_NAMES,
    KINDS_PATH,
    KINDS_QUESTION,
    NONE_OF_THESE,
    REVIEW,
    STEP_BY_KEY,
    WELCOME,
    Draft,
    Errors,
    Step,
    acute_kinds,
    check_all,
    check_step,
    kind_label,
    prune,
    red_flags_raised,
    section_model,
    shown,
    step_of,
    steps_for,
    tick_kinds,
)
from screening.ui.widgets import birth_date_input, forget_widgets, render_field, why_we_ask, widget_key

DRAFT, STEP, ERRORS, CODE, RECEIPT, ARRIVED = "draft", "step", "errors", "draft_code", "receipt", "arrived"
TICKED = ":ticked"
EMAIL_CODE, EMAIL_TO = "save-email-code", "save-email-to"
CLINIC_LINE = "Pre-screening for a Botox consultation"
STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
[data-testid="stMain"] h1 { font-size: 1.75rem; }
[data-testid="stMain"] h2 { font-size: 1.35rem; }
</style>"""
"""Headings sized for a phone: the step title is the page's one h1, and should fit on one or two lines."""
TO_TOP = """<script>
setTimeout(() => {
  document.querySelector('[data-testid="stMain"]')?.scrollTo(0, 0);
  const heading = document.querySelector('HEADING');
  if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus({preventScroll: true}); }
}, 100);
</script>"""
"""A constant script, run once when a new step opens: on a phone, Next is at the bottom of a long step, and
Streamlit keeps the scroll position, so the new step would open half-way down; screen readers start at its title.
It never contains anything the patient typed."""

URGENT_NOW = (
    "Please get urgent medical help now: call 911 or go to the nearest emergency department. "
    "Do not wait for the clinic to contact you."
)
URGENT = URGENT_NOW + " You can still finish and send these questions afterwards."
UNAVAILABLE = "Sorry, the pre-screening is not available right now. Please try again later or call the clinic."
SAVE_FAILED = "Sorry, we could not save your answers just now. Nothing you typed is lost: please try again."
PRIVACY = (
    "Your answers are kept by the clinic in its own secure records and read only by the clinic team "
    "caring for your request. We ask only what we need to prepare your visit and to contact you. "
    "Nothing is shared for advertising, and you can ask the clinic to see or delete your answers."
)


def page() -> None:
    """The whole wizard; Streamlit runs this top to bottom on every click."""
    _start_session()
    try:
        resources.ruleset()
        resources.database()
    except (RuleSetError, StorageError, OSError):
        st.error(UNAVAILABLE, icon=":material/error:")
        return
    if RECEIPT in st.session_state:
        _confirmation(st.session_state[RECEIPT])
        return
    draft: Draft = st.session_state[DRAFT]
    steps = steps_for(draft)
    step = STEP_BY_KEY[st.session_state[STEP]]
    if step not in steps:
        step = WELCOME
    _progress(steps, step)
    errors: Errors = st.session_state[ERRORS]
    if errors:
        st.error("Please check the answers marked below.", icon=":material/error:")
    {"welcome": _welcome, "review": _review}.get(step.key, _questions)(draft, step, errors)
    forget_widgets_of(prune(draft))
    _refresh_errors(draft, step, errors)
    _navigation(draft, steps, step)
    if step not in (WELCOME, REVIEW):
        _save_for_later(draft, step)


def _start_session() -> None:
    st.session_state.setdefault(DRAFT, {})
    st.session_state.setdefault(STEP, WELCOME.key)
    st.session_state.setdefault(ERRORS, {})


def go_to(step: Step, errors: Errors | None = None) -> None:
    """Change step: widgets are dropped so the new step's widgets are seeded from the draft."""
    st.session_state[STEP] = step.key
    st.session_state[ERRORS] = errors or {}
    st.session_state[ARRIVED] = True
    forget_widgets()
    st.rerun()


def forget_widgets_of(paths: list[str]) -> None:
    for path in paths:
        forget_widgets(path)


def _refresh_errors(draft: Draft, step: Step, errors: Errors) -> None:
    """Once an answer is put right its message goes; no new messages appear before Next."""
    if not errors or step is REVIEW:
        return
    still = {path: message for path, message in check_step(draft, step).items() if path in errors}
    if still != errors:
        st.session_state[ERRORS] = still
        st.rerun()


def arrive(heading: str) -> None:
    if st.session_state.pop(ARRIVED, False):
        st.html(TO_TOP.replace("HEADING", heading), unsafe_allow_javascript=True)


def _heading(title: str) -> None:
    """A small line naming the service, then the page's own title as its one h1 (no anchor-link icon)."""
    st.html(STYLE)
    st.markdown(f":small[{CLINIC_LINE}]")
    st.title(title, anchor=False)
    arrive("h1")


def _progress(steps: list[Step], step: Step) -> None:
    number = steps.index(step) + 1
    _heading(step.title)
    st.progress(number / len(steps), text=f"Step {number} of {len(steps)}")


# --- steps ---------------------------------------------------------------------------------------


def _welcome(draft: Draft, step: Step, errors: Errors) -> None:
    st.write(
        "These questions help the clinic get ready for a free video call with you about treatment with "
        "Botox (botulinum toxin). They take about 10 minutes. A member of the clinic team reads every answer. "
        "This is not a diagnosis, and it does not decide your treatment."
    )
    st.write("If you feel very unwell right now, call 911 or go to the nearest emergency department.")
    st.header("Your privacy", anchor=False)
    st.write(PRIVACY)
    _questions(draft, step, errors)
    with st.expander("Continue where I left off"):
        _resume()


def _questions(draft: Draft, step: Step, errors: Errors) -> None:
    if step.intro:
        st.write(step.intro)
    for section, field in step.fields:
        if not shown(draft, (section, field)):
            continue
        if (section, field) == ("treatments", "preventives"):
            _preventives(draft.setdefault(section, {}), errors)
            continue
        if section == "headache" and field in ACUTE_KINDS:
            if field == ACUTE_KINDS[0]:
                _acute_medicines(draft.setdefault(section, {}), errors)
            continue
        value = render_field(draft.setdefault(section, {}), section_model(section), field, f"{section}.{field}", errors)
        if section == "red_flags" and value == YesNoUnsure.yes:
            st.error(URGENT, icon=":material/emergency:")
    _section_errors(step, errors)


def _section_errors(step: Step, errors: Errors) -> None:
    """Errors about a whole part (not one question) are shown at the end of its step."""
    for path, message in errors.items():
        if path in step.sections:
            st.error(message, icon=":material/error:")


def _untick_others(key: str, others: list[str]) -> None:
    """Ticking "None of these" unticks every medicine, and ticking a medicine unticks "None of these"."""
    if st.session_state.get(key):
        for other in others:
            st.session_state[other] = False


def _acute_medicines(headache: dict[str, Any], errors: Errors) -> None:
    """A tick box for each kind of attack medicine; a ticked one gets its own days box right under it."""
    ticked = acute_kinds(headache)
    none_key = widget_key(KINDS_PATH) + TICKED
    kind_keys = {kind: widget_key(f"headache.{kind}") + TICKED for kind in ACUTE_KINDS}
    st.markdown(f"**{KINDS_QUESTION}** Tick all that apply.")
    why_we_ask(HeadachePattern.model_fields[ACUTE_KINDS[0]])
    chosen: list[str] = []
    for kind, key in kind_keys.items():
        st.session_state.setdefault(key, ticked is not None and kind in ticked)
        if st.checkbox(kind_label(kind), key=key, on_change=_untick_others, args=(key, [none_key])):
            chosen.append(kind)
            if headache.get(kind) == 0 and widget_key(f"headache.{kind}") not in st.session_state:
                headache[kind] = None  # just ticked: the box starts empty, not at the 0 that meant "not taken"
            render_field(headache, HeadachePattern, kind, f"headache.{kind}", errors, why=False)
    st.session_state.setdefault(none_key, ticked == [])
    none = st.checkbox(NONE_OF_THESE, key=none_key, on_change=_untick_others, args=(none_key, [*kind_keys.values()]))
    tick_kinds(headache, chosen if chosen or none else None)
    if KINDS_PATH in errors:
        st.error(errors[KINDS_PATH], icon=":material/error:")


def _drug_name(key: str) -> str:
    return "Other (not on the list)" if key == OTHER_DRUG else drug_label(key)


def _preventives(treatments: dict[str, Any], errors: Errors) -> None:
    """Preventive medicines tried, as a list the patient adds to and removes from."""
    info = section_model("treatments").model_fields["preventives"]
    items: list[dict[str, Any]] = treatments.setdefault("preventives", [])
    st.header(info.title or "", anchor=False)
    why_we_ask(info)
    if not items:
        st.write("None added yet. If you have never taken a medicine to prevent headaches, leave this empty.")
    for index, item in enumerate(items):
        base = f"treatments.preventives.{index}"
        with st.container(border=True):
            st.markdown(f"**Medicine {index + 1}**")
            render_field(
                item,
                PreventiveTried,
                "drug",
                f"{base}.drug",
                errors,
                options=[*DRUGS, OTHER_DRUG],
                format_func=_drug_name,
            )
            names = (
                ("other_name", "other_class", "weeks", "outcome")
                if item.get("drug") == OTHER_DRUG
                else ("weeks", "outcome")
            )
            for name in names:
                render_field(item, PreventiveTried, name, f"{base}.{name}", errors)
            if st.button(f"Remove medicine {index + 1}", key=f"remove-preventive-{index}", icon=":material/delete:"):
                del items[index]
                forget_widgets("treatments.preventives")
                st.rerun()
    if len(items) < MAX_PREVENTIVES and st.button("Add a medicine", icon=":material/add:"):
        items.append({})
        st.rerun()
    if "treatments.preventives" in errors:
        st.error(errors["treatments.preventives"], icon=":material/error:")


def _review(draft: Draft, step: Step, errors: Errors) -> None:
    st.write(
        "Please check your answers. To change something, press the Change button of that part. "
        "Your other answers stay as they are."
    )
    for each in steps_for(draft):
        if each in (WELCOME, REVIEW):
            continue
        with st.container(border=True):
            st.header(each.title, anchor=False)
            for section, field in each.fields:
                if field == ACUTE_KINDS[0] and shown(draft, (section, field)):
                    _review_kinds(draft.get(section, {}))
                elif field not in ACUTE_KINDS and shown(draft, (section, field)):
                    _review_line(section, field, draft.get(section, {}))
            if st.button(f"Change: {each.title}", key=f"change-{each.key}"):
                go_to(each)


def _review_line(section: str, field: str, answers: dict[str, Any]) -> None:
    info = section_model(section).model_fields[field]
    st.markdown(f"**{info.title}**")
    if field == "preventives":
        lines = [_preventive_line(item) for item in answers.get(field, [])]
        st.text("\n".join(lines) or "None")
    else:
        st.text(_with_unit(info, answers.get(field), shown_answer(answers, field)))


def _with_unit(info: FieldInfo, value: Any, text: str) -> str:
    """A number as the patient typed it, with its unit: "8 hours", not "8.0"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return text
    unit = info.json_schema_extra.get("unit") if isinstance(info.json_schema_extra, dict) else None
    return f"{value:g} {unit}" if unit else f"{value:g}"


def _review_kinds(headache: dict[str, Any]) -> None:
    """The attack medicines as one answer: the kinds ticked with their days, not six lines of 0."""
    st.markdown(f"**{KINDS_QUESTION}**")
    ticked = acute_kinds(headache)
    lines = [f"{KIND_NAMES[kind][0]}: {shown_answer(headache, kind)} days a month" for kind in ticked or []]
    st.text("\n".join(lines) or ("Not answered" if ticked is None else NONE_OF_THESE))


def shown_answer(answers: dict[str, Any], field: str) -> str:
    """An answer in plain words: options by their label, "Not sure" for an unknown number."""
    if field not in answers:
        return "Not answered"
    value = answers[field]
    if value is None:
        return "Not sure"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(label(v) for v in value) or "None"
    if field == "date_of_birth":
        return date.fromisoformat(value).strftime("%m/%d/%Y")
    return label(value)


def _preventive_line(item: dict[str, Any]) -> str:
    name = item.get("other_name") if item.get("drug") == OTHER_DRUG else drug_label(item.get("drug", ""))
    weeks = item.get("weeks")
    return f"{name or 'Medicine not chosen'}: {'weeks not sure' if weeks is None else f'{weeks:g} weeks'}, " + (
        label(item["outcome"]) if "outcome" in item else "outcome not given"
    )


# --- moving between steps ------------------------------------------------------------------------


def _navigation(draft: Draft, steps: list[Step], step: Step) -> None:
    index = steps.index(step)
    with st.container(horizontal=True):
        if index > 0 and st.button("Back", icon=":material/arrow_back:"):
            go_to(steps[index - 1])
        if step is REVIEW:
            if st.button("Send my answers", type="primary"):
                _submit(draft, steps)
        elif st.button("Start" if step is WELCOME else "Next", type="primary"):
            errors = check_step(draft, step)
            go_to(step if errors else steps[index + 1], errors)


def _submit(draft: Draft, steps: list[Step]) -> None:
    submission, errors = check_all(draft)
    if submission is None:
        go_to(step_of(next(iter(errors)), steps), errors)
        return
    try:
        receipt = intake.submit(
            resources.database(), submission, resources.ruleset(), draft_code=st.session_state.get(CODE)
        )
    except (StorageError, RuleSetError, OSError):
        st.error(SAVE_FAILED, icon=":material/error:")
        return
    method = submission.contact.preferred_method
    st.session_state[RECEIPT] = {
        "reference": receipt.reference,
        "method": label(method).lower(),
        "warning_signs": bool(red_flags_raised(draft)),
        "submission_id": receipt.submission_id,
        "email": bool(submission.contact.email),
    }
    for key in (DRAFT, STEP, ERRORS, CODE):
        st.session_state.pop(key, None)
    st.session_state[ARRIVED] = True
    forget_widgets()
    st.rerun()


def _confirmation(receipt: dict[str, Any]) -> None:
    _heading("Thank you")
    st.success("Your answers have been sent to the clinic.", icon=":material/check_circle:")
    if receipt["warning_signs"]:
        st.error(URGENT_NOW, icon=":material/emergency:")
    st.write("Your reference code:")
    st.code(receipt["reference"], language=None)
    st.header("What happens next", anchor=False)
    st.write(
        "A member of the clinic team will read your answers, usually within 2 working days. "
        f"We will contact you by {receipt['method']} to arrange a free video call with a clinician, "
        "who will talk through your options with you. Please keep your reference code: quote it if you call us."
    )
    booking.offer_call(receipt)
    if st.button("Start again for someone else"):
        st.session_state.clear()
        st.rerun()


# --- save and continue later ---------------------------------------------------------------------


def _save_for_later(draft: Draft, step: Step) -> None:
    with st.expander("Save and continue later", key="save-later", on_change="rerun"):
        days = get_settings().draft_days
        st.write(
            f"We keep your answers for {days} days. You will get a code; with your date of birth it "
            "brings your answers back on any device."
        )
        born = draft.get("about", {}).get("date_of_birth")
        if born is None:
            typed = birth_date_input("Your date of birth", "save-dob")
            born = typed.isoformat() if typed else None
        email = _email_choice(draft)
        if st.button("Save my answers", icon=":material/save:"):
            _save(draft, step, born, email)


def _email_choice(draft: Draft) -> str | None:
    """Only when the patient asks: the code by email too, to the address they gave (or type here)."""
    if not mail_on(get_settings()):
        return None
    if not st.checkbox("Email me the code as well", key=EMAIL_CODE):
        return None
    st.session_state.setdefault(EMAIL_TO, draft.get("contact", {}).get("email") or "")
    return st.text_input("Email address", key=EMAIL_TO, max_chars=320, autocomplete="email").strip()


def _save(draft: Draft, step: Step, born: str | None, email: str | None) -> None:
    if born is None:
        st.error("Please enter your date of birth, so only you can open your saved answers.")
        return
    if email == "":
        st.error("Please type your email address, or untick Email me the code.", icon=":material/error:")
        return
    draft.setdefault("about", {})["date_of_birth"] = born
    earlier = st.session_state.get(CODE)
    try:
        saved = intake.save_draft(
            resources.database(), draft, step.key, date.fromisoformat(born), code=earlier, email_to=email
        )
    except intake.NotAnAddress:
        st.error("Please check the email address, or untick Email me the code.", icon=":material/error:")
        return
    except StorageError:
        st.error(SAVE_FAILED, icon=":material/error:")
        return
    st.session_state[CODE] = saved.code
    until = f"{saved.expires_at:%B} {saved.expires_at.day}"
    st.success(
        ("Saved again. Your code is the same as before" if earlier else "Saved. Here is your code")
        + f": write it down or take a photo. With your date of birth it brings your answers back until {until}.",
        icon=":material/check_circle:",
    )
    st.code(saved.code, language=None)
    if saved.emailed:
        st.info("We are emailing this code to you. It can take a few minutes; please check your spam folder too.")
    elif email:
        st.warning(
            "We could not email the code again today: it has been sent several times already. "
            "Please keep the code shown here."
        )


def _resume() -> None:
    st.write("Enter the code you were given and your date of birth.")
    code = st.text_input("Your code", key="resume-code", max_chars=24, placeholder="XXXX-XXXX-XXXX-XXXX")
    born = birth_date_input("Your date of birth", "resume-dob")
    if not st.button("Continue"):
        return
    found = None
    if code.strip() and born is not None:
        try:
            found = intake.resume_draft(resources.database(), code, born)
        except StorageError:
            st.error(UNAVAILABLE, icon=":material/error:")
            return
    if found is None:
        st.error(
            "We could not find saved answers for this code and date of birth. Please check both. "
            "Saved answers are kept for a limited time only.",
            icon=":material/error:",
        )
        return
    st.session_state[DRAFT] = found.answers
    st.session_state[CODE] = intake.normalise_code(code)
    go_to(STEP_BY_KEY.get(found.step, WELCOME))
