"""Access request: everything the clinic holds about one person, as one readable file and as JSON.

For each submission and return visit: when and how it came, the answers, the result with each
flag's reason and source, its status history, the notes staff typed, its video call events, and
every audit row about it (who viewed, exported, moved or erased it, and when); then the person's
saved drafts. The HTML is built from the JSON, so the two always say the same; every value from
a person is escaped (patient text is never markup). Finding the person and taking the export are
each audited, with how the person was found but never their name or birth date.
"""

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from screening.answers import section_model
from screening.choices import label
from screening.privacy.erasure import _admin
from screening.privacy.people import Lookup, Person, find
from screening.staff import Actor, write_audit
from screening.storage import Database, Tx, cases, drafts, rights
from screening.storage.models import CaseState
from screening.wording import count

FORMAT = "botox-prescreening/access-export/1"


@dataclass(frozen=True)
class Held:
    """A short list of what was found, for the page to show before anything is exported or erased."""

    references: tuple[str, ...]
    received: tuple[datetime, ...]
    visits: tuple[str, ...]
    erased: tuple[bool, ...]
    drafts: int

    @property
    def empty(self) -> bool:
        return not self.references and not self.drafts


@dataclass(frozen=True)
class AccessExport:
    data: dict[str, Any]
    html: str

    @property
    def json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=2)

    @property
    def file_stem(self) -> str:
        first = self.data["submissions"][0]["reference"] if self.data["submissions"] else "drafts"
        return f"access-{first}-{self.data['generated_at'][:10]}"


def look_up(db: Database, actor: Actor | None, lookup: Lookup) -> Held:
    """What is held about the person, in brief (audited: who looked, how, what was found)."""
    lookup = lookup.checked()
    with db.session() as tx:
        live = _admin(tx, db, actor)
        person = find(tx, db, lookup)
        write_audit(
            tx, db, live, "access_search", None, {"by": lookup.describe(), "found": list(person.references)}
        )
    rows = person.submissions
    return Held(
        tuple(r.reference for r in rows),
        tuple(r.created_at for r in rows),
        tuple(r.visit_kind for r in rows),
        tuple(r.erased for r in rows),
        len(person.drafts),
    )


def export(db: Database, actor: Actor | None, lookup: Lookup) -> AccessExport:
    """Everything held about the person; one audit row per submission (and per draft) it shows."""
    lookup = lookup.checked()
    with db.session() as tx:
        live = _admin(tx, db, actor)
        person = find(tx, db, lookup)
        if not person.submissions and not person.drafts:
            raise LookupError("Nothing is held about this person (check the reference, or the name and birth date).")
        data = _data(tx, db, person, getattr(live, "display_name", live.username))
        for reference in person.references:
            write_audit(tx, db, live, "access_export", reference, {"by": lookup.describe(), "file": "html+json"})
        for draft in person.drafts:
            write_audit(tx, db, live, "access_export", f"draft:{draft.id}", {"by": lookup.describe()})
    return AccessExport(data, render_html(data))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _data(tx: Tx, db: Database, person: Person, by: str) -> dict[str, Any]:
    references = {row.id: row.reference for row in person.submissions}
    access = rights.audit_rows(tx, list(references.values()))
    return {
        "format": FORMAT,
        "generated_at": db.now().isoformat(),
        "generated_by": by,
        "submissions": [
            _submission(tx, row, person.states.get(row.id), references, [a for a in access if a.target == ref])
            for row in person.submissions
            if (ref := row.reference)
        ],
        "drafts": [
            {
                "saved_at": _iso(row.created_at),
                "last_changed_at": _iso(row.updated_at),
                "kept_until": _iso(row.expires_at),
                "step": row.step,
                "answers": drafts.answers_of(tx, row),
            }
            for row in person.drafts
        ],
    }


def _submission(
    tx: Tx, row: cases.Stored, state: CaseState | None, references: dict[int, str], access: Iterable[Any]
) -> dict[str, Any]:
    history, notes, other = [], [], []
    for event, who in cases.timeline(tx, row.id):
        by = who or "patient / system"
        if event.kind == "status":
            data = event.data
            history.append({"at": _iso(event.at), "from": data.get("from"), "to": data.get("to"), "by": by})
            if data.get("note"):
                notes.append({"at": _iso(event.at), "by": by, "text": data["note"]})
        elif event.kind == "note":
            notes.append({"at": _iso(event.at), "by": by, "text": event.data.get("text")})
        else:
            other.append({"at": _iso(event.at), "kind": event.kind, "by": by, "data": event.data})
    return {
        "reference": row.reference,
        "received_at": _iso(row.created_at),
        "visit": row.visit_kind,
        "first_visit": references.get(row.first_submission_id) if row.first_submission_id else None,
        "pathway": row.pathway,
        "triage": row.triage,
        "rule_set": {"version": row.ruleset_version, "hash": row.ruleset_hash},
        "status": state.status if state else None,
        "erased_at": _iso(state.erased_at) if state else None,
        "answers": row.answers,
        "result": row.result,
        "status_history": history,
        "notes": notes,
        "other_events": other,
        "record_access": [
            {"at": _iso(a.at), "who": a.username, "action": a.action, "detail": a.detail} for a in access
        ],
    }


# --- the readable file ---------------------------------------------------------------------------------

STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #bbb;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f1f3f5;width:35%}h2{border-top:2px solid #333;padding-top:1rem}
.erased{background:#fff3cd;padding:.5rem}"""


def _e(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_e(v) for v in value) or "—"
    if isinstance(value, dict):
        return html.escape(json.dumps(value, ensure_ascii=False))
    return html.escape(label(value) if isinstance(value, str) else str(value))


def _table(rows: Iterable[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _grid(columns: list[str], rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>None.</p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _answers(answers: dict[str, Any] | None) -> str:
    if answers is None:
        return '<p class="erased">Erased: these answers can no longer be read by anyone.</p>'
    parts = []
    for section, given in answers.items():
        if not isinstance(given, dict):
            continue
        try:
            fields = section_model(section).model_fields
        except (KeyError, StopIteration):
            fields = {}
        rows = [((fields[name].title if name in fields else None) or name, value) for name, value in given.items()]
        parts.append(f"<h4>{html.escape(section.replace('_', ' ').capitalize())}</h4>{_table(rows)}")
    return "".join(parts)


def _result(result: dict[str, Any] | None) -> str:
    if result is None:
        return '<p class="erased">Erased.</p>'
    flags = [
        {"flag": f.get("title") or f.get("id"), "reason": f.get("reason"), "source": f.get("source")}
        for f in result.get("flags") or []
    ]
    return f"<p>Triage: {_e(result.get('triage'))}</p>" + _grid(["flag", "reason", "source"], flags)


def render_html(data: dict[str, Any]) -> str:
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Access request</title>",
        f"<style>{STYLE}</style></head><body><h1>Everything the clinic holds about this person</h1>",
        _table([("Prepared", data["generated_at"]), ("Prepared by", data["generated_by"])]),
        f"<p>{count(len(data['submissions']), 'submission')} and {count(len(data['drafts']), 'saved draft')}. "
        "A machine-readable copy of the same content is in the JSON file prepared with this one.</p>",
    ]
    for item in data["submissions"]:
        parts.append(f"<h2>Submission {html.escape(item['reference'])}</h2>")
        if item["erased_at"]:
            parts.append(f"<p class='erased'>Identifying data erased at {_e(item['erased_at'])}.</p>")
        parts.append(
            _table(
                [
                    ("Received", item["received_at"]),
                    ("Visit", "return visit" if item["visit"] == "return" else "first screening"),
                    ("First screening of this visit", item["first_visit"]),
                    ("Pathway", item["pathway"]),
                    ("Triage", item["triage"]),
                    ("Rule set", f"{item['rule_set']['version']} ({item['rule_set']['hash'][:12]})"),
                    ("Status now", item["status"]),
                ]
            )
        )
        parts += ["<h3>Answers</h3>", _answers(item["answers"]), "<h3>Result and reasons</h3>", _result(item["result"])]
        parts += ["<h3>Status history</h3>", _grid(["at", "from", "to", "by"], item["status_history"])]
        parts += ["<h3>Notes</h3>", _grid(["at", "by", "text"], item["notes"])]
        parts += ["<h3>Video call</h3>", _grid(["at", "kind", "by", "data"], item["other_events"])]
        parts += ["<h3>Who opened, exported or changed this record</h3>"]
        parts.append(_grid(["at", "who", "action", "detail"], item["record_access"]))
    for number, draft in enumerate(data["drafts"], 1):
        parts.append(f"<h2>Saved draft {number}</h2>")
        when = [("Saved", draft["saved_at"]), ("Last changed", draft["last_changed_at"])]
        parts.append(_table([*when, ("Kept until", draft["kept_until"])]))
        parts.append(_answers(draft["answers"]))
    parts.append("</body></html>")
    return "".join(parts)
