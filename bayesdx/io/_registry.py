"""Find networks: the bundled ones (package data) by name, or any file by path."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from bayesdx.errors import NetworkFileError, UnknownNetworkError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "IMPORT_SUFFIXES",
    "YAML_SUFFIXES",
    "bundled_networks",
    "bundled_path",
    "package_data",
    "path_suffix",
    "resolve",
    "resolved_text",
]

YAML_SUFFIXES = (".yaml", ".yml")
#: file types read by bayesdx's own readers (see :func:`bayesdx.io.read_model`)
IMPORT_SUFFIXES = {
    ".bif": "bif",
    ".xmlbif": "xmlbif",
    ".xml": "xmlbif",
    ".bifxml": "xmlbif",
    ".xdsl": "xdsl",
    ".net": "net",
    ".dsl": "dsl",
    ".uai": "uai",
}
_NOT_NETWORKS = {"sources"}


def package_data(package: str, checkout_folder: str) -> Path:
    """The folder of a data package (``bayesdx.networks``, ``bayesdx.calibration_data``).

    An install maps the checkout's ``networks/`` and ``calibration/`` to these packages
    (``package-dir`` in pyproject.toml). When ``bayesdx`` is imported from a source checkout
    that is not installed editable, they are not importable: then the checkout's folder
    beside the package is the data.
    """
    from importlib import resources  # only for a bundled name: a path never needs it
    from pathlib import Path

    try:
        return Path(str(resources.files(package)))
    except ModuleNotFoundError:
        folder = Path(__file__).resolve().parents[2] / checkout_folder  # beside bayesdx/
        if not (folder / "__init__.py").is_file():
            raise
        return folder


def _folder() -> Path:
    return package_data("bayesdx.networks", "networks")


def bundled_networks() -> list[str]:
    """Names of the networks shipped with the package.

    Examples
    --------
    >>> "marrow_signal" in bundled_networks()
    True
    """
    return sorted(p.stem for p in _folder().glob("*.yaml") if p.stem not in _NOT_NETWORKS)


def bundled_path(name: str) -> Path:
    """The file of a bundled network; :class:`UnknownNetworkError` if there is none."""
    if name not in bundled_networks():
        raise UnknownNetworkError(name, bundled_networks())
    return _folder() / f"{name}.yaml"


def resolve(name_or_path: str | Path) -> Path:
    """A bundled network's file, or an existing file of a supported type.

    Raises
    ------
    UnknownNetworkError
        For a name that is neither bundled nor a file.
    NetworkFileError
        For a path that does not exist or has an unsupported suffix.
    """
    from pathlib import Path

    return Path(resolved_text(name_or_path))


#: POSIX paths are taken apart here as :mod:`pathlib` does, without importing it (with
#: urllib.parse and ipaddress, a few milliseconds of every start)
_POSIX = os.sep == "/" and os.altsep is None


def _normal(text: str) -> str:
    """``str(pathlib.Path(text))`` on POSIX: repeated slashes and ``.`` parts dropped.

    >>> _normal("./nets//a.bif/"), _normal("//x/./y"), _normal("///x"), _normal("")
    ('nets/a.bif', '//x/y', '/x', '.')
    """
    if not _POSIX:
        from pathlib import Path

        return str(Path(text))
    rest = text.lstrip("/")
    root = "" if rest == text else "//" if len(text) - len(rest) == 2 else "/"
    return root + "/".join(p for p in rest.split("/") if p and p != ".") or "."


def path_suffix(text: str) -> str:
    """``pathlib.Path(text).suffix``, without importing pathlib on POSIX.

    >>> path_suffix("a/net.BIF"), path_suffix("a.b/.bif"), path_suffix("x.tar.gz")
    ('.BIF', '', '.gz')
    """
    if not _POSIX:
        from pathlib import Path

        return Path(text).suffix
    name = _normal(text).rpartition("/")[2]
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def resolved_text(name_or_path: str | Path) -> str:
    """:func:`resolve`'s file as text (``str(resolve(name_or_path))``), the same checks made.

    Raises
    ------
    UnknownNetworkError, NetworkFileError
        As :func:`resolve`.
    """
    text = str(name_or_path)
    ext = path_suffix(text).lower()
    looks_like_path = "/" in text or "\\" in text or ext != ""
    if not looks_like_path:  # a bundled name is a bare id: a path never looks it up
        if isinstance(name_or_path, str) and text in bundled_networks():
            return str(bundled_path(text))
        raise UnknownNetworkError(text, bundled_networks())
    valid = ", ".join((*YAML_SUFFIXES, *IMPORT_SUFFIXES))
    if ext not in YAML_SUFFIXES and ext not in IMPORT_SUFFIXES:
        raise NetworkFileError(text, f"unsupported file type '{ext}'; valid types: {valid}")
    path = _normal(text)
    if not os.path.isfile(path):
        raise NetworkFileError(text, "no such file")
    return path
