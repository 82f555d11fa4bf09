"""Read a network file in a foreign format with bayesdx's own readers (no pgmpy).

One entry point, :func:`read_model`, dispatches on the format name that
:data:`~bayesdx.io.IMPORT_SUFFIXES` gives a suffix.
"""

from __future__ import annotations

from collections.abc import Callable

from bayesdx.errors import NetworkFileError
from bayesdx.io._bif import read_bif
from bayesdx.io._dsl import read_dsl
from bayesdx.io._hugin import read_net
from bayesdx.io._uai import read_uai
from bayesdx.io._xdsl import read_xdsl
from bayesdx.io._xmlbif import read_xmlbif
from bayesdx.model import NetworkSpec

__all__ = ["READERS", "read_model"]

#: format name -> reader (path -> spec)
READERS: dict[str, Callable[[str], NetworkSpec]] = {
    "bif": read_bif,
    "xmlbif": read_xmlbif,
    "xdsl": read_xdsl,
    "net": read_net,
    "dsl": read_dsl,
    "uai": read_uai,
}


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
