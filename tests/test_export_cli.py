"""``python -m screening summary REF --out file.pdf`` and ``python -m screening fhir REF`` on the staff console:
the files are written, a wrong reference says so with exit code 2, and each export is an audit row as "console"."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from core_support import ROOT
from fhir.resources.bundle import Bundle
from pypdf import PdfReader
from return_support import BORN, first_screening, typical_return
from sqlalchemy import select
from storage_support import patient

from screening import intake, staff_cli
from screening.exports import fhir
from screening.exports.pdf import FontMissingError
from screening.settings import Settings
from screening.storage import Database
from screening.storage.models import AuditRow


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SCREENING_SECRET_KEY"}}
    env["SCREENING_DATA_DIR"] = str(data_dir)
    command = [sys.executable, "-m", "screening", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)


def test_console_writes_the_summary_and_the_fhir_bundle_and_both_are_audited(tmp_path, ruleset):
    data_dir = tmp_path / "data"
    db = Database.from_settings(Settings(data_dir=data_dir))
    db.migrate()
    receipt = intake.submit(db, patient(ruleset, name="Łucja Ñandú"), ruleset)

    out = tmp_path / "summary.pdf"
    done = run(data_dir, "summary", receipt.reference, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Łucja Ñandú" in PdfReader(out).pages[0].extract_text()
    assert out.stat().st_mode & 0o777 == 0o600, "a patient's summary is readable by its owner only"

    done = run(data_dir, "fhir", receipt.reference)
    assert done.returncode == 0, done.stderr
    bundle = json.loads(done.stdout)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["QuestionnaireResponse", "Observation"]
    saved = tmp_path / "bundle.json"
    saved.write_text("an older file, readable by all", encoding="utf-8")
    saved.chmod(0o644)
    done = run(data_dir, "fhir", receipt.reference, "--out", str(saved))
    assert done.returncode == 0, done.stderr
    assert json.loads(saved.read_text(encoding="utf-8")) == bundle and saved.stat().st_mode & 0o777 == 0o600

    missing = run(data_dir, "fhir", "BT-0000-0000")
    assert (missing.returncode, missing.stderr.strip()) == (2, "No submission with reference BT-0000-0000.")

    with db.session() as tx:
        rows = [(r.username, r.action, r.target, r.detail) for r in tx.scalars(select(AuditRow).order_by(AuditRow.id))]
    db.dispose()
    assert rows == [
        ("console", "export", receipt.reference, {"file": "summary.pdf", "rows": 1}),
        ("console", "export", receipt.reference, {"file": "fhir-bundle.json", "rows": 1}),
        ("console", "export", receipt.reference, {"file": "fhir-bundle.json", "rows": 1}),
    ]


def test_console_writes_a_return_visit_s_summary_and_fhir_bundle_and_audits_both(tmp_path, ruleset):
    data_dir = tmp_path / "data"
    db = Database.from_settings(Settings(data_dir=data_dir))
    db.migrate()
    first = first_screening(db)
    back = intake.submit(db, typical_return(intake.link_return(db, first.reference, BORN)), ruleset)

    out = tmp_path / "return.pdf"
    done = run(data_dir, "summary", back.reference, "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert "Botox return visit" in text and f"First screening {first.reference}" in text
    assert out.stat().st_mode & 0o777 == 0o600

    done = run(data_dir, "fhir", back.reference)
    assert done.returncode == 0, done.stderr
    bundle = json.loads(done.stdout)
    Bundle.model_validate(bundle)
    response = bundle["entry"][0]["resource"]
    assert response["questionnaire"].startswith(fhir.RETURN_QUESTIONNAIRE_URL + "|")
    assert fhir.read_response(response)["linked"]["first_reference"] == first.reference

    with db.session() as tx:
        rows = [(r.username, r.action, r.target, r.detail) for r in tx.scalars(select(AuditRow).order_by(AuditRow.id))]
    db.dispose()
    assert [row for row in rows if row[1] == "export"] == [
        ("console", "export", back.reference, {"file": "summary.pdf", "rows": 1}),
        ("console", "export", back.reference, {"file": "fhir-bundle.json", "rows": 1}),
    ]


def test_a_server_without_the_pdf_fonts_is_told_which_packages_without_a_traceback(monkeypatch, capsys):
    def no_fonts(*_: object) -> bytes:
        raise FontMissingError("Font DejaVuSans.ttf not found: install the Debian packages fonts-dejavu-core ...")

    monkeypatch.setattr(staff_cli, "_database", lambda: None)
    monkeypatch.setattr(staff_cli.service, "summary", no_fonts)
    args = argparse.Namespace(command="summary", reference="BT-7K3M-Q9PZ", out=None)
    assert staff_cli.cmd_export(args) == 1
    assert "install the Debian packages" in capsys.readouterr().err
