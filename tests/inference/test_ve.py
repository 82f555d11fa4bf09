"""Exact inference: hand-computed answers, and agreement with pgmpy to 1e-12."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bayesdx.errors import ImpossibleEvidenceError, UnknownVariableError
from bayesdx.inference import marginals, query
from bayesdx.io import variable_elimination
from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec

from helpers import brute_force_joint, random_network


def test_bayes_rule_by_hand(tiny):
    # P(d1 | pos) = 0.3 * 0.9 / (0.3 * 0.9 + 0.7 * 0.2)
    post = query(tiny, {"test": "pos"})
    assert post["disease"]["d1"] == pytest.approx(0.27 / 0.41, abs=1e-15)
    assert post.p_evidence == pytest.approx(0.41 * 0.8, abs=1e-15)  # exposure=no assumed


def test_noisy_or_by_hand(tiny):
    # exposure defaults to "no": P(symptom | d1) = 1 - 0.9 * 0.5, P(symptom | d2) = 0.1
    post = query(tiny, {"symptom": "present"})
    expected = 0.3 * 0.55 / (0.3 * 0.55 + 0.7 * 0.1)
    assert post["disease"]["d1"] == pytest.approx(expected, abs=1e-15)
    # exposed: P(symptom | d1, yes) = 1 - 0.9 * 0.5 * 0.2, P(symptom | d2, yes) = 1 - 0.9 * 0.2
    post = query(tiny, {"symptom": "present", "exposure": "yes"})
    expected = 0.3 * 0.91 / (0.3 * 0.91 + 0.7 * 0.82)
    assert post["disease"]["d1"] == pytest.approx(expected, abs=1e-15)


def test_defaults_are_assumed_not_given(tiny):
    post = query(tiny)
    assert post.evidence.given == {}
    assert post.evidence.assumed == {"exposure": "no"}


def test_group_probability_is_sum_of_members(tiny):
    post = query(tiny, {"test": "neg"})
    assert post.groups["sick"] == pytest.approx(post["disease"]["d1"], abs=1e-15)


def test_observed_target_is_certain(tiny):
    dists, _ = marginals(tiny, {"test": "pos"}, ["test", "disease"])
    assert dists["test"] == {"neg": 0.0, "pos": 1.0}


def test_unknown_target(tiny):
    with pytest.raises(
        UnknownVariableError,
        match="unknown variable 'nope' in network 'tiny'; "
        "valid variables: exposure, disease, test, symptom",
    ):
        query(tiny, targets="nope")


def _all_cases(network, variables):
    for states in itertools.product(*(network.states[v] for v in variables)):
        yield dict(zip(variables, states, strict=True))


def test_tiny_equals_pgmpy_on_every_case(tiny):
    for case in _all_cases(tiny, ["exposure", "test", "symptom"]):
        ours, _ = marginals(tiny, case, ["disease"])
        ref = variable_elimination(tiny, case, ["disease"])
        for s in tiny.states["disease"]:
            assert ours["disease"][s] == pytest.approx(ref["disease"][s], abs=1e-12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(2, 9),
    max_parents=st.integers(1, 3),
    zero_share=st.sampled_from([0.0, 0.2]),
    n_evidence=st.integers(0, 4),
)
def test_random_networks_equal_pgmpy(seed, n, max_parents, zero_share, n_evidence):
    net = random_network(seed, n, max_parents, zero_share)
    rng = np.random.default_rng(seed + 1)
    observed = rng.choice(net.variables, size=min(n_evidence, n - 1), replace=False)
    evidence = {str(v): str(rng.choice(net.states[str(v)])) for v in observed}
    targets = [v for v in net.variables if v not in evidence]
    joint = brute_force_joint(net)
    index = tuple(
        net.states[v].index(evidence[v]) if v in evidence else slice(None) for v in net.variables
    )
    if joint[index].sum() == 0.0:
        with pytest.raises(ImpossibleEvidenceError):
            marginals(net, evidence, targets)
        return
    ours, p_e = marginals(net, evidence, targets)
    assert p_e == pytest.approx(joint[index].sum(), abs=1e-12)
    ref = variable_elimination(net, evidence, targets)
    for t in targets:
        for s in net.states[t]:
            assert ours[t][s] == pytest.approx(ref[t][s], abs=1e-12)


def test_impossible_evidence(tiny, write_doc, tiny_doc):
    from helpers import node

    node(tiny_doc, "test")["cpt"]["table"][0].update({"p": {"pos": 1.0}, "range": [0.9, 1.0]})
    node(tiny_doc, "test")["cpt"]["table"][0].pop("counts")
    node(tiny_doc, "test")["cpt"]["table"][0]["source"] = "expert"
    node(tiny_doc, "test")["cpt"]["table"][1].update({"p": {"pos": 1.0}, "range": [0.9, 1.0]})
    from bayesdx import load_network

    net = load_network(write_doc(tiny_doc))
    with pytest.raises(
        ImpossibleEvidenceError,
        match="the evidence test=neg, exposure=no has "
        "probability zero under the model of network 'tiny'",
    ):
        query(net, {"test": "neg"})


def test_many_observed_findings_do_not_hit_einsum_limits():
    # a diagnosis with 70 conditionally independent binary findings, all observed:
    # the posterior is prior x product of likelihoods (computed here in log space)
    rng = np.random.default_rng(7)
    prior = np.array([0.3, 0.7])
    likelihood = rng.uniform(0.05, 0.95, size=(70, 2))  # P(f_i = s1 | d)
    nodes = {"d": NodeSpec(id="d", states=("a", "b"), parents=(), cpt=FixedCPT(prior, ()))}
    for i in range(70):
        table = np.stack([1 - likelihood[i], likelihood[i]], axis=-1)
        nodes[f"f{i}"] = NodeSpec(
            id=f"f{i}", states=("s0", "s1"), parents=("d",), cpt=FixedCPT(table, ("d",))
        )
    net = Network(NetworkSpec(id="nb70", title="t", description="", nodes=nodes))
    evidence = {f"f{i}": "s1" if i % 3 else "s0" for i in range(70)}
    ours, _ = marginals(net, evidence, ["d"])
    logp = np.log(prior).copy()
    for i in range(70):
        logp += np.log(likelihood[i] if i % 3 else 1 - likelihood[i])
    expected = np.exp(logp - logp.max()) / np.exp(logp - logp.max()).sum()
    assert [ours["d"]["a"], ours["d"]["b"]] == pytest.approx(expected.tolist(), abs=1e-12)


@pytest.mark.parametrize("target", [[], 5, [5], ()])
def test_bad_target_types(tiny, target):
    with pytest.raises(UnknownVariableError, match="unknown variable"):
        query(tiny, targets=target)
