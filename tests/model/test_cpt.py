"""Expansion of tables and canonical (noisy-OR / noisy-MAX) CPTs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bayesdx.model import Entry, NoisyMaxCPT, TableCPT


def _e(p, states=("off", "on")):
    return Entry(states, tuple(p), ("expert",), None)


def test_table_rows_shared_by_lists():
    cpt = TableCPT(
        rows=(({"a": ("x", "z")}, _e((0.9, 0.1))), ({"a": ("y",)}, _e((0.4, 0.6)))), parents=("a",)
    )
    table = cpt.expand({"a": ("x", "y", "z")}, ("on", "off"))  # node order differs
    assert table.tolist() == [[0.1, 0.9], [0.6, 0.4], [0.1, 0.9]]


def test_noisy_or_matches_formula(rng):
    leak = rng.uniform(0, 0.3)
    pa, pb = rng.uniform(0, 1, size=3), rng.uniform(0, 1, size=2)
    cpt = NoisyMaxCPT(
        "noisy_or",
        ("off", "on"),
        _e((1 - leak, leak)),
        {
            "a": {"a1": _e((1 - pa[1], pa[1])), "a2": _e((1 - pa[2], pa[2]))},
            "b": {"b1": _e((1 - pb[1], pb[1]))},
        },
        ("a", "b"),
    )
    table = cpt.expand({"a": ("a0", "a1", "a2"), "b": ("b0", "b1")}, ("off", "on"))
    act_a, act_b = [0, pa[1], pa[2]], [0, pb[1]]
    for i, j in itertools.product(range(3), range(2)):
        off = (1 - leak) * (1 - act_a[i]) * (1 - act_b[j])
        assert table[i, j].tolist() == pytest.approx([off, 1 - off], abs=1e-15)


def test_noisy_max_is_product_of_cdfs(rng):
    states = ("none", "mild", "severe")
    leak = rng.dirichlet([8, 1, 1])
    cause = rng.dirichlet([1, 1, 1])
    cpt = NoisyMaxCPT(
        "noisy_max", states, _e(leak, states), {"a": {"yes": _e(cause, states)}}, ("a",)
    )
    table = cpt.expand({"a": ("no", "yes")}, states)
    assert table[0] == pytest.approx(leak, abs=1e-15)
    cdf = np.cumsum(leak) * np.cumsum(cause)
    assert table[1] == pytest.approx(np.diff(cdf, prepend=0.0), abs=1e-15)
    assert table.sum(-1) == pytest.approx(1.0, abs=1e-15)


def test_noisy_max_expands_in_node_state_order():
    states = ("none", "mild", "severe")
    cpt = NoisyMaxCPT("noisy_max", states, _e((0.7, 0.2, 0.1), states), {"a": {}}, ("a",))
    table = cpt.expand({"a": ("no", "yes")}, ("severe", "none", "mild"))
    assert table[0].tolist() == pytest.approx([0.1, 0.7, 0.2])
