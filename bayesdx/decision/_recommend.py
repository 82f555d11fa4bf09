"""Recommend (or not) a bone-marrow biopsy: posterior, policy, safety net, guideline,
uncertainty, next tests, plan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.decision._guideline import GuidelineResult, evaluate_guideline
from bayesdx.decision._next_test import rank_next_tests
from bayesdx.decision._plan import PlanContext, build_plan, leading_diagnoses
from bayesdx.decision._policy import (
    Policy,
    as_policy,
    no_decision_error,
    resolve_policy,
    safety_net,
)
from bayesdx.decision._results import Recommendation, VerdictShares
from bayesdx.errors import ArgumentError, LimitError
from bayesdx.inference import Posterior, posteriors, query
from bayesdx.limits import MAX_DRAWS
from bayesdx.model import VERDICTS, as_network, implied_states, sample_tables, uncertain_nodes

if TYPE_CHECKING:
    from bayesdx.model import Network

__all__ = ["recommend"]


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ArgumentError(f"{name} must be a whole number >= 0, got {value!r:.60}")
    return int(value)


def _shares(
    network: Network,
    states: Mapping[str, str],
    target: str,
    node: str,
    members: tuple[str, ...],
    policy: Policy,
    fired: tuple[str, ...],
    draws: int,
    seed: int,
) -> VerdictShares:
    """The verdict (safety net applied) in ``draws`` joint parameter draws, in one batch."""
    if not uncertain_nodes(network):
        return VerdictShares(
            target,
            draws,
            seed,
            None,
            note="not measured: the network gives no uncertainty for its numbers (study "
            "counts or expert ranges) to sample",
        )
    tables = sample_tables(network, np.random.default_rng(seed), draws)
    res = posteriors(network, [states], [node], tables=tables, impossible="flag")
    index = [network.states[node].index(s) for s in members]
    possible = ~res.impossible[:, 0]
    ps = res.posteriors[node][:, 0, :][:, index].sum(axis=1)[possible]
    if not len(ps):
        return VerdictShares(
            target, draws, seed, None, impossible=draws, note="the evidence is impossible in "
            "every draw",
        )  # fmt: skip
    verdicts = [safety_net(policy.verdict(float(p)), fired) for p in ps]
    share: dict[str, float] = {v: verdicts.count(v) / len(ps) for v in VERDICTS}
    lo, hi = np.quantile(ps, [0.025, 0.975])
    return VerdictShares(target, draws, seed, share, (float(lo), float(hi)), int(draws - len(ps)))


def _reason(
    target: str, p: float, policy: Policy, verdict: str, guideline: GuidelineResult | None
) -> str:
    """Why this verdict, in a sentence or two."""
    fired = guideline.fired if guideline else ()
    flags = ", ".join(guideline.labels[r] for r in fired) if guideline else ""
    lifted = bool(fired) and policy.verdict(p) == "not_recommended"
    P = f"P({target}) = {p:.2f}"
    band = policy.kind == "band" and policy.low < policy.high
    if verdict == "recommended":
        edge = "the upper edge of the yield band" if band else "the threshold"
        return f"{P} is at or above {edge} ({policy.high:.2f})."
    if verdict == "borderline":
        return f"{P} is inside the yield band ({policy.low:.2f}-{policy.high:.2f})."
    if lifted:
        lowest = policy.edges[0]
        return (
            f"{P} is below {lowest:.2f}, where the probability alone says not recommended, "
            f"but a red flag fired ({flags}): the guideline's red flags are a safety net, so "
            "the verdict is consider."
        )
    if verdict == "consider":
        return (
            f"{P} lies between the harm/benefit threshold ({policy.floor:.2f}) and the "
            f"yield band ({policy.low:.2f}): a biopsy's expected benefit outweighs its harm, "
            "but the probability is below the yield among patients who were biopsied."
            + (f" A red flag fired too ({flags})." if fired else "")
        )
    edge = (
        f"the harm/benefit threshold ({policy.floor:.2f})"
        if policy.floor is not None
        else f"{policy.low:.2f}"
    )
    return f"{P} is below {edge} and no guideline red flag fired."


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
    edge = policy.high if guideline.verdict == "recommended" else policy.edges[0]
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
    draws: int = 1000,
    seed: int = 0,
) -> Recommendation:
    """Recommend (or not) a biopsy for a case.

    The verdict is the policy's (``recommended`` at or above the upper edge, ``borderline``
    inside the band, ``consider`` from the harm/benefit threshold, ``not_recommended``
    below), with the guideline's red flags as a safety net under every policy: a case in
    which any guideline rule fired is never ``not_recommended`` but ``consider``, and the
    result says which rule lifted it. The uncertainty at the decision is the share of joint
    parameter draws (sampled as the probabilistic sensitivity analysis does, in one batch)
    giving each verdict.

    Parameters
    ----------
    network : Network
        A network with a ``decision`` section.
    evidence : mapping, optional
        The case: variable -> state or raw value.
    policy : Policy, optional
        Default: the network's band, with its harm/benefit threshold when the file gives one.
        ``Policy.threshold(t)`` or ``Policy.harm_benefit(harm, benefit)`` set another (one
        threshold: no ``borderline`` or ``consider`` band, but the safety net still applies).
    draws : int
        Joint parameter draws for the verdict shares (default 1000; 0 skips them).
    seed : int
        Seed of the random generator; the same seed gives the same shares.

    Returns
    -------
    Recommendation

    Raises
    ------
    PolicyError
        For a network without a decision section.
    ArgumentError, LimitError
        For draws or seed that are not whole numbers >= 0, or too many draws.

    Examples
    --------
    >>> import bayesdx
    >>> net = bayesdx.load_network("marrow_signal")
    >>> rec = recommend(net, {"hb": 9.8, "m_protein": "present", "smear": "rouleaux"})
    >>> rec.verdict, rec.guideline.verdict, rec.agreement
    ('recommended', 'recommended', True)
    >>> recommend(net).verdict  # no findings: the referral base rate, 0.265, under the band
    'consider'
    >>> rec = recommend(net, {"hb": 10.9, "chemical_shift": "drop"}, draws=200, seed=1)
    >>> round(sum(rec.uncertainty.share.values()), 12), rec.uncertainty.share["not_recommended"]
    (1.0, 0.0)
    """

    network = as_network(network)
    n_draws, seed = _whole(draws, "draws"), _whole(seed, "seed")
    if n_draws > MAX_DRAWS:
        raise LimitError(f"draws {n_draws:,} is over the limit of {MAX_DRAWS:,}")
    decision = network.spec.decision
    if decision is None:
        raise no_decision_error(network.id)
    policy = as_policy(policy) if policy is not None else resolve_policy(decision)
    node, members, target = decision.node, decision.members, decision.target
    post = query(network, evidence, targets=node)
    p = float(sum(post[node][s] for s in members))
    # a finding given on a finer node is the same finding for a rule that watches its
    # definition (hb_level = lt_12 is hb = lt_12): the rules see both
    states = implied_states(network, post.evidence.states)
    guideline = evaluate_guideline(decision.guideline, states) if decision.guideline else None
    fired = guideline.fired if guideline else ()
    by_p = policy.verdict(p)
    verdict = safety_net(by_p, fired)
    lifted = fired if verdict != by_p else ()
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
        # lifted by the safety net, the verdict holds up to the band's lower edge
        margin=policy.low - p if lifted else policy.margin(p),
        guideline=guideline,
        agreement=agreement,
        disagreement=disagreement,
        leading=leading,
        next_tests=rank_next_tests(
            network, states, node, members, policy, guideline=decision.guideline
        ),
        plan=build_plan(decision, ctx),
        reason=_reason(target, p, policy, verdict, guideline),
        lifted_by=lifted,
        uncertainty=_shares(network, states, target, node, members, policy, fired, n_draws, seed)
        if n_draws
        else None,
    )
