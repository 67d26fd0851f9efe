"""Patients for the wizard tests, and a driver that answers the wizard through its widgets (AppTest).

A patient is a draft: the ``Submission`` shape, as the wizard keeps it. Each pathway's
patient starts from the rule set's typical patient, so the stored triage is known.
"""

import copy
import re
import sqlite3
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from screening.answers import PATHWAY_OF, RED_FLAGS_ASKED
from screening.choices import Reason
from screening.i18n import ENGLISH, translate
from screening.loader import load_ruleset
from screening.staff import StaffSession
from screening.ui import auth
from screening.ui.draft import ACUTE_KINDS, STEP_BY_KEY, Step, acute_kinds, kinds_path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FORBIDDEN = ("eligible", "approved", "candidate", "triage", "needs review", "not suitable", "unlikely", "needs_review")
"""Words a patient must never see. "urgent" is not here: the red-flag message says "urgent medical help"."""

HEADACHE_PATHWAY_SECTIONS = ("headache", "treatments")
OTHER_PATHWAYS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "cervical_dystonia": (
        {},
        {"dystonia": {"diagnosed_by_neurologist": "yes", "head_turning": "yes", "neck_pain": "no"}},
    ),
    "limb_spasticity": (
        {"spasticity_cause": "stroke"},
        {"spasticity": {"limbs": ["left_arm", "left_leg"], "goals": ["pain"], "current_therapy": "yes"}},
    ),
    "facial_pain": ({}, {"facial_pain": {"diagnosis": "trigeminal_neuralgia", "seen_specialist": "yes"}}),
    "not_sure": ({}, {}),
}


@cache
def _case_defaults() -> dict[str, Any]:
    return load_ruleset(ROOT / "rules").case_defaults


def typical_patient() -> dict[str, Any]:
    """The rule set's typical chronic-migraine patient, with a date of birth as the wizard asks it."""
    answers = copy.deepcopy(_case_defaults())
    answers["about"].pop("age")
    answers["about"]["date_of_birth"] = "1985-04-12"
    answers["headache"]["hours_per_day"] = 8.0
    for kind in ACUTE_KINDS:
        answers["headache"].setdefault(kind, 0)  # not ticked, as the wizard keeps it
    return answers


def patient_for(reason: str) -> dict[str, Any]:
    answers = typical_patient()
    answers["seeking"] = {"reason": reason}
    if reason in ("chronic_migraine", "other_headache"):
        return answers
    extra_seeking, sections = OTHER_PATHWAYS[reason]
    answers["seeking"] |= extra_seeking
    for name in HEADACHE_PATHWAY_SECTIONS:
        answers.pop(name)
    asked = RED_FLAGS_ASKED[PATHWAY_OF[Reason(reason)]]
    answers["red_flags"] = {name: value for name, value in answers["red_flags"].items() if name in asked}
    return answers | copy.deepcopy(sections)


# --- driving the app ------------------------------------------------------------------------------

KINDS = ("radio", "selectbox", "number_input", "text_input", "date_input", "multiselect", "checkbox")


def start(timeout: float = 30, language: str = ENGLISH) -> AppTest:
    """The app's first page; in another language, chosen with the page's own switch (English / Español)."""
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    if language != ENGLISH:
        at.segmented_control(key="language_switch").set_value(language)
        at.run()
    return at


def language_of(at: AppTest) -> str:
    try:
        return at.session_state["language"]
    except KeyError:  # the patient never chose: English
        return ENGLISH


def said(at: AppTest, english: str) -> str:
    """English patient text as this page shows it, in the patient's language."""
    return translate(english, language_of(at))


def widget(at: AppTest, key: str) -> Any:
    for kind in KINDS:
        try:
            return getattr(at, kind)(key=key)
        except KeyError:
            continue
    raise KeyError(f"no widget with key {key!r} on this page")


def answer(at: AppTest, path: str, value: Any) -> AppTest:
    """Give one answer as a patient would (None on a number means ticking "Not sure"), then rerun."""
    box = widget(at, "w:" + path)
    if value is None:
        at.checkbox(key=f"w:{path}:unsure").check()
    elif box.type == "date_input":
        box.set_value(date.fromisoformat(value))
    elif box.type == "checkbox":
        box.check() if value else box.uncheck()
    elif box.type == "text_input":
        box.input(value)
    else:
        box.set_value(value)
    return at.run()


def button(at: AppTest, label: str, key: str | None = None) -> Any:
    """A button by its English label (shown in the page's language)."""
    return next(b for b in at.button if b.label == said(at, label) and key in (None, b.key))


def shown_alerts(alerts: Any) -> list[str]:
    """Alert texts as a reader sees them: stored text in an alert is Markdown-escaped (``literal``)."""
    return [re.sub(r"\\(.)", r"\1", alert.value) for alert in alerts]


def click(at: AppTest, label: str, key: str | None = None) -> AppTest:
    button(at, label, key).click()
    return at.run()


def header(at: AppTest) -> str:
    """The page's title (its one h1): the step's title, or "Thank you", in English whatever the page's language."""
    shown = at.title[0].value
    english = {said(at, title): title for title in (*(s.title for s in STEP_BY_KEY.values()), "Thank you")}
    return english.get(shown, shown)


def kinds_ticked(headache: dict[str, Any]) -> list[str]:
    """The attack medicines a patient ticks for these answers: those with days; none ticked means None of these."""
    return acute_kinds(headache) or []


def tick(at: AppTest, path: str) -> AppTest:
    at.checkbox(key=f"w:{path}:ticked").check()
    return at.run()


def step_answers(answers: dict[str, Any], step: Step) -> list[tuple[str, str, Any]]:
    """(section, field, answer) for each of the step's questions this patient answers, in page order."""
    return [
        (section, field, answers[section][field]) for section, field in step.fields if field in answers.get(section, {})
    ]


def fill_step(at: AppTest, answers: dict[str, Any], step: Step) -> AppTest:
    for section, field, value in step_answers(answers, step):
        if field == "preventives":
            for index, item in enumerate(value):
                click(at, "Add a medicine")
                for name, given in item.items():
                    answer(at, f"treatments.preventives.{index}.{name}", given)
        elif field in ACUTE_KINDS:
            if value != 0:  # ticked; None is "Not sure" of its days
                tick(at, f"{section}.{field}")
                answer(at, f"{section}.{field}", value)
        else:
            answer(at, f"{section}.{field}", value)
        if field == "acute_days" and value != 0 and not kinds_ticked(answers[section]):
            tick(at, kinds_path(section))
    return at


def go_to_step(at: AppTest, answers: dict[str, Any], key: str) -> AppTest:
    """Answer the steps before ``key`` and stop there."""
    while header(at) != STEP_BY_KEY[key].title:
        step = next(s for s in STEP_BY_KEY.values() if s.title == header(at))
        fill_step(at, answers, step)
        click(at, "Start" if step.key == "welcome" else "Next")
    return at


def page_text(at: AppTest) -> str:
    """Everything the page would show, labels and options included (the elements' messages as text)."""
    return "\n".join(str(node.proto) for node in _walk(at.main) if hasattr(node, "proto"))


def _walk(node: Any) -> list[Any]:
    children = getattr(node, "children", {})
    return [node, *(leaf for child in children.values() for leaf in _walk(child))]


def walk_to_review(at: AppTest, answers: dict[str, Any], seen: list[str] | None = None) -> AppTest:
    """Answer every step this patient is shown and press Next, keeping each page's text in ``seen``."""
    while header(at) != "Check your answers":
        step = next(s for s in STEP_BY_KEY.values() if s.title == header(at))
        fill_step(at, answers, step)
        if seen is not None:
            seen.append(page_text(at))
        click(at, "Start" if step.key == "welcome" else "Next")
        assert not at.exception, at.exception
        assert header(at) != step.title, f"stuck on {step.title}: {[e.value for e in at.error]}"
    return at


def stored_triage(data_dir: Path, reference: str) -> str:
    with sqlite3.connect(data_dir / "screening.db") as db:
        (triage,) = db.execute("SELECT triage FROM submissions WHERE reference = ?", (reference,)).fetchone()
    return triage


def box_after(at: AppTest, key: str, kinds: tuple[str, ...] = ("error",)) -> str | None:
    """The first message box of ``kinds`` after the widget ``key`` and before the next question (next to it)."""
    nodes = [n for n in _flat(at.main) if getattr(n, "type", "") not in ("", "caption")]
    index = next(i for i, n in enumerate(nodes) if getattr(n, "key", None) == key)
    for node in nodes[index + 1 :]:
        if node.type in kinds:
            return node.value
        if getattr(node, "key", None) and not node.key.endswith(":unsure"):
            return None
    return None


def error_after(at: AppTest, key: str) -> str | None:
    return box_after(at, key)


def _flat(node: Any) -> list[Any]:
    children = getattr(node, "children", {})
    return [node, *(leaf for child in children.values() for leaf in _flat(child))]


def staff_page(path: str, session: StaffSession | None, **state: Any) -> AppTest:
    at = start()
    if session is not None:
        at.session_state[auth.SESSION_KEY] = session.token
    for key, value in state.items():
        at.session_state[key] = value
    return at.switch_page(path).run()
