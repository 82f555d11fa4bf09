"""The guideline's red flags as a safety net, and plan lines consistent with the verdict,
over random cases of the bundled network (hypothesis, seeded)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bayesdx import load_network
from bayesdx.decision import Policy, recommend, safety_net
from bayesdx.errors import ImpossibleEvidenceError

NET = load_network("marrow_signal")
OBSERVABLE = [v for v in NET.variables if NET.spec.nodes[v].role in ("finding", "context")]

cases = st.dictionaries(
    st.sampled_from(OBSERVABLE), st.integers(0, 10), max_size=len(OBSERVABLE)
).map(lambda d: {v: NET.states[v][i % len(NET.states[v])] for v, i in d.items()})
policies = st.one_of(
    st.none(),
    st.floats(0.01, 0.99).map(Policy.threshold),
    st.tuples(st.floats(0.1, 10), st.floats(0.1, 10)).map(lambda hb: Policy.harm_benefit(*hb)),
)
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _recommend(case, policy=None):
    try:
        return recommend(NET, case, policy=policy, draws=0)
    except ImpossibleEvidenceError:
        assume(False)
        raise  # unreachable: assume(False) ends the example


@SETTINGS
@given(case=cases, policy=policies)
def test_a_red_flag_is_never_not_recommended(case, policy):
    rec = _recommend(case, policy)
    by_p = rec.policy.verdict(rec.p)
    # the red flags, by hand: a rule fires on its finding, or on hb_level = lt_12 for Hb < 12
    read = dict(case)
    if "hb_level" in case and "hb" not in case:
        read["hb"] = "lt_12" if case["hb_level"] == "lt_12" else "ge_12"
    flags = {
        rule.id
        for rule in NET.spec.decision.guideline.rules
        if any(read.get(f) in allowed for f, allowed in rule.any.items())
    }
    assert set(rec.guideline.fired) == flags
    if rec.guideline.fired:
        assert rec.verdict != "not_recommended"
        assert rec.verdict == ("consider" if by_p == "not_recommended" else by_p)
    else:
        assert rec.verdict == by_p  # nothing fired: the policy alone
    assert (rec.lifted_by != ()) == (rec.verdict != by_p)
    if rec.lifted_by:
        assert rec.lifted_by == rec.guideline.fired
        labels = ", ".join(rec.guideline.labels[r] for r in rec.lifted_by)
        assert f"Safety net: red flag ({labels}) lifted not recommended to consider" in str(rec)
        assert "a red flag fired" in rec.reason and rec.to_dict()["biopsy"]["lifted_by"]
    # each next-test result: a result that fires a rule is never not recommended either
    # (a result on hb_level is a result on hb, its definition: lt_12 is Hb < 12)
    for test in rec.next_tests:
        for o in test.outcomes:
            result = {test.finding: o.state}
            if test.finding == "hb_level" and "hb" not in rec.posterior.evidence.states:
                result["hb"] = "lt_12" if o.state == "lt_12" else "ge_12"
            fired = rec.guideline.fired or any(
                s in rule.any.get(f, ())
                for rule in NET.spec.decision.guideline.rules
                for f, s in result.items()
            )
            assert o.verdict == safety_net(rec.policy.verdict(o.p_target), fired)


@SETTINGS
@given(case=cases)
def test_plan_lines_agree_with_the_verdict(case):
    rec = _recommend(case)
    advised = rec.verdict == "recommended" or (
        rec.verdict == "borderline" and rec.guideline.verdict == "recommended"
    )
    text = [*rec.workup, *rec.management, *rec.plan.pitfalls]
    if not advised:
        assert not any(line.startswith("Biopsy: ") for line in rec.workup)
        assert not any("the biopsy decides" in line for line in text)
        assert not any("If the biopsy shows" in line for line in text)
    if rec.verdict == "consider":
        assert any(line.startswith("Biopsy to consider") for line in rec.management)
        assert rec.reason


def test_the_readme_case_is_consider_and_says_why(marrow):
    rec = recommend(marrow, {"hb": 10.9, "chemical_shift": "drop", "smear": "normal"}, draws=0)
    assert rec.verdict == "consider" and rec.guideline.fired == ("anaemia",)
    assert "between the harm/benefit threshold (0.05) and the yield band" in rec.reason
    assert "A red flag fired too (Hb < 12 g/dL)" in rec.reason


def test_a_lifted_case_under_a_users_threshold(marrow):
    # the red flag lifts a case that a high user threshold would turn away
    rec = recommend(marrow, {"hb": 10.9, "chemical_shift": "drop"}, policy=Policy.threshold(0.9))
    assert rec.policy.verdict(rec.p) == "not_recommended"
    assert rec.verdict == "consider" and rec.lifted_by == ("anaemia",)
    assert rec.margin == pytest.approx(0.9 - rec.p)
    assert "is below 0.90, where the probability alone says not recommended" in rec.reason


def test_older_adult_m_protein_without_a_biopsy_advised(marrow):
    # MGUS pitfall: "the biopsy decides" only where a biopsy is advised
    case = {"age": 70, "m_protein": "present", "hb": 13.5, "calcium": "normal", "renal": "normal",
            "smear": "normal", "cytopenia": "absent", "chemical_shift": "drop",
            "setting": "incidental"}  # fmt: skip
    rec = recommend(marrow, case, draws=0)
    assert rec.verdict == "consider" and "monoclonal_protein" in rec.guideline.fired
    assert any("free light-chain ratio" in line for line in rec.plan.pitfalls)
    assert not any("the biopsy decides" in line for line in rec.plan.pitfalls)
    # with anaemia and hypercalcaemia as well, a biopsy is advised and decides
    rec = recommend(marrow, {**case, "hb": 9.5, "calcium": "high", "setting": "biopsy_referral"})
    assert rec.verdict == "recommended"
    assert any("the biopsy decides" in line for line in rec.plan.pitfalls)
    assert not any("free light-chain ratio" in line for line in rec.plan.pitfalls)
