"""What the decision step returns (recommendation, next tests, guideline), and how it is shown."""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass
from typing import TYPE_CHECKING, Any

from bayesdx.decision._plan import Plan
from bayesdx.decision._policy import Policy
from bayesdx.display import (
    DISCLAIMER,
    Column,
    Items,
    Lines,
    Rendered,
    Report,
    Table,
    figure_axes,
    finish,
)
from bayesdx.inference import Posterior

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["GuidelineResult", "NextTest", "Outcome", "Recommendation", "VerdictShares"]


@dataclass(frozen=True)
class Recommendation(Rendered):
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
        ``recommended``, ``borderline``, ``consider`` or ``not_recommended``, with the
        guideline's safety net applied (a case in which a rule fired is never
        ``not_recommended``).
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
    reason : str
        Why this verdict, in one sentence (for ``consider``: between the harm/benefit
        threshold and the band, or which red flag lifted it).
    lifted_by : tuple of str
        The guideline rules whose firing lifted ``not_recommended`` to ``consider`` (empty
        when the safety net did not change the verdict).
    uncertainty : VerdictShares or None
        The share of parameter draws giving each verdict (None when no draws were asked for).
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
    reason: str = ""
    lifted_by: tuple[str, ...] = ()
    uncertainty: VerdictShares | None = None

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
                "reason": self.reason,
                "lifted_by": list(self.lifted_by),
                "uncertainty": self.uncertainty.to_dict() if self.uncertainty else None,
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
        return self._report().frame()

    def _safety_net(self) -> str:
        g = self.guideline
        if g is None:
            return ""
        if self.lifted_by:
            labels = ", ".join(g.labels[r] for r in self.lifted_by)
            return f"red flag ({labels}) lifted not recommended to consider"
        if g.fired:
            return f"red flag ({self._fired()}) fired, so never below consider"
        return "a guideline red flag would lift not recommended to consider"

    def _fired(self) -> str:
        g = self.guideline
        return ", ".join(g.labels[r] for r in g.fired) if g and g.fired else "none"

    def report(self, tests: int = 5) -> str:
        """The readable report, showing the ``tests`` best next tests."""
        return self._report(tests).text()

    def _report(self, tests: int = 5) -> Report:
        post = self.posterior
        verdict = [
            f"Biopsy: {self.verdict.replace('_', ' ').upper()}  "
            f"P({self.target}) = {self.p:.3f}  (margin {self.margin:.3f})",
            f"  Why: {self.reason}",
            f"  Policy: {self.policy.describe()}",
        ]
        if self.guideline:
            verdict.append(f"  Safety net: {self._safety_net()} (applies under every policy)")
        if self.uncertainty is not None:
            verdict.append(f"  {self.uncertainty.describe()}")
        if self.guideline:
            verdict.append(
                f"Guideline ({self.guideline.title}): "
                f"{self.guideline.verdict.replace('_', ' ')}; fired: {self._fired()}"
            )
            verdict.append(
                "Agreement: yes" if self.agreement else f"Agreement: no. {self.disagreement}"
            )
        lead = ", ".join(f"{s} {post.distributions[self._node][s]:.2f}" for s in self.leading)
        verdict.append(f"Leading diagnoses: {lead}")
        shown = self.next_tests[:tests] if tests else []
        table = Table(
            (
                Column("rank", lambda i: f"{i}.", label="#"),
                Column("finding", width=15, sep=" "),
                Column("value", ".3f", inline=True, sep=" "),
                Column("entropy_reduction", ".3f", label="dH", inline=True),
                Column("outcomes"),
            ),
            [
                (i, t.finding, t.value, t.entropy_reduction, t.describe(self.target))
                for i, t in enumerate(shown, 1)
            ],
            caption="Next tests (value for the decision; entropy reduction in bits):",
            header=False,
        )
        data = Table(
            (
                Column("finding"),
                Column("value"),
                Column("entropy_reduction"),
                Column("state"),
                Column("probability"),
                Column(f"p_{self.target}"),
                Column("verdict"),
            ),
            [
                (t.finding, t.value, t.entropy_reduction, *astuple(o))
                for t in self.next_tests
                for o in t.outcomes
            ],
        )
        plan = Items(
            [
                ("Work-up", self.workup),
                ("Management", self.management),
                ("Pitfalls", self.plan.pitfalls),
            ]
        )
        head = Lines([f"Network: {post.network}", *str(post.evidence).split("\n")])
        return Report([head, Lines(verdict), table if shown else Lines([]), plan], data=data)

    @property
    def _node(self) -> str:
        return self.posterior.targets[0]

    def __repr__(self) -> str:
        return f"<Recommendation {self.verdict}: P({self.target}) = {self.p:.3f}>"

    def plot(self, *, ax: Axes | None = None) -> Axes:
        """P(target) against the policy band, with the outcomes of the best next test.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw here; by default on a new figure.

        Returns
        -------
        matplotlib.axes.Axes
        """
        # matplotlib itself is imported lazily, inside figure_axes, only when a plot is drawn
        _, ax = figure_axes(ax, (7, 3.0))
        low, high, floor = self.policy.low, self.policy.high, self.policy.floor
        if floor is not None:
            ax.axvspan(0, floor, color="#55a868", alpha=0.15, label="not recommended")
            ax.axvspan(floor, low, color="#ccb974", alpha=0.25, label="consider")
        else:
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
        ax.set_ylim(-0.25, top)
        ax.set_yticks([])
        ax.set_xlabel(f"P({self.target} | evidence)")
        # the legend goes under the axis, where no point or arrow can land on it
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), fontsize=7, ncol=4, frameon=False)
        return finish(ax, f"Biopsy: {self.verdict.replace('_', ' ')}", fontsize=10)


def _verdict_text(verdict: str) -> str:
    return verdict.replace("_", " ")


@dataclass(frozen=True)
class VerdictShares(Rendered):
    """How sure the verdict is: the verdict in each joint draw of the network's parameters.

    Attributes
    ----------
    target : str
        The group (or state) decided on.
    draws : int
        Joint parameter draws asked for.
    seed : int
        Seed of the random generator (the same seed gives the same shares).
    share : dict or None
        Verdict -> fraction of the draws giving it (safety net applied; every verdict listed,
        fractions sum to 1 over the draws in which the evidence is possible). None when the
        network gives no uncertainty for its numbers.
    interval : tuple of float or None
        Central 95% interval of P(target) over the draws.
    impossible : int
        Draws in which the evidence had probability zero (left out of the shares).
    note : str
        Why there are no shares, when there are none.
    """

    target: str
    draws: int
    seed: int
    share: dict[str, float] | None
    interval: tuple[float, float] | None = None
    impossible: int = 0
    note: str = ""

    def describe(self) -> str:
        """The one line of the recommendation's report."""
        if self.share is None:
            return f"Uncertainty: {self.note}"
        shares = ", ".join(f"{_verdict_text(v)} {f:.0%}" for v, f in self.share.items())
        lo, hi = self.interval if self.interval else (math.nan, math.nan)
        return (
            f"Uncertainty ({self.draws} parameter draws, seed {self.seed}): {shares}; "
            f"P({self.target}) 95% interval {lo:.2f}-{hi:.2f}"
        )

    def to_dict(self) -> dict[str, Any]:
        """``{"draws", "seed", "share": {verdict: fraction} or None, "interval", ...}``."""
        return {
            "draws": self.draws,
            "seed": self.seed,
            "share": dict(self.share) if self.share is not None else None,
            "interval": list(self.interval) if self.interval else None,
            "impossible_draws": self.impossible,
            "note": self.note,
        }

    def _report(self) -> Report:
        rows = list(self.share.items()) if self.share is not None else []
        table = Table((Column("verdict", _verdict_text), Column("share", ".3f")), rows)
        return Report([Lines([self.describe()]), table], data=table)


_OUTCOME_COLUMNS = (
    Column("state"),
    Column("probability", ".3f"),
    Column("p_target", ".3f", label="P(target)"),
    Column("verdict", _verdict_text),
)


@dataclass(frozen=True)
class Outcome(Rendered):
    """One possible result of a test.

    Attributes
    ----------
    state : str
        The test's result.
    probability : float
        How likely that result is, given the evidence.
    p_target : float
        P(target | evidence and this result).
    verdict : str
        The biopsy verdict after this result.
    """

    state: str
    probability: float
    p_target: float
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        """``{"state", "probability", "p_target", "verdict"}``."""
        return {
            "state": self.state,
            "probability": self.probability,
            "p_target": self.p_target,
            "verdict": self.verdict,
        }

    def _report(self) -> Report:
        return Report([Table(_OUTCOME_COLUMNS, [astuple(self)])])


@dataclass(frozen=True)
class NextTest(Rendered):
    """A candidate finding with its value for the decision and for the diagnosis.

    Attributes
    ----------
    finding : str
    value : float
        Expected value of information for the decision.
    expected_change : float
        Expected absolute change of P(target).
    entropy_reduction : float
        Expected entropy reduction of the diagnosis, in bits.
    outcomes : tuple of Outcome
    """

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

    def _report(self) -> Report:
        head = Lines(
            [
                f"{self.finding}: value {self.value:.3f}, expected change "
                f"{self.expected_change:.3f}, entropy reduction {self.entropy_reduction:.3f} bits"
            ]
        )
        rows = [astuple(o) for o in self.outcomes]
        return Report([head, Table(_OUTCOME_COLUMNS, rows, caption="If the result is:")])


@dataclass(frozen=True)
class GuidelineResult(Rendered):
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

    def _report(self) -> Report:
        head = [f"Guideline{' (' + self.title + ')' if self.title else ''}: "
                f"{_verdict_text(self.verdict)}"]  # fmt: skip
        if self.missing:
            head.append("Not yet observed: " + ", ".join(self.missing))
        rules = Table(
            (Column("rule"), Column("label"), Column("fired", lambda f: "yes" if f else "")),
            [(r, label, r in self.fired) for r, label in self.labels.items()],
        )
        return Report([Lines(head), rules])
