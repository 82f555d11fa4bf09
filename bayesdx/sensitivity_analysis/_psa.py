"""Probabilistic sensitivity analysis: the posterior under joint parameter uncertainty.

Every distribution entry of the network carries a Dirichlet (a Beta for two states) from its
study counts, expert range or effective sample size. A draw samples every entry at once,
expands every table, and evaluates the exact posterior; all draws of a chunk are evaluated at
once through the engine interface (:func:`bayesdx.inference.posteriors`), on the compiled
engine's parameter-draw axis. Seeded and reproducible.

An entry the network file gives no uncertainty (every table of an imported BIF, XMLBIF,
XDSL or NET network) is drawn from a default Dirichlet centred on its values with an
equivalent sample size of :data:`~bayesdx.model.DEFAULT_ESS` (10): a convention, not a
measurement, which the report states with the number of entries it applied to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.decision import as_policy, default_policy
from bayesdx.display import Progress
from bayesdx.errors import BayesdxError, LimitError, NoUncertaintyError
from bayesdx.inference import posteriors
from bayesdx.limits import MAX_DRAWS
from bayesdx.model import (
    DEFAULT_ESS,
    as_network,
    check_ess,
    draw_tables,
    normalise,
    parameter_entries,
    resolve_hypothesis,
)
from bayesdx.sensitivity_analysis._results import UncertaintyReport

if TYPE_CHECKING:
    from bayesdx.decision import Policy
    from bayesdx.model import Network

__all__ = ["uncertainty"]

_CHUNK = 2000


def _draw_count(draws: Any) -> int:
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise BayesdxError(f"draws must be a positive integer, got {draws!r}")
    if draws > MAX_DRAWS:
        raise LimitError(
            f"draws {draws:,} is over the limit of {MAX_DRAWS:,} (the default is 10,000)"
        )
    return int(draws)


def uncertainty(
    network: Network,
    evidence: Mapping[str, Any] | None = None,
    *,
    hypothesis: str | None = None,
    policy: Policy | None = None,
    draws: int = 10_000,
    seed: int = 0,
    progress: bool | None = None,
    default_ess: float | None = DEFAULT_ESS,
) -> UncertaintyReport:
    """Sample every parameter jointly and report the posterior's spread.

    Parameters
    ----------
    network : Network
    evidence : mapping, optional
    hypothesis : str, optional
        A group, diagnosis state or ``VAR=STATE``; default the decision target.
    draws : int
        Number of joint draws (a positive integer).
    seed : int
        Seed of the random generator; the same seed gives the same draws.
    policy : Policy, optional
        For the verdict shares (default: the network's band when the target is its decision
        target).
    progress : bool, optional
        Show a progress bar on stderr (default: when stderr is a terminal).
    default_ess : float or None
        An entry the file gives no uncertainty is drawn from Dirichlet(``default_ess`` * p)
        (default 10, :data:`~bayesdx.model.DEFAULT_ESS`); None keeps such entries at their
        values, and a network with no uncertainty at all then raises
        :class:`~bayesdx.errors.NoUncertaintyError`.

    Returns
    -------
    UncertaintyReport

    Examples
    --------
    >>> from bayesdx import load_network
    >>> rep = uncertainty(load_network("marrow_signal"), {"hb": 11}, draws=200, seed=1)
    >>> lo, hi = rep.interval
    >>> lo < rep.mean < hi
    True
    """

    network = as_network(network)

    n = _draw_count(draws)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise BayesdxError(f"seed must be a non-negative integer, got {seed!r}")
    h = resolve_hypothesis(network, hypothesis)
    policy = default_policy(network, h) if policy is None else as_policy(policy)
    states = normalise(network, evidence).states
    point = h.probability(
        posteriors(network, [states], [h.node], impossible="raise").distribution(h.node)
    )
    ess = None if default_ess is None else check_ess(default_ess)
    kinds = [
        e.uncertainty.kind if e.uncertainty is not None else None
        for v in network.variables
        for e in parameter_entries(network, v, ess)
    ]
    if not any(kinds):
        raise NoUncertaintyError(
            f"network '{network.id}' gives no uncertainty for its numbers (study counts or "
            "expert ranges), so a probabilistic analysis has nothing to sample (give "
            "default_ess to assume one)"
        )

    rng = np.random.default_rng(seed)
    members = [network.states[h.node].index(s) for s in h.members]
    samples = np.empty(n)
    bar = Progress(n, "bayesdx draws", enabled=progress, unit="draws")
    for start in range(0, n, _CHUNK):
        size = min(_CHUNK, n - start)
        tables = draw_tables(network, rng, size, ess)
        result = posteriors(network, [states], [h.node], tables=tables)
        post = result.posteriors[h.node][:, 0, :]
        possible = ~result.impossible[:, 0]
        samples[start : start + size] = np.where(possible, post[:, members].sum(axis=1), np.nan)
        bar.update(size)
    bar.close()
    return UncertaintyReport(
        network=network.id,
        hypothesis=h,
        evidence=dict(states),
        posterior=point,
        samples=samples,
        seed=int(seed),
        policy=policy,
        entries=len(kinds),
        default_entries=kinds.count("default"),
        default_ess=ess,
    )
