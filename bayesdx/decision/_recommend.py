"""Recommend (or not) a bone-marrow biopsy: posterior, policy, guideline, next tests, plan."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bayesdx.decision._guideline import GuidelineResult, evaluate_guideline
from bayesdx.decision._next_test import NextTest, rank_next_tests
from bayesdx.decision._plan import Plan, PlanContext, build_plan, leading_diagnoses
from bayesdx.decision._policy import Policy, as_policy, resolve_policy
from bayesdx.display import DISCLAIMER, stamp
from bayesdx.errors import PolicyError
from bayesdx.inference import Posterior, marginals, query
from bayesdx.model import as_network

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from bayesdx.model import Network

__all__ = ["Recommendation", "recommend"]


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


def _target_p(network: Network, states: Mapping[str, str], node: str, members: tuple) -> float:
    dist, _ = marginals(network, states, [node])
    return sum(dist[node][s] for s in members)


def _why(
    network: Network,
    post: Posterior,
    node: str,
    members: tuple,
    target: str,
    policy: Policy,
    p: float,
    verdict: str,
    guideline: GuidelineResult,
) -> str:
    """Why the rule-based and probabilistic verdicts differ, from leave-one-out posteriors."""
    if guideline.verdict == "incomplete":
        return (
            f"The rules cannot decide yet: not known: {', '.join(guideline.missing)}. "
            f"Meanwhile P({target}) = {p:.2f} ({verdict.replace('_', ' ')})."
        )
    states = post.evidence.states
    effects = []  # (finding, state, p without it)
    for var, state in post.evidence.given.items():
        rest = {k: v for k, v in states.items() if k != var}
        if var in network.defaults:  # a removed context variable falls back to its default
            rest[var] = network.defaults[var]
            if state == rest[var]:
                continue
        effects.append((var, state, _target_p(network, rest, node, members)))
    edge = policy.high if guideline.verdict == "recommended" else policy.low
    side = "below" if guideline.verdict == "recommended" else "at or above"
    head = (
        f"The rules say {guideline.verdict.replace('_', ' ')} (fired: "
        f"{', '.join(guideline.labels[r] for r in guideline.fired) or 'none'}), but "
        f"P({target}) = {p:.2f} is {side} {edge:.2f}."
    )
    if guideline.verdict == "recommended":
        movers = sorted((e for e in effects if e[2] > p), key=lambda e: p - e[2])
        verb = "lowered"
    else:
        movers = sorted((e for e in effects if e[2] < p), key=lambda e: e[2] - p)
        verb = "raised"
    if movers:
        shown = "; ".join(
            f"{v}={s} {verb} it (P would be {pw:.2f} without it)" for v, s, pw in movers[:4]
        )
        return f"{head} {shown}."
    prior = _target_p(
        network, {k: v for k, v in states.items() if k not in post.evidence.given}, node, members
    )
    return f"{head} No single finding explains it; with no findings P({target}) = {prior:.2f}."


def recommend(
    network: Network,
    evidence: Mapping[str, Any] | None = None,
    *,
    policy: Policy | None = None,
) -> Recommendation:
    """Recommend (or not) a biopsy for a case.

    Parameters
    ----------
    network : Network
        A network with a ``decision`` section.
    evidence : mapping, optional
        The case: variable -> state or raw value.
    policy : Policy, optional
        Default: the network's band. ``Policy.threshold(t)`` or
        ``Policy.harm_benefit(harm, benefit)`` set another.

    Returns
    -------
    Recommendation

    Raises
    ------
    PolicyError
        For a network without a decision section.

    Examples
    --------
    >>> import bayesdx
    >>> net = bayesdx.load_network("marrow_signal")
    >>> rec = recommend(net, {"hb": 9.8, "m_protein": "present", "smear": "rouleaux"})
    >>> rec.verdict, rec.guideline.verdict, rec.agreement
    ('recommended', 'recommended', True)
    >>> recommend(net).verdict  # no findings: the referral base rate, inside the band
    'borderline'
    """

    network = as_network(network)
    decision = network.spec.decision
    if decision is None:
        raise PolicyError(
            f"network '{network.id}' has no decision section (target, band, "
            "rules); recommend needs one (see networks/FORMAT.md)"
        )
    policy = as_policy(policy) if policy is not None else resolve_policy(decision)
    node, members, target = decision.node, decision.members, decision.target
    post = query(network, evidence, targets=node)
    p = float(sum(post[node][s] for s in members))
    verdict = policy.verdict(p)
    states = post.evidence.states
    guideline = evaluate_guideline(decision.guideline, states) if decision.guideline else None
    agreement = guideline is not None and guideline.verdict == verdict
    disagreement = ""
    if guideline is not None and not agreement:
        disagreement = _why(network, post, node, members, target, policy, p, verdict, guideline)
    leading = leading_diagnoses(post[node], decision.leading_min)
    ctx = PlanContext(
        states=states,
        assumed=frozenset(post.evidence.assumed),
        distribution=post[node],
        groups=post.groups,
        leading=leading,
        verdict=verdict,
        guideline=guideline.verdict if guideline else None,
        fired=guideline.fired if guideline else (),
    )
    return Recommendation(
        posterior=post,
        target=target,
        p=p,
        policy=policy,
        verdict=verdict,
        margin=policy.margin(p),
        guideline=guideline,
        agreement=agreement,
        disagreement=disagreement,
        leading=leading,
        next_tests=rank_next_tests(network, states, node, members, policy),
        plan=build_plan(decision, ctx),
    )
