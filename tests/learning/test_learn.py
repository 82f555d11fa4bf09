"""Learning from local data: conjugate updates (against pgmpy), EM (exact counts, monotone,
convergence to the truth), the prior from the literature, the written network, the CLI."""

from __future__ import annotations

import itertools
import json
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayesdx
from bayesdx.cli import main
from bayesdx.errors import (
    ArgumentError,
    CaseFileError,
    NoUncertaintyError,
    RowError,
    UnknownVariableError,
)
from bayesdx.learning import (
    Rows,
    cohort_hash,
    encode,
    expected_counts,
    learn,
    learned_from,
    network_prior,
    run_em,
)
from bayesdx.model import sample_tables
from bayesdx.validation import simulate

from helpers import TINY


def _codes(net, frame):
    """Evidence rows of a frame of states ("" or NaN unobserved)."""
    x = np.full((len(frame), len(net.variables)), -1, dtype=np.int64)
    for j, v in enumerate(net.variables):
        if v in frame:
            for i, s in enumerate(frame[v].tolist()):
                if isinstance(s, str) and s:
                    x[i, j] = net.states[v].index(s)
    return x


def _table_error(net, learned, truth):
    return max(float(np.max(np.abs(learned.cpts[v] - truth[v]))) for v in truth)


# ---------------------------------------------------------------- the prior
def test_prior_means_are_the_network_and_the_weight_multiplies(tiny, marrow):
    for net in (tiny, marrow):
        prior = network_prior(net)
        for v, p in prior.items():
            mean = p.alpha / p.alpha.sum(axis=-1, keepdims=True)
            np.testing.assert_allclose(mean, net.cpts[v], atol=1e-12, err_msg=v)
        heavy = network_prior(net, 2.5)
        for v in prior:
            np.testing.assert_allclose(heavy[v].alpha, 2.5 * prior[v].alpha, rtol=1e-15)
    # deterministic definitions have no prior (not learned)
    assert "hb" not in network_prior(marrow) and "hb_level" in network_prior(marrow)


def test_table_rows_keep_their_dirichlet(tiny):
    # test | disease=d1: counts [90, 100] -> concentration 101 (Beta(90.5, 10.5)), centred on
    # the written p = 0.9; state order (neg, pos)
    a = network_prior(tiny)["test"].alpha
    np.testing.assert_allclose(a[0], [10.1, 90.9])


def test_noisy_prior_matches_the_moments_of_the_product(tiny, rng):
    # symptom is noisy-OR: P(absent | combo) = product of independent Betas of the entries
    prior = network_prior(tiny)["symptom"]
    spec = tiny.spec.nodes["symptom"]
    entries = list(spec.cpt.entries())
    for combo, col in prior.columns.items():
        draws = np.prod(
            [rng.dirichlet(entries[i].uncertainty.alpha, 200_000)[:, 0] for i in col.entries],
            axis=0,
        )
        a = prior.alpha[combo]
        mean, kappa = a[0] / a.sum(), a.sum()
        assert mean == pytest.approx(float(tiny.cpts["symptom"][combo][0]), abs=1e-12)
        # the moment-matched Beta's variance is the product's variance (Monte Carlo, 2e5)
        assert mean * (1 - mean) / (kappa + 1) == pytest.approx(draws.var(), rel=0.03)
    # a combination where only the leak acts has exactly the leak's Dirichlet
    leak = entries[0].uncertainty.alpha
    assert prior.alpha[(1, 0)].sum() == pytest.approx(leak.sum())


def test_bad_prior_weight(tiny):
    for w in (0, -1, float("nan"), float("inf"), True, "1"):
        with pytest.raises(ArgumentError, match="prior_weight must be a positive number"):
            network_prior(tiny, w)


# ---------------------------------------------------------------- complete data: conjugate
def _pgmpy_tables(net, frame, prior):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgmpy.estimators import BayesianEstimator

        model = bayesdx.io.to_pgmpy(net)
        names = {v: list(net.states[v]) for v in net.variables}
        est = BayesianEstimator(model, frame, state_names=names)
        out = {}
        for v, p in prior.items():
            card = len(net.states[v])
            ours = list(net.parents[v])
            theirs = sorted(model.get_parents(v))  # the order pgmpy estimates in
            axes = [ours.index(q) for q in theirs] + [len(ours)]
            # pgmpy: (card, parent combinations), parents in its order, the first slowest
            pseudo = np.transpose(p.alpha, axes).reshape(-1, card).T
            cpd = est.estimate_cpd(v, prior_type="dirichlet", pseudo_counts=pseudo)
            assert list(cpd.variables[1:]) == theirs
            values = cpd.get_values().T.reshape([len(net.states[q]) for q in theirs] + [card])
            out[v] = np.transpose(values, np.argsort(axes))
    return out


@pytest.mark.parametrize("weight", [1.0, 0.3, 4.0])
def test_complete_data_equals_pgmpy_bayesian_estimator(tiny, weight):
    truth = {k: t[0] for k, t in sample_tables(tiny, np.random.default_rng(5), 1).items()}
    frame = simulate(tiny, 400, np.random.default_rng(6), tables=truth, context={})
    res = learn(tiny, frame, prior_weight=weight)
    assert res.trace.complete and res.trace.iterations == 1
    theirs = _pgmpy_tables(tiny, frame, network_prior(tiny, weight))
    for v, table in theirs.items():
        np.testing.assert_allclose(res.network.cpts[v], table, rtol=0, atol=1e-12, err_msg=v)


def test_complete_data_on_the_marrow_network_equals_pgmpy(marrow):
    # every variable of the bundled network observed: 37 tables, rows shared by many states
    frame = simulate(marrow, 300, np.random.default_rng(7), context={})
    res = learn(marrow, frame)
    assert res.trace.complete
    prior = network_prior(marrow)
    theirs = _pgmpy_tables(marrow, frame, prior)
    for v, table in theirs.items():
        np.testing.assert_allclose(res.network.cpts[v], table, rtol=0, atol=1e-12, err_msg=v)
    # the definitions are not learned
    np.testing.assert_array_equal(res.network.cpts["hb"], marrow.cpts["hb"])


# ---------------------------------------------------------------- expected counts are exact
def _brute_counts(net, x, node, tables):
    """P(node, parents | row) summed over rows, by enumerating the joint."""
    variables = list(net.variables)
    cards = [len(net.states[v]) for v in variables]
    joint = np.ones(cards)
    for j, v in enumerate(variables):
        axes = [variables.index(p) for p in net.parents[v]] + [j]
        t = tables.get(v, net.cpts[v])
        shape = [1] * len(variables)
        for a, k in zip(axes, t.shape, strict=True):
            shape[a] = k
        order = np.argsort(axes)
        joint = joint * np.transpose(t, order).reshape(shape)
    counts = np.zeros(net.cpts[node].shape)
    fam = [variables.index(p) for p in net.parents[node]] + [variables.index(node)]
    total_ll = 0.0
    for row in x:
        index = tuple(slice(None) if s < 0 else int(s) for s in row)
        mask = np.zeros(cards)
        mask[index] = 1.0
        post = joint * mask
        pe = post.sum()
        total_ll += np.log(pe)
        keep = tuple(i for i in range(len(variables)) if i not in fam)
        marg = post.sum(axis=keep) / pe  # axes in variable order of the family members
        order = np.argsort(np.argsort(fam))
        counts += np.transpose(marg, list(order)) if marg.ndim > 1 else marg
    return counts, total_ll


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), missing=st.floats(0.0, 0.9))
def test_expected_counts_equal_brute_force(tiny, seed, missing):
    rng = np.random.default_rng(seed)
    tables = {k: t[0] for k, t in sample_tables(tiny, rng, 1).items()}
    frame = simulate(tiny, 30, rng, context={})
    x = _codes(tiny, frame)
    x[rng.random(x.shape) < missing] = -1
    nodes = list(network_prior(tiny))
    ours, ll = expected_counts(tiny, Rows(x), nodes, tables)
    for v in nodes:
        theirs, brute_ll = _brute_counts(tiny, x, v, tables)
        np.testing.assert_allclose(ours[v], theirs, rtol=1e-9, atol=1e-9, err_msg=v)
    assert ll == pytest.approx(brute_ll, rel=1e-10)


# ---------------------------------------------------------------- EM
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    missing=st.floats(0.1, 0.8),
    weight=st.sampled_from([0.1, 1.0, 10.0]),
)
def test_em_increases_the_objective_at_every_step(tiny, seed, missing, weight):
    rng = np.random.default_rng(seed)
    truth = {k: t[0] for k, t in sample_tables(tiny, rng, 1).items()}
    frame = simulate(tiny, 60, rng, tables=truth, context={})
    x = _codes(tiny, frame)
    x[rng.random(x.shape) < missing] = -1
    x[rng.random(len(x)) < 0.5, tiny.variables.index("disease")] = -1
    _, _, trace = run_em(tiny, Rows(x, hub="disease"), network_prior(tiny, weight), max_iter=40)
    steps = np.diff(trace.objective)
    assert len(trace.objective) >= 2
    assert (steps >= -1e-9 * np.abs(trace.objective[1:])).all(), steps


def test_em_on_the_marrow_network_with_a_latent_diagnosis(marrow):
    frame = simulate(marrow, 120, np.random.default_rng(3))
    cols = ["hb", "m_protein", "calcium", "cytopenia", "chemical_shift"]
    res = learn(marrow, frame[cols])  # no outcome at all: the diagnosis is latent
    objective = np.asarray(res.trace.objective)
    assert not res.trace.complete and res.trace.converged
    assert (np.diff(objective) >= -1e-9 * np.abs(objective[1:])).all()
    # every patient counted, none dropped: each table's expected counts sum to the cohort,
    # monocytosis too, which no patient gives (counted through the latent diagnosis)
    cohort = encode(marrow, frame[cols].astype(str), "cohort")
    prior = network_prior(marrow)
    rows = Rows(cohort.x, hub="diagnosis", own={"setting": ~cohort.assumed["setting"]})
    _, counts, _ = run_em(marrow, rows, prior, max_iter=3)
    for node in ("monocytosis", "hb_level", "diagnosis", "marrow_process"):
        assert counts[node].sum() == pytest.approx(120, rel=1e-9), node
    assert counts["setting"].sum() == 0  # assumed, never given: not data about the setting


def _truth_and_cohort(net, n, seed):
    rng = np.random.default_rng(seed)
    truth = {k: t[0] for k, t in sample_tables(net, np.random.default_rng(11), 1).items()}
    return truth, simulate(net, n, rng, tables=truth, context={})


def test_estimates_converge_to_the_truth_complete_data(tiny):
    errors = []
    for n in (100, 1_000, 10_000, 100_000):
        truth, frame = _truth_and_cohort(tiny, n, seed=n)
        errors.append(_table_error(tiny, learn(tiny, frame).network, truth))
    assert errors[-1] < 0.01, errors
    assert errors[-1] < errors[1] < errors[0], errors


def test_estimates_converge_to_the_truth_with_missing_data(tiny):
    errors = []
    for n in (200, 2_000, 20_000):
        truth, frame = _truth_and_cohort(tiny, n, seed=n + 1)
        rng = np.random.default_rng(n)
        frame = frame.astype(object)
        frame.loc[rng.random(n) < 0.4, "disease"] = ""  # the outcome unknown in 40%
        frame.loc[rng.random(n) < 0.3, "test"] = ""
        res = learn(tiny, frame)
        assert not res.trace.complete
        errors.append(_table_error(tiny, res.network, truth))
    assert errors[-1] < 0.03, errors
    assert errors[-1] < errors[0], errors


def test_group_outcome_restricts_the_diagnosis(tiny):
    _, frame = _truth_and_cohort(tiny, 3_000, seed=2)
    sick = (frame["disease"] == "d1").astype(int).astype(str)
    res = learn(tiny, frame.drop(columns="disease").assign(sick=sick), outcome="sick")
    # the group is the diagnosis here (d1 alone), so 1/0 says as much as the diagnosis
    full = learn(tiny, frame)
    for v in tiny.variables:
        np.testing.assert_allclose(res.network.cpts[v], full.network.cpts[v], atol=1e-6)


# ---------------------------------------------------------------- the written network
def test_written_network_loads_and_says_where_numbers_came_from(tiny, tmp_path):
    _, frame = _truth_and_cohort(tiny, 50, seed=1)
    data = tmp_path / "cohort.csv"
    frame.to_csv(data, index=False)
    res = learn(tiny, data)
    out = res.write(tmp_path / "local.yaml", inputs=[data])
    net = bayesdx.load_network(out)
    assert net.id == "tiny_local"
    for v in net.variables:
        np.testing.assert_allclose(net.cpts[v], res.network.cpts[v], atol=1e-15)
    record = learned_from(net)
    assert record[0]["sha256"] == cohort_hash(pd.read_csv(data, dtype=str))
    assert record[0]["prior"] == str(TINY.resolve())
    local = net.spec.sources[record[0]["source"]]
    assert "50 patients" in local.citation
    notes = 0
    for v in net.variables:
        for entry in net.spec.nodes[v].cpt.entries():
            if record[0]["source"] in entry.sources:
                assert entry.note.startswith("literature prior plus local data (")
                assert entry.uncertainty.kind == "ess"
                notes += 1
    assert notes >= 5
    # it is a normal network: queries and learning again run on it
    assert bayesdx.query(net, {"test": "pos"}).groups["sick"] > 0
    again = learn(net, data)
    assert learned_from(again.network)[-1]["source"] == "local_data_2"
    assert learned_from(again.network)[0]["prior"] == str(TINY.resolve())


def test_rows_without_data_keep_the_literature(marrow):
    frame = simulate(marrow, 600, np.random.default_rng(4))[["hb", "diagnosis"]]
    frame = frame[frame["diagnosis"] == "multiple_myeloma"].iloc[:5]
    res = learn(marrow, frame, outcome="diagnosis")
    # monocytosis in CMML has no local patient: its row is the literature's, source and all
    entry = next(
        e
        for when, e in res.network.spec.nodes["monocytosis"].cpt.rows
        if "cmml" in when["diagnosis"]
    )
    assert "local_data" not in entry.sources and entry.uncertainty.kind == "counts"
    changed = {c.id for c in res.changes}
    assert "monocytosis[diagnosis=cmml].present" not in changed
    assert res.to_dict()["rows"] == 5


def test_moved_numbers_and_result_views(tiny):
    _, frame = _truth_and_cohort(tiny, 300, seed=9)
    res = learn(tiny, frame)
    moved = [abs(c.moved) for c in res.changes]
    assert moved == sorted(moved, reverse=True)
    top = res.changes[0]
    assert top.posterior_interval[0] <= top.posterior <= top.posterior_interval[1]
    d = res.to_dict()
    assert json.loads(json.dumps(d))["changes"][0]["id"] == top.id
    assert res.to_frame().shape[0] == len(res.changes)
    assert "literature prior" in res.network.spec.nodes["test"].cpt.rows[0][1].note
    assert "<table" in res._repr_html_() and top.id in str(res)
    ax = res.plot()
    assert len(ax.get_yticklabels()) == min(15, len(res.changes))
    plt.close(ax.figure)


# ---------------------------------------------------------------- bad input
def test_bad_cohorts(tiny, marrow, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CaseFileError, match="is empty"):
        learn(tiny, empty)
    header = tmp_path / "header.csv"
    header.write_text("test,disease\n")
    with pytest.raises(CaseFileError, match="has no patients"):
        learn(tiny, header)
    with pytest.raises(UnknownVariableError):
        learn(tiny, pd.DataFrame({"nonsense": ["a"]}))
    with pytest.raises(CaseFileError, match="no outcome column 'dx'"):
        learn(marrow, pd.DataFrame({"hb": ["10"]}), outcome="dx")
    with pytest.raises(RowError, match="line 3, column dx: outcome 'cmml'"):
        learn(marrow, pd.DataFrame({"dx": ["1", "cmml"]}), outcome="dx")
    with pytest.raises(RowError, match="line 2, column dx: outcome 'maybe'"):
        learn(marrow, pd.DataFrame({"dx": ["maybe"]}), outcome="dx")
    bif = tmp_path / "tiny.bif"
    bayesdx.io.write_model(tiny, str(bif), "bif")
    fixed = bayesdx.load_network(bif)
    with pytest.raises(NoUncertaintyError, match="no table with uncertain entries"):
        learn(fixed, pd.DataFrame({"test": ["pos"]}))


# ---------------------------------------------------------------- the command line
def _csv(tmp_path, frame, name="cohort.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_cli_learn(tmp_path, capsys, marrow):
    frame = simulate(marrow, 80, np.random.default_rng(2))
    data = _csv(tmp_path, frame[["hb", "m_protein", "calcium", "diagnosis"]].rename(
        columns={"diagnosis": "biopsy"}))  # fmt: skip
    out = tmp_path / "local.yaml"
    code = main(["learn", "--network", "marrow_signal", "--data", str(data), "--out", str(out),
                 "--outcome", "biopsy", "--prior-weight", "0.5"])  # fmt: skip
    text = capsys.readouterr().out
    assert code == 0, text
    assert "moved" in text and "wrote" in text and str(out) in text
    net = bayesdx.load_network(out)
    assert learned_from(net)[0]["prior"] == "marrow_signal"
    assert "prior weight 0.5" in net.spec.sources["local_data"].notes
    # --json: one object
    out2 = tmp_path / "local2.yaml"
    assert main(["learn", "--data", str(data), "--out", str(out2), "--outcome", "biopsy",
                 "--json"]) == 0  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert doc["rows"] == 80 and doc["out"] == str(out2) and doc["changes"]


def _one_error_line(capsys):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("bayesdx: error:"), err
    return err


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ("", [], "is empty"),
        ("hb,dx\n", [], "has no patients"),
        ("hb,banana\n10,x\n", [], "banana"),
        ("hb,dx\n10,cmml\n", ["--outcome", "nope"], "no outcome column 'nope'"),
        ("hb,dx\nten,cmml\n", ["--outcome", "dx"], "line 2, column hb"),
        ("hb,dx\n10,flu\n", ["--outcome", "dx"], "outcome 'flu'"),
        ("hb,dx\n10,cmml\n", ["--outcome", "dx", "--prior-weight", "0"], "prior weight"),
        ("hb,dx\n10,cmml\n", ["--outcome", "dx", "--prior-weight", "x"], "prior weight"),
    ],
)
def test_cli_learn_bad_input_exit_2(tmp_path, capsys, content, extra, message):
    data = tmp_path / "cohort.csv"
    data.write_text(content)
    out = tmp_path / "local.yaml"
    code = main(["learn", "--data", str(data), "--out", str(out), *extra])
    assert code == 2
    assert message in _one_error_line(capsys)
    assert not out.exists()


def test_cli_learn_never_overwrites_an_input(tmp_path, capsys, tiny_doc, write_doc):
    net = write_doc(tiny_doc)
    data = tmp_path / "cohort.csv"
    data.write_text("test,disease\npos,d1\nneg,d2\n")
    before = (net.read_bytes(), data.read_bytes())
    for out in (data, net):
        assert main(["learn", "--network", str(net), "--data", str(data), "--out", str(out)]) == 2
        _one_error_line(capsys)
    assert (net.read_bytes(), data.read_bytes()) == before
    # an existing output that is no input is replaced whole
    out = tmp_path / "local.yaml"
    out.write_text("old")
    assert main(["learn", "--network", str(net), "--data", str(data), "--out", str(out)]) == 0
    assert bayesdx.load_network(out).id == "tiny_local"


def test_all_combinations_are_covered_once(marrow):
    # the rewritten tables cover every parent combination exactly once (the loader checks)
    frame = simulate(marrow, 60, np.random.default_rng(8))
    res = learn(marrow, frame[["hb", "cytopenia", "ldh", "diagnosis"]], outcome="diagnosis")
    for v in ("cytopenia", "ldh", "hb_level"):
        rows = res.network.spec.nodes[v].cpt.rows
        seen = set()
        for when, _ in rows:
            for combo in itertools.product(*(when[p] for p in marrow.parents[v])):
                assert combo not in seen
                seen.add(combo)
        assert len(seen) == int(np.prod([len(marrow.states[p]) for p in marrow.parents[v]]))
