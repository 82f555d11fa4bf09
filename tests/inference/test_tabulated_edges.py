"""Tabulated kernels at their edges: one-state variables, isolated targets, several targets,
components and bundles at their limits, every evidence layout, and a case's bits in any
batch. Each result is checked against brute force (or the plans) to 1e-10."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayesdx.inference._compiled as compiled_module
import bayesdx.inference._tabulated as tabulated_module
from bayesdx.inference import compile_network, marginals
from bayesdx.inference._graph import group_sums
from bayesdx.inference._tabulated import build_kernel
from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec

from helpers import brute_force_case, brute_force_joint, random_network

TOL = 1e-10


def _network(
    seed: int, n: int, max_parents: int, zero_share: float, cards: tuple[int, ...] = (1, 2, 3, 4)
) -> Network:
    """A random network whose variables may have one state, with a group on every node of
    three states or more (so the kernel's group sums are exercised)."""
    return random_network(seed, n, max_parents, zero_share, cards=cards, groups=True)


def _cards(net: Network) -> dict[str, int]:
    return {v: len(s) for v, s in net.states.items()}


def _check_brute(net: Network, x: np.ndarray, targets: list[str], res) -> None:
    joint = brute_force_joint(net)
    for i, row in enumerate(x):
        p_e, posts = brute_force_case(joint, row)
        assert bool(res.impossible[i]) == (p_e == 0.0), i
        if not row.__ge__(0).any():  # nothing observed: 1 by definition
            assert res.log_p_evidence[i] == 0.0
        assert res.p_evidence[i] == pytest.approx(p_e, rel=TOL, abs=1e-300), i
        for t in targets:
            got = res.posteriors[t][i]
            assert np.isfinite(got).all()
            np.testing.assert_allclose(got, posts[net.variables.index(t)], rtol=0, atol=TOL)
    again = group_sums(net, res.posteriors)  # the kernel's sums: the same arithmetic
    assert set(res.groups) == set(again)
    for g, v in again.items():
        assert np.array_equal(res.groups[g], v), g


def _evidence(rng: np.random.Generator, net: Network, n: int, hide: float) -> np.ndarray:
    cards = np.array([len(net.states[v]) for v in net.variables])
    x = (rng.random((n, len(cards))) * cards).astype(np.int64)
    x[rng.random(x.shape) < hide] = -1
    if n >= 3:
        x[0] = -1  # nothing observed
        x[1] = (rng.random(len(cards)) * cards).astype(np.int64)  # everything observed
    return x


# ---------------------------------------------------------------- random networks
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(1, 8),
    max_parents=st.integers(0, 3),
    zero_share=st.sampled_from([0.0, 0.4]),
    n_targets=st.integers(1, 3),
    component=st.sampled_from([2, 8, 64, 1 << 16]),
    component_vars=st.sampled_from([1, 2, 16]),
    bundle_codes=st.sampled_from([1, 6, 4096]),
    bundle_floats=st.sampled_from([4, 64, 1 << 17]),
    hide=st.sampled_from([0.0, 0.3, 0.7, 1.0]),
    chunk=st.sampled_from([None, 1, 2, 3, 7]),
)
def test_random_networks_with_one_state_variables(
    seed, n, max_parents, zero_share, n_targets, component, component_vars, bundle_codes,
    bundle_floats, hide, chunk,
):  # fmt: skip
    """Kernels with one-state variables, several targets (the joint path), tiny component
    and bundle limits (more variables in the kernel, bundles left apart or merged by
    ``_merge`` into broadcast shapes) and odd chunks, against brute force; and each case's
    bits do not depend on the chunks."""
    net = _network(seed, n, max_parents, zero_share)
    rng = np.random.default_rng(seed + 1)
    targets = [str(t) for t in rng.choice(net.variables, size=min(n_targets, n), replace=False)]
    x = _evidence(rng, net, 12, hide)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tabulated_module, "COMPONENT_FLOATS", component)
        mp.setattr(tabulated_module, "COMPONENT_VARIABLES", component_vars)
        mp.setattr(tabulated_module, "BUNDLE_CODES", bundle_codes)
        mp.setattr(tabulated_module, "BUNDLE_FLOATS", bundle_floats)
        cn = compile_network(net)
        done: list[int] = []
        res = cn.evaluate(x, targets, chunk_size=chunk, progress=done.append)
        whole = cn.evaluate(x, targets)
    assert sum(done) == len(x)
    if chunk is not None:
        assert max(done) <= chunk
    _check_brute(net, x, targets, res)
    if cn._kernels[tuple(targets)] is None:  # the limits left no kernel: the plans, whose
        # "block" pools depend on the chunk (equal to rounding, checked against brute force)
        return
    for t in targets:
        assert np.array_equal(res.posteriors[t], whole.posteriors[t])
    assert np.array_equal(res.log_p_evidence, whole.log_p_evidence)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), n_targets=st.integers(1, 3))
def test_a_case_gets_the_same_bits_alone_and_in_any_order(seed, n_targets):
    """Several targets (marginals summed from the joint, not eliminated) and one: a case's
    numbers are those it gets alone, in reverse order, and on another compiled network."""
    net = _network(seed, 9, 3, 0.2, cards=(2, 3))
    rng = np.random.default_rng(seed)
    targets = [str(t) for t in rng.choice(net.variables, size=n_targets, replace=False)]
    x = _evidence(rng, net, 40, 0.6)
    cn = compile_network(net)
    whole = cn.evaluate(x, targets)
    if cn._kernels[tuple(targets)] is None:
        return
    back = compile_network(net).evaluate(x[::-1], targets)
    for i in range(0, 40, 7):
        alone = cn.evaluate(x[i], targets)
        assert alone.log_p_evidence[0] == whole.log_p_evidence[i]
        for t in targets:
            assert np.array_equal(alone.posteriors[t][0], whole.posteriors[t][i])
    for t in targets:
        assert np.array_equal(back.posteriors[t][::-1], whole.posteriors[t])
    assert np.array_equal(back.log_p_evidence[::-1], whole.log_p_evidence)


# ---------------------------------------------------------------- evidence layouts
def test_evidence_of_any_integer_type_and_layout_gives_the_same_bits():
    net = _network(4, 8, 2, 0.0, cards=(2, 3))
    rng = np.random.default_rng(4)
    x = _evidence(rng, net, 30, 0.5)
    cn = compile_network(net)
    ref = cn.evaluate(x, ["v5"])
    assert cn._kernels[("v5",)] is not None
    seen = np.where(x < 0, 0, x)  # every variable observed: unsigned types too
    ref_seen = cn.evaluate(seen, ["v5"])
    layouts = [
        (x.astype(np.int8), ref), (x.astype(np.int32), ref), (np.asfortranarray(x), ref),
        (np.ascontiguousarray(x.T).T, ref), (seen.astype(np.uint8), ref_seen),
        (seen.astype(np.uint64), ref_seen),
    ]  # fmt: skip
    for ev, expected in layouts:
        got = cn.evaluate(ev, ["v5"])
        assert np.array_equal(got.posteriors["v5"], expected.posteriors["v5"])
        assert np.array_equal(got.log_p_evidence, expected.log_p_evidence)
    wide = np.repeat(x, 2, axis=1)[::2, ::2]  # strided rows and columns
    got = cn.evaluate(wide, ["v5"])
    assert np.array_equal(got.posteriors["v5"], ref.posteriors["v5"][::2])
    one = cn.evaluate(x[3], ["v5"])  # one case as a vector
    assert one.posteriors["v5"].shape == (1, 3) or one.posteriors["v5"].shape[0] == 1
    assert np.array_equal(one.posteriors["v5"][0], ref.posteriors["v5"][3])
    none = cn.evaluate(x[:0], ["v5"])
    assert none.posteriors["v5"].shape == (0, len(net.states["v5"]))
    assert none.p_evidence.shape == (0,) and none.impossible.shape == (0,)


def test_progress_counts_every_case_once_whatever_the_chunks():
    net = _network(5, 8, 2, 0.0, cards=(2, 3))
    x = _evidence(np.random.default_rng(5), net, 101, 0.5)
    cn = compile_network(net)
    ref = cn.evaluate(x, ["v7", "v2"])
    assert cn._kernels[("v7", "v2")] is not None
    for chunk in (1, 2, 13, 100, 101, 5000):
        done: list[int] = []
        res = cn.evaluate(x, ["v7", "v2"], chunk_size=chunk, progress=done.append)
        assert sum(done) == 101 and max(done) <= chunk
        for t in ("v7", "v2"):
            assert np.array_equal(res.posteriors[t], ref.posteriors[t])


# ---------------------------------------------------------------- special shapes
def _spec(nodes: dict[str, tuple[tuple[str, ...], tuple[str, ...], np.ndarray]]) -> Network:
    specs = {
        v: NodeSpec(id=v, states=s, parents=p, cpt=FixedCPT(np.asarray(t, float), p))
        for v, (s, p, t) in nodes.items()
    }
    return Network(NetworkSpec(id="edges", title="t", description="", nodes=specs))


def test_an_isolated_target_and_a_childless_root():
    """An isolated target (no table touches it but its own) and a root with no children:
    every component sends a constant message, and the posterior is the prior or certain."""
    ab = ("a", "b")
    net = _spec({
        "iso": (("x", "y", "z"), (), [0.2, 0.5, 0.3]),
        "r": (ab, (), [0.4, 0.6]),
        "c": (ab, ("r",), [[0.9, 0.1], [0.0, 1.0]]),
        "lone": (ab, (), [0.7, 0.3]),
    })  # fmt: skip
    x = np.array([[-1, 1, 0, -1], [-1, -1, -1, -1], [2, 0, 1, 0], [-1, 1, 0, 1], [0, 1, 0, 1]])
    for targets in (["iso"], ["lone"], ["iso", "lone"], ["iso", "r", "lone"]):
        cn = compile_network(net)
        res = cn.evaluate(x, targets)
        assert cn._kernels[tuple(targets)] is not None
        _check_brute(net, x, targets, res)
    assert res.impossible.tolist() == [True, False, False, True, True]


def test_a_target_observed_in_every_case_and_in_none():
    net = _network(11, 7, 2, 0.3, cards=(2, 3))
    rng = np.random.default_rng(11)
    x = _evidence(rng, net, 20, 0.5)
    for col in (0, 6):
        for fill in ("all", "none"):
            y = x.copy()
            y[:, col] = rng.integers(0, len(net.states[f"v{col}"]), 20) if fill == "all" else -1
            cn = compile_network(net)
            res = cn.evaluate(y, [f"v{col}", "v3"])
            assert cn._kernels[(f"v{col}", "v3")] is not None
            _check_brute(net, y, [f"v{col}", "v3"], res)


def test_a_variable_of_more_than_32767_states_takes_the_int64_path():
    """Evidence narrows to int16 only while every card allows: here a 40000-state variable
    (its own component, 40001 codes) is observed at its last states."""
    big = 40000
    rng = np.random.default_rng(3)
    prior = rng.dirichlet(np.ones(big))
    net = _spec({
        "t": (("a", "b"), (), [0.25, 0.75]),
        "big": (tuple(f"s{i}" for i in range(big)), (), prior),
        "f": (("n", "y"), ("t",), [[0.8, 0.2], [0.3, 0.7]]),
    })  # fmt: skip
    x = np.array([[-1, big - 1, 1], [-1, 32767, -1], [0, 40000 - 2, 0], [-1, -1, -1]])
    cn = compile_network(net)
    tracemalloc.start()
    try:  # the component's table holds 40001 codes: no card x card indicator (12 GB)
        res = cn.evaluate(x, ["t"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50e6
    assert cn._kernels[("t",)] is not None
    pe = [prior[big - 1] * (0.25 * 0.2 + 0.75 * 0.7), prior[32767], prior[big - 2] * 0.25 * 0.8, 1]
    np.testing.assert_allclose(res.p_evidence, pe, rtol=TOL)
    np.testing.assert_allclose(res.posteriors["t"][0], [0.05 / 0.575, 0.525 / 0.575], atol=TOL)
    np.testing.assert_allclose(res.posteriors["t"][1], [0.25, 0.75], atol=TOL)
    np.testing.assert_allclose(res.posteriors["t"][2], [1.0, 0.0], atol=0)


def test_a_long_chain_of_one_state_variables_runs():
    """One-state variables cost the kernel no states, so the search may put dozens of them
    in it: grouping cases by the kernel variables they observe (``2 ** len(kernel)`` keys)
    must not allocate per key, and the joint must stay within numpy's 64 dimensions."""
    length = 150
    nodes = {"t": (("a", "b"), (), [0.3, 0.7])}
    prev = "t"
    for i in range(length):
        nodes[f"c{i}"] = (("s",), (prev,), np.ones((2 if prev == "t" else 1, 1)))
        prev = f"c{i}"
    nodes["f"] = (("n", "y"), (prev,), [[0.4, 0.6]])
    net = _spec(nodes)
    rng = np.random.default_rng(8)
    x = np.where(rng.random((30, length + 2)) < 0.5, 0, -1)
    x[:, 0] = -1
    x[:, -1] = rng.integers(-1, 2, 30)
    cn = compile_network(net)
    res = cn.evaluate(x, ["t"])
    kernel = cn._kernels[("t",)]
    assert kernel is None or len(kernel.variables) <= tabulated_module.KERNEL_VARIABLES
    np.testing.assert_allclose(res.posteriors["t"], np.tile([0.3, 0.7], (30, 1)), atol=TOL)
    expected = np.where(x[:, -1] < 0, 1.0, np.where(x[:, -1] == 0, 0.4, 0.6))
    np.testing.assert_allclose(res.p_evidence, expected, rtol=TOL)


def _deep(rng: np.random.Generator) -> Network:
    """d -> m with structural zeros, and 30 findings of m of about 1e-40 each."""
    nodes = {"d": (("a", "b", "c"), (), [0.5, 0.3, 0.2]),
             "m": (("x", "y"), ("d",), [[1.0, 0.0], [0.4, 0.6], [0.0, 1.0]])}  # fmt: skip
    for i in range(30):
        lik = rng.uniform(1e-41, 1e-39, size=2)
        nodes[f"f{i}"] = (("n", "y"), ("m",), np.stack([1 - lik, lik], axis=-1))
    return _spec(nodes)


def test_kernel_and_plans_agree_on_zeros_mixed_with_underflow(monkeypatch):
    """Findings of about 1e-40 each (P(evidence) far below 1e-308) next to structural zeros:
    impossible cases stay impossible, tiny ones are recomputed in logs and equal the plans'."""
    rng = np.random.default_rng(21)
    net = _deep(rng)
    x = np.ones((6, 32), dtype=np.int64)
    x[:, :2] = -1
    x[1, 1] = 0  # m = x: d = c impossible, the rest tiny
    x[2, 0], x[2, 1] = 0, 1  # d = a, m = y: impossible
    x[3, 2:] = -1  # nothing observed
    x[4, 0], x[4, 2:] = 2, 0  # ordinary
    x[5, 1], x[5, 0] = 1, 2
    cn = compile_network(net)
    got = cn.evaluate(x, ["d", "m"])
    assert cn._kernels[("d", "m")] is not None
    monkeypatch.setattr(compiled_module, "_KERNELS", False)
    plans = compile_network(net).evaluate(x, ["d", "m"])
    assert got.impossible.tolist() == plans.impossible.tolist() == [0, 0, 1, 0, 0, 0]
    np.testing.assert_allclose(got.log_p_evidence, plans.log_p_evidence, rtol=1e-12)
    for t in ("d", "m"):
        np.testing.assert_allclose(got.posteriors[t], plans.posteriors[t], rtol=0, atol=TOL)
    lik = np.array([net.cpts[f"f{i}"][:, 1] for i in range(30)])  # exact, in logs
    log_m = np.log(lik).sum(axis=0)
    log_pe = np.logaddexp(
        np.log(0.5 * 1.0 + 0.3 * 0.4) + log_m[0], np.log(0.3 * 0.6 + 0.2) + log_m[1]
    )
    assert got.log_p_evidence[0] == pytest.approx(log_pe, rel=1e-12)


def test_the_kernel_depends_on_the_network_alone():
    """Built twice, the same kernel (variables and tables, bit for bit)."""
    net = _network(17, 10, 3, 0.2, cards=(1, 2, 3))
    args = (net.variables, net.parents, _cards(net), net.cpts, ["v9", "v4"])
    a, b = build_kernel(*args), build_kernel(*args)
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        assert a.variables == b.variables
        for p, q in zip(a._bundles, b._bundles, strict=True):
            assert p.cols == q.cols and np.array_equal(p.table, q.table)


@pytest.mark.parametrize(("lik", "n"), [(1e-100, 5), (1e-50, 7), (1e-200, 2), (1e-160, 2)])
def test_findings_whose_product_underflows_stay_possible(lik, n):
    """Findings tabulated apart and bundled by the kernel: a bundle whose entries would
    underflow (or lose digits as subnormals) is not formed, so the logarithms see every
    finding and P(evidence) ~ 1e-800 is exact, not an impossible case."""
    nodes = {"t": (("a", "b"), (), [0.3, 0.7])}
    for i in range(n):
        nodes[f"f{i}"] = (("n", "y"), ("t",), [[1 - lik, lik], [1 - 2 * lik, 2 * lik]])
    net = _spec(nodes)
    x = np.array([[-1] + [1] * n, [-1] + [0] * n, [1] + [1] * n])
    cn = compile_network(net)
    res = cn.evaluate(x, ["t"])
    assert cn._kernels[("t",)] is not None
    log_a, log_b = np.log(0.3) + n * np.log(lik), np.log(0.7) + n * np.log(2 * lik)
    assert not res.impossible.any()
    assert res.log_p_evidence[0] == pytest.approx(np.logaddexp(log_a, log_b), rel=1e-12)
    assert res.log_p_evidence[2] == pytest.approx(log_b, rel=1e-12)
    post = 1 / (1 + np.exp(log_b - log_a))
    np.testing.assert_allclose(res.posteriors["t"][0], [post, 1 - post], rtol=1e-10)


def test_the_programs_kept_are_bounded_and_change_no_bits(monkeypatch):
    """Each set of observed kernel variables gets a program whose views (the bundles
    transposed and multiplied) hold many times the bundles' floats: the programs kept are
    bounded by ``PROGRAM_FLOATS``, and one rebuilt gives the same bits."""
    net = random_network(31, 40, 3, 0.0)
    rng = np.random.default_rng(31)
    cards = np.array([len(net.states[v]) for v in net.variables])
    x = (rng.random((600, 40)) * cards).astype(np.int64)
    x[rng.random(x.shape) < 0.5] = -1
    cn = compile_network(net)
    ref = cn.evaluate(x, ["v39"])
    kernel = cn._kernels[("v39",)]
    assert kernel is not None and len(kernel._programs) > 8
    held = sum(sum(v.size for v in p.views) for p in kernel._programs.values())
    assert held == kernel._program_floats
    monkeypatch.setattr(tabulated_module, "PROGRAM_FLOATS", held // 4)
    small = compile_network(net)
    got = small.evaluate(x, ["v39"], chunk_size=50)
    assert np.array_equal(got.posteriors["v39"], ref.posteriors["v39"])
    assert np.array_equal(got.log_p_evidence, ref.log_p_evidence)
    kept = small._kernels[("v39",)]
    assert kept is not None and 0 < kept._program_floats <= held // 4
    assert kept._program_floats == sum(
        sum(v.size for v in p.views) for p in kept._programs.values()
    )


def test_the_plans_keep_findings_whose_product_underflows_possible(monkeypatch):
    """The plans' bundles and tabulated steps never multiply tables whose product could
    underflow (it was tabulated as 0, and the case flagged impossible)."""
    nodes = {"t": (("a", "b"), (), [0.3, 0.7])}
    for i in range(5):
        nodes[f"f{i}"] = (("n", "y"), ("t",), [[1 - 1e-100, 1e-100], [1 - 2e-100, 2e-100]])
    net = _spec(nodes)
    monkeypatch.setattr(compiled_module, "_KERNELS", False)
    res = compile_network(net).evaluate(np.array([[-1, 1, 1, 1, 1, 1]]), ["t"])
    ref, _ = marginals(net, {f"f{i}": "y" for i in range(5)}, ["t"])
    assert not res.impossible[0]
    np.testing.assert_allclose(res.posteriors["t"][0], [ref["t"]["a"], ref["t"]["b"]], atol=TOL)


def test_cases_recomputed_in_logs_get_the_same_bits_in_any_batch():
    """Every case here underflows (30 findings of ~1e-40): the logarithms' maxima and sums
    row by row give a case the same bits alone as in the batch, and equal single queries."""
    rng = np.random.default_rng(21)
    net = _deep(rng)
    x = rng.integers(-1, 2, (120, 32))
    x[:, 2:] = np.where(rng.random((120, 30)) < 0.8, 1, x[:, 2:])
    for targets in (["d", "m"], ["d"]):
        cn = compile_network(net)
        whole = cn.evaluate(x, targets)
        assert cn._kernels[tuple(targets)] is not None
        assert (whole.p_evidence < 1e-250).all() and 0 < whole.impossible.sum() < 120
        for i in range(0, 120, 9):
            alone = cn.evaluate(x[i], targets)
            assert alone.log_p_evidence[0] == whole.log_p_evidence[i]
            for t in targets:
                assert np.array_equal(alone.posteriors[t][0], whole.posteriors[t][i])
            if whole.impossible[i]:
                continue
            ev = {v: net.states[v][s] for v, s in zip(net.variables, x[i], strict=True) if s >= 0}
            ref, _ = marginals(net, ev, [t for t in targets if t not in ev])
            for t, dist in ref.items():
                expected = [dist[s] for s in net.states[t]]
                np.testing.assert_allclose(whole.posteriors[t][i], expected, atol=TOL)
