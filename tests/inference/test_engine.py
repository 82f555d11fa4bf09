"""The engine interface: both back ends give the same numbers and follow the same rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bayesdx.errors import ArgumentError, ImpossibleEvidenceError, UnknownVariableError
from bayesdx.inference import compile_network, marginals, posteriors, query
from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec

from helpers import brute_force_case, brute_force_joint, random_network


def _random_sets(net: Network, rng: np.random.Generator, n: int, hide: float) -> list[dict]:
    """Evidence sets with any states (so some have probability zero)."""
    sets = []
    for _ in range(n):
        sets.append(
            {v: str(rng.choice(net.states[v])) for v in net.variables if rng.random() > hide}
        )
    return sets


def _brute(joint: np.ndarray, net: Network, evidence: dict) -> tuple[float, list[np.ndarray]]:
    row = [net.states[v].index(evidence[v]) if v in evidence else -1 for v in net.variables]
    return brute_force_case(joint, np.array(row))


def _assert_same(a, b, atol: float = 1e-12) -> None:
    assert a.impossible.tolist() == b.impossible.tolist()
    assert set(a.posteriors) == set(b.posteriors)
    for t in a.posteriors:
        assert np.isfinite(a.posteriors[t]).all() and np.isfinite(b.posteriors[t]).all()
        np.testing.assert_allclose(a.posteriors[t], b.posteriors[t], rtol=0, atol=atol)
    possible = ~a.impossible
    np.testing.assert_allclose(
        a.log_p_evidence[possible], b.log_p_evidence[possible], rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(a.p_evidence, b.p_evidence, rtol=1e-10, atol=1e-300)
    for name in a.groups:
        np.testing.assert_allclose(a.groups[name], b.groups[name], rtol=0, atol=atol)


# ---------------------------------------------------------------- both back ends agree
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(1, 8),
    max_parents=st.integers(1, 3),
    zero_share=st.sampled_from([0.0, 0.3]),
    n_sets=st.integers(1, 10),
    hide=st.sampled_from([0.2, 0.5, 0.9]),
)
def test_back_ends_agree_on_random_networks(seed, n, max_parents, zero_share, n_sets, hide):
    net = random_network(seed, n, max_parents, zero_share)
    rng = np.random.default_rng(seed + 1)
    sets = _random_sets(net, rng, n_sets, hide)
    ve = posteriors(net, sets, "all", backend="ve")
    compiled = posteriors(net, sets, "all", backend="compiled")
    _assert_same(ve, compiled)
    joint = brute_force_joint(net)
    for i, evidence in enumerate(sets):  # and both equal brute force, zero evidence included
        p_e, posts = _brute(joint, net, evidence)
        assert bool(ve.impossible[i]) == (p_e == 0.0)
        assert ve.p_evidence[i] == pytest.approx(p_e, rel=1e-10, abs=1e-300)
        for j, v in enumerate(net.variables):
            np.testing.assert_allclose(ve.posteriors[v][i], posts[j], rtol=0, atol=1e-12)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31), n=st.integers(2, 7), n_draws=st.integers(1, 4))
def test_back_ends_agree_on_tables_with_and_without_draws(seed, n, n_draws):
    net = random_network(seed, n, 2, 0.2)
    rng = np.random.default_rng(seed)
    chosen = [str(v) for v in rng.choice(net.variables, size=min(2, n), replace=False)]
    drawn, fixed = {}, {}
    for v in chosen:
        shape = net.cpts[v].shape
        drawn[v] = rng.dirichlet(np.ones(shape[-1]), size=(n_draws, *shape[:-1]))
        fixed[v] = drawn[v][0]
    sets = _random_sets(net, rng, 4, 0.5)
    for tables in (drawn, fixed, {chosen[0]: drawn[chosen[0]], chosen[-1]: fixed[chosen[-1]]}):
        ve = posteriors(net, sets, "all", tables=tables, backend="ve")
        compiled = posteriors(net, sets, "all", tables=tables, backend="compiled")
        _assert_same(ve, compiled)
    # a table without a draw axis is a replacement: no draw axis in the result
    one = posteriors(net, sets[:1], "all", tables=fixed)
    assert one.draws is None and one.p_evidence.shape == (1,)
    joint = brute_force_joint(net, fixed)
    p_e, posts = _brute(joint, net, sets[0])
    assert bool(one.impossible[0]) == (p_e == 0.0)
    for j, v in enumerate(net.variables):
        np.testing.assert_allclose(one.posteriors[v][0], posts[j], rtol=0, atol=1e-12)


def test_one_case_path_and_many_case_path_agree(marrow, rng):
    from bayesdx._bench import sample_cases

    x = sample_cases(marrow, 30, rng, hide=0.5, targets=["diagnosis"])
    sets = [
        {v: marrow.states[v][int(s)] for v, s in zip(marrow.variables, row, strict=True) if s >= 0}
        for row in x
    ]
    targets = ["diagnosis", "hb", "marrow_process"]
    many = posteriors(marrow, sets, targets)
    for i, evidence in enumerate(sets):
        one = posteriors(marrow, [evidence], targets)
        for t in many.posteriors:
            np.testing.assert_allclose(one.posteriors[t][0], many.posteriors[t][i], atol=1e-12)
        assert one.log_p_evidence[0] == pytest.approx(many.log_p_evidence[i], rel=1e-12)
        assert one.groups["neoplasm"][0] == pytest.approx(many.groups["neoplasm"][i], abs=1e-12)
        # the one-case path is variable elimination: exactly what marginals gives
        dists, p_e = marginals(marrow, evidence, targets)
        assert all(one.distribution(t) == dists[t] for t in targets)
        assert float(one.p_evidence[0]) == p_e


# ---------------------------------------------------------------- zero and tiny P(evidence)
def _zero_network() -> Network:
    a = FixedCPT(np.array([0.5, 0.5]), ())
    b = FixedCPT(np.array([[1.0, 0.0], [0.2, 0.8]]), ("a",))  # a=s0 forces b=s0
    nodes = {
        "a": NodeSpec(id="a", states=("s0", "s1"), parents=(), cpt=a),
        "b": NodeSpec(id="b", states=("s0", "s1"), parents=("a",), cpt=b),
    }
    return Network(NetworkSpec(id="zero", title="zero", description="", nodes=nodes))


def test_zero_probability_evidence_follows_one_rule():
    net = _zero_network()
    sets = [{"a": "s0", "b": "s1"}, {"b": "s1"}, {"a": "s0"}]
    for backend in ("ve", "compiled"):
        res = posteriors(net, sets, "all", backend=backend)
        assert res.impossible.tolist() == [True, False, False], backend
        assert res.posteriors["a"][0].tolist() == [0.0, 0.0]
        assert res.p_evidence[0] == 0.0 and np.isneginf(res.log_p_evidence[0])
        assert res.posteriors["a"][1] == pytest.approx([0.0, 1.0])
        message = "the evidence a=s0, b=s1 has probability zero under the model of network"
        with pytest.raises(ImpossibleEvidenceError, match=message):
            posteriors(net, sets, "all", backend=backend, impossible="raise")
    with pytest.raises(ImpossibleEvidenceError, match="a=s0, b=s1"):
        marginals(net, sets[0], ["a"])


def _deep_network(findings: int = 400) -> tuple[Network, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    prior = np.array([0.3, 0.7])
    lik = rng.uniform(1e-4, 1e-2, size=(findings, 2))
    nodes = {"d": NodeSpec(id="d", states=("a", "b"), parents=(), cpt=FixedCPT(prior, ()))}
    for i in range(findings):
        table = np.stack([1 - lik[i], lik[i]], axis=-1)
        nodes[f"f{i}"] = NodeSpec(id=f"f{i}", states=("s0", "s1"), parents=("d",),
                                  cpt=FixedCPT(table, ("d",)))  # fmt: skip
    return Network(NetworkSpec(id="deep", title="t", description="", nodes=nodes)), prior, lik


def test_tiny_evidence_is_neither_impossible_nor_nan():
    # 400 findings, each with likelihood ~1e-3: P(evidence) ~ 1e-1200 underflows doubles
    net, prior, lik = _deep_network()
    evidence = {f"f{i}": "s1" for i in range(400)}
    logp = np.log(prior) + np.log(lik).sum(axis=0)
    expected = np.exp(logp - logp.max()) / np.exp(logp - logp.max()).sum()
    log_pe = logp.max() + np.log(np.exp(logp - logp.max()).sum())
    dists, p_e = marginals(net, evidence, ["d"])  # variable elimination, one case
    np.testing.assert_allclose(list(dists["d"].values()), expected, rtol=1e-10)
    assert p_e == 0.0  # underflows as a float, but the case is possible
    sets = [evidence, {"f0": "s1"}]
    for backend in ("ve", "compiled"):
        res = posteriors(net, sets, ["d"], backend=backend, impossible="raise")
        assert not res.impossible.any()
        np.testing.assert_allclose(res.posteriors["d"][0], expected, rtol=1e-10)
        assert res.log_p_evidence[0] == pytest.approx(log_pe, rel=1e-12)
    assert query(net, evidence, targets="d")["d"]["a"] == pytest.approx(expected[0], rel=1e-10)


def test_tiny_evidence_with_observed_targets_only():
    net, prior, lik = _deep_network(300)
    evidence = {f"f{i}": "s1" for i in range(300)}
    logp = np.log(prior) + np.log(lik[:300]).sum(axis=0)
    log_pe = logp.max() + math.log(np.exp(logp - logp.max()).sum())
    for backend in ("ve", "compiled"):
        res = posteriors(net, [evidence, evidence], ["f0"], backend=backend)
        assert not res.impossible.any()
        assert res.log_p_evidence[0] == pytest.approx(log_pe, rel=1e-12)
        assert res.posteriors["f0"][0].tolist() == [0.0, 1.0]


# ---------------------------------------------------------------- inputs
def test_engine_arguments(marrow):
    ev = [{"hb": "lt_12"}]
    with pytest.raises(ArgumentError, match="impossible must be 'flag' or 'raise'"):
        posteriors(marrow, ev, impossible="skip")
    with pytest.raises(ArgumentError, match="backend must be"):
        posteriors(marrow, ev, backend="pgmpy")
    with pytest.raises(UnknownVariableError, match="unknown variable 'nope'"):
        posteriors(marrow, ev, ["nope"])
    with pytest.raises(UnknownVariableError, match="unknown variable 'nope'"):
        posteriors(marrow, [{"nope": "x"}, {}])
    with pytest.raises(ArgumentError, match=r"tables\['hb'\] must have shape"):
        posteriors(marrow, ev, tables={"hb": np.ones(3)})
    draws = np.stack([marrow.cpts["hb"]] * 2)
    with pytest.raises(ArgumentError, match="draw axis"):
        marginals(marrow, ev[0], ["diagnosis"], {"hb": draws})
    assert posteriors(marrow, ev, tables={"hb": draws}).draws == 2
    empty = posteriors(marrow, [], ["diagnosis"])
    assert empty.posteriors["diagnosis"].shape == (0, len(marrow.states["diagnosis"])) == (0, 26)


def test_compiled_engine_accepts_replacement_tables(marrow):
    cn = compile_network(marrow)
    flat = np.full(marrow.cpts["hb"].shape, 0.5)
    x = cn.encode([{"hb": "lt_12", "setting": "biopsy_referral"}])
    res = cn.evaluate(x, cpts={"hb": flat})
    dists, _ = marginals(marrow, {"hb": "lt_12", "setting": "biopsy_referral"}, ["diagnosis"],
                         {"hb": flat})  # fmt: skip
    np.testing.assert_allclose(res.posteriors["diagnosis"][0], list(dists["diagnosis"].values()),
                               atol=1e-12)  # fmt: skip
    # hb is now read through hb_level, whose table holds the numbers: a random one moves the
    # posterior, and both engines agree on it
    rng = np.random.default_rng(5)
    shape = marrow.cpts["hb_level"].shape
    level = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])
    ev = {"hb": "lt_12", "sex": "male", "setting": "biopsy_referral"}
    res = cn.evaluate(cn.encode([ev]), cpts={"hb_level": level})
    dists, _ = marginals(marrow, ev, ["diagnosis"], {"hb_level": level})
    got = res.posteriors["diagnosis"][0]
    np.testing.assert_allclose(got, list(dists["diagnosis"].values()), atol=1e-12)
    own = cn.evaluate(cn.encode([ev])).posteriors["diagnosis"][0]
    assert np.abs(got - own).max() > 1e-3
