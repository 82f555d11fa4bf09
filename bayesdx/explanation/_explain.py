"""Explain a posterior to a trainee: what each finding did, why A rather than B, what if.

Every number here is computed from the network; the narrative only quotes them.

- **Weight of evidence.** For a hypothesis H (a group such as ``neoplasm``, a diagnosis
  state, or ``VAR=STATE``) each observed finding f has a likelihood ratio
  LR = P(f | H, rest) / P(f | not H, rest), reported with its log in decibans
  (10 log10 LR). *Leave one out*: the rest is every other finding, so
  LR = odds(H | e) / odds(H | e without f). *Sequential*: the rest is the findings entered
  before f, so the sequential decibans add up exactly to the change in log-odds from prior
  to posterior.
- **The prior** is P(H) given only the context that defines the population (the nodes with a
  declared default, such as ``setting``), whether given or assumed.
- **Conflict** (Jensen's data-conflict measure, as in Hugin's conflict analysis):
  conf(e) = ln(prod_i P(e_i) / P(e)), over the findings, in the same context. Positive values
  mean the findings are less likely together than if they were independent: they point in
  different directions, or the case is one the model explains poorly.

References
----------
Good IJ. Weight of evidence: a brief survey. Bayesian Statistics 2, 1985.
Jensen FV, Nielsen TD. Bayesian Networks and Decision Graphs, 2nd ed., 2007 (conflict).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bayesdx.decision import Policy, as_policy, default_policy, rank_next_tests
from bayesdx.display import DISCLAIMER
from bayesdx.errors import ArgumentError, ImpossibleEvidenceError, UnknownStateError
from bayesdx.explanation import _plots as explain_plots
from bayesdx.explanation._page import explanation_html
from bayesdx.inference import marginals
from bayesdx.model import Hypothesis, as_network, normalise, ratio, resolve_hypothesis

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from bayesdx.model import Network

__all__ = ["Comparison", "Contribution", "Explanation", "WhatIf", "decibans", "explain"]


def decibans(lr: float) -> float:
    """10 log10 of a likelihood ratio (inf for an infinite ratio).

    Examples
    --------
    >>> decibans(10.0), decibans(1.0)
    (10.0, 0.0)
    """
    if lr <= 0.0:
        return -math.inf
    return math.inf if math.isinf(lr) else 10.0 * math.log10(lr)


@dataclass(frozen=True)
class Contribution:
    """One finding's weight of evidence: leave-one-out and sequential."""

    finding: str
    state: str
    lr: float
    decibans: float
    p_without: float
    sequential_decibans: float
    p_after: float


@dataclass(frozen=True)
class WhatIf:
    """The hypothesis' posterior if one finding were unobserved or had another state."""

    finding: str
    observed: str
    state: str | None  # None: the finding removed
    p: float
    verdict: str | None


@dataclass(frozen=True)
class Comparison:
    """Why A rather than B: each finding's log-likelihood ratio between them (decibans)."""

    a: str
    b: str
    p_a: float
    p_b: float
    weights: tuple[tuple[str, str, float], ...]  # (finding, state, decibans for A over B)

    def to_dict(self) -> dict[str, Any]:
        """``{"a", "b", "p_a", "p_b", "findings": [{"finding", "state", "decibans"}]}``."""
        return {
            "a": self.a,
            "b": self.b,
            "p_a": self.p_a,
            "p_b": self.p_b,
            "findings": [
                {"finding": f, "state": s, "decibans": _finite(d)} for f, s, d in self.weights
            ],
        }


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class Explanation:
    """The reasoning behind a posterior, in numbers, words and pictures.

    Attributes
    ----------
    network : Network
    hypothesis : Hypothesis
    context : dict
        The prior-defining context (given or assumed), e.g. ``{"setting": "biopsy_referral"}``.
    findings : dict
        The observed findings, in the order entered.
    prior, posterior : float
        P(hypothesis | context) and P(hypothesis | context and findings).
    contributions : tuple of Contribution
    distribution : dict
        The posterior of the hypothesis' node.
    conflict : float or None
        conf(e) in natural-log units (None with fewer than two findings).
    what_if : tuple of WhatIf
    comparison : Comparison or None
    verdict : str or None
        The biopsy verdict, when the network has a decision section and the hypothesis is
        its target.
    next_test : str
        The best next test, described with its outcomes ("" if none).
    """

    network: Network = field(repr=False)
    hypothesis: Hypothesis
    context: dict[str, str]
    assumed: dict[str, str]
    findings: dict[str, str]
    prior: float
    posterior: float
    contributions: tuple[Contribution, ...]
    distribution: dict[str, float]
    conflict: float | None
    what_if: tuple[WhatIf, ...]
    comparison: Comparison | None
    verdict: str | None
    next_test: str

    # -------------------------------------------------------------- numbers
    prior_odds: float = 1.0
    posterior_odds: float = 1.0

    @property
    def total_decibans(self) -> float:
        """10 log10 of posterior odds over prior odds."""
        return decibans(ratio(self.posterior_odds, self.prior_odds))

    def conflict_reading(self) -> str:
        """A plain-language reading of the conflict measure."""
        if self.conflict is None:
            return "Conflict is not defined with fewer than two findings."
        if self.conflict > 0:
            return (
                f"conf = {self.conflict:.2f} > 0: the findings are less likely together "
                "than each on its own would suggest; they pull in different directions. "
                "Check for an error in the data, or a case the model does not cover "
                "well."
            )
        return (
            f"conf = {self.conflict:.2f} <= 0: the findings fit together (they are more "
            "likely together than apart), as they do when one diagnosis explains them."
        )

    def narrative(self) -> str:
        """A short text for trainees, quoting only computed numbers."""
        h = self.hypothesis.name
        ctx = (
            ", ".join(
                f"{v} = {s}" + (" (assumed)" if v in self.assumed else "")
                for v, s in self.context.items()
            )
            or "no context"
        )
        text = [f"Setting: {ctx}. Before any finding, P({h}) = {self.prior:.2f}."]
        if self.contributions:
            ranked = sorted(self.contributions, key=lambda c: -abs(c.decibans))[:3]
            moves = []
            for c in ranked:
                way = "for" if c.decibans > 0 else "against"
                moves.append(
                    f"{c.finding} = {c.state} (LR {c.lr:.2g}, {c.decibans:+.1f} dB, {way} {h})"
                )
            text.append(
                "The findings that moved it most, each given all the others: "
                + "; ".join(moves)
                + "."
            )
            text.append(
                f"With all {len(self.findings)} findings, P({h}) = "
                f"{self.posterior:.2f} ({self.total_decibans:+.1f} dB in all)."
            )
        else:
            text.append("No findings have been entered.")
        top = sorted(self.distribution.items(), key=lambda kv: -kv[1])[:3]
        text.append("Differential: " + ", ".join(f"{s} {p:.2f}" for s, p in top) + ".")
        if self.verdict:
            text.append(f"Decision: biopsy {self.verdict.replace('_', ' ')}.")
        if self.next_test:
            text.append(f"Next test: {self.next_test}.")
        if self.conflict is not None:
            text.append(
                ("The findings conflict" if self.conflict > 0 else "The findings fit together")
                + f" (conf {self.conflict:.2f})."
            )
        return " ".join(text)

    # -------------------------------------------------------------- views
    def to_dict(self) -> dict[str, Any]:
        """What ``bayesdx explain --json`` prints."""
        return {
            "network": self.network.id,
            "hypothesis": self.hypothesis.name,
            "context": dict(self.context),
            "assumed": dict(self.assumed),
            "prior": self.prior,
            "posterior": self.posterior,
            "contributions": [
                {
                    "finding": c.finding,
                    "state": c.state,
                    "lr": _finite(c.lr),
                    "decibans": _finite(c.decibans),
                    "p_without": c.p_without,
                }
                for c in self.contributions
            ],
            "sequential": [
                {
                    "finding": c.finding,
                    "state": c.state,
                    "decibans": _finite(c.sequential_decibans),
                    "posterior": c.p_after,
                }
                for c in self.contributions
            ],
            "conflict": self.conflict,
            "conflict_reading": self.conflict_reading(),
            "what_if": [
                {
                    "finding": w.finding,
                    "observed": w.observed,
                    "state": w.state,
                    "p": w.p,
                    "verdict": w.verdict,
                }
                for w in self.what_if
            ],
            "comparison": self.comparison.to_dict() if self.comparison else None,
            "verdict": self.verdict,
            "narrative": self.narrative(),
            "disclaimer": DISCLAIMER,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: state, LR, decibans (leave one out and sequential), posterior."""
        import pandas as pd

        return pd.DataFrame(
            [
                (
                    c.finding,
                    c.state,
                    c.lr,
                    c.decibans,
                    c.p_without,
                    c.sequential_decibans,
                    c.p_after,
                )
                for c in self.contributions
            ],
            columns=[
                "finding",
                "state",
                "lr",
                "decibans",
                "p_without",
                "sequential_decibans",
                "posterior_after",
            ],
        )

    def __str__(self) -> str:
        h = self.hypothesis.name
        lines = [
            f"Network: {self.network.id}; hypothesis: {h}",
            "",
            f"Prior P({h}) = {self.prior:.3f}   posterior = {self.posterior:.3f}",
            "",
        ]
        if self.contributions:
            lines.append(
                f"{'finding':<28}{'LR':>9}{'dB':>8}{'P without':>11}{'seq dB':>9}{'P after':>9}"
            )
            for c in self.contributions:
                lines.append(
                    f"{c.finding + '=' + c.state:<28}{c.lr:>9.3g}{c.decibans:>8.1f}"
                    f"{c.p_without:>11.3f}{c.sequential_decibans:>9.1f}"
                    f"{c.p_after:>9.3f}"
                )
            lines.append("")
        if self.comparison:
            cmp = self.comparison
            lines.append(
                f"{cmp.a} ({cmp.p_a:.3f}) versus {cmp.b} ({cmp.p_b:.3f}), decibans for {cmp.a}:"
            )
            lines += [f"  {f}={s}: {d:+.1f}" for f, s, d in cmp.weights]
            lines.append("")
        lines += [self.conflict_reading(), "", self.narrative(), "", DISCLAIMER]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Explanation {self.hypothesis.name}: {self.prior:.3f} -> {self.posterior:.3f}>"

    def _repr_html_(self) -> str:

        return explanation_html(self, standalone=False)

    def plot(self, kind: str = "waterfall", ax: Axes | None = None) -> Axes:
        """``waterfall`` (log-odds from prior to posterior), ``differential`` or ``network``.

        Returns
        -------
        matplotlib.axes.Axes
        """

        kinds = {
            "waterfall": explain_plots.waterfall,
            "differential": explain_plots.differential,
            "network": explain_plots.network_graph,
        }
        if kind not in kinds:
            raise ArgumentError(f"unknown plot kind {kind!r}; valid: {', '.join(kinds)}")
        return kinds[kind](self, ax=ax)

    def to_html(self) -> str:
        """One self-contained HTML page (pictures embedded) to hand out."""

        return explanation_html(self, standalone=True)


def explain(
    network: Network,
    evidence: Mapping[str, Any] | None = None,
    *,
    hypothesis: str | None = None,
    versus: str | None = None,
    policy: Policy | None = None,
) -> Explanation:
    """Explain the posterior of a hypothesis given a case.

    Parameters
    ----------
    network : Network
    evidence : mapping, optional
        The case, in the order the findings were entered.
    hypothesis : str, optional
        A group, a diagnosis state or ``VAR=STATE``; default the decision target.
    versus : str, optional
        A second diagnosis state or group: adds a "why A rather than B" comparison, with
        A the hypothesis.
    policy : Policy, optional
        For the what-if verdicts (default: the network's band when the hypothesis is its
        decision target).

    Returns
    -------
    Explanation

    Examples
    --------
    >>> from bayesdx import load_network
    >>> net = load_network("marrow_signal")
    >>> ex = explain(net, {"m_protein": "present", "chemical_shift": "drop"})
    >>> [c.finding for c in ex.contributions]
    ['m_protein', 'chemical_shift']
    >>> total = sum(c.sequential_decibans for c in ex.contributions)
    >>> abs(total - ex.total_decibans) < 1e-9
    True
    """

    network = as_network(network)
    h = resolve_hypothesis(network, hypothesis)
    other = resolve_hypothesis(network, versus) if versus is not None else None
    if other is not None and set(other.members) & set(h.members) and other.node == h.node:
        raise ArgumentError(
            f"versus '{versus}' overlaps the hypothesis '{h.name}' ({', '.join(h.members)}); "
            "compare with a diagnosis or group outside it"
        )
    ev = normalise(network, evidence)
    context_vars = set(network.defaults)
    context = {v: s for v, s in ev.states.items() if v in context_vars}
    findings = {v: s for v, s in ev.given.items() if v not in context_vars}
    node = h.node

    def dist(extra: Mapping[str, str]) -> dict[str, float]:
        return marginals(network, {**context, **extra}, [node])[0][node]

    full = dist(findings)
    p_post = h.probability(full)
    prior_dist = dist({})
    p_prior = h.probability(prior_dist)

    loo: dict[str, dict[str, float]] = {}
    for var in findings:
        loo[var] = dist({k: v for k, v in findings.items() if k != var})
    contributions, prev, entered = [], prior_dist, {}
    for var, state in findings.items():
        entered[var] = state
        after = dist(entered)
        lr = ratio(h.odds(full), h.odds(loo[var]))
        seq = decibans(ratio(h.odds(after), h.odds(prev)))
        contributions.append(
            Contribution(
                var, state, lr, decibans(lr), h.probability(loo[var]), seq, h.probability(after)
            )
        )
        prev = after

    comparison = None
    if other is not None:
        if other.node != node:
            raise UnknownStateError(
                "versus",
                versus,
                network.states[node],
                f" (it must be on the same node as {h.name}: {node})",
            )
        weights = []
        for var, state in findings.items():
            ratio_now = ratio(h.probability(full), other.probability(full))
            ratio_without = ratio(h.probability(loo[var]), other.probability(loo[var]))
            weights.append((var, state, decibans(ratio(ratio_now, ratio_without))))
        comparison = Comparison(
            h.name, other.name, h.probability(full), other.probability(full), tuple(weights)
        )

    policy = default_policy(network, h) if policy is None else as_policy(policy)
    what_if = []
    for var, state in findings.items():
        rest = {k: v for k, v in findings.items() if k != var}
        p = h.probability(loo[var])
        what_if.append(WhatIf(var, state, None, p, policy.verdict(p) if policy else None))
        for alt in network.states[var]:
            if alt == state:
                continue
            try:
                p = h.probability(dist({**rest, var: alt}))
            except ImpossibleEvidenceError:  # an alternative the model rules out
                continue
            what_if.append(WhatIf(var, state, alt, p, policy.verdict(p) if policy else None))

    conflict = None
    if len(findings) >= 2:
        _, p_e = marginals(network, {**context, **findings}, [node])
        _, p_c = marginals(network, context, [node]) if context else (None, 1.0)
        singles = 0.0
        for var, state in findings.items():
            _, p_i = marginals(network, {**context, var: state}, [node])
            singles += math.log(p_i / p_c)
        conflict = singles - math.log(p_e / p_c)

    next_test = ""
    verdict = policy.verdict(p_post) if policy else None
    if policy is not None:
        ranked = rank_next_tests(network, {**context, **findings}, node, h.members, policy)
        if ranked and ranked[0].value > 0.0:
            next_test = ranked[0].describe(h.name)
    return Explanation(
        network=network,
        hypothesis=h,
        context=context,
        assumed=dict(ev.assumed),
        findings=findings,
        prior=p_prior,
        posterior=p_post,
        contributions=tuple(contributions),
        distribution=full,
        conflict=conflict,
        what_if=tuple(what_if),
        comparison=comparison,
        verdict=verdict,
        next_test=next_test,
        prior_odds=h.odds(prior_dist),
        posterior_odds=h.odds(full),
    )
