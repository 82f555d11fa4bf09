"""Finding networks by name or path."""

import re

import pytest

from bayesdx import load_network
from bayesdx.errors import NetworkFileError, UnknownNetworkError
from bayesdx.registry import bundled_networks, resolve


def test_bundled():
    assert "marrow_signal" in bundled_networks()
    assert "sources" not in bundled_networks()
    assert resolve("marrow_signal").name == "marrow_signal.yaml"


def test_unknown_name_lists_bundled():
    with pytest.raises(
        UnknownNetworkError,
        match="unknown network 'marrow'; bundled networks: marrow_signal; or give the path",
    ):
        load_network("marrow")


def test_bad_paths(tmp_path):
    with pytest.raises(NetworkFileError, match="no such file"):
        load_network(tmp_path / "missing.yaml")
    (tmp_path / "net.txt").write_text("x")
    with pytest.raises(
        NetworkFileError,
        match=re.escape("unsupported file type '.txt'; valid types: .yaml, .yml, .bif"),
    ):
        load_network(tmp_path / "net.txt")


def test_cache_sees_edits(tmp_path):
    from conftest import TINY

    path = tmp_path / "t.yaml"
    path.write_text(TINY.read_text())
    first = load_network(path)
    assert load_network(path) is first
    path.write_text(TINY.read_text().replace("title: A three-node", "title: An edited"))
    assert load_network(path).title.startswith("An edited")
