"""Wrong argument types in Python raise a BayesdxError that is also a TypeError."""

from __future__ import annotations

import pandas as pd
import pytest

import bayesdx
from bayesdx.decision import Policy
from bayesdx.errors import ArgumentError, BayesdxError, LimitError, PolicyError
from bayesdx.explanation import explain
from bayesdx.sensitivity_analysis import sensitivity, uncertainty


@pytest.mark.parametrize(
    "call",
    [
        lambda net: bayesdx.recommend(None),
        lambda net: bayesdx.query("marrow_signal"),
        lambda net: explain(None, {}),
        lambda net: sensitivity(None),
        lambda net: uncertainty(None, draws=10),
    ],
)
def test_network_must_be_a_network(marrow, call):
    with pytest.raises(ArgumentError, match="network must be a bayesdx Network") as info:
        call(marrow)
    assert isinstance(info.value, TypeError) and isinstance(info.value, BayesdxError)


@pytest.mark.parametrize("hypothesis", [pd.NA, 3, ["neoplasm"]])
def test_hypothesis_must_be_text(marrow, hypothesis):
    with pytest.raises(ArgumentError, match="hypothesis must be text"):
        explain(marrow, {"hb": 10}, hypothesis=hypothesis)


def test_harm_and_benefit_do_not_overflow():
    assert Policy.harm_benefit(1e308, 1e308).high == 0.5
    assert Policy.harm_benefit(1e-308, 1e-308).high == 0.5
    with pytest.raises(PolicyError, match="outside"):
        Policy.harm_benefit(1e308, 1e-308)
    with pytest.raises(PolicyError, match="not a number"):
        Policy.harm_benefit("1_0", "1")


def test_draws_are_bounded(marrow):
    with pytest.raises(LimitError, match="over the limit of 1,000,000"):
        uncertainty(marrow, draws=10**9)


def test_sensitivity_with_evidence_that_decides_the_hypothesis(marrow):
    rep = sensitivity(marrow, {"diagnosis": "mds"})
    assert rep.posterior == 1.0
    assert all(p.posterior == 1.0 for p in rep.prior_sweep)


@pytest.mark.parametrize(
    ("hypothesis", "versus"), [("mds", "mds"), ("mds", "neoplasm"), (None, "b_all")]
)
def test_versus_must_lie_outside_the_hypothesis(marrow, hypothesis, versus):
    with pytest.raises(ArgumentError, match=f"versus '{versus}' overlaps"):
        explain(marrow, {"hb": 10}, hypothesis=hypothesis, versus=versus)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda net: sensitivity(net, {}, base_rates="x"), "base_rates must be a pair"),
        (lambda net: sensitivity(net, {}, points=0), "points must be a whole number"),
        (lambda net: sensitivity(net, {}, parameters="abc"), "parameters must be a list"),
        (lambda net: bayesdx.normalise(None, {}), "network must be a bayesdx Network"),
        (lambda net: bayesdx.load_network(None), "load_network takes"),
        (lambda net: bayesdx.load_network(5), "load_network takes"),
        (lambda net: bayesdx.query(net, "hb=10"), "case must be a mapping"),
    ],
)
def test_argument_errors(marrow, call, message):
    with pytest.raises(ArgumentError, match=message):
        call(marrow)
