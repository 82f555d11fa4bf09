"""Sensitivity and probabilistic sensitivity on networks imported without any uncertainty.

pgmpy's example networks alarm and hepar2 (its bundled BIF files, read by bayesdx.io) carry
no sources or uncertainty: every parameter gets the default Dirichlet(10 p), labelled so.
"""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bayesdx.cli import main
from bayesdx.errors import ArgumentError, NoUncertaintyError
from bayesdx.inference import marginals
from bayesdx.model import (
    DEFAULT_ESS,
    beta_interval,
    default_uncertainty,
    draw_tables,
    network_parameters,
    resolve_hypothesis,
    sample_tables,
    table_with,
)
from bayesdx.sensitivity_analysis import (
    UncertaintyReport,
    sensitivity,
    sensitivity_functions,
    uncertainty,
)

from helpers import ALARM_CASE, HEPAR_CASE


def test_every_free_probability_of_an_imported_table_is_a_parameter(alarm, hepar2):
    for net in (alarm, hepar2):
        params = network_parameters(net)
        # two-state rows: one parameter; more states: one per non-zero state
        expected = 0
        for v in net.variables:
            rows = net.cpts[v].reshape(-1, net.cpts[v].shape[-1])
            expected += sum(1 if len(r) == 2 else int((r > 0).sum()) for r in rows)
        assert len(params) == expected
        assert all(p.assumed and p.source_label == "default" for p in params)
        assert len({p.id for p in params}) == len(params)  # ids are unique


def test_default_range_is_the_dirichlet_marginal(alarm):
    params = network_parameters(alarm)
    rng = np.random.default_rng(5)
    for k in rng.choice(len(params), size=20, replace=False):
        p = params[int(k)]
        a = DEFAULT_ESS * p.value
        lo, hi = beta_interval(a, DEFAULT_ESS - a) if 0 < p.value < 1 else (p.value, p.value)
        assert p.range == pytest.approx((lo, hi), abs=1e-9) or p.value in (0.0, 1.0)
        assert p.range[0] <= p.value <= p.range[1]


def test_a_larger_default_sample_size_narrows_every_range(alarm):
    narrow = {p.id: p.range for p in network_parameters(alarm, default_ess=100)}
    for p in network_parameters(alarm):
        lo, hi = narrow[p.id]
        assert hi - lo <= p.range[1] - p.range[0] + 1e-12


def test_sensitivity_function_is_exact_on_an_imported_table(alarm):
    h = resolve_hypothesis(alarm, "HYPOVOLEMIA=TRUE")
    states = dict(ALARM_CASE)
    params = network_parameters(alarm)
    rng = np.random.default_rng(11)
    chosen = [params[int(k)] for k in rng.choice(len(params), size=8, replace=False)]
    for f in sensitivity_functions(alarm, states, h, chosen):
        for x in (0.05, 0.37, 0.91):
            table = table_with(alarm, f.parameter, x)
            np.testing.assert_allclose(table.sum(-1), 1.0, atol=1e-9)
            dist, _ = marginals(alarm, states, [h.node], {f.parameter.node: table})
            assert f(x) == pytest.approx(dist[h.node]["TRUE"], abs=1e-10)


def test_table_with_changes_one_row_only(hepar2):
    params = network_parameters(hepar2)
    p = next(q for q in params if q.node == "ChHepatitis" and q.given != "prior")
    table = table_with(hepar2, p, 0.5)
    rows_new = table.reshape(-1, table.shape[-1])
    rows_old = hepar2.cpts[p.node].reshape(-1, table.shape[-1])
    changed = np.flatnonzero(np.abs(rows_new - rows_old).max(axis=1) > 0)
    assert changed.tolist() == [p.index]
    assert rows_new[p.index][p.entry.states.index(p.state)] == 0.5


def test_default_draws_have_the_dirichlet_mean_and_variance(alarm):
    n = 4000
    tables = draw_tables(alarm, np.random.default_rng(3), n)
    assert set(tables) == set(alarm.variables)
    for v in ("HYPOVOLEMIA", "LVEDVOLUME", "CVP"):
        t, p = tables[v], alarm.cpts[v]
        assert t.shape == (n, *p.shape)
        np.testing.assert_allclose(t.sum(-1), 1.0, atol=1e-12)
        np.testing.assert_allclose(t.mean(0), p, atol=0.02)
        # Var = p (1 - p) / (ess + 1) for a Dirichlet(ess p) component
        var = p * (1 - p) / (DEFAULT_ESS + 1)
        live = var > 1e-3
        assert np.abs(t.var(0)[live] / var[live] - 1).max() < 0.15


def test_draw_tables_equals_sample_tables_on_a_network_with_uncertainty(marrow):
    a = draw_tables(marrow, np.random.default_rng(9), 6)
    b = sample_tables(marrow, np.random.default_rng(9), 6)
    assert a.keys() == b.keys()
    for v in a:
        np.testing.assert_array_equal(a[v], b[v])


@settings(max_examples=25, deadline=None)
@given(p=st.floats(0.01, 0.99), ess=st.floats(0.5, 1e4))
def test_default_uncertainty_is_centred_on_the_value(p, ess):
    u = default_uncertainty((1 - p, p), ess)
    assert u.assumed and u.alpha.sum() == pytest.approx(ess)
    assert u.alpha[1] / u.alpha.sum() == pytest.approx(p)
    lo, hi = u.interval()
    assert lo <= hi and 0.0 <= lo and hi <= 1.0


@pytest.mark.parametrize("ess", [0, -1, float("nan"), float("inf"), "10", True])
def test_default_ess_must_be_positive(alarm, ess):
    with pytest.raises(ArgumentError, match="default_ess must be a positive number"):
        sensitivity(alarm, ALARM_CASE, draws=0, default_ess=ess)


def test_psa_on_alarm_is_labelled_and_reproducible(alarm):
    a = uncertainty(alarm, ALARM_CASE, hypothesis="HYPOVOLEMIA=TRUE", draws=400, seed=2)
    b = uncertainty(alarm, ALARM_CASE, hypothesis="HYPOVOLEMIA=TRUE", draws=400, seed=2)
    np.testing.assert_array_equal(a.samples, b.samples)
    assert (
        a.entries
        == a.default_entries
        == sum(alarm.cpts[v].size // alarm.cpts[v].shape[-1] for v in alarm.variables)
    )
    lo, hi = a.interval
    assert lo < a.posterior < hi and lo < hi
    assert "Dirichlet(10 x p)" in str(a) and a.to_dict()["default_ess"] == 10.0


def test_without_a_default_there_is_nothing_to_sample(alarm):
    with pytest.raises(NoUncertaintyError, match="nothing to sample"):
        uncertainty(alarm, ALARM_CASE, draws=5, default_ess=None)
    rep = sensitivity(alarm, ALARM_CASE, draws=5, default_ess=None)
    assert rep.psa is None and "nothing to sample" in (rep.psa_note or "")
    assert all(f.parameter.range == (f.value, f.value) for f in rep.one_way)
    assert rep.to_dict()["default_uncertainty"] is None


def test_a_psa_whose_every_draw_is_impossible_reports_it(alarm):
    h = resolve_hypothesis(alarm, "HYPOVOLEMIA=TRUE")
    rep = UncertaintyReport("alarm", h, {}, 0.5, np.full(10, np.nan), seed=0)
    assert np.isnan(rep.mean) and all(np.isnan(rep.interval))
    assert "impossible in every draw" in str(rep)
    assert rep.to_dict()["impossible_draws"] == 10
    plt.close(rep.plot().figure)


@pytest.mark.parametrize(
    ("name", "case"), [("alarm", ALARM_CASE), ("hepar2", HEPAR_CASE)]
)  # fmt: skip
def test_cli_sensitivity_on_a_bif(pgmpy_folder, alarm, hepar2, capsys, name, case):
    path = pgmpy_folder / f"{name}.bif"
    argv = ["sensitivity", "--network", str(path), "--draws", "300", "--json"]
    for k, v in case.items():
        argv += ["-e", f"{k}={v}"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    net = {"alarm": alarm, "hepar2": hepar2}[name]
    assert len(doc["one_way"]) == len(network_parameters(net)) > 100
    assert {f["uncertainty"] for f in doc["one_way"]} == {"default"}
    assert doc["default_uncertainty"]["ess"] == 10.0
    assert doc["default_uncertainty"]["parameters"] == len(doc["one_way"])
    assert doc["psa"]["draws"] == 300 and doc["psa"]["default_entries"] > 0
    assert doc["psa"]["interval"][0] <= doc["psa"]["mean"] <= doc["psa"]["interval"][1]
    # the readable report names the assumption and marks the parameters
    argv.remove("--json")
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Dirichlet(10 x p)" in out and "default" in out.split("parameter", 1)[1]


def test_tornado_marks_default_parameters(alarm):
    rep = sensitivity(alarm, ALARM_CASE, hypothesis="HYPOVOLEMIA=TRUE", draws=0)
    ax = rep.plot(top=6)
    labels = ax.get_legend_handles_labels()[1]
    assert any("default uncertainty (ESS 10)" in lab for lab in labels)
    assert rep.to_frame()["source"].eq("default").all()
    plt.close(ax.figure)


def test_a_parameter_whose_other_value_rules_the_evidence_out():
    """Smoker's prior is 0.5: its second value, 0, makes Smoker=no impossible. The function
    is still exact (P(H, e) and P(e) are 0 there), and only the network's own values may
    refuse the evidence."""
    from bayesdx.errors import ImpossibleEvidenceError
    from bayesdx.io import load_network

    from helpers import DATA

    net = load_network(DATA / "corpus" / "hugin_chest_clinic.net")
    case = {"Smoker": "no", "Bronchitis": "no", "Positive_xray": "yes"}
    h = resolve_hypothesis(net, "Lung_cancer=yes")
    params = network_parameters(net)
    functions = sensitivity_functions(net, case, h, params)
    assert len(functions) == len(params) == 18
    for f in functions:
        for x in (f.parameter.value, 0.25, 0.75):
            tables = {f.parameter.node: table_with(net, f.parameter, x)}
            try:
                got, _ = marginals(net, case, ["Lung_cancer"], cpts=tables)
            except ImpossibleEvidenceError:  # this value rules the case out
                continue
            assert f(x) == pytest.approx(got["Lung_cancer"]["yes"], abs=1e-9)
    with pytest.raises(ImpossibleEvidenceError):
        sensitivity(net, {"Tubercolosis_or_cancer": "no", "Lung_cancer": "yes"})
