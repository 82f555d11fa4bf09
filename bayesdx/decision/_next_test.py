"""Which unobserved finding to order next, and what each result would do.

Two measures, both reported for every candidate:

- ``value``: the expected value of information for the decision, measured against every
  boundary that matters for the case: the policy's edges (band.high, band.low and, when the
  policy has one, the harm/benefit threshold under the band). Each edge b is read as the
  Pauker-Kassirer threshold of one step up the ladder of actions (no biopsy -> consider ->
  borderline -> recommended): taking the step for a patient with the target condition gains
  1 - b and for one without it costs b (in units of that step's harm + benefit), so deciding
  at posterior p has expected utility U(p) = sum_b max(p - b, 0), a convex function of p, and
  ``value = sum_s P(s | e) U(p_s) - U(p)``, never negative (Jensen) and zero when no result
  can move P across any edge. A test that can rule a neoplasm out below the harm/benefit
  threshold is valued as well as one that can rule it in above the band. When a guideline
  rule has already fired, the safety net keeps the case at ``consider`` or above whatever a
  test shows, so the harm/benefit threshold no longer matters and is left out.
- ``entropy_reduction``: the expected fall in the Shannon entropy (bits) of the diagnosis,
  i.e. the mutual information between the finding and the diagnosis given the evidence.

Also reported: ``expected_change``, the expected absolute change in P(target).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bayesdx.decision._guideline import evaluate_guideline
from bayesdx.decision._policy import safety_net
from bayesdx.decision._results import NextTest, Outcome
from bayesdx.inference import posteriors
from bayesdx.model import implied_states

if TYPE_CHECKING:
    from bayesdx.decision._policy import Policy
    from bayesdx.model import Guideline, Network

__all__ = ["entropy", "rank_next_tests"]


def entropy(dist: Mapping[str, float]) -> float:
    """Shannon entropy in bits.

    Examples
    --------
    >>> entropy({"a": 0.5, "b": 0.5}), entropy({"a": 1.0, "b": 0.0})
    (1.0, 0.0)
    """
    return 0.0 - sum(p * math.log2(p) for p in dist.values() if p > 0.0)


def rank_next_tests(
    network: Network,
    states: Mapping[str, str],
    node: str,
    members: tuple[str, ...],
    policy: Policy,
    candidates: list[str] | None = None,
    *,
    guideline: Guideline | None = None,
) -> list[NextTest]:
    """Rank unobserved findings by value for the decision, then by entropy reduction.

    The value is measured against the policy's edges that matter for the case (see the
    module's docstring): ``sum_b [E max(P' - b, 0) - max(P - b, 0)]``.

    Parameters
    ----------
    network : Network
    states : mapping
        The evidence (given and assumed), variable -> state.
    node, members : str, tuple of str
        The diagnosis node and the states whose total probability is decided on.
    policy : Policy
    candidates : list of str, optional
        Default: every node with role ``finding`` that is not observed.
    guideline : Guideline, optional
        The network's guideline: the verdict after each result has the safety net applied
        (a result that fires a rule is never ``not_recommended``), and once a rule has fired
        on the evidence the harm/benefit threshold is left out of the value.

    Returns
    -------
    list of NextTest
        Best first.
    """
    if candidates is None:
        candidates = [v for v in network.role("finding") if v not in states]
    # one query for the diagnosis and every candidate now, one batch for every result
    now = posteriors(network, [states], [node, *candidates], impossible="raise")
    base = now.distribution(node)
    p0 = sum(base[s] for s in members)
    h0 = entropy(base)
    fired_now = (
        evaluate_guideline(guideline, implied_states(network, states)).fired if guideline else ()
    )
    edges = [e for e in policy.edges if not (fired_now and e == policy.floor)]

    def utility(p: float) -> float:
        return sum(max(p - b, 0.0) for b in edges)

    def verdict(p: float, result: Mapping[str, str]) -> str:
        fired = (
            evaluate_guideline(guideline, implied_states(network, result)).fired
            if guideline
            else ()
        )
        return safety_net(policy.verdict(p), fired)

    results = [
        (finding, state, q)
        for finding in candidates
        for state, q in now.distribution(finding).items()
        if q > 0.0
    ]
    after = posteriors(network, [{**states, f: s} for f, s, _ in results], [node])
    out = []
    for finding in candidates:
        outcomes, value, change, h = [], -utility(p0), 0.0, 0.0
        for k, (f, state, q) in enumerate(results):
            if f != finding or after.impossible[k]:  # (impossible: q is rounding)
                continue
            post = after.distribution(node, k)
            p = sum(post[s] for s in members)
            outcomes.append(Outcome(state, q, p, verdict(p, {**states, f: state})))
            value += q * utility(p)
            change += q * abs(p - p0)
            h += q * entropy(post)
        value = value if value > 1e-12 else 0.0  # below this it is rounding, not information
        out.append(NextTest(finding, value, change, max(h0 - h, 0.0), tuple(outcomes)))
    out.sort(key=lambda c: (-round(c.value, 12), -c.entropy_reduction))
    return out
