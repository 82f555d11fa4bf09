"""Recommend (or not) a bone-marrow biopsy: posterior, policy, guideline, next tests, plan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bayesdx.decision._guideline import GuidelineResult, evaluate_guideline
from bayesdx.decision._next_test import rank_next_tests
from bayesdx.decision._plan import PlanContext, build_plan, leading_diagnoses
from bayesdx.decision._policy import Policy, as_policy, resolve_policy
from bayesdx.decision._results import Recommendation
from bayesdx.errors import PolicyError
from bayesdx.inference import Posterior, posteriors, query
from bayesdx.model import as_network

if TYPE_CHECKING:
    from bayesdx.model import Network

__all__ = ["recommend"]


def _target_ps(
    network: Network, evidence_sets: list[dict[str, str]], node: str, members: tuple
) -> list[float]:
    """P(node in members) for each evidence set, in one batch."""
    res = posteriors(network, evidence_sets, [node], impossible="raise")
    return [sum(res.distribution(node, k)[s] for s in members) for k in range(len(evidence_sets))]


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
    removed = []  # (finding, state, the evidence without it)
    for var, state in post.evidence.given.items():
        rest = {k: v for k, v in states.items() if k != var}
        if var in network.defaults:  # a removed context variable falls back to its default
            rest[var] = network.defaults[var]
            if state == rest[var]:
                continue
        removed.append((var, state, rest))
    prior_states = {k: v for k, v in states.items() if k not in post.evidence.given}
    # the leave-one-out posteriors and the one with no findings: one batch
    *without, prior = _target_ps(network, [r for *_, r in removed] + [prior_states], node, members)
    effects = [(var, state, pw) for (var, state, _), pw in zip(removed, without, strict=True)]
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
