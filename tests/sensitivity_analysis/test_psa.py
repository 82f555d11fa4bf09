"""Probabilistic sensitivity analysis: reproducible, and exact draw by draw."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bayesdx import load_network
from bayesdx.errors import BayesdxError
from bayesdx.inference import compile_network, marginals
from bayesdx.model import sample_entry, sample_tables
from bayesdx.sensitivity_analysis import uncertainty

CASE = {"age": 58, "hb": 11.4, "chemical_shift": "drop"}


def test_each_draw_equals_an_ordinary_query(marrow, rng):
    tables = sample_tables(marrow, rng, 5)
    states = {"hb": "lt_12", "chemical_shift": "drop", "setting": "biopsy_referral"}
    engine = compile_network(marrow)
    result = engine.evaluate(engine.encode([states]), ["diagnosis"], cpts=tables)
    post, p_e = result.posteriors["diagnosis"][:, 0, :], result.p_evidence[:, 0]
    for i in range(5):
        one = {v: t[i] for v, t in tables.items()}
        dist, pe = marginals(marrow, states, ["diagnosis"], one)
        assert post[i] == pytest.approx(list(dist["diagnosis"].values()), abs=1e-12)
        assert p_e[i] == pytest.approx(pe, rel=1e-12)


def test_sampled_tables_are_distributions(marrow, rng):
    for v, t in sample_tables(marrow, rng, 50).items():
        np.testing.assert_allclose(t.sum(axis=-1), 1.0, atol=1e-12, err_msg=v)
        assert (t >= 0).all()
        # structural zeros of the network stay zero in every draw
        assert ((marrow.cpts[v] == 0) <= (t == 0)).all(), v


def test_dirichlet_means(rng):
    alpha = np.array([26.5, 34.5])
    draws = sample_entry(alpha, (0.43, 0.57), rng, 20000)
    assert draws.mean(axis=0) == pytest.approx(alpha / alpha.sum(), abs=0.005)


def test_seeded_and_reproducible(marrow):
    a = uncertainty(marrow, CASE, draws=300, seed=7)
    b = uncertainty(marrow, CASE, draws=300, seed=7)
    c = uncertainty(marrow, CASE, draws=300, seed=8)
    np.testing.assert_array_equal(a.samples, b.samples)
    assert not np.array_equal(a.samples, c.samples)


def test_summary(marrow):
    rep = uncertainty(marrow, CASE, draws=3000, seed=3)
    lo, hi = rep.interval
    assert lo < rep.posterior < hi
    assert sum(rep.verdict_shares.values()) == pytest.approx(1.0)
    assert rep.to_dict()["draws"] == 3000 and rep.to_dict()["seed"] == 3
    assert len(rep.to_frame()) == 3000
    ax = rep.plot()
    plt.close(ax.figure)


@pytest.mark.parametrize("draws", [0, -5, 2.5, "100", True])
def test_draws_must_be_a_positive_integer(marrow, draws):
    with pytest.raises(BayesdxError, match="draws must be a positive integer"):
        uncertainty(marrow, CASE, draws=draws)


def test_a_network_without_uncertainty_gets_the_default(tmp_path, capsys):
    from bayesdx.cli import main
    from bayesdx.errors import NoUncertaintyError

    path = tmp_path / "m.bif"
    assert main(["export", "-n", "marrow_signal", "-f", "bif", "-o", str(path)]) == 0
    net = load_network(str(path))
    with pytest.raises(NoUncertaintyError, match="nothing to sample"):
        uncertainty(net, {"setting": "biopsy_referral"}, draws=5, default_ess=None)
    rep = uncertainty(net, {"setting": "biopsy_referral"}, draws=5)
    assert rep.default_entries == rep.entries > 0 and rep.default_ess == 10.0
    capsys.readouterr()
    assert main(["sensitivity", "-n", str(path), "--draws", "5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["psa"]["default_entries"] == doc["psa"]["entries"] and doc["psa_note"] is None
    assert doc["default_uncertainty"]["parameters"] == len(doc["one_way"])
