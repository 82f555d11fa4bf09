"""Which unobserved finding to order next, and what each result would do.

Two measures, both reported for every candidate:

- ``value``: the expected value of information for the biopsy decision. The policy's upper
  edge t is read as a Pauker-Kassirer threshold, so biopsying a patient with the target
  condition gains 1 - t and biopsying one without it costs t (in units of harm + benefit);
  the expected utility of deciding at posterior p is then max(p - t, 0), and
  ``value = sum_s P(s | e) max(p_s - t, 0) - max(p - t, 0)`` (never negative; zero when no
  result can move the decision across t).
- ``entropy_reduction``: the expected fall in the Shannon entropy (bits) of the diagnosis,
  i.e. the mutual information between the finding and the diagnosis given the evidence.

Also reported: ``expected_change``, the expected absolute change in P(target).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bayesdx.decision._results import NextTest, Outcome
from bayesdx.inference import posteriors

if TYPE_CHECKING:
    from bayesdx.decision._policy import Policy
    from bayesdx.model import Network

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
) -> list[NextTest]:
    """Rank unobserved findings by value for the decision, then by entropy reduction.

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
    t = policy.high
    results = [
        (finding, state, q)
        for finding in candidates
        for state, q in now.distribution(finding).items()
        if q > 0.0
    ]
    after = posteriors(network, [{**states, f: s} for f, s, _ in results], [node])
    out = []
    for finding in candidates:
        outcomes, value, change, h = [], -max(p0 - t, 0.0), 0.0, 0.0
        for k, (f, state, q) in enumerate(results):
            if f != finding or after.impossible[k]:  # (impossible: q is rounding)
                continue
            post = after.distribution(node, k)
            p = sum(post[s] for s in members)
            outcomes.append(Outcome(state, q, p, policy.verdict(p)))
            value += q * max(p - t, 0.0)
            change += q * abs(p - p0)
            h += q * entropy(post)
        value = value if value > 1e-12 else 0.0  # below this it is rounding, not information
        out.append(NextTest(finding, value, change, max(h0 - h, 0.0), tuple(outcomes)))
    out.sort(key=lambda c: (-round(c.value, 12), -c.entropy_reduction))
    return out
