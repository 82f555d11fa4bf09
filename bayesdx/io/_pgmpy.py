"""The one place that talks to pgmpy.

pgmpy renames classes and methods between releases (``BayesianNetwork`` became
``DiscreteBayesianNetwork``, ``write_bif`` became ``write``) and some of its return types
depend on flags. Everything else in bayesdx works on plain numpy arrays; this module converts
both ways, reads and writes pgmpy's file formats, and runs pgmpy's VariableElimination as the
reference that the tests compare against. pgmpy is imported only when one of these functions
is called.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.errors import NetworkFileError
from bayesdx.io._yaml import _not_utf8, read_text
from bayesdx.limits import MAX_NETWORK_BYTES
from bayesdx.model import FixedCPT, NetworkSpec, NodeSpec, Source, check_table_size, shown

if TYPE_CHECKING:
    from bayesdx.model import Network, NetworkSpec

__all__ = [
    "EXPORT_FORMATS",
    "check_model",
    "read_model",
    "to_pgmpy",
    "variable_elimination",
    "ve_engine",
    "write_model",
]

#: format name -> (reader class, writer class) in ``pgmpy.readwrite``
_CLASSES = {
    "bif": ("BIFReader", "BIFWriter"),
    "xmlbif": ("XMLBIFReader", "XMLBIFWriter"),
    "xdsl": ("XDSLReader", "XDSLWriter"),
    "net": ("NETReader", "NETWriter"),
}
EXPORT_FORMATS = tuple(_CLASSES)


def _quiet_import(module: str, *names: str) -> list[Any]:
    """Import from pgmpy without its import-time deprecation warnings."""
    import importlib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mod = importlib.import_module(module)
    return [getattr(mod, n) for n in names]


def to_pgmpy(network: Network) -> Any:
    """The network as a ``pgmpy`` ``DiscreteBayesianNetwork`` with ``TabularCPD`` s.

    Examples
    --------
    >>> import bayesdx
    >>> model = to_pgmpy(bayesdx.load_network("marrow_signal"))
    >>> model.check_model()
    True
    """
    (model_cls,) = _quiet_import("pgmpy.models", "DiscreteBayesianNetwork")
    (cpd_cls,) = _quiet_import("pgmpy.factors.discrete", "TabularCPD")
    model = model_cls()
    model.add_nodes_from(network.variables)
    model.add_edges_from((p, v) for v in network.variables for p in network.parents[v])
    cpds = []
    for v in network.variables:
        table = network.cpts[v]
        card = table.shape[-1]
        parents = list(network.parents[v])
        cpds.append(
            cpd_cls(
                v,
                card,
                table.reshape(-1, card).T,
                evidence=parents or None,
                evidence_card=[len(network.states[p]) for p in parents] or None,
                state_names={n: list(network.states[n]) for n in (v, *parents)},
            )
        )
    model.add_cpds(*cpds)
    return model


def check_model(network: Network) -> bool:
    """pgmpy's own consistency check of the compiled model."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bool(to_pgmpy(network).check_model())


#: pgmpy's BIF grammar, as its reader applies it, to size row-by-row tables before it does
_BIF_BLOCK = re.compile(r"(variable|probability).*?\}\n", re.DOTALL)
_BIF_NAME = re.compile(r"variable\s+([^{]+)\{")
_BIF_STATES = re.compile(r"type\s+\w+\s*\[\s*\d+\s*\]\s*\{([^}]+)\}\s*;")
_BIF_HEADER = re.compile(r"probability\s*\(\s*(.+?)(?:\s*\|\s*(.+?))?\s*\)")


def _check_bif_tables(path: str, text: str) -> None:
    """Refuse a BIF table too large to allocate, before pgmpy's reader allocates it.

    pgmpy fills a table given row by row (``(s1, s2) 0.1, 0.9;``) into an array of every
    parent combination, however few rows the file writes.
    """
    text = text.replace('"', " ")
    cards: dict[str, int] = {}
    headers: list[tuple[str, list[str]]] = []
    for match in _BIF_BLOCK.finditer(text):
        block = match.group(0)
        if block.startswith("variable"):
            name, states = _BIF_NAME.search(block), _BIF_STATES.search(block)
            if name and states:
                raw = states.group(1)
                count = len([s for s in raw.split(",") if s.strip()] if "," in raw else raw.split())
                cards[name.group(1).strip().lower()] = count
        else:
            header = _BIF_HEADER.search(block.split("\n")[0])
            if header:
                child, parents = header.group(1).strip(), header.group(2)
                if parents:
                    names = [p.strip() for p in parents.split(",")]
                else:
                    child, *names = child.split() or [""]
                headers.append((child, names))
    for child, parents in headers:
        parent_cards = [cards.get(p.lower(), 1) for p in parents]
        check_table_size(
            parent_cards, cards.get(child.lower(), 1), f"{path}: node '{shown(child, quote=False)}'"
        )


def read_model(path: str, fmt: str) -> NetworkSpec:
    """Read a BIF, XMLBIF, XDSL or NET file into a :class:`~bayesdx.spec.NetworkSpec`.

    Imported nodes have no roles, sources or uncertainty; their tables are kept as read. The
    file is read within :data:`~bayesdx.limits.MAX_NETWORK_BYTES`, and every table within
    :data:`~bayesdx.limits.MAX_TABLE_CELLS` (for BIF, before pgmpy allocates it).
    """

    try:
        text = read_text(path, MAX_NETWORK_BYTES, "MAX_NETWORK_BYTES", "network file")
    except OSError as exc:
        raise NetworkFileError(path, f"cannot read file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise NetworkFileError(path, f"cannot read file: {_not_utf8(exc)}") from None
    if not text.strip():
        raise NetworkFileError(path, f"the file is empty; is this a {fmt.upper()} file?")
    if fmt == "bif":
        _check_bif_tables(path, text)
    (reader_cls,) = _quiet_import("pgmpy.readwrite", _CLASSES[fmt][0])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = reader_cls(string=text).get_model()
    except Exception as exc:  # pgmpy raises many types on malformed input
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise NetworkFileError(
            path, f"cannot read as {fmt.upper()}: {shown(reason, 200, quote=False)}"
        ) from None
    if not model.nodes():
        raise NetworkFileError(path, f"no variables found; is this a {fmt.upper()} file?")
    nodes: dict[str, NodeSpec] = {}
    import networkx as nx

    for v in nx.topological_sort(model):
        cpd = model.get_cpds(v)
        if cpd is None:
            raise NetworkFileError(path, "no probability table", node=str(v))
        variables = [str(x) for x in cpd.variables]
        parents = tuple(variables[1:])
        check_table_size(
            [len(cpd.state_names[p]) for p in cpd.variables[1:]],
            len(cpd.state_names[v]),
            f"{path}: node '{shown(str(v), quote=False)}'",
        )
        values = np.moveaxis(np.asarray(cpd.values, dtype=float), 0, -1)
        nodes[str(v)] = NodeSpec(
            id=str(v),
            states=tuple(str(s) for s in cpd.state_names[v]),
            parents=parents,
            cpt=FixedCPT(values=values, parents=parents, origin=path),
            label=str(v),
        )
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return NetworkSpec(
        id=stem,
        title=f"{stem} (imported from {fmt.upper()})",
        description=f"Imported from {path}; no roles, sources or uncertainty.",
        nodes=nodes,
        sources={"expert": Source("expert", "none", "expert")},
        path=path,
    )


def write_model(network: Network, path: str, fmt: str) -> None:
    """Write the network in one of :data:`EXPORT_FORMATS` through pgmpy's writers."""
    (writer_cls,) = _quiet_import("pgmpy.readwrite", _CLASSES[fmt][1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        writer = writer_cls(to_pgmpy(network))
        writer.write(path)


def ve_engine(network: Network) -> Callable[[dict[str, str], str], dict[str, float]]:
    """pgmpy's VariableElimination, built once: ``ask(evidence, target) -> {state: p}``.

    The reference engine of the tests and the benchmark.
    """
    (ve_cls,) = _quiet_import("pgmpy.inference", "VariableElimination")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        engine = ve_cls(to_pgmpy(network))

    def ask(evidence: dict[str, str], target: str) -> dict[str, float]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            factor = engine.query([target], evidence=dict(evidence), show_progress=False)
        names = factor.state_names[target]
        return {str(s): float(p) for s, p in zip(names, factor.values, strict=True)}

    return ask


def variable_elimination(
    network: Network, evidence: dict[str, str], targets: list[str]
) -> dict[str, dict[str, float]]:
    """Posterior marginals from pgmpy's VariableElimination (the reference engine)."""
    ask = ve_engine(network)
    return {t: ask(evidence, t) for t in targets}
