"""Next-test ranking against values computed by hand on the tiny network."""

from __future__ import annotations

import math

import pytest

from bayesdx.decision import Policy, entropy, rank_next_tests


def h2(p: float) -> float:
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def test_values_by_hand(tiny):
    # exposure = no (assumed). Prior P(d1) = 0.3; edges 0.4 and 0.5, each a Pauker-Kassirer
    # threshold: U(p) = max(p - .4, 0) + max(p - .5, 0), value = E U(p') - U(.3).
    # test:    P(pos) = .3*.9 + .7*.2 = .41; P(d1|pos) = .27/.41; P(d1|neg) = .03/.59
    # symptom: P(on|d1) = 1 - .9*.5 = .55, P(on|d2) = .1; P(on) = .235;
    #          P(d1|on) = .165/.235; P(d1|off) = .135/.765
    ranked = rank_next_tests(tiny, {"exposure": "no"}, "disease", ("d1",), Policy.band(0.4, 0.5))
    assert [c.finding for c in ranked] == ["test", "symptom"]
    test, symptom = ranked
    assert test.value == pytest.approx(0.41 * (2 * 0.27 / 0.41 - 0.9), abs=1e-12)
    assert symptom.value == pytest.approx(0.235 * (2 * 0.165 / 0.235 - 0.9), abs=1e-12)
    assert test.entropy_reduction == pytest.approx(
        h2(0.3) - 0.41 * h2(0.27 / 0.41) - 0.59 * h2(0.03 / 0.59), abs=1e-12
    )
    assert symptom.expected_change == pytest.approx(
        0.235 * (0.165 / 0.235 - 0.3) + 0.765 * (0.3 - 0.135 / 0.765), abs=1e-12
    )
    pos = next(o for o in test.outcomes if o.state == "pos")
    assert (pos.probability, pos.verdict) == (pytest.approx(0.41), "recommended")
    neg = next(o for o in test.outcomes if o.state == "neg")
    assert neg.verdict == "not_recommended"
    assert test.describe("sick") == (
        "test neg: P(sick) 0.05, not recommended; pos: P(sick) 0.66, recommended"
    )


def test_value_is_zero_when_no_result_crosses(tiny):
    ranked = rank_next_tests(tiny, {"exposure": "no"}, "disease", ("d1",), Policy.threshold(0.9))
    assert all(c.value == 0.0 for c in ranked)
    # ties on value fall back to entropy reduction
    assert ranked[0].entropy_reduction >= ranked[1].entropy_reduction


def test_observed_findings_are_not_candidates(tiny):
    ranked = rank_next_tests(
        tiny, {"exposure": "no", "test": "pos"}, "disease", ("d1",), Policy.band(0.4, 0.5)
    )
    assert [c.finding for c in ranked] == ["symptom"]


def test_entropy():
    assert entropy({"a": 0.25, "b": 0.25, "c": 0.5}) == pytest.approx(1.5)


def test_batched_outcomes_equal_single_queries(marrow):
    from bayesdx.inference import marginals
    from bayesdx.model import normalise

    states = normalise(marrow, {"hb": 10.9, "chemical_shift": "drop"}).states
    node, members = marrow.groups["neoplasm"]
    ranked = rank_next_tests(marrow, states, node, members, Policy.band(0.4, 0.47))
    assert ranked
    for test in ranked:
        dist, _ = marginals(marrow, states, [test.finding])
        assert [o.state for o in test.outcomes] == [
            s for s, q in dist[test.finding].items() if q > 0.0
        ]
        for o in test.outcomes:
            assert o.probability == dist[test.finding][o.state]  # the same single query
            post, _ = marginals(marrow, {**states, test.finding: o.state}, [node])
            assert o.p_target == pytest.approx(sum(post[node][s] for s in members), abs=1e-12)


def _value(test, p0, edges):
    def u(p):
        return sum(max(p - b, 0.0) for b in edges)

    return sum(o.probability * u(o.p_target) for o in test.outcomes) - u(p0)


def test_value_counts_the_harm_benefit_threshold_until_a_rule_fired(tiny):
    band = Policy.band(0.4, 0.5, floor=0.1)
    # nothing fired: edges 0.1, 0.4 and 0.5; ruling out below 0.1 is worth something
    ranked = rank_next_tests(
        tiny, {"exposure": "no"}, "disease", ("d1",), band, guideline=tiny.spec.decision.guideline
    )
    test = next(t for t in ranked if t.finding == "test")
    assert test.value == pytest.approx(_value(test, 0.3, (0.1, 0.4, 0.5)), abs=1e-12)
    assert test.value == pytest.approx(
        0.41 * (3 * 0.27 / 0.41 - 1.0) - (0.3 - 0.1 + 0.0), abs=1e-12
    )
    assert {o.state: o.verdict for o in test.outcomes} == {
        "neg": "not_recommended",
        "pos": "recommended",
    }
    # the symptom fired: the safety net holds the case at consider or above, so the harm/benefit
    # threshold is left out (a negative test would take P to 0.23, below a threshold of 0.3)
    band = Policy.band(0.4, 0.5, floor=0.3)
    states = {"exposure": "no", "symptom": "present"}
    p0 = 0.165 / 0.235
    (test,) = rank_next_tests(
        tiny, states, "disease", ("d1",), band, guideline=tiny.spec.decision.guideline
    )
    assert min(o.p_target for o in test.outcomes) < 0.3
    assert test.value == pytest.approx(_value(test, p0, (0.4, 0.5)), abs=1e-12)
    assert test.value != pytest.approx(_value(test, p0, (0.3, 0.4, 0.5)), abs=1e-6)
    assert {o.verdict for o in test.outcomes} == {"consider", "recommended"}
