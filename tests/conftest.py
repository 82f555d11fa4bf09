"""Shared fixtures: seeded generators, the bundled and tiny networks, bad-file factories."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

import bayesdx
from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.yaml"

# reference patients of the marrow network, shared by several test modules
MYELOMA = {
    "age": 67,
    "hb": 10.4,
    "m_protein": "present",
    "calcium": 11.6,
    "smear": "rouleaux",
    "chemical_shift": 0.97,
}
RECONVERSION = {
    "age": 31,
    "sex": "female",
    "smoking": "smoker",
    "obesity": "present",
    "hb": 13.4,
    "cytopenia": "absent",
    "monocytosis": 0.5,
    "smear": "normal",
    "m_protein": "absent",
    "calcium": "normal",
    "renal": "normal",
    "constitutional": "absent",
    "organomegaly": "absent",
    "ldh": "normal",
    "chemical_shift": 0.45,
}


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator: every random test is reproducible."""
    return np.random.default_rng(20261123)


@pytest.fixture(scope="session")
def marrow() -> bayesdx.Network:
    return bayesdx.load_network("marrow_signal")


@pytest.fixture(scope="session")
def tiny() -> bayesdx.Network:
    return bayesdx.load_network(TINY)


@pytest.fixture
def tiny_doc() -> dict:
    """The tiny network as a parsed document, to be mutated by a test."""
    return yaml.safe_load(TINY.read_text())


@pytest.fixture
def write_doc(tmp_path: Path) -> Callable[[dict], Path]:
    """Write a (mutated) network document to a file and return its path."""

    def write(doc: dict, name: str = "net.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(copy.deepcopy(doc), sort_keys=False))
        return path

    return write


def node(doc: dict, node_id: str) -> dict:
    """The node of a document with a given id."""
    return next(n for n in doc["nodes"] if n["id"] == node_id)


def random_network(seed: int, n: int, max_parents: int, zero_share: float) -> Network:
    """A random discrete network (optionally with structural zeros), reproducible by seed."""
    rng = np.random.default_rng(seed)
    nodes = {}
    for i in range(n):
        card = int(rng.integers(2, 4))
        k = min(i, int(rng.integers(0, max_parents + 1)))
        parents = tuple(f"v{j}" for j in sorted(rng.choice(i, size=k, replace=False)))
        shape = (*(len(nodes[p].states) for p in parents), card)
        table = rng.dirichlet(np.ones(card), size=int(np.prod(shape[:-1]))).reshape(shape)
        if zero_share:  # structural zeros, renormalised
            table = np.where(rng.random(shape) < zero_share, 0.0, table)
            table[..., 0] += table.sum(-1) == 0
            table = table / table.sum(-1, keepdims=True)
        nodes[f"v{i}"] = NodeSpec(id=f"v{i}", states=tuple(f"s{c}" for c in range(card)),
                                  parents=parents, cpt=FixedCPT(table, parents))  # fmt: skip
    return Network(NetworkSpec(id=f"random{seed}", title="random", description="", nodes=nodes))


def brute_force_joint(net: Network, tables: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """The full joint distribution, axes in ``net.variables`` order (optional tables)."""
    label = {v: i for i, v in enumerate(net.variables)}
    operands: list = []
    for v in net.variables:
        table = (tables or {}).get(v, net.cpts[v])
        operands += [table, [label[u] for u in (*net.parents[v], v)]]
    return np.einsum(*operands, list(range(len(net.variables))))
