"""A patient completing the wizard in a real browser, found by what a person sees: labels and button names.

Reusable by any browser test: ``complete_patient_flow(page, url, answers)`` answers every
step for a draft-shaped ``answers`` (as in tests/wizard_support.py) and returns the
reference code; ``on_step`` is called on each filled step (e.g. to run an accessibility check).
"""

import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date
from typing import Any

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from wizard_support import kinds_ticked, step_answers

from screening.answers import PreventiveTried, red_flag_label
from screening.catalogue import OTHER_DRUG, drug_label
from screening.choices import label
from screening.i18n import ENGLISH, LANGUAGES, translate
from screening.ui.draft import (
    ACUTE_KINDS,
    NONE_OF_THESE,
    STEP_BY_KEY,
    kind_label,
    pathway_of,
    section_model,
)

TIMEOUT_MS = 20_000
LANGUAGE: ContextVar[str] = ContextVar("patient_language", default=ENGLISH)
"""The language the patient chose: every label below is looked for in it."""


def said(english: str) -> str:
    """English patient text as the page shows it in the patient's language."""
    return translate(english, LANGUAGE.get())
IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.dataset.testScriptState !== 'running'
        && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]');
}"""


STEP_READY = """(old) => {
    const title = document.querySelector('h1');
    const app = document.querySelector('[data-testid="stApp"]');
    const ready = title && title.innerText !== old && app && app.dataset.testScriptState !== 'running'
        && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]');
    if (ready && window.botoxReadyAt === null) { window.botoxReadyAt = performance.now(); }
    return ready;
}"""
"""A new step is ready when its title is shown and the rerun that drew it has finished (nothing stale left);
the page's own clock notes when that was first seen (checked every frame)."""
TAP_CLOCK = """() => {
    window.botoxTapAt = null;
    window.botoxReadyAt = null;
    if (!window.botoxTapClock) {
        window.botoxTapClock = true;
        document.addEventListener('pointerdown', () => { window.botoxTapAt = performance.now(); }, true);
    }
}"""
"""The page's own clock from the finger touching Next: the driver's click first scrolls the button into view and
waits for it to stand still (tens of ms a patient's tap does not have), so the in-page figure is the patient's."""


def settle(page: Page) -> None:
    """Wait for Streamlit's rerun to finish: while it runs, old elements are marked stale."""
    page.wait_for_timeout(150)
    page.wait_for_function(IDLE, timeout=TIMEOUT_MS)


def _container(scope: Locator | Page, inner: Locator) -> Locator:
    return scope.locator("[data-testid=stElementContainer]").filter(has=inner).last


def choose(scope: Locator | Page, page: Page, title: str, shown: str) -> None:
    widget = scope.get_by_label(title, exact=True).first
    if widget.get_attribute("role") == "radiogroup":
        widget.get_by_text(shown, exact=True).click()
    else:
        pick(page, widget, shown)
    settle(page)


def pick(page: Page, combo: Locator, shown: str) -> None:
    """Open a drop-down list and choose; a rerun finishing at that moment can close the list, so try again."""
    for _ in range(3):
        combo.click()
        option = page.get_by_role("option", name=shown, exact=True)
        try:
            option.click(timeout=3000)
            return
        except PlaywrightTimeout:
            settle(page)
    raise AssertionError(f"could not choose {shown!r}")


def fill(scope: Locator | Page, page: Page, title: str, value: Any) -> None:
    """Give one answer the way a person would; ``None`` on a number ticks its "Not sure" box."""
    widget = scope.get_by_label(title, exact=True).first
    role = widget.get_attribute("role")
    if role in ("radiogroup", "combobox") and not isinstance(value, list):
        choose(scope, page, title, said(label(value)))
        return
    if isinstance(value, bool):
        if widget.is_checked() != value:
            _container(scope, widget).locator("label").first.click()
    elif isinstance(value, list):
        for item in value:
            pick(page, widget, said(label(item)))
        page.keyboard.press("Escape")
    elif role == "group":  # a date: month, day and year boxes
        widget.get_by_role("spinbutton").first.click()
        page.keyboard.type(date.fromisoformat(value).strftime("%m%d%Y"))
        page.keyboard.press("Escape")  # close the calendar, which would otherwise cover the next question
        page.keyboard.press("Tab")
    elif value is None:
        _container(scope, widget).locator("xpath=following-sibling::div[1]").get_by_text(said("Not sure")).click()
    else:
        widget.fill(value if isinstance(value, str) else f"{value:g}")
        widget.press("Tab")
    settle(page)


def add_preventive(page: Page, index: int, item: dict[str, Any]) -> None:
    page.get_by_role("button", name=said("Add a medicine")).click()
    settle(page)
    number = said("Medicine {number}").format(number=index + 1)
    card = page.locator("[data-testid=stVerticalBlock]").filter(has=page.get_by_text(number)).last
    titles = {name: said(info.title or name) for name, info in PreventiveTried.model_fields.items()}
    drug = item["drug"]
    choose(card, page, titles["drug"], said("Other (not on the list)" if drug == OTHER_DRUG else drug_label(drug)))
    for name, value in item.items():
        if name != "drug":
            fill(card, page, titles[name], value)


def heading(page: Page) -> str:
    return page.locator("h1").first.inner_text()


def tick_attack_medicines(page: Page, headache: dict[str, Any], section: str = "headache") -> None:
    """Tick each attack medicine taken (or None of these) and type its days in the box that appears under it."""
    for kind in kinds_ticked(headache) or [None]:
        fill(page, page, kind_label(kind, LANGUAGE.get()) if kind else said(NONE_OF_THESE), True)
        if kind:
            fill(page, page, said(section_model(section).model_fields[kind].title or kind), headache[kind])


def fill_step(page: Page, answers: dict[str, Any], step_key: str) -> None:
    for section, field, value in step_answers(answers, STEP_BY_KEY[step_key]):
        if field == "preventives":
            for index, item in enumerate(value):
                add_preventive(page, index, item)
        elif section == "red_flags":  # worded for the patient's pathway
            fill(page, page, said(red_flag_label(field, pathway_of(answers))), value)
        elif field not in ACUTE_KINDS:
            fill(page, page, said(section_model(section).model_fields[field].title or field), value)
        if field == "acute_days" and value != 0:
            tick_attack_medicines(page, answers[section], section)


def complete_patient_flow(
    page: Page,
    url: str,
    answers: dict[str, Any],
    on_step: Callable[[Page, str], None] | None = None,
    timings: dict[str, float] | None = None,
    language: str = ENGLISH,
) -> str:
    """From the welcome page to the confirmation; returns the reference code shown.

    ``timings`` (if given) receives the seconds from pressing "Send my answers" to the thank-you page
    (``submit``) and from each tap on Next to the next step being ready (``next``, a list, by the page's clock
    from the tap; ``next_driver``, by the driver's from calling click). ``language``:
    the patient first chooses it on the welcome page (English / Español) and reads every page in it.
    """
    chosen = LANGUAGE.set(language)
    try:
        return _complete(page, url, answers, on_step, timings)
    finally:
        LANGUAGE.reset(chosen)


def _complete(
    page: Page,
    url: str,
    answers: dict[str, Any],
    on_step: Callable[[Page, str], None] | None,
    timings: dict[str, float] | None,
) -> str:
    page.goto(url)
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible(timeout=TIMEOUT_MS)
    settle(page)
    if LANGUAGE.get() != ENGLISH:
        page.get_by_role("radio", name=LANGUAGES[LANGUAGE.get()], exact=True).click()
        expect(page.get_by_role("heading", name=said("Welcome"))).to_be_visible(timeout=TIMEOUT_MS)
        settle(page)
    return finish_steps(page, answers, on_step, timings)


def finish_steps(
    page: Page,
    answers: dict[str, Any],
    on_step: Callable[[Page, str], None] | None = None,
    timings: dict[str, float] | None = None,
) -> str:
    """From the step shown now to the confirmation (a return visit starts after linking); the reference code.
    Every title and button is read in ``LANGUAGE``'s language."""
    titles = {said(step.title): step for step in STEP_BY_KEY.values()}
    while (title := heading(page)) != said("Check your answers"):
        step = titles[title]
        fill_step(page, answers, step.key)
        if on_step:
            on_step(page, step.key)
        page.evaluate(TAP_CLOCK)
        tapped = time.perf_counter()
        page.get_by_role("button", name=said("Start" if step.key == "welcome" else "Next"), exact=True).click()
        page.wait_for_function(STEP_READY, arg=title, timeout=TIMEOUT_MS, polling="raf")
        if timings is not None and step.key != "welcome":
            timings.setdefault("next_driver", []).append(time.perf_counter() - tapped)
            in_page = page.evaluate("() => (window.botoxReadyAt - window.botoxTapAt) / 1000")
            timings.setdefault("next", []).append(in_page)
        settle(page)
    if on_step:
        on_step(page, "review")
    sent = time.perf_counter()
    page.get_by_role("button", name=said("Send my answers")).click()
    expect(page.get_by_role("heading", name=said("Thank you"))).to_be_visible(timeout=TIMEOUT_MS)
    if timings is not None:
        timings["submit"] = time.perf_counter() - sent
    settle(page)
    if on_step:
        on_step(page, "confirmation")
    return page.get_by_test_id("stCode").first.inner_text().strip()
