"""The consultation summary PDF: every required item found by text extraction, one page for a typical patient,
patient text literal, unicode names embedded; a PNG of each page kept under tests/artifacts/ for a person to look at."""

import copy
import io
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from screening.answers import HeadachePattern, Submission, section_model
from screening.branching import ACUTE_KINDS
from screening.catalogue import OTHER_DRUG, drug_label
from screening.choices import YesNoUnsure, label
from screening.engine import screen
from screening.exports.pdf import HEADACHE_NUMBERS, SummaryInput, summary_pdf
from screening.triage import TRIAGE_LABELS, Triage

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
RECEIVED = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
LONG_NAME = "Zoë-Éléonore María Ñúñez Łukasiewicz-Wiśniewska 王小明 " + "Bartholomew-Maximilian " * 2


def squash(text: str) -> str:
    """Wrapping may break a line anywhere; the words are what matters."""
    return re.sub(r"\s+", "", text)


def typical_answers(ruleset) -> dict[str, Any]:
    answers = copy.deepcopy(ruleset.case_defaults)
    answers["about"].pop("age")
    answers["about"]["date_of_birth"] = "1985-04-12"
    answers["contact"] |= {
        "name": "Zoë Núñez-Łukasz 王芳",
        "preferred_method": "either",
        "email": "zoe@example.org",
        "preferred_times": ["morning", "evening"],
    }
    answers["safety"]["blood_thinners"] = "not_sure"
    answers["headache"] |= {"acute_days": 12, "days_triptan": 6, "days_simple_analgesic": 8}
    return answers


def worst_case_answers(ruleset) -> dict[str, Any]:
    answers = typical_answers(ruleset)
    answers["contact"]["name"] = LONG_NAME[:100]
    answers["treatments"]["preventives"] = [
        {
            "drug": OTHER_DRUG,
            "other_name": f"**Compounded** <b>preventive</b> =SUM({i}) with a very long name {i:02d}"[:60],
            "other_class": "antiepileptic",
            "weeks": 4 + i,
            "outcome": "did_not_help",
        }
        for i in range(20)
    ]
    answers["red_flags"] = dict.fromkeys(answers["red_flags"], "not_sure")
    answers["safety"] |= dict.fromkeys(["neuromuscular", "swallowing_breathing", "aminoglycosides"], "yes")
    answers["safety"]["neuromuscular_kind"] = "not_sure"
    return answers


def render(answers: dict[str, Any], ruleset, name: str) -> tuple[bytes, Submission, dict[str, Any]]:
    submission = Submission.model_validate(answers)
    result = screen(submission, ruleset).to_dict(with_trace=True)
    stored = submission.model_dump(mode="json")
    data = SummaryInput("BT-7K3M-Q9PZ", RECEIVED, stored, result, "Ivy Intake", RECEIVED)
    pdf = summary_pdf(data)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    return pdf, submission, result


def required_items(stored: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """What a consultation and a payer need, read from the answers and the result (not from the page's code)."""
    contact, about, headache = stored["contact"], stored["about"], stored["headache"]
    items = [
        contact["name"],
        date.fromisoformat(about["date_of_birth"]).strftime("%m/%d/%Y"),
        contact["phone"] or "",
        contact["email"] or "",
        label(contact["preferred_method"]),
        *(label(t) for t in contact["preferred_times"]),
        label(stored["seeking"]["reason"]),
        "BT-7K3M-Q9PZ",
        "2026-11-03",
        result["ruleset"]["version"],
        result["ruleset"]["hash"],
        TRIAGE_LABELS[Triage(result["triage"])],
    ]
    for field in HEADACHE_NUMBERS:
        info = HeadachePattern.model_fields[field]
        items += [info.title, f"{headache[field]:g}"]
    for kind in ACUTE_KINDS:
        if headache[kind]:
            items.append(
                f"{HeadachePattern.model_fields[kind].title.removeprefix('Days a month with ')}: {headache[kind]}"
            )
    for item in stored["treatments"]["preventives"]:
        name = item["other_name"] if item["drug"] == OTHER_DRUG else drug_label(item["drug"])
        items += [name, f"{item['weeks']:g}", label(item["outcome"])]
    for section in ("red_flags", "safety"):
        model = Submission.model_fields[section].annotation
        for field, value in stored[section].items():
            if value in (YesNoUnsure.yes, YesNoUnsure.not_sure):
                items.append(model.model_fields[field].title)
    for flag in result["flags"]:
        items += [flag["title"], flag["reason"], flag["source"], flag["id"]]
    return [item for item in items if item]


def png_pages(pdf_name: str) -> list[Path]:
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is installed by .ci/run"
    for old in ARTIFACTS.glob(f"{pdf_name}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", str(ARTIFACTS / f"{pdf_name}.pdf"), str(ARTIFACTS / pdf_name)], check=True
    )
    return sorted(ARTIFACTS.glob(f"{pdf_name}-*.png"))


@pytest.mark.parametrize("case", ["typical", "worst-case-long"])
def test_every_required_item_is_on_the_page(ruleset, case):
    answers = typical_answers(ruleset) if case == "typical" else worst_case_answers(ruleset)
    pdf, submission, result = render(answers, ruleset, f"summary-{case}")
    reader = PdfReader(io.BytesIO(pdf))
    text = squash("".join(page.extract_text() for page in reader.pages))
    missing = [item for item in required_items(submission.model_dump(mode="json"), result) if squash(item) not in text]
    assert missing == []
    if case == "typical":
        assert len(reader.pages) == 1
    assert "Step therapy" in "".join(page.extract_text() for page in reader.pages)


def test_patient_text_is_literal_and_unicode_fonts_are_embedded(ruleset):
    pdf, _, _ = render(worst_case_answers(ruleset), ruleset, "summary-worst-case-long")
    text = squash("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert squash("**Compounded** <b>preventive</b> =SUM(0)") in text
    assert squash(LONG_NAME[:100]) in text
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVuSans" in f for f in fonts) and any("DroidSansFallback" in f for f in fonts)
    assert all(
        "/FontFile2" in str(font.get_object()["/DescendantFonts"][0]["/FontDescriptor"].keys())
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    )


def test_the_typical_summary_renders_to_a_png_kept_for_a_person_to_look_at(ruleset):
    render(typical_answers(ruleset), ruleset, "summary-typical")
    (page,) = png_pages("summary-typical")
    with Image.open(page) as image:
        width, height = image.size
        assert abs(width / height - 210 / 297) < 0.01  # A4 portrait
        dark = sum(image.convert("L").histogram()[:128])
    assert dark > 0.01 * width * height, "the page has text on it"


def test_another_pathway_and_earlier_injections_are_summarised_question_by_question(ruleset):
    answers = typical_answers(ruleset)
    for section in ("headache", "treatments"):
        answers.pop(section)
    answers["seeking"] = {"reason": "limb_spasticity", "spasticity_cause": "stroke"}
    answers["spasticity"] = {"limbs": ["left_arm", "left_leg"], "goals": ["walking"], "current_therapy": "yes"}
    answers["toxin"] = {"prior_toxin": "yes", "weeks_since_last": 14, "toxin_outcome": "stopped_working"}
    pdf, submission, _ = render(answers, ruleset, "summary-spasticity")
    text = squash(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    stored = submission.model_dump(mode="json")
    for section in ("spasticity", "toxin"):
        model = section_model(section)
        for name, value in stored[section].items():
            if value is not None:
                assert squash(model.model_fields[name].title) in text
    for expected in ("Left arm, Left leg", "Better walking", "14 weeks", label("stopped_working"), "Stroke"):
        assert squash(expected) in text
    assert "Step therapy" not in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
