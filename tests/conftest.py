"""Shared fixtures: seeded generators, the bundled and tiny networks, bad-file factories."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

import bayesdx

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
