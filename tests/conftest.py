"""Fixtures: seeded generators, the bundled and tiny networks, bad-file factories.

Helpers that tests import live in helpers.py, not here.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

import bayesdx
from bayesdx._bench import example_network

from helpers import TINY

# network files read in the tests are cached here, not in the user's ~/.cache (the
# commands the tests run in subprocesses inherit it)
os.environ.setdefault("BAYESDX_CACHE_DIR", tempfile.mkdtemp(prefix="bayesdx-test-cache-"))


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


@pytest.fixture(scope="session")
def pgmpy_folder(tmp_path_factory) -> Path:
    """pgmpy's alarm and hepar2 examples as BIF files in one folder, written once a session."""
    path = tmp_path_factory.mktemp("pgmpy_examples")
    for name in ("alarm", "hepar2"):
        example_network(name, path)
    return path


@pytest.fixture(scope="session")
def alarm(pgmpy_folder) -> bayesdx.Network:
    return bayesdx.load_network(pgmpy_folder / "alarm.bif")


@pytest.fixture(scope="session")
def hepar2(pgmpy_folder) -> bayesdx.Network:
    return bayesdx.load_network(pgmpy_folder / "hepar2.bif")


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
