"""Find networks: the bundled ones (package data) by name, or any file by path."""

from __future__ import annotations

from pathlib import Path

from bayesdx.errors import NetworkFileError, UnknownNetworkError

__all__ = [
    "IMPORT_SUFFIXES",
    "YAML_SUFFIXES",
    "bundled_networks",
    "bundled_path",
    "package_data",
    "resolve",
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
    text = str(name_or_path)
    path = Path(text)
    suffix = path.suffix.lower()
    looks_like_path = "/" in text or "\\" in text or suffix != ""
    if not looks_like_path:  # a bundled name is a bare id: a path never looks it up
        if isinstance(name_or_path, str) and text in bundled_networks():
            return bundled_path(text)
        raise UnknownNetworkError(text, bundled_networks())
    valid = ", ".join((*YAML_SUFFIXES, *IMPORT_SUFFIXES))
    if suffix not in YAML_SUFFIXES and suffix not in IMPORT_SUFFIXES:
        raise NetworkFileError(text, f"unsupported file type '{suffix}'; valid types: {valid}")
    if not path.is_file():
        raise NetworkFileError(text, "no such file")
    return path
