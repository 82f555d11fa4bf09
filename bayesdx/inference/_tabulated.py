"""Tabulated evidence: a small kernel of variables per target set, the rest through lookups.

For a set of targets, a *kernel* -- the targets and a few variables that cut the network --
is chosen so that every other variable falls into a small *component*: the variables
outside the kernel, connected through the tables they share. Given the kernel, components
are independent, so each sends the kernel a message that depends only on the evidence on
its own variables. That message is tabulated once for every combination of its variables'
*codes* (a state, or "unobserved": the variable summed out), by one ``numpy.einsum``; small
tables over the same kernel variables are multiplied into *bundles* (the kernel's own
tables too). A case then costs one gather per bundle and a product over the kernel's
unobserved states, and cases are grouped only by which kernel variables they observe (at
most ``2 ** len(kernel)`` groups), never by the rest of their pattern: on the bundled marrow
network a million cases with a different pattern each run as a handful of groups.

The arithmetic is the sum of products of variable elimination, in another order: an
unobserved variable is summed against a column of ones (for a barren variable, a sum of
probabilities that is 1 to rounding), so results equal the plans' ``prune="block"`` to
rounding. Cases whose P(evidence) falls below 1e-250 are recomputed in logarithms, so a tiny
but positive probability is never mistaken for an impossible case (no table or product of
tables the lookups use has an entry that underflowed: see ``FLOOR``).

The kernel exists only where it is small (at most ``KERNEL_STATES`` joint states, or
``KERNEL_JOINT`` for two targets or more, whose marginals need the joint case by case, and
``KERNEL_VARIABLES`` variables, one-state variables included;
tables of at most ``COMPONENT_FLOATS`` floats per component and ``TOTAL_FLOATS`` in all); the
choice depends on the network and the targets alone, never on the cases, so a case's
numbers never depend on the batch it is in.

With one target, where numba is installed (the ``fast`` extra), a batch of at least
``_loops.FAST_CASES`` cases has every program of its kernel written out as one loop over the
cases and compiled (:mod:`bayesdx.inference._loops`): the same steps in the same order, so
the same bits (sums over a variable and a case's total are added one term at a time, in
order, in both), without a numpy call per step.

This module imports only numpy (and :mod:`bayesdx.inference._graph` and
:mod:`bayesdx.inference._loops`, which import numba only where a loop is compiled).
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from bayesdx.inference import _loops
from bayesdx.inference._graph import FLOOR, TINY, lowest_positive, member_sums

__all__ = ["Kernel", "build_kernel"]

KERNEL_STATES = 1024  # joint states of the kernel's variables
KERNEL_JOINT = 64  # ... with two targets or more (their marginals need the joint per case)
KERNEL_VARIABLES = 16  # variables of the kernel (one-state variables cost it no states)
COMPONENT_FLOATS = 1 << 16  # floats of one component's table (codes x kernel states)
COMPONENT_VARIABLES = 16  # variables of one component
TOTAL_FLOATS = 1 << 22  # floats of all bundles (32 MB)
BUNDLE_CODES = 1 << 12  # code combinations per bundle
BUNDLE_FLOATS = 1 << 17  # floats per bundle (1 MB)
# floats of the programs kept per kernel (each group's views: the bundles transposed and
# multiplied, many times the bundles' floats; the first built go first)
PROGRAM_FLOATS = 1 << 25
# the compiled loop (numba, where installed; see _loops.wanted) for one target, on kernels of
# at most FAST_VARIABLES variables (every program is written out for it)
FAST_VARIABLES = 7
_FAST_BLOCK = 1 << 14  # cases per call of the loop (between calls: progress, logarithms)
_CHUNK_FLOATS = 1 << 20  # floats of a chunk's kernel joint (8 MB)
_MAX_CHUNK = 2048


class _Bundle:
    """A lookup table: ``table[*codes, *kernel states]`` for the codes of ``cols``."""

    __slots__ = ("cols", "radix", "scope", "table")

    def __init__(
        self,
        cols: tuple[int, ...],
        radix: tuple[int, ...],
        scope: tuple[int, ...],
        table: np.ndarray,
    ):
        self.cols = cols  # evidence columns, in code order
        self.radix = radix  # card + 1 per column (code 0: unobserved, s + 1: state s)
        self.scope = scope  # kernel positions the table depends on, in kernel order
        self.table = table


class _Program:
    """What a group of cases (the kernel variables it observes) runs."""

    __slots__ = (
        "by_shape", "eliminate", "hidden", "hidden_cards", "offsets", "order", "views", "weights",
    )  # fmt: skip

    def __init__(self) -> None:
        self.hidden: tuple[int, ...] = ()  # kernel positions not observed
        self.hidden_cards: tuple[int, ...] = ()
        self.weights: np.ndarray = np.zeros((0, 0))  # bundles x evidence columns: row indices
        self.offsets: np.ndarray = np.zeros((0, 1), dtype=np.intp)  # ... plus these
        self.views: list[np.ndarray] = []  # per bundle: rows x unobserved kernel states
        # per shape over ``hidden`` (broadcast): the views of that shape
        self.by_shape: list[tuple[tuple[int, ...], list[int]]] = []
        self.eliminate: int | None = None  # the one unobserved target, if one
        self.order: tuple[int, ...] = ()  # its elimination order: axes of ``hidden``


class Kernel:
    """The kernel of a target set and its bundles (build it with :func:`build_kernel`).

    Attributes
    ----------
    variables : tuple of str
        The kernel's variables, in network order.
    targets : tuple of str
    floats : int
        Floats held by the bundles.
    """

    def __init__(
        self,
        columns: Sequence[str],
        variables: tuple[str, ...],
        targets: tuple[str, ...],
        cards: Mapping[str, int],
        bundles: list[_Bundle],
    ):
        self.variables = variables
        self.targets = targets
        self._columns = tuple(columns)
        self._kcols = tuple(self._columns.index(v) for v in variables)
        self._kcards = tuple(cards[v] for v in variables)
        self._tpos = tuple(variables.index(t) for t in targets)
        self._bundles = bundles
        self._programs: dict[int, _Program] = {}
        self._program_floats = 0
        self._fast: _Fast | bool = len(targets) == 1  # True: not built yet, False: none
        self.floats = sum(b.table.size for b in bundles)

    # ---------------------------------------------------------------- running
    def run(
        self,
        x: np.ndarray,
        posts: dict[str, np.ndarray],
        log_pe: np.ndarray,
        chunk_size: int | None = None,
        progress: Callable[[int], None] | None = None,
        sums: Mapping[str, tuple[str, list[int], np.ndarray]] | None = None,
    ) -> None:
        """Fill ``posts`` (target -> ``(n, card)``) and ``log_pe`` (``(n,)``) for the
        evidence matrix ``x`` (columns in network order, -1: unobserved).

        ``sums`` (name -> target, state indices, ``(n,)`` output) are filled with the sum of
        those states' posteriors, added one by one in order from 0.0 (the arithmetic of
        :func:`bayesdx.inference._graph.group_sums`), block by block while in cache.
        """
        if x.shape[0]:
            with np.errstate(divide="ignore"):  # log(0) is -inf: an impossible case
                self._run(x, posts, log_pe, chunk_size, progress, sums)

    def loop(self, n: int) -> Callable[..., int] | None:
        """The compiled loop of this kernel for a batch of ``n`` cases (see
        :mod:`bayesdx.inference._loops` and :meth:`run_loop`), or None: built for a batch
        of at least ``_loops.FAST_CASES`` cases, then used for batches of any size."""
        if self._fast is True and _loops.wanted(n):
            self._fast = False
            programs = self._every_program()
            if programs:
                fast = _Fast(self, programs)
                text = _loops.source(fast, self._kcards[self._tpos[0]])
                fast.loop = _loops.load(text) if text is not None else None
                self._fast = fast if fast.loop is not None else False
        return self._fast.loop if isinstance(self._fast, _Fast) else None

    def _every_program(self) -> dict[int, _Program] | None:
        """The program of every mask with the target unobserved, or None where there are
        more than ``2 ** (FAST_VARIABLES - 1)`` or their tables hold more than
        ``PROGRAM_FLOATS`` floats (the loop keeps them all, in one array)."""
        if len(self.variables) > FAST_VARIABLES:
            return None
        tk = self._tpos[0]
        programs, floats = {}, 0
        for mask in range(1 << len(self.variables)):
            if not mask >> tk & 1:
                programs[mask] = self._program(mask)
                floats += sum(v.size for v in programs[mask].views)
                if floats > PROGRAM_FLOATS:
                    return None
        return programs

    def run_loop(
        self,
        loop: Callable[..., int],
        x: np.ndarray,
        cards: np.ndarray,
        posts: dict[str, np.ndarray],
        log_pe: np.ndarray,
        blank: np.ndarray,
        progress: Callable[[int], None] | None = None,
        sums: Mapping[str, tuple[str, list[int], np.ndarray]] | None = None,
        chunk_size: int | None = None,
    ) -> int | None:
        """:meth:`run` by the compiled loop from :meth:`loop` (one target), with the same
        bits, on evidence ``x`` (C-contiguous, not checked yet) whose columns have
        ``cards`` states: the loop checks it and marks in ``blank`` the cases that observe
        nothing. The cases the loop leaves (the target observed, or a total below
        ``TINY``) go through :meth:`run`'s arithmetic.

        Returns the flat index of the first entry of ``x`` that is not a state index (the
        outputs are then incomplete), -1 when there is none, or None where the loop could
        not run (numba failed to compile or load it: nothing is filled, and the kernel
        keeps to numpy from then on).
        """
        fast = self._fast  # this batch's, whatever another call does to the kernel's
        assert isinstance(fast, _Fast)
        t = self.targets[0]
        post = posts[t]
        groups = [(index, out) for _, index, out in (sums or {}).values()]
        members = np.asarray([i for index, _ in groups for i in index], dtype=np.int64)
        member_range = np.cumsum([0] + [len(index) for index, _ in groups], dtype=np.int64)
        block = min(_FAST_BLOCK, chunk_size or _FAST_BLOCK)  # progress after each
        for start in range(0, x.shape[0], block):
            stop = min(start + block, x.shape[0])
            xs, ps = x[start:stop], post[start:stop]
            total = np.ones(stop - start)
            done = np.empty(stop - start, dtype=bool)
            out = np.empty((len(groups), stop - start))
            args = (xs, cards, fast.table, ps, total, done, blank[start:stop], members,
                    member_range, out)  # fmt: skip
            if start:
                bad = loop(*args)
            else:  # numba compiles or loads the loop at its first call here
                first = self._first_call(fast, loop, args)
                if first is None:
                    return None
                bad, loop = first
            if bad >= 0:
                return start * x.shape[1] + int(bad)
            with np.errstate(divide="ignore"):  # log(0) is -inf: an impossible case
                log_pe[start:stop] = np.log(total)
                for g, (_, full) in enumerate(groups):
                    full[start:stop] = out[g]
                if not done.all():
                    redo = np.flatnonzero(~done)
                    sub, lp = {t: np.zeros((len(redo), post.shape[1]))}, np.zeros(len(redo))
                    self._run(xs[redo], sub, lp, None, None, None)
                    ps[redo] = sub[t]
                    log_pe[start:stop][redo] = lp
                    for index, full in groups:
                        full[start:stop][redo] = member_sums(sub[t], index)
            if progress is not None:
                progress(stop - start)
        return -1

    def _first_call(
        self, fast: _Fast, loop: Callable[..., int], args: tuple[np.ndarray, ...]
    ) -> tuple[int, Callable[..., int]] | None:
        """The loop's first call, where numba compiles it or loads it from its cache: where
        that fails (a damaged cache entry), once more with the entries removed; where that
        fails too, None, and the kernel keeps to numpy from then on (the same bits)."""
        try:
            return loop(*args), loop
        except Exception:
            again = _loops.rebuild(loop)
        try:
            if again is not None:
                fast.loop = again
                return again(*args), again
        except Exception:
            pass
        if self._fast is fast:
            self._fast = False
        return None

    def _run(
        self,
        x: np.ndarray,
        posts: dict[str, np.ndarray],
        log_pe: np.ndarray,
        chunk_size: int | None,
        progress: Callable[[int], None] | None,
        sums: Mapping[str, tuple[str, list[int], np.ndarray]] | None,
    ) -> None:
        n = x.shape[0]
        # chunks of consecutive cases (their rows and posteriors stay in cache), each split
        # by the kernel variables its cases observe
        worst = max(self._kcards, default=1)
        size = int(np.clip(_CHUNK_FLOATS // max(math.prod(self._kcards), 1) * worst, 1, _MAX_CHUNK))
        if chunk_size is not None:
            size = min(size, chunk_size)
        bits = 1 << np.arange(len(self._kcols), dtype=np.int64)
        for start in range(0, n, size):
            stop = min(start + size, n)
            xs = x[start:stop]
            key = (xs[:, self._kcols] >= 0) @ bits if self._kcols else np.zeros(len(xs), np.int64)
            counts = np.bincount(key, minlength=1)
            present = np.flatnonzero(counts)
            if len(present) == 1:
                got, lp = self._chunk(self._program(int(present[0])), xs)
                for t in self.targets:
                    posts[t][start:stop] = got[t]
                log_pe[start:stop] = lp
            else:
                for g in present.tolist():
                    rows = np.flatnonzero(key == g)
                    got, lp = self._chunk(self._program(g), xs[rows])
                    for t in self.targets:
                        posts[t][start:stop][rows] = got[t]
                    log_pe[start:stop][rows] = lp
            for t, index, out in (sums or {}).values():
                out[start:stop] = member_sums(posts[t][start:stop], index)
            if progress is not None:
                progress(stop - start)

    def _chunk(self, program: _Program, xc: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Posteriors (target -> ``(m, card)``) and log P(evidence) of the cases ``xc``,
        which observe the kernel variables ``program`` is for."""
        m = len(xc)
        # each view's row: weights . x plus a constant (exact: integers, see _program)
        index = (program.weights @ xc.astype(program.weights.dtype).T).astype(np.intp)
        index += program.offsets
        shape = program.hidden_cards
        parts = self._parts(program, index, m, logs=False)
        if program.eliminate is not None:  # one unobserved target: variable elimination
            out = _eliminate(parts, program.hidden_cards, program.order, _Arrays)
            margs = {program.eliminate: out.reshape(m, -1)}
            # added in order, as the compiled loop adds (see _loops.source)
            marg = margs[program.eliminate]
            total = member_sums(marg, range(marg.shape[1]))
        else:
            margs = self._marginals(program, _joint(parts, shape, logs=False))
            first = next(iter(margs.values())) if margs else _joint(parts, shape, logs=False)
            # row sums by einsum: fast on short rows, and the same bits whatever the chunk
            # (a BLAS product is not: its blocking depends on the number of rows)
            total = np.einsum("ij->i", first.reshape(m, -1))
        lp = np.log(total)  # (run sets divide="ignore" once: -inf for 0)
        tiny = ~(total >= TINY)
        if tiny.any():  # impossible or underflowing: those cases again, in logarithms
            again = np.flatnonzero(tiny)
            logs = _joint(self._parts(program, index[:, again], len(again), logs=True), shape, True)
            flat = logs.reshape(len(again), -1)
            top = flat.max(axis=1)
            finite = np.isfinite(top)
            scaled = np.exp(flat - np.where(finite, top, 0.0)[:, None])
            scaled[~finite] = 0.0
            sub = scaled.sum(axis=1)
            for k, marg in self._marginals(program, scaled.reshape(-1, *shape)).items():
                margs[k] = np.array(margs[k])
                margs[k][again] = marg
            total = total.copy()
            total[again] = sub
            lp[again] = np.where(finite, top + np.log(np.where(finite, sub, 1.0)), -np.inf)
        possible = np.isfinite(lp)
        every = bool(possible.all())
        safe = total if every else np.where(possible & (total > 0), total, 1.0)
        got = {}
        for k, t in zip(self._tpos, self.targets, strict=True):
            if k in margs:
                post = margs[k]
                post *= (1.0 / safe)[:, None]
            else:
                post = np.eye(self._kcards[k])[xc[:, self._kcols[k]]]
            got[t] = post if every else np.where(possible[:, None], post, 0.0)
        return got, lp

    def _marginals(self, program: _Program, joint: np.ndarray) -> dict[int, np.ndarray]:
        """Unobserved target position -> its unnormalised marginal, case by case (new
        arrays), from the joint of the unobserved kernel variables."""
        out = {}
        for k in self._tpos:
            if k in program.hidden:
                axis = 1 + program.hidden.index(k)
                other = tuple(a for a in range(1, joint.ndim) if a != axis)
                out[k] = joint.sum(axis=other) if other else np.array(joint)
        return out

    def _parts(self, program: _Program, index: np.ndarray, m: int, logs: bool) -> list[np.ndarray]:
        """Per group of bundles over the same unobserved kernel variables: their product
        case by case (or the sum of the logarithms), shaped to broadcast over the joint."""
        parts = []
        for bshape, members in program.by_shape:
            acc = None
            for b in members:
                got = program.views[b].take(index[b], axis=0)
                if logs:
                    got = np.log(got)
                if acc is None:
                    acc = got
                elif logs:
                    acc += got
                else:
                    acc *= got
            assert acc is not None
            parts.append(acc.reshape(m, *bshape))
        return parts

    def _program(self, mask: int) -> _Program:
        program = self._programs.get(mask)
        if program is not None:
            return program
        observed = {k for k in range(len(self.variables)) if mask >> k & 1}
        program = _Program()
        # the unobserved kernel variables, the one with the most states last (broadcasting
        # over a long last axis is fast)
        program.hidden = tuple(
            sorted(
                (k for k in range(len(self.variables)) if k not in observed),
                key=lambda k: (self._kcards[k], k),
            )
        )
        program.hidden_cards = tuple(self._kcards[k] for k in program.hidden)
        views: list[tuple[np.ndarray, np.ndarray, tuple[int, ...]]] = []  # view, weights, shape
        for bundle in self._bundles:
            obs = [k for k in bundle.scope if k in observed]
            hid = [k for k in program.hidden if k in bundle.scope]
            n_codes = math.prod(bundle.radix)
            t = bundle.table.reshape(n_codes, *(self._kcards[k] for k in bundle.scope))
            perm = [0] + [1 + bundle.scope.index(k) for k in obs + hid]
            rows = n_codes * math.prod(self._kcards[k] for k in obs)
            view = np.ascontiguousarray(t.transpose(perm)).reshape(
                rows, math.prod(self._kcards[k] for k in hid)
            )
            # the row: code digits (mixed radix, the last column fastest), then the
            # observed kernel states, in the same way
            weights: np.ndarray = np.zeros(len(self._columns) + 1)
            stride = 1
            for k in reversed(obs):
                weights[self._kcols[k]] += stride
                stride *= self._kcards[k]
            for col, r in zip(reversed(bundle.cols), reversed(bundle.radix), strict=True):
                weights[col] += stride  # the code is the state + 1 (0: unobserved) ...
                weights[-1] += stride  # ... so the row is weights . x + a constant
                stride *= r
            shape = tuple(self._kcards[k] if k in hid else 1 for k in program.hidden)
            views.append((view, weights, shape))
        merged = _merge(views)
        program.views = [v for v, _, _ in merged]
        stacked = np.stack([w for _, w, _ in merged]) if merged else np.zeros((0, 0))
        # row indices are sums of integer products: exact in float32 below 2**24
        exact32 = all(v.shape[0] < 1 << 24 for v in program.views)
        program.weights = stacked[:, :-1].astype(np.float32 if exact32 else np.float64)
        program.offsets = stacked[:, -1:].astype(np.intp)
        starts: dict[tuple[int, ...], list[int]] = {}
        for b, (_, _, shape) in enumerate(merged):
            starts.setdefault(shape, []).append(b)
        program.by_shape = list(starts.items())
        hidden_targets = [k for k in self._tpos if k in program.hidden]
        if len(hidden_targets) == 1:
            program.eliminate = hidden_targets[0]
            axis = program.hidden.index(hidden_targets[0])
            program.order = tuple(a for a in range(len(program.hidden)) if a != axis)
        size = sum(v.size for v in program.views)
        while self._programs and self._program_floats + size > PROGRAM_FLOATS:
            old = self._programs.pop(next(iter(self._programs)))
            self._program_floats -= sum(v.size for v in old.views)
        self._programs[mask] = program
        self._program_floats += size
        return program


def _merge(
    views: list[tuple[np.ndarray, np.ndarray, tuple[int, ...]]],
) -> list[tuple[np.ndarray, np.ndarray, tuple[int, ...]]]:
    """Lookup tables multiplied together where the product stays small: a table whose
    unobserved variables are among another's goes into it (its rows times the other's, its
    columns broadcast), so a case needs fewer gathers and products. Items are ``(view,
    weights, shape)``: rows by unobserved states, the row index's weights per evidence
    column, and the shape the columns broadcast to. Two tables whose product could
    underflow (below ``FLOOR``) stay apart: the logarithms add them instead."""
    items = sorted(
        ((*it, lowest_positive(it[0])) for it in views),
        key=lambda it: (math.prod(it[2]), it[0].shape[0]),
    )
    i = 0
    while i < len(items):
        view, weights, shape, low = items[i]
        fits = [
            j
            for j, (other, _, oshape, olow) in enumerate(items)
            if j != i
            and all(a in (1, b) for a, b in zip(shape, oshape, strict=True))
            and view.shape[0] * other.size <= BUNDLE_FLOATS
            and low * olow >= FLOOR
        ]
        if not fits:
            i += 1
            continue
        j = min(fits, key=lambda j: (items[j][0].size, j))
        other, oweights, oshape, _ = items[j]
        rows = view.shape[0] * other.shape[0]
        wide = np.broadcast_to(view.reshape(-1, *shape), (view.shape[0], *oshape))
        table = (wide.reshape(view.shape[0], 1, -1) * other[None, :, :]).reshape(rows, -1)
        items[j] = (table, weights * other.shape[0] + oweights, oshape, lowest_positive(table))
        del items[i]
        i = 0
    return [(view, weights, shape) for view, weights, shape, _ in items]


def _joint(parts: list[np.ndarray], shape: tuple[int, ...], logs: bool) -> np.ndarray:
    """The parts multiplied (or their logarithms added) into the joint, ``(m, *shape)``."""
    out = parts[0]
    for part in parts[1:]:
        out = out + part if logs else out * part
    m = out.shape[0]
    return np.broadcast_to(out, (m, *shape)) if out.shape[1:] != shape else out


class _Arrays:
    """The arithmetic of :func:`_eliminate` on arrays ``(m, *shape)`` of many cases."""

    @staticmethod
    def shape(a: np.ndarray) -> tuple[int, ...]:
        return a.shape[1:]

    @staticmethod
    def mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a * b

    @staticmethod
    def sum_axis(a: np.ndarray, axis: int) -> np.ndarray:
        """``a.sum(1 + axis, keepdims=True)``, added one state at a time in order (the
        compiled loops add in the same order, so both give the same bits)."""
        ax = (slice(None),) * (1 + axis)
        out = a[(*ax, slice(0, 1))] + a[(*ax, slice(1, 2))]
        for j in range(2, a.shape[1 + axis]):
            out += a[(*ax, slice(j, j + 1))]
        return out


def _eliminate(parts: list[Any], shape: tuple[int, ...], order: tuple[int, ...], ops: Any) -> Any:
    """The target's unnormalised marginal: each other variable summed out from the
    product of the parts that hold it, in ``order`` (axes of ``shape``). ``ops`` does the
    arithmetic: :class:`_Arrays` on many cases at once, or :class:`_Script` writing the
    same steps down for the compiled loops."""
    parts = list(parts)
    for axis in order:
        if shape[axis] == 1:
            continue
        holding = [p for p in parts if ops.shape(p)[axis] > 1]
        if not holding:
            continue
        parts = [p for p in parts if ops.shape(p)[axis] == 1]
        prod = holding[0]
        for p in holding[1:]:
            prod = ops.mul(prod, p)
        parts.append(ops.sum_axis(prod, axis))
    out = parts[0]
    for p in parts[1:]:
        out = ops.mul(out, p)
    return out


class _Script:
    """The arithmetic of :func:`_eliminate` written down as steps for one case, for
    :func:`bayesdx.inference._loops.source`: a value is ``(slot, shape)``, its floats
    in a buffer from ``slot`` on, in the order of ``shape`` (axes over the program's
    unobserved kernel variables, 1 where broadcast)."""

    def __init__(self) -> None:
        self.size = 0  # floats of the buffer
        self.steps: list[tuple[int, ...]] = []
        self.maps: list[np.ndarray] = []
        self.mapped = 0  # entries of maps so far

    @staticmethod
    def shape(a: tuple[int, tuple[int, ...]]) -> tuple[int, ...]:
        return a[1]

    def _slot(self, n: int) -> int:
        self.size += n
        return self.size - n

    def _map(self, index: np.ndarray) -> int:
        self.maps.append(index.ravel().astype(np.int64))
        self.mapped += index.size
        return self.mapped - index.size

    def gather(self, view: int, shape: tuple[int, ...], first: bool) -> tuple[int, tuple[int, ...]]:
        """A lookup table's row (``first``), or the product with it (the last value)."""
        n = math.prod(shape)
        dst = self._slot(n) if first else self.size - n
        code = _loops.GATHER if first else _loops.TIMES
        self.steps.append((code, dst, view, 0, 1, 0, 0, 1, n, 1, 0))
        return dst, shape

    def mul(
        self, a: tuple[int, tuple[int, ...]], b: tuple[int, tuple[int, ...]]
    ) -> tuple[int, tuple[int, ...]]:
        shape = tuple(max(i, j) for i, j in zip(a[1], b[1], strict=True))
        width = shape[-1]
        at = [np.broadcast_to(np.arange(math.prod(v[1])).reshape(v[1]), shape) for v in (a, b)]
        ma, mb = self._map(at[0][..., 0]), self._map(at[1][..., 0])
        sa, sb = (int(v[1][-1] == width > 1) for v in (a, b))
        dst = self._slot(math.prod(shape))
        outer = math.prod(shape[:-1])
        self.steps.append((_loops.MUL, dst, a[0], b[0], outer, ma, mb, 1, width, sa, sb))
        return dst, shape

    def sum_axis(self, a: tuple[int, tuple[int, ...]], axis: int) -> tuple[int, tuple[int, ...]]:
        k = a[1][axis]
        shape = tuple(1 if i == axis else c for i, c in enumerate(a[1]))
        index = np.moveaxis(np.arange(math.prod(a[1])).reshape(a[1]), axis, -1)
        if axis == len(shape) - 1:  # the last axis: one float per output, k in a row
            width, index = 1, index.reshape(-1, k)
        else:  # k rows of ``width`` floats per output row
            width, index = shape[-1], index[..., 0, :].reshape(-1, k)
        ma = self._map(index)
        dst = self._slot(math.prod(shape))
        outer = math.prod(shape) // width
        self.steps.append((_loops.SUM, dst, a[0], 0, outer, ma, 0, k, width, 1, 0))
        return dst, shape


class _Fast:
    """Every program of a one-target kernel written down for the compiled loop, as the
    arrays :func:`bayesdx.inference._loops.source` writes out."""

    def __init__(self, kernel: Kernel, programs: dict[int, _Program]) -> None:
        ids = sorted(programs)
        card = kernel._kcards[kernel._tpos[0]]
        self.program_of = np.full(1 << len(kernel.variables), -1, dtype=np.int64)
        views: list[np.ndarray] = []
        weights: list[list[tuple[int, int]]] = []
        offsets: list[int] = []
        steps: list[tuple[int, ...]] = []
        maps: list[np.ndarray] = []
        view_range, step_range, out_slot, size = [0], [0], [], 0
        for p, mask in enumerate(ids):
            program = programs[mask]
            script = _Script()
            parts = []
            for bshape, members in program.by_shape:
                for j, b in enumerate(members):
                    part = script.gather(b, bshape, j == 0)
                parts.append(part)
            out = _eliminate(parts, program.hidden_cards, program.order, script)
            if math.prod(out[1]) == card:  # else the target is broadcast: numpy takes it
                self.program_of[mask] = p
            views.extend(program.views)
            for b in range(len(program.views)):
                w = program.weights[b]
                weights.append([(int(c), int(w[c])) for c in np.flatnonzero(w)])
                offsets.append(int(program.offsets[b, 0]))
            base = sum(v.size for v in maps)
            steps.extend((*st[:5], st[5] + base, st[6] + base, *st[7:]) for st in script.steps)
            maps.extend(script.maps)
            out_slot.append(out[0])
            size = max(size, script.size)
            view_range.append(len(views))
            step_range.append(len(steps))
        self.kcols = np.asarray(kernel._kcols, dtype=np.int64)
        self.view_range = np.asarray(view_range, dtype=np.int64)
        self.view_cols = np.asarray([v.shape[1] for v in views], dtype=np.int64)
        # one copy of a table that several programs use unchanged (those over the target
        # alone): fewer floats for the cache to hold
        unique: list[np.ndarray] = []
        at, view_start = 0, []
        for v in views:
            same = next((k for k, u in enumerate(unique) if _same_table(u, v)), None)
            if same is None:
                unique.append(v)
                view_start.append(at)
                at += v.size
            else:
                view_start.append(sum(u.size for u in unique[:same]))
        self.view_start = np.asarray(view_start, dtype=np.int64)
        self.table = np.concatenate([u.ravel() for u in unique]) if unique else np.zeros(1)
        self.weight_range = np.cumsum([0] + [len(w) for w in weights], dtype=np.int64)
        flat = [pair for w in weights for pair in w]
        self.weight_col = np.asarray([c for c, _ in flat], dtype=np.int64)
        self.weight = np.asarray([w for _, w in flat], dtype=np.int64)
        self.offset = np.asarray(offsets, dtype=np.int64)
        self.step_range = np.asarray(step_range, dtype=np.int64)
        self.steps = np.asarray(steps, dtype=np.int64).reshape(-1, 11)
        self.maps = np.concatenate(maps) if maps else np.zeros(1, dtype=np.int64)
        self.out_slot = np.asarray(out_slot, dtype=np.int64)
        self.buf_size = size
        self.loop: Callable[..., int] | None = None


def _same_table(a: np.ndarray, b: np.ndarray) -> bool:
    """The same lookup table (shape and bits; NaN is never in one)."""
    return a is b or (a.shape == b.shape and bool(np.array_equal(a, b)))


# ---------------------------------------------------------------- building
def build_kernel(
    variables: Sequence[str],
    parents: Mapping[str, tuple[str, ...]],
    cards: Mapping[str, int],
    cpts: Mapping[str, np.ndarray],
    targets: Sequence[str],
) -> Kernel | None:
    """The kernel of ``targets`` and its bundles, or None where no kernel is small enough.

    Starting from the targets, the variable that touches the most others in the largest
    component that is too large to tabulate joins the kernel, until every component fits
    (``COMPONENT_FLOATS``, ``COMPONENT_VARIABLES``) or the kernel grows past
    ``KERNEL_STATES`` (``KERNEL_JOINT``) or ``KERNEL_VARIABLES``.

    Examples
    --------
    >>> import bayesdx
    >>> net = bayesdx.load_network("marrow_signal")
    >>> k = build_kernel(net.variables, net.parents,
    ...                  {v: len(s) for v, s in net.states.items()}, net.cpts, ["diagnosis"])
    >>> k.variables
    ('diagnosis', 'marrow_failure', 'm_protein')
    """
    if not targets:
        return None
    kernel = set(targets)
    scopes = {v: (*parents[v], v) for v in variables}
    limit = KERNEL_STATES if len(set(targets)) == 1 else KERNEL_JOINT
    while True:
        if math.prod(cards[v] for v in kernel) > limit or len(kernel) > KERNEL_VARIABLES:
            return None
        comps = _components(variables, scopes, kernel)
        too_big = [
            c
            for c in comps
            if len(c[0]) > COMPONENT_VARIABLES or _size(c, scopes, cards, kernel) > COMPONENT_FLOATS
        ]
        if not too_big:
            break
        worst = max(
            too_big, key=lambda c: (_size(c, scopes, cards, kernel), -variables.index(c[0][0]))
        )
        kernel.add(_cut(worst, scopes, cards, variables))
    order = tuple(v for v in variables if v in kernel)
    position = {v: k for k, v in enumerate(order)}
    col = {v: j for j, v in enumerate(variables)}
    pieces: list[_Bundle] = []
    for members, factors in comps:
        touched = {u for f in factors for u in scopes[f] if u in kernel}
        scope = sorted(touched, key=position.__getitem__)
        table = _tabulate(members, factors, scopes, cpts, scope)
        if table is None:
            return None
        pieces.append(
            _Bundle(
                tuple(col[v] for v in members),
                tuple(cards[v] + 1 for v in members),
                tuple(position[u] for u in scope),
                table,
            )
        )
    for v in order:  # the kernel's own tables
        if all(p in kernel for p in parents[v]):
            scope = sorted(scopes[v], key=position.__getitem__)
            letters = {u: string.ascii_letters[i] for i, u in enumerate(scope)}
            eq = "".join(letters[u] for u in scopes[v]) + "->" + "".join(letters[u] for u in scope)
            own: np.ndarray = np.einsum(eq, np.asarray(cpts[v], dtype=float))
            pieces.append(_Bundle((), (), tuple(position[u] for u in scope), own))
    bundles = _bundle(pieces, [cards[v] for v in order])
    if sum(b.table.size for b in bundles) > TOTAL_FLOATS:
        return None
    return Kernel(variables, order, tuple(targets), cards, bundles)


def _components(
    variables: Sequence[str], scopes: Mapping[str, tuple[str, ...]], kernel: set[str]
) -> list[tuple[list[str], list[str]]]:
    """The components outside the kernel: (members in network order, the variables whose
    tables they hold)."""
    root = {v: v for v in variables if v not in kernel}

    def find(v: str) -> str:
        while root[v] != v:
            root[v] = root[root[v]]
            v = root[v]
        return v

    for v in variables:
        outside = [u for u in scopes[v] if u not in kernel]
        for u in outside[1:]:
            a, b = find(outside[0]), find(u)
            if a != b:
                root[b] = a
    members: dict[str, list[str]] = {}
    factors: dict[str, list[str]] = {}
    for v in variables:
        if v not in kernel:
            members.setdefault(find(v), []).append(v)
    for v in variables:
        outside = [u for u in scopes[v] if u not in kernel]
        if outside:
            factors.setdefault(find(outside[0]), []).append(v)
    return [(members[r], factors[r]) for r in members]


def _size(
    comp: tuple[list[str], list[str]],
    scopes: Mapping[str, tuple[str, ...]],
    cards: Mapping[str, int],
    kernel: set[str],
) -> int:
    """Floats of a component's table: its codes times the kernel states it depends on."""
    members, factors = comp
    scope = {u for f in factors for u in scopes[f] if u in kernel}
    return math.prod(cards[v] + 1 for v in members) * math.prod(cards[u] for u in scope)


def _cut(
    comp: tuple[list[str], list[str]],
    scopes: Mapping[str, tuple[str, ...]],
    cards: Mapping[str, int],
    variables: Sequence[str],
) -> str:
    """The member that shares tables with the most other members (fewer states, then the
    earlier in network order, first)."""
    members, factors = comp
    inside = set(members)
    neighbours: dict[str, set[str]] = {v: set() for v in members}
    for f in factors:
        scope = [u for u in scopes[f] if u in inside]
        for u in scope:
            neighbours[u].update(scope)
    return max(
        members,
        key=lambda v: (len(neighbours[v] - {v}), -cards[v], -variables.index(v)),
    )


def _tabulate(
    members: list[str],
    factors: list[str],
    scopes: Mapping[str, tuple[str, ...]],
    cpts: Mapping[str, np.ndarray],
    scope: list[str],
) -> np.ndarray | None:
    """``table[*codes of members, *scope]``: the component's message for every code.

    The product of the component's tables over every state of its members (no larger than
    the table), then, member by member, the sum over its states prepended as code 0 (an
    indicator matrix per member would hold ``card * (card + 1)`` floats). None where an
    entry that is not a structural zero falls below ``FLOOR`` (an underflow: the kernel's
    logarithms would call a possible case impossible).
    """
    names = [*members, *scope]
    if len(names) > len(string.ascii_letters):
        return None
    letter = {v: string.ascii_letters[i] for i, v in enumerate(names)}
    eq = ",".join("".join(letter[u] for u in scopes[f]) for f in factors)
    eq += "->" + "".join(letter[u] for u in names)
    operands = [np.asarray(cpts[f], dtype=float) for f in factors]
    table = _codes(np.einsum(eq, *operands, optimize="greedy"), len(members))
    if (table < FLOOR).any():  # zeros, or sums that underflow?
        support = np.einsum(eq, *((op > 0).astype(float) for op in operands), optimize="greedy")
        if ((table < FLOOR) & (_codes(support, len(members)) > 0)).any():
            return None
    return table


def _codes(full: np.ndarray, n: int) -> np.ndarray:
    """``full[*states of n members, ...]`` to ``[*codes, ...]``: code 0 (unobserved) is the
    sum over the member's states, code s + 1 its state s."""
    for axis in range(n):
        full = np.concatenate([full.sum(axis=axis, keepdims=True), full], axis=axis)
    return full


def _bundle(pieces: list[_Bundle], kcards: list[int]) -> list[_Bundle]:
    """Pieces over the same kernel variables multiplied into bundles of at most
    ``BUNDLE_CODES`` codes and ``BUNDLE_FLOATS`` floats, in order."""
    by_scope: dict[tuple[int, ...], list[_Bundle]] = {}
    for p in pieces:
        by_scope.setdefault(p.scope, []).append(p)
    out: list[_Bundle] = []
    for scope, group in by_scope.items():
        states = math.prod(kcards[k] for k in scope)
        current: _Bundle | None = None
        low = 1.0  # the least positive entry of current's table
        for p in group:
            if current is None:
                current, low = p, lowest_positive(p.table)
                continue
            codes = math.prod(current.radix) * math.prod(p.radix)
            plow = lowest_positive(p.table)
            if codes > BUNDLE_CODES or codes * states > BUNDLE_FLOATS or low * plow < FLOOR:
                out.append(current)
                current, low = p, plow
                continue
            a = current.table.reshape(math.prod(current.radix), 1, states)
            b = p.table.reshape(1, math.prod(p.radix), states)
            table = (a * b).reshape(*current.radix, *p.radix, *(kcards[k] for k in scope))
            current = _Bundle(current.cols + p.cols, current.radix + p.radix, scope, table)
            low = lowest_positive(table)
        if current is not None:
            out.append(current)
    return out
