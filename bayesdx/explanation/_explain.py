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

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bayesdx.decision import Policy, as_policy, default_policy, rank_next_tests
from bayesdx.errors import ArgumentError
from bayesdx.explanation._results import Comparison, Contribution, Explanation, WhatIf, decibans
from bayesdx.inference import BatchResult, posteriors
from bayesdx.model import as_network, implied_states, normalise, ratio, resolve_hypothesis

if TYPE_CHECKING:
    from bayesdx.model import Network

__all__ = ["explain"]


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
        A group, a diagnosis state or ``VAR=STATE``; default the decision target (for a
        network without one, see :func:`~bayesdx.model.resolve_hypothesis`; the
        explanation then says how it was chosen).
    versus : str, optional
        A second group, diagnosis state or ``VAR=STATE``, on the hypothesis' node or any
        other: adds a "why A rather than B" comparison, with A the hypothesis. Each
        finding's weight is 10 log10 of how much it changed P(A | e) / P(B | e), the
        likelihood ratio P(f | A, rest) / P(f | B, rest).
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

    Why myeloma rather than red marrow, a state of another node:

    >>> ex = explain(net, {"m_protein": "present", "hb": 10}, hypothesis="multiple_myeloma",
    ...              versus="marrow_process=red_marrow")
    >>> [f for f, _, _ in ex.comparison.weights]
    ['m_protein', 'hb_level']
    """

    network = as_network(network)
    h = resolve_hypothesis(network, hypothesis)
    other = resolve_hypothesis(network, versus, argument="versus") if versus is not None else None
    if other is not None and set(other.members) & set(h.members) and other.node == h.node:
        raise ArgumentError(
            f"versus '{versus}' overlaps the hypothesis '{h.name}' ({', '.join(h.members)}); "
            "compare with a diagnosis or group outside it"
        )
    ev = normalise(network, evidence)
    context_vars = set(network.defaults)
    context = {v: s for v, s in ev.states.items() if v in context_vars}
    # a finding defined from another given one (hb from hb_level, both read from one raw Hb)
    # is the same finding: counted twice, each would explain the other away (leave-one-out
    # LR 1) and the conflict would count it twice
    implied = {
        v
        for v, s in ev.given.items()
        if v in implied_states(network, {u: t for u, t in ev.given.items() if u != v})
    }
    findings = {v: s for v, s in ev.given.items() if v not in context_vars | implied}
    node = h.node
    queries = _EvidenceSets(context, findings, network)
    targets = [node] if other is None or other.node == node else [node, other.node]
    res = posteriors(network, queries.sets, targets)
    if res.impossible[0]:  # every other set but the what-ifs is part of this one
        posteriors(network, queries.sets[:1], [node], impossible="raise")

    def dist(k: int) -> dict[str, float]:
        return res.distribution(node, k)

    full = dist(0)
    p_post = h.probability(full)
    prior_dist = dist(queries.prior)
    p_prior = h.probability(prior_dist)

    loo = {var: dist(k) for var, k in queries.without.items()}
    contributions, prev = [], prior_dist
    for var, state in findings.items():
        after = dist(queries.entered[var])
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

        def p_other(k: int) -> float:
            return other.probability(res.distribution(other.node, k))

        ratio_now = ratio(h.probability(full), p_other(0))
        weights = []
        for var, state in findings.items():
            ratio_without = ratio(h.probability(loo[var]), p_other(queries.without[var]))
            weights.append((var, state, decibans(ratio(ratio_now, ratio_without))))
        comparison = Comparison(h.name, other.name, h.probability(full), p_other(0), tuple(weights))

    policy = default_policy(network, h) if policy is None else as_policy(policy)
    what_if = []
    for var, state in findings.items():
        p = h.probability(loo[var])
        what_if.append(WhatIf(var, state, None, p, policy.verdict(p) if policy else None))
        for alt, k in queries.alternatives[var]:
            if res.impossible[k]:  # an alternative the model rules out
                continue
            p = h.probability(dist(k))
            what_if.append(WhatIf(var, state, alt, p, policy.verdict(p) if policy else None))

    conflict = _conflict(queries, res, bool(context)) if len(findings) >= 2 else None

    next_test = ""
    verdict = policy.verdict(p_post) if policy else None
    if policy is not None:
        ranked = rank_next_tests(network, ev.states, node, h.members, policy)
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
        marginals=_hidden_marginals(network, {**context, **findings}),
    )


class _EvidenceSets:
    """Every evidence set an explanation needs, in one list (row 0: the whole case).

    Attributes
    ----------
    sets : list of dict
        Context and findings; then the context alone; then without each finding; then the
        findings entered so far (in order); then each alternative state of each finding; then
        each finding alone (with the context).
    prior : int
        The row of the context alone.
    without, entered, alone : dict
        Finding -> its row.
    alternatives : dict
        Finding -> [(alternative state, row)].
    """

    def __init__(self, context: dict[str, str], findings: dict[str, str], network: Network):
        self.sets: list[dict[str, str]] = [{**context, **findings}]
        self.prior = self._add(dict(context))
        self.without = {
            var: self._add({**context, **{k: v for k, v in findings.items() if k != var}})
            for var in findings
        }
        self.entered: dict[str, int] = {}
        names = list(findings)
        for i, var in enumerate(names):
            last = i == len(names) - 1  # all findings entered: the whole case
            done = {k: findings[k] for k in names[: i + 1]}
            self.entered[var] = 0 if last else self._add({**context, **done})
        self.alternatives = {
            var: [
                (alt, self._add({**context, **findings, var: alt}))
                for alt in network.states[var]
                if alt != state
            ]
            for var, state in findings.items()
        }
        self.alone = {var: self._add({**context, var: s}) for var, s in findings.items()}

    def _add(self, evidence: dict[str, str]) -> int:
        self.sets.append(evidence)
        return len(self.sets) - 1


def _conflict(queries: _EvidenceSets, res: BatchResult, has_context: bool) -> float:
    """Jensen's conflict, ln(prod_i P(e_i | c) / P(e | c)), from the batch's log P(evidence)."""
    log_pe = res.log_p_evidence
    log_c = float(log_pe[queries.prior]) if has_context else 0.0
    singles = sum(float(log_pe[k]) - log_c for k in queries.alone.values())
    return singles - (float(log_pe[0]) - log_c)


def _hidden_marginals(network: Network, observed: dict[str, str]) -> dict[str, dict[str, float]]:
    """Posterior of every unobserved node, for the network picture."""
    hidden = [v for v in network.variables if v not in observed]
    if not hidden:
        return {}
    res = posteriors(network, [observed], hidden, impossible="raise")
    return {v: res.distribution(v) for v in hidden}
