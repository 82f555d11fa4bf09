"""The compiled batch engine: exact against pgmpy, single queries and brute force."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayesdx.inference._compiled as compiled_module
import bayesdx.inference._jtree as jtree_module
from bayesdx._bench import example_network, sample_cases
from bayesdx.errors import (
    ArgumentError,
    UnknownNetworkError,
    UnknownStateError,
    UnknownVariableError,
)
from bayesdx.inference import BatchResult, CompiledNetwork, compile_network, marginals
from bayesdx.io import variable_elimination
from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec

from helpers import brute_force_case, brute_force_joint, random_network

TOL = 1e-9


def _states(net: Network, row: np.ndarray) -> dict[str, str]:
    return {v: net.states[v][int(s)] for v, s in zip(net.variables, row, strict=True) if s >= 0}


def _rebuild(net: Network, tables: dict[str, np.ndarray], name: str = "copy") -> Network:
    nodes = {
        v: NodeSpec(id=v, states=tuple(net.states[v]), parents=tuple(net.parents[v]),
                    cpt=FixedCPT(tables.get(v, net.cpts[v]), tuple(net.parents[v])))
        for v in net.variables
    }  # fmt: skip
    return Network(NetworkSpec(id=name, title=name, description="", nodes=nodes))


def _normalised(net: Network) -> Network:
    """The same network with every table divided by its sums (files round to ~1e-7)."""
    return _rebuild(net, {v: t / t.sum(-1, keepdims=True) for v, t in net.cpts.items()}, net.id)


def _compare_with_pgmpy(net: Network, x: np.ndarray, targets: list[str], **kw) -> None:
    res = compile_network(net).evaluate(x, targets, **kw)
    assert not res.impossible.any()
    for i, row in enumerate(x):
        ev = _states(net, row)
        free = [t for t in targets if t not in ev]
        ref = variable_elimination(net, ev, free)
        for t in targets:
            got = res.posteriors[t][i]
            if t in ev:  # an observed target is certain
                expected = np.eye(len(net.states[t]))[net.states[t].index(ev[t])]
            else:
                expected = np.array([ref[t][s] for s in net.states[t]])
            np.testing.assert_allclose(got, expected, rtol=0, atol=TOL, err_msg=f"{t} case {i}")


# ---------------------------------------------------------------- the bundled network
def test_marrow_equals_pgmpy(marrow, rng):
    x = sample_cases(marrow, 12, rng, hide=0.4, targets=["diagnosis"])
    _compare_with_pgmpy(marrow, x, ["diagnosis", "marrow_process", "age"])


def test_marrow_all_marginals_equal_single_queries(marrow, rng):
    x = sample_cases(marrow, 8, rng, hide=0.5)
    res = compile_network(marrow).evaluate(x, "all")
    assert set(res.posteriors) == set(marrow.variables)
    for i, row in enumerate(x):
        ev = _states(marrow, row)
        ref, p_e = marginals(marrow, ev, list(marrow.variables))
        assert res.p_evidence[i] == pytest.approx(p_e, rel=1e-12)
        for t in marrow.variables:
            expected = [ref[t][s] for s in marrow.states[t]]
            np.testing.assert_allclose(res.posteriors[t][i], expected, rtol=0, atol=1e-12)


def test_groups_and_default_targets(marrow):
    cn = compile_network(marrow)
    x = cn.encode([{"setting": "biopsy_referral"}, {"setting": "incidental"}])
    res = cn.evaluate(x)
    assert list(res.posteriors) == marrow.default_targets
    members = marrow.groups["neoplasm"][1]
    idx = [marrow.states["diagnosis"].index(s) for s in members]
    np.testing.assert_allclose(res.groups["neoplasm"], res.posteriors["diagnosis"][:, idx].sum(1))
    # nothing but the setting: its base rate, P(disease_class = neoplasm | setting)
    base = marrow.cpts["disease_class"][:, marrow.states["disease_class"].index("neoplasm")]
    rows = [marrow.states["setting"].index(s) for s in ("biopsy_referral", "incidental")]
    np.testing.assert_allclose(res.groups["neoplasm"], base[rows], rtol=0, atol=1e-12)
    assert res.groups["neoplasm"][0] == pytest.approx(27 / 102, abs=5e-4)  # the pooled yield
    np.testing.assert_allclose(res.groups["neoplasm"] + res.groups["benign"], 1.0, atol=1e-12)


def test_empty_batch_and_no_evidence(marrow):
    cn = compile_network(marrow)
    empty = cn.evaluate(np.empty((0, len(cn.variables)), dtype=int))
    assert empty.posteriors["diagnosis"].shape == (0, len(marrow.states["diagnosis"])) == (0, 26)
    res = cn.evaluate(np.full(len(cn.variables), -1))  # one case, nothing observed
    assert res.p_evidence.tolist() == [1.0]
    prior, _ = marginals(marrow, {}, ["diagnosis"])
    np.testing.assert_allclose(res.posteriors["diagnosis"][0], list(prior["diagnosis"].values()))


def test_chunks_do_not_change_results(marrow, rng):
    cn = compile_network(marrow)
    x = sample_cases(marrow, 300, rng, hide=0.5, targets=["diagnosis"])
    a = cn.evaluate(x)
    b = cn.evaluate(x, chunk_size=7)
    c = cn.evaluate(x, prune="case")
    np.testing.assert_allclose(a.posteriors["diagnosis"], b.posteriors["diagnosis"], atol=1e-14)
    np.testing.assert_allclose(a.posteriors["diagnosis"], c.posteriors["diagnosis"], atol=1e-14)
    np.testing.assert_allclose(a.p_evidence, c.p_evidence, rtol=1e-12)


# ---------------------------------------------------------------- pgmpy's example networks
EXAMPLES = ["asia", "sachs", "alarm", "child", "insurance", "hepar2", "win95pts", "hailfinder",
            "water", "pathfinder"]  # fmt: skip


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> dict[str, Network]:
    folder = tmp_path_factory.mktemp("pgmpy_examples")
    return {name: example_network(name, folder) for name in EXAMPLES}


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_networks_equal_pgmpy(examples, name):
    net = examples[name]
    rng = np.random.default_rng(len(name))
    x = sample_cases(net, 3, rng, hide=0.6)
    step = max(1, len(net.variables) // 6)
    targets = list(net.variables[::step])
    # as read (tables sum to 1 within ~1e-7): pruned case by case, exactly as pgmpy does
    _compare_with_pgmpy(net, x, targets, prune="case")
    # renormalised tables: the fast block mode is exact too
    _compare_with_pgmpy(_normalised(net), x, targets)


def test_block_mode_is_close_on_files_that_round(examples):
    net = examples["sachs"]  # its tables sum to 1 only to 1e-7
    x = sample_cases(net, 20, np.random.default_rng(3), hide=0.5)
    cn = compile_network(net)
    a = cn.evaluate(x, "all").posteriors
    b = cn.evaluate(x, "all", prune="case").posteriors
    assert max(np.abs(a[t] - b[t]).max() for t in a) < 1e-6


def test_unknown_example_network(tmp_path):
    with pytest.raises(UnknownNetworkError, match=r"unknown network 'nope'.*hepar2"):
        example_network("nope", tmp_path)


# ---------------------------------------------------------------- random networks


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(1, 8),
    max_parents=st.integers(1, 3),
    zero_share=st.sampled_from([0.0, 0.3]),
    n_cases=st.integers(1, 12),
    hide=st.sampled_from([0.2, 0.5, 0.9]),
)
def test_random_networks_equal_brute_force(seed, n, max_parents, zero_share, n_cases, hide):
    net = random_network(seed, n, max_parents, zero_share)
    rng = np.random.default_rng(seed + 1)
    cards = np.array([len(net.states[v]) for v in net.variables])
    x = (rng.random((n_cases, n)) * cards).astype(np.int64)  # any states: some impossible
    x[rng.random(x.shape) < hide] = -1
    joint = brute_force_joint(net)
    for prune in ("block", "case"):
        res = compile_network(net).evaluate(x, "all", prune=prune)
        for i, row in enumerate(x):
            p_e, posts = brute_force_case(joint, row)
            assert bool(res.impossible[i]) == (p_e == 0.0)
            assert res.p_evidence[i] == pytest.approx(p_e, rel=1e-10, abs=1e-300)
            for j, v in enumerate(net.variables):
                got = res.posteriors[v][i]
                assert np.isfinite(got).all()
                np.testing.assert_allclose(got, posts[j], rtol=0, atol=1e-12)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), n=st.integers(2, 7), n_draws=st.integers(1, 4))
def test_parameter_draws_equal_rebuilt_networks(seed, n, n_draws):
    net = random_network(seed, n, 2, 0.0)
    rng = np.random.default_rng(seed)
    chosen = [str(v) for v in rng.choice(net.variables, size=min(2, n), replace=False)]
    cpts = {}
    for v in chosen:
        shape = net.cpts[v].shape
        cpts[v] = rng.dirichlet(np.ones(shape[-1]), size=(n_draws, *shape[:-1]))
    x = sample_cases(net, 5, rng, hide=0.5)
    res = compile_network(net).evaluate(x, "all", cpts=cpts)
    assert res.draws == n_draws
    assert res.p_evidence.shape == (n_draws, 5)
    for d in range(n_draws):
        joint = brute_force_joint(net, {v: cpts[v][d] for v in chosen})
        for i, row in enumerate(x):
            p_e, posts = brute_force_case(joint, row)
            assert res.p_evidence[d, i] == pytest.approx(p_e, rel=1e-10, abs=1e-300)
            for j, v in enumerate(net.variables):
                np.testing.assert_allclose(res.posteriors[v][d, i], posts[j], atol=1e-12)


def test_draws_on_the_marrow_network(marrow):
    cn = compile_network(marrow)
    x = cn.encode([{"hb": "lt_12", "setting": "biopsy_referral"}, {"hb": "ge_12"}])
    table = marrow.cpts["hb"]
    flat = np.full(table.shape, 0.5)
    res = cn.evaluate(x, cpts={"hb": np.stack([table, flat, table])})
    plain = cn.evaluate(x)
    np.testing.assert_allclose(res.posteriors["diagnosis"][0], plain.posteriors["diagnosis"])
    np.testing.assert_allclose(res.posteriors["diagnosis"][2], plain.posteriors["diagnosis"])
    referral = cn.evaluate(cn.encode([{"setting": "biopsy_referral"}])).posteriors["diagnosis"]
    np.testing.assert_allclose(res.posteriors["diagnosis"][1, 0], referral[0], atol=1e-12)
    frame = res.to_frame()
    assert frame.index.names == ["draw", "case"]
    assert len(frame) == 6
    # the same through hb_level, the table hb is read by: flat, an observed hb says nothing
    level = marrow.cpts["hb_level"]
    res = cn.evaluate(x, cpts={"hb_level": np.stack([level, np.full(level.shape, 1 / 3)])})
    np.testing.assert_allclose(res.posteriors["diagnosis"][0], plain.posteriors["diagnosis"])
    np.testing.assert_allclose(res.posteriors["diagnosis"][1, 0], referral[0], atol=1e-12)
    assert np.abs(plain.posteriors["diagnosis"][0] - referral[0]).max() > 1e-3


def test_draws_shape_contract(marrow):
    cn = compile_network(marrow)
    x = cn.encode([{}])
    with pytest.raises(
        ArgumentError, match=r"cpts\['hb'\] must have shape \(3, 2\) or \(n_draws, 3, 2\)"
    ):
        cn.evaluate(x, cpts={"hb": marrow.cpts["hb"][0]})
    good = np.stack([marrow.cpts["hb"]] * 2)
    other = np.stack([marrow.cpts["ldh"]] * 3)
    with pytest.raises(ArgumentError, match=r"cpts\['ldh'\] has 3 draws, cpts\['hb'\] 2"):
        cn.evaluate(x, cpts={"hb": good, "ldh": other})
    with pytest.raises(UnknownVariableError):
        cn.evaluate(x, cpts={"nope": good})


# ---------------------------------------------------------------- zero and tiny P(evidence)
def _impossible_network() -> Network:
    a = FixedCPT(np.array([0.5, 0.5]), ())
    b = FixedCPT(np.array([[1.0, 0.0], [0.2, 0.8]]), ("a",))  # a=s0 forces b=s0
    nodes = {
        "a": NodeSpec(id="a", states=("s0", "s1"), parents=(), cpt=a),
        "b": NodeSpec(id="b", states=("s0", "s1"), parents=("a",), cpt=b),
    }
    return Network(NetworkSpec(id="zero", title="zero", description="", nodes=nodes))


def test_impossible_rows_are_flagged_not_nan():
    net = _impossible_network()
    cn = compile_network(net)
    x = np.array([[0, 1], [1, 1], [-1, 1], [0, -1]])
    res = cn.evaluate(x, "all")
    assert res.impossible.tolist() == [True, False, False, False]
    assert res.p_evidence[0] == 0.0 and np.isneginf(res.log_p_evidence[0])
    assert res.posteriors["a"][0].tolist() == [0.0, 0.0]
    assert np.isfinite(res.posteriors["a"]).all()
    assert res.posteriors["a"][2] == pytest.approx([0.0, 1.0])  # b=s1 rules out a=s0
    assert res.p_evidence[2] == pytest.approx(0.4)


def test_underflowing_evidence_is_not_impossible():
    # 400 findings, each with likelihood ~1e-3: P(evidence) ~ 1e-1200 underflows doubles
    rng = np.random.default_rng(11)
    prior = np.array([0.3, 0.7])
    lik = rng.uniform(1e-4, 1e-2, size=(400, 2))
    nodes = {"d": NodeSpec(id="d", states=("a", "b"), parents=(), cpt=FixedCPT(prior, ()))}
    for i in range(400):
        table = np.stack([1 - lik[i], lik[i]], axis=-1)
        nodes[f"f{i}"] = NodeSpec(id=f"f{i}", states=("s0", "s1"), parents=("d",),
                                  cpt=FixedCPT(table, ("d",)))  # fmt: skip
    net = Network(NetworkSpec(id="deep", title="t", description="", nodes=nodes))
    x = np.ones((2, 401), dtype=np.int64)
    x[:, 0] = -1
    x[1, 1:] = -1  # a second, ordinary case in the same chunk
    res = compile_network(net).evaluate(x, ["d"])
    logp = np.log(prior) + np.log(lik).sum(axis=0)
    expected = np.exp(logp - logp.max()) / np.exp(logp - logp.max()).sum()
    assert not res.impossible.any()
    np.testing.assert_allclose(res.posteriors["d"][0], expected, rtol=1e-10)
    log_pe = logp.max() + np.log(np.exp(logp - logp.max()).sum())
    assert res.log_p_evidence[0] == pytest.approx(log_pe, rel=1e-12)
    assert res.p_evidence[0] == 0.0  # underflows, but log_p_evidence holds it
    np.testing.assert_allclose(res.posteriors["d"][1], prior)


# ---------------------------------------------------------------- inputs and results
def test_bad_inputs(marrow):
    cn = compile_network(marrow)
    n = len(cn.variables)
    with pytest.raises(ValueError, match=rf"shape \(n_cases, {n}\), got \(2, 3\)"):
        cn.evaluate(np.zeros((2, 3), dtype=int))
    with pytest.raises(ValueError, match="integer state indices"):
        cn.evaluate(np.zeros((1, n)))
    x = np.full((1, n), -1)
    x[0, cn.variables.index("hb")] = 2
    with pytest.raises(ValueError, match=r"evidence\[0, \d+\] = 2 is not a state index of hb"):
        cn.evaluate(x)
    with pytest.raises(UnknownVariableError, match="unknown variable 'nope'"):
        cn.evaluate(np.full((1, n), -1), ["nope"])
    with pytest.raises(ValueError, match="prune must be"):
        cn.evaluate(np.full((1, n), -1), prune="fast")
    with pytest.raises(UnknownVariableError):
        cn.encode([{"nope": "x"}])
    with pytest.raises(UnknownStateError, match="unknown state 'high' for variable 'hb'"):
        cn.encode([{"hb": "high"}])


def test_result_object(marrow, rng):
    cn = compile_network(marrow)
    assert isinstance(cn, CompiledNetwork)
    x = sample_cases(marrow, 5, rng, targets=["diagnosis"])
    res = cn.evaluate(x, ["diagnosis", "hb"], progress=(seen := []).append)
    assert isinstance(res, BatchResult)
    assert sum(seen) == 5
    frame = res.to_frame()
    assert "diagnosis=multiple_myeloma" in frame.columns
    assert "group:neoplasm" in frame.columns
    assert {"p_evidence", "impossible"} <= set(frame.columns)
    d = res.to_dict()
    assert set(d) == {"network", "posterior", "groups", "p_evidence", "impossible"}
    assert len(d["posterior"]["hb"]["lt_12"]) == 5
    assert "<table" in res._repr_html_()
    assert "5 cases" in str(res)


def test_plot(marrow, rng):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = compile_network(marrow).evaluate(sample_cases(marrow, 20, rng))
    ax = res.plot()
    assert ax.get_xlabel() == "P(group:neoplasm)"
    plt.close("all")


def test_query_path_imports_neither_pgmpy_nor_pandas():
    code = (
        "import sys, numpy as np, bayesdx\n"
        "from bayesdx.inference._compiled import compile_network\n"
        "cn = compile_network(bayesdx.load_network('marrow_signal'))\n"
        "res = cn.evaluate(cn.encode([{'hb': 'lt_12'}]), 'all')\n"
        "heavy = ('pgmpy', 'pandas', 'scipy', 'matplotlib')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parent)  # fmt: skip
    assert out.stdout.strip() == "[]"


def test_plans_and_tables_are_reused_only_for_their_own_pattern(marrow, rng):
    """A leaf observed as evidence and the same node asked for as a target make different
    tables; one compiled network serving both in turn gives what fresh ones give."""
    x = sample_cases(marrow, 200, rng, hide=0.3, targets=["diagnosis"])
    shared = compile_network(marrow)
    for targets in (["hb", "diagnosis"], ["diagnosis"], "all", ["ldh"], ["diagnosis"]):
        got = shared.evaluate(x, targets)
        fresh = compile_network(marrow).evaluate(x, targets)
        for t in got.posteriors:
            np.testing.assert_allclose(got.posteriors[t], fresh.posteriors[t], atol=1e-14)
        np.testing.assert_allclose(got.log_p_evidence, fresh.log_p_evidence, rtol=1e-12)


def test_plan_cache_is_bounded(marrow, monkeypatch):
    monkeypatch.setattr(compiled_module, "_KERNELS", False)  # the plans
    monkeypatch.setattr(compiled_module, "_MAX_PLANS", 3)
    cn = compile_network(marrow)
    names = [v for v in marrow.variables if v != "diagnosis"][:8]
    for v in names:  # eight patterns, one case each
        cn.evaluate(cn.encode([{v: marrow.states[v][0]}]), ["diagnosis"])
        assert len(cn._plans) <= 3
    assert len(cn._plans) == 3


def test_an_observed_target_and_a_leaf_make_different_tables():
    net = _impossible_network()  # a -> b: b is a leaf unless it is a target
    cn = compile_network(net)
    cn.evaluate(np.array([[-1, 0], [-1, 1]] * 20), ["b"])  # b observed in every case
    res = cn.evaluate(np.array([[-1, 1], [-1, -1]]), ["a"])  # b a leaf, unobserved in one
    fresh = compile_network(net).evaluate(np.array([[-1, 1], [-1, -1]]), ["a"])
    np.testing.assert_allclose(res.posteriors["a"], fresh.posteriors["a"], atol=1e-15)
    np.testing.assert_allclose(res.posteriors["a"][1], [0.5, 0.5])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(2, 8),
    n_cases=st.integers(2, 40),
    hide=st.sampled_from([0.3, 0.6]),
    tiny_tables=st.booleans(),
)
def test_pools_split_to_the_end_and_small_tables_equal_brute_force(
    seed, n, n_cases, hide, tiny_tables
):
    """Every pool split down to single patterns (the costliest path of plan building), and
    lookups too small to bundle or tabulate: still brute force."""
    net = random_network(seed, n, 3, 0.0)
    rng = np.random.default_rng(seed + 2)
    cards = np.array([len(net.states[v]) for v in net.variables])
    x = (rng.random((n_cases, n)) * cards).astype(np.int64)
    x[rng.random(x.shape) < hide] = -1
    joint = brute_force_joint(net)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(compiled_module, "_KERNELS", False)  # the plans
        mp.setattr(compiled_module, "_BUILD_FLOPS", 0)
        mp.setattr(compiled_module, "_BUILD_FLOPS_PER_VARIABLE", 0)
        if tiny_tables:
            mp.setattr(jtree_module, "BUNDLE_ROWS", 2)
            mp.setattr(jtree_module, "TAB_ROWS", 2)
        cn = compile_network(net)
        status_of, ran = {}, []
        plan, run_chunk = cn._plan, cn._run_chunk

        def spy_plan(status, *args):
            got = plan(status, *args)
            status_of[id(got)] = status
            return got

        def spy_run(got, *args):
            ran.append(status_of[id(got)])
            return run_chunk(got, *args)

        mp.setattr(cn, "_plan", spy_plan)
        mp.setattr(cn, "_run_chunk", spy_run)
        res = cn.evaluate(x, "all", chunk_size=3)
    assert ran and all(compiled_module.MIXED not in status for status in ran)  # split to the end
    for i, row in enumerate(x):
        p_e, posts = brute_force_case(joint, row)
        assert res.p_evidence[i] == pytest.approx(p_e, rel=1e-10, abs=1e-300)
        for j, v in enumerate(net.variables):
            np.testing.assert_allclose(res.posteriors[v][i], posts[j], rtol=0, atol=1e-12)


# ---------------------------------------------------------------- elimination heuristics
def test_best_heuristic_is_the_cheapest_order_of_the_moral_graph(examples):
    for name in ("water", "hailfinder", "pathfinder"):
        net = examples[name]
        cards = {v: len(net.states[v]) for v in net.variables}
        adj: dict[str, set[str]] = {v: set() for v in net.variables}
        for v in net.variables:
            scope = (*net.parents[v], v)
            for a in scope:
                adj[a].update(u for u in scope if u != a)
        costs = {}
        for h in jtree_module.HEURISTICS:
            order = jtree_module._min_fill(adj, cards, set(), h)
            assert sorted(order) == sorted(net.variables)  # every variable once
            costs[h] = jtree_module._order_cost(order, adj, cards)
        best = jtree_module.best_heuristic(net.variables, net.parents, cards)
        assert costs[best] == min(costs.values())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), n=st.integers(2, 8), hide=st.sampled_from([0.3, 0.7]))
def test_every_heuristic_gives_the_same_posteriors(seed, n, hide):
    net = random_network(seed, n, 3, 0.3)
    rng = np.random.default_rng(seed + 3)
    cards = np.array([len(net.states[v]) for v in net.variables])
    x = (rng.random((10, n)) * cards).astype(np.int64)
    x[rng.random(x.shape) < hide] = -1
    joint = brute_force_joint(net)
    for h in jtree_module.HEURISTICS:
        cn = compile_network(net)
        cn._heuristic = h
        res = cn.evaluate(x, "all")
        for i, row in enumerate(x):
            p_e, posts = brute_force_case(joint, row)
            assert res.p_evidence[i] == pytest.approx(p_e, rel=1e-10, abs=1e-300)
            for j, v in enumerate(net.variables):
                np.testing.assert_allclose(res.posteriors[v][i], posts[j], rtol=0, atol=1e-12)


# ---------------------------------------------------------------- one tree for every pattern
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(1, 8),
    max_parents=st.integers(1, 3),
    zero_share=st.sampled_from([0.0, 0.3]),
    n_cases=st.integers(1, 30),
    hide=st.sampled_from([0.2, 0.5, 0.9]),
    chunk=st.sampled_from([None, 1, 4]),
    blas=st.booleans(),
)
def test_clique_tree_equals_brute_force(
    seed, n, max_parents, zero_share, n_cases, hide, chunk, blas
):
    """The one-tree path (used where a network has a large clique), forced on small random
    networks: every marginal, one target and P(evidence) equal brute force, impossible
    cases are flagged, and chunks change nothing (products through BLAS or not)."""
    net = random_network(seed, n, max_parents, zero_share)
    rng = np.random.default_rng(seed + 4)
    cards = np.array([len(net.states[v]) for v in net.variables])
    x = (rng.random((n_cases, n)) * cards).astype(np.int64)  # any states: some impossible
    x[rng.random(x.shape) < hide] = -1
    joint = brute_force_joint(net)
    target = net.variables[int(rng.integers(n))]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(compiled_module, "_TREE_LARGEST", 0)
        mp.setattr(compiled_module, "_TREE_MEAN", 0)
        mp.setattr(jtree_module, "BLAS_FLOATS", 0 if blas else 1 << 62)
        cn = compile_network(net)
        every = cn.evaluate(x, "all", chunk_size=chunk)
        one = cn.evaluate(x, [target], chunk_size=chunk)
        assert cn._clique_tree() is not None
    for i, row in enumerate(x):
        p_e, posts = brute_force_case(joint, row)
        for res in (every, one):
            assert bool(res.impossible[i]) == (p_e == 0.0)
            assert res.p_evidence[i] == pytest.approx(p_e, rel=1e-10, abs=1e-300)
        for j, v in enumerate(net.variables):
            np.testing.assert_allclose(every.posteriors[v][i], posts[j], rtol=0, atol=1e-12)
        j = net.variables.index(target)
        np.testing.assert_allclose(one.posteriors[target][i], posts[j], rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", ["water", "hailfinder"])
def test_clique_tree_equals_pgmpy_on_example_networks(examples, name, monkeypatch):
    net = _normalised(examples[name])
    x = sample_cases(net, 4, np.random.default_rng(5), hide=0.5)
    targets = list(net.variables[:: max(1, len(net.variables) // 5)])
    monkeypatch.setattr(compiled_module, "_TREE_LARGEST", 0)
    monkeypatch.setattr(compiled_module, "_TREE_MEAN", 0)
    _compare_with_pgmpy(net, x, targets)
    _compare_with_pgmpy(net, x, targets[:1])


def test_clique_tree_is_used_only_where_a_clique_is_large(examples, marrow):
    assert compile_network(examples["water"])._clique_tree() is not None  # 1.8M floats
    assert compile_network(marrow)._clique_tree() is None


def test_clique_tree_keeps_tiny_probabilities(monkeypatch):
    """A long chain of unlikely observations: P(evidence) far below 1e-300 is kept in log
    space (messages are rescaled), and the case is not impossible."""
    n = 400
    nodes = {"v0": NodeSpec(id="v0", states=("a", "b"), parents=(),
                            cpt=FixedCPT(np.array([0.5, 0.5]), ()))}  # fmt: skip
    for i in range(1, n):
        nodes[f"v{i}"] = NodeSpec(
            id=f"v{i}", states=("a", "b"), parents=(f"v{i - 1}",),
            cpt=FixedCPT(np.array([[0.99, 0.01], [0.01, 0.99]]), (f"v{i - 1}",)),
        )  # fmt: skip
    net = Network(NetworkSpec(id="chain", title="chain", description="", nodes=nodes))
    x = np.full((2, n), -1)
    x[:, 1::2] = np.arange(n // 2) % 2  # alternating states: each step about 0.01
    x[1, 1::4] = -1
    monkeypatch.setattr(compiled_module, "_TREE_LARGEST", 0)
    monkeypatch.setattr(compiled_module, "_TREE_MEAN", 0)
    res = compile_network(net).evaluate(x, ["v0", "v2"])
    assert not res.impossible.any()
    assert res.log_p_evidence[0] < -700 and np.isfinite(res.log_p_evidence).all()
    ref = compile_network(net)
    monkeypatch.setattr(compiled_module, "_TREE_LARGEST", 1 << 62)
    expected = ref.evaluate(x, ["v0", "v2"])
    np.testing.assert_allclose(res.log_p_evidence, expected.log_p_evidence, rtol=1e-12)
    for t in ("v0", "v2"):
        np.testing.assert_allclose(res.posteriors[t], expected.posteriors[t], atol=1e-12)


@pytest.mark.parametrize("name", ["water", "hailfinder", "win95pts"])
def test_clique_tree_is_a_junction_tree_of_maximal_cliques(examples, name):
    net = examples[name]
    cards = {v: len(net.states[v]) for v in net.variables}
    tree = jtree_module.CliqueTree(net.variables, net.parents, cards, net.cpts)
    sets = [set(c) for c in tree.cliques]
    assert not any(a is not b and a <= b for a in sets for b in sets)  # maximal
    edges = sum(len(nb) for nb in tree.nbrs) // 2
    assert edges == len(sets) - 1  # one tree (these networks are connected)
    for v in net.variables:  # running intersection: the cliques holding v are connected
        holding = {c for c, s in enumerate(sets) if v in s}
        start = next(iter(holding))
        seen, stack = {start}, [start]
        while stack:
            for d in tree.nbrs[stack.pop()]:
                if d in holding and d not in seen:
                    seen.add(d)
                    stack.append(d)
        assert seen == holding
    for c, homed in enumerate(tree.home):  # each table lies in its clique
        for v in homed:
            assert {*net.parents[v], v} <= sets[c]
    assert sorted(v for homed in tree.home for v in homed) == sorted(net.variables)
