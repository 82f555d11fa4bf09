"""Explanations: the arithmetic of weights of evidence, what-if, conflict and narrative."""

from __future__ import annotations

import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from bayesdx import DISCLAIMER
from bayesdx.errors import UnknownStateError
from bayesdx.explanation import explain
from bayesdx.inference import query
from bayesdx.model import resolve_hypothesis

CASE = {"hb": 10.9, "chemical_shift": "drop", "smear": "normal", "m_protein": "absent"}
# the same case as the second edition reads it, by hand: Hb 10.9 g/dL is hb_level lt_12 (hb,
# defined from it, is the same finding and not counted again); the first edition's
# smear=normal is its five film findings, absent (the legacy rule's reading, in the place
# where smear was entered)
FILM = ("blasts", "dysplasia", "rouleaux", "leukoerythroblastic", "abnormal_monocytes")
READ = {
    "hb_level": "lt_12",
    "chemical_shift": "drop",
    **dict.fromkeys(FILM, "absent"),
    "m_protein": "absent",
}


def odds(p):
    return p / (1 - p)


def test_tiny_by_hand(tiny):
    # hypothesis d1; exposure = no (assumed). Findings: test = pos, symptom = present.
    ex = explain(tiny, {"test": "pos", "symptom": "present"}, hypothesis="d1")
    assert ex.prior == pytest.approx(0.3, abs=1e-15)
    # sequential: test first, LR = P(pos|d1)/P(pos|d2) = 0.9/0.2
    assert ex.contributions[0].sequential_decibans == pytest.approx(10 * math.log10(4.5))
    # then symptom given test: LR = P(sym|d1)/P(sym|d2) = 0.55/0.1 (independent given disease)
    assert ex.contributions[1].sequential_decibans == pytest.approx(10 * math.log10(5.5))
    # leave one out gives the same LRs here (findings are independent given the disease)
    assert ex.contributions[0].lr == pytest.approx(4.5)
    assert ex.contributions[1].lr == pytest.approx(5.5)


def test_sequential_terms_add_up_to_the_log_odds_change(marrow):
    ex = explain(marrow, {"age": 64, **CASE, "ldh": "high"})
    total = sum(c.sequential_decibans for c in ex.contributions)
    assert total == pytest.approx(10 * math.log10(odds(ex.posterior) / odds(ex.prior)), abs=1e-9)
    assert ex.contributions[-1].p_after == pytest.approx(ex.posterior, abs=1e-15)


def test_the_case_is_read_as_by_hand(marrow):
    ex = explain(marrow, CASE)
    assert [(c.finding, c.state) for c in ex.contributions] == list(READ.items())
    assert explain(marrow, READ).posterior == pytest.approx(ex.posterior, abs=1e-15)
    assert query(marrow, READ).groups["neoplasm"] == pytest.approx(ex.posterior, abs=1e-15)


def test_a_finding_and_its_definition_count_once(marrow):
    # hb = 10.9 is read as hb_level = lt_12 and hb = lt_12 (defined from it): one finding,
    # whose leave-one-out weight is that of anaemia, not 1 (each explaining the other away)
    ex = explain(marrow, {"hb": 10.9, "chemical_shift": "drop"})
    (hb,) = [c for c in ex.contributions if c.finding == "hb_level"]
    assert "hb" not in ex.findings
    p_without = query(marrow, {"chemical_shift": "drop"}).groups["neoplasm"]
    assert hb.p_without == pytest.approx(p_without, abs=1e-12)
    assert hb.lr == pytest.approx(odds(ex.posterior) / odds(p_without), rel=1e-9)
    assert hb.lr > 1  # anaemia is evidence for a neoplasm
    # the coarser finding given alone is a finding of its own
    assert [c.finding for c in explain(marrow, {"hb": "lt_12"}).contributions] == ["hb"]


def test_leave_one_out_matches_queries(marrow):
    ex = explain(marrow, CASE)
    for c in ex.contributions:
        rest = {k: v for k, v in READ.items() if k != c.finding}
        p_without = query(marrow, rest).groups["neoplasm"]
        assert c.p_without == pytest.approx(p_without, abs=1e-12)
        assert c.lr == pytest.approx(odds(ex.posterior) / odds(p_without), rel=1e-9)
    assert ex.prior == pytest.approx(query(marrow).groups["neoplasm"], abs=1e-15)


def test_versus(marrow):
    ex = explain(marrow, CASE, hypothesis="multiple_myeloma", versus="red_marrow_reconversion")
    post = query(marrow, CASE)["diagnosis"]
    cmp = ex.comparison
    assert (cmp.p_a, cmp.p_b) == (
        pytest.approx(post["multiple_myeloma"]),
        pytest.approx(post["red_marrow_reconversion"]),
    )
    weights = {f: d for f, _, d in cmp.weights}
    # drop favours reconversion; anaemia favours myeloma
    assert weights["chemical_shift"] < 0 < weights["hb_level"]
    rest = query(marrow, {k: v for k, v in CASE.items() if k != "hb"})["diagnosis"]
    expected = 10 * math.log10(
        (post["multiple_myeloma"] / post["red_marrow_reconversion"])
        / (rest["multiple_myeloma"] / rest["red_marrow_reconversion"])
    )
    assert weights["hb_level"] == pytest.approx(expected, abs=1e-9)


def test_what_if(marrow):
    ex = explain(marrow, CASE)
    rows = {(w.finding, w.state): w for w in ex.what_if}
    flipped = rows[("chemical_shift", "retention")]
    expected = query(marrow, {**CASE, "chemical_shift": "retention"}).groups["neoplasm"]
    assert flipped.p == pytest.approx(expected, abs=1e-12)
    # the band (0.40-0.47) with the harm/benefit threshold (0.05) under it
    assert flipped.verdict == (
        "recommended"
        if expected >= 0.47
        else "borderline"
        if expected >= 0.40
        else "consider"
        if expected >= 0.05
        else "not_recommended"
    )
    assert rows[("hb_level", None)].p == pytest.approx(ex.contributions[0].p_without)
    assert len([w for w in ex.what_if if w.finding == "hb_level"]) == 3  # removed + 2 others
    for film in FILM:
        assert len([w for w in ex.what_if if w.finding == film]) == 2  # removed + present
    blasts = rows[("blasts", "present")]
    assert blasts.p == pytest.approx(
        query(marrow, {**READ, "blasts": "present"}).groups["neoplasm"], abs=1e-12
    )


def test_conflict(marrow, tiny):
    # the definition, by hand from queries of single findings
    ex = explain(marrow, CASE)
    ctx = {"setting": "biopsy_referral"}  # the context the measure conditions on
    singles = sum(  # over the findings as read (Hb once, the film as its five findings)
        math.log(query(marrow, {**ctx, k: v}).p_evidence / query(marrow, ctx).p_evidence)
        for k, v in READ.items()
    )
    joint = math.log(query(marrow, {**ctx, **CASE}).p_evidence / query(marrow, ctx).p_evidence)
    assert ex.conflict == pytest.approx(singles - joint, abs=1e-9)
    # consistent myeloma findings fit together; contradictory ones conflict
    fit = explain(marrow, {"m_protein": "present", "smear": "rouleaux", "calcium": "high"})
    assert fit.conflict < 0 and "fit together" in fit.conflict_reading()
    clash = explain(
        marrow,
        {
            "smear": "blasts",
            "hb": 14.5,
            "cytopenia": "absent",
            "chemical_shift": "drop",
            "t1_vs_disc": "hyperintense",
        },
    )
    assert clash.conflict > 0 and "pull in different directions" in clash.conflict_reading()
    assert explain(tiny, {"test": "pos"}).conflict is None


def test_narrative_quotes_the_computed_numbers(marrow):
    ex = explain(marrow, CASE)
    text = ex.narrative()
    assert f"P(neoplasm) = {ex.prior:.2f}" in text
    assert f"P(neoplasm) = {ex.posterior:.2f}" in text
    top = max(ex.contributions, key=lambda c: abs(c.decibans))
    assert f"{top.finding} = {top.state} (LR {top.lr:.2g}, {top.decibans:+.1f} dB" in text
    for state, p in sorted(ex.distribution.items(), key=lambda kv: -kv[1])[:3]:
        assert f"{state} {p:.2f}" in text
    assert f"(conf {ex.conflict:.2f})" in text
    assert f"biopsy {ex.verdict.replace('_', ' ')}" in text
    # every number in the narrative is one of the computed ones
    quoted = set(re.findall(r"-?\d+\.\d+", text))
    computed = {
        f"{x:.2f}" for x in [ex.prior, ex.posterior, ex.conflict, *ex.distribution.values()]
    }
    computed |= {f"{c.decibans:+.1f}".lstrip("+") for c in ex.contributions}
    computed |= {f"{ex.total_decibans:+.1f}".lstrip("+")}
    computed |= {f"{c.lr:.2g}" for c in ex.contributions}
    computed |= set(re.findall(r"-?\d+\.\d+", ex.next_test))
    assert quoted <= computed, quoted - computed


def test_hypotheses(marrow):
    assert resolve_hypothesis(marrow, "benign").members[0] == "red_marrow_reconversion"
    assert resolve_hypothesis(marrow, "chemical_shift=retention").members == ("retention",)
    with pytest.raises(
        UnknownStateError,
        match="--hypothesis 'cancer': not a group or diagnosis state; "
        "valid: neoplasm, benign, multiple_myeloma",
    ):
        resolve_hypothesis(marrow, "cancer")
    with pytest.raises(UnknownStateError, match="--versus 'hb=lt_13': unknown state 'lt_13'"):
        explain(marrow, CASE, hypothesis="neoplasm", versus="hb=lt_13")


def test_views(marrow, tmp_path):
    ex = explain(marrow, CASE, versus="benign")
    d = ex.to_dict()
    assert set(d) >= {
        "hypothesis",
        "prior",
        "posterior",
        "contributions",
        "sequential",
        "conflict",
        "narrative",
    }
    assert d["contributions"][0] == {
        "finding": "hb_level",
        "state": "lt_12",
        "lr": ex.contributions[0].lr,
        "decibans": ex.contributions[0].decibans,
        "p_without": ex.contributions[0].p_without,
    }
    assert {"finding", "state", "decibans", "posterior"} <= set(d["sequential"][0])
    assert str(ex).rstrip().endswith(DISCLAIMER)
    assert list(ex.to_frame().finding) == list(READ)
    page = ex.to_html()
    assert page.startswith("<!doctype html>") and page.count("data:image/png;base64,") == 3
    # self-contained: no link outside the inline images (whose base64 may spell "http")
    body = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]*", "", page.split("<body>")[1])
    assert DISCLAIMER in page and "http" not in body
    assert ex._repr_html_().count("<img") == 2
    for kind in ("waterfall", "differential", "network"):
        ax = ex.plot(kind=kind)
        assert ax.figure is not None
        plt.close(ax.figure)
    with pytest.raises(ValueError, match="unknown plot kind"):
        ex.plot(kind="pie")


def test_sequential_posteriors_match_queries(marrow):
    ex = explain(marrow, CASE)
    entered = {}
    for c in ex.contributions:
        entered[c.finding] = READ[c.finding]
        expected = query(marrow, entered).groups["neoplasm"]
        assert c.p_after == pytest.approx(expected, abs=1e-12)


def test_impossible_case_names_its_evidence(marrow):
    from bayesdx.errors import ImpossibleEvidenceError

    with pytest.raises(ImpossibleEvidenceError, match="probability zero") as info:
        explain(marrow, {"diagnosis": "multiple_myeloma", "disease_class": "benign"})
    assert info.value.evidence["diagnosis"] == "multiple_myeloma"
