"""``python -m screening summary REF --out file.pdf`` and ``python -m screening fhir REF`` on the staff console:
the files are written, a wrong reference says so with exit code 2, and each export is an audit row as "console"."""

import json
import os
import subprocess
import sys
from pathlib import Path

from core_support import ROOT
from pypdf import PdfReader
from sqlalchemy import select
from storage_support import patient

from screening import intake
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

    done = run(data_dir, "fhir", receipt.reference)
    assert done.returncode == 0, done.stderr
    bundle = json.loads(done.stdout)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["QuestionnaireResponse", "Observation"]

    missing = run(data_dir, "fhir", "BT-0000-0000")
    assert (missing.returncode, missing.stderr.strip()) == (2, "No submission with reference BT-0000-0000.")

    with db.session() as tx:
        rows = [(r.username, r.action, r.target, r.detail) for r in tx.scalars(select(AuditRow).order_by(AuditRow.id))]
    db.dispose()
    assert rows == [
        ("console", "export", receipt.reference, {"file": "summary.pdf", "rows": 1}),
        ("console", "export", receipt.reference, {"file": "fhir-bundle.json", "rows": 1}),
    ]
