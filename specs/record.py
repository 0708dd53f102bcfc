"""`@record`: the spec model's value classes, frozen dataclasses that share one __eq__, __hash__ and __repr__.

`dataclass(frozen=True)` compiles six methods per class with exec; the spec model declares some forty
classes, and compiling their __eq__, __hash__ and __repr__ took about a tenth of `handrail validate`.
A record compiles only __init__ and the frozen guards; equality, hash and repr are the same functions for
every class, reading the fields with operator.attrgetter, and give what the generated methods give:
equal when of the same class with equal compared fields, the hash of those fields' tuple, and
`Class(field=value, ...)` over the fields with repr=True. fields(), replace() and asdict() work as for
any dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter
from typing import TypeVar

T = TypeVar("T")


def record(cls: type[T]) -> type[T]:
    cls = dataclass(frozen=True, eq=False, repr=False)(cls)
    cls._compared = staticmethod(_getter(tuple(f.name for f in fields(cls) if f.compare)))
    cls._shown = tuple(f.name for f in fields(cls) if f.repr)
    cls.__eq__ = _eq
    cls.__hash__ = _hash
    cls.__repr__ = _repr
    return cls


def _getter(names: tuple[str, ...]):
    """The compared fields' values as a tuple (attrgetter gives a bare value for a single name)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _eq(self, other):
    if other.__class__ is not self.__class__:
        return NotImplemented
    return self._compared(self) == other._compared(other)


def _hash(self) -> int:
    return hash(self._compared(self))


def _repr(self) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
    return f"{self.__class__.__qualname__}({shown})"
