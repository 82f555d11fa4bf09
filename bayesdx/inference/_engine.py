"""The one engine interface: many queries at once, on the back end that suits them.

Analyses (explanations, next tests, sensitivity, calibration, cohorts) ask for all their
queries in one call to :func:`posteriors`: a list of evidence sets, the target nodes, and
optionally replacement tables. One case without parameter draws goes to variable
elimination (:mod:`bayesdx.inference._ve`, the fast path for one query); anything more goes
to the compiled engine (:mod:`bayesdx.inference._compiled`), built once per network and
kept with its contraction plans for as long as the network lives. Both give the same
numbers to rounding and follow the same rules:

- **tables**: replacement tables per node, each of the node's table shape, or with a
  leading axis of parameter draws (see :func:`bayesdx.inference._graph.check_tables`).
- **impossible evidence**: flagged per row in :attr:`BatchResult.impossible` (posterior rows
  of zeros, never NaN), or raised as :class:`~bayesdx.errors.ImpossibleEvidenceError` naming
  the first impossible evidence set with ``impossible="raise"``. A probability that is tiny
  but positive is never impossible: totals below 1e-250 are recomputed with rescaling.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from bayesdx.errors import ArgumentError, ImpossibleEvidenceError
from bayesdx.inference._compiled import BatchResult, CompiledNetwork, compile_network
from bayesdx.inference._graph import check_tables, group_sums, resolve_targets
from bayesdx.inference._ve import solve
from bayesdx.model import as_network

if TYPE_CHECKING:
    from bayesdx.model import Network

__all__ = ["compiled", "posteriors"]

Backend = Literal["auto", "ve", "compiled"]

_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def compiled(network: Network) -> CompiledNetwork:
    """The compiled form of a network, made once per network object (plans are kept)."""
    cached = _COMPILED.get(network)
    if cached is None:
        cached = _COMPILED[network] = compile_network(network)
    return cached


def posteriors(
    network: Network,
    evidence_sets: Sequence[Mapping[str, str]],
    targets: str | Sequence[str] | None = None,
    *,
    tables: Mapping[str, np.ndarray] | None = None,
    impossible: Literal["flag", "raise"] = "flag",
    backend: Backend = "auto",
) -> BatchResult:
    """Posteriors of the targets for many evidence sets (and parameter draws) in one call.

    Parameters
    ----------
    network : Network
    evidence_sets : sequence of mapping
        Each a case as variable -> state id (already normalised, defaults applied: see
        :func:`bayesdx.model.normalise`).
    targets : str or sequence of str, optional
        Nodes whose posterior is wanted, the same for every set (default: the diagnosis
        nodes; ``"all"``: every node; an empty list: P(evidence) alone).
    tables : mapping, optional
        Replacement tables, node -> array of the node's table shape, or of shape
        ``(n_draws, *table shape)`` for parameter draws (every drawn table with the same
        ``n_draws``; a table without a draw axis is used in every draw). With draws every
        result array has a leading draw axis.
    impossible : {"flag", "raise"}
        ``"flag"``: an evidence set of probability zero is flagged in ``impossible`` and its
        posterior rows are zeros. ``"raise"``: :class:`ImpossibleEvidenceError` naming the
        first such set (in any draw).
    backend : {"auto", "ve", "compiled"}
        ``"auto"``: variable elimination for one set without draws, else the compiled
        engine. ``"ve"`` and ``"compiled"`` force one (``"ve"`` then runs one query per set
        and draw); both give the same numbers to rounding.

    Returns
    -------
    BatchResult
        Posteriors ``(n_sets, card)`` per target (``(n_draws, n_sets, card)`` with draws),
        P(evidence), ``impossible`` and the groups whose node is a target.

    Raises
    ------
    ImpossibleEvidenceError
        With ``impossible="raise"``.
    UnknownVariableError, UnknownStateError, ArgumentError
        For unknown targets, variables or states, or tables of the wrong shape.

    Examples
    --------
    >>> import bayesdx
    >>> net = bayesdx.load_network("marrow_signal")
    >>> sets = [{"setting": "biopsy_referral"}, {"setting": "biopsy_referral", "hb": "lt_12"}]
    >>> res = posteriors(net, sets, ["diagnosis"])
    >>> res.posteriors["diagnosis"].shape, round(float(res.groups["neoplasm"][0]), 3)
    ((2, 26), 0.265)
    >>> one = posteriors(net, sets[1:], ["diagnosis"])  # one case: variable elimination
    >>> abs(float(one.groups["neoplasm"][0] - res.groups["neoplasm"][1])) < 1e-12
    True
    """
    network = as_network(network)
    if impossible not in ("flag", "raise"):
        raise ArgumentError(f"impossible must be 'flag' or 'raise', got {impossible!r}")
    if backend not in ("auto", "ve", "compiled"):
        raise ArgumentError(f"backend must be 'auto', 've' or 'compiled', got {backend!r}")
    sets = list(evidence_sets)
    draws, checked = check_tables(network, tables)
    if backend == "ve" or (backend == "auto" and len(sets) == 1 and draws is None):
        result = _by_elimination(network, sets, targets, checked, draws)
    else:
        engine = compiled(network)
        x = engine.encode(sets)
        result = engine.evaluate(x, targets, cpts=checked, prune="auto")
    if impossible == "raise" and result.impossible.any():
        row = int(np.flatnonzero(result.impossible.reshape(-1, len(sets)).any(axis=0))[0])
        raise ImpossibleEvidenceError(dict(sets[row]), network.id)
    return result


def _by_elimination(
    network: Network,
    sets: list[Mapping[str, str]],
    targets: str | Sequence[str] | None,
    tables: dict[str, np.ndarray],
    draws: int | None,
) -> BatchResult:
    """One variable-elimination query per evidence set (and draw), as a BatchResult."""
    names = resolve_targets(network, targets, allow_empty=True)
    lead = (draws,) if draws is not None else ()
    posts = {t: np.zeros((*lead, len(sets), len(network.states[t]))) for t in names}
    log_pe = np.zeros((*lead, len(sets)))
    p_e = np.zeros((*lead, len(sets)))
    for d in range(draws or 1):
        one = {v: t if t.shape == network.cpts[v].shape else t[d] for v, t in tables.items()}
        at = (d,) if draws is not None else ()
        for i, evidence in enumerate(sets):
            solved = solve(network, evidence, names, one)
            for t in names:
                posts[t][(*at, i)] = solved.posteriors[t]
            log_pe[(*at, i)] = solved.log_p_evidence
            p_e[(*at, i)] = solved.p_evidence
    return BatchResult(
        network=network.id,
        states={t: tuple(network.states[t]) for t in names},
        posteriors=posts,
        p_evidence=p_e,
        log_p_evidence=log_pe,
        impossible=np.isneginf(log_pe),
        groups=group_sums(network, posts),
    )
