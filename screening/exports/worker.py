"""Whole-queue exports run in a worker process, so a patient's submit never waits behind one.

Building a file of 100,000 rows is seconds of pure Python (reading rows, formatting cells). In
the server's own process it holds the interpreter lock for most of that time, and every
patient's submit, which hands the lock back and forth at each database call, queues behind it:
with 8 patients submitting, p99 rose from ~50 ms to ~800 ms (``python -m bench load``). In a
separate process the export uses the other core and the submits keep theirs. One worker, made on
first use and kept for the server's lifetime: a second export waits for the first rather than
taking the patients' core too. ``spawn``, not ``fork``: the server has threads, which a fork
would copy mid-step.
"""

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_pool: ProcessPoolExecutor | None = None
_made = threading.Lock()


def _worker() -> ProcessPoolExecutor:
    global _pool
    with _made:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def _forget(broken: ProcessPoolExecutor) -> None:
    global _pool
    with _made:
        if _pool is broken:
            _pool = None


def in_worker(build: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``build(*args)`` in the worker process; ``build`` is a module-level function and its arguments pickle.

    A worker that died (killed, out of memory) is replaced and the call tried once more: the file
    is built from a read-only snapshot, so building it again changes nothing.
    """
    pool = _worker()
    try:
        return pool.submit(build, *args, **kwargs).result()
    except BrokenProcessPool:
        _forget(pool)
        return _worker().submit(build, *args, **kwargs).result()
