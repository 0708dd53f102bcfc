"""Compose YAML events into nodes, counting as they arrive.

PyYAML's composer builds every node before anyone can count them, and recurses once per nesting level,
so a long flat list costs minutes and deep nesting a RecursionError. This composer stops at the first
node over the limits. Events come from libyaml when PyYAML has it (ten times faster), else from PyYAML's
pure-Python parser; both raise MarkedYAMLError with a position on bad syntax.
"""

from __future__ import annotations

from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from handrail.specs.diagnostics import Span, SpecError, error
from handrail.specs.limits import MAX_DEPTH, MAX_NODES

try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None


class _PythonEvents(Reader, Scanner, Parser):
    def __init__(self, text: str):
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)


def _events(text: str):
    return CParser(text) if CParser is not None else _PythonEvents(text)


def compose_documents(text: str, name: str) -> list[Node]:
    """The documents' root nodes; stops after the second document (one is all a spec may hold)."""
    events = _events(text)
    composer = _Composer(events, name)
    events.get_event()  # stream start
    roots: list[Node] = []
    while not events.check_event(StreamEndEvent) and len(roots) < 2:
        events.get_event()  # document start
        roots.append(composer.node(0))
        events.get_event()  # document end
        composer.anchors.clear()  # anchors are per document
    return roots


class _Composer:
    def __init__(self, events, name: str):
        self.events = events
        self.name = name
        self.resolver = Resolver()
        self.anchors: dict[str, Node] = {}
        self.count = 0

    def _limit(self, mark, code: str, message: str, hint: str) -> SpecError:
        return SpecError(
            [error(code, message, span=Span(self.name, mark.line + 1, mark.column + 1), hint=hint)]
        )

    def node(self, depth: int) -> Node:
        events = self.events
        event = events.peek_event()
        self.count += 1
        if self.count > MAX_NODES:
            raise self._limit(
                event.start_mark,
                "too-large",
                f"the file holds more than {MAX_NODES} values",
                "a handoff spec has a few thousand; is this the right file?",
            )
        if depth > MAX_DEPTH:
            raise self._limit(
                event.start_mark,
                "too-deep",
                f"values nest more than {MAX_DEPTH} levels deep",
                "a handoff spec nests a few levels; check the brackets and indentation",
            )
        if events.check_event(AliasEvent):
            event = events.get_event()
            if event.anchor not in self.anchors:
                raise ComposerError(None, None, f"found undefined alias '{event.anchor}'", event.start_mark)
            return self.anchors[event.anchor]
        if events.check_event(ScalarEvent):
            event = events.get_event()
            tag = event.tag
            if tag is None or tag == "!":
                tag = self.resolver.resolve(ScalarNode, event.value, event.implicit)
            node: Node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
            self._anchor(event, node)
            return node
        if events.check_event(SequenceStartEvent):
            event = events.get_event()
            tag = (
                event.tag
                if event.tag not in (None, "!")
                else self.resolver.resolve(SequenceNode, None, event.implicit)
            )
            node = SequenceNode(tag, [], event.start_mark, None, flow_style=event.flow_style)
            self._anchor(event, node)
            while not events.check_event(SequenceEndEvent):
                node.value.append(self.node(depth + 1))
            node.end_mark = events.get_event().end_mark
            return node
        event = events.get_event()
        if not isinstance(event, MappingStartEvent):  # the parser emits nothing else here
            raise ComposerError(None, None, f"unexpected {type(event).__name__}", event.start_mark)
        tag = (
            event.tag
            if event.tag not in (None, "!")
            else self.resolver.resolve(MappingNode, None, event.implicit)
        )
        node = MappingNode(tag, [], event.start_mark, None, flow_style=event.flow_style)
        self._anchor(event, node)
        while not events.check_event(MappingEndEvent):
            key = self.node(depth + 1)
            node.value.append((key, self.node(depth + 1)))
        node.end_mark = events.get_event().end_mark
        return node

    def _anchor(self, event, node: Node) -> None:
        # Registered before the children are read, as PyYAML does, so `&a [*a]` is seen (and refused) later.
        if event.anchor is not None:
            self.anchors[event.anchor] = node
