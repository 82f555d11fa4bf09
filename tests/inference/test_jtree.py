"""The one-tree engine (:class:`bayesdx.inference._jtree.CliqueTree`): its ways of
contracting a clique agree with brute force and with the per-pattern plans."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayesdx.inference._compiled as compiled_module
import bayesdx.inference._jtree as jtree_module
from bayesdx._bench import example_network, sample_cases
from bayesdx.inference import compile_network

from helpers import brute_force_case, brute_force_joint, random_network


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(3, 9),
    max_parents=st.integers(2, 4),
    zero_share=st.sampled_from([0.0, 0.3]),
    hide=st.sampled_from([0.3, 0.6, 0.9]),
    pairwise=st.sampled_from([0.0, 0.5, 2.0]),
    merge=st.booleans(),
)
def test_tree_contractions_equal_brute_force(
    seed, n, max_parents, zero_share, hide, pairwise, merge
):
    """Every clique contracted in one pass (``PAIRWISE`` 0), in pairs where that halves the
    work, or always in pairs (2, as by default), however small: one target, every marginal
    and P(evidence) equal brute force on random networks with many parents (cliques of many
    operands), with or without every allowed merge of neighbouring cliques; always in
    pairs, a case's bits do not depend on the chunks."""
    net = random_network(seed, n, max_parents, zero_share)
    rng = np.random.default_rng(seed + 1)
    cards = np.array([len(net.states[v]) for v in net.variables])
    x = (rng.random((25, n)) * cards).astype(np.int64)
    x[rng.random(x.shape) < hide] = -1
    joint = brute_force_joint(net)
    target = net.variables[int(rng.integers(n))]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(compiled_module, "_TREE_LARGEST", 0)
        mp.setattr(compiled_module, "_TREE_MEAN", 0)
        mp.setattr(jtree_module, "PAIRWISE", pairwise)
        if merge:
            mp.setattr(jtree_module, "MERGE_FREE", 0.0)
            mp.setattr(jtree_module, "MERGE_SHARE", 0.0)
        cn = compile_network(net)
        assert cn._clique_tree() is not None
        one = cn.evaluate(x, [target])
        every = cn.evaluate(x, "all")
        chunked = cn.evaluate(x, "all", chunk_size=4)  # other groups: the same bits
    if pairwise >= 2:
        for v in net.variables:
            assert np.array_equal(chunked.posteriors[v], every.posteriors[v])
        assert np.array_equal(chunked.log_p_evidence, every.log_p_evidence)
    j = net.variables.index(target)
    for i, row in enumerate(x):
        p_e, posts = brute_force_case(joint, row)
        for res in (one, every):
            assert bool(res.impossible[i]) == (p_e == 0.0)
            assert res.p_evidence[i] == pytest.approx(p_e, rel=1e-10, abs=1e-300)
        np.testing.assert_allclose(one.posteriors[target][i], posts[j], rtol=0, atol=1e-12)
        for k, v in enumerate(net.variables):
            np.testing.assert_allclose(every.posteriors[v][i], posts[k], rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def barley(tmp_path_factory):
    return example_network("barley", tmp_path_factory.mktemp("barley"))


@pytest.mark.parametrize("pairwise", [0.0, 1.0, 2.0])
def test_barley_tree_equals_plans(barley, pairwise, monkeypatch):
    """On barley (the tree's network: cliques of up to 7.3M floats), the tree's one target
    and P(evidence) equal those of the per-pattern plans, whichever way cliques contract."""
    x = sample_cases(barley, 12, np.random.default_rng(3), targets=["jordtype"])
    monkeypatch.setattr(jtree_module, "PAIRWISE", pairwise)
    tree = compile_network(barley)
    assert tree._clique_tree() is not None
    got = tree.evaluate(x, ["jordtype"], prune="case")
    monkeypatch.setattr(compiled_module, "_TREE_LARGEST", 1 << 62)
    plans = compile_network(barley)
    assert plans._clique_tree() is None
    want = plans.evaluate(x, ["jordtype"], prune="case")
    np.testing.assert_allclose(got.posteriors["jordtype"], want.posteriors["jordtype"], atol=1e-9)
    np.testing.assert_allclose(got.log_p_evidence, want.log_p_evidence, rtol=1e-9)


@pytest.mark.parametrize("targets", [["jordtype"], "all"])
def test_barley_case_gets_the_same_bits_in_any_batch(barley, targets):
    """A case's posteriors and P(evidence) do not depend on the other cases of its batch
    (the groups it falls in at each clique) nor on the chunks: ``batch --jobs`` relies on
    it. Alone, in chunks and in reverse order, the same bits."""
    n = 60 if targets == "all" else 240
    x = sample_cases(barley, n, np.random.default_rng(8), targets=["jordtype"])
    cn = compile_network(barley)
    assert cn._clique_tree() is not None
    whole = cn.evaluate(x, targets)
    runs = [
        (cn.evaluate(x, targets, chunk_size=23), slice(None)),
        (cn.evaluate(x[::-1], targets), slice(None, None, -1)),
        (cn.evaluate(x[7:8], targets), slice(7, 8)),
        (cn.evaluate(x[n - 1 :], targets), slice(n - 1, None)),
    ]
    with pytest.MonkeyPatch.context() as mp:  # every group's path run case by case
        mp.setattr(jtree_module, "GROUP_FLOATS", 1)
        runs.append((cn.evaluate(x, targets), slice(None)))
    for got, where in runs:
        for v, post in got.posteriors.items():
            assert np.array_equal(post, whole.posteriors[v][where]), v
        assert np.array_equal(got.log_p_evidence, whole.log_p_evidence[where])


def test_barley_merges_cliques_with_a_wide_separator(barley):
    """Barley's widest separator (907,200 floats, between two cliques of 8 variables)
    is merged away: no message over it is made; merged or not, the same posteriors."""
    cn = compile_network(barley)
    tree = cn._clique_tree()
    assert tree is not None
    widest = max(
        math.prod(tree.cards[u] for u in tree.sep(a, b))
        for a in range(len(tree.cliques))
        for b in tree.nbrs[a]
    )
    assert widest < 907_200
    assert len(tree.cliques) < 36 and max(tree.sizes) > tree.largest  # 36 before merging
    x = sample_cases(barley, 30, np.random.default_rng(2), targets=["jordtype"])
    got = cn.evaluate(x, ["jordtype"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jtree_module, "MERGE_FREE", math.inf)
        apart = compile_network(barley)
        assert len(apart._clique_tree().cliques) == 36
        want = apart.evaluate(x, ["jordtype"])
    np.testing.assert_allclose(got.posteriors["jordtype"], want.posteriors["jordtype"], atol=1e-12)
    np.testing.assert_allclose(got.log_p_evidence, want.log_p_evidence, rtol=1e-12)


def test_pair_contracts_as_einsum_whichever_letters_each_operand_has():
    """:func:`_pair` (one matrix product per case, or an outer product) equals
    ``numpy.einsum``: letters summed in one operand alone, shared letters kept or summed,
    the case letter in one operand or both or neither, into a given output or not."""
    rng = np.random.default_rng(1)
    sizes = {"z": 4, "a": 2, "b": 3, "c": 5, "d": 2, "e": 3}
    for eq in [
        "zab,zbc->zac", "zab,zbc->zca", "zab,bc->zc", "ab,zbc->zca", "zab,zac->zabc",
        "zab,zc->zcab", "zabd,zbce->zae", "ab,bc->ac", "zab,zab->zab", "zab,zab->z",
        "zabc,zcd->zdab", "zb,zbcd->zdc",
    ]:  # fmt: skip
        ops = [rng.random([sizes[u] for u in t]) for t in eq.split("->")[0].split(",")]
        want = np.einsum(eq, *ops)
        np.testing.assert_allclose(jtree_module._pair(eq, *ops), want, rtol=1e-13)
        out = np.empty(want.shape)
        assert jtree_module._pair(eq, *ops, out=out) is out
        np.testing.assert_allclose(out, want, rtol=1e-13)


def test_greedy_path_steps_compute_the_einsum():
    """The pairwise steps of a greedy path give the one-pass einsum (letters kept while an
    operand or the output still needs them; a letter of one operand alone summed early)."""
    rng = np.random.default_rng(0)
    eq = "zab,zbc,zcd,de,zaf->zae"
    sizes = {"z": 3, "a": 2, "b": 3, "c": 4, "d": 2, "e": 3, "f": 2}
    terms = eq.split("->")[0].split(",")
    ops = [rng.random([sizes[u] for u in t]) for t in terms]
    path, naive, optimised = jtree_module._greedy(eq, sizes)
    assert len(path) == len(terms) - 1
    assert optimised < naive
    steps = jtree_module._programs(jtree_module._steps(eq, path), sizes)
    np.testing.assert_allclose(jtree_module._pairwise(steps, ops, None), np.einsum(eq, *ops))
    out = np.empty((3, 2, 3))
    assert jtree_module._pairwise(steps, ops, out) is out
    np.testing.assert_allclose(out, np.einsum(eq, *ops))


def test_path_programs_are_the_steps_programs_and_peak():
    """:func:`_path_programs` (what a tree's recipe uses) makes the same programs as
    :func:`_programs` of :func:`_steps`, and the same peak as :func:`_peak`, on random
    equations and sizes."""
    rng = np.random.default_rng(3)
    letters = "abcdefgh"
    for _ in range(200):
        terms = []
        for _ in range(int(rng.integers(2, 7))):
            k = int(rng.integers(1, 5))
            t = "".join(rng.choice(list(letters), size=k, replace=False))
            terms.append(("z" if rng.random() < 0.7 else "") + t)
        used = "".join(dict.fromkeys("".join(terms).replace("z", "")))
        out = "z" * any("z" in t for t in terms)
        out += "".join(u for u in used if rng.random() < 0.3)
        eq = ",".join(terms) + "->" + out
        sizes = {u: int(rng.integers(2, 5)) for u in letters}
        sizes["z"] = 1
        path, _, _ = jtree_module._greedy(eq, sizes)
        steps = jtree_module._steps(eq, path)
        got, peak = jtree_module._path_programs(eq, path, sizes)
        assert got == jtree_module._programs(steps, sizes)
        assert peak == jtree_module._peak(steps, sizes)


def test_a_step_program_does_not_depend_on_its_letters_names():
    """A step's program, looked up under its letters renamed, is the one made for its own
    letters (programs are positional)."""
    sizes = {"z": 1, "a": 2, "b": 3, "c": 4, "d": 2, "e": 3, "f": 5}
    jtree_module._PAIR_PROGRAMS.clear()
    for step in ["zab,zbc->zac", "zfe,zed->zfd", "zcd,de->zec", "zed,dc->zce", "za,zb->zab"]:
        a, b = step.split("->")[0].split(",")
        shape_a = tuple(sizes[u] for u in a)
        shape_b = tuple(sizes[u] for u in b)
        got = jtree_module._program_of(step, a, b, sizes)
        assert got == jtree_module._pair_program(step, shape_a, shape_b)
