"""specs.record gives the spec model's classes the equality, hash and repr dataclass(frozen=True) gives."""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import FrozenInstanceError, dataclass, field

import pytest

from handrail.specs.record import record


def _twins():
    def body(cls_name):
        return type(
            cls_name,
            (),
            {
                "__annotations__": {"a": "str", "b": "int", "span": "object", "hidden": "str"},
                "b": 0,
                "span": field(default=None, compare=False),
                "hidden": field(default="", repr=False),
            },
        )

    return record(body("Thing")), dataclass(frozen=True)(body("Thing"))


VALUES = [("x", 1, None, ""), ("x", 1, "here", "h"), ("x", 2, None, ""), ("y", 1, None, "")]


@pytest.mark.parametrize("left", VALUES)
@pytest.mark.parametrize("right", VALUES)
def test_equality_hash_and_repr_match_a_frozen_dataclass(left, right):
    mine, theirs = _twins()
    assert (mine(*left) == mine(*right)) == (theirs(*left) == theirs(*right))
    assert (mine(*left) != mine(*right)) == (theirs(*left) != theirs(*right))
    assert hash(mine(*left)) == hash(theirs(*left))
    assert repr(mine(*left)) == repr(theirs(*left))


def test_other_classes_are_not_equal_and_instances_are_frozen():
    mine, theirs = _twins()
    assert mine("x") != theirs("x") and mine("x") != ("x", 0)
    with pytest.raises(FrozenInstanceError):
        mine("x").a = "y"
    with pytest.raises(FrozenInstanceError):
        del mine("x").a
    assert dataclasses.replace(mine("x"), b=3) == mine("x", 3)
    assert dataclasses.asdict(mine("x")) == {"a": "x", "b": 0, "span": None, "hidden": ""}


def test_one_field_and_no_field_records():
    @record
    class One:
        a: int

    @record
    class Empty:
        pass

    assert One(1) == One(1) != One(2) and hash(One(1)) == hash((1,))
    assert Empty() == Empty() and hash(Empty()) == hash(()) and repr(Empty()).endswith(".Empty()")


def test_spec_model_classes_keep_value_semantics():
    from helpers import EXAMPLE_SPEC

    from handrail.specs.validate import load_spec

    first, second = load_spec(EXAMPLE_SPEC).model, load_spec(EXAMPLE_SPEC).model
    assert first is not second and first == second and hash(first.fields) == hash(second.fields)
    assert first.segments[0] != first.segments[1]
    assert repr(first.fields[0]).startswith("Field(key=")
    assert sys.modules["handrail.specs.model"].Field._compared is not None
