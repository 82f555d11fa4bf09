"""Exact posteriors for many cases at once: a network compiled into plans, one per pattern.

Cases are grouped by which variables they observe (more exactly: by the status of every
variable that is not a leaf, see :func:`CompiledNetwork._groups`), and each group runs one
plan (:mod:`bayesdx.inference._jtree`): evidence is sliced into the tables, barren nodes
are pruned, the graph that remains is cut by the observed variables into independent
pieces, each triangulated by weighted min-fill into a clique tree and evaluated by batched
message passing (collect for one target; collect and distribute for many, so all marginals
cost a small multiple of one). Small groups are pooled, a variable observed in some of the
pooled cases and not others being summed against an indicator; a pool whose plan is costly
is split on the variable that makes it so. Plans are kept per compiled network in a bounded
least-recently-used cache (by count and by the floats their tables hold); chunks of cases
bound the memory of a run.

Where the network's cliques are large (``_TREE_LARGEST``, ``_TREE_MEAN``; among pgmpy's
examples water, mildew, barley and diabetes), nearly every case has a pattern of its own and
pools would sum observed variables against indicators in those cliques, so cases go instead
through one junction tree built once for the network
(:class:`bayesdx.inference._jtree.CliqueTree`), grouped clique by clique by the status of
each clique's own variables: no plan per pattern. Parameter draws always use the plans.

Where a few variables cut the network into small pieces (for one target: the bundled marrow
network, asia, sachs, child), a *kernel* of those variables is used first
(:mod:`bayesdx.inference._tabulated`): every other piece's message to the kernel is
tabulated once by its variables' evidence, so a case costs a few lookups and cases are
grouped only by which kernel variables they observe (``prune="block"`` only, as the
pooled plans sum unobserved variables too).

The arithmetic is the same sum of products as variable elimination, so the results equal
pgmpy's ``VariableElimination`` to rounding (``tests/inference/test_compiled.py`` checks
1e-9 on the bundled network, on pgmpy's example networks and on random networks). A case
whose evidence has probability zero is flagged in ``impossible``; its posterior rows are
zeros, never NaN. Cases whose P(evidence) underflows (below 1e-250) are recomputed with
per-step rescaling, so a tiny but positive probability is never mistaken for an impossible
case: the same rule as variable elimination (:mod:`bayesdx.inference._ve`).

This module imports only numpy (no pgmpy, no pandas).
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

from bayesdx.display import Column, Lines, Report, Table, figure_axes, finish
from bayesdx.errors import ArgumentError, UnknownVariableError
from bayesdx.inference._graph import (
    check_tables,
    evidence_indices,
    group_sums,
    resolve_targets,
    sums_to_one,
)
from bayesdx.inference._jtree import (
    BARREN,
    FREE,
    MIXED,
    SLICED,
    CliqueTree,
    Plan,
    best_heuristic,
    build_plan,
    run_plan,
)
from bayesdx.inference._tabulated import Kernel, build_kernel

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bayesdx.model import Network

__all__ = ["BatchResult", "CompiledNetwork", "compile_network"]

_MAX_PLANS = 4096  # plans kept per compiled network (the least recently used go first)
_PLAN_FLOATS = 1 << 25  # and the floats their tables hold (256 MB)
_BUNDLE_CACHE_FLOATS = 1 << 22  # bundled tables kept for the next plans (32 MB)
# building a plan costs about as much as this many multiply-adds of running one
_BUILD_FLOPS = 1_000_000
_BUILD_FLOPS_PER_VARIABLE = 50_000
_MIN_GROUP = 32  # cases that pay for a plan of their own
_CHUNK_BUDGET = 1 << 22  # floats per chunk, summed over operands and messages (32 MB)
_MAX_CHUNK = 8192
# one junction tree for every pattern (CliqueTree) where the network has a clique this large
# and its cliques hold _TREE_MEAN floats on average (pools of patterns would sum observed
# variables against indicators in them), but not where one case with nothing observed would
# hold more than _TREE_MAX_FLOATS in its cliques
_TREE_LARGEST = 1 << 17
_TREE_MEAN = 1 << 12
_TREE_MAX_FLOATS = 1 << 26
_MAX_KERNELS = 64  # tabulated kernels kept per compiled network (by target set)
_KERNELS = True  # tabulated kernels where small (False: plans or the tree only)
_TREE_BUDGET = 1 << 26  # floats of messages and gathered tables per chunk, summed (512 MB)


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
        self._unobserved = np.asarray(self.cards, dtype=np.int64)  # the row of 'unobserved'
        self._plans: OrderedDict[tuple, Plan] = OrderedDict()  # least recently used first
        self._plan_floats = 0
        self._bundles: dict[tuple, np.ndarray] = {}  # bundled lookup tables, by content
        self._refs: dict[int, int] = {}  # kept plans holding each table (by id)
        # the plans' elimination heuristic: weighted min-fill (the heuristic best for the
        # whole network, which the tree uses, made the plans of pigs, hepar2 and insurance
        # slower: a pattern's graph is not the network's)
        self._heuristic = "weighted"
        self._tree: CliqueTree | None = None  # one junction tree for every pattern, at first use
        self._kernels: dict[tuple[str, ...], Kernel | None] = {}  # by target set

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
            ``"block"`` (fast): cases too few to share a pattern are pooled, and a variable
            barren in some pooled cases is summed out in them (to 1, to rounding); every
            target is computed in one two-pass plan. ``"case"``: cases are pooled only with
            cases that keep the same variables, and each target gets its own plan pruned as a
            single query for it is. The two agree to rounding when every table sums to 1;
            tables that sum to 1 only to a tolerance (BIF files often round to 1e-7) can
            differ by about that tolerance, and ``"case"`` then reproduces single queries
            (pgmpy's, :func:`bayesdx.query`) exactly. ``"auto"``: ``"block"`` when every table
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
        x = self._evidence_matrix(evidence)  # its values are checked once the engine is
        # known (after the other arguments): a kernel's compiled loop checks them as it reads
        if prune not in ("block", "case", "auto"):
            raise ArgumentError(f"prune must be 'block', 'case' or 'auto', got {prune!r}")
        names = resolve_targets(self.network, targets, allow_empty=True)
        n_draws, tables = check_tables(self.network, cpts, "cpts")
        if chunk_size is not None and (
            isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1
        ):
            raise ArgumentError(f"chunk_size must be a positive integer, got {chunk_size!r}")
        if prune == "auto":
            prune = "block" if self.sums_to_one and sums_to_one(tables.values()) else "case"
        draws = n_draws or (1 if tables else 0)  # fixed tables: one draw, dropped at the end
        cpt_map = {v: self._drawn(v, t, draws) for v, t in tables.items()}
        n = x.shape[0]
        lead = (draws,) if draws else ()
        posts = {t: np.zeros((*lead, n, self._card[t])) for t in names}
        log_pe = np.zeros((*lead, n))
        drawn = frozenset(cpt_map)
        drawn_cache: dict[tuple, np.ndarray] = {}
        # "case": one target at a time, each pruned as a single query for it prunes (tables
        # that sum to 1 only to rounding give its numbers exactly); "block": every target in
        # one two-pass plan
        target_sets = [names] if prune == "block" or len(names) < 2 else [[t] for t in names]
        tree = self._clique_tree() if n and not cpt_map else None
        use = _KERNELS and n and not cpt_map and prune == "block"
        kernel = self._kernel(names) if use else None
        sums = self._sums(posts, n) if kernel is not None else {}  # kernels add them in cache
        done_groups: dict[str, np.ndarray] | None = None
        blank: np.ndarray | None = None
        # the loop takes native int64 only (one compiled type): a type that int64 holds
        # (not uint64) is converted, a read-only array copied
        loop = None
        if kernel is not None and x.shape[1] and np.can_cast(x.dtype, np.int64, "safe"):
            loop = kernel.loop(n)
        if kernel is not None and loop is not None:
            blank = np.empty(n, dtype=bool)
            x = np.require(x, dtype=np.int64, requirements=["C", "W", "A"])
            cards = np.asarray(self.cards, dtype=np.int64)
            where = kernel.run_loop(loop, x, cards, posts, log_pe, blank, progress, sums,
                                    chunk_size)  # fmt: skip
            if where is not None and where >= 0:
                self._bad_entry(x, *divmod(where, x.shape[1]))
            if where is None:  # numba failed: the numpy arithmetic, the same bits
                blank = None
            else:
                done_groups, target_sets = {g: out for g, (_, _, out) in sums.items()}, []
        if blank is None:
            x, blank = self._check_evidence(x)
        for k, ts in enumerate(target_sets):
            pe = log_pe if k == 0 else np.zeros_like(log_pe)
            if kernel is not None:  # the groups' sums too, each block while it is in cache
                kernel.run(x, posts, pe, chunk_size, progress, sums)
                done_groups = {g: out for g, (_, _, out) in sums.items()}
                continue
            if tree is not None:
                last = progress if k == len(target_sets) - 1 else None
                self._run_tree(tree, x, ts, posts, pe, chunk_size, last)
                continue
            work = list(self._groups(x, ts, prune))
            while work:
                rows, status, leaves, merge = work.pop()
                plan = self._plan(status, leaves, tuple(ts), drawn)
                split = self._split(plan, status, rows, merge, draws)
                if split is not None:
                    col = self._col[split]
                    seen = x[rows, col] >= 0
                    for part in (rows[seen], rows[~seen]):
                        work.append((part, *merge(part), merge))
                    continue
                per = plan.per_case * max(draws, 1)
                size = min(int(np.clip(_CHUNK_BUDGET // per, 1, _MAX_CHUNK)), chunk_size or n)
                for start in range(0, len(rows), size):
                    r = rows[start : start + size]
                    self._run_chunk(plan, x, r, cpt_map, drawn_cache, posts, pe)
                    if progress is not None and k == len(target_sets) - 1:
                        progress(len(r))
        # nothing observed: P(evidence) is 1 by definition, not a sum of tables that sum to 1
        # only to rounding (26 decimal probabilities rarely add up to exactly 1.0)
        if n:
            log_pe[..., blank] = 0.0
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
            groups=done_groups if done_groups is not None else group_sums(self.network, posts),
        )

    # ---------------------------------------------------------------- helpers
    def _evidence_matrix(self, evidence: np.ndarray) -> np.ndarray:
        """The evidence as a ``(n_cases, n_vars)`` integer array (its values not checked)."""
        x = np.asarray(evidence)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != len(self.variables):
            raise ArgumentError(
                f"evidence must have shape (n_cases, {len(self.variables)}), got {x.shape}"
            )
        if x.size and not np.issubdtype(x.dtype, np.integer):
            raise ArgumentError(f"evidence must hold integer state indices, got {x.dtype}")
        return x

    def _bad_entry(self, x: np.ndarray, i: int, j: int) -> NoReturn:
        raise ArgumentError(
            f"evidence[{i}, {j}] = {x[i, j]} is not a state index of "
            f"{self.variables[j]} (0 to {self.cards[j] - 1}, or -1)"
        )

    def _sums(
        self, posts: Mapping[str, np.ndarray], n: int
    ) -> dict[str, tuple[str, list[int], np.ndarray]]:
        """Each group of a target's states: (target, state indices, an output per case)."""
        return {
            g: (node, [self.network.states[node].index(s) for s in members], np.zeros(n))
            for g, (node, members) in self.network.groups.items()
            if node in posts
        }

    def _check_evidence(self, evidence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The evidence checked and narrowed (``int16`` where every card allows; rows are
        gathered often), and which cases observe nothing; in blocks, each read once."""
        x = self._evidence_matrix(evidence)
        narrow = np.int16 if max(self.cards, default=0) < 2**15 - 1 else np.int64
        out = np.empty(x.shape, dtype=narrow)
        blank = np.zeros(x.shape[0], dtype=bool)
        cards = np.asarray(self.cards)
        step = 4096  # rows at a time: a block stays in cache for its four passes
        for start in range(0, x.shape[0] if x.shape[1] else 0, step):
            block = x[start : start + step]
            if block.min() < -1 or (block >= cards).any():
                bad = (block < -1) | (block >= cards[None, :])
                i, j = (int(a[0]) for a in np.nonzero(bad))
                self._bad_entry(x, start + i, j)
            kept = out[start : start + step]
            kept[...] = block
            seen = kept >= 0
            if seen.shape[1] < 256:  # a count of observed cells per row, in bytes (fast)
                blank[start : start + step] = np.einsum("ij->i", seen.view(np.uint8)) == 0
            else:
                blank[start : start + step] = ~seen.any(axis=1)
        if not x.shape[1]:
            blank[:] = True
        return out, blank

    def _drawn(self, v: str, table: np.ndarray, draws: int) -> np.ndarray:
        """A replacement table with its draw axis (a table without one: the same each draw)."""
        if table.shape == self._cpts[v].shape:
            table = np.broadcast_to(table, (draws, *table.shape))
        return np.ascontiguousarray(table, dtype=float)

    # ---------------------------------------------------------------- a kernel
    def _kernel(self, names: Sequence[str]) -> Kernel | None:
        """The tabulated kernel of these targets, where one is small (see
        :mod:`bayesdx.inference._tabulated`); built once per target set."""
        key = tuple(names)
        if key not in self._kernels:
            if len(self._kernels) >= _MAX_KERNELS:
                self._kernels.pop(next(iter(self._kernels)))
            self._kernels[key] = build_kernel(
                self.variables, self._parents, self._card, self._cpts, key
            )
        return self._kernels[key]

    # ---------------------------------------------------------------- one tree
    def _clique_tree(self) -> CliqueTree | None:
        """The network's junction tree when it is the faster way (see ``_TREE_LARGEST``)."""
        if self._tree is None:
            self._tree = CliqueTree(
                self.variables,
                self._parents,
                self._card,
                self._cpts,
                best_heuristic(self.variables, self._parents, self._card),
            )
        t = self._tree
        if (
            t.largest < _TREE_LARGEST
            or t.floats < _TREE_MEAN * len(t.cliques)
            or t.floats > _TREE_MAX_FLOATS
        ):
            return None
        return self._tree

    def _status(self, x: np.ndarray, names: Sequence[str]) -> np.ndarray:
        """BARREN, FREE or SLICED (observed) per case and variable, for these targets."""
        obs = x >= 0
        targets = set(names)
        status = np.empty(x.shape, dtype=np.int8)
        kept: dict[str, np.ndarray] = {}
        for v in reversed(self.variables):
            j = self._col[v]
            k = np.ones(len(x), dtype=bool) if v in targets else obs[:, j]
            for c in self._children[v]:
                k = k | kept[c]
            kept[v] = k
            status[:, j] = np.where(obs[:, j], SLICED, np.where(k, FREE, BARREN))
        return status

    def _run_tree(
        self,
        tree: CliqueTree,
        x: np.ndarray,
        names: Sequence[str],
        posts: dict[str, np.ndarray],
        log_pe: np.ndarray,
        chunk_size: int | None,
        progress: Callable[[int], None] | None,
    ) -> None:
        """Posteriors and log P(evidence) of every case through the one tree, in chunks
        whose cliques over free variables hold about ``_TREE_BUDGET`` floats."""
        status = self._status(x, names)
        cum = np.cumsum(tree.case_floats(status, len(names) > 1))
        cap = chunk_size or _MAX_CHUNK
        with _one_blas_thread():
            self._tree_chunks(tree, x, status, names, posts, log_pe, cum, cap, progress)

    def _tree_chunks(
        self,
        tree: CliqueTree,
        x: np.ndarray,
        status: np.ndarray,
        names: Sequence[str],
        posts: dict[str, np.ndarray],
        log_pe: np.ndarray,
        cum: np.ndarray,
        cap: int,
        progress: Callable[[int], None] | None,
    ) -> None:
        n = x.shape[0]
        start = 0
        while start < n:
            base = float(cum[start - 1]) if start else 0.0
            end = int(np.searchsorted(cum, base + _TREE_BUDGET, side="right"))
            end = min(max(end, start + 1), start + cap, n)
            r = slice(start, end)
            beliefs, lp = tree.run(x[r], status[r], names, len(names) > 1)
            log_pe[r] = lp
            possible = np.isfinite(lp)
            for t in names:
                b = beliefs[t]
                total = b.sum(axis=1, keepdims=True)
                with np.errstate(divide="ignore", invalid="ignore"):
                    post = b / total
                bad = ~(possible[:, None] & (total > 0))
                seen = x[r, self._col[t]]
                if (seen >= 0).any():
                    onehot = np.eye(self._card[t])[np.maximum(seen, 0)]
                    post = np.where((seen >= 0)[:, None], onehot, post)
                    bad = ~possible[:, None] | (bad & (seen < 0)[:, None])
                posts[t][r] = np.where(bad, 0.0, post)
            if progress is not None:
                progress(end - start)
            start = end

    # ---------------------------------------------------------------- patterns
    def _groups(self, x: np.ndarray, names: list[str], prune: str) -> list[tuple]:
        """Groups of cases that share a plan: ``(rows, status, leaves, merge)``.

        Cases are grouped by the status of every variable that is not a leaf (barren, free or
        observed; a leaf, a node that is a parent of nothing and not a target, never splits
        a group, and ``leaves`` are those observed in some case of the group). Groups too
        small to pay for a plan of their own are pooled: with ``prune="case"`` only cases
        that keep the same variables (exact as single queries are), with ``"block"`` all of
        them. A variable observed in some cases of a pool and not in others is summed
        against an indicator; ``merge(rows)`` gives the status and leaves of any set of
        rows of a pool, so a pool whose plan is costly can be split (see ``_split``).
        """
        n = x.shape[0]
        if n == 0:
            return []
        obs = x >= 0
        targets = set(names)
        leafy = [v for v in self.variables if not self._children[v] and v not in targets]
        leafy_set = set(leafy)
        key_vars = [v for v in self.variables if v not in leafy_set]
        kept: dict[str, np.ndarray] = {}
        for v in reversed(self.variables):
            if v in leafy_set:
                continue
            k = obs[:, self._col[v]]
            if v in targets:
                k = np.ones(n, dtype=bool)
            for c in self._children[v]:
                k = k | (obs[:, self._col[c]] if c in leafy_set else kept[c])
            kept[v] = k
        status = np.zeros((n, len(key_vars)), dtype=np.int8)
        for j, v in enumerate(key_vars):
            status[:, j] = kept[v].view(np.int8) + obs[:, self._col[v]].view(np.int8)
        leaf_obs = obs[:, [self._col[v] for v in leafy]]

        def merge(rows: np.ndarray) -> tuple[tuple[int, ...], tuple[str, ...]]:
            st = status[rows]
            obs_all = (st == 2).all(axis=0)
            obs_any = (st == 2).any(axis=0)
            kept_any = (st > 0).any(axis=0)
            merged = np.where(
                ~kept_any, BARREN, np.where(obs_all, SLICED, np.where(obs_any, MIXED, FREE))
            )
            return self._full_status(key_vars, merged), self._leaves_seen(leaf_obs, rows, leafy)

        out: list[tuple] = []
        order, bounds, first = _sorted_groups(status)
        sizes = np.diff(bounds)
        for g in np.flatnonzero(sizes >= _MIN_GROUP).tolist():
            rows = order[bounds[g] : bounds[g + 1]]
            full = self._full_status(key_vars, status[first[g]])
            out.append((rows, full, self._leaves_seen(leaf_obs, rows, leafy), merge))
        small = np.repeat(sizes < _MIN_GROUP, sizes)
        if not small.any():
            return out
        rows = np.sort(order[small])
        if prune == "block":
            pools = [rows]
        else:  # the same kept variables: exact
            kept_bits = (status[rows] > 0).view(np.uint8)
            order2, bounds2, _ = _sorted_groups(kept_bits)
            pools = [rows[order2[bounds2[g] : bounds2[g + 1]]] for g in range(len(bounds2) - 1)]
        return out + [(pool, *merge(pool), merge) for pool in pools]

    def _split(
        self, plan: Plan, status: tuple[int, ...], rows: np.ndarray, merge: Any, draws: int
    ) -> str | None:
        """The variable to split a pool on, or None to run the pool with its plan.

        A pool whose plan costs more per case than building plans for its parts would (a
        variable summed against an indicator in a large clique: the cases that observe it
        slice it instead) is split on the indicator variable in the costliest steps.
        """
        if len(rows) < 2:
            return None
        mixed = {v for v, s in zip(self.variables, status, strict=True) if s == MIXED}
        if not mixed:
            return None
        run = len(rows) * plan.flops * max(draws, 1)
        if run < 4 * (_BUILD_FLOPS + _BUILD_FLOPS_PER_VARIABLE * plan.free):
            return None  # (a fixed cost model: the same cases always get the same plans)
        heaviest = next((v for v, _ in plan.weight if v in mixed), None)
        return heaviest or next(v for v in self.variables if v in mixed)

    def _full_status(self, key_vars: list[str], st: np.ndarray) -> tuple[int, ...]:
        """A status per variable (leaves: BARREN; their use is in the leaves)."""
        by = dict(zip(key_vars, st.tolist(), strict=True))
        return tuple(int(by.get(v, BARREN)) for v in self.variables)

    @staticmethod
    def _leaves_seen(leaf_obs: np.ndarray, rows: np.ndarray, leafy: list[str]) -> tuple[str, ...]:
        if not leafy:
            return ()
        seen = leaf_obs[rows].any(axis=0)
        return tuple(v for v, s in zip(leafy, seen.tolist(), strict=True) if s)

    def _plan(
        self,
        status: tuple[int, ...],
        leaves: tuple[str, ...],
        names: tuple[str, ...],
        drawn: frozenset[str],
    ) -> Plan:
        key = (status, leaves, names, drawn)
        plan = self._plans.get(key)
        if plan is not None:
            self._plans.move_to_end(key)
            return plan
        if sum(t.size for t in self._bundles.values()) > _BUNDLE_CACHE_FLOATS:
            self._bundles.clear()
        plan = build_plan(
            self.variables, self._parents, self._card, self._cpts,
            dict(zip(self.variables, status, strict=True)), leaves, names, drawn,
            self._bundles, self._heuristic,
        )  # fmt: skip
        self._plans[key] = plan
        self._count(plan, 1)
        while len(self._plans) > _MAX_PLANS or (
            self._plan_floats > _PLAN_FLOATS and len(self._plans) > 1
        ):  # forget the least recently used
            _, old = self._plans.popitem(last=False)
            self._count(old, -1)
        return plan

    def _count(self, plan: Plan, sign: int) -> None:
        """Keep the floats held by the kept plans' tables (a shared table counts once)."""
        tables = [g.table for _, g in plan.gathers if g.table is not None]
        tables += [c for _, c in plan.constants]
        for t in tables:
            n = self._refs.get(id(t), 0) + sign
            if n == 0:
                del self._refs[id(t)]
            else:
                self._refs[id(t)] = n
            if n == (1 if sign > 0 else 0):
                self._plan_floats += sign * t.size

    def _run_chunk(
        self,
        plan: Plan,
        x: np.ndarray,
        rows: np.ndarray,
        cpt_map: Mapping[str, np.ndarray],
        drawn_cache: dict[tuple, np.ndarray],
        posts: dict[str, np.ndarray],
        log_pe: np.ndarray,
    ) -> None:
        """Fill the posteriors and log P(evidence) of one chunk of cases."""
        xc = x[rows]
        xm = np.where(xc < 0, self._unobserved.astype(xc.dtype), xc)  # -1 (unobserved): card
        beliefs, lp, tiny = run_plan(plan, xm, cpt_map, drawn_cache, rescale=False)
        if tiny.any():  # impossible or underflowing: those cases again, with rescaling
            again = np.flatnonzero(tiny.reshape(-1, xc.shape[0]).any(axis=0))
            b2, lp2, _ = run_plan(plan, xm[again], cpt_map, drawn_cache, rescale=True)
            beliefs = {t: np.array(b) for t, b in beliefs.items()}
            lp = np.array(lp)
            for t, b in b2.items():
                beliefs[t][..., again, :] = b
            lp[..., again] = lp2
        log_pe[..., rows] = lp
        possible = np.isfinite(lp)
        for t, b in beliefs.items():
            total = b.sum(axis=-1, keepdims=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                post = b / total
            bad = ~(possible[..., None] & (total > 0))
            if bad.any():  # impossible: zeros, never NaN
                post = np.where(bad, 0.0, post)
            posts[t][..., rows, :] = post
        for t in plan.sliced_targets:
            k = self._card[t]
            onehot = np.eye(k)[xc[:, self._col[t]]]
            posts[t][..., rows, :] = np.where(possible[..., None], onehot, 0.0)


def _one_blas_thread() -> contextlib.AbstractContextManager:
    """BLAS on one thread while the tree runs: its matrix products are many and small, so
    threads cost more to start than they save, and they compete with other processes (and
    with ``--jobs``). threadpoolctl comes with scikit-learn; without it, nothing changes."""
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # lazy
    except ImportError:  # pragma: no cover - scikit-learn requires it
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _sorted_groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows sorted by a small-integer key matrix: the order, group bounds, and a row of each."""
    n, width = keys.shape
    if width == 0:
        return np.arange(n), np.array([0, n]), np.array([0])
    words = []
    for start in range(0, width, 39):  # base 3 (or 2) digits in an int64 word
        block = keys[:, start : start + 39].astype(np.int64)
        word = np.zeros(n, dtype=np.int64)
        for j in range(block.shape[1]):
            word = word * 4 + block[:, j]
        words.append(word)
    if len(words) == 1:
        inverse = words[0]
        order = np.argsort(inverse, kind="stable")
        sk = inverse[order]
        starts = np.flatnonzero(sk[1:] != sk[:-1]) + 1
    else:
        stacked = np.stack(words, axis=1)
        _, inverse = np.unique(stacked, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        order = np.argsort(inverse, kind="stable")
        sk = inverse[order]
        starts = np.flatnonzero(sk[1:] != sk[:-1]) + 1
    bounds = np.concatenate([[0], starts, [n]])
    return order, bounds, order[bounds[:-1]]
