"""The uncertainty at the decision: the share of parameter draws giving each verdict."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from bayesdx import load_network
from bayesdx.cli import main
from bayesdx.decision import Policy, recommend, safety_net
from bayesdx.errors import ArgumentError, LimitError
from bayesdx.inference import posteriors
from bayesdx.model import VERDICTS, Network, normalise, sample_tables

CASE = {"hb": 10.9, "chemical_shift": "drop", "smear": "normal"}


def test_shares_by_hand(marrow):
    # the same draws, drawn here: the verdict in each, with the safety net, counted
    rec = recommend(marrow, CASE, draws=300, seed=7)
    states = normalise(marrow, CASE).states
    tables = sample_tables(marrow, np.random.default_rng(7), 300)
    res = posteriors(marrow, [states], ["diagnosis"], tables=tables)
    ps = res.groups["neoplasm"][:, 0]
    verdicts = [safety_net(rec.policy.verdict(float(p)), ("anaemia",)) for p in ps]
    assert rec.uncertainty.share == {v: verdicts.count(v) / 300 for v in VERDICTS}
    assert rec.uncertainty.interval == pytest.approx(tuple(np.quantile(ps, [0.025, 0.975])))
    assert (rec.uncertainty.draws, rec.uncertainty.seed, rec.uncertainty.impossible) == (300, 7, 0)


def test_seeded_and_summing_to_one(marrow):
    a = recommend(marrow, CASE, draws=200, seed=3).uncertainty
    b = recommend(marrow, CASE, draws=200, seed=3).uncertainty
    c = recommend(marrow, CASE, draws=200, seed=4).uncertainty
    assert a.share == b.share and a.share != c.share
    assert list(a.share) == list(VERDICTS)
    assert sum(a.share.values()) == pytest.approx(1.0, abs=1e-12)
    assert a.share["not_recommended"] == 0.0  # a red flag fired: the safety net holds in draws
    assert 0 < a.share["consider"] < 1 and a.share["recommended"] > 0


def test_default_draws_and_the_one_line(marrow):
    rec = recommend(marrow, CASE)
    assert (rec.uncertainty.draws, rec.uncertainty.seed) == (1000, 0)
    lines = [line for line in str(rec).splitlines() if "Uncertainty" in line]
    assert len(lines) == 1
    assert lines[0].startswith("  Uncertainty (1000 parameter draws, seed 0): recommended ")
    assert f"consider {rec.uncertainty.share['consider']:.0%}" in lines[0]
    d = rec.to_dict()["biopsy"]["uncertainty"]
    assert set(d) >= {"draws", "seed", "share"} and d["share"] == rec.uncertainty.share
    json.dumps(d, allow_nan=False)


def test_no_draws(marrow):
    rec = recommend(marrow, CASE, draws=0)
    assert rec.uncertainty is None and rec.to_dict()["biopsy"]["uncertainty"] is None
    assert "Uncertainty" not in str(rec)
    # the rest of the recommendation does not depend on the draws
    full = recommend(marrow, CASE, draws=50)
    assert (rec.verdict, rec.p, rec.reason) == (full.verdict, full.p, full.reason)


def test_user_policy_shares(marrow):
    rec = recommend(marrow, {"hb": 13.0}, policy=Policy.threshold(0.2), draws=200)
    share = rec.uncertainty.share
    assert share["borderline"] == 0.0 and share["consider"] == 0.0  # no band, no red flag
    assert share["recommended"] + share["not_recommended"] == pytest.approx(1.0)


def test_a_network_without_uncertainty_says_so(tmp_path, capsys, marrow):
    path = tmp_path / "m.bif"
    assert main(["export", "-n", "marrow_signal", "-f", "bif", "-o", str(path)]) == 0
    capsys.readouterr()
    bif = load_network(str(path))
    net = Network(
        dataclasses.replace(bif.spec, decision=marrow.spec.decision, groups=marrow.spec.groups)
    )
    rec = recommend(net, {"hb": "lt_12", "setting": "biopsy_referral"})
    assert rec.uncertainty is not None and rec.uncertainty.share is None
    assert "no uncertainty for its numbers" in rec.uncertainty.note
    assert rec.to_dict()["biopsy"]["uncertainty"]["share"] is None
    assert "  Uncertainty: not measured: the network gives no uncertainty" in str(rec)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"draws": -1}, ArgumentError, "draws must be a whole number >= 0, got -1"),
        ({"draws": 2.5}, ArgumentError, "draws must be a whole number >= 0, got 2.5"),
        ({"draws": True}, ArgumentError, "draws must be a whole number >= 0, got True"),
        ({"draws": "100"}, ArgumentError, "draws must be a whole number >= 0, got '100'"),
        ({"seed": -3}, ArgumentError, "seed must be a whole number >= 0, got -3"),
        ({"draws": 10**7}, LimitError, "draws 10,000,000 is over the limit of 1,000,000"),
    ],
)
def test_bad_draws_and_seed(marrow, kwargs, error, message):
    with pytest.raises(error, match=message):
        recommend(marrow, CASE, **kwargs)
