"""The compiled Network: tables, metadata, and checks on imported tables."""

from __future__ import annotations

import numpy as np
import pytest

from bayesdx.errors import NetworkFileError, UnknownVariableError
from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec


def test_tables_have_parent_axes_then_own_states(marrow):
    for v in marrow.variables:
        shape = (*(len(marrow.states[p]) for p in marrow.parents[v]), len(marrow.states[v]))
        assert marrow.cpts[v].shape == shape
        np.testing.assert_allclose(marrow.cpts[v].sum(-1), 1.0, rtol=0, atol=1e-12)


def test_tables_are_read_only(tiny):
    with pytest.raises(ValueError, match="read-only"):
        tiny.cpts["disease"][0] = 1.0


def test_metadata(tiny):
    assert tiny.defaults == {"exposure": "no"}
    assert tiny.groups == {"sick": ("disease", ("d1",))}
    assert tiny.default_targets == ["disease"]
    assert tiny.role("finding") == ["test", "symptom"]
    assert repr(tiny) == "<Network 'tiny': 4 nodes, 3 edges>"
    with pytest.raises(UnknownVariableError, match="unknown variable 'x' in network 'tiny'"):
        tiny.node("x")


def _imported(table: np.ndarray) -> NetworkSpec:
    node = NodeSpec(id="a", states=("x", "y"), parents=(), cpt=FixedCPT(table, ()))
    return NetworkSpec(id="imp", title="t", description="", nodes={"a": node}, path="imp.bif")


def test_imported_table_must_sum_to_one():
    Network(_imported(np.array([0.3, 0.7000004])))  # rounding in a file is tolerated
    with pytest.raises(
        NetworkFileError,
        match=r"imp\.bif: node 'a', field 'cpt': probabilities "
        r"for \(no parents\) sum to 1\.1; expected 1",
    ):
        Network(_imported(np.array([0.3, 0.8])))
    with pytest.raises(NetworkFileError, match="must be finite and >= 0"):
        Network(_imported(np.array([-0.2, 1.2])))


def test_imported_child_row_is_named():
    a = NodeSpec(id="a", states=("x", "y"), parents=(), cpt=FixedCPT(np.array([0.5, 0.5]), ()))
    table = np.array([[0.9, 0.1], [0.5, 0.6]])
    b = NodeSpec(id="b", states=("u", "v"), parents=("a",), cpt=FixedCPT(table, ("a",)))
    spec = NetworkSpec(id="imp", title="t", description="", nodes={"a": a, "b": b}, path="i.bif")
    with pytest.raises(
        NetworkFileError,
        match=r"node 'b', field 'cpt': probabilities for a=y sum to 1\.1; expected 1",
    ):
        Network(spec)


def test_loaded_network_is_read_only(marrow):
    with pytest.raises(TypeError):
        marrow.states["hb"] = ("x",)  # type: ignore[index]
    with pytest.raises(TypeError):
        marrow.cpts["hb"] = None  # type: ignore[index]


def test_cache_sees_bibliography_edits(tmp_path):
    from pathlib import Path

    import bayesdx

    net_dir = Path(bayesdx.io.bundled_path("marrow_signal")).parent
    for name in ("marrow_signal.yaml", "sources.yaml"):
        (tmp_path / name).write_text((net_dir / name).read_text())
    first = bayesdx.load_network(tmp_path / "marrow_signal.yaml")
    assert bayesdx.load_network(tmp_path / "marrow_signal.yaml") is first
    (tmp_path / "sources.yaml").write_text("expert: [broken\n")
    with pytest.raises(NetworkFileError, match=r"sources\.yaml: malformed YAML"):
        bayesdx.load_network(tmp_path / "marrow_signal.yaml")
