"""The parameters of a network: every free probability of every distribution entry.

A parameter is one state's probability in one distribution entry (a table row shared by the
parent combinations it lists, a noisy-OR link, a leak). Changing it co-varies the entry's
other states proportionally, so the entry still sums to 1 (structural zeros stay zero). For
a two-state entry only the focus state is a parameter (the other is its complement).

A table imported as numbers (:class:`~bayesdx.model.FixedCPT`, from BIF, XMLBIF, XDSL, NET)
has one entry per parent combination, and an entry the file gives no uncertainty gets the
default one (:func:`~bayesdx.model.default_uncertainty`, Dirichlet(10 p)), which the analyses
label ``default``.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bayesdx.errors import UnknownParameterError
from bayesdx.model._cpt import Entry, FixedCPT, NoisyMaxCPT, TableCPT
from bayesdx.model._sampling import sample_entry
from bayesdx.model._uncertainty import DEFAULT_ESS, beta_interval, check_ess, default_uncertainty

if TYPE_CHECKING:
    from bayesdx.model._network import Network

__all__ = [
    "Parameter",
    "covary",
    "draw_tables",
    "find_parameter",
    "network_parameters",
    "parameter_entries",
    "table_with",
]


@dataclass(frozen=True)
class Parameter:
    """One free probability of the network.

    Attributes
    ----------
    id : str
        ``node[given].state``, for example ``hb[diagnosis=multiple_myeloma].lt_12``.
    node : str
    index : int
        Position of the entry in the node's CPT (``cpt.entries()`` order).
    state : str
        The state whose probability this is.
    given : str
        Which parent states the entry is for, or ``leak`` / ``cause parent=state``.
    value : float
        The value in the network file.
    range : tuple of float
        The central 95% interval of its uncertainty (marginal Beta of the entry's Dirichlet).
    entry : Entry
    """

    id: str
    node: str
    index: int
    state: str
    given: str
    value: float
    range: tuple[float, float]
    entry: Entry

    @property
    def expert(self) -> bool:
        """True when the entry is an expert estimate."""
        return self.entry.expert

    @property
    def assumed(self) -> bool:
        """True when the file gives no uncertainty and :attr:`range` is the default one."""
        unc = self.entry.uncertainty
        return unc is not None and unc.assumed

    @property
    def source_label(self) -> str:
        """``default`` (assumed uncertainty), ``expert`` (expert estimate) or ``""``."""
        return "default" if self.assumed else "expert" if self.expert else ""


def covary(p: tuple[float, ...], i: int, x: float) -> tuple[float, ...]:
    """Set state ``i`` to ``x``, scaling the others so the entry still sums to 1.

    Examples
    --------
    >>> covary((0.5, 0.3, 0.2), 0, 0.8)
    (0.8, 0.12, 0.08)
    >>> covary((1.0, 0.0), 0, 0.6)
    (0.6, 0.4)
    """
    rest = 1.0 - p[i]
    out = []
    for j, q in enumerate(p):
        if j == i:
            out.append(x)
        elif rest > 0.0:
            out.append(q * (1.0 - x) / rest)
        else:  # the state held everything: share the remainder equally
            out.append((1.0 - x) / (len(p) - 1))
    return tuple(round(v, 15) for v in out)


def _given(network: Network, node: str) -> list[str]:
    """Compact, space-free labels of a node's entries: ``diagnosis=cmml|mds``, ``leak``."""

    cpt = network.spec.nodes[node].cpt
    if isinstance(cpt, TableCPT):
        return [
            ",".join(f"{p}={'|'.join(v)}" for p, v in when.items()) or "prior"
            for when, _ in cpt.rows
        ]
    if isinstance(cpt, NoisyMaxCPT):
        return ["leak"] + [
            f"{parent}={state}" for parent, per_state in cpt.causes.items() for state in per_state
        ]
    if isinstance(cpt, FixedCPT):
        combos = itertools.product(*(network.states[p] for p in cpt.parents))
        return [",".join(f"{p}={s}" for p, s in zip(cpt.parents, c, strict=True)) or "prior"
                for c in combos]  # fmt: skip
    return []


def _check_default(default_ess: float | None) -> float | None:
    return None if default_ess is None else check_ess(default_ess)


def parameter_entries(
    network: Network, node: str, default_ess: float | None = DEFAULT_ESS
) -> list[Entry]:
    """The node's distribution entries, each with an uncertainty.

    A full or noisy table gives its own entries; an imported table (:class:`FixedCPT`) one
    entry per parent combination (row-major, the first parent slowest); a definition none.
    An entry without an uncertainty gets the default Dirichlet(``default_ess`` * p), marked
    ``assumed``; with ``default_ess=None`` it keeps none (its values stay fixed).

    Examples
    --------
    An imported table: one entry per row, each with the default uncertainty.

    >>> from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec
    >>> a = NodeSpec("a", ("no", "yes"), (), FixedCPT(np.array([0.9, 0.1]), ()))
    >>> b = NodeSpec("b", ("no", "yes"), ("a",), FixedCPT(np.array([[0.8, 0.2], [0.3, 0.7]]),
    ...                                                   ("a",)))
    >>> net = Network(NetworkSpec("ab", "ab", "", {"a": a, "b": b}))
    >>> [(e.p, e.uncertainty.kind, e.uncertainty.ess) for e in parameter_entries(net, "b")]
    [((0.8, 0.2), 'default', 10.0), ((0.3, 0.7), 'default', 10.0)]
    >>> [p.id for p in network_parameters(net)]
    ['a[prior].yes', 'b[a=no].yes', 'b[a=yes].yes']
    """
    ess = _check_default(default_ess)
    spec = network.spec.nodes[node]
    cpt = spec.cpt
    if isinstance(cpt, FixedCPT):
        rows = np.asarray(cpt.values, dtype=float).reshape(-1, len(spec.states))
        entries = [
            Entry(spec.states, tuple(float(q) for q in row), (), None, field=f"row {i}")
            for i, row in enumerate(rows)
        ]
    else:
        entries = list(cpt.entries())
    if ess is None:
        return entries
    return [
        e if e.uncertainty is not None
        else dataclasses.replace(e, uncertainty=default_uncertainty(e.p, ess))
        for e in entries
    ]  # fmt: skip


def draw_tables(
    network: Network,
    rng: np.random.Generator,
    n: int,
    default_ess: float | None = DEFAULT_ESS,
) -> dict[str, np.ndarray]:
    """n joint draws of every table with an uncertain entry: node -> (n, *shape).

    Every entry is drawn from its Dirichlet; an entry the file gives no uncertainty from the
    default one (:func:`parameter_entries`), or, with ``default_ess=None``, kept at its
    values. On a network whose every entry has an uncertainty this is
    :func:`~bayesdx.model.sample_tables`, draw for draw.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> net = load_network("marrow_signal")
    >>> a = draw_tables(net, np.random.default_rng(1), 3)
    >>> a["hb_level"].shape[0], sorted(a) == sorted(v for v in net.variables if v != "hb")
    (3, True)
    """
    tables = {}
    for v in network.variables:
        entries = parameter_entries(network, v, default_ess)
        if not any(e.uncertainty is not None for e in entries):
            continue
        draws = [
            np.repeat(np.asarray(e.p, dtype=float)[None, :], n, axis=0)
            if e.uncertainty is None
            else sample_entry(e.uncertainty.alpha, e.p, rng, n)
            for e in entries
        ]
        spec = network.spec.nodes[v]
        cpt = spec.cpt
        if isinstance(cpt, FixedCPT):
            tables[v] = np.stack(draws, axis=1).reshape((n, *network.cpts[v].shape))
        else:
            assert isinstance(cpt, TableCPT | NoisyMaxCPT)  # the others have no entries
            parents = {p: network.states[p] for p in spec.parents}
            tables[v] = cpt.expand_draws(parents, spec.states, draws)
    return tables


def network_parameters(
    network: Network, default_ess: float | None = DEFAULT_ESS
) -> list[Parameter]:
    """Every parameter of a network, node by node.

    Parameters
    ----------
    network : Network
    default_ess : float or None
        The equivalent sample size of the default uncertainty of an entry the file gives
        none (:func:`parameter_entries`); None leaves such an entry's range at its value.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> params = network_parameters(load_network("marrow_signal"))
    >>> p = next(p for p in params if p.id == "monocytosis[diagnosis=cmml].present")
    >>> round(p.value, 3), p.entry.uncertainty.kind
    (0.96, 'counts')
    """
    out = []
    for node in network.variables:
        labels = _given(network, node)
        for index, entry in enumerate(parameter_entries(network, node, default_ess)):
            unc = entry.uncertainty
            if len(entry.states) == 2:
                candidates = [unc.focus if unc else 1]
            else:
                candidates = [i for i, q in enumerate(entry.p) if q > 0.0]
            alpha = unc.alpha if unc is not None else None
            for i in candidates:
                if alpha is not None and alpha.sum() > 0:
                    lo, hi = beta_interval(float(alpha[i]), float(alpha.sum() - alpha[i]))
                else:
                    lo = hi = entry.p[i]
                out.append(
                    Parameter(
                        id=f"{node}[{labels[index]}].{entry.states[i]}",
                        node=node,
                        index=index,
                        state=entry.states[i],
                        given=labels[index],
                        value=entry.p[i],
                        range=(lo, hi),
                        entry=entry,
                    )
                )
    return out


def table_with(network: Network, parameter: Parameter, x: float) -> np.ndarray:
    """The node's full table with ``parameter`` set to ``x`` (siblings co-varied)."""
    spec = network.spec.nodes[parameter.node]
    i = parameter.entry.states.index(parameter.state)
    if isinstance(spec.cpt, FixedCPT):  # an imported table: one row per parent combination
        table = np.array(network.cpts[parameter.node], dtype=float)
        table.reshape(-1, table.shape[-1])[parameter.index] = covary(parameter.entry.p, i, x)
        return table
    cpt = spec.cpt.with_entry(parameter.index, covary(parameter.entry.p, i, x))
    return cpt.expand({p: network.states[p] for p in spec.parents}, spec.states)


def find_parameter(params: list[Parameter], pid: str) -> Parameter:
    """A parameter by id; :class:`UnknownParameterError` names close matches."""
    for p in params:
        if p.id == pid:
            return p
    import difflib

    close = difflib.get_close_matches(pid, [p.id for p in params], n=5, cutoff=0.5)
    hint = (
        ("; did you mean: " + ", ".join(close))
        if close
        else ("; list them with bayesdx sensitivity --json")
    )
    raise UnknownParameterError(f"unknown parameter '{pid}'{hint}")


__all__ += ["find_parameter"]
