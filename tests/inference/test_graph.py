"""Graph code shared by both back ends: targets, evidence, tables, pruning, ordering, groups."""

from __future__ import annotations

import numpy as np
import pytest

from bayesdx.errors import ArgumentError, UnknownStateError, UnknownVariableError
from bayesdx.inference._graph import (
    ancestors,
    check_tables,
    evidence_indices,
    group_sums,
    next_to_eliminate,
    resolve_targets,
    sums_to_one,
)


def test_targets(marrow):
    assert resolve_targets(marrow, None) == ["diagnosis"]
    assert resolve_targets(marrow, "all") == list(marrow.variables)
    assert resolve_targets(marrow, ("hb", "diagnosis", "hb")) == ["hb", "diagnosis"]
    assert resolve_targets(marrow, [], allow_empty=True) == []
    for bad in ([], 5, [5], ()):
        with pytest.raises(UnknownVariableError, match="valid variables: setting, "):
            resolve_targets(marrow, bad)
    with pytest.raises(UnknownVariableError, match="unknown variable 'nope' in network"):
        resolve_targets(marrow, ["hb", "nope"])


def test_evidence(marrow):
    assert evidence_indices(marrow, {"hb": "ge_12", "m_protein": "present"}) == {
        "hb": 0,
        "m_protein": marrow.states["m_protein"].index("present"),
    }
    with pytest.raises(UnknownVariableError):
        evidence_indices(marrow, {"nope": "x"})
    with pytest.raises(UnknownStateError, match="unknown state 'high' for variable 'hb'"):
        evidence_indices(marrow, {"hb": "high"})


def test_tables(marrow):
    hb = marrow.cpts["hb"]
    assert check_tables(marrow, None) == (None, {})
    draws, tables = check_tables(marrow, {"hb": hb, "ldh": np.stack([marrow.cpts["ldh"]] * 4)})
    assert draws == 4 and tables["hb"].shape == hb.shape
    with pytest.raises(ArgumentError, match=r"tables\['hb'\] must have shape \(3, 2\) or"):
        check_tables(marrow, {"hb": hb.T})
    with pytest.raises(UnknownVariableError):
        check_tables(marrow, {"nope": hb})
    assert sums_to_one(marrow.cpts.values())
    assert not sums_to_one([hb * (1 + 1e-9)])


def test_pruning_and_ordering():
    parents = {"a": (), "b": ("a",), "c": ("b",), "d": ("a",)}
    assert ancestors(parents, ["c"]) == {"a", "b", "c"}
    assert ancestors(parents, []) == set()
    cards = {"a": 2, "b": 3, "c": 2, "d": 2, "w": 1000}
    position = {v: i for i, v in enumerate(cards)}
    scopes = [("a",), ("a", "b"), ("b", "c"), ("a", "d")]
    # eliminating c or d makes a factor of 3 or 2 entries; d wins, then ties go by position
    assert next_to_eliminate({"b", "c", "d"}, scopes, cards, position) == "d"
    assert next_to_eliminate({"a", "c"}, [("a", "x"), ("c", "x")], {**cards, "x": 2},
                             {**position, "x": 9}) == "a"  # fmt: skip
    # a wide axis does not count towards the size, but touching one loses a tie
    wide = frozenset({"w"})
    assert next_to_eliminate({"a", "c"}, [("a", "w"), ("c",)], cards, position, wide) == "c"


def test_group_sums(marrow):
    node, members = marrow.groups["neoplasm"]
    rng = np.random.default_rng(0)
    dist = rng.dirichlet(np.ones(len(marrow.states[node])), size=(3, 5))
    got = group_sums(marrow, {node: dist})
    idx = [marrow.states[node].index(s) for s in members]
    np.testing.assert_allclose(got["neoplasm"], dist[..., idx].sum(-1), rtol=1e-15)
    assert got["neoplasm"].shape == (3, 5)
    assert group_sums(marrow, {"hb": np.ones((1, 2))}) == {}
