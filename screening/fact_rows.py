"""A submission's facts as one fixed-width binary row: stored when it is screened, read back in bulk.

The rule-change preview re-screens every stored submission. Re-validating the stored answers
and deriving their facts costs about 140 µs each; reading this row costs well under 1 µs, and
a batch of rows is one ``numpy.frombuffer`` away from the columns the vectorized engine
tests. Only numbers and options are stored (rules cannot compare text facts): numbers as
little-endian float64 (NaN unknown), options as their index among the fact's options (-1 unknown).

``VERSION`` names the layout *and* the code that computes the values. It is a hash of every
stored fact's name, kind and options, and of the source of the modules that turn answers
into facts (answers, choices, catalogue, facts, and the return visit's). Any change there, a fact added, an option
renamed, a derived fact computed differently, gives a new version, and rows of another
version are rebuilt from their answers (``screening.fact_store``); no migration is written
per change of the catalogue.
"""

import hashlib
import inspect
import struct
from collections.abc import Callable, Mapping, Sequence
from operator import call, itemgetter
from types import ModuleType
from typing import Any

import numpy as np
from pydantic import ValidationError

from screening import answers, catalogue, choices, facts
from screening.conditions import Columns
from screening.facts import FACTS, Fact, facts_of
from screening.returns import answers as return_answers
from screening.returns import derived as return_derived
from screening.returns.answers import read_visit

STORED: tuple[Fact, ...] = tuple(fact for fact in FACTS.values() if fact.kind != "text")
"""The facts a rule can compare, in ``FACTS`` order: a row holds exactly these."""
SOURCES: tuple[ModuleType, ...] = (answers, choices, catalogue, facts, return_answers, return_derived)
"""The modules whose code decides a submission's facts."""


def catalogue_version(stored: Sequence[Fact], sources: Sequence[ModuleType]) -> str:
    """16 hex digits over the row layout and the source of the modules that fill it."""
    digest = hashlib.sha256()
    for fact in stored:
        digest.update(repr((fact.name, fact.kind, fact.choices)).encode())
    for module in sources:
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()[:16]


VERSION = catalogue_version(STORED, SOURCES)

_NUMBER = tuple(fact.kind == "number" for fact in STORED)
_CODE_TYPE = "b" if max((len(f.choices) for f in STORED), default=0) < 127 else "h"
_LAYOUT = struct.Struct("<" + "".join("d" if number else _CODE_TYPE for number in _NUMBER))
_CODE_DTYPE = f"<i{struct.calcsize(_CODE_TYPE)}"
ROW = np.dtype([(f.name, "<f8" if number else _CODE_DTYPE) for f, number in zip(STORED, _NUMBER, strict=True)])
"""The same layout for numpy (packed, little-endian), to read many rows at once."""
_VALUES = itemgetter(*(fact.name for fact in STORED))


def _number(value: float | None) -> float:
    return _NAN if value is None else value


_NAN = float("nan")
_PACKERS: tuple[Callable[[Any], float | int], ...] = tuple(
    _number if number else {None: -1, **{option: i for i, option in enumerate(fact.choices)}}.__getitem__
    for fact, number in zip(STORED, _NUMBER, strict=True)
)
"""Per stored fact: a number as itself (NaN when unknown); an option as its index (-1 when unknown)."""


def encode(values: Mapping[str, Any]) -> bytes:
    """One submission's facts (``facts_of``) as a row."""
    return _LAYOUT.pack(*map(call, _PACKERS, _VALUES(values)))


def encode_answers(stored_answers: Mapping[str, Any]) -> bytes | None:
    """The row of stored answers, or None when the answer model no longer accepts them."""
    try:
        submission = read_visit(dict(stored_answers))
    except ValidationError:
        return None
    return encode(facts_of(submission))


def decode(rows: Sequence[bytes]) -> Columns:
    """Many rows as the engine's columns: numbers float64 (NaN unknown), options int codes (-1 unknown)."""
    table = np.frombuffer(b"".join(rows), dtype=ROW)
    return {fact.name: np.ascontiguousarray(table[fact.name]) for fact in STORED}


def values_of(row: bytes) -> dict[str, Any]:
    """One row back as fact values, as ``facts_of`` gave them (text facts left out): for reading a row by hand."""
    unpacked = _LAYOUT.unpack(row)
    return {
        fact.name: (None if value != value else value) if number else (None if value < 0 else fact.choices[value])
        for fact, number, value in zip(STORED, _NUMBER, unpacked, strict=True)
    }
