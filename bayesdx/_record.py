"""Frozen records for the classes a one-case query creates, without a dataclass's start-up.

``@dataclass(frozen=True)`` writes each class's ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__`` and ``__delattr__`` as source text and compiles it when the
class is created: about half a millisecond a class, paid at every start of the command line
for each class its query imports. A :class:`Record` gets the same methods from this base
(the class writes only its ``__init__``), and behaves as that frozen dataclass: the same
repr, equality, hash, :class:`dataclasses.FrozenInstanceError` on assignment, pickling,
``__match_args__``; :func:`dataclasses.fields`, :func:`~dataclasses.replace`,
:func:`~dataclasses.asdict`, :func:`~dataclasses.astuple` and
:func:`~dataclasses.is_dataclass` work on it too (its dataclass fields are made the first
time one of them asks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from dataclasses import Field

__all__ = ["DICT", "Record"]


class _Factory:
    """A constructor's default standing for a fresh value (a dataclass's ``default_factory``)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make

    def __repr__(self) -> str:
        return "<factory>"  # as a dataclass's signature shows a default_factory


#: the default of a field that starts as a new empty dict (``field(default_factory=dict)``);
#: the constructor replaces it: ``given = {} if given is DICT else given``
DICT: Any = _Factory(dict)


class _Fields:
    """A record's ``__dataclass_fields__``, made when first read (by :mod:`dataclasses`).

    They are the fields of the frozen dataclass the record stands for: names and types from
    the class's annotations, defaults from its ``__init__``.
    """

    def __get__(self, obj: object, owner: type[Record]) -> dict[str, Any]:
        import dataclasses
        import inspect

        annotations: dict[str, Any] = {}
        for klass in reversed(owner.__mro__):
            annotations.update(vars(klass).get("__annotations__", {}))
        params = inspect.signature(owner.__init__).parameters
        body: dict[str, Any] = {
            "__annotations__": {n: annotations.get(n, "Any") for n in owner._fields},
            "__module__": owner.__module__,
            "__qualname__": owner.__qualname__,
        }
        for name in owner._fields:
            default = params[name].default
            shown = name not in owner._unshown
            if isinstance(default, _Factory):
                body[name] = dataclasses.field(default_factory=default.make, repr=shown)
            elif default is inspect.Parameter.empty:
                body[name] = dataclasses.field(repr=shown)
            else:
                body[name] = dataclasses.field(default=default, repr=shown)
        mirror: Any = dataclasses.dataclass(frozen=True)(type(owner.__name__, (), body))
        fields: dict[str, Any] = mirror.__dataclass_fields__
        type.__setattr__(owner, "__dataclass_fields__", fields)  # made once per class
        return fields


def _values(record: object, fields: tuple[str, ...]) -> tuple[Any, ...]:
    d = vars(record)
    return tuple([d[name] for name in fields])


def _frozen(message: str) -> AttributeError:
    from dataclasses import FrozenInstanceError  # only when a record is written to

    return FrozenInstanceError(message)


class Record:
    """Base of a frozen record: equality, hash, repr and immutability from :attr:`_fields`.

    A subclass lists its fields in ``_fields`` (in its constructor's order), annotates
    them, and writes an ``__init__`` that stores them with ``vars(self).update(...)``.

    Examples
    --------
    >>> class Point(Record):
    ...     _fields = ("x", "y")
    ...     x: int
    ...     y: int
    ...
    ...     def __init__(self, x: int, y: int = 0) -> None:
    ...         vars(self).update(x=x, y=y)
    >>> p = Point(1)
    >>> p, p == Point(1, 0), hash(p) == hash(Point(1, 0)), p == (1, 0)
    (Point(x=1, y=0), True, True, False)
    >>> p.x = 2
    Traceback (most recent call last):
    ...
    dataclasses.FrozenInstanceError: cannot assign to field 'x'
    >>> import dataclasses
    >>> dataclasses.replace(p, y=5), dataclasses.asdict(p)
    (Point(x=1, y=5), {'x': 1, 'y': 0})
    """

    __slots__ = ()
    #: the fields, in the order of the constructor's parameters
    _fields: ClassVar[tuple[str, ...]] = ()
    #: fields the repr leaves out (a dataclass's ``field(repr=False)``)
    _unshown: ClassVar[tuple[str, ...]] = ()
    if TYPE_CHECKING:  # what dataclasses' functions look for (set by __init_subclass__)
        __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        setattr(cls, "__match_args__", cls._fields)  # noqa: B010 - not a name mypy knows
        setattr(cls, "__dataclass_fields__", _Fields())  # noqa: B010

    def _values(self) -> tuple[Any, ...]:
        return _values(self, self._fields)

    def __repr__(self) -> str:
        d = vars(self)
        shown = ", ".join(f"{n}={d[n]!r}" for n in self._fields if n not in self._unshown)
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == _values(other, self._fields)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: Any) -> None:
        raise _frozen(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise _frozen(f"cannot delete field {name!r}")
