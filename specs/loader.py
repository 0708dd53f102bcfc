"""Load YAML into plain data while remembering where every node came from.

PyYAML's safe loader silently keeps the last of duplicate keys and expands aliases without limit,
so this module composes the node graph itself and builds the data from it.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from handrail.specs.compose import compose_documents
from handrail.specs.diagnostics import Diagnostic, Span, SpecError, error, format_path
from handrail.specs.limits import MAX_BYTES, MAX_DEPTH, MAX_NODES

Path_ = tuple  # ("fields", 2, "weight")


@dataclass
class Document:
    """Plain data plus the location of every value (``spans``) and every mapping key (``key_spans``)."""

    file: str
    data: Any
    spans: dict[Path_, Span] = field(default_factory=dict)
    key_spans: dict[Path_, Span] = field(default_factory=dict)

    def span(self, path: Path_) -> Span:
        """The closest known location for a path: the node itself, else its nearest ancestor."""
        path = tuple(path)
        while path:
            if path in self.spans:
                return self.spans[path]
            path = path[:-1]
        return self.spans.get((), Span(self.file, 1, 1))

    def key_span(self, path: Path_) -> Span:
        return self.key_spans.get(tuple(path)) or self.span(path)


def load_file(path: str | Path) -> Document:
    """Read a spec file; anything but a regular file (a folder, a FIFO, a device) is refused before
    reading."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SpecError([error("file", f"no such file: {path}", hint="check the path")]) from None
    except OSError as exc:
        raise SpecError([error("file", f"cannot read {path}: {exc.strerror}")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise SpecError([error("file", f"{path} is a folder, not a spec file")])
    if not stat.S_ISREG(info.st_mode):
        raise SpecError(
            [
                error(
                    "file",
                    f"{path} is not a regular file ({_kind(info.st_mode)})",
                    hint="give the path of a YAML file",
                )
            ]
        )
    try:
        # O_NONBLOCK: should the path be swapped for a FIFO after the check, opening it must not wait for a
        # writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise SpecError(
                    [error("file", f"{path} is not a regular file", hint="give the path of a YAML file")]
                )
            raw = handle.read(MAX_BYTES + 1)  # never more than the limit, whatever the file's size
    except OSError as exc:
        raise SpecError([error("file", f"cannot read {path}: {exc.strerror}")]) from None
    return load_bytes(raw, str(path))


def _kind(mode: int) -> str:
    for test, word in (
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return word
    return "not a plain file"


def load_bytes(raw: bytes, name: str) -> Document:
    if len(raw) > MAX_BYTES:
        raise SpecError(
            [
                error(
                    "too-large",
                    f"file is larger than the limit of {MAX_BYTES} bytes",
                    span=Span(name, 1, 1),
                    hint="a handoff spec is a few kilobytes; is this the right file?",
                )
            ]
        )
    text = _decode(raw, name)
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise SpecError(
            [
                error(
                    "empty",
                    "the file is empty",
                    span=Span(name, 1, 1),
                    hint="start from `handrail init` or specs/examples/handoff.yaml",
                )
            ]
        )
    _check_characters(text, name)
    try:
        nodes = compose_documents(text, name)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = Span(name, mark.line + 1, mark.column + 1) if mark else Span(name, 1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem:
            problem += f" ({exc.context} that starts at line {exc.context_mark.line + 1})"
        raise SpecError(
            [error("yaml-syntax", f"YAML syntax error: {problem}", span=span, hint=_syntax_hint(problem))]
        ) from None
    # reader errors carry no mark; _check_characters catches the known ones first
    except yaml.YAMLError as exc:
        raise SpecError([error("yaml-syntax", f"YAML error: {exc}", span=Span(name, 1, 1))]) from None
    if len(nodes) != 1:
        if not nodes:
            raise SpecError([error("empty", "the file holds no YAML document", span=Span(name, 1, 1))])
        second = nodes[1].start_mark
        raise SpecError(
            [
                error(
                    "multi-document",
                    "the file holds more than one YAML document ('---')",
                    span=Span(name, second.line + 1, second.column + 1),
                    hint="keep one spec per file",
                )
            ]
        )
    builder = _Builder(name)
    data = builder.build(nodes[0], ())
    if builder.problems:
        raise SpecError(builder.problems)
    return Document(name, data, builder.spans, builder.key_spans)


# The characters YAML 1.1 allows in a stream (PyYAML's reader rejects the rest, without a line number).
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# Control characters a decoded string may not hold: all C0 controls but tab, line feed and carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_characters(text: str, name: str) -> None:
    found = _NOT_PRINTABLE.search(text)
    if found:
        offset = found.start()
        raise SpecError(
            [
                error(
                    "encoding",
                    f"control character U+{ord(found.group()):04X} is not allowed in YAML",
                    span=Span(name, *_line_column(text, offset)),
                    hint="delete it, or write it as an escape such as \\t inside double quotes",
                )
            ]
        )


def _line_column(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpecError(
            [
                error(
                    "encoding",
                    "the file is UTF-16; Handrail reads UTF-8 only",
                    span=Span(name, 1, 1),
                    hint="re-save the file as UTF-8",
                )
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise SpecError(
            [
                error(
                    "encoding",
                    f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                    span=Span(name, line, column),
                    hint="re-save the file as UTF-8",
                )
            ]
        ) from None
    if "\x00" in text:
        raise SpecError(
            [
                error(
                    "encoding",
                    "the file contains a NUL character; is it binary?",
                    span=Span(name, *_line_column(text, text.index("\x00"))),
                )
            ]
        )
    return text


def _syntax_hint(problem: str) -> str:
    if "tab" in problem or "\\t" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "quote values that contain ': '"
    if "nesting depth" in problem:
        return "a handoff spec nests a few levels; check the brackets"
    if "found undefined alias" in problem:
        return "define the anchor (&name) before using *name"
    return ""


_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _Builder:
    """Turns a composed node graph into Python data, recording spans and catching abuse."""

    _scalar = SafeConstructor()

    def __init__(self, name: str):
        self.name = name
        self.spans: dict[Path_, Span] = {}
        self.key_spans: dict[Path_, Span] = {}
        self.problems: list[Diagnostic] = []
        self.count = 0
        self.active: set[int] = set()

    def _span(self, node: Node) -> Span:
        return Span(self.name, node.start_mark.line + 1, node.start_mark.column + 1)

    def _error(self, code: str, message: str, node: Node, path: Path_, hint: str = "") -> Diagnostic:
        return error(code, message, span=self._span(node), path=format_path(path), hint=hint)

    def _problem(self, code: str, message: str, node: Node, path: Path_, hint: str = "") -> None:
        self.problems.append(self._error(code, message, node, path, hint))

    def _unsupported_tag(self, node: Node, path: Path_) -> None:
        hint = "remove the tag; specs hold plain data"
        self._problem("yaml-tag", f"unsupported YAML tag {node.tag}", node, path, hint)

    def build(self, node: Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            # Aliased nodes carry their anchor's position; the top-level key says where expansion began.
            raise SpecError(
                [
                    error(
                        "alias-bomb",
                        f"the document expands to more than {MAX_NODES} values",
                        span=self.key_spans.get(path[:1], self._span(node)),
                        path=format_path(path[:1]),
                        hint="YAML aliases (*name) are expanding exponentially; remove them",
                    )
                ]
            )
        if len(path) > MAX_DEPTH or id(node) in self.active:
            raise SpecError(
                [
                    self._error(
                        "alias-cycle",
                        "the document nests too deeply or refers to itself",
                        node,
                        path,
                        "remove the recursive alias",
                    )
                ]
            )
        self.spans.setdefault(path, self._span(node))
        if isinstance(node, ScalarNode):
            return self._scalar_value(node, path)
        if node.tag not in _COLLECTION_TAGS:
            self._unsupported_tag(node, path)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
            return self._mapping(node, path)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: MappingNode, path: Path_) -> dict:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(
                    "merge-key",
                    "YAML merge keys ('<<') are not supported",
                    key_node,
                    path,
                    "write the keys out; merges hide where values come from",
                )
                continue
            if not isinstance(key_node, ScalarNode):
                self._problem("key-type", "mapping keys must be plain text", key_node, path)
                continue
            key = str(key_node.value)
            if key in out:
                first = self.key_spans[path + (key,)]
                self._problem(
                    "duplicate-key",
                    f"duplicate key '{key}' (first defined at line {first.line})",
                    key_node,
                    path,
                    "YAML keeps only the last one; remove or rename one of them",
                )
                continue
            self.key_spans[path + (key,)] = self._span(key_node)
            out[key] = self.build(value_node, path + (key,))
        return out

    def _scalar_value(self, node: ScalarNode, path: Path_) -> Any:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # keep dates as the text the user wrote
        constructor = SafeConstructor.yaml_constructors.get(node.tag)
        if constructor is None or not node.tag.startswith("tag:yaml.org,2002:"):
            self._unsupported_tag(node, path)
            return None
        try:
            value = constructor(self._scalar, node)
        except (yaml.YAMLError, ValueError) as exc:
            self._problem("yaml-value", f"cannot read value: {exc}", node, path)
            return None
        found = _CONTROL.search(value) if isinstance(value, str) else None
        if found:  # written as an escape ("\x07"): YAML accepts it, no CRM text field or metadata XML does
            self._problem(
                "control-character",
                f"control character U+{ord(found.group()):04X} in text",
                node,
                path,
                "remove the escape; text may hold tabs and line breaks only",
            )
        return value
