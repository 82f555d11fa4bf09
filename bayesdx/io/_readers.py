"""Read a network file in a foreign format with bayesdx's own readers (no pgmpy).

One entry point, :func:`read_model`, dispatches on the format name that
:data:`~bayesdx.io.IMPORT_SUFFIXES` gives a suffix.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from bayesdx.errors import NetworkFileError

if TYPE_CHECKING:
    from bayesdx.model import NetworkSpec

__all__ = ["READERS", "read_model"]

#: format name -> (module, reader); a reader's module is imported when a file needs it
_WHERE = {
    "bif": ("bayesdx.io._bif", "read_bif"),
    "xmlbif": ("bayesdx.io._xmlbif", "read_xmlbif"),
    "xdsl": ("bayesdx.io._xdsl", "read_xdsl"),
    "net": ("bayesdx.io._hugin", "read_net"),
    "dsl": ("bayesdx.io._dsl", "read_dsl"),
    "uai": ("bayesdx.io._uai", "read_uai"),
}


class _Readers(Mapping[str, Callable[[str], "NetworkSpec"]]):
    """Format name -> reader (path -> spec), each reader imported on first use."""

    def __getitem__(self, fmt: str) -> Callable[[str], NetworkSpec]:
        module, name = _WHERE[fmt]
        reader: Callable[[str], NetworkSpec] = getattr(importlib.import_module(module), name)
        return reader

    def __iter__(self) -> Iterator[str]:
        return iter(_WHERE)

    def __len__(self) -> int:
        return len(_WHERE)


#: format name -> reader (path -> spec)
READERS: Mapping[str, Callable[[str], NetworkSpec]] = _Readers()


def read_model(path: str, fmt: str) -> NetworkSpec:
    """Read a BIF, XMLBIF, XDSL, Hugin NET, GeNIe DSL or UAI file into a spec.

    Imported nodes have no roles, sources or uncertainty; their tables are kept as read,
    in full precision. A file that cannot be read faithfully is refused with a
    :class:`~bayesdx.errors.NetworkFileError` naming the file, the line or element, and
    what is wrong.

    Parameters
    ----------
    path : str
        The file.
    fmt : str
        One of ``bif``, ``xmlbif``, ``xdsl``, ``net``, ``dsl``, ``uai``.

    Returns
    -------
    NetworkSpec
    """
    reader = READERS.get(fmt)
    if reader is None:
        raise NetworkFileError(
            path, f"unknown format {fmt!r}; readable formats: {', '.join(READERS)}"
        )
    return reader(path)
