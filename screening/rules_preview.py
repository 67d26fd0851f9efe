"""Staff services for the rule set: reading it, and previewing what a candidate rule set would change.

The preview re-screens every stored submission with the candidate through the batch
path (``facts_frame`` + ``screen_frame``), a batch of answers at a time, and compares
with what each submission was given when it arrived. Nothing is stored but the audit
row: a preview never changes a submission's triage.

A candidate is a folder on the server typed by a clinician. It is resolved (symlinks
and ``..`` included) and must lie inside the configured root, hold only a small amount
of YAML, and pass the loader like the live rule set; a refusal lists the loader's problems.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from screening.answers import Submission, read_stored
from screening.engine import screen_frame
from screening.facts import facts_frame
from screening.loader import RuleSetError, load_ruleset
from screening.ruleset import RuleSet
from screening.staff import Role, StaffSession, require_session, write_audit
from screening.storage import Database, Tx, cases
from screening.triage import Triage

RULE_READERS = (Role.clinician, Role.admin)
BATCH = 1000
MAX_YAML_BYTES = 1_000_000
"""A rule set is a few tens of kilobytes; a bigger folder is not one, and reading it would only cost time."""


@dataclass(frozen=True)
class Change:
    reference: str
    before: Triage
    after: Triage
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class Preview:
    """A candidate's effect on the stored submissions, or the reasons it was refused (``problems``)."""

    candidate: RuleSet | None
    problems: tuple[str, ...] = ()
    before: Counter[Triage] = field(default_factory=Counter)
    after: Counter[Triage] = field(default_factory=Counter)
    changes: tuple[Change, ...] = ()
    unreadable: int = 0
    """Stored answers the current answer model no longer accepts (left out of both counts)."""

    @property
    def screened(self) -> int:
        return sum(self.after.values())


def candidate_root(db: Database) -> Path:
    return (db.config.candidate_rules_root or db.config.data_dir).resolve()


def _check_reader(tx: Tx, db: Database, actor: StaffSession | None) -> StaffSession:
    live = require_session(tx, db, actor)
    if live.role not in RULE_READERS:
        raise PermissionError("Only clinicians and administrators can read the rule set.")
    return live


def record_rules_view(db: Database, actor: StaffSession | None, ruleset: RuleSet) -> None:
    """Opening the rules page: refused to intake staff, audited for the others."""
    with db.session() as tx:
        live = _check_reader(tx, db, actor)
        write_audit(tx, db, live, "rules_view", ruleset.ref.version, ruleset.ref.to_dict())


def resolve_candidate(typed: str, root: Path) -> Path:
    """The typed folder, resolved; ``ValueError`` unless it is an existing folder inside ``root`` with little YAML."""
    text = typed.strip()
    if not text or "\0" in text:
        raise ValueError("Type the path of a folder on the server.")
    given = Path(text).expanduser()
    folder = (given if given.is_absolute() else root / given).resolve()
    if not folder.is_relative_to(root):
        raise ValueError(f"The candidate folder must be inside {root}.")
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder.")
    if sum(path.stat().st_size for path in folder.glob("*.yaml")) > MAX_YAML_BYTES:
        raise ValueError(f"{folder} holds more than {MAX_YAML_BYTES:,} bytes of YAML: not a rule set.")
    return folder


def _stored_batches(db: Database) -> Iterator[list[cases.StoredAnswers]]:
    last = 0
    while True:
        with db.session() as tx:
            batch = cases.answer_batch(tx, after=last, size=BATCH)
        if not batch:
            return
        yield batch
        last = batch[-1].submission_id


def _readable(batch: list[cases.StoredAnswers]) -> tuple[list[cases.StoredAnswers], list[Submission]]:
    stored, submissions = [], []
    for item in batch:
        try:
            submissions.append(read_stored(item.answers))
        except ValidationError:
            continue
        stored.append(item)
    return stored, submissions


def rescreen(db: Database, candidate: RuleSet) -> Preview:
    """Every stored submission screened again with ``candidate``, diffed against what it was given when it arrived."""
    before: Counter[Triage] = Counter()
    after: Counter[Triage] = Counter()
    changes: list[Change] = []
    rule_ids = [rule.id for rule in candidate.rules]
    unreadable = 0
    for batch in _stored_batches(db):
        stored, submissions = _readable(batch)
        unreadable += len(batch) - len(stored)
        if not stored:
            continue
        verdicts = screen_frame(facts_frame(submissions), candidate)
        fired = verdicts[rule_ids].to_numpy()
        for item, triage, row in zip(stored, verdicts["triage"], fired, strict=True):
            old, new = Triage(item.triage), Triage(triage)
            before[old] += 1
            after[new] += 1
            if old != new:
                flags = {rule_id for rule_id, on in zip(rule_ids, row, strict=True) if on}
                added, removed = sorted(flags - set(item.flags)), sorted(set(item.flags) - flags)
                changes.append(Change(item.reference, old, new, tuple(added), tuple(removed)))
    return Preview(candidate, (), before, after, tuple(changes), unreadable)


def preview_candidate(db: Database, actor: StaffSession | None, typed: str) -> Preview:
    """Load the candidate the clinician named and re-screen every stored submission with it; audited either way.

    The audit row is written after the re-screen, in a transaction of its own that checks the session again.
    """
    with db.session() as tx:
        _check_reader(tx, db, actor)
    try:
        preview = rescreen(db, load_ruleset(resolve_candidate(typed, candidate_root(db))))
    except RuleSetError as exc:
        preview = Preview(None, tuple(exc.problems))
    except (ValueError, OSError) as exc:  # outside the root, not a folder, unreadable
        preview = Preview(None, (str(exc),))
    with db.session() as tx:
        live = _check_reader(tx, db, actor)
        write_audit(tx, db, live, "rules_preview", typed.strip()[:100], _audit_detail(preview))
    return preview


def _audit_detail(preview: Preview) -> dict[str, object]:
    if preview.candidate is None:
        return {"refused": len(preview.problems)}
    return {
        "candidate": preview.candidate.ref.to_dict(),
        "screened": preview.screened,
        "changed": len(preview.changes),
    }
