"""What the sensitivity analyses return, and how they are shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from bayesdx.display import (
    DISCLAIMER,
    Column,
    Lines,
    Rendered,
    Report,
    Table,
    figure_axes,
    finish,
)
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


#: one parameter's one-way analysis: the text and HTML show all but derivative and swing
ONE_WAY_COLUMNS = (
    Column("parameter"),
    Column("value", ".3f"),
    Column("range_lo", ".3f", label="95% lo"),
    Column("range_hi", ".3f", label="95% hi"),
    Column("derivative", show=False),
    Column("posterior_lo", ".3f", label="P lo"),
    Column("posterior_hi", ".3f", label="P hi"),
    Column("swing", show=False),
    Column("flip_at", ".3f", label="flips at"),
    Column("source", label="source"),
)


def default_note(
    count: int, total: int, ess: float | None, what: str, *, marked: bool = True
) -> str:
    """The line that says how many numbers were given the default uncertainty.

    Examples
    --------
    >>> default_note(3, 5, 10.0, "parameters")
    '3 of 5 parameters have no uncertainty in the network file; they were given a default \
one, Dirichlet(10 x p) (an equivalent sample size of 10), marked "default".'
    """
    if not count or ess is None:
        return ""
    return (
        f"{count} of {total} {what} have no uncertainty in the network file; they were given "
        f"a default one, Dirichlet({ess:g} x p) (an equivalent sample size of {ess:g})"
        + (', marked "default".' if marked else ".")
    )


@dataclass(frozen=True)
class OneWay(Rendered):
    """The sensitivity function of one parameter: f(x) = (a x + b) / (c x + d).

    Attributes
    ----------
    parameter : Parameter
        The network's number, with its 95% range and sources.
    a, b, c, d : float
        The coefficients.
    flip_at : float or None
        The value at which the verdict changes (the nearest one), if any in [0, 1].
    """

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
            "uncertainty": unc.kind if (unc := self.parameter.entry.uncertainty) else None,
        }

    def row(self) -> tuple[Any, ...]:
        """The values under :data:`ONE_WAY_COLUMNS`."""
        return (
            self.parameter.id,
            self.value,
            *self.parameter.range,
            self.derivative,
            *self.posterior_range,
            self.swing,
            self.flip_at,
            self.parameter.source_label,
        )

    def _report(self) -> Report:
        return Report([Table(ONE_WAY_COLUMNS, [self.row()])])


@dataclass(frozen=True)
class PriorPoint(Rendered):
    """The posterior and verdict at one base rate."""

    base_rate: float
    posterior: float
    verdict: str | None

    def to_dict(self) -> dict[str, Any]:
        """``{"base_rate", "posterior", "verdict"}``."""
        return {"base_rate": self.base_rate, "posterior": self.posterior, "verdict": self.verdict}

    def _report(self) -> Report:
        return Report([_sweep_table([self])])


def _sweep_table(points: list[PriorPoint]) -> Table:
    return Table(
        (
            Column("base_rate", ".3f", label="base rate"),
            Column("posterior", ".3f"),
            Column("verdict", lambda v: (v or "").replace("_", " ")),
        ),
        [(p.base_rate, p.posterior, p.verdict) for p in points],
    )


@dataclass(frozen=True)
class SensitivityReport(Rendered):
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
    default_ess : float or None
        The equivalent sample size of the default uncertainty, when some parameters have it.
    default_parameters : int
        How many parameters have the default uncertainty (labelled ``default``).
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
    default_ess: float | None = None
    default_parameters: int = 0
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
            "target_note": self.hypothesis.note or None,
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
            "prior_sweep": [p.to_dict() for p in self.prior_sweep],
            "base_rate_flip": self.base_rate_flip,
            "psa": self.psa.to_dict() if self.psa is not None else None,
            "psa_note": self.psa_note,
            "default_uncertainty": None
            if self.default_ess is None
            else {
                "distribution": "dirichlet",
                "ess": self.default_ess,
                "parameters": self.default_parameters,
                "note": self._default_note(),
            },
            "disclaimer": DISCLAIMER,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter: value, range, derivative, posterior range, flip point."""
        return self._report().frame()

    def report(self, top: int = 10) -> str:
        """The readable report, showing the ``top`` parameters."""
        return self._report(top).text()

    def _default_note(self) -> str:
        return default_note(
            self.default_parameters, len(self.one_way), self.default_ess, "parameters"
        )

    def _report(self, top: int = 10) -> Report:
        h = self.hypothesis.name
        head = Lines(
            [
                f"Network: {self.network}; target: {h}",
                *([f"Target {self.hypothesis.note}."] if self.hypothesis.note else []),
                "Evidence: " + (", ".join(f"{k}={v}" for k, v in self.evidence.items()) or "none"),
                f"P({h} | evidence) = {self.posterior:.3f}"
                + (f"  verdict: {self.verdict}" if self.verdict else ""),
            ]
        )
        table = Table(
            ONE_WAY_COLUMNS,
            [f.row() for f in self.one_way[:top]],
            caption="Parameters that matter most (posterior over each one's 95% range):",
        )
        flips = []
        smallest = self.smallest_flip
        if smallest is not None:
            flips.append(
                f"Smallest single change that flips the verdict: "
                f"{smallest.parameter.id} from {smallest.value:.3f} to "
                f"{smallest.flip_at:.3f}"
            )
        elif self.policy is not None:
            flips.append("No single parameter, anywhere in [0, 1], flips the verdict.")
        if self.base_rate_flip is not None:
            flips.append(
                f"The verdict flips at a base rate of {self.base_rate_flip:.3f} "
                f"(now {self.prior:.3f})."
            )
        psa = self.psa._report().blocks if self.psa is not None else []
        note = self._default_note()
        return Report(
            [
                head,
                table,
                Lines([note] if note else []),
                Lines(flips),
                *psa,
                Lines([self.psa_note] if self.psa_note else []),
            ],
            data=Table(ONE_WAY_COLUMNS, [f.row() for f in self.one_way]),
        )

    def plot(self, *, kind: str = "tornado", top: int = 12, ax: Axes | None = None) -> Axes:
        """Draw ``tornado`` (posterior over each parameter's range) or ``prior`` (base-rate sweep).

        Parameters
        ----------
        kind : {"tornado", "prior"}
        top : int
            The tornado's number of parameters (largest swing first).
        ax : matplotlib.axes.Axes, optional
            Draw here; by default on a new figure.

        Returns
        -------
        matplotlib.axes.Axes
        """
        if kind == "prior":
            return self._plot_prior(ax)
        if kind != "tornado":
            raise ArgumentError(f"unknown plot kind {kind!r}; valid: tornado, prior")
        shown = self.one_way[:top][::-1]
        names = [f.parameter.id for f in shown]
        # the figure widens with the longest parameter name (7 pt text, at most 0.065 in a letter)
        width = 4.5 + 0.065 * max((len(n) for n in names), default=0)
        # matplotlib itself is imported lazily, inside figure_axes, only when a plot is drawn
        _, ax = figure_axes(ax, (width, 0.4 * len(shown) + 1.6))
        colours = {
            "": ("#4c72b0", "sourced"),
            "expert": ("#dd8452", "expert estimate"),
            "default": ("#8c8c8c", f"default uncertainty (ESS {self.default_ess or 0:g})"),
        }
        for i, f in enumerate(shown):
            lo, hi = f.posterior_range
            colour, label = colours[f.parameter.source_label]
            ax.barh(i, hi - lo, left=lo, color=colour, label=label)
            colours[f.parameter.source_label] = (colour, "_")  # one legend entry per colour
        ax.set_yticks(range(len(shown)), names, fontsize=7)
        h = self.hypothesis.name
        ax.axvline(self.posterior, color="k", linewidth=1, label=f"P({h}) = {self.posterior:.2f}")
        if self.policy is not None:
            ax.axvspan(
                self.policy.low, self.policy.high, color="0.85", zorder=0, label="decision band"
            )
        ax.set_xlabel(f"P({h} | evidence)")
        ax.legend(fontsize=7, loc="lower right")
        return finish(ax, "Tornado: the posterior over each parameter's 95% range")

    def _plot_prior(self, ax: Axes | None) -> Axes:
        _, ax = figure_axes(ax, (6, 3.5))
        rates = [p.base_rate for p in self.prior_sweep]
        ax.plot(rates, [p.posterior for p in self.prior_sweep], "-o", markersize=3)
        ax.axvline(self.prior, color="0.4", linestyle=":", label=f"base rate {self.prior:.2f}")
        if self.policy is not None:
            ax.axhspan(
                self.policy.low, self.policy.high, color="0.85", zorder=0, label="decision band"
            )
        ax.set_xlabel(f"base rate P({self.hypothesis.name})")
        ax.set_ylabel(f"P({self.hypothesis.name} | evidence)")
        ax.set_ylim(0, 1)
        ax.legend(fontsize=7)
        return finish(ax, f"Posterior as the base rate of {self.hypothesis.name} varies")


@dataclass(frozen=True)
class UncertaintyReport(Rendered):
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
    entries : int
        The distribution entries drawn.
    default_entries : int
        Of those, the ones drawn from the default uncertainty (the file gives them none).
    default_ess : float or None
        The default uncertainty's equivalent sample size.
    """

    network: str
    hypothesis: Hypothesis
    evidence: dict[str, str]
    posterior: float
    samples: np.ndarray
    seed: int
    policy: Policy | None = None
    entries: int = 0
    default_entries: int = 0
    default_ess: float | None = None

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
        """Mean posterior over the draws (NaN when the evidence was impossible in every one)."""
        return float(self.valid.mean()) if self.valid.size else float("nan")

    @property
    def interval(self) -> tuple[float, float]:
        """Central 95% interval of the posterior over the draws (NaN when none was possible)."""
        if not self.valid.size:
            return float("nan"), float("nan")
        lo, hi = np.quantile(self.valid, [0.025, 0.975])
        return float(lo), float(hi)

    @property
    def verdict_shares(self) -> dict[str, float]:
        """Share of draws in which each verdict holds (the policy's rule; the guideline's
        safety net is applied by :func:`bayesdx.recommend`, which knows the red flags)."""
        if self.policy is None or not self.valid.size:
            return {}
        v = self.valid
        policy = self.policy
        # the policy's own verdict rule, with its harm/benefit floor when it has one
        floor = policy.floor if policy.floor is not None else policy.low
        shares = {
            "recommended": float((v >= policy.high).mean()),
            "borderline": float(((v >= policy.low) & (v < policy.high)).mean()),
            "consider": float(((v >= floor) & (v < policy.low)).mean()),
            "not_recommended": float((v < floor).mean()),
        }
        if policy.low == policy.high:
            shares.pop("borderline")
        if policy.floor is None:
            shares.pop("consider")
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
            "entries": self.entries,
            "default_entries": self.default_entries,
            "default_ess": self.default_ess if self.default_entries else None,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per draw: the posterior."""
        return self._report().frame()

    def _report(self) -> Report:
        lo, hi = self.interval
        h = self.hypothesis.name
        if self.valid.size:
            lines = [
                f"Probabilistic sensitivity ({self.draws} draws, seed {self.seed}): "
                f"P({h} | evidence) mean {self.mean:.3f}, 95% interval {lo:.3f}-{hi:.3f} "
                f"(point value {self.posterior:.3f})"
            ]
        else:
            lines = [
                f"Probabilistic sensitivity ({self.draws} draws, seed {self.seed}): the "
                f"evidence was impossible in every draw (point value {self.posterior:.3f})"
            ]
        note = default_note(
            self.default_entries, self.entries, self.default_ess, "entries", marked=False
        )
        if note:
            lines.append("In the draws, " + note[0].lower() + note[1:])
        if self.verdict_shares:
            lines.append(
                "Verdict in the draws: "
                + ", ".join(f"{k} {v:.1%}" for k, v in self.verdict_shares.items())
            )
        draws = Table(
            (Column("draw"), Column("posterior")),
            list(zip(range(self.draws), self.samples.tolist(), strict=True)),
        )
        return Report([Lines(lines)], data=draws)

    def plot(self, *, bins: int = 50, ax: Axes | None = None) -> Axes:
        """Histogram of the posterior over the draws, with the decision band.

        Parameters
        ----------
        bins : int
            Number of bins over [0, 1].
        ax : matplotlib.axes.Axes, optional
            Draw here; by default on a new figure.

        Returns
        -------
        matplotlib.axes.Axes
        """
        # matplotlib itself is imported lazily, inside figure_axes, only when a plot is drawn
        _, ax = figure_axes(ax, (6, 3.5))
        if self.policy is not None:
            ax.axvspan(
                self.policy.low, self.policy.high, color="0.85", zorder=0, label="decision band"
            )
        ax.hist(self.valid, bins=bins, range=(0, 1), color="#4c72b0")
        ax.axvline(self.posterior, color="k", linewidth=1, label="point value")
        if self.valid.size:
            lo, hi = self.interval
            ax.axvline(lo, color="k", linestyle=":", linewidth=1, label="95% interval")
            ax.axvline(hi, color="k", linestyle=":", linewidth=1)
        ax.set_xlabel(f"P({self.hypothesis.name} | evidence) over {self.draws} draws")
        ax.set_ylabel("draws")
        ax.legend(fontsize=7)
        return finish(ax, f"Probabilistic sensitivity: P({self.hypothesis.name}) over the draws")
