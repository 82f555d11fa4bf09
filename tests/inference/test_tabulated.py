"""Tabulated kernels: exact against brute force and the plans, whatever the batch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayesdx
import bayesdx.inference._compiled as compiled_module
import bayesdx.inference._tabulated as tabulated_module
from bayesdx._bench import sample_cases
from bayesdx.inference import compile_network
from bayesdx.inference._graph import group_sums
from bayesdx.inference._tabulated import build_kernel
from bayesdx.io import variable_elimination
from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec

from helpers import brute_force_case, brute_force_joint, random_network


def _cards(net):
    return {v: len(s) for v, s in net.states.items()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(2, 9),
    max_parents=st.integers(1, 3),
    zero_share=st.sampled_from([0.0, 0.3]),
    n_targets=st.integers(1, 2),
    component=st.sampled_from([4, 64, 1 << 16]),
    bundle=st.sampled_from([2, 4096]),
    hide=st.sampled_from([0.2, 0.5, 0.9]),
)
def test_random_networks_equal_brute_force(
    seed, n, max_parents, zero_share, n_targets, component, bundle, hide
):
    """Kernels of every size (small component limits force more variables into the kernel,
    small bundles leave tables apart), impossible cases included."""
    net = random_network(seed, n, max_parents, zero_share)
    rng = np.random.default_rng(seed + 3)
    targets = [str(t) for t in rng.choice(net.variables, size=min(n_targets, n), replace=False)]
    cards = np.array([len(net.states[v]) for v in net.variables])
    x = (rng.random((25, n)) * cards).astype(np.int64)
    x[rng.random(x.shape) < hide] = -1
    joint = brute_force_joint(net)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tabulated_module, "COMPONENT_FLOATS", component)
        mp.setattr(tabulated_module, "BUNDLE_CODES", bundle)
        cn = compile_network(net)
        res = cn.evaluate(x, targets)
    kernel = cn._kernels[tuple(targets)]
    if kernel is None:  # no kernel is small enough: the plans ran (tested elsewhere)
        assert component < 1 << 16
        return
    for i, row in enumerate(x):
        p_e, posts = brute_force_case(joint, row)
        assert bool(res.impossible[i]) == (p_e == 0.0)
        assert res.p_evidence[i] == pytest.approx(p_e, rel=1e-10, abs=1e-300)
        for t in targets:
            got = res.posteriors[t][i]
            assert np.isfinite(got).all()
            np.testing.assert_allclose(got, posts[net.variables.index(t)], rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def marrow():
    return bayesdx.load_network("marrow_signal")


def test_marrow_kernel_equals_the_plans(marrow, monkeypatch):
    x = sample_cases(marrow, 3000, np.random.default_rng(5), targets=["diagnosis"])
    cn = compile_network(marrow)
    got = cn.evaluate(x, ["diagnosis"])
    assert cn._kernels[("diagnosis",)] is not None  # the kernel ran
    monkeypatch.setattr(compiled_module, "_KERNELS", False)
    plans = compile_network(marrow).evaluate(x, ["diagnosis"])
    np.testing.assert_allclose(got.posteriors["diagnosis"], plans.posteriors["diagnosis"],
                               rtol=0, atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(got.log_p_evidence, plans.log_p_evidence, rtol=1e-12)
    again = group_sums(marrow, got.posteriors)  # the kernel sums its blocks the same way
    assert set(got.groups) == set(again) == set(marrow.groups)
    for g in got.groups:
        assert np.array_equal(got.groups[g], again[g])
        np.testing.assert_allclose(got.groups[g], plans.groups[g], rtol=0, atol=1e-12)


def test_a_case_gets_the_same_bits_in_any_batch(marrow):
    """Cases are grouped only by the kernel variables they observe: a case's numbers never
    depend on the other cases or on the chunks (``batch --jobs`` relies on it)."""
    x = sample_cases(marrow, 400, np.random.default_rng(6), targets=["diagnosis"])
    cn = compile_network(marrow)
    whole = cn.evaluate(x, ["diagnosis"]).posteriors["diagnosis"]
    chunked = cn.evaluate(x, ["diagnosis"], chunk_size=7).posteriors["diagnosis"]
    assert np.array_equal(whole, chunked)
    for i in (0, 13, 399):
        alone = cn.evaluate(x[i], ["diagnosis"]).posteriors["diagnosis"][0]
        assert np.array_equal(alone, whole[i])
    reversed_ = cn.evaluate(x[::-1], ["diagnosis"]).posteriors["diagnosis"][::-1]
    assert np.array_equal(reversed_, whole)


def test_an_observed_kernel_target_is_certain(marrow):
    cn = compile_network(marrow)
    x = cn.encode([{"diagnosis": marrow.states["diagnosis"][3], "hb": "lt_12"}, {"hb": "lt_12"}])
    res = cn.evaluate(x, ["diagnosis"])
    assert cn._kernels[("diagnosis",)] is not None
    assert res.posteriors["diagnosis"][0].tolist() == np.eye(26)[3].tolist()
    ref = variable_elimination(marrow, {"hb": "lt_12"}, ["diagnosis"])["diagnosis"]
    expected = [ref[s] for s in marrow.states["diagnosis"]]
    np.testing.assert_allclose(res.posteriors["diagnosis"][1], expected, atol=1e-12)


def test_the_marrow_kernel_and_its_progress(marrow):
    k = build_kernel(marrow.variables, marrow.parents, _cards(marrow), marrow.cpts, ["diagnosis"])
    assert k is not None
    assert "diagnosis" in k.variables and len(k.variables) <= 4
    assert k.floats <= tabulated_module.TOTAL_FLOATS
    done = []
    x = sample_cases(marrow, 50, np.random.default_rng(7), targets=["diagnosis"])
    compile_network(marrow).evaluate(x, ["diagnosis"], progress=done.append)
    assert sum(done) == 50


def test_no_kernel_where_it_would_be_large(marrow):
    two = ["diagnosis", "marrow_failure"]  # two targets: their joint per case is too wide
    assert build_kernel(marrow.variables, marrow.parents, _cards(marrow), marrow.cpts, two) is None
    every = list(marrow.variables)  # all marginals: the kernel would be the network
    assert (
        build_kernel(marrow.variables, marrow.parents, _cards(marrow), marrow.cpts, every) is None
    )
    assert build_kernel(marrow.variables, marrow.parents, _cards(marrow), marrow.cpts, []) is None


def test_underflow_with_an_unobserved_kernel_variable_is_recomputed_in_logs():
    """400 findings under a hidden middle variable: P(evidence) ~ 1e-1200 underflows, the
    kernel holds the target and the middle variable, and the answer comes from logs."""
    rng = np.random.default_rng(12)
    prior = np.array([0.4, 0.6])
    mid = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])  # P(m | d)
    lik = rng.uniform(1e-4, 1e-2, size=(400, 3, 2))  # P(f_i = 1 | m, d)
    nodes = {
        "d": NodeSpec(id="d", states=("a", "b"), parents=(), cpt=FixedCPT(prior, ())),
        "m": NodeSpec(id="m", states=("x", "y", "z"), parents=("d",), cpt=FixedCPT(mid, ("d",))),
    }
    for i in range(400):
        table = np.stack([1 - lik[i], lik[i]], axis=-1)
        nodes[f"f{i}"] = NodeSpec(id=f"f{i}", states=("s0", "s1"), parents=("m", "d"),
                                  cpt=FixedCPT(table, ("m", "d")))  # fmt: skip
    net = Network(NetworkSpec(id="deep2", title="t", description="", nodes=nodes))
    x = np.ones((3, 402), dtype=np.int64)
    x[:, :2] = -1
    x[1, 2:] = -1  # an ordinary case in the same chunk
    x[2, 1] = 2  # the middle variable observed
    cn = compile_network(net)
    res = cn.evaluate(x, ["d"])
    kernel = cn._kernels[("d",)]
    assert kernel is not None and set(kernel.variables) == {"d", "m"}
    log_joint = np.log(prior)[None, :] + np.log(mid).T + np.log(lik).sum(axis=0)  # (m, d)
    top = log_joint.max()
    expected = np.exp(log_joint - top).sum(axis=0)
    np.testing.assert_allclose(res.posteriors["d"][0], expected / expected.sum(), rtol=1e-10)
    log_pe = top + np.log(np.exp(log_joint - top).sum())
    assert res.log_p_evidence[0] == pytest.approx(log_pe, rel=1e-12)
    assert not res.impossible.any() and res.p_evidence[0] == 0.0
    np.testing.assert_allclose(res.posteriors["d"][1], prior, rtol=1e-12)
    third = log_joint[2] - log_joint[2].max()
    np.testing.assert_allclose(res.posteriors["d"][2], np.exp(third) / np.exp(third).sum(),
                               rtol=1e-10)  # fmt: skip
