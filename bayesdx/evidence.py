"""Turn a case (states or raw values) into evidence: one state per observed variable.

Raw values are discretised by the network's cut-points (``measure`` in the network file);
context defaults (for example ``setting = biopsy_referral``) are applied and reported as
assumed, never silently.
"""

from __future__ import annotations

import json
import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.errors import CaseFileError, NetworkFileError, RawValueError, UnknownStateError

if TYPE_CHECKING:
    from bayesdx.network import Network

__all__ = ["Evidence", "normalise", "parse_assignment", "read_case"]


@dataclass(frozen=True)
class Evidence:
    """A case after normalisation.

    Attributes
    ----------
    given : dict
        Variable -> state, for what the case gave (raw values already discretised).
    assumed : dict
        Variable -> state, for defaults applied because the case did not give them.
    raw : dict
        Variable -> the raw number, for variables given as a measurement.
    notes : dict
        Variable -> how a raw value became a state (``"11.9 g/dL < 12"``).
    """

    given: dict[str, str] = field(default_factory=dict)
    assumed: dict[str, str] = field(default_factory=dict)
    raw: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def states(self) -> dict[str, str]:
        """Everything inference conditions on: given and assumed."""
        return {**self.given, **self.assumed}

    def to_dict(self) -> dict[str, Any]:
        """``{"evidence": {...}, "assumed": {...}, "raw": {...}}``."""
        return {"evidence": dict(self.given), "assumed": dict(self.assumed), "raw": dict(self.raw)}

    def __str__(self) -> str:
        parts = [
            f"{v}={s}" + (f" ({self.notes[v]})" if v in self.notes else "")
            for v, s in self.given.items()
        ]
        text = "Evidence: " + (", ".join(parts) if parts else "none")
        if self.assumed:
            text += "\nAssumed (defaults): " + ", ".join(
                f"{v}={s}" for v, s in self.assumed.items()
            )
        return text


def normalise(
    network: Network, case: Mapping[str, Any] | None = None, *, defaults: bool = True
) -> Evidence:
    """Normalise a case against a network.

    Parameters
    ----------
    network : Network
    case : mapping, optional
        Variable -> value. A value is a state id, or a number (or numeric text) that the
        variable's cut-points discretise.
    defaults : bool
        Apply the network's declared defaults to variables the case does not give.

    Returns
    -------
    Evidence

    Raises
    ------
    UnknownVariableError, UnknownStateError, RawValueError

    Examples
    --------
    >>> from bayesdx import load_network
    >>> net = load_network("marrow_signal")
    >>> ev = normalise(net, {"hb": 11.9, "monocytosis": "1.0", "smear": "rouleaux"})
    >>> ev.given
    {'hb': 'lt_12', 'monocytosis': 'present', 'smear': 'rouleaux'}
    >>> ev.assumed
    {'setting': 'biopsy_referral'}
    >>> normalise(net, {"hb": 12.0}).given["hb"]
    'ge_12'
    """
    case = dict(case or {})
    given: dict[str, str] = {}
    raw: dict[str, float] = {}
    notes: dict[str, str] = {}
    for variable, value in case.items():
        node = network.node(str(variable))
        state, number = _state_of(node, value)
        given[node.id] = state
        if number is not None:
            raw[node.id] = number
            cut = _cut_note(node.measure, number)
            notes[node.id] = f"{number:g} {node.measure.unit}{cut}"
    assumed = {}
    if defaults:
        assumed = {v: s for v, s in network.defaults.items() if v not in given}
    return Evidence(given=given, assumed=assumed, raw=raw, notes=notes)


def _cut_note(measure: Any, number: float) -> str:
    below = [c for c in measure.cuts if number < c]
    above = [c for c in measure.cuts if number >= c]
    if above:
        return f" >= {above[-1]:g}"
    return f" < {below[0]:g}"


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|nan)$", re.I | re.ASCII)


def _state_of(node: Any, value: Any) -> tuple[str, float | None]:
    hint = f"; or a number in {node.measure.unit}" if node.measure else ""
    if isinstance(value, bool | np.bool_):
        raise UnknownStateError(
            node.id,
            value,
            node.states,
            hint + " (YAML reads yes/no/on/off as true/false: quote them)",
        )
    if isinstance(value, numbers.Integral) and str(int(value)) in node.states:
        return str(int(value)), None  # a state named by a number, e.g. BIF states 0 and 1
    if isinstance(value, str):
        text = value.strip()
        if text in node.states:
            return text, None
        if not _NUMBER.match(text):  # ASCII digits only: no 1_0, no other scripts
            raise UnknownStateError(node.id, value, node.states, hint)
        number = float(text)
    elif isinstance(value, numbers.Real):
        try:
            number = float(value)
        except OverflowError:
            raise RawValueError(f"{node.id}: {value!r} is too large a number") from None
    else:
        raise UnknownStateError(node.id, value, node.states, hint)
    if node.measure is None:
        raise RawValueError(
            f"{node.id}: {value!r} is a number, but {node.id} has no cut-points; give a "
            f"state: {', '.join(node.states)}"
        )
    if not math.isfinite(number):
        raise RawValueError(f"{node.id}: {value!r} is not a finite number")
    return node.measure.discretise(number, node.id), number


def parse_assignment(text: str) -> tuple[str, str]:
    """Split ``VAR=VALUE`` from the command line.

    Examples
    --------
    >>> parse_assignment("hb=11.2")
    ('hb', '11.2')
    >>> parse_assignment("hb")
    Traceback (most recent call last):
    ...
    bayesdx.errors.CaseFileError: evidence 'hb' is not VAR=VALUE ...
    """
    variable, sep, value = text.partition("=")
    if not sep or not variable.strip() or not value.strip():
        raise CaseFileError(
            f"evidence {text!r} is not VAR=VALUE (for example hb=11.2 or m_protein=present)"
        )
    return variable.strip(), value.strip()


def read_case(path: str | Path) -> dict[str, Any]:
    """Read a case file: YAML or JSON mapping variables to values.

    Raises
    ------
    CaseFileError
        If the file is missing, malformed, or not a flat mapping.
    """
    from bayesdx.spec import read_yaml

    if not str(path).strip():
        raise CaseFileError("the case file name is empty")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CaseFileError(f"cannot read case file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CaseFileError(f"cannot read case file {path}: not UTF-8 text") from None

    def no_duplicates(pairs: list) -> dict:
        keys = [k for k, _ in pairs]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise CaseFileError(f"case file {path} gives {', '.join(twice)} twice; give it once")
        return dict(pairs)

    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text, object_pairs_hook=no_duplicates)
        else:
            data = read_yaml(path, text)
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"case file {path} is malformed: {exc}") from None
    except NetworkFileError as exc:  # the strict YAML reader's complaint
        raise CaseFileError(f"case file {path} is {exc.message}") from None
    if not isinstance(data, dict):
        raise CaseFileError(
            f"case file {path} must map variables to values (for example hb: 11.2), "
            f"got {type(data).__name__}"
        )
    for key, value in data.items():
        if isinstance(value, dict | list) or value is None:
            raise CaseFileError(
                f"case file {path}: {key} must be a state or a number, got {value!r}"
            )
    return {str(k): v for k, v in data.items()}
