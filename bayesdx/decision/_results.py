"""What the decision step returns (recommendation, next tests, guideline), and how it is shown."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bayesdx.decision._plan import Plan
from bayesdx.decision._policy import Policy
from bayesdx.display import DISCLAIMER, stamp
from bayesdx.inference import Posterior

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bayesdx.decision._policy import Policy

__all__ = ["GuidelineResult", "NextTest", "Outcome", "Recommendation"]


@dataclass(frozen=True)
class Recommendation:
    """The biopsy decision for one case, with the reasoning around it.

    Attributes
    ----------
    posterior : Posterior
        The posterior of the diagnosis node.
    target : str
        The group (or state) decided on, for example ``neoplasm``.
    p : float
        P(target | evidence).
    policy : Policy
        The threshold policy that applied.
    verdict : str
        ``recommended``, ``borderline`` or ``not_recommended``.
    margin : float
        Distance from ``p`` to the nearest edge that would change the verdict.
    guideline : GuidelineResult or None
        The rule-based verdict and the rules that fired.
    agreement : bool
        Whether the rule-based and probabilistic verdicts are the same.
    disagreement : str
        Why they differ (empty when they agree).
    leading : tuple of str
        The leading diagnoses.
    next_tests : list of NextTest
        Unobserved findings, best first.
    plan : Plan
        Work-up still to order, biopsy protocol, management, surveillance and pitfalls.
    """

    posterior: Posterior
    target: str
    p: float
    policy: Policy
    verdict: str
    margin: float
    guideline: GuidelineResult | None
    agreement: bool
    disagreement: str
    leading: tuple[str, ...]
    next_tests: list[NextTest]
    plan: Plan

    @property
    def workup(self) -> list[str]:
        """Step-1 tests still to order, then the biopsy protocol lines that apply."""
        return [*self.plan.workup, *(f"Biopsy: {x}" for x in self.plan.biopsy_protocol)]

    @property
    def management(self) -> list[str]:
        """Management lines for the leading diagnoses, then surveillance lines."""
        return [*self.plan.management, *self.plan.surveillance]

    def to_dict(self) -> dict[str, Any]:
        """What ``bayesdx recommend --json`` prints."""
        return {
            "network": self.posterior.network,
            "evidence": dict(self.posterior.evidence.given),
            "assumed": dict(self.posterior.evidence.assumed),
            "biopsy": {
                "verdict": self.verdict,
                "p_neoplasm": self.p,
                "target": self.target,
                "threshold": self.policy.to_dict(),
                "margin": self.margin,
            },
            "guideline": self.guideline.to_dict() if self.guideline else None,
            "agreement": self.agreement,
            "disagreement": self.disagreement,
            "leading": list(self.leading),
            "next_tests": [t.to_dict() for t in self.next_tests],
            "workup": self.workup,
            "management": self.management,
            "pitfalls": list(self.plan.pitfalls),
            "disclaimer": DISCLAIMER,
        }

    def to_frame(self) -> pd.DataFrame:
        """The next tests, one row per outcome: finding, value, state, probability, p, verdict."""
        import pandas as pd

        rows = [
            (t.finding, t.value, t.entropy_reduction, o.state, o.probability, o.p_target, o.verdict)
            for t in self.next_tests
            for o in t.outcomes
        ]
        return pd.DataFrame(
            rows,
            columns=[
                "finding",
                "value",
                "entropy_reduction",
                "state",
                "probability",
                f"p_{self.target}",
                "verdict",
            ],
        )

    def _fired(self) -> str:
        g = self.guideline
        return ", ".join(g.labels[r] for r in g.fired) if g and g.fired else "none"

    def __str__(self) -> str:
        return self.report()

    def report(self, tests: int = 5) -> str:
        """The readable report, showing the ``tests`` best next tests."""
        post = self.posterior
        lines = [f"Network: {post.network}", str(post.evidence), ""]
        lines.append(
            f"Biopsy: {self.verdict.replace('_', ' ').upper()}  "
            f"P({self.target}) = {self.p:.3f}  (margin {self.margin:.3f})"
        )
        lines.append(f"  Policy: {self.policy.describe()}")
        if self.guideline:
            lines.append(
                f"Guideline ({self.guideline.title}): "
                f"{self.guideline.verdict.replace('_', ' ')}; fired: {self._fired()}"
            )
            lines.append(
                "Agreement: yes" if self.agreement else f"Agreement: no. {self.disagreement}"
            )
        lead = ", ".join(f"{s} {post.distributions[self._node][s]:.2f}" for s in self.leading)
        lines += [f"Leading diagnoses: {lead}", ""]
        if self.next_tests and tests:
            lines.append("Next tests (value for the decision; entropy reduction in bits):")
            for i, t in enumerate(self.next_tests[:tests], 1):
                lines.append(
                    f"  {i}. {t.finding:<15} value {t.value:.3f}  "
                    f"dH {t.entropy_reduction:.3f}  {t.describe(self.target)}"
                )
            lines.append("")
        for title, items in (
            ("Work-up", self.workup),
            ("Management", self.management),
            ("Pitfalls", self.plan.pitfalls),
        ):
            if items:
                lines.append(f"{title}:")
                lines += [f"  - {x}" for x in items]
        lines += ["", DISCLAIMER]
        return "\n".join(lines)

    @property
    def _node(self) -> str:
        return self.posterior.targets[0]

    def __repr__(self) -> str:
        return f"<Recommendation {self.verdict}: P({self.target}) = {self.p:.3f}>"

    def _repr_html_(self) -> str:
        esc = html.escape
        colour = {"recommended": "#c44e52", "borderline": "#dd8452", "not_recommended": "#55a868"}[
            self.verdict
        ]
        parts = [
            f"<div><p><b style='color:{colour}'>Biopsy: {esc(self.verdict.replace('_', ' '))}"
            f"</b> &mdash; P({esc(self.target)}) = {self.p:.3f} (margin {self.margin:.3f})<br>"
            f"<small>{esc(self.policy.describe())}</small></p>"
        ]
        if self.guideline:
            parts.append(
                f"<p><b>Guideline</b>: {esc(self.guideline.verdict.replace('_', ' '))}"
                f"; fired: {esc(self._fired())}<br>"
                + (
                    "agrees with the posterior"
                    if self.agreement
                    else f"<i>disagrees</i>: {esc(self.disagreement)}"
                )
                + "</p>"
            )
        if self.next_tests:
            parts.append(
                "<table><tr><th>next test</th><th>value</th><th>dH (bits)</th>"
                "<th>outcomes</th></tr>"
            )
            for t in self.next_tests[:5]:
                parts.append(
                    f"<tr><td>{esc(t.finding)}</td><td>{t.value:.3f}</td>"
                    f"<td>{t.entropy_reduction:.3f}</td>"
                    f"<td>{esc(t.describe(self.target))}</td></tr>"
                )
            parts.append("</table>")
        for title, items in (
            ("Work-up", self.workup),
            ("Management", self.management),
            ("Pitfalls", self.plan.pitfalls),
        ):
            if items:
                parts.append(
                    f"<p><b>{title}</b></p><ul>"
                    + "".join(f"<li>{esc(x)}</li>" for x in items)
                    + "</ul>"
                )
        parts.append(f"<p><small>{esc(DISCLAIMER)}</small></p></div>")
        return "".join(parts)

    def plot(self, ax: Axes | None = None) -> Axes:
        """P(target) against the policy band, with the outcomes of the best next test.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 2.6))
        low, high = self.policy.low, self.policy.high
        ax.axvspan(0, low, color="#55a868", alpha=0.15, label="not recommended")
        if high > low:
            ax.axvspan(low, high, color="#dd8452", alpha=0.3, label="borderline")
        ax.axvspan(high, 1, color="#c44e52", alpha=0.15, label="recommended")
        ax.plot([self.p], [0], "ko", markersize=9, label=f"P({self.target}) = {self.p:.2f}")
        top = 0.9
        if self.next_tests:
            best = self.next_tests[0]
            level, last = 0.5, -1.0
            for o in sorted(best.outcomes, key=lambda o: o.p_target):
                # outcomes that land close together get their labels on rising levels
                level = level + 0.22 if o.p_target - last < 0.16 else 0.5
                last = o.p_target
                ax.annotate(
                    "",
                    xy=(o.p_target, level),
                    xytext=(self.p, 0.05),
                    arrowprops={"arrowstyle": "->", "color": "0.3"},
                )
                ax.text(o.p_target, level + 0.05, f"{best.finding}={o.state}", ha="center",
                        fontsize=7)  # fmt: skip
                top = max(top, level + 0.3)
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.4, top)
        ax.set_yticks([])
        ax.set_xlabel(f"P({self.target} | evidence)")
        ax.set_title(f"Biopsy: {self.verdict.replace('_', ' ')}", fontsize=10)
        ax.legend(loc="lower right", fontsize=7, ncol=4, frameon=False)
        stamp(ax, fontsize=7)
        return ax


@dataclass(frozen=True)
class Outcome:
    """One possible result of a test."""

    state: str
    probability: float
    p_target: float
    verdict: str


@dataclass(frozen=True)
class NextTest:
    """A candidate finding with its value for the decision and for the diagnosis."""

    finding: str
    value: float
    expected_change: float
    entropy_reduction: float
    outcomes: tuple[Outcome, ...]

    def describe(self, target: str = "neoplasm") -> str:
        """``m_protein present: P(neoplasm) 0.81, recommended; absent: 0.35, ...``."""
        parts = [
            f"{o.state}: P({target}) {o.p_target:.2f}, {o.verdict.replace('_', ' ')}"
            for o in self.outcomes
        ]
        return f"{self.finding} " + "; ".join(parts)

    def to_dict(self) -> dict:
        """The ``next_tests`` item of ``bayesdx recommend --json``."""
        return {
            "finding": self.finding,
            "value": self.value,
            "expected_change": self.expected_change,
            "entropy_reduction": self.entropy_reduction,
            "outcomes": {
                o.state: {
                    "probability": o.probability,
                    "p_neoplasm": o.p_target,
                    "verdict": o.verdict,
                }
                for o in self.outcomes
            },
        }


@dataclass(frozen=True)
class GuidelineResult:
    """Which rules fired, and the guideline's verdict.

    ``verdict`` is ``recommended`` when any rule fired, ``not_recommended`` when every
    variable the rules look at is observed and none fired, and ``incomplete`` otherwise
    (the step-1 results are not all in).
    """

    fired: tuple[str, ...]
    labels: dict[str, str]
    verdict: str
    missing: tuple[str, ...]
    title: str = ""

    def to_dict(self) -> dict:
        """``{"fired": [...], "verdict": ..., "missing": [...]}``."""
        return {"fired": list(self.fired), "verdict": self.verdict, "missing": list(self.missing)}
