"""The patient pre-screening wizard: one step at a time, from welcome to the reference code.

The page only draws: which steps exist, what is shown and how a step is checked live
in ``screening.ui.draft``; storing and screening live in ``screening.intake``. The
patient never sees a triage or any word that would read as a decision.
Everything the patient typed is echoed with ``st.text`` (never as markdown).
"""

import logging
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from screening import intake
from screening.advice import ADVICE_SECTIONS, answer_advice, patient_advice
from screening.answers import MAX_PREVENTIVES, PreventiveTried, red_flag_label
from screening.care import information
from screening.catalogue import DRUGS, OTHER_DRUG, OTHER_DRUG_LABEL, drug_label
from screening.i18n import N_, CatalogNotCompiled, catalog
from screening.i18n.formats import day_and_month
from screening.loader import RuleSetError
from screening.messaging.outbox import mail_on
from screening.privacy.notice import privacy_paragraphs
from screening.returns.answers import ReturnVisit, is_return
from screening.ruleset import Advice
from screening.settings import get_settings
from screening.storage import StorageError
from screening.ui import booking, language, resources, returning
from screening.ui.draft import (
    ACUTE_KINDS,
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
    kinds_path,
    next_step,
    pathway_of,
    preventive_fields,
    progress,
    prune,
    question_name,
    section_model,
    shown,
    step_of,
    steps_for,
    tick_kinds,
)
from screening.ui.language import t
from screening.ui.navigation import (
    ARRIVED,
    BACK_TO_REVIEW,
    BROWSER_KEY,
    CODE,
    DRAFT,
    ERRORS,
    EXPIRED,
    RECEIPT,
    STEP,
    arrive,
    autosave_tab,
    browser_key,
    close_tab,
    follow_history,
    go_to,
    guard_leaving,
    keep_address,
    move_to,
    open_tab,
)
from screening.ui.review import review
from screening.ui.warning_signs import advice_box, confirmation_advice, next_steps
from screening.ui.widgets import (
    birth_date_input,
    forget_widgets,
    language_switch,
    question_block,
    render_field,
    why_we_ask,
    widget_key,
    write_back,
)
from screening.ui.wording import CONTACT_BY

LOG = logging.getLogger(__name__)
TICKED = ":ticked"
EMAIL_CODE, EMAIL_TO = "save-email-code", "save-email-to"
CLINIC_LINE = N_("Pre-screening for a Botox consultation")
RETURN_LINE = N_("Your return visit after Botox treatment")
INFORMATION = Path(__file__).resolve().parent / "patient_info.py"
"""The patient information page (registered in app.py at ``/information``), linked from welcome and confirmation."""
LOOK = Path(__file__).resolve().parent / "patient.css"
"""Spacing and tap targets for a phone; the colours are the theme in .streamlit/config.toml."""
UNAVAILABLE = N_("Sorry, the pre-screening is not available right now. Please try again later or call the clinic.")
SAVE_FAILED = N_("Sorry, we could not save your answers just now. Nothing you typed is lost: please try again.")
EXPIRED_NOTE = N_(
    "Your earlier answers in this window are no longer kept (they are deleted after a while without changes, "
    "for your privacy). If you saved them with a code, use Continue where I left off below."
)


def questionnaire() -> st.Page:
    """This page for ``st.navigation`` and for links to it; a new object each run (navigation marks the one it runs)."""
    return st.Page(page, title="Pre-screening", icon=":material/assignment:", url_path="prescreening", default=True)


def information_link() -> None:
    """The information page in the patient's language (``?lang=`` keeps it when the page is opened)."""
    st.page_link(
        INFORMATION, label=t(information.LINK_LABEL), icon=":material/info:", query_params=language.link_params()
    )


def page() -> None:
    """The whole wizard; Streamlit runs this top to bottom on every click."""
    try:
        resources.ruleset()
        resources.database()
        catalog(language.current())
    except CatalogNotCompiled as missing:
        LOG.error("%s", missing)  # a release step was skipped: the page must not show a half-English questionnaire
        st.error(UNAVAILABLE, icon=":material/error:")
        return
    except (RuleSetError, StorageError, OSError):
        st.error(t(UNAVAILABLE), icon=":material/error:")
        return
    open_tab()
    st.html(LOOK)
    if RECEIPT in st.session_state:
        _confirmation(st.session_state[RECEIPT])
        guard_leaving(unsent=False)
        return
    draft: Draft = st.session_state[DRAFT]
    follow_history(draft)
    steps = steps_for(draft)
    step = STEP_BY_KEY[st.session_state[STEP]]
    if step not in steps:
        step = WELCOME
    keep_address(step)
    _heading(t(step.title), RETURN_LINE if is_return(draft) else CLINIC_LINE)
    _progress(draft, step)
    errors: Errors = st.session_state[ERRORS]
    if errors:
        _error_banner(errors)
    {"welcome": _welcome, "review": review}.get(step.key, _questions)(draft, step, errors)
    forget_widgets_of(prune(draft))
    _refresh_errors(draft, step, errors)
    _navigation(draft, steps, step)
    if step not in (WELCOME, REVIEW) and not is_return(draft):  # a return is short; autosave keeps it on reload
        _save_for_later(draft, step)
    autosave_tab(draft, step)
    guard_leaving(unsent=step is not WELCOME or draft.get("contact", {}).get("privacy_ack"))


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


def _heading(title: str, line: str = CLINIC_LINE) -> None:
    """A small line naming the service, then the page's own title as its one h1 (no anchor-link icon)."""
    language_switch()
    st.markdown(f":small[{t(line)}]")
    st.title(title, anchor=False)
    arrive()


def _progress(draft: Draft, step: Step) -> None:
    now = progress(draft, step)
    st.progress(now.done, text=t(now.text))


def _error_banner(errors: Errors) -> None:
    """Names each question to put right, in page order, so a phone user knows what to look for below."""
    names = list(dict.fromkeys(t(question_name(path)) for path in errors))
    with st.container(key="error_banner"):
        st.error(
            (t("Please check this answer:") if len(names) == 1 else t("Please check these answers:"))
            + "\n"
            + "\n".join(f"- {name}" for name in names),
            icon=":material/error:",
        )


# --- steps ---------------------------------------------------------------------------------------


def _welcome(draft: Draft, step: Step, errors: Errors) -> None:
    if st.session_state.pop(EXPIRED, False):
        st.info(t(EXPIRED_NOTE), icon=":material/history:")
    st.write(
        t(
            "These questions help the clinic get ready for a free video call with you about treatment with "
        "Botox (botulinum toxin). They take about 10 minutes. A member of the clinic team reads every answer. "
        "This is not a diagnosis, and it does not decide your treatment."
        )
    )
    information_link()
    st.write(t("If you feel very unwell right now, call 911 or go to the nearest emergency department."))
    with st.expander(t(returning.LINK_TITLE), icon=":material/history:"):
        returning.link_form()
    st.header(t("Your privacy"), anchor=False)
    for paragraph in privacy_paragraphs(resources.privacy_terms(), language.current()):
        st.text(paragraph)  # the contact is the clinic's setting: shown as typed, never as Markdown
    _questions(draft, step, errors)
    with st.expander(t("Continue where I left off")):
        _resume()


def _questions(draft: Draft, step: Step, errors: Errors) -> None:
    if step.intro:
        st.write(t(step.intro))
    for section, field in step.fields:
        if not shown(draft, (section, field)):
            continue
        if (section, field) == ("treatments", "preventives"):
            _preventives(draft.setdefault(section, {}), errors)
            continue
        if field in ACUTE_KINDS:
            if field == ACUTE_KINDS[0]:
                _acute_medicines(draft.setdefault(section, {}), section, errors)
            continue
        title = red_flag_label(field, pathway_of(draft)) if section == "red_flags" else None
        store = draft.setdefault(section, {})
        value = render_field(store, section_model(section), field, f"{section}.{field}", errors, title=title)
        if section in ADVICE_SECTIONS:
            advice_box(answer_advice(resources.ruleset(), pathway_of(draft), field, value, section))
    _section_errors(step, errors)


def _section_errors(step: Step, errors: Errors) -> None:
    """Errors about a whole part (not one question) are shown at the end of its step."""
    for path, message in errors.items():
        if path in step.sections:
            st.error(t(message), icon=":material/error:")


def _untick_others(key: str, others: list[str]) -> None:
    """Ticking "None of these" unticks every medicine, and ticking a medicine unticks "None of these"."""
    if st.session_state.get(key):
        for other in others:
            st.session_state[other] = False


def _acute_medicines(headache: dict[str, Any], section: str, errors: Errors) -> None:
    """A tick box for each kind of attack medicine; a ticked one gets its own days box right under it."""
    ticked = acute_kinds(headache)
    path = kinds_path(section)
    model = section_model(section)
    none_key = widget_key(path) + TICKED
    kind_keys = {kind: widget_key(f"{section}.{kind}") + TICKED for kind in ACUTE_KINDS}
    with question_block(path):
        tick_all = t("Tick all that apply.")
        st.markdown(f"**{t(KINDS_QUESTION)}** {tick_all}")
        why_we_ask(model.model_fields[ACUTE_KINDS[0]])
        chosen: list[str] = []
        for kind, key in kind_keys.items():
            st.session_state.setdefault(key, ticked is not None and kind in ticked)
            words = kind_label(kind, language.current())
            if st.checkbox(words, key=key, on_change=_untick_others, args=(key, [none_key])):
                chosen.append(kind)
                if headache.get(kind) == 0 and widget_key(f"{section}.{kind}") not in st.session_state:
                    del headache[kind]  # just ticked: the box starts empty, not at the 0 that meant "not taken"
                render_field(headache, model, kind, f"{section}.{kind}", errors, why=False)
        st.session_state.setdefault(none_key, ticked == [])
        others = [*kind_keys.values()]
        none = st.checkbox(t(NONE_OF_THESE), key=none_key, on_change=_untick_others, args=(none_key, others))
        tick_kinds(headache, chosen if chosen or none else None)
        if path in errors:
            st.error(t(errors[path]), icon=":material/error:")


def _drug_name(key: str) -> str:
    return OTHER_DRUG_LABEL if key == OTHER_DRUG else drug_label(key)


def _preventives(treatments: dict[str, Any], errors: Errors) -> None:
    """Preventive medicines tried, as a list the patient adds to and removes from."""
    info = section_model("treatments").model_fields["preventives"]
    items: list[dict[str, Any]] = treatments.setdefault("preventives", [])
    st.header(t(info.title or ""), anchor=False)
    why_we_ask(info)
    if not items:
        st.write(t("None added yet. If you have never taken a medicine to prevent headaches, leave this empty."))
    for index, item in enumerate(items):
        base = f"treatments.preventives.{index}"
        with st.container(border=True):
            st.markdown("**" + t("Medicine {number}").format(number=index + 1) + "**")
            render_field(
                item,
                PreventiveTried,
                "drug",
                f"{base}.drug",
                errors,
                options=[*DRUGS, OTHER_DRUG],
                format_func=_drug_name,
            )
            for name in preventive_fields(item, every=True):
                if name not in preventive_fields(item):  # read each time: the outcome just given decides "helping"
                    continue
                render_field(item, PreventiveTried, name, f"{base}.{name}", errors)
            remove = t("Remove medicine {number}").format(number=index + 1)
            if st.button(remove, key=f"remove-preventive-{index}", icon=":material/delete:"):
                del items[index]
                forget_widgets("treatments.preventives")
                st.rerun()
    if len(items) < MAX_PREVENTIVES and st.button(t("Add a medicine"), icon=":material/add:"):
        items.append({})
        st.rerun()
    message = errors.get("treatments.preventives")
    if message:
        st.error(t(message), icon=":material/error:")


# --- moving between steps ------------------------------------------------------------------------


def _navigation(draft: Draft, steps: list[Step], step: Step) -> None:
    """Back and Next act in their ``on_click``, before the run draws: the run that follows draws the step they
    lead to, so a tap costs one script run."""
    index = steps.index(step)
    with st.container(horizontal=True):
        if index > 0:
            st.button(t("Back"), icon=":material/arrow_back:", on_click=_back, args=(step,))
        if step is REVIEW:
            if st.button(t("Send my answers"), type="primary"):
                _submit(draft, steps)
        else:
            st.button(t("Start") if step is WELCOME else t("Next"), type="primary", on_click=_next, args=(step,))


def _answers_now() -> Draft:
    """The draft with what the patient typed just before the tap, and without answers hidden by it."""
    draft: Draft = st.session_state[DRAFT]
    write_back()
    forget_widgets_of(prune(draft))
    return draft


def _back(step: Step) -> None:
    draft = _answers_now()
    steps = steps_for(draft)
    move_to(steps[steps.index(step) - 1] if step in steps else WELCOME)


def _next(step: Step) -> None:
    draft = _answers_now()
    errors = check_step(draft, step)
    if errors:
        st.session_state[ERRORS] = errors
        st.session_state[ARRIVED] = True  # the page opens at the first question to put right
        return
    back = st.session_state.get(BACK_TO_REVIEW, False)
    move_to(next_step(draft, step, back_to_review=back), back_to_review=back)


def _submit(draft: Draft, steps: list[Step]) -> None:
    if is_return(draft):
        returning.dated_today(draft)
    submission, errors = check_all(draft)
    if submission is None:
        go_to(step_of(next(iter(errors)), steps), errors)
        return
    try:
        receipt = intake.submit(
            resources.database(),
            submission,
            resources.ruleset(),
            draft_code=st.session_state.get(CODE),
            language=language.current(),
        )
    except (StorageError, RuleSetError, OSError, intake.NotLinked):
        st.error(t(SAVE_FAILED), icon=":material/error:")
        return
    st.session_state[RECEIPT] = _receipt(submission, receipt)
    close_tab()
    for key in (DRAFT, STEP, ERRORS, CODE, BACK_TO_REVIEW):
        st.session_state.pop(key, None)
    st.session_state[ARRIVED] = True
    forget_widgets()
    st.rerun()


def _receipt(submission: Any, receipt: intake.Receipt) -> dict[str, Any]:
    """What the thank-you page needs, kept in the session (no answers in it)."""
    if isinstance(submission, ReturnVisit):
        spread = submission.spread.model_dump(mode="json")
        advice = patient_advice(resources.ruleset(), spread, submission.pathway.value, "spread")
        return {"reference": receipt.reference, "advice": [grade.value for grade in advice], "visit": "return"}
    flags = submission.red_flags.model_dump(mode="json")
    advice = patient_advice(resources.ruleset(), flags, submission.pathway.value)
    return {
        "reference": receipt.reference,
        "method": CONTACT_BY[submission.contact.preferred_method],
        "advice": [grade.value for grade in advice],
        "submission_id": receipt.submission_id,
        "email": bool(submission.contact.email),
    }


def _confirmation(receipt: dict[str, Any]) -> None:
    """One message: after emergency advice, nothing here asks the patient to wait for a routine call."""
    _heading(t("Thank you"), RETURN_LINE if receipt.get("visit") == "return" else CLINIC_LINE)
    st.success(t("Your answers have been sent to the clinic."), icon=":material/check_circle:")
    if receipt.get("visit") == "return":
        returning.confirmation(receipt)
        information_link()
        _start_again()
        return
    advice = [Advice(grade) for grade in receipt.get("advice", [])]
    confirmation_advice(advice)
    st.write(t("Your reference code:"))
    st.code(receipt["reference"], language=None)
    st.header(t("What happens next"), anchor=False)
    st.write(next_steps(advice, receipt["method"], call_asked=booking.REQUESTED in st.session_state))
    information_link()
    booking.offer_call(receipt)
    _start_again()


def _start_again() -> None:
    if st.button(t("Start again for someone else")):
        browser = st.session_state.get(BROWSER_KEY)  # its failed resume tries still count
        chosen = language.current()  # the next person most likely reads the same language
        st.session_state.clear()
        st.query_params.clear()
        language.use(chosen)
        if browser:
            st.session_state[BROWSER_KEY] = browser
        st.rerun()


# --- save and continue later ---------------------------------------------------------------------


def _save_for_later(draft: Draft, step: Step) -> None:
    with st.expander(t("Save and continue later"), key="save-later", on_change="rerun"):
        days = get_settings().draft_days
        st.write(
            t(
                "We keep your answers for {days} days. You will get a code; with your date of birth it "
                "brings your answers back on any device."
            ).format(days=days)
        )
        born = draft.get("about", {}).get("date_of_birth")
        if born is None:
            typed = birth_date_input(N_("Your date of birth"), "save-dob")
            born = typed.isoformat() if typed else None
        email = _email_choice(draft)
        if st.button(t("Save my answers"), icon=":material/save:"):
            _save(draft, step, born, email)


def _email_choice(draft: Draft) -> str | None:
    """Only when the patient asks: the code by email too, to the address they gave (or type here)."""
    if not mail_on(get_settings()):
        return None
    if not st.checkbox(t("Email me the code as well"), key=EMAIL_CODE):
        return None
    st.session_state.setdefault(EMAIL_TO, draft.get("contact", {}).get("email") or "")
    return st.text_input(t("Email address"), key=EMAIL_TO, max_chars=320, autocomplete="email").strip()


def _save(draft: Draft, step: Step, born: str | None, email: str | None) -> None:
    if born is None:
        st.error(t("Please enter your date of birth, so only you can open your saved answers."))
        return
    if email == "":
        st.error(t("Please type your email address, or untick Email me the code."), icon=":material/error:")
        return
    draft.setdefault("about", {})["date_of_birth"] = born
    earlier = st.session_state.get(CODE)
    try:
        saved = intake.save_draft(
            resources.database(),
            draft,
            step.key,
            date.fromisoformat(born),
            code=earlier,
            email_to=email,
            language=language.current(),
        )
    except intake.NotAnAddress:
        st.error(t("Please check the email address, or untick Email me the code."), icon=":material/error:")
        return
    except StorageError:
        st.error(t(SAVE_FAILED), icon=":material/error:")
        return
    st.session_state[CODE] = saved.code
    saved_again = N_(
        "Saved again. Your code is the same as before: write it down or take a photo. With your date of birth "
        "it brings your answers back until {until}."
    )
    saved_first = N_(
        "Saved. Here is your code: write it down or take a photo. With your date of birth it brings your "
        "answers back until {until}."
    )
    st.success(
        t(saved_again if earlier else saved_first).format(until=day_and_month(saved.expires_at, language.current())),
        icon=":material/check_circle:",
    )
    st.code(saved.code, language=None)
    if saved.emailed:
        st.info(t("We are emailing this code to you. It can take a few minutes; please check your spam folder too."))
    elif email:
        st.warning(
            t(
                "We could not email the code again today: it has been sent several times already. "
                "Please keep the code shown here."
            )
        )


RESUME_FAILED = N_(
    "We could not find saved answers for this code and date of birth. Please check both. Saved answers are "
    "kept for a limited time only. To protect them, after {tries} wrong tries they can only "
    "be opened again by the clinic: then please call the clinic."
)
RESUME_LOCKED = N_(
    "Your saved answers are locked, because a wrong date of birth was given too many times. To protect them, "
    "only the clinic can unlock them: please call the clinic and tell them your code. Or start the questions again."
)
RESUME_ERASED = N_(
    "The clinic no longer holds the answers saved with this code: they were deleted at your request. "
    "If you still want the clinic's help, please start the questions again."
)
RESUME_TOO_MANY = N_(
    "There have been too many tries from this browser, so you cannot try again here. Please call the clinic, "
    "or start the questions again."
)


def _resume() -> None:
    st.write(t("Enter the code you were given and your date of birth."))
    code = st.text_input(t("Your code"), key="resume-code", max_chars=24, placeholder="XXXX-XXXX-XXXX-XXXX")
    born = birth_date_input(N_("Your date of birth"), "resume-dob")
    if not st.button(t("Continue")):
        return
    found = None
    if code.strip() and born is not None:
        try:
            found = intake.resume_draft(resources.database(), code, born, browser=browser_key())
        except StorageError:
            st.error(t(UNAVAILABLE), icon=":material/error:")
            return
        except intake.DraftLocked:
            st.error(t(RESUME_LOCKED), icon=":material/lock:")
            return
        except intake.DraftErased:
            st.info(t(RESUME_ERASED), icon=":material/delete:")
            return
        except intake.TooManyTries:
            st.error(t(RESUME_TOO_MANY), icon=":material/error:")
            return
    if found is None:
        st.error(t(RESUME_FAILED).format(tries=intake.TRIES_PER_CODE), icon=":material/error:")
        return
    st.session_state[DRAFT] = found.answers
    language.use(found.language)
    st.session_state[CODE] = intake.normalise_code(code)
    go_to(STEP_BY_KEY.get(found.step, WELCOME))
