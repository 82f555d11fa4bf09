"""The PSA's verdict shares follow the policy's own rule, harm/benefit floor included."""

from __future__ import annotations

import pytest

import bayesdx
from bayesdx.decision import Policy

CASE = {"age": 58, "hb": 11.4, "chemical_shift": "drop"}


@pytest.mark.parametrize(
    "policy",
    [None, Policy.band(0.40, 0.47), Policy.threshold(0.3), Policy.band(0.2, 0.5, floor=0.1)],
)
def test_shares_are_the_policy_verdicts_of_the_draws(marrow, policy):
    rep = bayesdx.uncertainty(marrow, CASE, draws=500, seed=4, policy=policy)
    counts: dict[str, int] = {}
    for p in rep.valid:
        v = rep.policy.verdict(float(p))
        counts[v] = counts.get(v, 0) + 1
    expected = {v: n / rep.valid.size for v, n in counts.items()}
    shares = rep.verdict_shares
    assert sum(shares.values()) == pytest.approx(1.0)
    assert {k: v for k, v in shares.items() if v} == pytest.approx(expected)
    assert ("consider" in shares) == (rep.policy.floor is not None)
