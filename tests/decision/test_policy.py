"""Threshold policies: verdicts at the edges, margins, and bad inputs."""

from __future__ import annotations

import math

import pytest

from bayesdx.decision import Policy, resolve_policy
from bayesdx.errors import PolicyError


@pytest.mark.parametrize(
    ("p", "verdict", "margin"),
    [
        (0.47, "recommended", 0.0),
        (0.9, "recommended", 0.43),
        (0.4699, "borderline", 0.0001),
        (0.40, "borderline", 0.0),
        (0.43, "borderline", 0.03),
        (0.3999, "not_recommended", 0.0001),
        (0.0, "not_recommended", 0.40),
    ],
)
def test_band(p, verdict, margin):
    band = Policy.band(0.40, 0.47)
    assert band.verdict(p) == verdict
    assert band.margin(p) == pytest.approx(margin, abs=1e-12)


def test_single_threshold_has_no_band():
    t = Policy.threshold(0.3)
    assert (t.low, t.high, t.kind) == (0.3, 0.3, "threshold")
    assert t.verdict(0.3) == "recommended" and t.verdict(0.2999) == "not_recommended"
    assert t.to_dict() == {
        "policy": "threshold",
        "low": 0.3,
        "high": 0.3,
        "inputs": {"threshold": 0.3},
    }


def test_harm_benefit_is_pauker_kassirer():
    hb = Policy.harm_benefit(harm=2, benefit=6)
    assert hb.high == hb.low == pytest.approx(2 / 8)
    assert hb.inputs == {"harm": 2.0, "benefit": 6.0, "threshold": 0.25}
    assert "2 / (2 + 6) = 0.25" in hb.describe()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 0}, "threshold 0 is outside (0, 1)"),
        ({"threshold": 1}, "threshold 1 is outside (0, 1)"),
        ({"threshold": -0.2}, "threshold -0.2 is outside (0, 1)"),
        ({"threshold": "high"}, "threshold 'high' is not a number"),
        ({"threshold": math.nan}, "is not a finite number"),
        ({"harm": 0, "benefit": 1}, "harm 0 must be positive"),
        ({"harm": 1, "benefit": -3}, "benefit -3 must be positive"),
        ({"harm": 1}, "needs both harm and benefit; benefit is missing"),
        ({"benefit": 1}, "needs both harm and benefit; harm is missing"),
        ({"threshold": 0.3, "harm": 1, "benefit": 2}, "either a threshold or harm and benefit"),
    ],
)
def test_bad_inputs(tiny, kwargs, message):
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_policy(tiny.spec.decision, **kwargs)


def test_default_is_the_network_band(marrow):
    policy = resolve_policy(marrow.spec.decision)
    assert (policy.kind, policy.low, policy.high) == ("band", 0.40, 0.47)
    with pytest.raises(PolicyError, match="no decision section"):
        resolve_policy(None)
