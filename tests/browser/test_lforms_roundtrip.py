"""Our FHIR Questionnaires in a real form filler: NLM's LHC-Forms (R5 build) in Chromium, no code of ours in the form.

For each case the test fills the rendered form as a person would (typing into LHC-Forms'
own inputs), checks that the questions shown are exactly those our wizard asks for
these answers (the same branching rule), exports the response with LHC-Forms' own
``getFormFHIRData``, reads it back with our reader, and gets the same submission,
triage and flags as the same answers sent through the wizard's path (``check_all``).

The return visit's Questionnaire is filled the same way, after LHC-Forms has merged in what
the clinic's records give the visit (the hidden ``seeking`` and ``linked`` items, as a
response of their own: ``mergeFHIRDataIntoLForms``), as a form filler at the clinic would.
"""

import copy
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from lforms_support import serving
from playwright.sync_api import Page
from wizard_support import typical_patient

from screening.branching import asked, section_asked
from screening.engine import screen
from screening.exports import fhir
from screening.loader import load_ruleset
from screening.returns.answers import ReturnVisit
from screening.ui.draft import check_all

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
DESKTOP = {"width": 1366, "height": 900}
EXPORT = "() => LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R5', document.getElementById('form'))"
PREVENTIVES = fhir.PREVENTIVES


def chronic_migraine() -> dict[str, Any]:
    """The rule set's typical chronic-migraine patient, as the wizard keeps the answers."""
    answers = typical_patient()
    answers["contact"] |= {"name": "Zoë Núñez", "preferred_times": ["morning", "evening"]}
    return answers


def branching() -> dict[str, Any]:
    """Answers that take the other branch of most questions: male (no pregnancy questions), an earlier injection
    (its follow-up questions), an unlisted medicine (its name and kind), a nerve-muscle disease (which one),
    no attack medicine (no day counts), email only (no phone)."""
    answers = typical_patient()
    answers["about"] = {"date_of_birth": "1961-07-30", "sex": "male"}
    answers["headache"] = {
        "headache_days": 18,
        "migraine_days": 9,
        "hours_per_day": 4.5,
        "pattern_months": 7,
        "acute_days": 0,
    }
    answers["treatments"]["preventives"].append(
        {"drug": "other", "other_name": "Melatonin", "other_class": "other", "weeks": None, "outcome": "did_not_help"}
    )
    answers["toxin"] = {
        "prior_toxin": "yes",
        "weeks_since_last": 10,
        "toxin_outcome": "helped",
        "weeks_of_benefit": None,
    }
    answers["safety"] |= {"neuromuscular": "yes", "neuromuscular_kind": "myasthenia_gravis"}
    answers["contact"] = {
        "name": "Wang Fang 王芳",
        "preferred_method": "email",
        "email": "fang@example.org",
        "preferred_times": ["afternoon"],
        "consent_contact": True,
        "privacy_ack": True,
    }
    return answers


def return_migraine() -> dict[str, Any]:
    """The rule set's typical return visit on the headache pathway, with an effect since the last injection."""
    answers = ReturnVisit.model_validate(load_ruleset(ROOT / "rules").return_case_defaults).model_dump(mode="json")
    answers["effects"]["neck_pain"] = "yes"
    return {section: part for section, part in answers.items() if part is not None}


def return_dystonia() -> dict[str, Any]:
    """A return visit on the dystonia pathway (its own questions; no headache numbers), no attack medicine asked."""
    answers = return_migraine()
    del answers["migraine_now"]
    answers["seeking"] = {"reason": "cervical_dystonia", "spasticity_cause": None}
    answers["linked"]["baseline_headache_days"] = None
    answers["dystonia_now"] = {"weeks_of_benefit": 9, "wearing_off_sooner": "yes"}
    answers["spread"]["double_vision"] = "not_sure"
    return answers


CASES = {
    "chronic-migraine": chronic_migraine,
    "branching": branching,
    "return-migraine": return_migraine,
    "return-dystonia": return_dystonia,
}


@pytest.fixture(scope="module")
def form_url(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("lforms")) as url:
        yield url


@pytest.fixture
def desktop(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], "LHC-Forms raised in the page"


def questions(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        if item["type"] != "display":
            yield item
            yield from questions(item.get("item", []))


def expected_shown(answers: dict[str, Any]) -> set[str]:
    """Every question our wizard asks for these answers, as LHC-Forms ids (``linkId/1/1``, item ``n`` of a list)."""
    shown = set()
    form = fhir.form_of(answers)
    for section, group in ((g["linkId"], g) for g in fhir.questionnaire(form)["item"]):
        if not section_asked(answers, section):
            continue
        scope = answers.get(section, {})
        for item in group["item"]:
            name = item["linkId"].rpartition(".")[2]
            if item["type"] == "display" or (section, name) in form.not_asked or not asked(scope, (section, name)):
                continue
            if item["type"] != "group":
                shown.add(f"{item['linkId']}/1/1")
                continue
            for n, entry in enumerate(scope.get(name) or [{}], start=1):
                shown |= {
                    f"{child['linkId']}/1/{n}/1"
                    for child in item["item"]
                    if child["type"] != "display" and asked(entry, (PREVENTIVES, child["linkId"].rpartition(".")[2]))
                }
    return shown


def shown_in_form(page: Page, form: fhir.Form) -> set[str]:
    """The questions LHC-Forms shows now: its inputs' ids (a date box and yes/no radios are named otherwise)."""
    found = page.evaluate(
        """() => [...document.querySelectorAll('#form input')].map(e =>
              e.id || (e.name || '').replace('radiogroup_', '') || 'label:' + e.getAttribute('aria-label'))"""
    )
    titles = {item["text"]: item["linkId"] for item in questions(fhir.questionnaire(form)["item"])}
    return {
        f"{titles[key.removeprefix('label:')]}/1/1" if key.startswith("label:") else key
        for key in found
        if not key.startswith("unit_")
    }


def choose(page: Page, box_id: str, display: str) -> None:
    """An LHC-Forms list: type the label's first word (a long list shows only its first options), then click the
    option whose text is exactly the label."""
    box = page.locator(f'[id="{box_id}"]')
    box.click()
    box.press_sequentially(re.split(r"[^\w-]", display)[0])
    options = page.locator("#lhc-tools-searchResults li")
    options.filter(has_text=re.compile(rf"^\s*(\d+:)?\s*{re.escape(display)}\s*$")).first.click()  # "2: Male"


def fill(page: Page, item: dict[str, Any], box_id: str, value: Any) -> None:
    box = page.locator(f'[id="{box_id}"]')
    if item["type"] == "coding":
        labels = {o["valueCoding"]["code"]: o["valueCoding"]["display"] for o in item["answerOption"]}
        for code in value if isinstance(value, list) else [value]:
            choose(page, box_id, labels[code])
        page.keyboard.press("Escape")
    elif item["type"] == "boolean":
        radios = page.locator(f'input[name="radiogroup_{box_id}"]')
        radios.nth(0 if value else 1).click()  # Yes, No, Not answered (ant-design radios: click, not check)
    elif item["type"] == "date":
        box = page.get_by_label(item["text"], exact=True)
        box.click()
        box.fill(date.fromisoformat(value).strftime("%m/%d/%Y"))
        box.press("Enter")  # the date picker takes a typed date on Enter
    else:
        box.fill(f"{value:g}" if isinstance(value, float) else str(value))
        box.press("Tab")


def fill_form(page: Page, answers: dict[str, Any], form: fhir.Form) -> None:
    """Every answer into its question, in the form's order (so a question appears before it is filled)."""
    for group in fhir.questionnaire(form)["item"]:
        scope = answers.get(group["linkId"])
        if not isinstance(scope, dict):
            continue
        for item in group["item"]:
            name = item["linkId"].rpartition(".")[2]
            value = scope.get(name)
            hidden = (group["linkId"], name) in form.not_asked
            if item["type"] == "display" or value is None or value == [] or hidden:
                continue
            if item["type"] != "group":
                fill(page, item, f"{item['linkId']}/1/1", value)
                continue
            for n, entry in enumerate(value, start=1):
                if n > 1:
                    page.locator(f'[id^="add-{item["linkId"]}/1/"]').last.click()  # "Add another", after the last
                for child in item["item"]:
                    inner = entry.get(child["linkId"].rpartition(".")[2])
                    if child["type"] != "display" and inner is not None:
                        fill(page, child, f"{child['linkId']}/1/{n}/1", inner)


SHOW = """([q, records]) => LForms.Util.addFormToPage(
    records ? LForms.Util.mergeFHIRDataIntoLForms(
        'QuestionnaireResponse', records, LForms.Util.convertFHIRQuestionnaireToLForms(q, 'R5'), 'R5') : q,
    'form', {fhirVersion: 'R5'})"""
"""The Questionnaire on the page; a return visit's with the clinic's records merged in first."""


def records_of(answers: dict[str, Any], form: fhir.Form) -> dict[str, Any] | None:
    """What the clinic's records give a return visit (its hidden sections), as a response LHC-Forms merges in."""
    if form is fhir.FIRST:
        return None
    given = {section: answers[section] for section, _ in form.not_asked}
    return fhir.response(given, reference="BT-0000-0000", authored=datetime.now(UTC))


@pytest.mark.parametrize("case", list(CASES))
def test_lhc_forms_fills_our_questionnaire_and_round_trips_to_the_same_triage(desktop: Page, form_url: str, case):
    answers = CASES[case]()
    form = fhir.form_of(answers)
    ruleset = load_ruleset(ROOT / "rules")
    via_wizard, errors = check_all(copy.deepcopy(answers))
    assert errors == {}, errors

    desktop.goto(form_url)
    desktop.wait_for_function("() => !!(window.LForms && LForms.FHIR && LForms.FHIR.R5)")
    desktop.evaluate(SHOW, [fhir.questionnaire(form), records_of(answers, form)])
    desktop.wait_for_selector('[id="plans.wants_continue/1/1"]' if form is fhir.RETURN else '[id="seeking.reason/1/1"]')
    fill_form(desktop, answers, form)
    assert shown_in_form(desktop, form) == expected_shown(answers)
    ARTIFACTS.mkdir(exist_ok=True)
    desktop.screenshot(path=ARTIFACTS / f"lforms-{case}.png", full_page=True)

    response = desktop.evaluate(EXPORT)
    assert response["questionnaire"] == f"{form.url}|{fhir.questionnaire(form)['version']}"
    via_form = fhir.read_response(response)
    submission = form.model.model_validate(via_form)
    assert submission == via_wizard
    ours, theirs = screen(via_wizard, ruleset), screen(submission, ruleset)
    assert theirs.triage == ours.triage
    assert [f.id for f in theirs.flags] == [f.id for f in ours.flags]
    expected = {"branching": "RT-INTERVAL", "return-migraine": "RV-CONTINUE-MET", "return-dystonia": "RV-SPREAD-UNSURE"}
    if case in expected:
        assert expected[case] in [f.id for f in theirs.flags]
