"""The literature as a Dirichlet prior: pseudo-counts for every column of every table.

Each distribution entry of a network file carries its uncertainty as a Dirichlet (study
counts plus the Jeffreys 1/2, an expert range fitted to a Beta, or an effective sample size;
see :class:`bayesdx.model.Uncertainty`). Learning gives every parent combination of a node
its own Dirichlet (a column of the table):

- a ``table`` row gives its Dirichlet to each parent combination it covers (the literature
  figure is taken to hold for each of them, and local data may then tell them apart),
  centred on the row's written value (study counts' Dirichlet(k + 1/2) is re-centred; its
  concentration is kept);
- a ``noisy_or`` / ``noisy_max`` node gives each parent combination the Dirichlet whose mean
  is the combination's distribution under the canonical model and whose concentration
  matches the variance of the first ("no effect") state implied by the independent
  Dirichlets of the leak and the active causes (moments of a product of independent Beta
  variables, exact);
- ``deterministic`` definitions and imported tables (no entries, no uncertainty) are not
  learned: they have no prior to update.

``prior_weight`` multiplies every pseudo-count: the literature's equivalent sample size.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bayesdx.errors import ArgumentError
from bayesdx.model import Entry, NoisyMaxCPT, TableCPT

if TYPE_CHECKING:
    from bayesdx.model import Network

__all__ = ["ColumnPrior", "NodePrior", "network_prior"]


@dataclass(frozen=True)
class ColumnPrior:
    """Where one column's prior came from.

    Attributes
    ----------
    entries : tuple of int
        Indices of the entries (``cpt.entries()`` order) the column's prior is made of: one
        for a table row; the leak and the active causes for a noisy node.
    moment_matched : bool
        True for a noisy node's column (a Dirichlet matched to the canonical model).
    """

    entries: tuple[int, ...]
    moment_matched: bool = False


@dataclass(frozen=True)
class NodePrior:
    """The Dirichlet prior of every column of one node's table.

    Attributes
    ----------
    node : str
    alpha : numpy.ndarray
        Pseudo-counts, shape ``(*parent_cards, card)`` like the node's table (already
        multiplied by the prior weight).
    columns : dict
        Parent-state index tuple -> :class:`ColumnPrior`.
    """

    node: str
    alpha: np.ndarray
    columns: dict[tuple[int, ...], ColumnPrior]


def network_prior(network: Network, prior_weight: float = 1.0) -> dict[str, NodePrior]:
    """The prior of every learnable node (tables and noisy nodes with uncertain entries).

    Parameters
    ----------
    network : Network
    prior_weight : float
        Multiplies every pseudo-count (> 0).

    Returns
    -------
    dict
        Node -> :class:`NodePrior`, in the network's order.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> net = load_network("marrow_signal")
    >>> prior = network_prior(net)
    >>> a = prior["monocytosis"].alpha
    >>> a.shape == net.cpts["monocytosis"].shape
    True
    >>> mean = a / a.sum(axis=-1, keepdims=True)
    >>> bool(np.allclose(mean, net.cpts["monocytosis"]))
    True
    """
    weight = _weight(prior_weight)
    out: dict[str, NodePrior] = {}
    for v in network.variables:
        spec = network.spec.nodes[v]
        entries = list(spec.cpt.entries())
        if not entries or any(e.uncertainty is None for e in entries):
            continue
        parent_states = [network.states[p] for p in spec.parents]
        shape = (*(len(s) for s in parent_states), len(spec.states))
        alpha = np.zeros(shape)
        columns: dict[tuple[int, ...], ColumnPrior] = {}
        cpt = spec.cpt
        if isinstance(cpt, TableCPT):
            for k, (when, entry) in enumerate(cpt.rows):
                a = _alpha(entry, spec.states)
                lists = [[network.states[p].index(s) for s in when[p]] for p in spec.parents]
                for combo in itertools.product(*lists):
                    alpha[combo] = a
                    columns[combo] = ColumnPrior((k,))
        elif isinstance(cpt, NoisyMaxCPT):
            table = network.cpts[v]
            for combo in itertools.product(*(range(len(s)) for s in parent_states)):
                active = _active(cpt, spec.parents, parent_states, combo)
                kappa = _noisy_concentration([entries[i] for i in active])
                alpha[combo] = kappa * table[combo]
                columns[combo] = ColumnPrior(tuple(active), moment_matched=True)
        else:  # pragma: no cover - fixed and deterministic tables have no entries
            continue
        out[v] = NodePrior(v, alpha * weight, columns)
    return out


def _weight(prior_weight: float) -> float:
    ok = isinstance(prior_weight, int | float) and not isinstance(prior_weight, bool)
    if not ok or not np.isfinite(prior_weight) or prior_weight <= 0:
        raise ArgumentError(
            f"prior_weight must be a positive number (1: the literature as it is), "
            f"got {prior_weight!r}"
        )
    return float(prior_weight)


def _alpha(entry: Entry, states: tuple[str, ...]) -> np.ndarray:
    """The entry's pseudo-counts in the node's state order: its concentration times its p.

    For a range or an effective sample size this is the entry's Dirichlet itself; for study
    counts (Dirichlet(counts + 1/2), whose mean is a little off the written value) it is
    centred on the written value, so that a number without local data stays as written and
    only the data move it.
    """
    assert entry.uncertainty is not None  # network_prior keeps uncertain entries only
    kappa = entry.uncertainty.concentration
    return np.asarray([kappa * entry.p[entry.states.index(s)] for s in states], dtype=float)


def _active(
    cpt: NoisyMaxCPT,
    parents: tuple[str, ...],
    parent_states: list[tuple[str, ...]],
    combo: tuple[int, ...],
) -> list[int]:
    """Entry indices acting in a parent combination: the leak (0), then the causes."""
    active = [0]
    i = 1
    for parent, states, s in zip(parents, parent_states, combo, strict=True):
        for pstate in cpt.causes.get(parent, {}):
            if pstate == states[s]:
                active.append(i)
            i += 1
    return active


def _noisy_concentration(entries: list[Entry]) -> float:
    """Concentration of the Beta matched to P(first state) = product of the entries' F(0).

    Each entry's first-state probability is Beta(a0, A - a0) under its Dirichlet(a); the
    product of independent Betas has mean prod E[x] and second moment prod E[x^2].
    """
    m1, m2 = 1.0, 1.0
    for e in entries:
        assert e.uncertainty is not None
        a = e.uncertainty.alpha
        a0, total = float(a[0]), float(a.sum())
        m1 *= a0 / total
        m2 *= a0 * (a0 + 1.0) / (total * (total + 1.0))
    var = m2 - m1 * m1
    if var <= 1e-300 or m1 <= 0.0 or m1 >= 1.0:
        # a certain first state: no spread to match; the leak's own concentration
        return float(entries[0].uncertainty.alpha.sum())  # type: ignore[union-attr]
    return max(m1 * (1.0 - m1) / var - 1.0, 1e-6)
