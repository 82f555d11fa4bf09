"""Shared test helpers: paths, reference patients, random networks, brute-force inference.

Tests import these from here (``from helpers import ...``); conftest.py holds only fixtures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
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
