"""A cache of network files read by the foreign readers, keyed on their content.

Reading a large BIF, NET or XDSL file in Python takes a while (MUNIN's 800 KB: about a
quarter of a second); reading it again should not. After a file is read, its network is
kept in the user's cache folder under a key made of the file's bytes (BLAKE2b), the path as
given, the format and the bayesdx version: a file that changes in any byte is read again,
and a file is never trusted because of its name or its modification time.

The cache holds data only, never code: a header of plain values (ids, states, parents,
labels, shapes: text, numbers and lists in :mod:`marshal`'s format 4, which CPython reads
without importing anything) and the tables as raw float64, behind a BLAKE2b checksum over
both; the header is read only once the checksum matches. An entry that is damaged,
truncated or written by another version is ignored (and replaced). The folder is
``$BAYESDX_CACHE_DIR``, else ``$XDG_CACHE_HOME/bayesdx/networks``, else
``~/.cache/bayesdx/networks``; it is used only when it belongs to the user and nobody else
can write to it. ``BAYESDX_NO_CACHE=1`` turns the cache off. It keeps at most
:data:`MAX_ENTRIES` entries (the oldest go first). A folder that cannot be written (a
read-only home) is not an error: the file is simply read each time.

Only what a reader can produce is cached: imported tables, ids, states, parents and
labels. Anything else (a network with a decision section, groups, roles) is not cached.

A large YAML document (a ``bayesdx/1`` network, a bibliography) is kept the same way, as the
plain values the YAML loader made of it (mappings, lists, text, numbers: :mod:`marshal`
again), keyed on its text and path: parsing the bundled network's 120 KB in Python costs
every command that loads it tens of milliseconds. The document is validated afresh each
time, as a parsed one is; only the parse is saved.
"""

from __future__ import annotations

import contextlib
import marshal
import math
import os
from typing import TYPE_CHECKING

import numpy as np

from bayesdx._version import __version__
from bayesdx.limits import MAX_NETWORK_BYTES
from bayesdx.model import FixedCPT, NetworkSpec, NodeSpec, Source

try:  # CPython's own BLAKE2 module: hashlib would load OpenSSL first, a few ms of every start
    from _blake2 import blake2b  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - another Python
    from hashlib import blake2b

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "MAX_ENTRIES",
    "MIN_BYTES",
    "cache_folder",
    "cached_document",
    "cached_spec",
    "code_folder",
    "store_document",
    "store_spec",
]

#: entries kept; the least recently written go first
MAX_ENTRIES = 64
#: smaller files are read faster than the cache could save
MIN_BYTES = 16 << 10
_LAYOUT = 3  # the entry layout below; a change makes old entries unreadable, so ignored
_MARSHAL = 4  # marshal's format for the header: plain values, the same in every CPython 3
_SUM = 32  # bytes of the checksum that starts an entry
_EXPERT = Source("expert", "none", "expert")  # what every reader puts in a spec's sources


def cache_folder() -> Path | None:
    """The cache folder, or None when the cache is off (``BAYESDX_NO_CACHE``).

    Examples
    --------
    >>> import os
    >>> os.environ["BAYESDX_NO_CACHE"] = "1"
    >>> cache_folder() is None
    True
    >>> del os.environ["BAYESDX_NO_CACHE"]
    """
    from pathlib import Path

    folder = _folder()
    return None if folder is None else Path(folder)


def code_folder(name: str) -> str | None:
    """A subfolder ``name`` of the cache folder for compiled code that the engine keeps
    (numba's cache of :mod:`bayesdx.inference._loops`), made if needed; None when the cache
    is off or the folder is not the user's alone (its files are run).

    Examples
    --------
    >>> folder = code_folder("loops")
    >>> folder is None or os.path.basename(folder) == "loops"
    True
    """
    folder = _folder()
    if folder is None:
        return None
    path = os.path.join(folder, name)
    try:  # each folder made private (makedirs' mode is for the last one only)
        os.makedirs(os.path.dirname(folder) or ".", exist_ok=True)
        for made in (folder, path):
            with contextlib.suppress(FileExistsError):
                os.mkdir(made, mode=0o700)
    except OSError:
        return None
    return path if _usable(folder) and _usable(path) else None


def _folder() -> str | None:
    """:func:`cache_folder` as text, without importing pathlib (a query reads the cache)."""
    if os.environ.get("BAYESDX_NO_CACHE", "").strip() not in {"", "0"}:
        return None
    explicit = os.environ.get("BAYESDX_CACHE_DIR", "").strip()
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if not base:  # Path.home() / ".cache"
        home = os.path.expanduser("~")
        if home.startswith("~"):
            raise RuntimeError("Could not determine home directory.")  # as Path.home()
        base = os.path.join(home, ".cache")
    return os.path.join(base, "bayesdx", "networks")


def _key(data: bytes, path: str, fmt: str) -> str:
    h = blake2b(data, digest_size=32)
    h.update(f"\0{path}\0{fmt}\0{__version__}\0{_LAYOUT}".encode())
    return h.hexdigest()


def _usable(folder: str | Path) -> bool:
    """The folder is the user's and nobody else can write to it (entries are trusted data)."""
    try:
        st = os.stat(folder)
    except OSError:
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & 0o022


def _file_bytes(path: str) -> bytes | None:
    """The file's bytes when it is worth caching (within the size limit), else None."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_NETWORK_BYTES + 1)
    except OSError:
        return None
    if len(data) < MIN_BYTES or len(data) > MAX_NETWORK_BYTES:
        return None
    return data


def cached_spec(path: str, fmt: str) -> tuple[NetworkSpec | None, str | None]:
    """The network of ``path`` from the cache, and the key to store it under.

    Returns
    -------
    (spec, key)
        ``spec`` is None on a miss; ``key`` is None when the file is not to be cached (the
        cache is off, or the file is small or unreadable: its reader says why).
    """
    folder = _folder()
    if folder is None:
        return None, None
    data = _file_bytes(path)
    if data is None:
        return None, None
    key = _key(data, path, fmt)
    blob = _entry(folder, key)
    return (None if blob is None else _decode(blob, path)), key


def _entry(folder: str, key: str) -> bytes | None:
    """The bytes of the entry ``key``, or None (no entry, or a folder not to be trusted)."""
    if not _usable(folder):
        return None
    try:
        with open(os.path.join(folder, f"{key}.bdxnet"), "rb") as f:
            return f.read()
    except OSError:
        return None


def cached_document(path: str, text: str) -> tuple[object, str | None]:
    """The parsed YAML document of ``path`` (whose text is ``text``) from the cache, and
    the key to store it under.

    Returns
    -------
    (document, key)
        ``document`` is None on a miss; ``key`` is None when the text is not to be cached
        (the cache is off, or the text is small).
    """
    folder = _folder()
    if folder is None:
        return None, None
    data = text.encode("utf-8", "surrogatepass")
    if len(data) < MIN_BYTES:
        return None, None
    key = _key(data, path, "yaml-document")
    blob = _entry(folder, key)
    if blob is None:
        return None, key
    try:
        body = memoryview(blob)[_SUM:]
        if len(blob) < _SUM + 8 or blake2b(body, digest_size=_SUM).digest() != blob[:_SUM]:
            return None, key
        header = marshal.loads(body)
        if not isinstance(header, dict) or header.get("layout") != _LAYOUT:
            return None, key
        if header.get("path") != path or header.get("kind") != "yaml-document":
            return None, key
        return header["document"], key
    except (ValueError, KeyError, TypeError, EOFError):
        return None, key


def store_document(key: str | None, path: str, document: object) -> None:
    """Keep a parsed YAML document under ``key`` (nothing happens when it cannot be: a
    value :mod:`marshal` cannot write, or a cache that cannot be written)."""
    if key is None or document is None:
        return
    header = {"layout": _LAYOUT, "kind": "yaml-document", "path": path, "document": document}
    try:
        body = marshal.dumps(header, _MARSHAL)
    except ValueError:  # a value that is not plain data
        return
    _write(key, blake2b(body, digest_size=_SUM).digest() + body)


def store_spec(key: str | None, spec: NetworkSpec) -> None:
    """Keep a spec a reader produced under ``key`` (nothing happens when it cannot be)."""
    if key is None:
        return
    blob = _encode(spec)
    if blob is not None:
        _write(key, blob)


def _write(key: str, blob: bytes) -> None:
    """Write an entry atomically (a private temporary file, then a rename)."""
    folder = cache_folder()
    if folder is None:
        return
    import tempfile  # only when an entry is written
    from pathlib import Path

    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _usable(folder):
            return
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".entry-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
            os.replace(tmp, folder / f"{key}.bdxnet")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(folder)
    except OSError:
        return


def _prune(folder: Path) -> None:
    entries = []
    for p in folder.glob("*.bdxnet"):
        try:
            entries.append((p.stat().st_mtime_ns, p))
        except OSError:
            continue
    for _, p in sorted(entries, reverse=True)[MAX_ENTRIES:]:
        p.unlink(missing_ok=True)


def _encode(spec: NetworkSpec) -> bytes | None:
    """The entry's bytes, or None for a spec with more than a reader produces."""
    plain = (
        not spec.groups
        and not spec.population
        and spec.decision is None
        and not spec.files
        and not spec.legacy
        and spec.sources == {"expert": _EXPERT}
    )
    if not plain:
        return None
    nodes, tables = [], []
    for node in spec.nodes.values():
        cpt = node.cpt
        default = NodeSpec(id=node.id, states=node.states, parents=node.parents, cpt=cpt)
        if (
            not isinstance(cpt, FixedCPT)
            or cpt.parents != node.parents
            or cpt.origin != spec.path
            or (node.role, node.description, node.default, node.measure, node.raw_to)
            != (default.role, default.description, default.default, default.measure,
                default.raw_to)
        ):  # fmt: skip
            return None
        values = np.ascontiguousarray(cpt.values, dtype="<f8")
        nodes.append([node.id, list(node.states), list(node.parents), node.label,
                      list(values.shape)])  # fmt: skip
        tables.append(values.tobytes())
    payload = b"".join(tables)
    header = {
        "layout": _LAYOUT,
        "id": spec.id,
        "title": spec.title,
        "description": spec.description,
        "path": spec.path,
        "nodes": nodes,
    }
    head = marshal.dumps(header, _MARSHAL)
    body = len(head).to_bytes(8, "little") + head + payload
    return blake2b(body, digest_size=_SUM).digest() + body


def _decode(blob: bytes, path: str) -> NetworkSpec | None:
    """The spec of an entry, or None when the entry is damaged or not this file's.

    The checksum is checked before anything else is read: a damaged entry never reaches
    :mod:`marshal`.
    """
    try:
        body = memoryview(blob)[_SUM:]
        if len(blob) < _SUM + 8 or blake2b(body, digest_size=_SUM).digest() != blob[:_SUM]:
            return None
        size = int.from_bytes(body[:8], "little")
        header = marshal.loads(body[8 : 8 + size])
        if header.get("layout") != _LAYOUT or header.get("path") != path:
            return None
        values = np.frombuffer(body[8 + size :], dtype="<f8")
        nodes: dict[str, NodeSpec] = {}
        at = 0
        for node_id, states, parents, label, shape in header["nodes"]:
            cells = math.prod(shape)
            table = values[at : at + cells].reshape(shape).astype(float)
            at += cells
            nodes[node_id] = NodeSpec(
                id=node_id,
                states=tuple(states),
                parents=tuple(parents),
                cpt=FixedCPT(values=table, parents=tuple(parents), origin=path),
                label=label,
            )
        if at != values.size:
            return None
        return NetworkSpec(
            id=header["id"],
            title=header["title"],
            description=header["description"],
            nodes=nodes,
            sources={"expert": _EXPERT},
            path=path,
        )
    except (ValueError, KeyError, TypeError, IndexError, EOFError, AttributeError):
        return None
