"""Spanish for patients (issue 14): a complete catalog, every pathway walked in Spanish with no English
shown, the warning-sign advice in Spanish, pydantic's messages in Spanish, and the language kept with the
answers (switching keeps them; drafts, autosaves and submissions carry it; staff see it)."""

import re
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from booking_support import a_slot, confirmed_case
from pydantic import ValidationError
from spanish_support import english_in, shown_texts
from storage_support import login_as, patient
from wizard_support import (
    ROOT,
    answer,
    box_after,
    click,
    fill_step,
    go_to_step,
    header,
    page_text,
    patient_for,
    staff_page,
    start,
    typical_patient,
    walk_to_review,
    widget,
)

from screening import autosave, casework, intake
from screening.answers import Contact, HeadachePattern, PreventiveTried, field_errors
from screening.i18n import ENGLISH, SPANISH, po_path, translate
from screening.i18n.formats import amount, birth_date, day_and_month
from screening.staff import Role
from screening.ui import auth
from screening.ui.draft import STEP_BY_KEY, STEPS, WELCOME, plain
from screening.ui.my_call import NOT_FOUND
from screening.ui.patient import RECEIPT
from screening.ui.warning_signs import EMERGENCY, EMERGENCY_AFTER, SOON, SOON_AFTER, UNSURE_NOW

pytest_plugins = ["wizard_fixtures", "db_fixtures", "app_fixtures"]
BORN = date(1985, 4, 12)
FIELD = re.compile(r"\{(\w+)\}")
REASONS = ("chronic_migraine", "other_headache", "cervical_dystonia", "limb_spasticity", "facial_pain", "not_sure")


def es(text: str) -> str:
    return translate(text, SPANISH)


# --- the catalog ---------------------------------------------------------------------------------


def _keywords() -> list[str]:
    """The extraction keywords, read from the Makefile (`make catalog`), so the test extracts what it does."""
    line = next(line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("KEYWORDS :="))
    return line.partition(":=")[2].split()


def test_the_catalog_translates_every_patient_text_and_nothing_is_fuzzy(tmp_path: Path):
    template = tmp_path / "messages.pot"
    extract = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
    subprocess.run(
        [*extract, *_keywords(), "-o", template, "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as source:
        wanted = {message.id if isinstance(message.id, str) else tuple(message.id) for message in read_po(source)}
    with po_path(SPANISH).open("rb") as source:
        catalog = read_po(source)
    have = {message.id if isinstance(message.id, str) else tuple(message.id): message for message in catalog}
    wanted.discard("")
    assert len(wanted) > 300  # the questionnaire, its help, errors and advice were all found
    assert sorted(map(str, wanted - set(have))) == []  # no text the patient sees is missing
    for key, message in have.items():
        if not key:
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        ids = [key] if isinstance(key, str) else list(key)
        assert all(strings), f"untranslated: {key!r}"
        assert not message.fuzzy, f"fuzzy: {key!r}"
        for english, spanish in zip(ids, strings, strict=False):
            assert set(FIELD.findall(english)) == set(FIELD.findall(spanish)), f"fields differ: {key!r}"
    assert not catalog.obsolete


def test_the_catalog_speaks_plainly_and_politely():
    """Usted, not tú; everyday words, not clinical ones (issue 14)."""
    with po_path(SPANISH).open("rb") as source:
        spanish = " ".join(str(message.string) for message in read_po(source) if message.id)
    for clinical in ("cefalea", "cefaleas", "deglutir", "disnea", "parestesia", "emesis"):
        assert clinical not in spanish.lower()
    for familiar in (r"\btienes\b", r"\btu\b", r"\btus\b", r"\bpuedes\b", r"\belige\b(?!n)"):
        assert not re.search(familiar, spanish), familiar
    assert "dolor de cabeza" in spanish and "usted" in spanish


# --- pages ---------------------------------------------------------------------------------------


def _walk_in_spanish(at, answers) -> list[str]:
    """Every step of this patient's pathway in Spanish: first Next with nothing new answered (to show the
    step's errors), then its answers; then the review, the send and the confirmation. Returns the English seen."""
    seen: list[str] = []
    while header(at) != "Check your answers":
        step = next(s for s in STEPS if s.title == header(at))
        click(at, "Start" if step is WELCOME else "Next")
        if header(at) != step.title:  # a step whose questions may all be left empty (medicines tried)
            click(at, "Back")
        seen += english_in(shown_texts(at))
        fill_step(at, answers, step)
        seen += english_in(shown_texts(at))
        click(at, "Start" if step is WELCOME else "Next")
        assert not at.exception, at.exception
        assert header(at) != step.title, f"stuck on {step.title}: {[e.value for e in at.error]}"
    seen += english_in(shown_texts(at))
    click(at, "Send my answers")
    assert header(at) == "Thank you"
    seen += english_in(shown_texts(at))
    return seen


@pytest.mark.parametrize("reason", REASONS)
def test_every_pathway_in_spanish_shows_no_english(data_dir, reason):
    at = start(language=SPANISH)
    assert at.title[0].value == es(WELCOME.title)
    assert _walk_in_spanish(at, patient_for(reason)) == []
    with sqlite3.connect(data_dir / "screening.db") as db:
        stored = db.execute("SELECT s.language, c.language, s.answers FROM submissions s JOIN case_state c "
                            "ON c.submission_id = s.id").fetchall()
    assert [(language, case) for language, case, _ in stored] == [(SPANISH, SPANISH)]
    assert "Sí" not in stored[0][2] and "No sé" not in stored[0][2]  # answers are stored as values


def test_the_patient_books_the_video_call_in_spanish(app_db, ruleset):
    slot_id = a_slot(app_db, login_as(app_db, "rivera", Role.clinician))
    submission_id = intake.submit(app_db, patient(ruleset), ruleset, language=SPANISH).submission_id
    at = start(language=SPANISH)
    at.session_state[RECEIPT] = {"reference": "BT-TEST-0000", "method": "phone", "advice": [],
                                 "submission_id": submission_id, "email": False}
    at.run()
    assert english_in(shown_texts(at)) == []
    first, last = at.radio[0].options
    assert "hora de Nueva York" in first and " de 20" in first  # Babel's Spanish date, in the clinic's zone
    assert last == es("None of these: please call me to arrange a time")
    click(at, "Ask for this time")
    assert [e.value for e in at.error] == [es("Please choose a time, or ask us to call you.")]
    at.radio[0].set_value(slot_id)
    click(at, "Ask for this time")
    assert not at.exception, at.exception
    assert at.success[-1].value.startswith("Usted pidió: ")
    assert english_in(shown_texts(at)) == []


def test_the_patient_finds_the_confirmed_call_in_spanish(app_db, ruleset):
    clinician, ida = login_as(app_db, "rivera", Role.clinician), login_as(app_db, "ida")
    submission_id = confirmed_case(app_db, ruleset, clinician, ida)
    reference = casework.detail(app_db, ida, submission_id).reference
    at = start(language=SPANISH).switch_page("screening/ui/my_call.py").run()
    assert at.title[0].value == es("Your video call") and english_in(shown_texts(at)) == []
    at.text_input[0].input("someone")
    at.text_input[1].input("555 010 0000")
    click(at, "Show my video call")
    assert [e.value for e in at.error] == [es(NOT_FOUND)]
    at.text_input[0].input(reference)
    click(at, "Show my video call")
    assert [s.value for s in at.success] == [es("Your video call is confirmed.")]
    assert at.text[0].value.startswith("Cuándo: ") and "Duración: 30 minutos" in at.text[0].value
    assert english_in(shown_texts(at)) == []


def test_staff_see_the_patients_language_in_the_queue_and_on_the_case_page(app_db, ruleset):
    spanish = intake.submit(app_db, patient(ruleset), ruleset, language=SPANISH).submission_id
    intake.submit(app_db, patient(ruleset), ruleset)
    ida = login_as(app_db, "ida")
    at = staff_page("screening/ui/staff_queue.py", ida)
    assert not at.exception, at.exception
    frame = next(d.value for d in at.dataframe if "Language" in d.value.columns)
    assert sorted(frame["Language"]) == ["English", "Spanish"]
    at = staff_page("screening/ui/staff_detail.py", ida, **{auth.OPEN: spanish})
    assert not at.exception, at.exception
    assert "Spanish: call in it" in page_text(at)
    assert casework.detail(app_db, ida, spanish).language == SPANISH


def test_a_draft_saved_in_spanish_resumes_in_spanish(app_db):
    answers = typical_patient()
    code = intake.save_draft(app_db, answers, "headache", BORN, language=SPANISH).code
    at = start()
    at.text_input(key="resume-code").input(code)
    at.date_input(key="resume-dob").set_value(BORN)
    click(at, "Continue")
    assert not at.exception, at.exception
    assert at.title[0].value == es("Your headaches")
    assert at.segmented_control(key="language_switch").value == SPANISH


def test_drafts_and_autosaves_keep_the_language(db):
    code = intake.save_draft(db, {"a": 1}, "about", BORN, language=SPANISH).code
    assert intake.resume_draft(db, code, BORN).language == SPANISH
    other = intake.save_draft(db, {"a": 1}, "about", BORN).code
    assert intake.resume_draft(db, other, BORN).language == ENGLISH
    token = autosave.new_token()
    autosave.keep(db, token, {"a": 1}, "about", SPANISH)
    assert autosave.restore(db, token).language == SPANISH
    autosave.keep(db, token, {"a": 1}, "about", "xx")  # only a known language is kept
    assert autosave.restore(db, token).language == ENGLISH


def test_switching_language_keeps_every_answer(data_dir):
    answers = typical_patient()
    at = go_to_step(start(), answers, "headache")
    fill_step(at, answers, STEP_BY_KEY["headache"])
    before = widget(at, "w:headache.headache_days").value
    at.segmented_control(key="language_switch").set_value(SPANISH).run()
    assert at.title[0].value == es("Your headaches")
    assert widget(at, "w:headache.headache_days").value == before == answers["headache"]["headache_days"]
    assert widget(at, "w:headache.headache_days").label == es(HeadachePattern.model_fields["headache_days"].title)
    at.segmented_control(key="language_switch").set_value(ENGLISH).run()
    assert at.title[0].value == "Your headaches"
    assert widget(at, "w:headache.headache_days").value == before
    click(at, "Back")
    assert widget(at, "w:about.date_of_birth").value.isoformat() == answers["about"]["date_of_birth"]


# --- the warning-sign advice in Spanish, as the English one is tested ----------------------------

BOXES = ("error", "warning", "info")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("thunderclap", EMERGENCY),
        ("neuro_deficit", EMERGENCY),
        ("fever_stiff_neck", EMERGENCY),
        ("head_injury", EMERGENCY),
        ("pregnancy_new_headache", EMERGENCY),
        ("new_after_50", SOON),
        ("positional_or_straining", SOON),
        ("cancer_or_immune", SOON),
        ("fever_or_weight_loss", SOON),
        ("pattern_change", SOON),
    ],
)
def test_a_yes_gets_the_spanish_advice_of_its_grade_at_once(data_dir, question, expected):
    at = go_to_step(start(language=SPANISH), typical_patient(), "red_flags")
    answer(at, f"red_flags.{question}", "yes")
    advice = box_after(at, f"w:red_flags.{question}", BOXES)
    assert advice == es(expected) != expected
    assert ("911" in advice) == (expected == EMERGENCY)


def test_not_sure_on_an_emergency_sign_in_spanish(data_dir):
    at = go_to_step(start(language=SPANISH), typical_patient(), "red_flags")
    answer(at, "red_flags.thunderclap", "not_sure")
    assert box_after(at, "w:red_flags.thunderclap", BOXES) == es(UNSURE_NOW)
    assert "911" in es(UNSURE_NOW) and "Si esto le está pasando ahora" in es(UNSURE_NOW)


def test_after_emergency_advice_the_spanish_confirmation_does_not_ask_the_patient_to_wait(data_dir):
    answers = typical_patient()
    answers["red_flags"] |= {"thunderclap": "yes", "positional_or_straining": "yes"}
    at = start(language=SPANISH)
    _send(at, answers)
    assert [e.value for e in at.error] == [es(EMERGENCY_AFTER)]
    text = " ".join(shown_texts(at))
    assert "después de que le hayan atendido" in text
    assert "2 días hábiles" not in text and "videollamada" not in text.lower() and es(SOON_AFTER) not in text


def test_after_see_a_doctor_soon_the_spanish_confirmation_says_the_clinic_calls_first(data_dir):
    answers = typical_patient()
    answers["red_flags"]["cancer_or_immune"] = "yes"
    at = start(language=SPANISH)
    _send(at, answers)
    assert [w.value for w in at.warning] == [es(SOON_AFTER)]
    text = " ".join(shown_texts(at))
    assert "911" not in text and "se comunicará primero con usted" in text


def _send(at, answers):
    walk_to_review(at, answers)
    click(at, "Send my answers")
    assert header(at) == "Thank you"


# --- messages, numbers and dates -----------------------------------------------------------------


def _errors(model, data) -> list[str]:
    try:
        model.model_validate(data)
    except ValidationError as err:
        return [plain(error["message"]) for error in field_errors(err)]
    return []


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (HeadachePattern, {"headache_days": 40}),
        (HeadachePattern, {"headache_days": -1}),
        (HeadachePattern, {"headache_days": "many"}),
        (HeadachePattern, {"headache_days": 10, "migraine_days": 12}),
        (HeadachePattern, {"acute_days": 3, "days_triptan": 5}),
        (PreventiveTried, {"drug": "nothing", "outcome": "helped"}),
        (PreventiveTried, {"drug": "other", "other_name": "x" * 80, "outcome": "helped"}),
        (Contact, {"name": "", "preferred_method": "phone", "phone": "call me", "preferred_times": []}),
        (Contact, {"name": "A", "preferred_method": "email", "email": "not-an-address", "preferred_times": ["x"]}),
    ],
)
def test_every_validation_message_has_its_spanish(model, data):
    """The model's own messages and pydantic's (reworded by ``plain``), numbers kept."""
    messages = _errors(model, data)
    assert messages
    for message in messages:
        spanish = es(message)
        assert spanish != message, message
        assert set(re.findall(r"\d+", message)) == set(re.findall(r"\d+", spanish))


def test_amounts_and_dates_are_written_the_spanish_way():
    assert amount(1, "days a month", SPANISH) == "1 día al mes"
    assert amount(2, "weeks", SPANISH) == "2 semanas"
    assert amount(7.5, "hours", SPANISH) == "7.5 horas"  # US Spanish writes the decimal point
    assert amount(1, "weeks", ENGLISH) == "1 week"
    assert birth_date(date(1985, 4, 12), SPANISH) == "12 de abril de 1985"
    assert birth_date(date(1985, 4, 12), ENGLISH) == "04/12/1985"
    assert day_and_month(datetime(2026, 12, 16, tzinfo=UTC), SPANISH) == "16 de diciembre"


def test_a_message_built_from_a_question_translates_the_question_too():
    title = PreventiveTried.model_fields["weeks"].title
    assert es(f"Medicine 2: {title}") == f"Medicamento 2: {es(title)}"


# --- the FHIR Questionnaire carries the Spanish -------------------------------------------------


def _spanish_of(element: dict, key: str) -> str:
    (translation,) = element["_" + key]["extension"]
    assert translation["url"] == "http://hl7.org/fhir/StructureDefinition/translation"
    parts = {part["url"]: part for part in translation["extension"]}
    assert parts["lang"]["valueCode"] == SPANISH
    return parts["content"]["valueString"]


def _every_text(items: list[dict]) -> list[tuple[dict, str]]:
    found = []
    for item in items:
        found.append((item, "text"))
        found += [(option["valueCoding"], "display") for option in item.get("answerOption", [])]
        found += [(ext["valueCoding"], "display") for ext in item.get("extension", []) if "valueCoding" in ext]
        found += _every_text(item.get("item", []))
    return found


def test_the_fhir_questionnaire_carries_every_text_in_spanish():
    from fhir.resources.questionnaire import Questionnaire

    from screening.exports.fhir import questionnaire

    form = questionnaire()
    Questionnaire.model_validate(form)  # the translation extension on _text, _display and _title is valid R5
    assert _spanish_of(form, "title") == es(form["title"])
    texts = _every_text(form["item"])
    assert len(texts) > 300
    assert _untranslated(texts) == []
    questions = {item["linkId"]: item for item, key in texts if key == "text" and "linkId" in item}
    assert _spanish_of(questions["red_flags.thunderclap"], "text").startswith("¿Ha tenido un dolor de cabeza repentino")
    help_line = _spanish_of(questions["headache.headache_days.help"], "text")
    assert help_line.endswith("Déjelo vacío si no lo sabe.")  # the "why we ask" line and its hint, each translated


def _untranslated(texts: list[tuple[dict, str]]) -> list[str]:
    return [element[key] for element, key in texts if english_in([_spanish_of(element, key)])]


def test_the_return_visit_questionnaire_carries_every_text_in_spanish():
    from fhir.resources.questionnaire import Questionnaire

    from screening.exports.fhir import RETURN, questionnaire

    form = questionnaire(RETURN)
    Questionnaire.model_validate(form)
    assert _spanish_of(form, "title") == "Su visita de regreso después del tratamiento con Botox"
    texts = _every_text(form["item"])
    assert len(texts) > 150
    assert _untranslated(texts) == []


def test_a_missing_or_stale_compiled_catalog_is_refused(tmp_path, monkeypatch):
    """A release that skipped `make translations` must not show a questionnaire half in English."""
    import os
    import shutil

    from babel.messages.frontend import CommandLineInterface

    from screening import i18n

    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(po_path(SPANISH), folder / "messages.po")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.catalog.cache_clear()
    try:
        with pytest.raises(i18n.CatalogNotCompiled, match="make translations"):
            i18n.catalog(SPANISH)
        CommandLineInterface().run(["pybabel", "--quiet", "compile", "--directory", str(tmp_path)])
        assert i18n.catalog(SPANISH).gettext("Yes") == "Sí"
        i18n.catalog.cache_clear()
        later = (folder / "messages.mo").stat().st_mtime + 10
        os.utime(folder / "messages.po", (later, later))  # the .po edited after compiling
        with pytest.raises(i18n.CatalogNotCompiled):
            i18n.catalog(SPANISH)
    finally:
        i18n.catalog.cache_clear()
