"""Calibration against the literature: does the network reproduce the figures it was built from?

A targets file (``calibration/targets.yaml``) lists published figures, each with its source,
an interval (from study counts, or a stated range) and the query that gives the network's
value: a conditional probability ``P(event | given)`` in a setting, computed by exact
inference on the network (never read back from a table). ``given`` may name a group or
several states of a node; their posterior-weighted mixture is used, as a study that pooled
those patients would see it.

Format of one target::

    - id: mm_anaemia
      quantity: anaemia (Hb < 12 g/dL) at myeloma diagnosis
      source: kyle2003                        # a bibliography key, or a free-text citation
      use: set                                # set | held_out (required; see below)
      published: 0.73
      interval: {range: [0.70, 0.76]}        # or {counts: [k, n]} (Jeffreys 95% interval)
      event: {hb: lt_12}                      # a state, list of states or group of one node
      given: {diagnosis: multiple_myeloma}    # optional; states, lists or group names
      context: {setting: biopsy_referral}     # optional; default: the network's defaults
      note: ...
      exclude: why the figure does not apply   # optional: shown, computed, not counted

``source`` is a key of the network's bibliography or, for a network without one (every
network imported from BIF, XMLBIF, XDSL or NET), a free-text citation: any text that is not a
single word (``"Beinlich IA et al. The ALARM monitoring system. AIME 1989"``). A single word
that is not a key is refused as a probable typo, with the close keys.

A target with ``exclude`` is a published figure that the network deliberately does not
reproduce (a different population, a selected cohort); it is listed with its reason and its
computed value, so the departure stays visible, but it does not count as pass or fail.

Every target says how the network relates to it (``use``, required): ``set`` when a number of
the network was set from the figure (reproducing it checks that the tables combine as
intended), ``held_out`` when no number was set from it (reproducing it is a check on data the
network did not see). :class:`CalibrationReport` counts the two apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from bayesdx.errors import NetworkFileError, did_you_mean
from bayesdx.inference import posteriors
from bayesdx.io import package_data, read_yaml
from bayesdx.model import as_network, beta_interval, is_finite_number, shown
from bayesdx.validation._results import CalibrationReport, TargetResult

if TYPE_CHECKING:
    from bayesdx.model import Network

__all__ = [
    "Target",
    "calibrate",
    "default_targets_path",
    "load_targets",
    "model_value",
    "model_values",
]

_BY: Final = "ve"  # the back end of model_values (see there)

#: how a target relates to the network: a number was set from it, or it is held out
USES: Final = ("set", "held_out")

#: a source written as one word (no spaces or punctuation but ``_ - .``) is a bibliography key
_KEY: Final = re.compile(r"[\w.-]+")

_KEYS = {
    "id": True,
    "quantity": True,
    "source": True,
    "use": True,
    "published": True,
    "interval": True,
    "event": True,
    "given": False,
    "context": False,
    "note": False,
    "exclude": False,
}


@dataclass(frozen=True)
class Target:
    """One published figure and the query that reproduces it.

    ``source`` is a key of the network's bibliography, or a free-text citation; ``citation``
    is True for the latter.
    """

    id: str
    quantity: str
    source: str
    published: float
    interval: tuple[float, float]
    event: dict[str, tuple[str, ...]]
    given: dict[str, tuple[str, ...]] = field(default_factory=dict)
    context: dict[str, str] = field(default_factory=dict)
    note: str = ""
    exclude: str = ""
    use: str = "set"
    citation: bool = False


def _states(network: Network, raw: Any, where: str, fail: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, Mapping) or len(raw) < 1:
        raise fail("expected {variable: state, list of states or group}", where)
    groups = network.groups
    out = {}
    for var, value in raw.items():
        if not isinstance(var, str) or var not in network.states:
            raise fail(f"unknown variable {shown(var)}; valid: {', '.join(network.states)}", where)
        values = value if isinstance(value, list) else [value]
        if not values:
            raise fail("expected a state, a group or a non-empty list of them", f"{where}.{var}")
        states: list[str] = []
        for v in values:
            if isinstance(v, str) and v in groups and groups[v][0] == var:
                states += groups[v][1]
            elif isinstance(v, str) and v in network.states[var]:
                states.append(v)
            else:
                # YAML reads yes, no, on, off, true and false unquoted as booleans
                hint = (
                    f" (YAML read it as a boolean: quote the state, '{v}')"
                    if isinstance(v, bool)
                    else ""
                )
                raise fail(
                    f"{shown(v)} is not a state or group of {var}; valid: "
                    f"{', '.join(network.states[var])}{hint}",
                    f"{where}.{var}" if isinstance(value, list) else where,
                )
        out[var] = tuple(dict.fromkeys(states))
    return out


def _interval(raw: Any, where: str, fail: Any) -> tuple[float, float]:
    if isinstance(raw, Mapping) and set(raw) == {"counts"}:
        counts = raw["counts"]
        if (
            not isinstance(counts, list)
            or len(counts) != 2
            or not all(is_finite_number(c) for c in counts)
            or not 0 <= counts[0] <= counts[1]
            or counts[1] <= 0
        ):
            raise fail("expected counts [k, n] with 0 <= k <= n and n > 0", where)
        k, n = float(counts[0]), float(counts[1])
        lo, hi = beta_interval(k + 0.5, n - k + 0.5)
        return float(lo), float(hi)
    if isinstance(raw, Mapping) and set(raw) == {"range"}:
        bounds = raw["range"]
        if (
            not isinstance(bounds, list)
            or len(bounds) != 2
            or not all(is_finite_number(b) for b in bounds)
            or not 0 <= bounds[0] <= bounds[1] <= 1
        ):
            raise fail("expected range [lo, hi] within [0, 1]", where)
        return float(bounds[0]), float(bounds[1])
    raise fail("expected {counts: [k, n]} or {range: [lo, hi]}", where)


def load_targets(network: Network, path: str | Path) -> list[Target]:
    """Read and validate a targets file against a network.

    Every field is checked; an error names the file, the target (its position and id) and
    the field, and says what was expected.

    Raises
    ------
    NetworkFileError
        A targets file that cannot be read, is malformed or names what the network lacks.
    LimitError
        A file beyond a limit of :mod:`bayesdx.limits`.
    """
    path = str(path)
    raw = read_yaml(path)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("targets"), list):
        raise NetworkFileError(path, "expected a mapping with a list under 'targets'")
    for key in raw:
        if key != "targets":
            raise NetworkFileError(
                path, "unknown key; the file has one key, targets", field=shown(key, quote=False)
            )
    out, seen = [], set()
    for i, t in enumerate(raw["targets"]):
        tid = t.get("id") if isinstance(t, Mapping) else None
        label = f" ({tid})" if isinstance(tid, str) else ""

        def fail(message: str, field: str, i: int = i, label: str = label) -> NetworkFileError:
            return NetworkFileError(path, message, field=f"targets[{i}]{label}{field}")

        if not isinstance(t, Mapping):
            raise fail(f"expected a mapping with {', '.join(_KEYS)}", "")
        for key in t:
            if key not in _KEYS:
                raise fail(
                    f"unknown key; valid keys: {', '.join(_KEYS)}", f".{shown(key, quote=False)}"
                )
        for key, required in _KEYS.items():
            if required and key not in t:
                valid = f"; valid: {', '.join(USES)}" if key == "use" else ""
                raise fail(f"missing required field{valid}", f".{key}")
        if t["use"] not in USES:
            raise fail(
                f"expected one of {', '.join(USES)} (was a number of the network set from this "
                f"figure?), got {shown(t['use'])}",
                ".use",
            )
        text = {}
        for key in ("id", "quantity", "source", "note", "exclude"):
            value = t.get(key)
            if value is not None and not isinstance(value, str):
                raise fail(f"expected text, got {shown(value)}", f".{key}")
            text[key] = " ".join((value or "").split())
        for key in ("id", "quantity", "source"):
            if not text[key]:
                raise fail("expected non-empty text", f".{key}")
        if text["id"] in seen:
            raise fail(f"duplicate target id {shown(text['id'])}", ".id")
        seen.add(text["id"])
        citation = text["source"] not in network.spec.sources
        if citation and _KEY.fullmatch(text["source"]):  # one word: a key, mistyped
            keys = list(network.spec.sources)
            raise fail(
                f"unknown source {shown(text['source'])}"
                f"{did_you_mean(text['source'], keys)}; give a key of the network's "
                f"bibliography ({', '.join(keys[:12]) or 'none'}"
                f"{', ...' if len(keys) > 12 else ''}) or a free-text citation (authors, title, "
                "journal, year)",
                ".source",
            )
        published = t["published"]
        if not is_finite_number(published) or not 0 <= published <= 1:
            raise fail(f"expected a probability in [0, 1], got {shown(published)}", ".published")
        bounds = _interval(t["interval"], ".interval", fail)
        event = _states(network, t["event"], ".event", fail)
        if len(event) != 1:
            raise fail("an event is about one variable", ".event")
        given = {}
        if t.get("given") is not None:
            given = _states(network, t["given"], ".given", fail)
            if sum(len(v) > 1 for v in given.values()) > 1:
                raise fail("only one given variable may list several states", ".given")
        context = {}
        raw_context = t.get("context")
        if raw_context is not None and not isinstance(raw_context, Mapping):
            raise fail("expected {variable: state}", ".context")
        for var, state in (raw_context or {}).items():
            if (
                not isinstance(var, str)
                or var not in network.states
                or not isinstance(state, str)
                or state not in network.states[var]
            ):
                raise fail(
                    f"bad context {shown(var, quote=False)}={shown(state, quote=False)}; "
                    "expected a variable and one of its states",
                    ".context",
                )
            context[var] = state
        out.append(
            Target(
                id=text["id"],
                quantity=text["quantity"],
                source=text["source"],
                published=float(published),
                interval=bounds,
                event=event,
                given=given,
                context=context,
                note=(t.get("note") or "").strip(),
                exclude=text["exclude"],
                use=t["use"],
                citation=citation,
            )
        )
    return out


def model_value(network: Network, target: Target) -> float:
    """P(event | given, context) by exact inference; multi-state ``given`` are mixed by weight.

    With ``given`` = {node: (s1, s2, ...)} the value is
    sum_s P(event | s, rest) P(s | rest) / sum_s P(s | rest), i.e. P(event | node in {s...}).
    Several given variables are conditioned on in turn (the first with several states is mixed
    over, the others must be single states).
    """
    return model_values(network, [target])[0]


def model_values(network: Network, targets: list[Target]) -> list[float]:
    """:func:`model_value` of every target, from two batches of queries.

    The first batch conditions every target on its context and single-state ``given``; the
    second adds each state of a mixed ``given`` that has positive weight. Both run on variable
    elimination (a few dozen queries): a figure is judged against a published interval, often
    at its very edge (a table entry of 0.8 against [0.6, 0.8]), so the values are bit for bit
    those of single queries, which the compiled engine matches only to rounding.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> net = load_network("marrow_signal")
    >>> t = Target("x", "anaemia in myeloma", "s", 0.7, (0.6, 0.8), {"hb": ("lt_12",)},
    ...            {"diagnosis": ("multiple_myeloma",)})
    >>> [round(v, 3) for v in model_values(net, [t])]
    [0.668]
    """
    bases, mixed = [], []
    for target in targets:
        fixed = {v: s[0] for v, s in target.given.items() if len(s) == 1}
        several = [(v, s) for v, s in target.given.items() if len(s) > 1]
        if len(several) > 1:
            raise NetworkFileError(
                "targets", f"target {target.id}: only one given variable may list several states"
            )
        bases.append({**network.defaults, **target.context, **fixed})
        mixed.append(several[0] if several else None)
    nodes = [v for t in targets for v in t.event] + [m[0] for m in mixed if m is not None]
    first = posteriors(network, bases, list(dict.fromkeys(nodes)), impossible="raise", backend=_BY)
    rows: list[dict[str, str]] = []
    weights: list[list[tuple[float, int]]] = []  # per target: (weight, row of the second batch)
    for k, (base, m) in enumerate(zip(bases, mixed, strict=True)):
        weights.append([])
        if m is None:
            continue
        var, states = m
        for s in states:
            w = first.distribution(var, k)[s]
            if w != 0.0:
                weights[-1].append((w, len(rows)))
                rows.append({**base, var: s})
    events = list(dict.fromkeys(v for t in targets for v in t.event))
    second = posteriors(network, rows, events, impossible="raise", backend=_BY) if rows else None
    out = []
    for k, (target, m) in enumerate(zip(targets, mixed, strict=True)):
        ((event_var, event_states),) = target.event.items()
        if m is None:
            dist = first.distribution(event_var, k)
            out.append(float(sum(dist[s] for s in event_states)))
            continue
        num = den = 0.0
        for w, row in weights[k]:
            assert second is not None
            dist = second.distribution(event_var, row)
            num += w * sum(dist[e] for e in event_states)
            den += w
        out.append(num / den)
    return out


def default_targets_path() -> Path:
    """``calibration/targets.yaml`` shipped with the package."""

    return package_data("bayesdx.calibration_data", "calibration") / "targets.yaml"


def calibrate(network: Network, literature: str | Path | None = None) -> CalibrationReport:
    """Compute every target's value on the network.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> rep = calibrate(load_network("marrow_signal"))
    >>> rep.failed
    0
    """

    network = as_network(network)
    path = literature if literature is not None else default_targets_path()
    targets = load_targets(network, path)
    values = model_values(network, targets)
    results = [TargetResult(t, v) for t, v in zip(targets, values, strict=True)]
    return CalibrationReport(network=network.id, results=results)
