"""The content-keyed cache of network files (bayesdx.io._cache)."""

from __future__ import annotations

import os
import re
import stat

import numpy as np
import pytest

from bayesdx.io import EXPORT_FORMATS, export_text
from bayesdx.io import _cache as cache
from bayesdx.io._load import _load
from bayesdx.io._registry import IMPORT_SUFFIXES

SUFFIX = {fmt: next(s for s, f in IMPORT_SUFFIXES.items() if f == fmt) for fmt in EXPORT_FORMATS}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    out = tmp_path / "cache"
    monkeypatch.setenv("BAYESDX_CACHE_DIR", str(out))
    monkeypatch.delenv("BAYESDX_NO_CACHE", raising=False)
    return out


def _same(a, b):
    assert (a.id, a.title, a.description, a.path) == (b.id, b.title, b.description, b.path)
    assert list(a.nodes) == list(b.nodes)
    for k, node in a.nodes.items():
        other = b.nodes[k]
        assert (node.states, node.parents, node.label) == (other.states, other.parents,
                                                          other.label)  # fmt: skip
        assert node.cpt.values.dtype == other.cpt.values.dtype
        assert np.array_equal(node.cpt.values, other.cpt.values)  # to the bit
        assert node.cpt.origin == other.cpt.origin


def _entries(folder):
    return sorted(folder.glob("*.bdxnet"))


@pytest.mark.parametrize("fmt", [f for f in EXPORT_FORMATS if f != "uai"])
def test_a_cached_network_equals_the_one_read(hepar2, tmp_path, folder, fmt):
    path = tmp_path / f"hepar2{SUFFIX[fmt]}"
    path.write_text(export_text(hepar2, fmt).text)
    read = _load(str(path))
    assert len(_entries(folder)) == 1
    again = _load(str(path))
    _same(read.spec, again.spec)
    spec, key = cache.cached_spec(str(path), fmt)
    assert spec is not None and key is not None
    _same(read.spec, spec)


def test_one_changed_byte_is_read_again(hepar2, tmp_path, folder):
    path = tmp_path / "h.bif"
    text = export_text(hepar2, "bif").text
    path.write_text(text)
    first = _load(str(path))
    # the same size and the same modification time: only the content tells
    mtime = path.stat().st_mtime_ns
    row = re.search(r"table (\d\.\d+), (\d\.\d+);", text)
    assert row and len(row[1]) == len(row[2]) and row[1] != row[2]
    changed = text.replace(row[0], f"table {row[2]}, {row[1]};", 1)  # a row's two numbers swapped
    assert len(changed) == len(text) and changed != text
    path.write_text(changed)
    os.utime(path, ns=(mtime, mtime))
    second = _load(str(path))
    assert len(_entries(folder)) == 2
    assert any(
        not np.array_equal(first.spec.nodes[k].cpt.values, second.spec.nodes[k].cpt.values)
        for k in first.spec.nodes
    )


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_entry_is_ignored_and_replaced(hepar2, tmp_path, folder, damage):
    path = tmp_path / "h.bif"
    path.write_text(export_text(hepar2, "bif").text)
    good = _load(str(path))
    (entry,) = _entries(folder)
    blob = entry.read_bytes()
    bad = {
        "truncate": blob[: len(blob) // 2],
        "flip": blob[:-9] + bytes([blob[-9] ^ 1]) + blob[-8:],
        "garbage": b"\x00\xff" * 100,
        "empty": b"",
    }[damage]
    entry.write_bytes(bad)
    assert cache.cached_spec(str(path), "bif")[0] is None
    again = _load(str(path))
    _same(good.spec, again.spec)
    assert entry.read_bytes() == blob  # written again, whole


def test_a_folder_others_can_write_is_not_used(hepar2, tmp_path, folder):
    path = tmp_path / "h.bif"
    path.write_text(export_text(hepar2, "bif").text)
    folder.mkdir(mode=0o700)
    folder.chmod(0o777)
    _load(str(path))
    assert _entries(folder) == []
    folder.chmod(0o700)
    _load(str(path))
    assert len(_entries(folder)) == 1
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_the_cache_can_be_turned_off(hepar2, tmp_path, folder, monkeypatch):
    monkeypatch.setenv("BAYESDX_NO_CACHE", "1")
    path = tmp_path / "h.bif"
    path.write_text(export_text(hepar2, "bif").text)
    _load(str(path))
    assert not folder.exists()


def test_an_unwritable_place_is_not_an_error(hepar2, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BAYESDX_CACHE_DIR", str(blocker / "cache"))
    path = tmp_path / "h.bif"
    path.write_text(export_text(hepar2, "bif").text)
    assert _load(str(path)).spec.id == "hepar2"


def test_small_files_are_not_cached(tiny, tmp_path, folder):
    path = tmp_path / "tiny.bif"
    path.write_text(export_text(tiny, "bif").text)
    assert path.stat().st_size < cache.MIN_BYTES
    _load(str(path))
    assert _entries(folder) == []


def test_at_most_max_entries_are_kept(hepar2, tmp_path, folder, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    text = export_text(hepar2, "bif").text
    for i in range(5):
        path = tmp_path / f"h{i}.bif"  # the path is part of the key
        path.write_text(text)
        _load(str(path))
    assert len(_entries(folder)) == 3


def test_a_refused_file_is_refused_again(hepar2, tmp_path, folder):
    """The cache never hides a reader's refusal: nothing is stored for a bad file."""
    from bayesdx.errors import NetworkFileError

    path = tmp_path / "bad.bif"
    path.write_text(export_text(hepar2, "bif").text.replace("probability", "probabilty", 1))
    for _ in range(2):
        with pytest.raises(NetworkFileError):
            _load(str(path))
    assert _entries(folder) == []


# ---------------------------------------------------------------- YAML documents
@pytest.fixture
def marrow_copy(tmp_path):
    """The bundled network and its bibliography, copied (both above MIN_BYTES)."""
    from bayesdx.io._registry import bundled_path

    src = bundled_path("marrow_signal")
    out = tmp_path / "net"
    out.mkdir()
    for name in ("marrow_signal.yaml", "sources.yaml"):
        (out / name).write_bytes((src.parent / name).read_bytes())
    return out / "marrow_signal.yaml"


def _parses(monkeypatch):
    from bayesdx.io import _yaml

    calls = []
    parse = _yaml._parse

    def spy(*args):
        calls.append(args[0])
        return parse(*args)

    monkeypatch.setattr(_yaml, "_parse", spy)
    return calls


def test_a_yaml_network_is_parsed_once(marrow_copy, folder, monkeypatch):
    calls = _parses(monkeypatch)
    first = _load(str(marrow_copy))
    assert len(calls) == 2 and len(_entries(folder)) == 2  # the network and its sources
    again = _load(str(marrow_copy))
    assert len(calls) == 2  # no parse: both documents came from the cache
    assert again.spec == first.spec
    monkeypatch.setenv("BAYESDX_NO_CACHE", "1")
    assert _load(str(marrow_copy)).spec == first.spec and len(calls) == 4


def test_a_changed_yaml_file_is_parsed_again(marrow_copy, folder, monkeypatch):
    calls = _parses(monkeypatch)
    _load(str(marrow_copy))
    text = marrow_copy.read_text()
    marrow_copy.write_text(text.replace("title: ", "title: X", 1))
    changed = _load(str(marrow_copy))
    assert changed.spec.title.startswith("X") and len(calls) == 3  # the network only


def test_a_damaged_yaml_entry_is_ignored(marrow_copy, folder, monkeypatch):
    first = _load(str(marrow_copy))
    for entry in _entries(folder):
        blob = bytearray(entry.read_bytes())
        blob[len(blob) // 2] ^= 0x40
        entry.write_bytes(bytes(blob))
    calls = _parses(monkeypatch)
    assert _load(str(marrow_copy)).spec == first.spec and len(calls) == 2


def test_case_files_and_unwritable_documents_are_not_kept(tmp_path, folder):
    from bayesdx.io._yaml import read_yaml

    case = tmp_path / "case.yaml"
    case.write_text("".join(f"# {'x' * 70}\n" for _ in range(300)) + "hb: 10.4\n")
    assert read_yaml(case, case=True) == {"hb": 10.4}
    assert not _entries(folder)
    _, key = cache.cached_document(str(case), case.read_text())
    cache.store_document(key, str(case), {"a": object()})  # not plain data: not kept
    assert not _entries(folder)
