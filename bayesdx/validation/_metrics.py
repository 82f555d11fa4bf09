"""How well scored probabilities fit simulated truth: reliability, Brier score, AUC, net benefit.

Brier score, AUC and the reliability curve come from scikit-learn's metrics. Net benefit is
a small implementation of Vickers and Elkin's decision curve,
NB(t) = TP/n - FP/n * t / (1 - t); the test suite checks it against the ``dcurves`` package.
It is written here rather than imported so that the package does not need ``dcurves`` and its
dependencies at run time.

References
----------
Vickers AJ, Elkin EB. Decision curve analysis: a novel method for evaluating prediction
models. Med Decis Making 2006;26:565-74.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.display import Column, Lines, Rendered, Report, Table, figure_axes, finish
from bayesdx.validation._results import DecisionCurve

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["Validation", "net_benefit", "validate"]


def net_benefit(y: np.ndarray, decide: np.ndarray, threshold: float) -> float:
    """Net benefit of a decision vector at a threshold probability.

    Examples
    --------
    One true and one false positive among four patients, t = 0.25: 1/4 - 1/4 * (1/3).

    >>> round(net_benefit(np.array([1, 0, 1, 0]), np.array([1, 1, 0, 0]), 0.25), 12)
    0.166666666667
    """
    y = np.asarray(y, dtype=bool)
    decide = np.asarray(decide, dtype=bool)
    n = y.size
    tp = np.sum(decide & y) / n
    fp = np.sum(decide & ~y) / n
    return float(tp - fp * threshold / (1.0 - threshold))


def validate(
    label: str, y: np.ndarray, p: np.ndarray, decisions: Mapping[str, np.ndarray] | None = None
) -> Validation:
    """Bundle truth, scores and fixed decision rules for metrics and curves."""
    return Validation(
        label=label,
        y=np.asarray(y, dtype=int),
        p=np.asarray(p, dtype=float),
        decisions=dict(decisions or {}),
    )


@dataclass(frozen=True)
class Validation(Rendered):
    """Scores of P(target) against simulated truth.

    Attributes
    ----------
    label : str
        The cohort's name.
    y : numpy.ndarray
        Truth, 1 where the patient has the target condition.
    p : numpy.ndarray
        The scored P(target) of each patient.
    bins : int
        Quantile bins of the reliability diagram.
    decisions : dict
        ``{rule: decision vector}``: fixed decision rules compared on the decision curve.

    Examples
    --------
    >>> v = validate("demo", [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> print(v)
    demo: n = 4, prevalence 0.500, Brier 0.1581, AUC 0.750
    >>> v.to_frame().shape
    (4, 2)
    """

    label: str
    y: np.ndarray
    p: np.ndarray
    bins: int = 10
    decisions: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def brier(self) -> float:
        """Brier score (lower is better)."""
        from sklearn.metrics import brier_score_loss

        return float(brier_score_loss(self.y, self.p))

    @property
    def auc(self) -> float:
        """Area under the ROC curve."""
        from sklearn.metrics import roc_auc_score

        return float(roc_auc_score(self.y, self.p))

    @property
    def prevalence(self) -> float:
        """Share of patients with the target condition."""
        return float(np.mean(self.y))

    def reliability(self) -> tuple[np.ndarray, np.ndarray]:
        """(mean predicted, observed share) per probability bin (scikit-learn)."""
        from sklearn.calibration import calibration_curve

        observed, predicted = calibration_curve(
            self.y, self.p, n_bins=self.bins, strategy="quantile"
        )
        return predicted, observed

    def decision_curve(self, thresholds: np.ndarray | None = None) -> DecisionCurve:
        """Net benefit of thresholding P, of each fixed decision rule, of all and of none."""
        t = np.round(np.arange(0.05, 0.801, 0.01) if thresholds is None else thresholds, 10)
        curves = {"posterior threshold": np.array([net_benefit(self.y, self.p >= x, x) for x in t])}
        for name, decide in self.decisions.items():
            curves[name] = np.array([net_benefit(self.y, decide, x) for x in t])
        curves["biopsy all"] = np.array([net_benefit(self.y, np.ones_like(self.y), x) for x in t])
        curves["biopsy none"] = np.zeros_like(t)
        return DecisionCurve(thresholds=t, curves=curves)

    def to_dict(self) -> dict[str, Any]:
        """Brier, AUC, prevalence and the reliability points."""
        predicted, observed = self.reliability()
        return {
            "label": self.label,
            "n": int(self.y.size),
            "prevalence": self.prevalence,
            "brier": self.brier,
            "auc": self.auc,
            "reliability": {"predicted": predicted.tolist(), "observed": observed.tolist()},
        }

    def summary(self) -> str:
        """One line: n, prevalence, Brier score and AUC."""
        return (
            f"{self.label}: n = {self.y.size}, prevalence {self.prevalence:.3f}, "
            f"Brier {self.brier:.4f}, AUC {self.auc:.3f}"
        )

    def _report(self) -> Report:
        data = Table(
            (Column("y"), Column("p")), list(zip(self.y.tolist(), self.p.tolist(), strict=True))
        )
        return Report([Lines([self.summary()])], disclaimer=False, data=data)

    def to_frame(self) -> pd.DataFrame:
        """One row per patient: truth and score."""
        return self._report().frame()

    def plot(self, *, ax: Axes | None = None) -> Axes:
        """Reliability diagram (quantile bins) with the diagonal.

        Several cohorts can share one Axes: each adds its curve and legend entry.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw here; by default on a new figure.

        Returns
        -------
        matplotlib.axes.Axes
        """
        predicted, observed = self.reliability()  # binning the scores held here, no inference
        # matplotlib itself is imported lazily, inside figure_axes, only when a plot is drawn
        _, ax = figure_axes(ax, (4.5, 4.5))
        ax.plot([0, 1], [0, 1], ":", color="0.5")
        ax.plot(predicted, observed, "o-", label=f"{self.label} (Brier {self.brier:.3f})")
        ax.set_xlabel("predicted probability")
        ax.set_ylabel("observed share with the condition")
        ax.set_xlim(-0.02, 1.02)  # points at 0 or 1 are drawn whole
        ax.set_ylim(-0.02, 1.02)
        ax.legend(fontsize=7, loc="lower right")  # below the diagonal, where no point falls
        return finish(ax, "Reliability (quantile bins)", disclaimer=False)
