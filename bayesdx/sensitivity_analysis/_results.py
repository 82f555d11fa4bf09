"""What the sensitivity analyses return, and how they are shown."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from bayesdx.display import DISCLAIMER, stamp
from bayesdx.errors import ArgumentError
from bayesdx.model import (
    Hypothesis,
    Parameter,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from bayesdx.decision import Policy

__all__ = ["OneWay", "PriorPoint", "SensitivityReport", "UncertaintyReport"]


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
