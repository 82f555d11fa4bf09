"""The harm/benefit threshold under the band: parsing, the verdict bands, old files unchanged."""

from __future__ import annotations

import itertools

import pytest

from bayesdx import load_network
from bayesdx.decision import Policy, recommend, resolve_policy
from bayesdx.errors import NetworkFileError, PolicyError
from bayesdx.io import load_spec

HARM_BENEFIT = {"threshold": 0.1, "range": [0.05, 0.2], "source": ["expert"], "note": "why"}


def _with_harm_benefit(tiny_doc, **changes):
    tiny_doc["decision"]["harm_benefit"] = {**HARM_BENEFIT, **changes}
    return tiny_doc


def test_parsed(write_doc, tiny_doc):
    d = load_spec(write_doc(_with_harm_benefit(tiny_doc))).decision
    assert d.harm_benefit is not None
    hb = d.harm_benefit
    assert (hb.threshold, hb.range, hb.sources, hb.note) == (0.1, (0.05, 0.2), ("expert",), "why")
    policy = resolve_policy(d)
    assert (policy.kind, policy.floor, policy.low, policy.high) == ("band", 0.1, 0.4, 0.5)
    assert policy.to_dict()["inputs"] == {"low": 0.4, "high": 0.5, "harm_benefit": 0.1}


def test_bundled_network_has_one(marrow):
    hb = marrow.spec.decision.harm_benefit
    assert hb is not None and hb.threshold == 0.05 and hb.range == (0.02, 0.15)
    assert {"bain2003", "bain2005", "pauker1980", "expert"} <= set(hb.sources)
    assert "54,890" in hb.note and "19,259" in hb.note
    assert resolve_policy(marrow.spec.decision).floor == 0.05


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"threshold": 0},
            "field 'decision.harm_benefit.threshold': 0.0 must lie above 0 and below the band's "
            "lower edge 0.4",
        ),
        ({"threshold": 0.4}, "0.4 must lie above 0 and below the band's lower edge 0.4"),
        ({"threshold": 0.45}, "0.45 must lie above 0 and below the band's lower edge 0.4"),
        ({"threshold": 1.5}, "field 'decision.harm_benefit.threshold': 1.5 is outside [0, 1]"),
        ({"threshold": "low"}, "harm_benefit.threshold': expected a probability, got 'low'"),
        (
            {"range": [0.15, 0.3]},
            "field 'decision.harm_benefit.range': [0.15, 0.3] must contain the threshold 0.1 "
            "(0 < low <= threshold <= high < 1)",
        ),
        ({"range": [0.0, 0.3]}, "[0.0, 0.3] must contain the threshold 0.1"),
        (
            {"range": [0.05]},
            "field 'decision.harm_benefit.range': expected [low, high], got [0.05]",
        ),
        ({"range": "wide"}, "field 'decision.harm_benefit.range': expected [low, high]"),
        (
            {"source": ["bain2003"]},
            "field 'decision.harm_benefit.source': unknown source 'bain2003'",
        ),
        ({"note": 3}, "field 'decision.harm_benefit.note': expected text, got 3"),
        (
            {"benefit": 3},
            "field 'decision.harm_benefit.benefit': unknown key; valid keys: threshold",
        ),
    ],
)
def test_bad_harm_benefit(write_doc, tiny_doc, changes, message):
    path = write_doc(_with_harm_benefit(tiny_doc, **changes))
    with pytest.raises(NetworkFileError) as info:
        load_spec(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


@pytest.mark.parametrize("missing", ["threshold", "range", "source"])
def test_required_fields(write_doc, tiny_doc, missing):
    doc = _with_harm_benefit(tiny_doc)
    del doc["decision"]["harm_benefit"][missing]
    path = write_doc(doc)
    with pytest.raises(NetworkFileError) as info:
        load_spec(path)
    assert str(info.value) == (
        f"{path}: field 'decision.harm_benefit.{missing}': missing required field"
    )


def test_not_a_mapping(write_doc, tiny_doc):
    tiny_doc["decision"]["harm_benefit"] = 0.05
    with pytest.raises(NetworkFileError, match="harm_benefit': expected a mapping with threshold"):
        load_spec(write_doc(tiny_doc))


@pytest.mark.parametrize(
    ("p", "verdict", "margin"),
    [
        (0.47, "recommended", 0.0),
        (0.4699, "borderline", 0.0001),
        (0.40, "borderline", 0.0),
        (0.3999, "consider", 0.0001),
        (0.2, "consider", 0.15),
        (0.05, "consider", 0.0),
        (0.0499, "not_recommended", 0.0001),
        (0.0, "not_recommended", 0.05),
    ],
)
def test_verdict_bands(p, verdict, margin):
    policy = Policy.band(0.40, 0.47, floor=0.05)
    assert policy.verdict(p) == verdict
    assert policy.margin(p) == pytest.approx(margin, abs=1e-12)
    assert policy.edges == (0.05, 0.40, 0.47)


@pytest.mark.parametrize("floor", [0.4, 0.5, 0.0, -0.1, 1.2])
def test_floor_must_lie_under_the_band(floor):
    with pytest.raises(PolicyError):
        Policy.band(0.40, 0.47, floor=floor)


def test_user_policies_keep_their_meaning():
    for policy in (Policy.threshold(0.3), Policy.harm_benefit(1, 4)):
        assert policy.floor is None
        assert {policy.verdict(p / 100) for p in range(101)} == {"recommended", "not_recommended"}
    assert "consider" not in Policy.band(0.4, 0.47).describe()
    assert (
        "consider from 0.05 (harm/benefit threshold)"
        in Policy.band(0.4, 0.47, floor=0.05).describe()
    )


def _all_cases(net):
    names = ["test", "symptom"]
    for values in itertools.product(*[[None, *net.states[v]] for v in names]):
        yield {k: v for k, v in zip(names, values, strict=True) if v is not None}


def test_old_files_without_harm_benefit_keep_their_verdicts(tiny):
    # the first edition's rule, by hand: band verdict, lifted only by a fired rule
    assert tiny.spec.decision.harm_benefit is None
    seen = set()
    for case in _all_cases(tiny):
        rec = recommend(tiny, case, draws=0)
        old = "recommended" if rec.p >= 0.5 else "borderline" if rec.p >= 0.4 else "not_recommended"
        fired = bool(rec.guideline.fired)
        expected = "consider" if fired and old == "not_recommended" else old
        assert rec.verdict == expected, case
        assert rec.policy.floor is None
        seen.add(rec.verdict)
    assert {"recommended", "not_recommended", "consider"} <= seen


def test_consider_between_the_thresholds(write_doc, tiny_doc):
    net = load_network(
        str(write_doc(_with_harm_benefit(tiny_doc, threshold=0.01, range=[0.005, 0.1])))
    )
    # no rule fired: P(d1 | test neg, symptom absent) = 0.026, between 0.01 and 0.4
    rec = recommend(net, {"test": "neg", "symptom": "absent"}, draws=0)
    assert 0.01 <= rec.p < 0.4 and rec.guideline.fired == ()
    assert rec.verdict == "consider" and rec.lifted_by == ()
    assert "between the harm/benefit threshold (0.01) and the yield band (0.40)" in rec.reason
    assert rec.margin == pytest.approx(min(rec.p - 0.01, 0.4 - rec.p))
    net = load_network(
        str(write_doc(_with_harm_benefit(tiny_doc, threshold=0.2, range=[0.1, 0.3])))
    )
    rec = recommend(net, {"test": "neg", "symptom": "absent"}, draws=0)
    assert rec.p < 0.2 and rec.verdict == "not_recommended"
    assert rec.reason.endswith(
        "is below the harm/benefit threshold (0.20) and no guideline red flag fired."
    )
    assert "Safety net: a guideline red flag would lift not recommended to consider" in str(rec)
