"""The parameters of a network: every free probability of every distribution entry.

A parameter is one state's probability in one distribution entry (a table row shared by the
parent combinations it lists, a noisy-OR link, a leak). Changing it co-varies the entry's
other states proportionally, so the entry still sums to 1 (structural zeros stay zero). For
a two-state entry only the focus state is a parameter (the other is its complement).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bayesdx.errors import UnknownParameterError
from bayesdx.model._cpt import Entry, NoisyMaxCPT, TableCPT
from bayesdx.model._uncertainty import beta_interval

if TYPE_CHECKING:
    from bayesdx.model._network import Network

__all__ = ["Parameter", "covary", "find_parameter", "network_parameters", "table_with"]


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
    return []


def network_parameters(network: Network) -> list[Parameter]:
    """Every parameter of a network, node by node.

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
        spec = network.spec.nodes[node]
        labels = _given(network, node)
        for index, entry in enumerate(spec.cpt.entries()):
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
