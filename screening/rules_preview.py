"""Staff services for the rule set: reading it, and previewing what a candidate rule set would change.

The preview re-screens every stored submission with the candidate through the batch
path: each submission's facts row (stored when it was screened, ``screening.fact_store``)
decoded straight into the vectorized engine (``screen_columns``), and compares with what
each submission was given when it arrived. Nothing is stored but the audit row (and facts
rows rebuilt when stale): a preview never changes a submission's triage.

A candidate is a folder on the server typed by a clinician. It is resolved (symlinks
and ``..`` included) and must lie inside the configured root, and pass the loader like
the live rule set. The loader reads only plain files directly in the folder (a link to a
file outside the root is refused like any link), bounded in size, and its messages give
a YAML error's line and column, never a file's text; a refusal lists its problems.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from screening import fact_rows, fact_store
from screening.engine import screen_columns
from screening.loader import RuleSetError, load_ruleset
from screening.ruleset import RuleSet
from screening.staff import Role, StaffSession, require_session, write_audit
from screening.storage import Database, Tx, cases
from screening.storage import facts as stored
from screening.triage import PRECEDENCE, Triage

RULE_READERS = (Role.clinician, Role.admin)
BATCH = 1000
"""Submissions whose references and flags are read per query, for the ones that change."""
READ_BATCH = 10_000
"""Facts rows read (and screened) at a time; the progress bar moves once per batch."""


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
    """The typed folder, resolved; ``ValueError`` unless it is an existing folder inside ``root``."""
    text = typed.strip()
    if not text or "\0" in text:
        raise ValueError("Type the path of a folder on the server.")
    try:
        given = Path(text).expanduser()
        folder = (given if given.is_absolute() else root / given).resolve()
    except RuntimeError:  # how Python 3.11 reports a link loop, or a ~user with no home folder
        raise ValueError(f"{text} cannot be followed: a link that leads back to itself, or an unknown ~user.") from None
    if not folder.is_relative_to(root):
        raise ValueError(f"The candidate folder must be inside {root}.")
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder.")
    return folder


def _counts(ranks: np.ndarray) -> Counter[Triage]:
    return Counter(
        {PRECEDENCE[rank]: int(n) for rank, n in enumerate(np.bincount(ranks, minlength=len(PRECEDENCE))) if n}
    )


@dataclass
class _Moved:
    """The submissions whose triage the candidate changes, gathered batch by batch."""

    ids: list[int] = field(default_factory=list)
    before: list[int] = field(default_factory=list)
    after: list[int] = field(default_factory=list)
    fired: list[np.ndarray] = field(default_factory=list)

    def add(self, ids: np.ndarray, before: np.ndarray, after: np.ndarray, fired: np.ndarray) -> None:
        moved = np.flatnonzero(before != after)
        self.ids += ids[moved].tolist()
        self.before += before[moved].tolist()
        self.after += after[moved].tolist()
        self.fired += list(fired[moved])

    def changes(self, db: Database, rule_ids: list[str]) -> tuple[Change, ...]:
        """Each moved submission with its reference and the flags it gains and loses (read for these only)."""
        references: dict[int, str] = {}
        flags: dict[int, tuple[str, ...]] = {}
        with db.read() as tx:
            for start in range(0, len(self.ids), BATCH):
                chunk = self.ids[start : start + BATCH]
                references |= stored.references(tx, chunk)
                flags |= cases.flags_of(tx, chunk)
        out = []
        for sid, old, new, row in zip(self.ids, self.before, self.after, self.fired, strict=True):
            now = {rule_id for rule_id, on in zip(rule_ids, row, strict=True) if on}
            had = set(flags.get(sid, ()))
            out.append(
                Change(
                    references[sid],
                    PRECEDENCE[old],
                    PRECEDENCE[new],
                    tuple(sorted(now - had)),
                    tuple(sorted(had - now)),
                )
            )
        return tuple(out)


def rescreen(db: Database, candidate: RuleSet, progress: fact_store.Progress | None = None) -> Preview:
    """Every stored submission screened again with ``candidate``, diffed against what it was given when it arrived.

    Stale facts rows are rebuilt first (normally none: see ``fact_store``). The rows are then
    read in one read transaction (one snapshot; it holds up no patient's submit), a batch at a
    time, straight into the vectorized engine.
    """
    fact_store.rebuild(db, progress)
    before: Counter[Triage] = Counter()
    after: Counter[Triage] = Counter()
    moved = _Moved()
    unreadable = last = done = 0
    with db.read() as tx:
        total = stored.total(tx)
        while batch := stored.batch(tx, fact_rows.VERSION, after=last, size=READ_BATCH):
            ids, ranks, rows = zip(*batch, strict=True)
            last, done = ids[-1], done + len(batch)
            readable = [i for i, row in enumerate(rows) if row is not None]
            unreadable += len(batch) - len(readable)
            old = np.asarray(ranks, dtype=np.int8)[readable]
            new, fired = screen_columns(fact_rows.decode([rows[i] for i in readable]), len(readable), candidate)
            before, after = before + _counts(old), after + _counts(new)
            moved.add(np.asarray(ids)[readable], old, new, fired)
            if progress is not None:
                progress(min(done / max(total, 1), 1.0), f"Re-screening stored submissions: {done:,} of {total:,}")
    changes = moved.changes(db, [rule.id for rule in candidate.rules])
    return Preview(candidate, (), before, after, changes, unreadable)


def preview_candidate(
    db: Database, actor: StaffSession | None, typed: str, progress: fact_store.Progress | None = None
) -> Preview:
    """Load the candidate the clinician named and re-screen every stored submission with it; audited either way.

    The audit row is written after the re-screen, in a transaction of its own that checks the session again.
    """
    with db.session() as tx:
        _check_reader(tx, db, actor)
    try:
        preview = rescreen(db, load_ruleset(resolve_candidate(typed, candidate_root(db))), progress)
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
