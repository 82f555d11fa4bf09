"""Joint draws of a network's tables from the uncertainty of their entries."""

from __future__ import annotations

import numpy as np

from bayesdx.model._cpt import NoisyMaxCPT, TableCPT
from bayesdx.model._network import Network

__all__ = ["sample_entry", "sample_tables", "uncertain_nodes"]


def sample_entry(
    alpha: np.ndarray, p: tuple[float, ...], rng: np.random.Generator, n: int
) -> np.ndarray:
    """n draws of one entry from Dirichlet(alpha); states with alpha = 0 stay 0.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = sample_entry(np.array([2.0, 0.0, 6.0]), (0.25, 0.0, 0.75), rng, 4)
    >>> d.shape, bool((d[:, 1] == 0).all()), bool(np.allclose(d.sum(1), 1))
    ((4, 3), True, True)
    """
    out = np.zeros((n, len(alpha)))
    live = alpha > 0
    gam = rng.gamma(alpha[live], size=(n, int(live.sum())))
    total = gam.sum(axis=1, keepdims=True)
    point = np.asarray(p, dtype=float)[live]
    # tiny concentrations can underflow every gamma to 0: keep the point value there
    out[:, live] = np.where(total > 0, gam / np.where(total > 0, total, 1.0), point)
    return out


def uncertain_nodes(network: Network) -> list[str]:
    """The nodes whose every table entry carries an uncertainty (counts or a range)."""
    out = []
    for v in network.variables:
        entries = list(network.spec.nodes[v].cpt.entries())
        if entries and all(e.uncertainty is not None for e in entries):
            out.append(v)
    return out


def sample_tables(network: Network, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """n joint draws of every table that has uncertain entries: node -> (n, *shape)."""
    tables = {}
    for v in uncertain_nodes(network):
        spec = network.spec.nodes[v]
        cpt = spec.cpt
        # uncertain_nodes keeps only nodes with entries, all uncertain (fixed and
        # deterministic tables have none)
        assert isinstance(cpt, TableCPT | NoisyMaxCPT)
        draws = []
        for e in cpt.entries():
            assert e.uncertainty is not None
            draws.append(sample_entry(e.uncertainty.alpha, e.p, rng, n))
        parents = {p: network.states[p] for p in spec.parents}
        tables[v] = cpt.expand_draws(parents, spec.states, draws)
    return tables
