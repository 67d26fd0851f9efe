"""A return visit's consultation summary (PDF): the patient from the first screening, the course of treatment, the
response against baseline as the return rules compute it, effects since, the wish to continue, the triage and every
flag; one Letter page for a typical return, each page kept as PNG under tests/artifacts/ for a person to look at."""

import copy
import io
from typing import Any

import pytest
from pypdf import PdfReader
from test_summary_pdf import (
    ARTIFACTS,
    CLINIC,
    LETTER,
    MARGIN,
    PRINTED,
    RECEIVED,
    png_pages,
    squash,
    typical_answers,
    words_on_pages,
)

from screening.answers import Submission, section_model
from screening.choices import YesNoUnsure, label
from screening.engine import screen
from screening.exports.pdf import SummaryInput, summary_pdf
from screening.returns.answers import Course, Effects, Plans, ReturnVisit, Spread
from screening.returns.derived import response_percent
from screening.triage import TRIAGE_LABELS, Triage

FIRST_REFERENCE = "BT-4F2K-8HQD"


def typical_return(ruleset) -> dict[str, Any]:
    answers = copy.deepcopy(ruleset.return_case_defaults)
    answers["linked"]["first_reference"] = FIRST_REFERENCE
    answers["effects"]["neck_pain"] = "yes"
    return answers


def busy_return(ruleset) -> dict[str, Any]:
    answers = typical_return(ruleset)
    answers["effects"] |= dict.fromkeys(Effects.model_fields, "yes") | {"allergic_reaction": "not_sure"}
    answers["spread"] |= dict.fromkeys(Spread.model_fields, "not_sure")
    answers["course"] |= {"cycles": None, "last_outcome": "wore_off"}
    answers["migraine_now"] |= {"acute_days": 14, "days_opioid": 4, "days_simple_analgesic": None}
    answers["plans"]["wants_continue"] = "not_sure"
    return answers


def spasticity_return(ruleset) -> dict[str, Any]:
    answers = typical_return(ruleset)
    answers["seeking"] = {"reason": "limb_spasticity", "spasticity_cause": "stroke"}
    answers["spasticity_now"] = {"goals_met": "partly", "walking": "better", "hygiene": "same", "pain": "worse"}
    return answers


CASES = {"typical": typical_return, "busy": busy_return, "spasticity": spasticity_return}


def render(ruleset, case: str) -> tuple[bytes, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The return visit's summary as the export service makes it: its answers, and the first screening's."""
    first = Submission.model_validate(typical_answers(ruleset)).model_dump(mode="json")
    visit = ReturnVisit.model_validate(CASES[case](ruleset))
    result = screen(visit, ruleset).to_dict()
    stored = visit.model_dump(mode="json")
    pdf = summary_pdf(SummaryInput("BT-7K3M-Q9PZ", RECEIVED, stored, result, "Ivy Intake", PRINTED, CLINIC, first))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"summary-return-{case}.pdf").write_bytes(pdf)
    return pdf, first, stored, result


def required_items(first: dict[str, Any], stored: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """What the return consultation needs, read from the answers and the result (not from the page's code)."""
    contact, course, linked = first["contact"], stored["course"], stored["linked"]
    injected = course["last_injection"]
    items = [
        contact["name"],
        "04/12/1985",
        contact["phone"] or "",
        contact["email"] or "",
        label(stored["seeking"]["reason"]),
        linked["first_reference"],
        "BT-7K3M-Q9PZ",
        "answered 2026-11-03",
        f"{injected[5:7]}/{injected[8:10]}/{injected[:4]}",
        label(course["last_outcome"]),
        Course.model_fields["last_outcome"].title,
        Plans.model_fields["wants_continue"].title,
        label(stored["plans"]["wants_continue"]),
        result["ruleset"]["version"],
        result["ruleset"]["hash"],
        TRIAGE_LABELS[Triage(result["triage"])],
    ]
    now = stored["migraine_now"]
    if now:
        percent = response_percent(linked["baseline_headache_days"], now["headache_days"])
        items += ["Response against baseline", f"{percent:g} %", str(linked["baseline_headache_days"])]
    for section in ("dystonia_now", "spasticity_now"):
        for field, value in (stored[section] or {}).items():
            items += [section_model(section, ReturnVisit).model_fields[field].title, label(value)]
    for section, model in (("spread", Spread), ("effects", Effects)):
        for field, value in stored[section].items():
            if value in (YesNoUnsure.yes, YesNoUnsure.not_sure):
                items.append(model.model_fields[field].title)
    for flag in result["flags"]:
        items += [flag["title"], flag["reason"], flag["source"], flag["id"]]
    return [item for item in items if item]


@pytest.mark.parametrize("case", list(CASES))
def test_every_required_item_of_a_return_visit_is_on_the_page(ruleset, case):
    pdf, first, stored, result = render(ruleset, case)
    reader = PdfReader(io.BytesIO(pdf))
    text = squash("".join(page.extract_text() for page in reader.pages))
    missing = [item for item in required_items(first, stored, result) if squash(item) not in text]
    assert missing == []
    assert len(result["flags"]) >= (5 if case == "busy" else 1)
    if case != "busy":
        assert len(reader.pages) == 1, "a typical return visit fits one page"
    assert ("Responseagainstbaseline" in text) is (case != "spasticity"), "headache numbers on its pathway only"
    assert squash(f"{first['contact']['name']} · born 04/12/1985 · reference BT-7K3M-Q9PZ · page 1 of") in text
    first_page = squash(reader.pages[0].extract_text())
    for flag in result["flags"]:  # what the clinician must not miss is on page 1, however long the rest
        assert squash(flag["id"]) in first_page and squash(flag["reason"]) in first_page


def test_the_response_is_the_rules_percentage_and_weeks_run_to_the_day_answered(ruleset):
    pdf, _, _, result = render(ruleset, "typical")
    text = squash(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert squash("Headache days a month at the first screening (baseline)20") in text
    assert squash("Response: (baseline - now) / baseline60 %") in text  # (20 - 8) / 20
    assert squash("Weeks from the last injection to these answers (12/01/2026)13 weeks") in text
    assert any(flag["id"] == "RV-CONTINUE-MET" and "60 %" in flag["reason"] for flag in result["flags"])


@pytest.mark.parametrize("case", list(CASES))
def test_the_return_summary_renders_to_png_inside_the_margins_of_a_letter_page(ruleset, case):
    pdf, _, _, _ = render(ruleset, case)
    assert {tuple(round(v) for v in page.mediabox[2:]) for page in PdfReader(io.BytesIO(pdf)).pages} == {LETTER}
    assert len(png_pages(f"summary-return-{case}")) == len(PdfReader(io.BytesIO(pdf)).pages)
    outside = [
        text
        for width, height, x0, y0, x1, y1, text in words_on_pages(f"summary-return-{case}")
        if x0 < MARGIN - 1 or x1 > width - MARGIN + 1 or y0 < MARGIN / 2 or y1 > height - MARGIN / 2
    ]
    assert outside == []


def test_a_return_visit_whose_first_screening_was_erased_still_prints_without_a_name(ruleset):
    """Who the patient is lives in the first screening; once that is erased the page says so, not a crash."""
    visit = ReturnVisit.model_validate(typical_return(ruleset))
    result = screen(visit, ruleset).to_dict()
    stored = visit.model_dump(mode="json")
    pdf = summary_pdf(SummaryInput("BT-7K3M-Q9PZ", RECEIVED, stored, result, "Ivy", PRINTED, CLINIC, {}))
    text = squash(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert squash("Date of birthnot given") in text and squash(f"First screening{FIRST_REFERENCE}") in text
    assert squash("· born not given · reference BT-7K3M-Q9PZ · page 1 of 1") in text
