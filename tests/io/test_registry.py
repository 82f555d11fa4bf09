"""Finding networks by name or path."""

import re

import pytest

from bayesdx import load_network
from bayesdx.errors import NetworkFileError, UnknownNetworkError
from bayesdx.io import bundled_networks, resolve


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
    from helpers import TINY

    path = tmp_path / "t.yaml"
    path.write_text(TINY.read_text())
    first = load_network(path)
    assert load_network(path) is first
    path.write_text(TINY.read_text().replace("title: A three-node", "title: An edited"))
    assert load_network(path).title.startswith("An edited")


def test_data_folders_from_a_source_checkout(monkeypatch):
    """Imported from a checkout that is not installed, the data packages are the folders
    beside bayesdx/ (pyproject.toml maps networks/ and calibration/ to them on install)."""
    from pathlib import Path

    from bayesdx.io import _registry as registry
    from bayesdx.validation import default_targets_path

    root = Path(registry.__file__).resolve().parents[2]  # bayesdx/io/_registry.py
    installed = registry.bundled_path("marrow_signal")
    targets = default_targets_path()

    def not_importable(package):
        raise ModuleNotFoundError(f"No module named {package!r}", name=package)

    import importlib.resources  # the registry imports it when a bundled name is looked up

    monkeypatch.setattr(importlib.resources, "files", not_importable)
    if (root / "networks" / "__init__.py").is_file():  # running from the source checkout
        assert registry.bundled_path("marrow_signal") == root / "networks" / "marrow_signal.yaml"
        assert default_targets_path() == root / "calibration" / "targets.yaml"
        assert registry.bundled_path("marrow_signal").read_text() == installed.read_text()
        assert default_targets_path().read_text() == targets.read_text()
    else:  # an install: no checkout beside the package, so the error stands
        with pytest.raises(ModuleNotFoundError):
            registry.bundled_networks()


PATHS = [
    "", ".", "/", "//", "///", "a", "a/", "./a.bif", "a//b.BIF", "//x/./y.net", "///x.xdsl",
    "a/.bif", "..bif", "a/..bif", "x.tar.gz", "name.", "a.b/c", "a/b/../c.uai", "~/n.yaml",
    "dir.bif/", "a\\b.bif", ".hidden", "a/./.", " sp ace.bif", "é/ü.Dsl",
]  # fmt: skip


@pytest.mark.parametrize("text", PATHS)
def test_paths_are_taken_apart_as_pathlib_does(text):
    """The query path reads a network file without importing pathlib: the same text."""
    from pathlib import Path

    from bayesdx.io import _registry as registry

    assert registry._normal(text) == str(Path(text))
    assert registry.path_suffix(text) == Path(text).suffix


def test_resolved_text_is_resolve_as_text(tmp_path):
    from bayesdx.io._registry import resolved_text

    (tmp_path / "n.bif").write_text("network x {}")
    messy = f"{tmp_path}//./n.bif"
    assert resolved_text(messy) == str(resolve(messy)) == str(tmp_path / "n.bif")
    assert resolved_text("marrow_signal") == str(resolve("marrow_signal"))
    for bad in (tmp_path / "missing.bif", "marrow"):
        with pytest.raises((NetworkFileError, UnknownNetworkError)) as a:
            resolved_text(bad)
        with pytest.raises(type(a.value)) as b:
            resolve(bad)
        assert str(a.value) == str(b.value)
