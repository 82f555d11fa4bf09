"""The three reference cases of the decision issue, and the Recommendation object."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from bayesdx import DISCLAIMER
from bayesdx.decision import Policy, recommend
from bayesdx.inference import query

from helpers import MYELOMA, RECONVERSION


def test_classic_myeloma(marrow):
    rec = recommend(marrow, MYELOMA)
    assert rec.verdict == "recommended" and rec.p > 0.95
    assert set(rec.guideline.fired) == {
        "anaemia",
        "monoclonal_protein",
        "abnormal_smear",
        "calcium_or_renal",
    }
    assert rec.agreement and rec.disagreement == ""
    assert rec.leading[0] == "multiple_myeloma"
    assert any("t(4;14)" in line and line.startswith("Biopsy: FISH") for line in rec.workup)
    assert "Biopsy: Bone-marrow aspirate and trephine biopsy" in rec.workup
    assert any("specialist myeloma centre" in line for line in rec.management)
    assert any("MGUS" in line for line in rec.plan.pitfalls)
    assert not any("surveillance" in line for line in rec.management)


def test_young_obese_smoker_with_normal_labs(marrow):
    rec = recommend(marrow, RECONVERSION)
    assert rec.verdict == "not_recommended" and rec.p < 0.05
    assert rec.guideline.fired == () and rec.guideline.verdict == "not_recommended"
    assert rec.agreement
    assert rec.leading[0] == "red_marrow_reconversion"
    assert not any(line.startswith("Biopsy:") for line in rec.workup)
    assert any("blood counts every 3 months" in line for line in rec.management)
    assert any("drive (smoking, obesity" in line for line in rec.management)


def test_no_findings(marrow):
    rec = recommend(marrow)
    # the referral base rate (pooled biopsy series, 0.265) is below the yield band and above
    # the harm/benefit threshold: consider
    assert rec.p == pytest.approx(query(marrow).groups["neoplasm"], abs=1e-15)
    # the referral setting's prior (27/102 pooled, 0.265 in the table): no finding moves it
    assert rec.p == pytest.approx(0.265, abs=1e-12)
    assert (rec.policy.floor, rec.policy.low) == (0.05, 0.40)
    assert rec.verdict == "consider"
    assert rec.guideline.verdict == "incomplete" and not rec.agreement
    assert rec.disagreement.startswith("The rules cannot decide yet: not known: cytopenia, hb")
    assert len(rec.plan.workup) == len(marrow.spec.decision.workup)  # every step-1 test
    assert not any(line.startswith("Biopsy:") for line in rec.workup)  # labs before biopsy
    assert any("without laboratory correlation" in line for line in rec.plan.pitfalls)
    # the best next test can move the verdict out of the band, one way or the other (below
    # the band the verdict is now consider: above the harm/benefit threshold)
    best = rec.next_tests[0]
    assert best.value > 0
    verdicts = {o.verdict for o in best.outcomes}
    assert "recommended" in verdicts and "consider" in verdicts


def test_disagreement_quotes_the_computed_numbers(marrow):
    case = {"hb": 10.9, "chemical_shift": "drop", "smear": "normal"}
    rec = recommend(marrow, case)
    # between the harm/benefit threshold (0.05) and the band: consider, with the red flag
    assert rec.guideline.verdict == "recommended" and rec.verdict == "consider"
    without_cs = query(marrow, {"hb": 10.9, "smear": "normal"}).groups["neoplasm"]
    assert f"P(neoplasm) = {rec.p:.2f} is below 0.47" in rec.disagreement
    assert f"chemical_shift=drop lowered it (P would be {without_cs:.2f} without it)" in (
        rec.disagreement
    )


def test_other_policies_change_only_the_threshold(marrow):
    band = recommend(marrow, {"hb": 12.5})
    low = recommend(marrow, {"hb": 12.5}, policy=Policy.threshold(0.2))
    pk = recommend(marrow, {"hb": 12.5}, policy=Policy.harm_benefit(1, 1))
    assert band.p == low.p == pk.p
    # the network's band has a harm/benefit threshold under it (consider); the user's single
    # thresholds keep their meaning: no consider band (and no red flag fired for hb >= 12)
    assert (band.verdict, low.verdict, pk.verdict) == (
        "consider",
        "recommended",
        "not_recommended",
    )
    assert pk.to_dict()["biopsy"]["threshold"] == {
        "policy": "harm_benefit",
        "low": 0.5,
        "high": 0.5,
        "inputs": {"harm": 1.0, "benefit": 1.0, "threshold": 0.5},
    }


def test_json_shape(marrow):
    d = recommend(marrow, {"m_protein": "present"}).to_dict()
    assert set(d["biopsy"]) >= {"verdict", "p_neoplasm", "threshold"}
    assert set(d["biopsy"]["threshold"]) >= {"policy", "low", "high"}
    assert set(d["guideline"]) >= {"fired", "verdict"}
    assert isinstance(d["agreement"], bool)
    for item in d["next_tests"]:
        assert set(item) >= {"finding", "value", "outcomes"}
        for outcome in item["outcomes"].values():
            assert set(outcome) >= {"p_neoplasm", "verdict"}
    assert all(isinstance(x, str) for k in ("workup", "management", "pitfalls") for x in d[k])
    assert d["disclaimer"] == DISCLAIMER


def test_views(marrow):
    rec = recommend(marrow, {"hb": 11, "chemical_shift": "drop"})
    text = str(rec)
    assert f"P(neoplasm) = {rec.p:.3f}" in text and text.rstrip().endswith(DISCLAIMER)
    assert rec.report(tests=0).count("value ") == 0
    assert DISCLAIMER in rec._repr_html_()
    frame = rec.to_frame()
    assert set(frame.finding) == {t.finding for t in rec.next_tests}
    ax = rec.plot()
    assert ax.get_xlim() == (0.0, 1.0)
    assert ax.get_title() == f"Biopsy: {rec.verdict.replace('_', ' ')}"
    plt.close(ax.figure)
