"""Shared test helpers: paths, reference patients, random networks, brute-force inference.

Tests import these from here (``from helpers import ...``); conftest.py holds only fixtures.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

import bayesdx.inference._loops as loops_module
from bayesdx.inference import compile_network
from bayesdx.io import load_network
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

# cases on pgmpy's example networks (the alarm and hepar2 fixtures of conftest.py)
ALARM_CASE = {"HRBP": "HIGH", "BP": "LOW", "CVP": "HIGH"}
HEPAR_CASE = {"alt": "a850_200", "ast": "a700_400", "fatigue": "present"}


def node(doc: dict, node_id: str) -> dict:
    """The node of a document with a given id."""
    return next(n for n in doc["nodes"] if n["id"] == node_id)


def random_network(
    seed: int,
    n: int,
    max_parents: int,
    zero_share: float,
    cards: tuple[int, ...] | None = None,
    groups: bool = False,
) -> Network:
    """A random discrete network (optionally with structural zeros), reproducible by seed.

    Each variable has 2 or 3 states, or one of ``cards``; with ``groups``, every node of
    three states or more gets a group of two of them.
    """
    rng = np.random.default_rng(seed)
    nodes = {}
    kept: dict[str, dict[str, tuple[str, ...]]] = {}
    for i in range(n):
        card = int(rng.integers(2, 4)) if cards is None else int(rng.choice(cards))
        k = min(i, int(rng.integers(0, max_parents + 1)))
        parents = tuple(f"v{j}" for j in sorted(rng.choice(i, size=k, replace=False)))
        shape = (*(len(nodes[p].states) for p in parents), card)
        table = rng.dirichlet(np.ones(card), size=int(np.prod(shape[:-1]))).reshape(shape)
        if zero_share:  # structural zeros, renormalised
            table = np.where(rng.random(shape) < zero_share, 0.0, table)
            table[..., 0] += table.sum(-1) == 0
            table = table / table.sum(-1, keepdims=True)
        states = tuple(f"s{c}" for c in range(card))
        nodes[f"v{i}"] = NodeSpec(id=f"v{i}", states=states, parents=parents,
                                  cpt=FixedCPT(table, parents))  # fmt: skip
        if groups and card >= 3:
            kept[f"v{i}"] = {f"g{i}": (states[2], states[0])}
    spec = NetworkSpec(id=f"random{seed}", title="random", description="", nodes=nodes,
                       groups=kept)  # fmt: skip
    return Network(spec)


def brute_force_joint(net: Network, tables: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """The full joint distribution, axes in ``net.variables`` order (optional tables)."""
    label = {v: i for i, v in enumerate(net.variables)}
    operands: list = []
    for v in net.variables:
        table = (tables or {}).get(v, net.cpts[v])
        operands += [table, [label[u] for u in (*net.parents[v], v)]]
    return np.einsum(*operands, list(range(len(net.variables))))


def brute_force_case(joint: np.ndarray, row: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """P(evidence) and every variable's posterior for one case (``row``: state indices,
    -1 unobserved), summed from the joint table; an impossible case gets zeros."""
    index = tuple(slice(None) if s < 0 else int(s) for s in row)
    mask = np.zeros(joint.shape, dtype=bool)
    mask[index] = True
    masked = np.where(mask, joint, 0.0)
    p_e = float(masked.sum())
    posts = []
    for axis in range(joint.ndim):
        m = masked.sum(axis=tuple(a for a in range(joint.ndim) if a != axis))
        posts.append(m / p_e if p_e > 0 else np.zeros_like(m))
    return p_e, posts


# ---- a network with an earlier edition's inputs (tests/model/test_legacy.py, batch)
LEVEL = {
    "id": "level",
    "label": "Marker level",
    "role": "finding",
    "states": ["low", "mid", "high"],
    "parents": ["disease"],
    "description": "The marker in three bands.",
    "measure": {"quantity": "marker", "unit": "U", "cuts": [10.0, 20.0], "range": [0, 100],
                "source": "study"},
    "cpt": {"table": [
        {"when": {"disease": "d1"}, "p": {"low": 0.6, "mid": 0.3, "high": 0.1},
         "source": "expert", "ess": 10},
        {"when": {"disease": "d2"}, "p": {"low": 0.1, "mid": 0.3, "high": 0.6},
         "source": "expert", "ess": 10},
    ]},
}  # fmt: skip
COARSE = {
    "id": "coarse",
    "label": "Marker below 10",
    "role": "finding",
    "states": ["ge_10", "lt_10"],
    "parents": ["level"],
    "description": "The first edition's reading of the marker.",
    "raw_to": "level",
    "cpt": {"deterministic": {"lt_10": ["low"], "ge_10": ["mid", "high"]}},
}
LEGACY = [
    {"given": {"old_test": "positive"}, "read_as": {"test": "pos"}, "note": "first edition"},
    {"given": {"old_test": "negative", "exposure": "yes"}, "read_as": {"test": "neg"}},
    {"given": {"old_test": "negative"}, "read_as": {}, "note": "left unobserved"},
]


def legacy_network(tmp_path: Path) -> Network:
    """The tiny network plus a three-band marker, its coarse reading and legacy rules."""
    doc = yaml.safe_load(TINY.read_text())
    doc["nodes"] += [copy.deepcopy(LEVEL), copy.deepcopy(COARSE)]
    doc["legacy"] = copy.deepcopy(LEGACY)
    path = tmp_path / "net.yaml"
    path.write_text(yaml.safe_dump(doc))
    return load_network(path)


# ---------------------------------------------------------------- the kernel's compiled loops
def loops_as_python(mp) -> None:
    """The kernel's written-out loops (bayesdx.inference._loops) run as plain Python, from
    any batch size (``mp``: a pytest MonkeyPatch)."""
    mp.setattr(loops_module, "_jit", lambda fn: fn)
    mp.setattr(loops_module, "available", lambda: True)
    mp.setattr(loops_module, "_LOADED", {})
    mp.setattr(loops_module, "FAST_CASES", 1)


def without_loops(mp) -> None:
    """No compiled loop: the kernel's numpy arithmetic."""
    mp.setattr(loops_module, "available", lambda: False)
    mp.setattr(loops_module, "_LOADED", {})


def numpy_result(net: Network, x: np.ndarray, targets: list[str]):
    """``evaluate`` by the kernel's numpy arithmetic, on a network compiled afresh."""
    with pytest.MonkeyPatch.context() as mp:
        without_loops(mp)
        return compile_network(net).evaluate(x, targets)


def same_result(a, b, targets: list[str]) -> None:
    """Two BatchResults with the same bits: posteriors, log P(evidence), groups."""
    for t in targets:
        assert np.array_equal(a.posteriors[t], b.posteriors[t]), t
    assert np.array_equal(a.log_p_evidence, b.log_p_evidence)
    assert a.impossible.tolist() == b.impossible.tolist()
    assert set(a.groups) == set(b.groups)
    for g in a.groups:
        assert np.array_equal(a.groups[g], b.groups[g]), g


def errors_both_ways(run, exc: type[Exception] = ValueError) -> list[tuple[type, str]]:
    """The error ``run()`` raises as it is set up (the loop) and without loops (numpy)."""
    out = []
    for loop in (True, False):
        with pytest.MonkeyPatch.context() as mp:
            if not loop:
                without_loops(mp)
            with pytest.raises(exc) as err:
                run()
            out.append((type(err.value), str(err.value)))
    return out


def same_error(run) -> str:
    """The ArgumentError message ``run()`` raises, the same with the loop and without."""
    errors = errors_both_ways(run)
    assert errors[0] == errors[1]
    assert errors[0][0].__name__ == "ArgumentError"
    return errors[0][1]
