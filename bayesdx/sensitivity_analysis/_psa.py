"""Probabilistic sensitivity analysis: the posterior under joint parameter uncertainty.

Every distribution entry of the network carries a Dirichlet (a Beta for two states) from its
study counts, expert range or effective sample size. A draw samples every entry at once,
expands every table, and evaluates the exact posterior; all draws of a chunk are evaluated at
once by the compiled engine (:mod:`bayesdx.compiled`) on its parameter-draw axis. Seeded and
reproducible.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.decision import as_policy, default_policy
from bayesdx.display import DISCLAIMER, Progress, stamp
from bayesdx.errors import BayesdxError, LimitError, NoUncertaintyError
from bayesdx.inference import compile_network, marginals
from bayesdx.limits import MAX_DRAWS
from bayesdx.model import (
    Hypothesis,
    as_network,
    normalise,
    resolve_hypothesis,
    sample_tables,
    uncertain_nodes,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from bayesdx.decision import Policy
    from bayesdx.model import Network

__all__ = ["UncertaintyReport", "uncertainty"]

_CHUNK = 2000


@dataclass(frozen=True)
class UncertaintyReport:
    """The posterior's distribution over parameter draws.

    Attributes
    ----------
    hypothesis : Hypothesis
    posterior : float
        At the network's point values.
    samples : numpy.ndarray
        P(hypothesis | evidence) in each draw (NaN where the evidence was impossible).
    seed : int
    policy : Policy or None
    """

    network: str
    hypothesis: Hypothesis
    evidence: dict[str, str]
    posterior: float
    samples: np.ndarray
    seed: int
    policy: Policy | None = None

    @property
    def draws(self) -> int:
        """Number of draws."""
        return int(self.samples.size)

    @property
    def valid(self) -> np.ndarray:
        """The draws under which the evidence was possible."""
        return self.samples[~np.isnan(self.samples)]

    @property
    def mean(self) -> float:
        """Mean posterior over the draws."""
        return float(self.valid.mean())

    @property
    def interval(self) -> tuple[float, float]:
        """Central 95% interval of the posterior over the draws."""
        lo, hi = np.quantile(self.valid, [0.025, 0.975])
        return float(lo), float(hi)

    @property
    def verdict_shares(self) -> dict[str, float]:
        """Share of draws in which each verdict holds."""
        if self.policy is None:
            return {}
        v = self.valid
        shares = {
            "recommended": float((v >= self.policy.high).mean()),
            "borderline": float(((v >= self.policy.low) & (v < self.policy.high)).mean()),
            "not_recommended": float((v < self.policy.low).mean()),
        }
        if self.policy.low == self.policy.high:
            shares.pop("borderline")
        return shares

    def to_dict(self) -> dict[str, Any]:
        """The ``psa`` object of ``bayesdx sensitivity --json``."""
        return {
            "draws": self.draws,
            "seed": self.seed,
            "mean": self.mean,
            "interval": list(self.interval),
            "verdict_shares": self.verdict_shares,
            "impossible_draws": int(np.isnan(self.samples).sum()),
            "posterior_at_point_values": self.posterior,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per draw: the posterior."""
        import pandas as pd

        return pd.DataFrame({"draw": np.arange(self.draws), "posterior": self.samples})

    def __str__(self) -> str:
        lo, hi = self.interval
        h = self.hypothesis.name
        lines = [
            f"Probabilistic sensitivity ({self.draws} draws, seed {self.seed}): "
            f"P({h} | evidence) mean {self.mean:.3f}, 95% interval {lo:.3f}-{hi:.3f} "
            f"(point value {self.posterior:.3f})"
        ]
        if self.verdict_shares:
            lines.append(
                "Verdict in the draws: "
                + ", ".join(f"{k} {v:.1%}" for k, v in self.verdict_shares.items())
            )
        lines.append(DISCLAIMER)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"

    def plot(self, ax: Axes | None = None) -> Axes:
        """Histogram of the posterior over the draws, with the decision band.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        if self.policy is not None:
            ax.axvspan(
                self.policy.low, self.policy.high, color="0.85", zorder=0, label="decision band"
            )
        ax.hist(self.valid, bins=50, range=(0, 1), color="#4c72b0")
        ax.axvline(self.posterior, color="k", linewidth=1, label="point value")
        lo, hi = self.interval
        ax.axvline(lo, color="k", linestyle=":", linewidth=1, label="95% interval")
        ax.axvline(hi, color="k", linestyle=":", linewidth=1)
        ax.set_xlabel(f"P({self.hypothesis.name} | evidence) over {self.draws} draws")
        ax.set_ylabel("draws")
        ax.legend(fontsize=7)
        stamp(ax)
        return ax


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
    target : str, optional
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
    point = h.probability(marginals(network, states, [h.node])[0][h.node])
    if not uncertain_nodes(network):
        raise NoUncertaintyError(
            f"network '{network.id}' gives no uncertainty for its numbers (study counts or "
            "expert ranges), so a probabilistic analysis has nothing to sample"
        )

    rng = np.random.default_rng(seed)
    members = [network.states[h.node].index(s) for s in h.members]
    engine = compile_network(network)
    case = engine.encode([states])
    samples = np.empty(n)
    bar = Progress(n, "bayesdx draws", enabled=progress, unit="draws")
    for start in range(0, n, _CHUNK):
        size = min(_CHUNK, n - start)
        result = engine.evaluate(case, [h.node], cpts=sample_tables(network, rng, size))
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
