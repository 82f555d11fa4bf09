"""Public names that load on first use, so a command imports only what it runs.

A package lists its public names and the module each lives in; :func:`attach` gives the
package a module-level ``__getattr__`` (PEP 562) that imports that module the first time
the name is read, and a ``__dir__`` that lists every name. ``from bayesdx import query``
then imports the inference modules and nothing else: ``bayesdx query`` does not pay for
the explorer page, the learning code or the validation reports.

Type checkers and readers see the names through the package's ``if TYPE_CHECKING:``
imports; a test checks that those, ``__all__`` and the map agree, and that every name loads.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["attach", "load_on_use"]


def attach(
    package: str, names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` for names that load on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names : mapping
        Public name to the module that defines it (absolute, ``"bayesdx.model._network"``).

    Returns
    -------
    tuple
        ``(__getattr__, __dir__)``, to be bound at the package's module level.

    Examples
    --------
    >>> getattr_, dir_ = attach("bayesdx", {"query": "bayesdx.inference"})
    >>> getattr_("query").__name__
    'query'
    >>> "query" in dir_()
    True
    """

    def __getattr__(name: str) -> Any:
        try:
            where = names[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(where), name)
        setattr(sys.modules[package], name, value)  # later reads are plain attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__


class _OnUse:
    """Stands for a module until one of its attributes is read (then it imports it)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


def load_on_use(name: str) -> Any:
    """The module ``name``, imported when one of its attributes is first read.

    For a module that only some commands need (the benchmark): the command line binds it at
    module level, and only ``bayesdx bench`` pays for importing it. Nothing is put in
    ``sys.modules`` before then, so a plain ``import`` of the module elsewhere is unaffected.

    Examples
    --------
    >>> bench = load_on_use("bayesdx._bench")
    >>> callable(bench.run_benchmark)
    True
    """
    if importlib.util.find_spec(name) is None:
        raise ImportError(f"no module named {name!r}")
    return _OnUse(name)
