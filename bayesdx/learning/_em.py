"""Expected counts from the engine, and EM for the Dirichlet posterior of every table.

A patient is a row of evidence (a state index per variable, -1 where unobserved). For each
learnable node ``v`` and each row, the expected count of ``(v = s, parents = j)`` is
``P(v = s, parents = j | evidence)``:

- when ``v`` and all its parents are observed it is 1 for the observed cell (counted
  directly, no inference);
- otherwise the unobserved parents ``U`` are set to each of their joint states ``u`` in
  turn and the engine gives ``P(evidence, U = u)`` and ``P(v | evidence, U = u)``, whose
  product over ``P(evidence)`` is the exact expected count. Rows with the same unobserved
  parent set are one batch, and all nodes needing the same ``U`` share it.

A row whose decision node (the diagnosis) is unobserved, or known only to lie in a set of
states (a 0/1 outcome for the target group), is first split into one weighted row per
allowed state ``d`` with weight ``P(d | evidence, allowed)``; then every family that has the
diagnosis as a parent is counted with it observed, which keeps the extensions small.

EM alternates these expected counts ``N`` with the update ``theta = (alpha + N) / sum``,
the Bayesian posterior mean when the data are complete (one step, exact). With missing
data each step increases the objective ``log P(data | theta) + sum alpha log theta`` (EM for
the mode of the Dirichlet(alpha + 1) posterior, whose mode is this update), which is what
:attr:`EMTrace.objective` records.

References
----------
Dempster AP, Laird NM, Rubin DB. Maximum likelihood from incomplete data via the EM
algorithm. J R Stat Soc B 1977;39:1-38.
Lauritzen SL. The EM algorithm for graphical association models with missing data.
Comput Stat Data Anal 1995;19:191-201.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bayesdx.inference import compile_network

if TYPE_CHECKING:
    from bayesdx.inference import CompiledNetwork
    from bayesdx.learning._prior import NodePrior
    from bayesdx.model import Network

__all__ = ["EMTrace", "Rows", "expected_counts", "run_em"]


@dataclass(frozen=True)
class Rows:
    """Patients as evidence rows.

    Attributes
    ----------
    x : numpy.ndarray
        ``(n, n_vars)`` state indices in the network's variable order, -1 unobserved.
    allowed : numpy.ndarray or None
        ``(n, card of hub)`` booleans: the states of ``hub`` a row allows (a 0/1 outcome);
        None: every state where the hub is unobserved.
    hub : str or None
        The node rows are split over when unobserved (the decision node).
    own : dict
        Node -> boolean ``(n,)``: rows that count towards the node's own table (False
        where the node took the network's default rather than a value from the data).
    weight : numpy.ndarray or None
        How many patients each row stands for (None: one each).
    """

    x: np.ndarray
    allowed: np.ndarray | None = None
    hub: str | None = None
    own: dict[str, np.ndarray] = field(default_factory=dict)
    weight: np.ndarray | None = None

    def unique(self) -> Rows:
        """The same rows with identical patients merged into one weighted row."""
        n = self.x.shape[0]
        parts = [self.x]
        if self.allowed is not None:
            parts.append(self.allowed.astype(np.int64))
        parts += [m.astype(np.int64)[:, None] for m in self.own.values()]
        key = np.concatenate(parts, axis=1) if n else self.x
        if not n:
            return self
        _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
        weight = np.bincount(
            inverse.reshape(-1), weights=self.weights, minlength=len(first)
        ).astype(float)
        return Rows(
            self.x[first],
            None if self.allowed is None else self.allowed[first],
            self.hub,
            {v: m[first] for v, m in self.own.items()},
            weight,
        )

    @property
    def weights(self) -> np.ndarray:
        """Patients per row."""
        return np.ones(self.x.shape[0]) if self.weight is None else self.weight


@dataclass(frozen=True)
class EMTrace:
    """What EM did.

    Attributes
    ----------
    objective : list of float
        ``log P(data | theta_t) + sum alpha log theta_t`` at each iterate, the first at the
        prior mean (non-decreasing).
    log_likelihood : list of float
        ``log P(data | theta_t)`` at each iterate.
    iterations : int
        M-steps taken (1 for complete data).
    converged : bool
    complete : bool
        Every learnable family observed in every row: one exact step.
    """

    objective: list[float]
    log_likelihood: list[float]
    iterations: int
    converged: bool
    complete: bool


def _split_hub(
    engine: CompiledNetwork,
    rows: Rows,
    tables: Mapping[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows with the hub observed: (x, weight, origin row, log P(evidence of each origin)).

    The log-probability is of the row's own evidence and, for a restricted row, of the hub
    lying in its allowed set.
    """
    x = rows.x
    n = x.shape[0]
    base = engine.evaluate(x, [rows.hub] if rows.hub else [], cpts=tables, prune="auto")
    log_pe = base.log_p_evidence.copy()
    if rows.hub is None:
        return x, rows.weights, np.arange(n), log_pe
    j = engine.variables.index(rows.hub)
    open_ = x[:, j] < 0
    post = base.posteriors[rows.hub]
    allowed = rows.allowed if rows.allowed is not None else np.ones(post.shape, dtype=bool)
    share = np.where(allowed, post, 0.0)
    total = share.sum(axis=1)
    restricted = open_ & ~allowed.all(axis=1)
    with np.errstate(divide="ignore"):
        log_pe[restricted] += np.log(total[restricted])
    keep = ~open_
    weights = rows.weights
    xs, ws, origin = [x[keep]], [weights[keep]], [np.flatnonzero(keep)]
    for i in np.flatnonzero(open_ & (total > 0)):
        states = np.flatnonzero(share[i] > 0)
        sub = np.repeat(x[i][None, :], len(states), axis=0)
        sub[:, j] = states
        xs.append(sub)
        ws.append(weights[i] * share[i, states] / total[i])
        origin.append(np.full(len(states), i))
    return np.concatenate(xs), np.concatenate(ws), np.concatenate(origin), log_pe


def expected_counts(
    network: Network,
    rows: Rows,
    nodes: list[str],
    tables: Mapping[str, np.ndarray] | None = None,
    *,
    engine: CompiledNetwork | None = None,
) -> tuple[dict[str, np.ndarray], float]:
    """Exact expected counts of every cell of the nodes' tables, and log P(data).

    Parameters
    ----------
    network : Network
    rows : Rows
    nodes : list of str
        The nodes whose counts are wanted.
    tables : mapping, optional
        Tables to use instead of the network's (the current EM iterate).
    engine : CompiledNetwork, optional
        The compiled network (built once by EM).

    Returns
    -------
    (dict, float)
        Node -> counts of the table's shape; the log-likelihood of the rows.

    Examples
    --------
    Complete rows are counted directly:

    >>> from bayesdx import load_network
    >>> from bayesdx.validation import simulate
    >>> net = load_network("marrow_signal")
    >>> df = simulate(net, 50, np.random.default_rng(0))
    >>> x = np.stack([[net.states[v].index(s) for s in df[v]] for v in net.variables], axis=1)
    >>> counts, _ = expected_counts(net, Rows(x), ["monocytosis"])
    >>> float(counts["monocytosis"].sum())
    50.0
    """
    engine = engine or compile_network(network)
    tables = dict(tables or {})
    x, w, origin, log_pe_rows = _split_hub(engine, rows, tables)
    if np.isneginf(log_pe_rows).any():
        i = int(np.flatnonzero(np.isneginf(log_pe_rows))[0])
        raise AssertionError(f"row {i} is impossible under the current tables")  # checked before
    log_likelihood = float(np.sum(rows.weights * log_pe_rows))
    col = {v: k for k, v in enumerate(engine.variables)}
    observed = x >= 0
    # log P(evidence) of every split row, needed to turn P(evidence, U = u) into a share
    log_pe = engine.evaluate(x, [], cpts=tables, prune="auto").log_p_evidence
    counts = {v: np.zeros(network.cpts[v].shape) for v in nodes}
    # (unobserved parents) -> {node: row indices}
    tasks: dict[tuple[str, ...], dict[str, np.ndarray]] = {}
    for v in nodes:
        own = rows.own.get(v)
        use = np.ones(len(x), dtype=bool) if own is None else own[origin]
        parents = list(network.parents[v])
        pcols = [col[p] for p in parents]
        fam_obs = observed[:, pcols].all(axis=1) & observed[:, col[v]]
        direct = use & fam_obs
        if direct.any():
            index = (*tuple(x[direct][:, c] for c in pcols), x[direct][:, col[v]])
            np.add.at(counts[v], index, w[direct])
        rest = np.flatnonzero(use & ~fam_obs)
        if not rest.size:
            continue
        key_rows: dict[tuple[str, ...], list[int]] = {}
        unobs = ~observed[rest][:, pcols] if pcols else np.zeros((len(rest), 0), dtype=bool)
        for r, mask in zip(rest.tolist(), unobs.tolist(), strict=True):
            key = tuple(p for p, m in zip(parents, mask, strict=True) if m)
            key_rows.setdefault(key, []).append(r)
        for key, found in key_rows.items():
            tasks.setdefault(key, {})[v] = np.asarray(found)
    for key, per_node in tasks.items():
        union = np.unique(np.concatenate(list(per_node.values())))
        where = {r: k for k, r in enumerate(union.tolist())}
        targets = list(per_node)
        for u in itertools.product(*(range(len(network.states[p])) for p in key)):
            xe = x[union].copy()
            for p, s in zip(key, u, strict=True):
                xe[:, col[p]] = s
            res = engine.evaluate(xe, targets, cpts=tables, prune="auto")
            for v, rs in per_node.items():
                pos = np.asarray([where[r] for r in rs.tolist()])
                share = w[rs] * np.exp(res.log_p_evidence[pos] - log_pe[rs])
                share = np.where(np.isfinite(share), share, 0.0)
                fixed = dict(zip(key, u, strict=True))
                index = tuple(
                    np.full(len(rs), fixed[p]) if p in fixed else x[rs, col[p]]
                    for p in network.parents[v]
                )
                add = share[:, None] * res.posteriors[v][pos]
                if index:
                    np.add.at(counts[v], index, add)
                else:  # a node without parents: one column
                    counts[v] += add.sum(axis=0)
    return counts, log_likelihood


def _complete(network: Network, rows: Rows, nodes: list[str]) -> bool:
    cols = {v: k for k, v in enumerate(network.variables)}
    needed = sorted({cols[v] for v in nodes} | {cols[p] for v in nodes for p in network.parents[v]})
    return bool((rows.x[:, needed] >= 0).all()) if rows.x.size else True


def _objective(log_likelihood: float, theta: Mapping[str, np.ndarray], prior: Mapping) -> float:
    total = log_likelihood
    for v, p in prior.items():
        live = p.alpha > 0
        total += float(np.sum(p.alpha[live] * np.log(theta[v][live])))
    return total


def _update(alpha: np.ndarray, counts: np.ndarray) -> np.ndarray:
    post = alpha + counts
    return post / post.sum(axis=-1, keepdims=True)


def run_em(
    network: Network,
    rows: Rows,
    prior: Mapping[str, NodePrior],
    *,
    max_iter: int = 200,
    tol: float = 1e-9,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], EMTrace]:
    """EM from the prior mean: (tables, expected counts at the last step, trace).

    Stops when the objective changes by less than ``tol`` times its size, or after
    ``max_iter`` steps. Complete data take one exact step.
    """
    engine = compile_network(network)
    rows = rows.unique()
    nodes = list(prior)
    theta = {v: _update(prior[v].alpha, np.zeros_like(prior[v].alpha)) for v in nodes}
    complete = _complete(network, rows, nodes)
    objective: list[float] = []
    likelihood: list[float] = []
    counts: dict[str, np.ndarray] = {}
    converged = False
    iterations = 0
    for _ in range(1 if complete else max_iter):
        counts, ll = expected_counts(network, rows, nodes, theta, engine=engine)
        likelihood.append(ll)
        objective.append(_objective(ll, theta, prior))
        if len(objective) > 1 and abs(objective[-1] - objective[-2]) <= tol * max(
            1.0, abs(objective[-1])
        ):
            converged = True
            break
        theta = {v: _update(prior[v].alpha, counts[v]) for v in nodes}
        iterations += 1
    if not complete:  # the tables of the last expected counts (alpha + N, normalised)
        theta = {v: _update(prior[v].alpha, counts[v]) for v in nodes}
    if complete:
        converged = True
        _, ll = expected_counts(network, rows, [], theta, engine=engine)
        likelihood.append(ll)
        objective.append(_objective(ll, theta, prior))
    trace = EMTrace(objective, likelihood, iterations, converged, complete)
    return theta, counts, trace
