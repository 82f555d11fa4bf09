"""Exact posteriors for many cases at once: a network compiled into contraction plans.

Evidence enters as indicator vectors (one-hot for an observed state, all ones for an
unobserved variable) multiplied into the tensor network of the CPTs, so one contraction plan
serves every evidence pattern of a batch. The batch of cases is one more index, ``b``, of
that tensor network; an optional axis of parameter draws is another. For each target the
network is pruned to the ancestors of the target and of the variables observed anywhere in
the batch (barren nodes sum to one), an observed leaf is folded with its indicator into one
table lookup, and the rest is contracted along a path found once by ``opt_einsum``, with the
sub-products that do not involve the cases computed once at compile time.

The arithmetic is the same sum of products as variable elimination, so the results equal
pgmpy's ``VariableElimination`` to rounding (``tests/test_compiled.py`` checks 1e-9 on the
bundled network, on pgmpy's example networks and on random networks). A case whose
evidence has probability zero is flagged in ``impossible``; its posterior rows are zeros,
never NaN. Cases whose P(evidence) underflows (below 1e-250) are recomputed with per-step
rescaling, so a tiny but positive probability is never mistaken for an impossible case:
the same rule as variable elimination (:mod:`bayesdx.inference._ve`). Pruning, targets,
the elimination heuristic and group sums are shared with it (:mod:`bayesdx.inference._graph`).

This module imports only numpy and opt_einsum (no pgmpy, no pandas).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.display import Column, Lines, Report, Table, figure_axes, finish
from bayesdx.errors import ArgumentError, UnknownVariableError
from bayesdx.inference._graph import (
    TINY,
    ancestors,
    check_tables,
    evidence_indices,
    group_sums,
    next_to_eliminate,
    resolve_targets,
    sums_to_one,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bayesdx.model import Network

__all__ = ["BatchResult", "CompiledNetwork", "compile_network"]

_BATCH = "\x00b"  # labels no network variable can have
_DRAW = "\x00d"
_WIDE = frozenset({_BATCH, _DRAW})
_MAX_PLANS = 4096  # plans kept per compiled network (the oldest go first)
_NOMINAL_BATCH = 4096  # the batch size the contraction path is optimised for
_CHUNK_BUDGET = 1 << 22  # floats per chunk in the largest intermediate (32 MB)
_BUNDLE_ROWS = 4096  # observed leaves with the same parents share a lookup table this long
_BUNDLE_FLOATS = 1 << 16


def compile_network(network: Network) -> CompiledNetwork:
    """Compile a network for batch inference.

    Parameters
    ----------
    network : Network

    Returns
    -------
    CompiledNetwork

    Examples
    --------
    >>> import numpy as np
    >>> import bayesdx
    >>> net = bayesdx.load_network("marrow_signal")
    >>> cn = compile_network(net)
    >>> x = cn.encode([{"hb": "lt_12", "m_protein": "present"}, {"hb": "ge_12"}])
    >>> x.shape == (2, len(net.variables))
    True
    >>> res = cn.evaluate(x, targets=["diagnosis"])
    >>> res.posteriors["diagnosis"].shape
    (2, 26)
    >>> bool(np.allclose(res.posteriors["diagnosis"].sum(axis=1), 1.0))
    True
    """
    return CompiledNetwork(network)


@dataclass(frozen=True)
class _Plan:
    """How to compute P(target, evidence) for one set of observed variables."""

    target: str | None
    operands: tuple[tuple[str, Any], ...]  # ("const", array) | ("ind"|"gather"|"cpt", var)
    labels: tuple[tuple[str, ...], ...]
    steps: tuple[tuple[tuple[int, ...], tuple[str, ...], Callable], ...]  # SSA form
    result: int  # the operand id of the result
    output: tuple[str, ...]
    width: int  # largest intermediate per case (and draw), in floats


@dataclass
class BatchResult:
    """Posteriors of a batch of cases (and, optionally, of parameter draws).

    Without parameter draws every array has a leading case axis of length ``n_cases``; with
    draws, a leading draw axis comes first: ``(n_draws, n_cases, ...)``.

    Attributes
    ----------
    network : str
        The network id.
    states : dict
        Target -> its states (the order of the last posterior axis).
    posteriors : dict of numpy.ndarray
        Target -> P(target | evidence), shape ``(n_cases, card)`` (or
        ``(n_draws, n_cases, card)``). Rows of impossible cases are all zero.
    p_evidence : numpy.ndarray
        P(evidence) per case (0.0 for an impossible case; it may underflow to 0.0 for a
        possible one, see ``log_p_evidence``).
    log_p_evidence : numpy.ndarray
        Natural log of P(evidence) (``-inf`` for an impossible case).
    impossible : numpy.ndarray of bool
        True where the evidence has probability zero, so no posterior exists.
    groups : dict of numpy.ndarray
        Group name -> P(group | evidence) per case, for the groups whose node is a target.
    """

    network: str
    states: dict[str, tuple[str, ...]]
    posteriors: dict[str, np.ndarray]
    p_evidence: np.ndarray
    log_p_evidence: np.ndarray
    impossible: np.ndarray
    groups: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_cases(self) -> int:
        """Number of cases."""
        return int(self.p_evidence.shape[-1])

    @property
    def draws(self) -> int | None:
        """Number of parameter draws, or None for a batch without a draw axis."""
        return int(self.p_evidence.shape[0]) if self.p_evidence.ndim == 2 else None

    def distribution(self, target: str, case: int = 0, draw: int | None = None) -> dict[str, float]:
        """The posterior of one target for one case (and draw) as ``{state: p}``.

        Examples
        --------
        >>> import bayesdx
        >>> cn = compile_network(bayesdx.load_network("marrow_signal"))
        >>> res = cn.evaluate(cn.encode([{"hb": "lt_12"}]), ["hb"])
        >>> res.distribution("hb")
        {'ge_12': 0.0, 'lt_12': 1.0}
        """
        post = self.posteriors[target]
        row = post[case] if draw is None else post[draw, case]
        return {s: float(p) for s, p in zip(self.states[target], row, strict=True)}

    def columns(self) -> dict[str, np.ndarray]:
        """Flat columns: ``VAR=state`` per target state, ``group:NAME`` per group."""
        cols: dict[str, np.ndarray] = {}
        for t, post in self.posteriors.items():
            for i, s in enumerate(self.states[t]):
                cols[f"{t}={s}"] = post[..., i]
        for name, p in self.groups.items():
            cols[f"group:{name}"] = p
        return cols

    def to_frame(self) -> Any:
        """A pandas DataFrame: one row per case (per draw and case with draws).

        Columns: ``VAR=state``, ``group:NAME``, ``p_evidence`` and ``impossible``.
        """
        import pandas as pd

        cols = {**self.columns(), "p_evidence": self.p_evidence, "impossible": self.impossible}
        if self.draws is None:
            return pd.DataFrame(cols, index=pd.RangeIndex(self.n_cases, name="case"))
        index = pd.MultiIndex.from_product(
            [range(self.draws), range(self.n_cases)], names=["draw", "case"]
        )
        return pd.DataFrame({k: np.asarray(v).reshape(-1) for k, v in cols.items()}, index=index)

    def to_dict(self) -> dict[str, Any]:
        """Plain lists: ``{"network", "posterior": {target: {state: [p, ...]}}, "groups",
        "p_evidence", "impossible"}``."""
        return {
            "network": self.network,
            "posterior": {
                t: {s: post[..., i].tolist() for i, s in enumerate(self.states[t])}
                for t, post in self.posteriors.items()
            },
            "groups": {k: v.tolist() for k, v in self.groups.items()},
            "p_evidence": self.p_evidence.tolist(),
            "impossible": self.impossible.tolist(),
        }

    def _report(self) -> Report:
        shape = f"{self.n_cases} cases" + (f" x {self.draws} draws" if self.draws else "")
        head = Lines([f"Network: {self.network}, {shape}, {int(self.impossible.sum())} impossible"])
        rows = []
        for t, post in self.posteriors.items():
            mean = post.reshape(-1, post.shape[-1]).mean(axis=0)
            rows += [(t, s, float(m)) for s, m in zip(self.states[t], mean, strict=True)]
        table = Table(
            (Column("target"), Column("state"), Column("mean", ".3f", label="mean P")), rows
        )
        return Report([head, table], title="Batch posteriors")

    def __str__(self) -> str:
        return self._report().text()

    def _repr_html_(self) -> str:
        first = self.to_frame().head(20).to_html(float_format=lambda v: f"{v:.4f}")
        report = self._report().html()
        cut = report.rfind("<p")  # the disclaimer closes the page, after the first rows
        return report[:cut] + "<p>First rows:</p>" + first + report[cut:]

    def plot(self, *, target: str | None = None, ax: Axes | None = None) -> Axes:
        """Histogram of one state's posterior (or a group's) over the cases.

        Parameters
        ----------
        target : str, optional
            ``VAR=state`` or ``group:NAME`` (default: the first group, else the first column).
        ax : matplotlib Axes, optional

        Returns
        -------
        matplotlib.axes.Axes
        """
        cols = self.columns()
        key = (
            target
            if target
            else next((k for k in cols if k.startswith("group:")), next(iter(cols)))
        )
        if key not in cols:
            raise UnknownVariableError(key, tuple(cols), self.network)
        _, ax = figure_axes(ax, (6, 3.5))
        values = np.asarray(cols[key]).reshape(-1)
        ax.hist(values[~np.asarray(self.impossible).reshape(-1)], bins=40, range=(0, 1))
        ax.set_xlabel(f"P({key})")
        ax.set_ylabel("cases")
        return finish(ax, f"{self.network}: {self.n_cases} cases")


class CompiledNetwork:
    """A network compiled for exact batch inference (build it with :func:`compile_network`).

    Attributes
    ----------
    network : Network
    variables : tuple of str
        The column order of an evidence matrix (the network's topological order).
    cards : tuple of int
        Number of states per variable, in the same order.
    """

    def __init__(self, network: Network):
        self.network = network
        self.variables: tuple[str, ...] = tuple(network.variables)
        self.cards: tuple[int, ...] = tuple(len(network.states[v]) for v in self.variables)
        self._col = {v: i for i, v in enumerate(self.variables)}
        self._card = dict(zip(self.variables, self.cards, strict=True))
        self._parents = {v: tuple(network.parents[v]) for v in self.variables}
        self._children: dict[str, list[str]] = {v: [] for v in self.variables}
        for v in self.variables:
            for p in self._parents[v]:
                self._children[p].append(v)
        self._cpts = {v: np.ascontiguousarray(network.cpts[v], dtype=float) for v in self.variables}
        self.sums_to_one = sums_to_one(self._cpts.values())
        # indicator rows: one-hot per state, then the all-ones row that index -1 picks
        self._eye = {v: np.vstack([np.eye(k), np.ones(k)]) for v, k in self._card.items()}
        self._lookup: dict[str, np.ndarray] = {}
        self._plans: dict[tuple, _Plan] = {}
        self._bundle_tables: dict[tuple[str, ...], np.ndarray] = {}

    # ---------------------------------------------------------------- encoding
    def encode(self, cases: Iterable[Mapping[str, str]]) -> np.ndarray:
        """Turn cases given as ``{variable: state}`` into an evidence matrix.

        Parameters
        ----------
        cases : iterable of mapping
            Variable -> state id (already normalised, see :func:`bayesdx.model.normalise`).

        Returns
        -------
        numpy.ndarray
            Shape ``(n_cases, n_vars)``, ``int64`` state indices, -1 where unobserved.

        Raises
        ------
        UnknownVariableError, UnknownStateError

        Examples
        --------
        >>> import bayesdx
        >>> cn = compile_network(bayesdx.load_network("marrow_signal"))
        >>> x = cn.encode([{"hb": "lt_12"}])
        >>> int(x[0, cn.variables.index("hb")]), int(x[0, cn.variables.index("hb_level")])
        (1, -1)
        """
        rows = []
        for case in cases:
            row = np.full(len(self.variables), -1, dtype=np.int64)
            for v, i in evidence_indices(self.network, case).items():
                row[self._col[v]] = i
            rows.append(row)
        if not rows:
            return np.empty((0, len(self.variables)), dtype=np.int64)
        return np.stack(rows)

    # ---------------------------------------------------------------- evaluation
    def evaluate(
        self,
        evidence: np.ndarray,
        targets: str | Sequence[str] | None = None,
        *,
        cpts: Mapping[str, np.ndarray] | None = None,
        chunk_size: int | None = None,
        progress: Callable[[int], None] | None = None,
        prune: str = "block",
    ) -> BatchResult:
        """Exact posteriors of the targets for every case.

        Parameters
        ----------
        evidence : array_like of int
            Shape ``(n_cases, n_vars)`` with columns in :attr:`variables` order (one case:
            shape ``(n_vars,)``). Each entry is a state index, or -1 for unobserved.
            Defaults are not applied here (see :func:`bayesdx.inference.score_frame`).
        targets : str or sequence of str or None
            The variables to return; None: the network's default targets (the diagnosis
            nodes); ``"all"``: every variable (all marginals); an empty list: P(evidence)
            alone.
        cpts : mapping, optional
            Replacement tables, node -> array (see
            :func:`bayesdx.inference._graph.check_tables`): of the node's table shape
            ``network.cpts[node].shape`` (parents' cards, then the node's card), or with a
            leading axis of parameter draws ``(n_draws, *cpt_shape)``. Every table with a
            draw axis must have the same ``n_draws``; other nodes keep their tables. With a
            draw axis, each draw is evaluated on every case and every result array has a
            leading draw axis: posteriors ``(n_draws, n_cases, card)``, P(evidence) and
            ``impossible`` ``(n_draws, n_cases)``.
        chunk_size : int, optional
            Cases per chunk (memory bound); by default chosen from the plan.
        progress : callable, optional
            Called with the number of cases finished after each chunk.
        prune : {"block", "case", "auto"}
            ``"block"`` (fast): a chunk of cases is pruned to the variables observed in any
            of them, and a variable a case does not observe is summed out (an unobserved
            leaf counts exactly 1). ``"case"``: cases are grouped by exactly which variables
            they observe and each group is pruned as a single query would be. The two agree
            to rounding when every table sums to 1; tables that sum to 1 only to a tolerance
            (BIF files often round to 1e-7) can differ by about that tolerance, and
            ``"case"`` then reproduces single queries (pgmpy's, :func:`bayesdx.query`)
            exactly. ``"case"`` builds one plan per distinct pattern, so it is slow for
            cohorts with many missingness patterns. ``"auto"``: ``"block"`` when every table
            in use sums to 1 (to 1e-13), else ``"case"``.

        Returns
        -------
        BatchResult

        Raises
        ------
        ArgumentError
            For an evidence matrix of the wrong shape or type, a state index out of range,
            replacement tables of the wrong shape, or an unknown ``prune``.
        UnknownVariableError
            For a target or a table of a node the network does not have.

        Examples
        --------
        Two draws of the table of ``hb_level`` (the network's own table, and a flat one):

        >>> import numpy as np
        >>> import bayesdx
        >>> net = bayesdx.load_network("marrow_signal")
        >>> cn = compile_network(net)
        >>> x = cn.encode([{"hb": "lt_12", "setting": "biopsy_referral"}])
        >>> table = net.cpts["hb_level"]
        >>> draws = np.stack([table, np.full(table.shape, 1 / 3)])
        >>> res = cn.evaluate(x, cpts={"hb_level": draws})
        >>> res.posteriors["diagnosis"].shape
        (2, 1, 26)
        >>> round(float(res.groups["neoplasm"][1, 0]), 3)  # a flat hb_level table: the prior
        0.265
        >>> cn.evaluate(x, cpts={"hb_level": draws[1]}).posteriors["diagnosis"].shape  # no draws
        (1, 26)
        """
        x = self._check_evidence(evidence)
        if prune not in ("block", "case", "auto"):
            raise ArgumentError(f"prune must be 'block', 'case' or 'auto', got {prune!r}")
        names = resolve_targets(self.network, targets, allow_empty=True)
        n_draws, tables = check_tables(self.network, cpts, "cpts")
        if prune == "auto":
            prune = "block" if self.sums_to_one and sums_to_one(tables.values()) else "case"
        draws = n_draws or (1 if tables else 0)  # fixed tables: one draw, dropped at the end
        cpt_map = {v: self._drawn(v, t, draws) for v, t in tables.items()}
        n = x.shape[0]
        lead = (draws,) if draws else ()
        posts = {t: np.zeros((*lead, n, self._card[t])) for t in names}
        log_pe = np.zeros((*lead, n))
        size = chunk_size or self._chunk_size(x, names, cpt_map, draws)
        for rows, observed in self._blocks(x, size, prune):
            self._evaluate_block(x[rows], rows, observed, names, cpt_map, draws, posts, log_pe)
            if progress is not None:
                progress(len(x[rows]))
        # nothing observed: P(evidence) is 1 by definition, not a sum of tables that sum to 1
        # only to rounding (26 decimal probabilities rarely add up to exactly 1.0)
        log_pe[..., ~(x >= 0).any(axis=1)] = 0.0
        if draws and n_draws is None:
            posts = {t: p[0] for t, p in posts.items()}
            log_pe = log_pe[0]
        return BatchResult(
            network=self.network.id,
            states={t: tuple(self.network.states[t]) for t in names},
            posteriors=posts,
            p_evidence=np.exp(log_pe),
            log_p_evidence=log_pe,
            impossible=np.isneginf(log_pe),
            groups=group_sums(self.network, posts),
        )

    # ---------------------------------------------------------------- helpers
    def _check_evidence(self, evidence: np.ndarray) -> np.ndarray:
        x = np.asarray(evidence)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != len(self.variables):
            raise ArgumentError(
                f"evidence must have shape (n_cases, {len(self.variables)}), got {x.shape}"
            )
        if x.size and not np.issubdtype(x.dtype, np.integer):
            raise ArgumentError(f"evidence must hold integer state indices, got {x.dtype}")
        x = x.astype(np.int64, copy=False)
        if x.size:
            bad = (x < -1) | (x >= np.asarray(self.cards)[None, :])
            if bad.any():
                i, j = (int(a[0]) for a in np.nonzero(bad))
                raise ArgumentError(
                    f"evidence[{i}, {j}] = {x[i, j]} is not a state index of "
                    f"{self.variables[j]} (0 to {self.cards[j] - 1}, or -1)"
                )
        return x

    def _drawn(self, v: str, table: np.ndarray, draws: int) -> np.ndarray:
        """A replacement table with its draw axis (a table without one: the same each draw)."""
        if table.shape == self._cpts[v].shape:
            table = np.broadcast_to(table, (draws, *table.shape))
        return np.ascontiguousarray(table, dtype=float)

    def _evaluate_block(
        self,
        xc: np.ndarray,
        rows: Any,
        observed: frozenset[str],
        names: list[str],
        cpt_map: Mapping[str, np.ndarray],
        draws: int,
        posts: dict[str, np.ndarray],
        log_pe: np.ndarray,
    ) -> None:
        """Fill the posteriors and log P(evidence) of one block of cases."""
        cache: dict[tuple, np.ndarray] = {}
        plan_targets: list[str | None] = list(names) or [None]  # None: no target
        for k, t in enumerate(plan_targets):
            plan = self._plan(observed, t, cpt_map)
            joint = self._run(plan, xc, cpt_map, cache, draws)  # (*lead, m[, card])
            total = joint.sum(axis=-1) if t is not None else joint
            tiny = ~(total >= TINY)
            log_scale: Any = 0.0
            if tiny.any():  # impossible or underflowing: redo those cases with rescaling
                joint, total, log_scale = self._rescaled(plan, xc, cpt_map, draws, joint, tiny)
            if k == 0:
                with np.errstate(divide="ignore"):
                    log_pe[..., rows] = np.log(total) + log_scale
            if t is not None:
                safe = np.where(total > 0, total, 1.0)
                posts[t][..., rows, :] = np.where(
                    (total > 0)[..., None], joint / safe[..., None], 0.0
                )

    def _chunk_size(self, x: np.ndarray, names: list[str], cpt_map: dict, draws: int) -> int:
        observed = frozenset(self.variables[j] for j in np.flatnonzero((x >= 0).any(axis=0)))
        plan_targets: list[str | None] = list(names) or [None]  # None: no target
        width = max(self._plan(observed, t, cpt_map).width for t in plan_targets)
        return int(np.clip(_CHUNK_BUDGET // max(width * max(draws, 1), 1), 1, 16384))

    def _blocks(self, x: np.ndarray, size: int, prune: str) -> Iterable[tuple[Any, frozenset[str]]]:
        """Blocks of cases with the variables observed in them (see ``prune``)."""
        if prune == "block":
            for start in range(0, x.shape[0], size):
                rows = slice(start, start + size)
                seen = np.flatnonzero((x[rows] >= 0).any(axis=0))
                yield rows, frozenset(self.variables[j] for j in seen)
            return
        if x.shape[0] == 0:
            return
        patterns, inverse = np.unique(x >= 0, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(patterns) + 1))
        for k, pattern in enumerate(patterns):
            members = order[bounds[k] : bounds[k + 1]]
            observed = frozenset(self.variables[j] for j in np.flatnonzero(pattern))
            for start in range(0, len(members), size):
                yield members[start : start + size], observed

    def _plan(self, observed: frozenset[str], target: str | None, cpt_map: Mapping) -> _Plan:
        key = (observed, target, frozenset(cpt_map))
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) >= _MAX_PLANS:  # forget the oldest plan
                del self._plans[next(iter(self._plans))]
            plan = self._build(observed, target, frozenset(cpt_map))
            self._plans[key] = plan
        return plan

    # ---------------------------------------------------------------- plans
    def _build(self, observed: frozenset[str], target: str | None, drawn: frozenset[str]) -> _Plan:
        """A contraction plan: the factors, an elimination order, constants folded."""
        operands, labels = self._factors(observed, target, drawn)
        output = (
            *((_DRAW,) if any(_DRAW in lab for lab in labels) else ()),
            *((_BATCH,) if any(_BATCH in lab for lab in labels) else ()),
            *((target,) if target else ()),
        )
        builder = _PlanBuilder(labels, self._card, self._col)
        result = builder.eliminate(target)
        if builder.labels[result] != output:
            result = builder.emit((result,), output)
        op_list, steps = _fold_constants(operands, builder)
        return _Plan(
            target=target,
            operands=tuple(op_list),
            labels=tuple(builder.labels),
            steps=tuple(steps),
            result=result,
            output=output,
            width=builder.width(),
        )

    def _factors(
        self, observed: frozenset[str], target: str | None, drawn: frozenset[str]
    ) -> tuple[list[tuple[str, Any]], list[tuple[str, ...]]]:
        """The operands of P(target, evidence) and their labels, pruned to the ancestors."""
        keep = ancestors(self._parents, observed | ({target} if target else set()))
        operands: list[tuple[str, Any]] = []
        labels: list[tuple[str, ...]] = []
        bundles: dict[tuple[str, ...], list[str]] = {}
        for v in (v for v in self.variables if v in keep):
            scope = (*self._parents[v], v)
            draw = (_DRAW,) if v in drawn else ()
            leaf = v in observed and v != target and not any(c in keep for c in self._children[v])
            if leaf and draw:  # the CPT and the indicator of an observed leaf: one lookup
                operands.append(("gather", v))
                labels.append((_BATCH, *draw, *self._parents[v]))
                continue
            if leaf:  # several leaves with the same parents share one joint lookup
                bundles.setdefault(self._parents[v], []).append(v)
                continue
            operands.append(("cpt", v) if draw else ("const", self._cpts[v]))
            labels.append((*draw, *scope))
            if v in observed:
                operands.append(("ind", v))
                labels.append((_BATCH, v))
        for parents, leaves in bundles.items():
            for bundle in self._bundle(parents, leaves):
                operands.append(("bundle", bundle))
                labels.append((_BATCH, *parents))
        if not labels:  # nothing observed and no target: P(evidence) = 1
            operands.append(("const", np.asarray(1.0)))
            labels.append(())
        return operands, labels

    def _lookup_table(self, v: str, table: np.ndarray | None = None) -> np.ndarray:
        """The CPT of a leaf with an extra 'unobserved' state (exactly 1: the leaf is barren
        when it is not observed), that state axis first."""
        if table is None and v in self._lookup:
            return self._lookup[v]
        t = self._cpts[v] if table is None else table
        aug = np.concatenate([t, np.ones((*t.shape[:-1], 1))], axis=-1)
        aug = np.ascontiguousarray(np.moveaxis(aug, -1, 0))
        if table is None:
            self._lookup[v] = aug
        return aug

    def _operand(
        self, op: tuple[str, Any], xc: np.ndarray, cpt_map: Mapping, cache: dict
    ) -> np.ndarray:
        kind, v = op
        if kind == "const":
            return v
        if kind == "cpt":
            return cpt_map[v]
        key = (kind, v)
        hit = cache.get(key)
        if hit is not None:
            return hit
        if kind == "bundle":  # one joint lookup table indexed by a mixed-radix code
            code: np.ndarray | None = None
            for u in v:
                k = self._card[u] + 1
                digit = xc[:, self._col[u]] % k  # -1 (unobserved) becomes k - 1
                code = digit if code is None else code * k + digit
            arr = self._bundle_table(v)[code]
        elif kind == "ind":
            arr = self._eye[v][xc[:, self._col[v]]]
        else:  # gather: the (k+1, ...) lookup table indexed by each case's state (-1: sum)
            arr = self._lookup_table(v, cpt_map.get(v))[xc[:, self._col[v]]]
        cache[key] = arr
        return arr

    def _bundle(self, parents: tuple[str, ...], leaves: list[str]) -> list[tuple[str, ...]]:
        """Split leaves with the same parents into groups whose joint table stays small."""
        width = math.prod(self._card[p] for p in parents)
        out: list[list[str]] = []
        rows = 0
        for v in leaves:
            k = self._card[v] + 1
            if out and rows * k <= _BUNDLE_ROWS and rows * k * width <= _BUNDLE_FLOATS:
                out[-1].append(v)
                rows *= k
            else:
                out.append([v])
                rows = k
        return [tuple(b) for b in out]

    def _bundle_table(self, leaves: tuple[str, ...]) -> np.ndarray:
        """Product of the leaves' lookup tables over every combination of their states."""
        cached = self._bundle_tables.get(leaves)
        if cached is not None:
            return cached
        table = self._lookup_table(leaves[0])
        for u in leaves[1:]:
            nxt = self._lookup_table(u)
            table = (table[:, None] * nxt[None, :]).reshape(-1, *nxt.shape[1:])
        table = np.ascontiguousarray(table)
        self._bundle_tables[leaves] = table
        return table

    # ---------------------------------------------------------------- running plans
    def _execute(
        self, plan: _Plan, xc: np.ndarray, cpt_map: Mapping, cache: dict, rescale: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Run a plan: its result and the log of its scale (zero unless ``rescale``).

        With ``rescale`` every step is divided by its largest entry per case (and draw), so
        no intermediate underflows; the logs of those divisors add up to the scale.
        """
        values: dict[int, np.ndarray] = {}
        scales: dict[int, np.ndarray] = {}
        for i, op in enumerate(plan.operands):
            if op[0] != "step":
                values[i] = self._operand(op, xc, cpt_map, cache)
        step_ids = [i for i, op in enumerate(plan.operands) if op[0] == "step"]
        for new_id, (ids, out, fn) in zip(step_ids, plan.steps, strict=True):
            res = fn(*(values[j] for j in ids))
            for j in ids:
                if j in step_ids:
                    values.pop(j, None)
            if rescale:
                dsz = res.shape[out.index(_DRAW)] if _DRAW in out else 1
                bsz = res.shape[out.index(_BATCH)] if _BATCH in out else 1
                other = tuple(a for a, u in enumerate(out) if u not in (_BATCH, _DRAW))
                m = res.max(axis=other, keepdims=True) if other else res
                m = np.where(m > 0, m, 1.0)
                res = res / m
                log_m = np.log(m).reshape(dsz, bsz)
                for j in ids:
                    log_m = log_m + scales.pop(j, 0.0)
                scales[new_id] = log_m
            values[new_id] = res
        return values[plan.result], np.asarray(scales.get(plan.result, 0.0))

    def _run(
        self, plan: _Plan, xc: np.ndarray, cpt_map: Mapping, cache: dict, draws: int
    ) -> np.ndarray:
        """P(target, evidence) per case (and draw): shape ``(*draws, m[, card])``."""
        result, _ = self._execute(plan, xc, cpt_map, cache, rescale=False)
        return self._align(plan, result, xc.shape[0], draws)

    def _run_rescaled(
        self, plan: _Plan, xc: np.ndarray, cpt_map: Mapping, draws: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """P(target, evidence) divided by exp(log scale), and the log scale ``(*draws, m)``."""
        result, scale = self._execute(plan, xc, cpt_map, {}, rescale=True)
        m = xc.shape[0]
        return self._align(plan, result, m, draws), self._align_scale(scale, m, draws)

    def _align(self, plan: _Plan, result: np.ndarray, m: int, draws: int) -> np.ndarray:
        """Broadcast a result to ``(*draws, m[, card])`` when an axis was absent."""
        shape = [draws] if draws else []
        shape.append(m)
        if plan.target is not None:
            shape.append(self._card[plan.target])
        result = np.asarray(result)
        if _DRAW not in plan.output and draws:
            result = result[None]
        if _BATCH not in plan.output:
            result = np.expand_dims(result, 1 if draws else 0)
        return np.broadcast_to(result, shape)

    @staticmethod
    def _align_scale(scale: np.ndarray, m: int, draws: int) -> np.ndarray:
        """A ``(draws or 1, cases or 1)`` log-scale as ``(*draws, m)``."""
        if scale.ndim == 0:
            return np.broadcast_to(scale, ([draws] if draws else []) + [m])
        if draws:
            return np.broadcast_to(scale, (draws, m))
        return np.broadcast_to(scale.reshape(-1), (m,))

    def _rescaled(
        self,
        plan: _Plan,
        xc: np.ndarray,
        cpt_map: Mapping,
        draws: int,
        joint: np.ndarray,
        tiny: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Recompute the cases with a tiny total, rescaling every step (no underflow)."""
        joint = np.array(joint, dtype=float)
        total = joint.sum(axis=-1) if plan.target is not None else joint.copy()
        log_scale = np.zeros(total.shape)
        rows = np.flatnonzero(tiny.reshape(-1, xc.shape[0]).any(axis=0))
        j, s = self._run_rescaled(plan, xc[rows], cpt_map, draws)
        if plan.target is not None:
            joint[..., rows, :] = j
            total[..., rows] = j.sum(axis=-1)
        else:
            joint[..., rows] = j
            total[..., rows] = j
        log_scale[..., rows] = s
        return joint, total, log_scale


class _PlanBuilder:
    """Variable elimination on labels: the steps of a plan in SSA form.

    ``labels[i]`` are the labels of operand or step ``i``; ``steps`` lists
    ``(input ids, output labels)``; each step's id is ``len(operands) + its position``.
    """

    def __init__(
        self, labels: list[tuple[str, ...]], cards: Mapping[str, int], position: Mapping[str, int]
    ):
        self.n_operands = len(labels)
        self.labels = list(labels)
        self.steps: list[tuple[tuple[int, ...], tuple[str, ...]]] = []
        self.cards = cards
        self.position = position
        self.sizes = {**cards, _BATCH: _NOMINAL_BATCH, _DRAW: 8}

    def emit(self, ids: tuple[int, ...], out: tuple[str, ...]) -> int:
        """Add a step; its output puts the draw and case axes first."""
        lead = tuple(u for u in (_DRAW, _BATCH) if u in out)
        out = (*lead, *(u for u in out if u not in lead))
        self.steps.append((ids, out))
        self.labels.append(out)
        return len(self.labels) - 1

    def eliminate(self, target: str | None) -> int:
        """Sum out every hidden variable in min-size order; the id of the final product."""
        live = list(range(self.n_operands))
        hidden = {u for lab in self.labels for u in lab} - {target, _BATCH, _DRAW}
        while hidden:
            scopes = [self.labels[i] for i in live]
            var = next_to_eliminate(hidden, scopes, self.cards, self.position, _WIDE)
            hidden.discard(var)
            touching = [i for i in live if var in self.labels[i]]
            live = [i for i in live if var not in self.labels[i]]
            live.append(self.combine(touching, var))
        return self.combine(live, None)

    def combine(self, ids: list[int], drop: str | None) -> int:
        """Multiply factors pairwise (smallest product first), summing ``drop`` last."""
        ids = self._same_scope_first(list(ids))
        while len(ids) > 1:
            i, j = self._cheapest_pair(ids, drop)
            pair = (ids[i], ids[j])
            last = len(ids) == 2
            out = tuple(
                dict.fromkeys(u for k in pair for u in self.labels[k] if not (last and u == drop))
            )
            ids = [k for n_, k in enumerate(ids) if n_ not in (i, j)]
            ids.append(self.emit(pair, out))
        if len(ids) == 1 and drop is not None and drop in self.labels[ids[0]]:
            only = ids[0]
            ids = [self.emit((only,), tuple(u for u in self.labels[only] if u != drop))]
        return ids[0]

    def _same_scope_first(self, ids: list[int]) -> list[int]:
        """With many factors, first multiply those with the same scope (cheap to find)."""
        if len(ids) <= 4:
            return ids
        same: dict[frozenset[str], list[int]] = {}
        for i in ids:
            same.setdefault(frozenset(self.labels[i]), []).append(i)
        out = []
        for group in same.values():
            while len(group) > 1:
                a, b = group.pop(0), group.pop(0)
                group.append(self.emit((a, b), self.labels[a]))
            out.append(group[0])
        return out

    def _cheapest_pair(self, ids: list[int], drop: str | None) -> tuple[int, int]:
        best: tuple[int, int, int] | None = None
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                lab = set(self.labels[ids[i]]) | set(self.labels[ids[j]])
                if len(ids) == 2 and drop is not None:
                    lab.discard(drop)
                cost = math.prod(self.sizes[u] for u in lab)
                if best is None or cost < best[0]:
                    best = (cost, i, j)
        assert best is not None
        return best[1], best[2]

    def width(self) -> int:
        """The largest intermediate per case (and draw), in floats."""
        per_case = [math.prod(self.sizes[u] for u in lab if u not in _WIDE) for lab in self.labels]
        return max([*per_case, 1])


def _fold_constants(
    operands: list[tuple[str, Any]], builder: _PlanBuilder
) -> tuple[list[tuple[str, Any]], list[tuple[tuple[int, ...], tuple[str, ...], Callable]]]:
    """Compute now every step whose inputs are all constant; the rest become plan steps."""
    values = {i: op[1] for i, op in enumerate(operands) if op[0] == "const"}
    op_list = list(operands)
    steps = []
    for n_step, (ids, out) in enumerate(builder.steps):
        fn = _step([builder.labels[i] for i in ids], out)
        new_id = len(operands) + n_step
        if all(j in values for j in ids):
            values[new_id] = fn(*(values[j] for j in ids))
            op_list.append(("const", values[new_id]))
        else:
            op_list.append(("step", None))
            steps.append((ids, out, fn))
    return op_list, steps


def _step(ins: list[tuple[str, ...]], out: tuple[str, ...]) -> Callable:
    """A function for one contraction step, specialised to its labels."""
    symbols: dict[str, str] = {}
    for lab in (*ins, out):
        for u in lab:
            symbols.setdefault(u, chr(ord("a") + len(symbols)) if len(symbols) < 26
                               else chr(ord("A") + len(symbols) - 26))  # fmt: skip
    if len(symbols) > 52:  # very wide steps: opt_einsum's own symbols
        import opt_einsum as oe

        symbols = {u: oe.get_symbol(i) for i, u in enumerate(symbols)}
        eq = ",".join("".join(symbols[u] for u in lab) for lab in ins)
        eq += "->" + "".join(symbols[u] for u in out)
        return lambda *ops: oe.contract(eq, *ops)
    eq = ",".join("".join(symbols[u] for u in lab) for lab in ins)
    eq += "->" + "".join(symbols[u] for u in out)
    summed = {u for lab in ins for u in lab} - set(out)
    if len(ins) == 2 and not summed:  # a broadcast product
        views = [_broadcast_view(lab, out) for lab in ins]

        def multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.multiply(views[0](a), views[1](b))

        return multiply
    if len(ins) == 2 and len(summed) and _BATCH in ins[0] and _BATCH in ins[1]:
        return lambda *ops: np.einsum(eq, *ops, optimize=True)
    if len(ins) == 2:
        import opt_einsum as oe

        return lambda *ops: oe.contract(eq, *ops, optimize=[(0, 1)])
    return lambda *ops: np.einsum(eq, *ops, optimize=len(ins) > 2)


def _broadcast_view(lab: tuple[str, ...], out: tuple[str, ...]) -> Callable:
    """A view of an array with labels ``lab`` that broadcasts against labels ``out``."""
    perm = tuple(sorted(range(len(lab)), key=lambda i: out.index(lab[i])))
    present = {lab[i] for i in perm}
    index = tuple(slice(None) if u in present else None for u in out)
    if perm == tuple(range(len(lab))) and all(u in present for u in out):
        return lambda a: a
    return lambda a: np.transpose(a, perm)[index]
