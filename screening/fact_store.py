"""Keeping every stored submission's facts row current with the code.

A submission's facts row is written with it at submit (``intake``). A row is stale when it
is missing (a submission stored before rows existed) or its version is not
``fact_rows.VERSION`` (a fact was added or changed since): it is rebuilt from the stored
answers. Migration 0005 fills the rows of the submissions that existed then (``fill``);
afterwards the app rebuilds stale rows in the background when it starts, and the rule-change
preview rebuilds any still stale before it reads them (``rebuild``). So a change to the fact
catalogue needs no migration of its own.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from screening import fact_rows
from screening.storage import Database, Tx
from screening.storage import facts as stored

BATCH = 500
"""Rows rebuilt per write transaction: short, so a patient's submit waits little behind one."""
Progress = Callable[[float, str], None]
"""Told the share done (0 to 1) and a line for a person; the Rules page draws it as a progress bar."""


def _rows(stale: list[tuple[int, dict | None]]) -> list[tuple[int, bytes | None]]:
    """An erased submission's answers cannot be read: its row becomes NULL, counted as unreadable by the preview."""
    return [(sid, None if answers is None else fact_rows.encode_answers(answers)) for sid, answers in stale]


def _rebuild(
    read: Callable[[], AbstractContextManager[Tx]],
    write: Callable[[], AbstractContextManager[Tx]],
    progress: Progress | None,
) -> int:
    """Stale rows rebuilt a batch at a time, by id; the answers are turned into facts between transactions."""
    with read() as tx:
        todo = stored.count_stale(tx, fact_rows.VERSION)
    done = after = 0
    while todo:
        with read() as tx:
            stale = stored.stale_answers(tx, fact_rows.VERSION, after=after, size=BATCH)
        if not stale:
            break
        rows = _rows(stale)
        with write() as tx:
            stored.write(tx, fact_rows.VERSION, rows)
        done, after = done + len(rows), stale[-1][0]
        if progress is not None:
            progress(min(done / todo, 1.0), f"Updating stored facts to the current questions: {done:,} of {todo:,}")
    return done


def fill(tx: Tx) -> int:
    """Every stale row rebuilt inside one transaction (migration 0005's); returns how many."""
    return _rebuild(lambda: nullcontext(tx), lambda: nullcontext(tx), None)


def rebuild(db: Database, progress: Progress | None = None) -> int:
    """Every stale row rebuilt, each batch read in a read transaction and written in a short write one."""
    return _rebuild(db.read, db.session, progress)
