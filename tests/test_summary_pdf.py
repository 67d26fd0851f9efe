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
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from pypdf import PdfReader

from screening.answers import HeadachePattern, Submission, section_model
from screening.branching import ACUTE_KINDS
from screening.catalogue import OTHER_DRUG, drug_class, drug_label
from screening.choices import YesNoUnsure, label
from screening.engine import screen
from screening.exports.pdf import HEADACHE_NUMBERS, NEUROMUSCULAR_KIND, SummaryInput, summary_pdf
from screening.triage import TRIAGE_LABELS, Triage

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
RECEIVED = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
PRINTED = datetime(2026, 11, 9, 14, 5, tzinfo=UTC)
CLINIC = ZoneInfo("America/New_York")
"""The default clinic time zone: its dates, with UTC beside them, make the header longest."""
"""Printed days after it was screened: the page must give the date screened, not only the date printed."""
LETTER = (612, 792)
"""US Letter in points: the clinic is US-based; a Letter page also prints whole on A4, not the other way round."""
MARGIN = 14 / 25.4 * 72
LONG_EMAIL = "bartholomew.maximilian.lukasiewicz-wisniewska.appointments@very-long-clinic-domain.example.org"
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
    answers["contact"]["email"] = LONG_EMAIL
    answers["about"]["pregnant"] = "not_sure"
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
    data = SummaryInput("BT-7K3M-Q9PZ", RECEIVED, stored, result, "Ivy Intake", PRINTED, CLINIC)
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
        "screened 2026-11-03",
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
        kind = label(drug_class(item["drug"], item.get("other_class")))
        items += [name, kind, f"{item['weeks']:g}", label(item["outcome"])]
    for section in ("red_flags", "safety", "about"):
        model = Submission.model_fields[section].annotation
        for field, value in stored[section].items():
            if field == "neuromuscular_kind" and value:
                items += [NEUROMUSCULAR_KIND, label(value)]
            elif value in (YesNoUnsure.yes, YesNoUnsure.not_sure):
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


@pytest.mark.parametrize("case", ["typical", "busier", "worst-case-long"])
def test_the_summary_renders_to_png_pages_kept_for_a_person_to_look_at(ruleset, case):
    answers = {"typical": typical_answers, "busier": busier_answers, "worst-case-long": worst_case_answers}[case]
    pdf, _, _ = render(answers(ruleset), ruleset, f"summary-{case}")
    shown = png_pages(f"summary-{case}")
    assert len(shown) == len(PdfReader(io.BytesIO(pdf)).pages)
    for page in shown:
        with Image.open(page) as image:
            width, height = image.size
            assert abs(width / height - LETTER[0] / LETTER[1]) < 0.01  # Letter portrait
            dark = sum(image.convert("L").histogram()[:128])
        assert dark > 0.01 * width * height, "the page has text on it"


def words_on_pages(pdf_name: str) -> list[tuple[float, float, float, float, float, float, str]]:
    """Every word poppler finds, with its page's size and its box (pdftotext -bbox, points from the top left)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(ARTIFACTS / f"{pdf_name}.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    found = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        width, height = float(page[1]), float(page[2])
        for word in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page[3]
        ):
            found.append((width, height, *map(float, word.groups()[:4]), word[5]))
    return found


@pytest.mark.parametrize("case", ["typical", "worst-case-long"])
def test_every_word_is_inside_the_margins_of_a_letter_page(ruleset, case):
    """Nothing runs off the paper or into the margin a printer may not print: long names, emails and drug names
    wrap inside their cells; the page is Letter, so the bottom is not lost on the clinic's paper."""
    answers = typical_answers(ruleset) if case == "typical" else worst_case_answers(ruleset)
    pdf, _, _ = render(answers, ruleset, f"summary-{case}")
    assert {tuple(round(v) for v in page.mediabox[2:]) for page in PdfReader(io.BytesIO(pdf)).pages} == {LETTER}
    words = words_on_pages(f"summary-{case}")
    assert words
    outside = [
        text
        for width, height, x0, y0, x1, y1, text in words
        if x0 < MARGIN - 1 or x1 > width - MARGIN + 1 or y0 < MARGIN / 2 or y1 > height - MARGIN / 2
    ]
    assert outside == []


def test_the_step_therapy_facts_are_stated_in_the_payer_s_terms(ruleset):
    """Each preventive says whether it counts as a class tried and why not; the sum is one sentence a payer reads."""
    pdf, _, _ = render(typical_answers(ruleset), ruleset, "summary-typical")
    text = squash(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    for expected in (
        "Yes: inadequate response after 12 weeks",  # topiramate, 12 weeks, did not help
        "Yes: not tolerated",  # propranolol, stopped for side effects
        "Preventive classes adequately tried (inadequate response after at least 8 weeks, not tolerated, or "
        "contraindicated): 2 (antiepileptic, beta-blocker)",
        "Currently on a CGRP antibody: No",
    ):
        assert squash(expected) in text
    pdf, _, _ = render(worst_case_answers(ruleset), ruleset, "summary-worst-case-long")
    text = squash("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert squash("No: 4 weeks, too short to count") in text and squash("8 weeks, or contraindicated)") not in text
    assert squash("contraindicated): 1 (antiepileptic)") in text


def test_the_kind_of_nerve_muscle_disease_is_named_once_under_its_question(ruleset):
    """Its own title is "Which one?": at the end of the list it read as a question about blood thinners."""
    answers = typical_answers(ruleset)
    answers["safety"] |= {"neuromuscular": "yes", "neuromuscular_kind": "lambert_eaton", "blood_thinners": "yes"}
    pdf, _, _ = render(answers, ruleset, "summary-neuromuscular")
    text = squash("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    question = squash("Do you have a nerve-muscle disease such as myasthenia gravis, Lambert-Eaton syndrome or ALS?")
    kind = squash(f"{NEUROMUSCULAR_KIND}Lambert-Eaton syndrome")
    assert text.count(squash(NEUROMUSCULAR_KIND)) == 1 and "Whichone?" not in text
    assert text.index(question) < text.index(kind) < text.index(squash("Do you take a blood thinner"))


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


def busier_answers(ruleset) -> dict[str, Any]:
    """Still an ordinary referral: five preventives tried (a CGRP antibody among them), Botox before, three
    precautions, five flags. It may take a second page."""
    answers = typical_answers(ruleset)
    answers["treatments"]["preventives"] += [
        {"drug": "amitriptyline", "weeks": 10, "outcome": "did_not_help"},
        {"drug": "candesartan", "weeks": 9, "outcome": "did_not_help"},
        {"drug": "erenumab", "weeks": 12, "outcome": "did_not_help"},
    ]
    answers["toxin"] = {"prior_toxin": "yes", "weeks_since_last": 14, "toxin_outcome": "helped", "weeks_of_benefit": 10}
    answers["safety"] |= {"anticholinergics": "yes", "muscle_relaxants": "not_sure"}
    answers["headache"] |= {"acute_days": 16, "days_opioid": 3}
    return answers


@pytest.mark.parametrize("case", ["typical", "busier", "worst-case-long"])
def test_the_triage_and_every_flag_are_on_the_first_page(ruleset, case):
    """A second page is for the details: what a clinician must not miss (an urgent flag) is never on it."""
    answers = {"typical": typical_answers, "busier": busier_answers, "worst-case-long": worst_case_answers}[case]
    pdf, _, result = render(answers(ruleset), ruleset, f"summary-{case}")
    first = squash(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert squash(f"Screening result: {TRIAGE_LABELS[Triage(result['triage'])]}") in first
    assert len(result["flags"]) >= 3
    for flag in result["flags"]:
        assert squash(flag["id"]) in first and squash(flag["reason"]) in first


def test_every_character_of_a_unicode_name_has_a_glyph(ruleset, caplog):
    """Text extraction finds a character even when it is drawn as an empty box; fpdf2 says when a font lacks it."""
    answers = typical_answers(ruleset)
    answers["contact"]["name"] = "Zoë Ñúñez Małgorzata Łukasz Ștefan Đorđević Ἀλέξανδρος Анна 王小明 さくら 김민"
    with caplog.at_level("WARNING", logger="fpdf"):
        pdf, _, _ = render(answers, ruleset, "summary-unicode")
    assert [r.getMessage() for r in caplog.records if "missing" in r.getMessage()] == []
    assert squash(answers["contact"]["name"]) in squash(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    fonts = {str(font["/BaseFont"]) for font in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()}
    assert any("Nanum" in font for font in fonts), "the Korean syllables come from Nanum Gothic (fonts-nanum)"


def test_date_screened_is_the_clinic_s_date_with_utc_beside_it(ruleset):
    """A payer reads the date screened as the clinic's: 21:30 in New York is already the next day in UTC."""
    submission = Submission.model_validate(typical_answers(ruleset))
    result = screen(submission, ruleset).to_dict()
    evening = datetime(2026, 11, 4, 2, 30, tzinfo=UTC)  # 2026-11-03 21:30 EST
    stored = submission.model_dump(mode="json")
    data = SummaryInput("BT-7K3M-Q9PZ", evening, stored, result, "Ivy", PRINTED, CLINIC)
    text = squash(PdfReader(io.BytesIO(summary_pdf(data))).pages[0].extract_text())
    assert squash("screened 2026-11-03 21:30 EST (2026-11-04 02:30 UTC)") in text
    assert squash("printed 2026-11-09 09:05 EST (2026-11-09 14:05 UTC) by Ivy") in text


@pytest.mark.parametrize("case", ["busier", "worst-case-long"])
def test_every_page_names_the_patient_their_birth_date_and_the_reference(ruleset, case):
    """A page that comes loose from the others still says whose it is (two identifiers) and which page it is."""
    answers = {"busier": busier_answers, "worst-case-long": worst_case_answers}[case](ruleset)
    pdf, submission, _ = render(answers, ruleset, f"summary-{case}")
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) > 1
    who = f"{submission.contact.name} · born 04/12/1985 (age {submission.about.age}) · reference BT-7K3M-Q9PZ"
    for number, page in enumerate(pages, start=1):
        text = squash(page.extract_text())
        assert squash(f"{who} · page {number} of {len(pages)}") in text
        assert squash("Pre-screening only, not a diagnosis; a clinician decides.") in text
