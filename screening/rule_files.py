"""Reading a rule folder's files: only regular files, bounded in size and shape, strict YAML.

A rule folder is typed by a clinician and may hold anything: links out of the folder,
folders named ``x.yaml``, pipes, files in UTF-16, YAML built to explode (aliases that
double at each level), nesting thousands deep. Everything here is bounded so reading a
folder is quick whatever it holds, and every refusal is one line naming the file and,
for YAML, only the line and column, never the file's text: a message must not carry
the contents of a file the reader should not have reached.

The YAML dialect is deliberately small: no anchors, aliases, merge keys or tags (a rule
file writes each value out), no duplicate keys (YAML would silently keep the last),
``yes``/``no`` are words and only ``true``/``false`` are booleans.
"""

import codecs
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.error import Mark, MarkedYAMLError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.resolver import Resolver

SUFFIX = ".yaml"
MAX_FILE_BYTES = 100_000
"""The largest rule file today is under 8 kB; a file over 100 kB is not a hand-written rule file."""
MAX_TOTAL_BYTES = 400_000
MAX_FILES = 40
MAX_NESTING = 32
"""YAML levels: a rule with conditions nested as deep as the condition language allows needs about 24."""
MAX_NUMBER_DIGITS = 30
MERGE_TAG = "tag:yaml.org,2002:merge"


class RuleFileError(ValueError):
    """One file refused; the message says why without the file's name (the caller adds it) or its text."""


@dataclass(frozen=True)
class RuleText:
    """A rule file as read: its name, its bytes (hashed for the version) and its parsed YAML."""

    name: str
    raw: bytes
    data: Any


def _refusal(problem: str, mark: Mark | None) -> MarkedYAMLError:
    return MarkedYAMLError(problem=problem, problem_mark=mark)


class _BoundedComposer(Composer):
    """Builds the node tree, refusing anchors, aliases, tags and nesting past ``MAX_NESTING``."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _refusal("aliases (*name) are not allowed in rule files; write the value out", event.start_mark)
        if event.anchor is not None:
            raise _refusal("anchors (&name) are not allowed in rule files; write the value out", event.start_mark)
        if event.tag is not None and event.tag != "!":
            raise _refusal("tags (!name) are not allowed in rule files", event.start_mark)
        if self._depth >= MAX_NESTING:
            raise _refusal(f"nested more than {MAX_NESTING} levels deep", event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _StrictConstructor(SafeConstructor):
    """Safe construction, refusing duplicate and merge keys, and values Python cannot hold."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError):  # a date such as 2026-13-45
            raise _refusal("a value that cannot be read (a date or number out of range)", node.start_mark) from None

    def construct_yaml_int(self, node: ScalarNode) -> int:
        if len(node.value) > MAX_NUMBER_DIGITS:
            raise _refusal(f"a number longer than {MAX_NUMBER_DIGITS} digits", node.start_mark)
        return super().construct_yaml_int(node)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:
                raise _refusal("merge keys (<<) are not allowed in rule files", key_node.start_mark)
            if not isinstance(key_node, ScalarNode):
                continue  # the base class refuses a key that is not a plain value
            key = self.construct_object(key_node)
            if key in first:
                line = first[key].line + 1
                raise _refusal(f"a key repeated in the same mapping (first at line {line})", key_node.start_mark)
            first[key] = key_node.start_mark
        return super().construct_mapping(node, deep)


_StrictConstructor.add_constructor("tag:yaml.org,2002:int", _StrictConstructor.construct_yaml_int)


class _RuleLoader(_BoundedComposer, _StrictConstructor, Resolver, CParser):
    """libyaml's parser (about ten times faster than PyYAML's own) under the bounded composer and strict constructor."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)


_RuleLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}
_RuleLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_HARMLESS = re.compile(r"""^'(<[a-z ]+>|[^\w\s])'$""")
"""Quoted parts of PyYAML's messages that are not the file's text: token names ('<scalar>'), one punctuation mark."""


def _unquote(found: re.Match[str]) -> str:
    return found[0] if _HARMLESS.match(found[0]) else "…"


def _where(exc: yaml.YAMLError, text: str) -> str:
    """Where a YAML error is and what kind it is, with anything quoted from the file removed."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        return f"line {line}: a control character YAML does not allow"
    problem_mark, context_mark = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    context, problem = getattr(exc, "context", None), getattr(exc, "problem", None)
    if context and context_mark and problem_mark and context_mark.line != problem_mark.line:
        context += f" (from line {context_mark.line + 1}, column {context_mark.column + 1})"
    said = _QUOTED.sub(_unquote, ", ".join(part for part in (context, problem) if part) or "unreadable")
    mark = problem_mark or context_mark
    if mark is None:
        return said
    return f"line {mark.line + 1}, column {mark.column + 1}: {said}"


def _decode(raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise RuleFileError("is UTF-32 text; save it as UTF-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RuleFileError("is UTF-16 text; save it as UTF-8")
    if b"\0" in raw:
        raise RuleFileError("holds NUL bytes (UTF-16 text or not a text file); save it as UTF-8 text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RuleFileError(f"is not UTF-8 text (line {line}); save it as UTF-8") from None


def parse(raw: bytes) -> Any:
    """A rule file's bytes as data, or ``RuleFileError``; ``None`` for a file with nothing but comments."""
    text = _decode(raw)
    try:
        return yaml.load(text, Loader=_RuleLoader)  # noqa: S506 - a SafeConstructor with no aliases or tags
    except yaml.YAMLError as exc:
        raise RuleFileError(f"not valid YAML at {_where(exc, text)}") from None
    except RecursionError:  # the composer stops at MAX_NESTING; a guard should it ever be reached some other way
        raise RuleFileError(f"nested more than {MAX_NESTING} levels deep") from None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a folder, not a rule file"
    return "is not a regular file (a device, pipe or socket); a rule file must be a plain file"


def _read_bytes(path: Path) -> bytes:
    """At most ``MAX_FILE_BYTES`` of a regular file, never following a link and never waiting on a pipe."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise RuleFileError(f"cannot be read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        found = os.fstat(fd)  # of what was opened: the entry may have been swapped since it was listed
        if not stat.S_ISREG(found.st_mode):
            raise RuleFileError(_kind(found.st_mode))
        if found.st_size > MAX_FILE_BYTES:
            raise RuleFileError(f"is {found.st_size:,} bytes; a rule file may be at most {MAX_FILE_BYTES:,}")
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise RuleFileError(f"is over {MAX_FILE_BYTES:,} bytes; a rule file may be at most {MAX_FILE_BYTES:,}")
    return raw


def _read_entry(entry: os.DirEntry[str]) -> bytes:
    if entry.is_symlink():
        raise RuleFileError("is a link; a rule file must be a plain file inside the rules folder itself")
    mode = entry.stat(follow_symlinks=False).st_mode
    if not stat.S_ISREG(mode):  # refused before opening: opening a device can do things
        raise RuleFileError(_kind(mode))
    return _read_bytes(Path(entry.path))


def read_folder(folder: Path, problems: list[str]) -> list[RuleText]:
    """Every ``*.yaml`` file directly in ``folder``, read and parsed, by name; each refusal goes to ``problems``."""
    with os.scandir(folder) as listing:
        entries = sorted((e for e in listing if e.name.endswith(SUFFIX)), key=lambda e: e.name)
    if len(entries) > MAX_FILES:
        problems.append(f"{folder.name}: holds {len(entries)} {SUFFIX} files; a rule set has at most {MAX_FILES}")
        return []
    texts: list[RuleText] = []
    total = 0
    for entry in entries:
        try:
            raw = _read_entry(entry)
            total += len(raw)
            if total > MAX_TOTAL_BYTES:
                problems.append(f"{folder.name}: the rule files hold over {MAX_TOTAL_BYTES:,} bytes together")
                return []
            texts.append(RuleText(entry.name, raw, parse(raw)))
        except RuleFileError as exc:
            problems.append(f"{entry.name}: {exc}")
        except OSError as exc:  # the entry vanished or changed while being read
            problems.append(f"{entry.name}: cannot be read: {exc.strerror}")
    return texts
