"""One-way parameter sensitivity, decision sensitivity and the prior (base-rate) sweep.

For any one parameter x of one node's table (its siblings co-varied proportionally), both
P(H, e) and P(e) are linear in x, so the posterior is exactly linear-fractional:

    f(x) = (a x + b) / (c x + d)

Two exact inferences give a, b, c, d; the derivative at the current value, the posterior
over the parameter's uncertainty range, and the value at which the biopsy verdict flips
(f(x) = t, solved for x) follow in closed form. This is the sensitivity function of Castillo,
Gutierrez and Hadi and of Coupe and van der Gaag, and the single-parameter constraint search
of SamIam.

The prior sweep varies the base rate P(H | context) while keeping every distribution within H
and within not-H: the posterior odds are then the prior odds times the fixed likelihood ratio
of the evidence, L = odds(H | e) / odds(H).

References
----------
Coupe VMH, van der Gaag LC. Properties of sensitivity analysis of Bayesian belief networks.
Ann Math Artif Intell 2002;36:323-56.
Chan H, Darwiche A. Sensitivity analysis in Bayesian networks: from single to multiple
parameters. UAI 2004.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from bayesdx.decision import as_policy, default_policy
from bayesdx.display import DISCLAIMER, stamp
from bayesdx.errors import ArgumentError, BayesdxError, NoUncertaintyError
from bayesdx.inference import marginals
from bayesdx.model import (
    Hypothesis,
    Parameter,
    as_network,
    find_parameter,
    network_parameters,
    normalise,
    resolve_hypothesis,
    table_with,
)
from bayesdx.sensitivity_analysis._psa import UncertaintyReport, uncertainty

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from bayesdx.decision import Policy
    from bayesdx.model import Network

__all__ = [
    "OneWay",
    "PriorPoint",
    "SensitivityReport",
    "prior_sweep",
    "sensitivity",
    "sensitivity_function",
]


@dataclass(frozen=True)
class OneWay:
    """The sensitivity function of one parameter: f(x) = (a x + b) / (c x + d)."""

    parameter: Parameter
    a: float
    b: float
    c: float
    d: float
    flip_at: float | None

    def __call__(self, x: float | np.ndarray) -> float | np.ndarray:
        """f(x); NaN where P(e) = 0 (the evidence impossible at that value)."""
        num = self.a * np.asarray(x, dtype=float) + self.b
        den = self.c * np.asarray(x, dtype=float) + self.d
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        return float(out) if out.ndim == 0 else out

    @property
    def value(self) -> float:
        """The parameter's value in the network."""
        return self.parameter.value

    @property
    def derivative(self) -> float:
        """df/dx at the current value: (a d - b c) / (c x + d)^2."""
        x = self.value
        return (self.a * self.d - self.b * self.c) / (self.c * x + self.d) ** 2

    @property
    def posterior_range(self) -> tuple[float, float]:
        """f at the two ends of the parameter's 95% range (f is monotone in x)."""
        lo, hi = self.parameter.range
        ends = (float(self(lo)), float(self(hi)))
        return min(ends), max(ends)

    @property
    def swing(self) -> float:
        """Width of :attr:`posterior_range`: how much this parameter's uncertainty matters."""
        lo, hi = self.posterior_range
        return hi - lo

    def to_dict(self) -> dict[str, Any]:
        """The ``one_way`` item of ``bayesdx sensitivity --json``."""
        return {
            "parameter": self.parameter.id,
            "value": self.value,
            "derivative": self.derivative,
            "range": list(self.parameter.range),
            "posterior_range": list(self.posterior_range),
            "flip_at": self.flip_at,
            "coefficients": [self.a, self.b, self.c, self.d],
            "sources": list(self.parameter.entry.sources),
        }


@dataclass(frozen=True)
class PriorPoint:
    """The posterior and verdict at one base rate."""

    base_rate: float
    posterior: float
    verdict: str | None


def _joint(
    network: Network,
    states: Mapping[str, str],
    h: Hypothesis,
    cpts: Mapping[str, np.ndarray] | None = None,
) -> tuple[float, float]:
    """(P(H, e), P(e)) under optional replacement tables."""
    dist, p_e = marginals(network, states, [h.node], cpts)
    return h.probability(dist[h.node]) * p_e, p_e


def _flip(f: OneWay, policy: Policy | None) -> float | None:
    """The x in [0, 1] nearest the current value at which the verdict changes."""
    if policy is None:
        return None
    current = policy.verdict(float(f(f.value)))
    best = None
    for t in {policy.low, policy.high}:
        denom = f.a - t * f.c
        if abs(denom) < 1e-15:
            continue
        x = (t * f.d - f.b) / denom
        if not 0.0 <= x <= 1.0:
            continue
        # the verdict just beyond x (away from the current value) must differ
        step = 1e-9 if x >= f.value else -1e-9
        probe = float(f(min(max(x + step, 0.0), 1.0)))
        if math.isnan(probe) or policy.verdict(probe) == current:
            continue
        if best is None or abs(x - f.value) < abs(best - f.value):
            best = float(x)
    return best


def sensitivity_function(
    network: Network,
    states: Mapping[str, str],
    h: Hypothesis,
    parameter: Parameter,
    policy: Policy | None = None,
) -> OneWay:
    """The exact linear-fractional sensitivity function of one parameter."""
    x0 = parameter.value
    x1 = x0 + 0.5 if x0 < 0.5 else x0 - 0.5
    n0, d0 = _joint(network, states, h, {parameter.node: table_with(network, parameter, x0)})
    n1, d1 = _joint(network, states, h, {parameter.node: table_with(network, parameter, x1)})
    a = (n1 - n0) / (x1 - x0)
    c = (d1 - d0) / (x1 - x0)
    f = OneWay(parameter, a, n0 - a * x0, c, d0 - c * x0, None)
    return OneWay(parameter, f.a, f.b, f.c, f.d, _flip(f, policy))


def prior_sweep(
    posterior: float, prior: float, rates: np.ndarray, policy: Policy | None = None
) -> list[PriorPoint]:
    """Posterior at each base rate, the likelihood ratio of the evidence held fixed.

    Examples
    --------
    >>> [round(p.posterior, 3) for p in prior_sweep(0.5, 0.2, [0.2, 0.5])]
    [0.5, 0.8]
    >>> [p.posterior for p in prior_sweep(1.0, 0.2, [0.2, 0.5])]  # evidence that decides it
    [1.0, 1.0]
    """
    certain = not (0 < posterior < 1 and 0 < prior < 1)
    lr = math.nan if certain else (posterior / (1 - posterior)) / (prior / (1 - prior))
    out = []
    for r in rates:
        p = float(posterior) if certain else float(r * lr / (r * lr + (1 - r)))
        out.append(PriorPoint(float(r), p, policy.verdict(p) if policy else None))
    return out


@dataclass(frozen=True)
class SensitivityReport:
    """Which numbers drive a posterior, and whether the decision survives them.

    Attributes
    ----------
    network : str
    hypothesis : Hypothesis
    evidence : dict
        The states conditioned on (given and assumed).
    posterior, prior : float
    one_way : list of OneWay
        Every parameter, sorted by :attr:`OneWay.swing` (largest first).
    prior_sweep : list of PriorPoint
    base_rate_flip : float or None
        The base rate at which the verdict changes (the nearest one).
    policy : Policy or None
    psa : UncertaintyReport or None
        The probabilistic sensitivity analysis (None when ``draws=0`` or when the network
        gives no uncertainty).
    psa_note : str or None
        Why the probabilistic analysis was not run, when it was not.
    """

    network: str
    hypothesis: Hypothesis
    evidence: dict[str, str]
    posterior: float
    prior: float
    one_way: list[OneWay]
    prior_sweep: list[PriorPoint]
    base_rate_flip: float | None
    policy: Policy | None = None
    psa: UncertaintyReport | None = None
    psa_note: str | None = None
    _verdict: str | None = field(default=None, repr=False)

    @property
    def verdict(self) -> str | None:
        """The biopsy verdict at the network's values."""
        return self.policy.verdict(self.posterior) if self.policy else None

    @property
    def smallest_flip(self) -> OneWay | None:
        """The parameter whose smallest single change flips the verdict."""
        flips = [f for f in self.one_way if f.flip_at is not None]
        return min(flips, key=lambda f: abs(cast(float, f.flip_at) - f.value)) if flips else None

    def to_dict(self) -> dict[str, Any]:
        """What ``bayesdx sensitivity --json`` prints."""
        smallest = self.smallest_flip
        return {
            "network": self.network,
            "target": self.hypothesis.name,
            "evidence": dict(self.evidence),
            "posterior": self.posterior,
            "prior": self.prior,
            "verdict": self.verdict,
            "threshold": self.policy.to_dict() if self.policy else None,
            "one_way": [f.to_dict() for f in self.one_way],
            "smallest_flip": None
            if smallest is None
            else {
                "parameter": smallest.parameter.id,
                "value": smallest.value,
                "flip_at": smallest.flip_at,
                "change": cast(float, smallest.flip_at) - smallest.value,  # a flip: not None
            },
            "prior_sweep": [
                {"base_rate": p.base_rate, "posterior": p.posterior, "verdict": p.verdict}
                for p in self.prior_sweep
            ],
            "base_rate_flip": self.base_rate_flip,
            "psa": self.psa.to_dict() if self.psa is not None else None,
            "psa_note": self.psa_note,
            "disclaimer": DISCLAIMER,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter: value, range, derivative, posterior range, flip point."""
        import pandas as pd

        rows = [
            (
                f.parameter.id,
                f.value,
                *f.parameter.range,
                f.derivative,
                *f.posterior_range,
                f.swing,
                f.flip_at,
                f.parameter.expert,
            )
            for f in self.one_way
        ]
        return pd.DataFrame(
            rows,
            columns=[
                "parameter",
                "value",
                "range_lo",
                "range_hi",
                "derivative",
                "posterior_lo",
                "posterior_hi",
                "swing",
                "flip_at",
                "expert",
            ],
        )

    def __str__(self) -> str:
        return self.report()

    def report(self, top: int = 10) -> str:
        """The readable report, showing the ``top`` parameters."""
        h = self.hypothesis.name
        lines = [
            f"Network: {self.network}; target: {h}",
            "Evidence: " + (", ".join(f"{k}={v}" for k, v in self.evidence.items()) or "none"),
            f"P({h} | evidence) = {self.posterior:.3f}"
            + (f"  verdict: {self.verdict}" if self.verdict else ""),
            "",
            "Parameters that matter most (posterior over each one's 95% range):",
        ]
        for f in self.one_way[:top]:
            lo, hi = f.posterior_range
            flip = f"  flips at {f.flip_at:.3f}" if f.flip_at is not None else ""
            tag = " (expert)" if f.parameter.expert else ""
            lines.append(
                f"  {f.parameter.id}{tag}: {f.value:.3f} "
                f"[{f.parameter.range[0]:.3f}, {f.parameter.range[1]:.3f}] -> "
                f"P {lo:.3f}-{hi:.3f}{flip}"
            )
        smallest = self.smallest_flip
        if smallest is not None:
            lines.append(
                f"Smallest single change that flips the verdict: "
                f"{smallest.parameter.id} from {smallest.value:.3f} to "
                f"{smallest.flip_at:.3f}"
            )
        elif self.policy is not None:
            lines.append("No single parameter, anywhere in [0, 1], flips the verdict.")
        if self.base_rate_flip is not None:
            lines.append(
                f"The verdict flips at a base rate of {self.base_rate_flip:.3f} "
                f"(now {self.prior:.3f})."
            )
        if self.psa is not None:
            lines += ["", str(self.psa).split("\n" + DISCLAIMER)[0]]
        if self.psa_note:
            lines += ["", self.psa_note]
        lines += ["", DISCLAIMER]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "".join(
            f"<tr><td>{esc(f.parameter.id)}</td><td>{f.value:.3f}</td>"
            f"<td>{f.parameter.range[0]:.3f}-{f.parameter.range[1]:.3f}</td>"
            f"<td>{f.posterior_range[0]:.3f}-{f.posterior_range[1]:.3f}</td>"
            f"<td>{'' if f.flip_at is None else f'{f.flip_at:.3f}'}</td></tr>"
            for f in self.one_way[:15]
        )
        return (
            f"<div><p>P({esc(self.hypothesis.name)} | evidence) = {self.posterior:.3f}"
            f"{' (' + esc(self.verdict) + ')' if self.verdict else ''}</p><table><tr>"
            "<th>parameter</th><th>value</th><th>95% range</th><th>posterior range</th>"
            f"<th>flips at</th></tr>{rows}</table><p><small>{esc(DISCLAIMER)}</small></p>"
            "</div>"
        )

    def plot(self, ax: Axes | None = None, top: int = 12, kind: str = "tornado") -> Axes:
        """``tornado`` (posterior over each parameter's range) or ``prior`` (base-rate sweep).

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        if kind == "prior":
            return self._plot_prior(ax)
        if kind != "tornado":
            raise ArgumentError(f"unknown plot kind {kind!r}; valid: tornado, prior")
        shown = self.one_way[:top][::-1]
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 0.4 * len(shown) + 1.5))
        for i, f in enumerate(shown):
            lo, hi = f.posterior_range
            color = "#dd8452" if f.parameter.expert else "#4c72b0"
            ax.barh(i, hi - lo, left=lo, color=color)
        ax.set_yticks(range(len(shown)), [f.parameter.id for f in shown], fontsize=7)
        ax.axvline(self.posterior, color="k", linewidth=1)
        if self.policy is not None:
            ax.axvspan(self.policy.low, self.policy.high, color="0.85", zorder=0)
        ax.set_xlabel(f"P({self.hypothesis.name} | evidence) over each parameter's 95% range")
        ax.set_title(
            "Tornado: blue = sourced, orange = expert estimate; grey = decision band", fontsize=9
        )
        stamp(ax)
        return ax

    def _plot_prior(self, ax: Axes | None) -> Axes:
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        rates = [p.base_rate for p in self.prior_sweep]
        ax.plot(rates, [p.posterior for p in self.prior_sweep], "-o", markersize=3)
        ax.axvline(self.prior, color="0.4", linestyle=":", label=f"base rate {self.prior:.2f}")
        if self.policy is not None:
            ax.axhspan(self.policy.low, self.policy.high, color="0.85", zorder=0)
        ax.set_xlabel(f"base rate P({self.hypothesis.name})")
        ax.set_ylabel(f"P({self.hypothesis.name} | evidence)")
        ax.set_ylim(0, 1)
        ax.legend(fontsize=7)
        stamp(ax)
        return ax


def _rates(base_rates: tuple[float, float], points: int) -> np.ndarray:
    if not isinstance(base_rates, tuple | list) or len(base_rates) != 2:
        raise ArgumentError(f"base_rates must be a pair (low, high), got {base_rates!r:.60}")
    if isinstance(points, bool) or not isinstance(points, int) or not 2 <= points <= 1000:
        raise ArgumentError(f"points must be a whole number from 2 to 1000, got {points!r:.60}")
    lo, hi = base_rates
    for v in (lo, hi):
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 <= v <= 1.0:
            raise BayesdxError(f"base-rate range [{lo}, {hi}] must lie within [0, 1]")
    if not lo < hi:
        raise BayesdxError(f"base-rate range [{lo}, {hi}] needs low < high")
    return np.linspace(lo, hi, points)


def sensitivity(
    network: Network,
    evidence: Mapping[str, Any] | None = None,
    *,
    hypothesis: str | None = None,
    policy: Policy | None = None,
    parameters: list[str] | None = None,
    base_rates: tuple[float, float] = (0.05, 0.60),
    points: int = 12,
    draws: int = 10_000,
    seed: int = 0,
    progress: bool | None = None,
) -> SensitivityReport:
    """One-way, decision and prior sensitivity of P(target | evidence).

    Parameters
    ----------
    network : Network
    evidence : mapping, optional
    hypothesis : str, optional
        A group, diagnosis state or ``VAR=STATE``; default the decision target.
    policy : Policy, optional
        Default: the network's band when the hypothesis is its decision target.
    parameters : list of str, optional
        Parameter ids to analyse (default: all).
    base_rates : (float, float)
        The range of the prior sweep, within [0, 1].
    points : int
        Points of the prior sweep.
    draws, seed : int
        The probabilistic analysis (:func:`uncertainty`): ``draws`` joint parameter draws
        from ``seed``; ``draws=0`` skips it. A network without uncertainty skips it too, and
        the report's ``psa_note`` says why.
    progress : bool, optional
        A progress bar for the draws (default: when stderr is a terminal).

    Returns
    -------
    SensitivityReport

    Examples
    --------
    >>> from bayesdx import load_network
    >>> rep = sensitivity(load_network("marrow_signal"), {"hb": 11}, parameters=[
    ...     "hb[diagnosis=multiple_myeloma].lt_12"])
    >>> f = rep.one_way[0]
    >>> abs(f(f.value) - rep.posterior) < 1e-12
    True
    """

    network = as_network(network)

    rates = _rates(base_rates, points)
    h = resolve_hypothesis(network, hypothesis)
    policy = default_policy(network, h) if policy is None else as_policy(policy)
    ev = normalise(network, evidence)
    states = ev.states
    dist, _ = marginals(network, states, [h.node])
    posterior = h.probability(dist[h.node])
    context = {v: s for v, s in states.items() if v in network.defaults}
    prior = h.probability(marginals(network, context, [h.node])[0][h.node])

    params = network_parameters(network)
    if parameters is not None:
        if isinstance(parameters, str) or not isinstance(parameters, list | tuple):
            raise ArgumentError(
                f"parameters must be a list of parameter ids, got {type(parameters).__name__}"
            )
        params = [find_parameter(params, pid) for pid in parameters]
    one_way = [sensitivity_function(network, states, h, p, policy) for p in params]
    one_way.sort(key=lambda f: -f.swing)

    sweep = prior_sweep(posterior, prior, rates, policy)
    flip = None
    if policy is not None and 0 < posterior < 1 and 0 < prior < 1:
        lr = (posterior / (1 - posterior)) / (prior / (1 - prior))
        current = policy.verdict(posterior)
        for t in {policy.low, policy.high}:
            r = t / (t + lr * (1 - t))
            step = 1e-9 if r >= prior else -1e-9
            p = (r + step) * lr / ((r + step) * lr + 1 - r - step)
            if policy.verdict(p) != current and (
                flip is None or abs(r - prior) < abs(flip - prior)
            ):
                flip = float(r)
    psa, note = None, None
    if draws:
        try:
            psa = uncertainty(
                network,
                evidence,
                hypothesis=h.name,
                policy=policy,
                draws=draws,
                seed=seed,
                progress=progress,
            )
        except NoUncertaintyError as exc:  # an imported network: report what can be computed
            note = f"Probabilistic sensitivity not run: {exc}"
    return SensitivityReport(
        network=network.id,
        hypothesis=h,
        evidence=dict(states),
        posterior=posterior,
        prior=prior,
        one_way=one_way,
        prior_sweep=sweep,
        base_rate_flip=flip,
        policy=policy,
        psa=psa,
        psa_note=note,
    )
