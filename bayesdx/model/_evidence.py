"""Turn a case (states or raw values) into evidence: one state per observed variable.

Raw values are discretised by the network's cut-points (``measure`` in the network file);
context defaults (for example ``setting = biopsy_referral``) are applied and reported as
assumed, never silently.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from bayesdx._record import DICT, Record
from bayesdx.errors import (
    ArgumentError,
    CaseFileError,
    ImpossibleEvidenceError,
    LimitError,
    RawValueError,
    UnknownStateError,
    UnknownVariableError,
    close_matches,
)
from bayesdx.limits import MAX_EVIDENCE
from bayesdx.model._network import as_network
from bayesdx.model._textnum import parse_number, shown

if TYPE_CHECKING:
    from bayesdx.model._cpt import DeterministicCPT
    from bayesdx.model._measure import Measure
    from bayesdx.model._network import Network

__all__ = [
    "Evidence",
    "implied_states",
    "measure_of",
    "normalise",
    "parse_assignment",
    "state_of",
]


class Evidence(Record):
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
    read_as : dict
        ``"VAR=VALUE"`` of an earlier edition's input -> how this network read it (its
        ``legacy`` rules), for example ``"smear=rouleaux" -> "rouleaux=present"``.
    """

    _fields = ("given", "assumed", "raw", "notes", "read_as")
    given: dict[str, str]
    assumed: dict[str, str]
    raw: dict[str, float]
    notes: dict[str, str]
    read_as: dict[str, str]

    def __init__(
        self,
        given: dict[str, str] = DICT,
        assumed: dict[str, str] = DICT,
        raw: dict[str, float] = DICT,
        notes: dict[str, str] = DICT,
        read_as: dict[str, str] = DICT,
    ) -> None:
        vars(self).update(
            given={} if given is DICT else given,
            assumed={} if assumed is DICT else assumed,
            raw={} if raw is DICT else raw,
            notes={} if notes is DICT else notes,
            read_as={} if read_as is DICT else read_as,
        )

    @property
    def states(self) -> dict[str, str]:
        """Everything inference conditions on: given and assumed."""
        return {**self.given, **self.assumed}

    def to_dict(self) -> dict[str, Any]:
        """``{"evidence": {...}, "assumed": {...}, "raw": {...}}`` (and ``"read_as"``)."""
        out: dict[str, Any] = {
            "evidence": dict(self.given),
            "assumed": dict(self.assumed),
            "raw": dict(self.raw),
        }
        if self.read_as:
            out["read_as"] = dict(self.read_as)
        return out

    def __str__(self) -> str:
        parts = [
            f"{v}={s}" + (f" ({self.notes[v]})" if v in self.notes else "")
            for v, s in self.given.items()
        ]
        text = "Evidence: " + (", ".join(parts) if parts else "none")
        if self.read_as:
            text += "\nRead as (earlier edition's input): " + "; ".join(
                f"{k} -> {v}" for k, v in self.read_as.items()
            )
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
        A variable or value the network does not know; a missing value (None, NaN, NA).
    ArgumentError
        A case that is not a mapping, or a variable that is not a name (str).
    LimitError
        More than :data:`~bayesdx.limits.MAX_EVIDENCE` findings, or a number written with
        more than :data:`~bayesdx.limits.MAX_DIGITS` characters.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> net = load_network("marrow_signal")
    >>> ev = normalise(net, {"hb": 11.9, "monocytosis": "1.0", "sex": "male"})
    >>> ev.given
    {'hb_level': 'lt_12', 'hb': 'lt_12', 'monocytosis': 'present', 'sex': 'male'}
    >>> ev.notes["hb_level"], ev.notes["monocytosis"]
    ('11.9 g/dL < 12', '1 10^9/L >= 1')
    >>> ev.assumed
    {'setting': 'biopsy_referral'}
    >>> normalise(net, {"hb": 12.0}).given
    {'hb_level': '12_to_13', 'hb': 'ge_12'}

    A first-edition input is read by the network's ``legacy`` rules, and says so:

    >>> ev = normalise(net, {"smear": "rouleaux"})
    >>> ev.given
    {'rouleaux': 'present', 'blasts': 'absent', 'dysplasia': 'absent'}
    >>> list(ev.read_as)
    ['smear=rouleaux']
    """

    network = as_network(network)
    if case is None:
        case = {}
    if not isinstance(case, Mapping):
        raise ArgumentError(
            "case must be a mapping of variables to values (for example {'hb': 11.2}), "
            f"got {type(case).__name__}"
        )
    if len(case) > MAX_EVIDENCE:
        raise LimitError(
            f"the case gives {len(case):,} findings; the limit is {MAX_EVIDENCE:,} "
            "(bayesdx.limits.MAX_EVIDENCE)"
        )
    given: dict[str, str] = {}
    raw: dict[str, float] = {}
    notes: dict[str, str] = {}
    for variable in case:
        if not isinstance(variable, str):
            raise ArgumentError(
                f"a variable must be given by its name (str), got {type(variable).__name__} "
                f"{shown(variable)}"
            )
    legacy, read_as, consumed = _legacy(network, case)
    for variable, value in case.items():
        if variable in consumed:  # read where it was entered; what the case gives wins
            for k, v in legacy[variable].items():
                if k not in case and k not in given:
                    given[k] = v
            continue
        if variable not in network.states:
            _refuse_unknown(network, variable, value)
        node = network.node(variable)
        reader = network.node(node.raw_to) if node.raw_to is not None else node
        state, number = _read(node.id, node.states, reader.measure, value)
        if number is None:
            _put(network, given, raw, node.id, state)
        elif reader is node:
            measure = node.measure
            assert measure is not None  # _read reads a number only with a measure
            raw[node.id] = number
            notes[node.id] = f"{number:g} {measure.unit}{_cut_note(measure, number)}"
            _put(network, given, raw, node.id, state)
        else:
            _read_raw_to(network, node, reader, state, number, given, raw, notes)
    assumed = {}
    if defaults:
        assumed = {v: s for v, s in network.defaults.items() if v not in given}
    return Evidence(given=given, assumed=assumed, raw=raw, notes=notes, read_as=read_as)


def _is_number(value: Any) -> bool:
    """A number, or text that reads as one by the number rule (not a bool)."""
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, numbers.Real):
        return True
    return isinstance(value, str) and parse_number(value.strip(), "", special=False) is not None


def _refuse_unknown(network: Network, variable: str, value: Any) -> None:
    """Refuse an item no node and no ``legacy`` rule reads, naming what is valid.

    A variable of an earlier edition that the ``legacy`` rules know (``smear``) is a known
    variable with an unknown value: the error names the values the rules read.
    """
    values = list(
        dict.fromkeys(
            str(rule.given[variable]) for rule in network.spec.legacy if variable in rule.given
        )
    )
    if not values:
        legacy = {k for rule in network.spec.legacy for k in rule.given} - set(network.states)
        valid = [*network.variables, *sorted(legacy)]
        raise UnknownVariableError(
            shown(variable, quote=False), valid, network.id, _meant(network, variable, value)
        )
    extra = " (an earlier edition's input, read through the network's legacy rules"
    if _is_missing(value):
        extra += f"; a missing value is no finding: leave {variable} out of the case"
    raise UnknownStateError(variable, shown(value, quote=False), values, extra + ")")


def _meant(network: Network, variable: str, value: Any) -> str | None:
    """`` (did you mean m_protein=present?)``: the close variables, each with the value as
    it would read there (a state that differs only in case corrected).

    None when no variable is close (the error then names none).
    """
    found = [v for v in close_matches(variable, network.variables) if v in network.states]
    if not found:
        return None
    text = value.strip() if isinstance(value, str) else value
    meant = []
    for v in found:
        states = network.states[v]
        same = [s for s in states if isinstance(text, str) and s.casefold() == text.casefold()]
        if same:
            meant.append(f"{v}={same[0]}")
        elif _readable(network, v, text):
            meant.append(f"{v}={_plausible(network, v, text)}")
        else:
            meant.append(v)
    listed = " or ".join([", ".join(meant[:-1]), meant[-1]]) if len(meant) > 1 else meant[0]
    return f" (did you mean {listed}?)"


def measure_of(network: Network, variable: str) -> Measure | None:
    """The measure that reads a raw number given for ``variable``: its own, or that of the
    finer node it names in ``raw_to``; None for a variable that takes no numbers.

    Examples
    --------
    >>> import bayesdx
    >>> net = bayesdx.load_network("marrow_signal")
    >>> measure_of(net, "hb").unit, measure_of(net, "m_protein")
    ('g/dL', None)
    """
    node = network.node(variable)
    return network.node(node.raw_to).measure if node.raw_to is not None else node.measure


def _plausible(network: Network, variable: str, value: Any) -> str:
    """A readable value as given, or, for a number outside the plausible range that fits
    another common unit, that number in the node's unit (``hb=104`` -> ``10.4``)."""
    measure = measure_of(network, variable)
    number = parse_number(value.strip(), variable) if isinstance(value, str) else value
    if measure is not None and isinstance(number, int | float) and not isinstance(number, bool):
        lo, hi = measure.range
        fits = measure.conversions(float(number))
        if not lo <= number <= hi and fits:
            return f"{fits[0][1]:.3g}"
    return shown(value, 40, quote=False)


def _put(
    network: Network, given: dict[str, str], raw: dict[str, float], variable: str, state: str
) -> None:
    """Record ``variable = state``, refusing a state that a raw value already read otherwise.

    ``hb = 9`` reads as ``hb_level = lt_12``; a case that also gives ``hb_level = ge_13``
    contradicts itself, whichever of the two comes first.
    """
    if given.get(variable, state) != state:
        source = next(v for v in raw if network.node(v).raw_to == variable)
        measure = network.node(variable).measure
        unit = f" {measure.unit}" if measure is not None else ""
        raise ImpossibleEvidenceError(
            {variable: state, source: f"{raw[source]:g}{unit}"}, network.id
        )
    given[variable] = state


def implied_states(network: Network, states: Mapping[str, str]) -> dict[str, str]:
    """The states, with each deterministic child that the observed states define filled in.

    A rule may watch the coarser node (``hb = lt_12``) of a finding given on the finer one
    (``hb_level = lt_12``): the finding is the same, so the rule must see it. A child already
    observed keeps its state.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> net = load_network("marrow_signal")
    >>> implied_states(net, {"hb_level": "12_to_13"})
    {'hb_level': '12_to_13', 'hb': 'ge_12'}
    """
    out = dict(states)
    for v in network.variables:  # topological order: a chain of definitions is followed
        cpt = network.spec.nodes[v].cpt
        if v not in out and cpt.kind == "deterministic":  # not isinstance: no import needed
            child = cast("DeterministicCPT", cpt).child(out.get(cpt.parents[0]))
            if child is not None:
                out[v] = child
    return out


def _read_raw_to(
    network: Network,
    node: Any,
    target: Any,
    state: str,
    number: float,
    given: dict[str, str],
    raw: dict[str, float],
    notes: dict[str, str],
) -> None:
    """A raw number given for ``node`` and read by its ``raw_to`` node's measure.

    The finer node gets the state; when ``node`` is defined from it (a deterministic child),
    ``node`` gets the state that follows, so ``hb = 12.6`` reads as ``hb_level = 12_to_13``
    and ``hb = ge_12``. A case that also gives the finer node a different state is refused.
    """
    assert target.measure is not None  # raw_to names a measured node
    if given.get(target.id, state) != state:
        raise ImpossibleEvidenceError(
            {target.id: given[target.id], node.id: f"{number:g} {target.measure.unit}"},
            network.id,
        )
    given[target.id] = state
    raw[node.id] = number
    notes[target.id] = f"{number:g} {target.measure.unit}{_cut_note(target.measure, number)}"
    if node.id in (defined := implied_states(network, {target.id: state})):
        given[node.id] = defined[node.id]
        notes[node.id] = f"from {target.id} = {state}"


def _legacy(
    network: Network, case: Mapping[str, Any]
) -> tuple[dict[str, dict[str, str]], dict[str, str], set[str]]:
    """Inputs of an earlier edition: (per input, the evidence it stands for; how each was
    read; the inputs consumed).

    An item is an earlier edition's input when this network cannot read it (an unknown
    variable, or a state id the node does not have); the first ``legacy`` rule whose
    ``given`` items all match the case reads it.
    """
    rules = network.spec.legacy
    if not rules:
        return {}, {}, set()
    text = {k: v.strip() if isinstance(v, str) else v for k, v in case.items()}
    unread = [k for k, v in text.items() if not _readable(network, k, v)]  # case order
    evidence: dict[str, dict[str, str]] = {}
    read_as: dict[str, str] = {}
    consumed: set[str] = set()
    for variable in unread:
        for rule in rules:
            if variable in rule.given and all(
                _matches(text.get(k), v) for k, v in rule.given.items()
            ):
                shown_as = ", ".join(f"{k}={v}" for k, v in rule.read_as.items()) or "nothing"
                note = f" ({rule.note})" if rule.note else ""
                read_as[f"{variable}={text[variable]}"] = shown_as + note
                evidence[variable] = dict(rule.read_as)
                consumed.add(variable)
                break
    return evidence, read_as, consumed


def _matches(value: Any, state: str) -> bool:
    """Whether a case value is the state a rule names (text only: NaN or pandas' NA are not)."""
    return isinstance(value, str) and value == state


def _readable(network: Network, variable: str, value: Any) -> bool:
    """Whether this network reads ``variable = value`` as ordinary evidence."""
    if variable not in network.states:
        return False
    node = network.node(variable)
    if isinstance(value, str) and value in node.states:
        return True
    return _is_number(value) and (node.measure is not None or node.raw_to is not None)


def _cut_note(measure: Any, number: float) -> str:
    below = [c for c in measure.cuts if number < c]
    above = [c for c in measure.cuts if number >= c]
    if above:
        return f" >= {above[-1]:g}"
    return f" < {below[0]:g}"


def _is_missing(value: Any) -> bool:
    """None, NaN (float or numpy) or pandas' NA: no finding, rather than a value."""
    if value is None or type(value).__name__ == "NAType":  # pandas.NA, without pandas
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def state_of(node: Any, value: Any) -> tuple[str, float | None]:
    """The state a value means for a node, and the number read (None for a state id).

    A state id is taken as it is; a number (or numeric text) of a measured node is cut by
    the node's cut-points. A node that reads numbers through a finer node (``raw_to``, as
    ``hb`` through ``hb_level``) takes its states here; :func:`normalise` reads its numbers.

    Raises
    ------
    UnknownStateError, RawValueError
        Naming the valid states (and the unit, for a measured node).

    Examples
    --------
    >>> from bayesdx import load_network
    >>> net = load_network("marrow_signal")
    >>> level = net.node("hb_level")
    >>> state_of(level, 10.4), state_of(level, 12.6), state_of(level, "ge_13")
    (('lt_12', 10.4), ('12_to_13', 12.6), ('ge_13', None))
    >>> state_of(net.node("hb"), "ge_12")
    ('ge_12', None)
    """
    if node.measure is None and getattr(node, "raw_to", None) is not None and _is_number(value):
        raise RawValueError(
            f"{node.id}: {shown(value)} is a number, read by the cut-points of {node.raw_to}: "
            f"read the case with normalise(), or give a state: {', '.join(node.states)}"
        )
    return _read(node.id, node.states, node.measure, value)


def _read(name: str, states: tuple[str, ...], measure: Any, value: Any) -> tuple[str, float | None]:
    """A state id of ``states``, or a number cut by ``measure``: (state, number or None).

    ``name`` is the variable the case gave, named in every message; ``measure`` may belong
    to a finer node (``raw_to``), whose state is then returned for a number.
    """
    hint = f"; or a number in {measure.unit}" if measure else ""
    if isinstance(value, bool | np.bool_):
        raise UnknownStateError(
            name,
            value,
            states,
            hint + " (YAML reads yes/no/on/off as true/false: quote them)",
        )
    if _is_missing(value):
        raise UnknownStateError(
            name,
            shown(value, quote=False),
            states,
            f"{hint} (a missing value is no finding: leave {name} out of the case)",
        )
    if isinstance(value, str):
        text = value.strip()
        if text in states:
            return text, None
        number = parse_number(text, name)  # the one rule: 012 is 12, 0x0C and 1_0 are text
        if number is None:
            raise UnknownStateError(name, shown(text, quote=False), states, hint)
        if isinstance(number, int) and str(number) in states:
            return str(number), None  # a state named by a number, e.g. BIF states 0 and 1
    elif isinstance(value, numbers.Real):
        if isinstance(value, numbers.Integral):
            integer = int(value)
            if integer.bit_length() <= 256 and str(integer) in states:
                return str(integer), None  # a state named by a number
        try:
            number = float(value)
        except OverflowError:
            raise RawValueError(f"{name}: {shown(value)} is too large a number") from None
    else:
        raise UnknownStateError(name, shown(value, quote=False), states, hint)
    if measure is None:
        raise RawValueError(
            f"{name}: {shown(value)} is a number, but {name} has no cut-points; give a "
            f"state: {', '.join(states)}"
        )
    if not math.isfinite(number):
        raise RawValueError(f"{name}: {shown(value)} is not a finite number")
    return measure.discretise(number, name), float(number)


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
            f"evidence {shown(text)} is not VAR=VALUE (for example hb=11.2 or m_protein=present)"
        )
    return variable.strip(), value.strip()
