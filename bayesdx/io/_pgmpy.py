"""The one place that talks to pgmpy.

pgmpy renames classes and methods between releases (``BayesianNetwork`` became
``DiscreteBayesianNetwork``, ``write_bif`` became ``write``) and some of its return types
depend on flags. Everything else in bayesdx works on plain numpy arrays; this module converts
a network to a pgmpy model and runs pgmpy's VariableElimination as the reference that the
tests compare against. Files are read and written by bayesdx's own readers and writers
(:mod:`bayesdx.io._readers`, :mod:`bayesdx.io._writers`); pgmpy is imported only when one of
these functions is called, never on the load path.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bayesdx.io._writers import EXPORT_SUFFIXES, ExportResult, export_text

if TYPE_CHECKING:
    from bayesdx.model import Network

__all__ = [
    "EXPORT_FORMATS",
    "check_model",
    "to_pgmpy",
    "variable_elimination",
    "ve_engine",
    "write_model",
]

#: the formats :func:`write_model` writes (bayesdx's own writers, not pgmpy's)
EXPORT_FORMATS = tuple(EXPORT_SUFFIXES)


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


def write_model(network: Network, path: str, fmt: str) -> ExportResult:
    """Write the network in one of :data:`EXPORT_FORMATS` with bayesdx's own writers.

    Full precision, the network's id, title and labels where the format holds them; names
    rewritten to the format's rules. Returns what was renamed and what was not exported
    (:class:`~bayesdx.io.ExportResult`). The suffix of ``path`` is not checked here (the
    command line writes through a scratch file); see :func:`~bayesdx.io.check_export_suffix`.
    """
    result = export_text(network, fmt)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(result.text)
    return result


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
