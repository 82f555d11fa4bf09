"""How well the network does on a local cohort: discrimination, calibration, net benefit and
the biopsy verdict, each with a seeded bootstrap interval.

The cohort is a CSV file or a DataFrame: one patient per row, one column per finding (read
as ``bayesdx batch`` reads it; an empty cell is unobserved) and an outcome column, which
holds per patient either a state of the decision node (the diagnosis: ``cmml``) or 1/0 (also
yes/no, true/false) for the decision's target group (``neoplasm``). A row with an empty
outcome is not in the metrics (its truth is unknown) and is counted apart. The outcome is
never evidence: each patient is scored from the findings alone.

What is measured (``y``: the outcome in the target group; ``p``: P(target group | findings)):

- discrimination: the AUC of ``p``; with diagnosis ids, also top-1 and top-3 accuracy of
  the diagnosis (the true state among the 1 or 3 most probable; ties share the better rank);
- calibration: the reliability diagram (quantile bins), the Brier score, and logistic
  recalibration of ``logit p``: the calibration slope ``b`` of ``logit P(y) = a + b logit p``
  and the calibration intercept (calibration-in-the-large) ``a`` of
  ``logit P(y) = a + logit p`` (ideal: slope 1, intercept 0);
- net benefit over thresholds (:meth:`Validation.decision_curve`, Vickers and Elkin);
- the biopsy verdict (the network's policy and the guideline's safety net): sensitivity and
  specificity for the target group of "recommended", of "recommended or borderline" and of
  "not refused" (any verdict but not_recommended).

Each has a 95% percentile interval from ``bootstrap`` resamples of the patients (seeded).
**Too small for a conclusion**: fewer than :data:`MIN_EVENTS` patients in the target group
or fewer than :data:`MIN_EVENTS` outside it. Collins et al. found that externally validating
a prediction model needs at least 100 events (ideally 200); the rule asks the same of the
non-events, on which the specificity and the calibration at low risk rest. The figures are
still shown, with their (wide) intervals, and the report says so first.

References
----------
Collins GS, Ogundimu EO, Altman DG. Sample size considerations for the external validation
of a multivariable prognostic model: a resampling study. Stat Med 2016;35:214-26.
Vickers AJ, Elkin EB. Decision curve analysis: a novel method for evaluating prediction
models. Med Decis Making 2006;26:565-74.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.decision import default_policy, evaluate_guideline, safety_net
from bayesdx.display import DISCLAIMER, Column, Lines, Rendered, Report, Table, figure_axes, finish
from bayesdx.errors import ArgumentError, CaseFileError, PolicyError
from bayesdx.inference import certain_states, score_frame
from bayesdx.io import read_cohort, read_outcome
from bayesdx.model import as_network, resolve_hypothesis
from bayesdx.validation._metrics import Validation, validate
from bayesdx.validation._results import DecisionCurve

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from bayesdx.decision import Policy
    from bayesdx.model import Network

__all__ = [
    "MIN_EVENTS",
    "VERDICT_RULES",
    "CohortValidation",
    "calibration_intercept",
    "calibration_slope",
    "validate_cohort",
]

#: patients needed in the target group, and outside it, for a conclusion (Collins 2016)
MIN_EVENTS = 100
#: the verdicts counted as positive by each rule of the sensitivity/specificity table
VERDICT_RULES: dict[str, tuple[str, ...]] = {
    "recommended": ("recommended",),
    "recommended or borderline": ("recommended", "borderline"),
    "not refused": ("recommended", "borderline", "consider"),
}
_EPS = 1e-10  # scores are clipped to [eps, 1 - eps] before the logit


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return np.log(q / (1 - q))


def _newton(design: np.ndarray, y: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Maximum-likelihood logistic coefficients (Newton-Raphson); NaN if none exists."""
    beta = np.zeros(design.shape[1])
    for _ in range(100):
        eta = design @ beta + offset
        mu = 1.0 / (1.0 + np.exp(-eta))
        w = mu * (1 - mu)
        grad = design.T @ (y - mu)
        hess = design.T @ (design * w[:, None])
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return np.full(design.shape[1], np.nan)
        beta = beta + step
        if not np.isfinite(beta).all() or np.abs(beta).max() > 1e6:
            return np.full(design.shape[1], np.nan)  # separation: no finite estimate
        if np.abs(step).max() < 1e-12:
            return beta
    return beta


def calibration_slope(y: np.ndarray, p: np.ndarray) -> float:
    """The slope ``b`` of the logistic recalibration ``logit P(y) = a + b logit p``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.95, 20000)
    >>> y = rng.random(20000) < p  # calibrated by construction
    >>> round(calibration_slope(y, p), 1)
    1.0
    """
    y = np.asarray(y, dtype=float)
    if y.min(initial=1) == y.max(initial=0):
        return math.nan
    x = _logit(p)
    design = np.column_stack([np.ones_like(x), x])
    return float(_newton(design, y, np.zeros_like(x))[1])


def calibration_intercept(y: np.ndarray, p: np.ndarray) -> float:
    """Calibration-in-the-large: ``a`` of ``logit P(y) = a + logit p`` (``logit p`` an offset).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.95, 20000)
    >>> y = rng.random(20000) < p
    >>> abs(calibration_intercept(y, p)) < 0.05
    True
    """
    y = np.asarray(y, dtype=float)
    if y.min(initial=1) == y.max(initial=0):
        return math.nan
    x = _logit(p)
    return float(_newton(np.ones((len(x), 1)), y, x)[0])


def _ranks(post: np.ndarray, true: np.ndarray) -> np.ndarray:
    """Rank of the true state (1 = most probable; ties share the better rank)."""
    own = post[np.arange(len(true)), true]
    return 1 + (post > own[:, None]).sum(axis=1)


def _share(hit: np.ndarray, among: np.ndarray) -> float:
    k = int(among.sum())
    return float(hit[among].mean()) if k else math.nan


def _metrics(
    y: np.ndarray,
    p: np.ndarray,
    verdict: np.ndarray,
    ranks: np.ndarray | None,
    thresholds: np.ndarray,
) -> dict[str, Any]:
    """Every figure for one sample of patients (the cohort or a bootstrap resample)."""
    v: Validation = validate("cohort", y, p)
    two = 0 < y.sum() < len(y)
    out: dict[str, Any] = {
        "auc": v.auc if two else math.nan,
        "brier": v.brier,
        "calibration_slope": calibration_slope(y, p),
        "calibration_intercept": calibration_intercept(y, p),
        "prevalence": v.prevalence,
        "mean_p": float(np.mean(p)),
    }
    if ranks is not None:
        out["top1"] = float(np.mean(ranks == 1))
        out["top3"] = float(np.mean(ranks <= 3))
    ill = y == 1
    for rule, positive in VERDICT_RULES.items():
        pos = np.isin(verdict, positive)
        out[f"sensitivity: {rule}"] = _share(pos, ill)
        out[f"specificity: {rule}"] = _share(~pos, ~ill)
    out["net_benefit"] = v.decision_curve(thresholds).curves["posterior threshold"]
    return out


@dataclass(frozen=True)
class CohortValidation(Rendered):
    """The network on a local cohort: every figure with its bootstrap interval.

    Attributes
    ----------
    network : str
        The network id.
    data : str
        The cohort's name (its file).
    outcome : str
        The outcome column.
    kind : {"diagnosis", "group"}
        What the outcome column holds.
    target : str
        The decision's target group.
    y, p : numpy.ndarray
        Per patient with a known outcome: 1 in the target group; P(target | findings).
    verdict : numpy.ndarray
        The biopsy verdict of each of those patients.
    ranks : numpy.ndarray or None
        Rank of the true diagnosis (``kind == "diagnosis"``).
    estimates : dict
        Figure -> value on the cohort.
    intervals : dict
        Figure -> (low, high), the 95% percentile bootstrap interval.
    thresholds : numpy.ndarray
        The decision curve's thresholds.
    net_benefit_interval : numpy.ndarray
        ``(2, n_thresholds)``: the bootstrap interval of the net benefit at each threshold.
    bootstrap, seed : int
    unknown : int
        Patients whose outcome is empty (not in the metrics).
    band : tuple of float
        The policy's edges (for the plots).
    same_data : bool
        The network was learned from these very patients (the figures are optimistic).
    folds : int or None
        The scores are cross-validated: each patient scored by a network learned from the
        other folds.
    """

    network: str
    data: str
    outcome: str
    kind: str
    target: str
    y: np.ndarray
    p: np.ndarray
    verdict: np.ndarray
    ranks: np.ndarray | None
    estimates: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    thresholds: np.ndarray
    net_benefit: np.ndarray
    net_benefit_interval: np.ndarray
    bootstrap: int
    seed: int
    unknown: int = 0
    band: tuple[float, float] = (0.0, 0.0)
    same_data: bool = False
    folds: int | None = None
    decisions: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Patients with a known outcome (in the metrics)."""
        return int(self.y.size)

    @property
    def events(self) -> int:
        """Patients in the target group."""
        return int(self.y.sum())

    @property
    def too_small(self) -> bool:
        """Fewer than :data:`MIN_EVENTS` patients in the target group or outside it."""
        return min(self.events, self.n - self.events) < MIN_EVENTS

    def verdict_line(self) -> str:
        """What the cohort allows one to conclude, in one sentence."""
        events, others = self.events, self.n - self.events
        if self.too_small:
            return (
                f"Too small for a conclusion: {events} patients with {self.target} and "
                f"{others} without; a conclusion needs at least {MIN_EVENTS} of each "
                "(Collins et al., Stat Med 2016). The intervals below show how little these "
                "patients can tell."
            )
        return (
            f"{events} patients with {self.target} and {others} without: enough for the "
            f"rule of at least {MIN_EVENTS} of each (Collins et al., Stat Med 2016)."
        )

    def honesty_lines(self) -> list[str]:
        """Warnings about how the scores were made."""
        lines = []
        if self.same_data:
            lines.append(
                "WARNING: the network was learned from these very patients (the data's "
                "content hash matches), so these figures are optimistic. Cross-validate "
                "instead: add --folds 5 (validate_cohort with bayesdx.learning.cross_validate "
                "in Python), and each patient is scored by the literature network updated "
                "without them."
            )
        if self.folds:
            lines.append(
                f"Cross-validated: {self.folds} folds (seed {self.seed}); each patient scored "
                "by the literature network updated with the other folds only."
            )
        return lines

    def decision_curve(self) -> DecisionCurve:
        """Net benefit of thresholding P, of the verdict rules, of biopsy all and none."""
        v = validate(self.data, self.y, self.p, self.decisions)
        return v.decision_curve(self.thresholds)

    def validation(self) -> Validation:
        """The scores as a :class:`Validation` (reliability diagram, Brier, AUC)."""
        return validate(Path(self.data).name, self.y, self.p, self.decisions)

    def _rows(self) -> list[tuple[Any, ...]]:
        names = {
            "auc": f"AUC, P({self.target})",
            "top1": "top-1 accuracy, diagnosis",
            "top3": "top-3 accuracy, diagnosis",
            "brier": "Brier score",
            "calibration_slope": "calibration slope (ideal 1)",
            "calibration_intercept": "calibration intercept (ideal 0)",
            "prevalence": f"observed share with {self.target}",
            "mean_p": f"mean P({self.target})",
        }
        for rule in VERDICT_RULES:
            names[f"sensitivity: {rule}"] = f"sensitivity, verdict {rule}"
            names[f"specificity: {rule}"] = f"specificity, verdict {rule}"
        rows = []
        for key, label in names.items():
            if key in self.estimates:
                lo, hi = self.intervals[key]
                rows.append((key, label, self.estimates[key], lo, hi))
        return rows

    def table(self) -> Table:
        """Every figure with its interval (text, HTML, Markdown and the frame)."""
        return Table(
            (
                Column("metric", show=False),
                Column("figure", label=""),
                Column("estimate", _fmt, label="estimate"),
                Column("low", _fmt, label="95% low"),
                Column("high", _fmt, label="95% high"),
            ),
            self._rows(),
        )

    def net_benefit_table(self, at: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.4)) -> Table:
        """Net benefit of thresholding P at a few thresholds, with intervals."""
        near = [int(np.argmin(np.abs(self.thresholds - t))) for t in at]
        curve = self.decision_curve().curves
        rows = [
            (
                float(self.thresholds[k]),
                float(self.net_benefit[k]),
                float(self.net_benefit_interval[0, k]),
                float(self.net_benefit_interval[1, k]),
                float(curve["biopsy all"][k]),
            )
            for k in near
        ]
        return Table(
            (
                Column("threshold", ".2f"),
                Column("net_benefit", _fmt, label="net benefit"),
                Column("low", _fmt, label="95% low"),
                Column("high", _fmt, label="95% high"),
                Column("all", _fmt, label="biopsy all"),
            ),
            rows,
            caption="Net benefit of biopsy when P reaches the threshold, TP/n - FP/n t/(1-t):",
        )

    def summary_lines(self) -> list[str]:
        """Who was scored, and what the cohort allows one to conclude."""
        kind = "diagnosis ids" if self.kind == "diagnosis" else f"1/0 for {self.target}"
        unknown = f"; {self.unknown} without an outcome, left out" if self.unknown else ""
        return [
            *self.honesty_lines(),
            f"{self.network} on {self.data}: {self.n} patients with an outcome{unknown} "
            f"(column {self.outcome}: {kind}).",
            self.verdict_line(),
            f"Intervals: 95% percentile bootstrap, {self.bootstrap} resamples, seed {self.seed}.",
        ]

    def _report(self) -> Report:
        return Report(
            [Lines(self.summary_lines()), self.table(), self.net_benefit_table()],
            title="Validation on a local cohort",
            data=self.table(),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per figure: metric, figure, estimate, low, high."""
        return self.table().frame()

    def to_dict(self) -> dict[str, Any]:
        """What ``bayesdx validate --data ... --json`` prints."""

        def num(x: float) -> float | None:
            return None if x is None or not math.isfinite(x) else float(x)

        predicted, observed = self.validation().reliability()
        return {
            "network": self.network,
            "data": self.data,
            "outcome": self.outcome,
            "outcome_kind": self.kind,
            "target": self.target,
            "n": self.n,
            "events": self.events,
            "without_outcome": self.unknown,
            "too_small": self.too_small,
            "min_events": MIN_EVENTS,
            "conclusion": self.verdict_line(),
            "same_data_as_learning": self.same_data,
            "cross_validation_folds": self.folds,
            "warnings": self.honesty_lines(),
            "bootstrap": self.bootstrap,
            "seed": self.seed,
            "metrics": {
                key: {"estimate": num(est), "low": num(lo), "high": num(hi)}
                for key, _, est, lo, hi in self._rows()
            },
            "reliability": {"predicted": predicted.tolist(), "observed": observed.tolist()},
            "net_benefit": {
                "thresholds": self.thresholds.tolist(),
                "posterior_threshold": self.net_benefit.tolist(),
                "low": [num(x) for x in self.net_benefit_interval[0]],
                "high": [num(x) for x in self.net_benefit_interval[1]],
            },
            "disclaimer": DISCLAIMER,
        }

    def plot(self, *, ax: Axes | None = None) -> Axes:
        """Reliability diagram (quantile bins) with the calibration slope and intercept.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.axes.Axes
        """
        _, ax = figure_axes(ax, (5, 5))
        self.validation().plot(ax=ax)
        slope, icpt = self.estimates["calibration_slope"], self.estimates["calibration_intercept"]
        ax.text(
            0.03, 0.97, f"slope {_fmt(slope)}, intercept {_fmt(icpt)}\nn = {self.n}, "
            f"{self.events} with {self.target}",
            transform=ax.transAxes, va="top", fontsize=7,
        )  # fmt: skip
        ax.set_xlabel(f"predicted P({self.target})")
        ax.set_ylabel(f"observed share with {self.target}")
        return finish(ax, "Reliability on the local cohort", disclaimer=False)

    def plot_roc(self, *, ax: Axes | None = None) -> Axes:
        """ROC curve of P(target) with its AUC and interval."""
        from sklearn.metrics import roc_curve

        _, ax = figure_axes(ax, (5, 5))
        ax.plot([0, 1], [0, 1], ":", color="0.5")
        if 0 < self.events < self.n:
            fpr, tpr, _ = roc_curve(self.y, self.p)
            lo, hi = self.intervals["auc"]
            label = f"AUC {_fmt(self.estimates['auc'])} ({_fmt(lo)} to {_fmt(hi)})"
            ax.plot(fpr, tpr, color="#4c72b0", label=label)
            ax.legend(fontsize=7, loc="lower right")
        ax.set_xlabel("1 - specificity")
        ax.set_ylabel("sensitivity")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        return finish(ax, f"ROC: P({self.target}) on the local cohort", disclaimer=False)

    def plot_decision_curve(self, *, ax: Axes | None = None) -> Axes:
        """The decision curve with the bootstrap band of the posterior threshold's net benefit."""
        ax = self.decision_curve().plot(ax=ax)
        ax.fill_between(
            self.thresholds, self.net_benefit_interval[0], self.net_benefit_interval[1],
            color="C0", alpha=0.2, label="95% bootstrap band",
        )  # fmt: skip
        ax.legend(fontsize=7)
        return ax


def _fmt(x: float | None) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.3f}"


def validate_cohort(
    network: Network,
    data: Any,
    outcome: str,
    *,
    scores: Mapping[str, np.ndarray] | None = None,
    policy: Policy | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    label: str | None = None,
    same_data: bool = False,
    folds: int | None = None,
) -> CohortValidation:
    """Score every patient of a local cohort and measure the network against the outcome.

    Parameters
    ----------
    network : Network
    data : path or pandas.DataFrame
        One patient per row: findings (as ``bayesdx batch`` reads them) and the outcome.
    outcome : str
        The outcome column: diagnosis ids (states of the decision node) or 1/0 for the
        target group (see the module).
    scores : mapping, optional
        Scores made elsewhere, one per row: ``{"p": P(target), "posterior": (n, card) of the
        decision node}`` (cross-validation, :func:`bayesdx.learning.cross_validate`); by
        default the network scores every row.
    policy : Policy, optional
        The verdict's policy (default: the network's band).
    bootstrap : int
        Resamples for the intervals (0: none).
    seed : int
        The resampling seed.
    label : str, optional
        The cohort's name in the report.
    same_data, folds
        How the scores were made (see :class:`CohortValidation`); the report says so.

    Returns
    -------
    CohortValidation

    Raises
    ------
    CaseFileError, RowError, UnknownVariableError, UnknownStateError, PolicyError

    Examples
    --------
    >>> from bayesdx import load_network
    >>> from bayesdx.validation import simulate
    >>> net = load_network("marrow_signal")
    >>> df = simulate(net, 300, np.random.default_rng(0))[["hb", "m_protein", "diagnosis"]]
    >>> res = validate_cohort(net, df, "diagnosis", bootstrap=50)
    >>> res.n, res.too_small
    (300, True)
    >>> 0.5 < res.estimates["auc"] <= 1
    True
    """
    network = as_network(network)
    decision = network.spec.decision
    if decision is None:
        raise PolicyError(
            f"network {network.id} has no decision section: no target group to validate"
        )
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or bootstrap < 0:
        raise ArgumentError(f"bootstrap must be a whole number >= 0, got {bootstrap!r}")
    frame, name = read_cohort(data, label)
    read = read_outcome(network, frame, outcome, name)
    kind, y_all, state_all = read.kind, read.in_group, read.state
    cases = frame.drop(columns=[outcome])
    if decision.node in cases.columns:
        raise CaseFileError(
            f"{name}: column '{decision.node}' would give the network the answer; the outcome "
            f"is column '{outcome}', so drop '{decision.node}' (or name it as the outcome)"
        )
    scored = score_frame(network, cases, targets="all", source=name)
    if scores is None:
        p_all = scored[f"group:{decision.target}"].to_numpy(dtype=float)
        columns = [f"{decision.node}={s}" for s in network.states[decision.node]]
        post_all = scored[columns].to_numpy(dtype=float)
    else:
        p_all = np.asarray(scores["p"], dtype=float)
        post_all = np.asarray(scores["posterior"], dtype=float)
    if policy is None:
        hyp = resolve_hypothesis(network, decision.target)
        policy = default_policy(network, hyp)
    assert policy is not None  # a network with a decision section has a band
    guideline = decision.guideline
    certain = certain_states(network, scored)
    records = [
        {v: network.states[v][k] for v, k in zip(network.variables, row, strict=True) if k >= 0}
        for row in certain.tolist()
    ]
    verdict_all = np.asarray(
        [
            safety_net(
                policy.verdict(float(p)),
                evaluate_guideline(guideline, r).fired if guideline else (),
            )
            for p, r in zip(p_all, records, strict=True)
        ],
        dtype=object,
    )
    known = y_all >= 0
    y, p, verdict = y_all[known], p_all[known], verdict_all[known]
    ranks = _ranks(post_all[known], state_all[known]) if kind == "diagnosis" else None
    thresholds = np.round(np.arange(0.01, 0.801, 0.01), 10)
    estimates = _metrics(y, p, verdict, ranks, thresholds)
    net_benefit = estimates.pop("net_benefit")
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {k: [] for k in estimates}
    nb_draws = []
    for _ in range(bootstrap):
        idx = rng.integers(0, len(y), len(y))
        m = _metrics(y[idx], p[idx], verdict[idx], None if ranks is None else ranks[idx],
                     thresholds)  # fmt: skip
        nb_draws.append(m.pop("net_benefit"))
        for k, value in m.items():
            draws[k].append(value)
    intervals = {k: _percentile(v) for k, v in draws.items()}
    band = np.asarray(nb_draws) if nb_draws else np.full((1, len(thresholds)), np.nan)
    with np.errstate(all="ignore"):
        nb_interval = (
            np.nanpercentile(band, [2.5, 97.5], axis=0)
            if nb_draws
            else np.full((2, len(thresholds)), np.nan)
        )
    decisions = {
        f"verdict {rule}": np.isin(verdict, positive).astype(int)
        for rule, positive in VERDICT_RULES.items()
        if rule != "recommended or borderline"
    }
    return CohortValidation(
        network=network.id,
        data=name,
        outcome=outcome,
        kind=kind,
        target=decision.target,
        y=y,
        p=p,
        verdict=verdict,
        ranks=ranks,
        estimates=estimates,
        intervals=intervals,
        thresholds=thresholds,
        net_benefit=net_benefit,
        net_benefit_interval=nb_interval,
        bootstrap=bootstrap,
        seed=seed,
        unknown=int((~known).sum()),
        band=(policy.low, policy.high),
        same_data=same_data,
        folds=folds,
        decisions=decisions,
    )


def _percentile(values: list[float]) -> tuple[float, float]:
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        return (math.nan, math.nan)
    lo, hi = np.percentile(x, [2.5, 97.5])
    return float(lo), float(hi)
