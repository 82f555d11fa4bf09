"""Load a network by bundled name or by path (YAML, or a foreign format: BIF, XDSL, ...)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from bayesdx._lazy import load_on_use
from bayesdx.errors import ArgumentError
from bayesdx.io._cache import cached_spec, store_spec
from bayesdx.io._registry import IMPORT_SUFFIXES, path_suffix, resolved_text
from bayesdx.model import Network

if TYPE_CHECKING:
    from pathlib import Path

    from bayesdx.io import _readers, _yaml
else:  # a network read from the cache needs neither the readers nor the YAML loader
    _readers = load_on_use("bayesdx.io._readers")
    _yaml = load_on_use("bayesdx.io._yaml")

__all__ = ["load_network"]


def load_network(name_or_path: str | Path) -> Network:
    """Load a bundled network by name, or a network file by path.

    Parameters
    ----------
    name_or_path : str or Path
        A bundled name (see :func:`bayesdx.registry.bundled_networks`) or a path to a
        ``.yaml`` network file, or a ``.bif``, ``.xmlbif``/``.xml``/``.bifxml``, ``.xdsl``,
        ``.net`` (Hugin), ``.dsl`` (GeNIe) or ``.uai`` file (read by bayesdx's own readers,
        in full precision, with no roles needed).

    Returns
    -------
    Network

    Raises
    ------
    UnknownNetworkError, NetworkFileError

    Examples
    --------
    >>> load_network("marrow_signal")
    <Network 'marrow_signal': ... nodes, ... edges>
    """

    if not isinstance(name_or_path, str | os.PathLike):
        raise ArgumentError(
            "load_network takes a bundled network's name or a file's path, got "
            f"{type(name_or_path).__name__}"
        )
    key = resolved_text(name_or_path)  # str(resolve(...)), without importing pathlib
    cached = _CACHE.get(key)
    if cached is not None and _signature(cached.spec.files or (key,)) == cached._signature:
        return cached
    network = _load(key)
    network._signature = _signature(network.spec.files or (key,))
    _CACHE[key] = network
    return network


_CACHE: dict[str, Network] = {}


def _signature(files: tuple[str, ...]) -> tuple:
    """Modification time and size of every file a network was read from."""
    out: list[tuple[str, int | None, int | None]] = []
    for f in files:
        try:
            stat = os.stat(f)
            out.append((f, stat.st_mtime_ns, stat.st_size))
        except OSError:
            out.append((f, None, None))
    return tuple(out)


def _load(path: str) -> Network:
    suffix = path_suffix(path).lower()
    if suffix in IMPORT_SUFFIXES:
        fmt = IMPORT_SUFFIXES[suffix]
        spec, key = cached_spec(path, fmt)  # a large file read before, byte for byte
        if spec is None:
            spec = _readers.read_model(path, fmt)
            store_spec(key, spec)
        return Network(spec)

    return Network(_yaml.load_spec(path))
