"""Probabilistic sensitivity analysis: the posterior under joint parameter uncertainty.

Every distribution entry of the network carries a Dirichlet (a Beta for two states) from its
study counts, expert range or effective sample size. A draw samples every entry at once,
expands every table, and evaluates the exact posterior; all draws of a chunk are evaluated at
once through the engine interface (:func:`bayesdx.inference.posteriors`), on the compiled
engine's parameter-draw axis. Seeded and reproducible.
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
    as_network,
    normalise,
    resolve_hypothesis,
    sample_tables,
    uncertain_nodes,
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
    if not uncertain_nodes(network):
        raise NoUncertaintyError(
            f"network '{network.id}' gives no uncertainty for its numbers (study counts or "
            "expert ranges), so a probabilistic analysis has nothing to sample"
        )

    rng = np.random.default_rng(seed)
    members = [network.states[h.node].index(s) for s in h.members]
    samples = np.empty(n)
    bar = Progress(n, "bayesdx draws", enabled=progress, unit="draws")
    for start in range(0, n, _CHUNK):
        size = min(_CHUNK, n - start)
        tables = sample_tables(network, rng, size)
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
    )
