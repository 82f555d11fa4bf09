"""Batched junction trees: the plans of the compiled engine, one per evidence pattern.

A *pattern* gives every variable of the network a status for a group of cases:

- ``BARREN`` (0): neither observed, a target, nor an ancestor of one: it sums to one and is
  dropped (barren-node pruning, as a single query prunes);
- ``FREE`` (1): summed out;
- ``SLICED`` (2): observed in every case of the group: its state is sliced into the tables
  (each case indexes the tables at its own state), so it leaves the graph and never widens a
  clique;
- ``MIXED`` (3): observed in some cases of the group: summed out against an indicator
  (one-hot for an observed state, all ones otherwise).

A *leaf* (an observed node that is a parent of nothing, and not a target) is sliced too; its
table gets one extra row of ones for the cases that do not observe it (an unobserved leaf is
barren: dropping it is multiplying by exactly one), so leaves never split groups.

Each table with a sliced axis becomes a per-case operand: a lookup table indexed by a
mixed-radix code of the case's states. Per-case operands whose free variables nest are
*bundled*: their product over every combination of codes is tabulated once, so a case costs
one gather per bundle. What remains is a graph over the free variables (observed variables
cut it into pieces: d-separation); each connected piece is triangulated by weighted min-fill
into a clique tree, and evaluated by batched message passing (Shafer-Shenoy): a collect pass
towards a root gives P(evidence) and the posterior of a target in the root; a distribute pass
along the paths to the other targets' cliques gives every other marginal for a small multiple
of one target's cost. Every step is one ``numpy.einsum`` over a clique with the case (and
draw) axis in front; it allocates nothing larger than its output, so the memory per case is
the sum of the operands and messages, and chunks of cases keep it bounded.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from bayesdx.inference._graph import FLOOR, TINY, lowest_positive

__all__ = [
    "BARREN",
    "FREE",
    "MIXED",
    "SLICED",
    "CliqueTree",
    "Plan",
    "best_heuristic",
    "build_plan",
    "run_plan",
]

BARREN, FREE, SLICED, MIXED = 0, 1, 2, 3
B = "\x00b"  # the case axis
D = "\x00d"  # the draw axis
_WIDE = (D, B)
BUNDLE_ROWS = 4096  # codes per bundled lookup table
BUNDLE_FLOATS = 1 << 14  # floats per bundled lookup table
_MAX_INPUTS = 24  # numpy.einsum takes a limited number of operands


@dataclass(frozen=True)
class Gather:
    """A per-case operand: ``table[..., code]``, the cases last (a drawn table:
    ``table[:, code]``, draws and cases first).

    ``code = sum(xm[:, cols] * strides)`` where ``xm`` is the evidence with -1 mapped to the
    card (the 'unobserved' row). ``var`` names a drawn table taken at run time (``table`` is
    then None); ``index`` lists its indexed axes and ``pad`` whether the node's own axis is a
    leaf's (padded with ones).
    """

    cols: tuple[int, ...]
    strides: tuple[int, ...]
    labels: tuple[str, ...]
    table: np.ndarray | None = None
    var: str | None = None
    axes: tuple[str, ...] = ()  # a drawn table: the scope, in table order
    index: tuple[str, ...] = ()  # a drawn table: the indexed variables, in code order
    leaf: bool = False
    key: tuple | None = None  # a bundled table: its key in the cache of tables


@dataclass(frozen=True)
class Step:
    """One einsum: the operand ids it reads, its output labels and equation."""

    inputs: tuple[int, ...]
    labels: tuple[str, ...]
    equation: str


@dataclass(frozen=True)
class Plan:
    """How to compute P(evidence) and the targets' posteriors for one pattern.

    Every operand has an id; ``labels[id]`` are its axes. Gathers, constants and drawn
    constants are made first, then the steps run in order.
    """

    gathers: tuple[tuple[int, Gather], ...]
    constants: tuple[tuple[int, np.ndarray], ...]
    drawn_constants: tuple[tuple[int, str], ...]  # a drawn table without indexed axes
    steps: tuple[tuple[int, Step], ...]
    labels: tuple[tuple[str, ...], ...]
    totals: tuple[int, ...]  # ids whose sums multiply to P(evidence) (pieces, scalars)
    beliefs: tuple[tuple[str, int], ...]  # target -> id of its unnormalised belief
    sliced_targets: tuple[str, ...]  # observed in every case: certain
    per_case: int  # floats held per case (and draw)
    free: int  # free variables
    flops: int  # multiply-adds per case (and draw), about
    weight: tuple[tuple[str, int], ...]  # free variable -> flops of the steps it is in


# ---------------------------------------------------------------- building
def build_plan(
    variables: Sequence[str],
    parents: Mapping[str, tuple[str, ...]],
    cards: Mapping[str, int],
    cpts: Mapping[str, np.ndarray],
    status: Mapping[str, int],
    leaves: Sequence[str],
    targets: Sequence[str],
    drawn: frozenset[str],
    bundle_cache: dict[tuple, np.ndarray] | None = None,
    heuristic: str = "weighted",
) -> Plan:
    """The plan for one pattern.

    Parameters
    ----------
    variables : the network's variables (topological order; the evidence columns).
    status : variable -> BARREN, FREE, SLICED or MIXED (leaves need none).
    leaves : observed-somewhere leaves kept as lookups with a row of ones.
    targets : the variables whose posterior is wanted.
    drawn : variables whose table has a draw axis (given at run time).
    heuristic : the elimination heuristic (see :func:`best_heuristic`).
    """
    col = {v: i for i, v in enumerate(variables)}
    leaf_set = set(leaves)
    # ---- factors: (index vars, free vars, table over index (card + 1 rows) then free)
    factors: list[_Factor] = []
    for v in variables:
        if v in leaf_set:
            pass
        elif status.get(v, BARREN) == BARREN:
            continue
        scope = (*parents[v], v)
        index = tuple(u for u in scope if (u == v and v in leaf_set) or status.get(u) == SLICED)
        free = tuple(u for u in scope if u not in index)
        if v in drawn:
            factors.append((index, free, None, v, ("drawn", v, scope, v in leaf_set)))
            continue
        if not index:
            factors.append((index, free, cpts[v], None, ("cpt", v, index, v in leaf_set)))
            continue
        table = _Lazy(cpts[v], scope, index, v in leaf_set)
        factors.append((index, free, table, None, ("cpt", v, index, v in leaf_set)))
    for v in variables:
        if status.get(v) == MIXED and v not in leaf_set:
            k = cards[v]
            factors.append(((v,), (v,), np.vstack([np.eye(k), np.ones(k)]), None, ("ind", v)))
    gathers, constants, drawn_constants = _bundle(factors, cards, col, bundle_cache)
    return _tree(gathers, constants, drawn_constants, status, targets, cards, heuristic)


_Factor = tuple[tuple[str, ...], tuple[str, ...], Any, "str | None", tuple]


@dataclass(frozen=True)
class _Lazy:
    """A lookup table made only when a bundle that needs it is not cached."""

    table: np.ndarray
    scope: tuple[str, ...]
    index: tuple[str, ...]
    leaf: bool

    def __call__(self) -> np.ndarray:
        return lookup(self.table, self.scope, self.index, self.leaf, 0)


def lookup(
    table: np.ndarray, scope: tuple[str, ...], index: tuple[str, ...], leaf: bool, lead: int
) -> np.ndarray:
    """The table with its indexed axes first (after ``lead`` leading axes, in scope order),
    each with one more row for 'unobserved': ones on a leaf's own axis (an unobserved leaf
    is dropped), zeros otherwise (a sliced variable is always observed)."""
    if not index:
        return table
    shape = list(table.shape)
    inner = [slice(None)] * table.ndim
    for a, u in enumerate(scope):
        if u in index:
            shape[lead + a] += 1
            inner[lead + a] = slice(0, table.shape[lead + a])
    fill = np.zeros(shape)
    fill[tuple(inner)] = table
    if leaf:  # the leaf's own 'unobserved' row: exactly one wherever its parents are indexed
        own = list(inner)
        own[-1] = slice(table.shape[-1], None)
        fill[tuple(own)] = 1.0
    order = list(range(lead))
    order += [lead + a for a, u in enumerate(scope) if u in index]
    order += [lead + a for a, u in enumerate(scope) if u not in index]
    return np.ascontiguousarray(np.transpose(fill, order))


def _bundle(
    factors: list[_Factor],
    cards: Mapping[str, int],
    col: Mapping[str, int],
    cache: dict[tuple, np.ndarray] | None,
) -> tuple[list[Gather], list[tuple[np.ndarray, tuple[str, ...]]], list[tuple[str, tuple]]]:
    """Per-case factors whose free variables nest, multiplied into shared lookup tables."""
    per_case = [f for f in factors if f[0] and f[3] is None]
    consts = [f for f in factors if not f[0] and f[3] is None]
    drawn = [f for f in factors if f[3] is not None]
    per_case.sort(key=lambda f: -math.prod(cards[u] for u in f[1]))
    # bundles: [index vars (ordered), free vars, members, free set, free size, rows, low]
    # (low: the product of the members' smallest positive entries; a product of tables
    # that could underflow is never tabulated: the rescaled steps keep such factors apart)
    bundles: list[list[Any]] = []
    having: dict[str, list[int]] = {}  # free variable -> bundles that have it
    anywhere: list[int] = []  # bundles with room for a factor without free variables

    def home_for(index: tuple[str, ...], free: frozenset[str], low: float) -> list[Any] | None:
        pool = having.get(next(iter(free)), []) if free else anywhere[:8]
        for k in pool:
            b = bundles[k]
            if not free <= b[3] or b[6] * low < FLOOR:
                continue
            rows = b[5] * math.prod(cards[u] + 1 for u in index if u not in b[0])
            if rows <= BUNDLE_ROWS and rows * b[4] <= BUNDLE_FLOATS:
                b[0] = list(dict.fromkeys((*b[0], *index)))
                b[5] = rows
                b[6] *= low
                return b
        return None

    for f in per_case:
        index, free, low = f[0], frozenset(f[1]), _lowest(f[2])
        b = home_for(index, free, low)
        if b is not None:
            b[2].append(f)
            continue
        size = math.prod(cards[u] for u in f[1])
        rows = math.prod(cards[u] + 1 for u in dict.fromkeys(index))
        bundles.append([list(dict.fromkeys(index)), tuple(f[1]), [f], free, size, rows, low])
        for u in f[1]:
            having.setdefault(u, []).append(len(bundles) - 1)
        anywhere.append(len(bundles) - 1)
    leftover = []
    for c in consts:  # a constant whose variables a bundle has: multiplied into its table
        cfree = frozenset(c[1])
        pool = having.get(next(iter(cfree)), []) if cfree else anywhere[:1]
        low = _lowest(c[2])
        home = next(
            (bundles[k] for k in pool if cfree <= bundles[k][3] and bundles[k][6] * low >= FLOOR),
            None,
        )
        if home is None:
            leftover.append((c[2], c[1]))
        else:
            home[2].append(c)
            home[6] *= low
    gathers = []
    for b_index, b_free, members, *_ in bundles:
        key = (tuple(b_index), b_free, tuple(m[4] for m in members))
        table = None if cache is None else cache.get(key)
        if table is None:
            table = _product(b_index, b_free, members, cards)
            if cache is not None:
                cache[key] = table
        strides = _strides([cards[u] + 1 for u in b_index])
        gathers.append(
            Gather(
                tuple(col[u] for u in b_index),
                strides,
                (*b_free, B),
                table=table,
                key=key,
                index=tuple(b_index),
            )
        )
    drawn_constants = []
    for index, axes, _, v, name in drawn:
        assert v is not None
        if index:
            strides = _strides([cards[u] + 1 for u in index])
            gathers.append(Gather(tuple(col[u] for u in index), strides, (D, B, *axes), var=v,
                                  axes=name[2], index=index, leaf=name[3]))  # fmt: skip
        else:
            drawn_constants.append((v, (D, *axes)))
    return gathers, leftover, drawn_constants


def _lowest(table: Any) -> float:
    """:func:`~bayesdx.inference._graph.lowest_positive` of a factor's table (made or lazy)."""
    return lowest_positive(table.table if isinstance(table, _Lazy) else table)


def _strides(radix: list[int]) -> tuple[int, ...]:
    out = []
    s = 1
    for r in reversed(radix):
        out.append(s)
        s *= r
    return tuple(reversed(out))


def _product(index: list[str], free: tuple[str, ...], members: list, cards: Mapping[str, int]):
    """The bundle's table: (codes, *free), the product of its members."""
    letters: dict[tuple[str, str], str] = {}

    def sym(role: str, u: str) -> str:
        return letters.setdefault((role, u), _letter(len(letters)))

    out = "".join(sym("i", u) for u in index) + "".join(sym("f", u) for u in free)
    terms, ops = [], []
    for m_index, m_free, table, _, _ in members:
        terms.append("".join(sym("i", u) for u in m_index) + "".join(sym("f", u) for u in m_free))
        ops.append(table() if callable(table) else table)
    shape = [cards[u] + 1 for u in index] + [cards[u] for u in free]
    if len(letters) > 52:  # pragma: no cover - bundles are far smaller
        raise AssertionError("bundle too wide")
    prod = np.ones(shape)
    for term, op in zip(terms, ops, strict=True):
        prod = np.einsum(f"{out},{term}->{out}", prod, op)
    prod = prod.reshape(-1, *(cards[u] for u in free))
    return np.ascontiguousarray(np.moveaxis(prod, 0, -1))  # (*free, codes): cases last


def _letter(i: int) -> str:
    return chr(ord("a") + i) if i < 26 else chr(ord("A") + i - 26)


def _tree(
    gathers: list[Gather],
    constants: list[tuple[np.ndarray, tuple[str, ...]]],
    drawn_constants: list[tuple[str, tuple]],
    status: Mapping[str, int],
    targets: Sequence[str],
    cards: Mapping[str, int],
    heuristic: str = "weighted",
) -> Plan:
    labels: list[tuple[str, ...]] = [g.labels for g in gathers]
    labels += [lab for _, lab in constants]
    labels += [lab for _, lab in drawn_constants]
    n_operands = len(labels)
    scopes = [tuple(u for u in lab if u not in _WIDE) for lab in labels]
    sliced_targets = tuple(t for t in targets if status.get(t) == SLICED)
    free_targets = [t for t in targets if status.get(t) in (FREE, MIXED)]
    # ---- the graph over free variables and its connected pieces
    adj: dict[str, set[str]] = {}
    for s in scopes:
        for u in s:
            adj.setdefault(u, set()).update(s)
    for t in free_targets:
        adj.setdefault(t, set())
    for u in adj:
        adj[u].discard(u)
    steps: list[Step] = []
    totals: list[int] = []
    beliefs: list[tuple[str, int]] = []

    def emit(inputs: list[int], out: tuple[str, ...]) -> int:
        while len(inputs) > _MAX_INPUTS:  # multiply a chunk first, keeping its variables
            chunk, inputs = inputs[:_MAX_INPUTS], inputs[_MAX_INPUTS:]
            keep = tuple(dict.fromkeys(u for i in chunk for u in labels[i]))
            inputs = [*inputs, emit(chunk, keep)]
        present = {u for i in inputs for u in labels[i]}
        wide = tuple(w for w in _WIDE if w in present)
        # a separator variable no input carries: the message is constant along it
        out = (*(u for u in out if u not in _WIDE and u in present), *wide)  # cases last
        sym: dict[str, str] = {}
        for i in inputs:
            for u in labels[i]:
                sym.setdefault(u, _letter(len(sym)))
        eq = ",".join("".join(sym[u] for u in labels[i]) for i in inputs)
        eq += "->" + "".join(sym[u] for u in out)
        steps.append(Step(tuple(inputs), out, eq))
        labels.append(out)
        return n_operands + len(steps) - 1

    scalar_ops = [i for i, s in enumerate(scopes) if not s]
    totals.extend(scalar_ops)
    seen: set[str] = set()
    for start in sorted(adj):
        if start in seen:
            continue
        comp = _component(adj, start)
        seen |= comp
        comp_targets = [t for t in free_targets if t in comp]
        last = set(comp_targets) if len(comp_targets) == 1 else set()
        order = _min_fill({u: adj[u] & comp for u in comp}, cards, last, heuristic)
        cliques, parent, clique_of = _cliques(order, {u: adj[u] & comp for u in comp})
        pos = {u: k for k, u in enumerate(order)}
        members: dict[int, list[int]] = {c: [] for c in cliques}
        for i, s in enumerate(scopes):
            if s and s[0] in comp:
                home = min(s, key=pos.__getitem__)
                members[clique_of[home]].append(i)
        nodes = list(cliques)  # clique ids in elimination order (children before parents)
        children: dict[int, list[int]] = {c: [] for c in nodes}
        root = nodes[-1]
        for c in nodes:
            p = parent.get(c)
            if p is not None:
                children[p].append(c)
        up: dict[int, int] = {}
        for c in nodes:  # collect
            if c == root:
                continue
            sep = tuple(u for u in cliques[c] if u in cliques[parent[c]])
            up[c] = emit([*members[c], *(up[k] for k in children[c])], sep)
        root_inputs = [*members[root], *(up[k] for k in children[root])]
        in_root = [t for t in comp_targets if t in cliques[root]]
        if in_root:
            first = emit(root_inputs, (in_root[0],))
            totals.append(first)
            beliefs.append((in_root[0], first))
            for t in in_root[1:]:
                beliefs.append((t, emit(root_inputs, (t,))))
        else:
            totals.append(emit(root_inputs, ()))
        rest = [t for t in comp_targets if t not in in_root]
        if not rest:
            continue
        down: dict[int, int] = {}  # clique -> the message from its parent
        for t in rest:
            c = min((c for c in nodes if t in cliques[c]), key=lambda c: len(cliques[c]))
            path = []
            k = c
            while k != root and k not in down:
                path.append(k)
                k = parent[k]
            for k in reversed(path):  # from the top down
                p = parent[k]
                ins = [*members[p], *(up[j] for j in children[p] if j != k)]
                if p in down:
                    ins.append(down[p])
                down[k] = emit(ins, tuple(u for u in cliques[k] if u in cliques[p]))
            ins = [*members[c], *(up[j] for j in children[c])]
            if c in down:
                ins.append(down[c])
            beliefs.append((t, emit(ins, (t,))))
    return _compile(
        gathers, constants, drawn_constants, steps, labels, totals, beliefs, sliced_targets,
        cards, len(adj),
    )  # fmt: skip


def _compile(
    gathers: list[Gather],
    constants: list[tuple[np.ndarray, tuple[str, ...]]],
    drawn_constants: list[tuple[str, tuple]],
    steps: list[Step],
    labels: list[tuple[str, ...]],
    totals: list[int],
    beliefs: list[tuple[str, int]],
    sliced_targets: tuple[str, ...],
    cards: Mapping[str, int],
    n_free: int,
) -> Plan:
    """Fold what does not depend on the case, tabulate what depends on few observed
    variables, and drop what no output needs.

    A step whose inputs are constants is computed now. A step whose inputs are lookups and
    constants depends on the case only through the codes of its lookups: when the union of
    those codes is small, the step is computed now for every code and becomes one lookup
    itself (so a piece of the tree that hangs on a few observed variables costs one gather
    per case).
    """
    n_gathers, n_const = len(gathers), len(constants)
    n_operands = n_gathers + n_const + len(drawn_constants)
    gather_of: dict[int, Gather] = {i: g for i, g in enumerate(gathers)}
    const_of: dict[int, np.ndarray] = {n_gathers + i: c for i, (c, _) in enumerate(constants)}
    drawn_of = {n_gathers + n_const + i: v for i, (v, _) in enumerate(drawn_constants)}
    run_steps: dict[int, Step] = {}
    for k, step in enumerate(steps):
        sid = n_operands + k
        ins = step.inputs
        if ins and all(i in const_of for i in ins):
            const_of[sid] = np.einsum(step.equation, *(const_of[i] for i in ins))
            continue
        if B in step.labels and all(
            i in const_of or (i in gather_of and gather_of[i].table is not None) for i in ins
        ):
            table = _tabulate(step, [gather_of.get(i) for i in ins],
                              [const_of.get(i) for i in ins], cards)  # fmt: skip
            if table is not None:
                gather_of[sid] = table
                continue
        run_steps[sid] = step
    needed = set(totals) | {i for _, i in beliefs}
    for sid in sorted(run_steps, reverse=True):
        if sid in needed:
            needed.update(run_steps[sid].inputs)
    per_case = sum(
        math.prod(cards[u] for u in labels[i] if u not in _WIDE) for i in needed if B in labels[i]
    )
    flops = 0
    weight: dict[str, int] = {}
    for sid, st in run_steps.items():
        if sid not in needed or B not in st.labels:
            continue
        union = {u for i in st.inputs for u in labels[i] if u not in _WIDE}
        cost = math.prod(cards[u] for u in union) * max(len(st.inputs), 1)
        flops += cost
        for u in union:
            weight[u] = weight.get(u, 0) + cost
    return Plan(
        gathers=tuple((i, g) for i, g in sorted(gather_of.items()) if i in needed),
        constants=tuple((i, c) for i, c in sorted(const_of.items()) if i in needed),
        drawn_constants=tuple((i, v) for i, v in drawn_of.items() if i in needed),
        steps=tuple((i, st) for i, st in sorted(run_steps.items()) if i in needed),
        labels=tuple(labels),
        totals=tuple(totals),
        beliefs=tuple(beliefs),
        sliced_targets=sliced_targets,
        per_case=max(per_case, 1),
        free=n_free,
        flops=flops + per_case,
        weight=tuple(sorted(weight.items(), key=lambda kv: -kv[1])),
    )


TAB_ROWS = 4096  # codes of a tabulated step
TAB_FLOATS = 1 << 14  # floats in its table


def _tabulate(
    step: Step,
    gathers: list[Gather | None],
    consts: list[np.ndarray | None],
    cards: Mapping[str, int],
) -> Gather | None:
    """The step computed for every combination of its lookups' codes, as a lookup (or None
    when that table would be too large)."""
    union: dict[str, int] = {}
    cols: dict[str, int] = {}
    for g in gathers:
        if g is not None:
            for u, c in zip(g.index, g.cols, strict=True):
                union.setdefault(u, cards[u] + 1)
                cols[u] = c
    names = list(union)
    rows = math.prod(union.values())
    width = math.prod(cards[u] for u in step.labels if u not in _WIDE)
    if rows > TAB_ROWS or rows * width > TAB_FLOATS:
        return None
    low = math.prod(
        _lowest(g.table if g is not None else c) for g, c in zip(gathers, consts, strict=True)
    )
    if low < FLOOR:  # the product could underflow: the rescaled steps compute it instead
        return None
    digits = np.indices([union[u] for u in names]).reshape(len(names), -1)
    ops: list[Any] = []
    for g, const in zip(gathers, consts, strict=True):
        if g is None:
            ops.append(const)
            continue
        assert g.table is not None
        code = np.zeros(rows, dtype=np.intp)
        for u, stride in zip(g.index, g.strides, strict=True):
            code += digits[names.index(u)] * stride
        ops.append(np.take(g.table, code, axis=-1))
    table = np.ascontiguousarray(np.einsum(step.equation, *ops))
    strides = _strides([union[u] for u in names])
    return Gather(tuple(cols[u] for u in names), strides, step.labels, table=table,
                  index=tuple(names))  # fmt: skip


def _component(adj: Mapping[str, set[str]], start: str) -> set[str]:
    comp = {start}
    stack = [start]
    while stack:
        for w in adj[stack.pop()]:
            if w not in comp:
                comp.add(w)
                stack.append(w)
    return comp


HEURISTICS = ("weighted", "fill", "weight")


def best_heuristic(
    variables: Sequence[str], parents: Mapping[str, tuple[str, ...]], cards: Mapping[str, int]
) -> str:
    """The elimination heuristic whose order of the whole network's moral graph makes the
    cliques holding the fewest floats (ties: the earlier in ``HEURISTICS``).

    No heuristic is best on every network: on pgmpy's example networks unweighted min-fill
    halves mildew's cliques, min-weight cuts diabetes's by a third, and weighted min-fill
    is best on water, barley and andes.
    """
    adj: dict[str, set[str]] = {v: set() for v in variables}
    for v in variables:
        scope = (*parents[v], v)
        for a in scope:
            adj[a].update(u for u in scope if u != a)
    costs = [_order_cost(_min_fill(adj, cards, set(), h), adj, cards) for h in HEURISTICS]
    return HEURISTICS[costs.index(min(costs))]


def _order_cost(order: list[str], adj: Mapping[str, set[str]], cards: Mapping[str, int]) -> int:
    """The floats of the cliques an elimination order makes (summed)."""
    g = {u: set(n) for u, n in adj.items()}
    total = 0
    for u in order:
        nb = g.pop(u)
        for a in nb:
            g[a].discard(u)
            g[a] |= nb - {a}
        total += math.prod(cards[w] for w in nb) * cards[u]
    return total


def _min_fill(
    adj: Mapping[str, set[str]],
    cards: Mapping[str, int],
    last: set[str],
    kind: str = "weighted",
) -> list[str]:
    """An elimination order by weighted min-fill (``kind="fill"``: the number of fill edges;
    ``"weight"``: min-weight, the size of the clique), ties going to the smaller clique;
    ``last`` goes last. Scores are kept in a heap and recomputed only around each
    eliminated variable."""
    g = {u: set(n) for u, n in adj.items()}
    weighted = kind == "weighted"
    by_fill = kind != "weight"

    def score(u: str) -> tuple[int, int, int, str]:
        nb = list(g[u])
        fill = 0
        if by_fill:
            for a in range(len(nb)):
                na = g[nb[a]]
                for b in range(a + 1, len(nb)):
                    if nb[b] not in na:
                        fill += cards[nb[a]] * cards[nb[b]] if weighted else 1
        return (1 if u in last else 0, fill, math.prod(cards[w] for w in nb) * cards[u], u)

    heap = [(score(u), u) for u in g]
    heapq.heapify(heap)
    current = {u: s for s, u in heap}
    order = []
    while heap:
        s, u = heapq.heappop(heap)
        if u not in g or current.get(u) != s:
            continue
        order.append(u)
        nb = g.pop(u)
        for a in nb:
            g[a].discard(u)
            g[a] |= nb - {a}
        # a fill count changes for the neighbours (their neighbourhoods grew) and for a
        # variable next to two of them (two of its neighbours may have become adjacent)
        touched = set(nb)
        seen: dict[str, int] = {}
        for a in nb:
            for w in g[a]:
                if w not in nb:
                    seen[w] = seen.get(w, 0) + 1
        touched.update(w for w, k in seen.items() if k >= 2)
        for w in touched:
            if w in g:
                current[w] = score(w)
                heapq.heappush(heap, (current[w], w))
    return order


def _cliques(
    order: list[str], adj: Mapping[str, set[str]]
) -> tuple[dict[int, tuple[str, ...]], dict[int, int], dict[str, int]]:
    """Cliques of an elimination order (a clique contained in its parent is merged into it),
    keyed by the position of the variable whose elimination made them, their parents, and the
    clique each variable's elimination ended in."""
    g = {u: set(n) for u, n in adj.items()}
    pos = {u: k for k, u in enumerate(order)}
    raw: dict[int, tuple[str, ...]] = {}
    raw_parent: dict[int, int] = {}
    for k, u in enumerate(order):
        nb = g.pop(u)
        for a in nb:
            g[a].discard(u)
            g[a] |= nb - {a}
        raw[k] = (u, *sorted(nb, key=pos.__getitem__))
        if nb:
            raw_parent[k] = min(pos[a] for a in nb)
    # merge a clique into its parent when it adds nothing (its variables are all there)
    merged: dict[int, int] = {}
    for k in range(len(order)):
        p = raw_parent.get(k)
        if p is not None and set(raw[k]) <= set(raw[p]):
            merged[k] = p
    cliques = {k: raw[k] for k in range(len(order)) if k not in merged}
    parent = {}
    for k in cliques:
        p = raw_parent.get(k)
        while p is not None and p in merged:
            p = merged[p]
        if p is not None:
            parent[k] = p
    clique_of = {}
    for k in range(len(order)):
        r = k
        while r in merged:
            r = merged[r]
        clique_of[order[k]] = r
    return cliques, parent, clique_of


# ---------------------------------------------------------------- running
def run_plan(
    plan: Plan,
    xm: np.ndarray,
    drawn_tables: Mapping[str, np.ndarray],
    drawn_cache: dict[tuple, np.ndarray],
    rescale: bool,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Run a plan on a chunk of cases.

    ``xm`` is the chunk's evidence with -1 (unobserved) replaced by the variable's card.
    Returns the unnormalised beliefs of the free targets ``(*draws, m, card)``, log
    P(evidence) ``(*draws, m)`` (-inf: impossible) and where a piece's total fell below
    ``TINY`` (those cases are to be run again with ``rescale``, which divides every product
    by its largest entry per case so nothing underflows).
    """
    m = xm.shape[0]
    draws = next(iter(drawn_tables.values())).shape[0] if drawn_tables else 0
    values: dict[int, Any] = {}
    if plan.gathers:
        cols = sorted({c for _, g in plan.gathers for c in g.cols})
        where = {c: k for k, c in enumerate(cols)}
        strides = np.zeros((len(cols), len(plan.gathers)))
        for j, (_, g) in enumerate(plan.gathers):
            for c, s in zip(g.cols, g.strides, strict=True):
                strides[where[c], j] = s
        codes = (xm[:, cols].astype(np.float64) @ strides).astype(np.intp)
        for j, (i, g) in enumerate(plan.gathers):
            if g.table is not None:
                values[i] = np.take(g.table, codes[:, j], axis=-1)
                continue
            assert g.var is not None
            key = (g.var, g.index)
            table = drawn_cache.get(key)
            if table is None:
                raw = drawn_tables[g.var]
                table = lookup(raw, g.axes, g.index, g.leaf, 1)
                table = table.reshape(raw.shape[0], -1, *table.shape[1 + len(g.index) :])
                drawn_cache[key] = table
            values[i] = np.take(table, codes[:, j], axis=1)
    values.update(plan.constants)
    values.update((i, drawn_tables[v]) for i, v in plan.drawn_constants)
    scales: dict[int, np.ndarray] = {}
    for sid, step in plan.steps:
        ops = [values[i] for i in step.inputs]
        if not ops:  # a message from nothing: one
            values[sid] = np.asarray(1.0)
            continue
        if rescale:
            res, log_m = _rescaled_einsum(step, ops, [plan.labels[i] for i in step.inputs])
            for i in step.inputs:
                if i in scales:
                    log_m = log_m + scales[i]
            scales[sid] = log_m
        else:
            res = np.einsum(step.equation, *ops)
        values[sid] = res
    lead = (draws,) if draws else ()
    log_pe = np.zeros((*lead, m))
    tiny = np.zeros((*lead, m), dtype=bool)
    with np.errstate(divide="ignore"):
        for i in plan.totals:
            lab = plan.labels[i]
            other = tuple(a for a, u in enumerate(lab) if u not in _WIDE)
            wide = tuple(u for u in lab if u in _WIDE)
            total = _align(values[i].sum(axis=other) if other else values[i], wide, draws, m)
            tiny |= ~(total >= TINY)
            log_pe = log_pe + np.log(total)
            if i in scales:
                log_pe = log_pe + _align_scale(scales[i], draws, m)
    beliefs = {t: _align(values[i], plan.labels[i], draws, m) for t, i in plan.beliefs}
    return beliefs, log_pe, tiny


def _align(arr: np.ndarray, lab: tuple[str, ...], draws: int, m: int) -> np.ndarray:
    """An array labelled ``lab`` as ``(*draws, m, *rest)`` (the other axes in their order)."""
    arr = np.asarray(arr)
    order = [lab.index(w) for w in _WIDE if w in lab]
    order += [a for a, u in enumerate(lab) if u not in _WIDE]
    arr = np.transpose(arr, order)
    rest = arr.shape[sum(w in lab for w in _WIDE) :]
    if D not in lab and draws:
        arr = arr[None]
    if B not in lab:
        arr = np.expand_dims(arr, 1 if draws else 0)
    return np.broadcast_to(arr, (*((draws,) if draws else ()), m, *rest))


def _align_scale(scale: np.ndarray, draws: int, m: int) -> np.ndarray:
    """A ``(draws or 1, cases or 1)`` log scale as ``(*draws, m)``."""
    if draws:
        return np.broadcast_to(scale, (draws, m))
    return np.broadcast_to(scale.reshape(-1), (m,))


def _rescaled_einsum(
    step: Step, ops: list[np.ndarray], labs: list[tuple[str, ...]]
) -> tuple[np.ndarray, np.ndarray]:
    """The step, multiplying one operand at a time and dividing each product by its largest
    entry per case (and draw); returns the result and the log of the divisors, shape
    ``(draws or 1, cases or 1)``."""
    union = tuple(dict.fromkeys(u for lab in labs for u in lab))
    wide = tuple(w for w in _WIDE if w in union)
    union = (*wide, *(u for u in union if u not in _WIDE))
    sym = {u: _letter(k) for k, u in enumerate(union)}
    acc = np.ones([1] * len(union))
    log_scale: Any = np.zeros((1, 1))
    other = tuple(range(len(wide), len(union)))
    for op, lab in zip(ops, labs, strict=True):
        term = "".join(sym[u] for u in lab)
        present = "".join(sym[u] for u in union if u in lab)
        shape = [op.shape[lab.index(u)] if u in lab else 1 for u in union]
        acc = acc * np.einsum(f"{term}->{present}", op).reshape(shape)
        mx = acc.max(axis=other, keepdims=True) if other else acc
        mx = np.where(mx > 0, mx, 1.0)
        acc = acc / mx
        dsz = mx.shape[0] if D in wide else 1
        bsz = mx.shape[wide.index(B)] if B in wide else 1
        log_scale = log_scale + np.log(mx).reshape(dsz, bsz)
    acc_lab = "".join(sym[u] for u in union)
    out = "".join(sym[u] for u in step.labels)
    return np.einsum(f"{acc_lab}->{out}", acc), log_scale


# ---------------------------------------------------------------- one tree per network
class CliqueTree:
    """One junction tree for the whole network, built once, for cases of any pattern.

    The plans above are built per evidence pattern; where nearly every case has its own
    pattern and the network's cliques are large, building them (in Python) or pooling cases
    into them (summing observed variables against indicators) costs more than the
    arithmetic. Here the tree is fixed and the pattern is read clique by clique: at each
    clique, the cases are grouped by the status of the clique's own variables (observed:
    sliced into the tables by a gather; free: summed; barren: dropped), which takes at most
    ``3 ** size`` values, and each group contracts its operands in pairs along a greedy path,
    one matrix product per case each (a clique's product is never formed whole, and a case's
    bits do not depend on the other cases of its group). A message over a separator is kept
    per status of the separator's variables, each group of the clique that makes it writing
    one block, so the groups of the next clique read it with one gather. A message whose
    largest entry leaves ``BAND`` is divided by it, case by case, and the logarithms of the
    divisors are summed into log P(evidence): nothing underflows.
    Collect towards a root holding the target gives one target; distribute along every edge
    gives all marginals. The arithmetic is the same sum of products as elimination.

    The triangulation's cliques are those of an elimination order (``floats`` and
    ``largest`` describe them); neighbours with a large separator are then merged (see
    ``MERGE_FREE``), and ``cliques`` (and their ``sizes``) are the merged ones.
    """

    def __init__(
        self,
        variables: Sequence[str],
        parents: Mapping[str, tuple[str, ...]],
        cards: Mapping[str, int],
        cpts: Mapping[str, np.ndarray],
        heuristic: str = "weighted",
    ):
        self.variables = tuple(variables)
        self.col = {v: i for i, v in enumerate(self.variables)}
        self.cards = dict(cards)
        self.parents = parents
        self.cpts = cpts
        adj: dict[str, set[str]] = {v: set() for v in self.variables}
        for v in self.variables:
            scope = (*parents[v], v)
            for a in scope:
                adj[a].update(u for u in scope if u != a)
        order = _min_fill(adj, cards, set(), heuristic)
        raw, parent, clique_of = _cliques(order, adj)
        into = _maximal(raw, parent)
        ids = [k for k in sorted(raw) if k not in into]
        at = {k: i for i, k in enumerate(ids)}
        self.cliques: list[tuple[str, ...]] = [
            tuple(sorted(raw[k], key=self.col.__getitem__)) for k in ids
        ]
        self.nbrs: list[list[int]] = [[] for _ in ids]
        for k, p in parent.items():
            if k not in into:
                self.nbrs[at[k]].append(at[p])
                self.nbrs[at[p]].append(at[k])
        pos = {u: k for k, u in enumerate(order)}
        self.home: list[list[str]] = [[] for _ in ids]
        for v in self.variables:
            k = clique_of[min((*parents[v], v), key=pos.__getitem__)]
            while k in into:
                k = into[k]
            self.home[at[k]].append(v)
        sizes = [math.prod(cards[u] for u in c) for c in self.cliques]
        self.floats = sum(sizes)  # the triangulation's, before merging
        self.largest = max(sizes, default=1)
        self._merge()  # sets sizes, of the merged cliques
        self._lookups: dict[tuple, np.ndarray] = {}
        self._recipes: dict[tuple, tuple] = {}
        self._paths: dict[tuple, Any] = {}
        self._bases: dict[tuple, tuple] = {}
        self._factors: dict[tuple, tuple] = {}
        self._scopes = {v: (*parents[v], v) for v in self.variables}
        self._rootings: dict[tuple[str, ...], tuple] = {}
        self._seps: dict[tuple[int, int], tuple[str, ...]] = {}

    def _merge(self) -> None:
        """Merge neighbouring cliques whose message would be large against the groups a
        merged clique makes (see ``MERGE_FREE``), widest separator first, each clique at most
        once: a merged clique is contracted in pairs like any other, so the message between
        the two is never made (nor rescaled, nor gathered)."""
        cliques = [set(c) for c in self.cliques]
        nbrs = [set(n) for n in self.nbrs]
        merged = [False] * len(cliques)

        def worth(c: int, d: int) -> float:
            """The separator's floats per case, about (0: not to merge)."""
            union = cliques[c] | cliques[d]
            if merged[c] or merged[d] or len(union) > max(len(cliques[c]), len(cliques[d])) + 1:
                return 0.0
            free = math.prod((self.cards[u] + 2) / 3 for u in cliques[c] & cliques[d])
            if free < MERGE_FREE or free < MERGE_SHARE * 3 ** len(union):
                return 0.0
            return free

        while True:
            best = max(
                ((worth(c, d), c, d) for c in range(len(cliques)) for d in nbrs[c] if c < d),
                default=(0.0, 0, 0),
            )
            if best[0] <= 0:
                break
            _, c, d = best
            cliques[d] |= cliques[c]
            self.home[d] += self.home[c]
            self.home[c] = []
            merged[d] = merged[c] = True
            for e in nbrs[c]:
                nbrs[e].discard(c)
                if e != d:
                    nbrs[e].add(d)
                    nbrs[d].add(e)
            nbrs[c] = set()
            cliques[c] = set()
        keep = [c for c in range(len(cliques)) if cliques[c]]
        at = {c: i for i, c in enumerate(keep)}
        self.cliques = [tuple(sorted(cliques[c], key=self.col.__getitem__)) for c in keep]
        self.nbrs = [sorted(at[e] for e in nbrs[c]) for c in keep]
        self.home = [self.home[c] for c in keep]
        self.sizes = [math.prod(self.cards[u] for u in c) for c in self.cliques]

    # -------------------------------------------------------------- structure
    def sep(self, a: int, b: int) -> tuple[str, ...]:
        """The variables two neighbouring cliques share (in evidence-column order)."""
        got = self._seps.get((a, b))
        if got is None:
            other = set(self.cliques[b])
            got = self._seps[(a, b)] = tuple(u for u in self.cliques[a] if u in other)
        return got

    def rooting(self, targets: tuple[str, ...]) -> tuple[list[int], list[int], dict[str, int]]:
        """The cliques in collect order (children first), each one's parent (-1: a root),
        and the clique each target's marginal is read from (its smallest)."""
        got = self._rootings.get(targets)
        if got is not None:
            return got
        home = {
            t: min((c for c, cl in enumerate(self.cliques) if t in cl), key=self.sizes.__getitem__)
            for t in targets
        }
        up = [-1] * len(self.cliques)
        seen = [False] * len(self.cliques)
        pre: list[int] = []
        for start in reversed(range(len(self.cliques))):
            if seen[start]:
                continue
            comp, stack = [], [start]
            seen[start] = True
            while stack:
                c = stack.pop()
                comp.append(c)
                for d in self.nbrs[c]:
                    if not seen[d]:
                        seen[d] = True
                        stack.append(d)
            members = set(comp)
            root = next((home[t] for t in targets if home[t] in members), start)
            stack = [root]
            up[root] = -1
            while stack:
                c = stack.pop()
                pre.append(c)
                for d in self.nbrs[c]:
                    if d != up[c]:
                        up[d] = c
                        stack.append(d)
        got = (pre[::-1], up, home)
        if len(self._rootings) > 64:
            self._rootings.clear()
        self._rootings[targets] = got
        return got

    def case_floats(self, status: np.ndarray, every: bool) -> np.ndarray:
        """Per case, about the floats a run holds: its messages (over the free variables of
        each separator, both ways with ``every``) and its gathered tables."""
        size = {
            u: np.where(status[:, self.col[u]] == FREE, self.cards[u], 1).astype(float)
            for u in self.variables
        }
        total = np.zeros(status.shape[0])
        for a, nb in enumerate(self.nbrs):
            for b in nb:
                if a < b:
                    edge = np.ones(status.shape[0])
                    for u in self.sep(a, b):
                        edge *= size[u]
                    total += edge * (2 if every else 1)
        for v in self.variables:
            table = size[v].copy()
            for u in self.parents[v]:
                table *= size[u]
            total += table
        return total

    def _lookup(self, v: str, observed: tuple[str, ...]) -> np.ndarray:
        """The table of ``v`` with its observed variables as one code axis, first."""
        key = (v, observed)
        table = self._lookups.get(key)
        if table is None:
            scope = (*self.parents[v], v)
            obs = [a for a, u in enumerate(scope) if u in observed]
            rest = [a for a, u in enumerate(scope) if u not in observed]
            t = np.transpose(self.cpts[v], obs + rest)
            table = np.ascontiguousarray(t.reshape(-1, *t.shape[len(obs) :]))
            if len(self._lookups) > 1 << 14:
                self._lookups.clear()
            self._lookups[key] = table
        return table

    def _base(self, c: int, pattern: tuple[int, ...]) -> tuple:
        """What the recipes of clique ``c`` with this status of its variables share: the
        status by variable, and its tables' operands and their variables (see
        :meth:`_recipe`)."""
        status = dict(zip(self.cliques[c], pattern, strict=True))
        terms: list[tuple[str, ...]] = []
        factors: list[tuple[Any, Any, Any]] = []
        for v in self.home[c]:
            if status[v] == BARREN:
                continue
            scope = self._scopes[v]
            observed = tuple(u for u in scope if status[u] == SLICED)
            made = self._factors.get((v, observed))
            if made is None:
                made = self._factor(v, scope, observed)
            factors.append(made[0])
            terms.append(made[1])
        got = (status, factors, terms)
        if len(self._bases) > 1 << 15:
            self._bases.clear()
        self._bases[(c, pattern)] = got
        return got

    def _factor(self, v: str, scope: tuple[str, ...], observed: tuple[str, ...]) -> tuple:
        """The operand of the table of ``v`` where ``observed`` are sliced: ``(table,
        where, how)`` (see :meth:`_compute`), and its variables."""
        free = tuple(u for u in scope if u not in observed)
        table = self._lookup(v, observed)
        if not observed:  # the same for every case: no case axis (a matrix product)
            got: tuple = ((table[0], None, None), free)
        else:
            strides = _strides([self.cards[u] for u in observed])
            cols = tuple(self.col[u] for u in observed)
            how = cols[0] if len(cols) == 1 and strides[0] == 1 else np.array(strides)
            where = np.array(cols, dtype=np.intp)[:, None]
            got = ((table, where, how), (B, *free))
        if len(self._factors) > 1 << 14:
            self._factors.clear()
        self._factors[(v, observed)] = got
        return got

    def _recipe(
        self, c: int, pattern: tuple[int, ...], inputs: tuple[int, ...], out: tuple[str, ...]
    ) -> tuple:
        """How a group of clique ``c`` with this status of its variables computes its
        output over ``out`` (the free ones) from its tables and the messages of ``inputs``."""
        key = (c, pattern, inputs, out)
        got = self._recipes.get(key)
        if got is not None:
            return got
        base = self._bases.get((c, pattern))
        if base is None:
            base = self._base(c, pattern)
        status, factors, home_terms = base
        terms = list(home_terms)
        for n in inputs:
            terms.append((B, *(u for u in self.sep(n, c) if status[u] == FREE)))
        sym: dict[str, str] = {B: "z"}
        for term in terms:
            for u in term:
                if u not in sym:
                    sym[u] = _LETTERS[len(sym) - 1]
        want = tuple(u for u in out if status[u] == FREE)
        present = tuple(u for u in want if u in sym)
        eq = ",".join("".join(sym[u] for u in t) for t in terms)
        cases = any(B in t for t in terms)  # else the result is the same for every case
        eq += "->" + "z" * cases + "".join(sym[u] for u in present)
        shape = tuple(-1 if u in sym else 1 for u in want)  # absent: constant along it
        path = None
        if len(terms) > 1:  # the letters' sizes are the cards (the case letter's: any)
            path = self._path(eq, tuple(self.cards[u] for u in sym if u != B))
        got = (factors, eq, want, shape, cases, path)
        if len(self._recipes) > 1 << 16:
            self._recipes.clear()
        self._recipes[key] = got
        return got

    # -------------------------------------------------------------- running
    def run(
        self, x: np.ndarray, status: np.ndarray, targets: Sequence[str], every: bool
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Unnormalised beliefs ``(m, card)`` of the targets (rows where a target is not
        free are left zero) and log P(evidence) per case (-inf: impossible), for a chunk
        of cases: ``x`` its evidence (-1: unobserved), ``status`` BARREN, FREE or SLICED per
        case and variable. ``every``: distribute too (all marginals; else the first target
        is read at the root)."""
        m = x.shape[0]
        xt = np.ascontiguousarray(x.T, dtype=np.intp)
        order, up, home = self.rooting(tuple(targets))
        log_pe = np.zeros(m)
        beliefs = {t: np.zeros((m, self.cards[t])) for t in targets}
        stores: dict[tuple[int, int], _Messages] = {}
        groups = {c: _pattern_groups(status, [self.col[u] for u in self.cliques[c]]) for c in order}
        for c in order:  # collect
            p = up[c]
            inputs = tuple(n for n in self.nbrs[c] if n != p)
            if p >= 0:
                out = self.sep(c, p)
                store = _Messages(self, status, out, [r for r, _ in groups[c]])
                stores[(c, p)] = store
            else:
                first = targets[0] if targets and not every and home[targets[0]] == c else None
                out = (first,) if first is not None else ()
            for rows, pattern in groups[c]:
                slot = store.slot(rows) if p >= 0 else None
                res, want = self._compute(c, pattern, inputs, out, rows, xt, stores, slot)
                if p >= 0:
                    store.put(rows, _normalise(res, want, rows, log_pe, res is slot))
                    continue
                total = res.reshape(len(rows), -1).sum(axis=1) if want else res
                with np.errstate(divide="ignore"):
                    log_pe[rows] += np.log(total)
                if want:
                    beliefs[want[0]][rows] = res
        if not every:
            return beliefs, log_pe
        homed: dict[int, list[str]] = {}
        for t in targets:
            homed.setdefault(home[t], []).append(t)
        for c in reversed(order):  # distribute
            made = [r for r, _ in groups[c]]
            for d in self.nbrs[c]:
                if d != up[c]:
                    stores[(c, d)] = _Messages(self, status, self.sep(c, d), made)
            for rows, pattern in groups[c]:
                by = dict(zip(self.cliques[c], pattern, strict=True))
                for d in self.nbrs[c]:
                    if d == up[c]:
                        continue
                    inputs = tuple(n for n in self.nbrs[c] if n != d)
                    slot = stores[(c, d)].slot(rows)
                    res, want = self._compute(
                        c, pattern, inputs, self.sep(c, d), rows, xt, stores, slot
                    )
                    stores[(c, d)].put(rows, _normalise(res, want, rows, None, res is slot))
                mine = [t for t in homed.get(c, ()) if by[t] == FREE]
                for t in mine:
                    res, _ = self._compute(c, pattern, tuple(self.nbrs[c]), (t,), rows, xt, stores)
                    beliefs[t][rows] = res
        return beliefs, log_pe

    def _compute(
        self,
        c: int,
        pattern: tuple[int, ...],
        inputs: tuple[int, ...],
        out: tuple[str, ...],
        rows: np.ndarray,
        x: np.ndarray,
        stores: dict[tuple[int, int], _Messages],
        slot: np.ndarray | None = None,
    ) -> tuple[np.ndarray, tuple[str, ...]]:
        """The output of a group of clique ``c`` (see :meth:`_recipe`), written into
        ``slot`` (the group's block of the message store) where it has the same shape."""
        factors, eq, want, shape, cases, path = self._recipe(c, pattern, inputs, out)
        if slot is not None and not (cases and 1 not in shape and slot.ndim == len(want) + 1):
            slot = None  # the output is broadcast: made apart
        ops = []
        for table, cols, how in factors:  # x is transposed: a row per variable
            if cols is None:  # nothing observed: the same for every case
                ops.append(table)
            elif isinstance(how, int):  # one observed variable: its state is the code
                ops.append(table[x[how, rows]])
            else:
                ops.append(table[how @ x[cols, rows]])
        for n in inputs:
            ops.append(stores[(n, c)].get(rows))
        # every choice below depends on the recipe alone, never on how many cases the
        # group has, and each way gives a case bits that do not depend on the others
        # (numpy.einsum's one pass over several operands may sum in another order when
        # the number of cases changes: it is only taken where PAIRWISE asks for it)
        if not ops:  # a message from nothing: one
            res = np.ones(())
        elif len(ops) == 1:
            res = _sum_out(eq, ops[0], slot)
        else:
            steps, peak = path
            if not steps:
                res = np.einsum(eq, *ops, out=slot)
            elif not cases or len(rows) * peak <= GROUP_FLOATS:
                res = _pairwise(steps, ops, slot)
            else:  # a few cases at a time (each case's products are its own: the same bits)
                res = _sliced(steps, ops, eq, slot, max(GROUP_FLOATS // peak, 1))
        if not cases:  # no input depends on the case
            res = np.broadcast_to(res, (len(rows), *res.shape))
        if len(want) != res.ndim - 1:  # constant along a variable no input carries
            full = tuple(self.cards[u] for u in want)
            inner = tuple(k if s < 0 else 1 for k, s in zip(full, shape, strict=True))
            res = np.broadcast_to(res.reshape(len(rows), *inner), (len(rows), *full))
        return res, want

    def _path(
        self, eq: str, sizes: tuple[int, ...]
    ) -> tuple[list[tuple[int, int, _PairProgram]], int]:
        """How two or more operands are contracted: in pairs, one matrix product each (the
        steps of a greedy path, see :func:`_greedy`, :func:`_steps` and :func:`_pair`) where
        that takes at most ``PAIRWISE`` times the multiply-adds of one pass of
        ``numpy.einsum`` over the union of their variables (no steps: that pass); chosen
        once per equation and sizes of its letters (other than the case letter ``z``, in
        the order they first appear). Also the floats a case holds at the path's largest
        step (see :func:`_peak`)."""
        key = (eq, sizes)
        got = self._paths.get(key)
        if got is None:
            letters = dict.fromkeys(u for u in eq.split("->")[0] if u not in ",z")
            by = dict(zip(letters, sizes, strict=True))
            by["z"] = 64  # the decision: for groups of 64 cases (one per structure)
            if eq.count(",") == 1 and PAIRWISE > 1:  # one pair: one pass's work
                path: list[tuple[int, int]] = [(0, 1)]
            else:
                path, naive, optimised = _greedy(eq, by)
                if optimised >= PAIRWISE * naive:
                    path = []
            by["z"] = 1
            got = _path_programs(eq, path, by)
            if len(self._paths) > 1 << 16:
                self._paths.clear()
            self._paths[key] = got
        return got


def _greedy(eq: str, sizes: Mapping[str, int]) -> tuple[list[tuple[int, int]], float, float]:
    """A pairwise path for an einsum (numpy's convention: the two positions taken out, the
    result put last), greedy: each step takes, among the pairs that share a letter (any pair
    if none does), the pair whose result is smallest against its inputs (ties: the smaller
    union). Also the multiply-adds of one pass over every letter and of the path, about.
    Sets of letters are bit masks; a pair keeps a letter of the output or of another
    operand (one that the operands hold three times or more, or twice but not both in the
    pair)."""
    ins, final = eq.split("->")
    bit: dict[str, int] = {}
    for u in ins.replace(",", "") + final:
        bit.setdefault(u, 1 << len(bit))

    def mask(letters: str) -> int:
        m = 0
        for u in letters:
            m |= bit[u]
        return m

    sets = [mask(t) for t in ins.split(",")]
    out = mask(final)
    known: dict[int, int] = {}
    weights = [(b, sizes[u]) for u, b in bit.items()]

    def size(m: int) -> int:
        got = known.get(m)
        if got is None:
            got = 1
            for b, k in weights:
                if m & b:
                    got *= k
            known[m] = got
        return got

    naive = float(size(out | mask(ins.replace(",", ""))) * len(sets))
    optimised = 0.0
    path = []
    while len(sets) > 1:
        once = twice = thrice = 0
        for t in sets:
            thrice |= twice & t
            twice |= once & t
            once |= t
        others = out | thrice
        two = twice & ~thrice
        best: tuple[int, int, int, int, int] | None = None
        sized = [size(t) for t in sets]
        for share in (True, False):
            for i, a in enumerate(sets):
                size_a = sized[i]
                for j in range(i + 1, len(sets)):
                    b = sets[j]
                    if share and not a & b:
                        continue
                    union = a | b
                    keep = union & (others | (two & ~(a & b)))
                    gain = (known.get(keep) or size(keep)) - size_a - sized[j]
                    if best is None or gain <= best[0]:
                        whole = known.get(union) or size(union)
                        if best is None or (gain, whole) < best[:2]:
                            best = (gain, whole, i, j, keep)
            if best is not None:
                break
        assert best is not None
        _, flops, i, j, keep = best
        optimised += 2.0 * flops
        path.append((i, j))
        sets = [t for k, t in enumerate(sets) if k != i and k != j] + [keep]
    return path, naive, optimised


def _steps(eq: str, path: Sequence[tuple[int, ...]]) -> list[tuple[tuple[int, ...], str]]:
    """An einsum path (the positions of the operands each step contracts, numpy's order:
    they are taken out and the result is put last) as one equation per step; a step keeps
    the letters the other operands or the output still need, in the order its matrix
    product makes them (see :func:`_pair`): the case letter ``z``, the letters both
    operands keep, then the first's own, then the second's."""
    ins, final = eq.split("->")
    terms = ins.split(",")
    steps = []
    for k, inds in enumerate(path):
        taken = [terms[i] for i in inds]
        terms = [t for i, t in enumerate(terms) if i not in inds]
        if k == len(path) - 1:
            result = final
        else:
            need = set(final).union(*terms)
            result = _pair_order(taken, need)
        steps.append((tuple(inds), ",".join(taken) + "->" + result))
        terms.append(result)
    return steps


def _pair_order(taken: Sequence[str], need: set[str]) -> str:
    """The letters a pairwise step keeps (those in ``need``), in its matrix product's order."""
    if len(taken) != 2:
        return "".join(dict.fromkeys(u for t in taken for u in t if u in need))
    a, b = taken
    both = [u for u in a if u in b and u in need and u != "z"]
    own_a = [u for u in a if u not in b and u in need and u != "z"]
    own_b = [u for u in b if u not in a and u in need and u != "z"]
    return "z" * ("z" in a or "z" in b) + "".join(both + own_a + own_b)


def _peak(steps: list[tuple[tuple[int, ...], str]], sizes: Mapping[str, int]) -> int:
    """The floats one case holds at a path's largest step, about: its operands, their
    transposed copies and its result."""
    peak = 1
    for _, step in steps:
        ins, out = step.split("->")
        held = sum(2 * math.prod(sizes[u] for u in t) for t in ins.split(","))
        peak = max(peak, held + math.prod(sizes[u] for u in out))
    return peak


def _sliced(
    steps: list[tuple[int, int, _PairProgram]],
    ops: list[np.ndarray],
    eq: str,
    out: np.ndarray | None,
    size: int,
) -> np.ndarray:
    """:func:`_pairwise` on ``size`` cases at a time (the operands with the case axis cut,
    the others whole), into ``out`` or a new array."""
    cut = [t.startswith("z") for t in eq.split("->")[0].split(",")]
    m = next(op.shape[0] for op, c in zip(ops, cut, strict=True) if c)
    for start in range(0, m, size):
        part = [op[start : start + size] if c else op for op, c in zip(ops, cut, strict=True)]
        if out is None:
            first = _pairwise(steps, part, None)
            out = np.empty((m, *first.shape[1:]))
            out[: len(first)] = first
            continue
        _pairwise(steps, part, out[start : start + size])
    assert out is not None
    return out


def _sum_out(eq: str, op: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """A one-operand einsum (letters summed out, the rest transposed) as ``numpy.sum``:
    each case's sums in the same order however many cases there are."""
    ins, final = eq.split("->")
    axes = tuple(k for k, u in enumerate(ins) if u not in final)
    res = op.sum(axis=axes) if axes else op
    kept = [u for u in ins if u in final]
    res = np.transpose(res, [kept.index(u) for u in final])
    if out is None:
        return res
    out[...] = res
    return out


def _programs(
    steps: list[tuple[tuple[int, ...], str]], sizes: Mapping[str, int]
) -> list[tuple[int, int, _PairProgram]]:
    """The steps of :func:`_steps` as programs of :func:`_pair`, for operands of ``sizes``
    (each letter's; the case letter's does not matter)."""
    out = []
    for (i, j), step in steps:
        a, b = step.split("->")[0].split(",")
        out.append((i, j, _program_of(step, a, b, sizes)))
    return out


def _program_of(step: str, a: str, b: str, sizes: Mapping[str, int]) -> _PairProgram:
    """The program of one step (``a`` and ``b`` its operands' letters), made once per
    equation and shapes: a program depends on where each letter is, not on its name, so
    it is looked up again with the letters renamed in the order they first appear."""
    shape_a = tuple(sizes[u] for u in a)
    shape_b = tuple(sizes[u] for u in b)
    key = (step, shape_a[a[:1] == "z" :], shape_b[b[:1] == "z" :])
    prog = _PAIR_PROGRAMS.get(key)
    if prog is None:
        if len(_PAIR_PROGRAMS) > 1 << 15:
            _PAIR_PROGRAMS.clear()
        names = dict.fromkeys(a + b)
        names.pop("z", None)
        canon = step.translate(dict(zip(map(ord, names), _CANON, strict=False)))
        alias = (canon, *key[1:])
        prog = _PAIR_PROGRAMS.get(alias)
        if prog is None:
            prog = _PAIR_PROGRAMS[alias] = _pair_program(canon, shape_a, shape_b)
        _PAIR_PROGRAMS[key] = prog
    return prog


def _path_programs(
    eq: str, path: Sequence[tuple[int, int]], sizes: Mapping[str, int]
) -> tuple[list[tuple[int, int, _PairProgram]], int]:
    """``_programs(_steps(eq, path), sizes)`` and ``_peak`` of those steps (``sizes``: the
    case letter's one), in one pass over the path."""
    ins, final = eq.split("->")
    terms = ins.split(",")
    out = []
    most = 1
    last = len(path) - 1
    for k, (i, j) in enumerate(path):
        a, b = terms[i], terms[j]
        terms = [t for n, t in enumerate(terms) if n != i and n != j]
        res = final if k == last else _pair_order((a, b), set(final).union(*terms))
        terms.append(res)
        step = f"{a},{b}->{res}"
        prog = _program_of(step, a, b, sizes)
        held = 2 * (math.prod(sizes[u] for u in a) + math.prod(sizes[u] for u in b))
        most = max(most, held + math.prod(sizes[u] for u in res))
        out.append((i, j, prog))
    return out, most


_LETTERS = [_letter(k) for k in range(52)]
_CANON = [u for u in _LETTERS if u != "z"]  # a step's letters renamed (z: the cases)


def _pairwise(
    steps: list[tuple[int, int, _PairProgram]], ops: list[np.ndarray], out: np.ndarray | None
) -> np.ndarray:
    """The steps of :func:`_programs` run one matrix product (:func:`_run_pair`) each, the
    last into ``out``."""
    ops = list(ops)
    last = len(steps) - 1
    for k, (i, j, prog) in enumerate(steps):
        a, b = ops[i], ops[j]
        del ops[j]  # i < j
        del ops[i]
        ops.append(_run_pair(prog, a, b, out if k == last else None))
    return ops[-1]


class _PairProgram(NamedTuple):
    """How :func:`_pair` contracts two operands (``swap``: taken the other way round): each
    one's letters summed first (axes) and its transposition. A matrix product: each one's
    shape as ``(batch, rows, inner)`` (the first) or ``(batch, inner, columns)`` (the
    second), without the case axis, the product's shape over the kept letters and its
    transposition to the output's order (None: none). An outer product (nothing summed
    between them): each operand's new axes, so that both are in the output's order."""

    swap: bool
    z_a: bool  # the (first) operand has the case axis
    z_b: bool
    sum_a: tuple[int, ...]
    perm_a: tuple[int, ...]
    sum_b: tuple[int, ...]
    perm_b: tuple[int, ...]
    multiply: bool  # nothing summed between them: an outer product
    shape_a: tuple[int, ...] = ()
    shape_b: tuple[int, ...] = ()
    shape_out: tuple[int, ...] = ()
    perm_out: tuple[int, ...] | None = None
    expand_a: tuple[Any, ...] = ()  # an index: slice(None) for each axis, None for a new one
    expand_b: tuple[Any, ...] = ()
    moved_a: bool = True  # a matrix product: perm_a is not the identity
    moved_b: bool = True


_PAIR_PROGRAMS: dict[tuple, _PairProgram] = {}


def _pair_program(eq: str, shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> _PairProgram:
    """The program of :func:`_pair` for an equation and the operands' shapes: the output
    made in its own order where the letters allow it (no copy to transpose it)."""
    ins, out = eq.split("->")
    a, b = ins.split(",")
    straight = _pair_way(a, b, out, shape_a, shape_b, False)
    if straight.perm_out is None:
        return straight
    swapped = _pair_way(b, a, out, shape_b, shape_a, True)
    return swapped if swapped.perm_out is None else straight


def _pair_way(
    a: str, b: str, out: str, shape_a: tuple[int, ...], shape_b: tuple[int, ...], swap: bool
) -> _PairProgram:
    size = dict(zip(a, shape_a, strict=True)) | dict(zip(b, shape_b, strict=True))
    keep_a = [u for u in a if u in out or u in b]
    keep_b = [u for u in b if u in out or u in a]
    sum_a = tuple(k for k, u in enumerate(a) if u not in keep_a)
    sum_b = tuple(k for k, u in enumerate(b) if u not in keep_b)
    inner = [u for u in keep_a if u in b and u not in out]
    if not inner:  # each operand transposed to the output's order, with new axes
        order_a = [u for u in out if u in keep_a]
        order_b = [u for u in out if u in keep_b]
        return _PairProgram(
            swap=swap,
            z_a="z" in a,
            z_b="z" in b,
            sum_a=sum_a,
            perm_a=tuple(keep_a.index(u) for u in order_a),
            sum_b=sum_b,
            perm_b=tuple(keep_b.index(u) for u in order_b),
            multiply=True,
            expand_a=tuple(slice(None) if u in keep_a else None for u in out),
            expand_b=tuple(slice(None) if u in keep_b else None for u in out),
        )
    at = out.index
    both = sorted((u for u in keep_a if u in b and u in out and u != "z"), key=at)
    own_a = sorted((u for u in keep_a if u not in b and u != "z"), key=at)
    own_b = sorted((u for u in keep_b if u not in a and u != "z"), key=at)
    z_a, z_b = "z" in a, "z" in b
    order_a = ["z"] * z_a + both + own_a + inner
    order_b = ["z"] * z_b + both + inner + own_b
    made = ["z"] * (z_a or z_b) + both + own_a + own_b
    perm_out = tuple(made.index(u) for u in out)

    def prod(letters: list[str]) -> int:
        return math.prod(size[u] for u in letters)

    return _PairProgram(
        swap=swap,
        z_a=z_a,
        z_b=z_b,
        sum_a=sum_a,
        perm_a=tuple(keep_a.index(u) for u in order_a),
        sum_b=sum_b,
        perm_b=tuple(keep_b.index(u) for u in order_b),
        multiply=False,
        shape_a=(prod(both), prod(own_a), prod(inner)),
        shape_b=(prod(both), prod(inner), prod(own_b)),
        shape_out=tuple(size[u] for u in made if u != "z"),
        perm_out=None if perm_out == tuple(range(len(made))) else perm_out,
        moved_a=[keep_a.index(u) for u in order_a] != list(range(len(order_a))),
        moved_b=[keep_b.index(u) for u in order_b] != list(range(len(order_b))),
    )


def _pair(eq: str, a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A two-operand einsum by :func:`_run_pair` (its program made once per equation and
    shapes); ``z``, the case letter, comes first wherever it is."""
    ins = eq.split("->")[0]
    key = (eq, a.shape[ins[0] == "z" :], b.shape[ins[ins.index(",") + 1] == "z" :])
    prog = _PAIR_PROGRAMS.get(key)
    if prog is None:
        if len(_PAIR_PROGRAMS) > 1 << 14:
            _PAIR_PROGRAMS.clear()
        prog = _PAIR_PROGRAMS[key] = _pair_program(eq, a.shape, b.shape)
    return _run_pair(prog, a, b, out)


def _run_pair(
    prog: _PairProgram, a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """Two operands contracted as one matrix product per case (``numpy.matmul`` over the
    case axis: each case is its own product of the same shape, so its bits do not depend on
    the other cases), or multiplied (broadcast) where nothing is summed between them."""
    swap, z_a, z_b, sum_a, perm_a, sum_b, perm_b, multiply, shape_a, shape_b = prog[:10]
    if swap:
        a, b = b, a
    if sum_a:
        a = a.sum(axis=sum_a)
    if sum_b:
        b = b.sum(axis=sum_b)
    if multiply:  # the inputs (the smaller) read in the output's order
        a = a.transpose(perm_a)[prog.expand_a]
        b = b.transpose(perm_b)[prog.expand_b]
        return np.multiply(a, b, out=out)
    m = a.shape[0] if z_a else b.shape[0] if z_b else 0
    lead = (m,) if z_a or z_b else ()
    if prog.moved_a or not a.flags.c_contiguous:
        a = np.ascontiguousarray(a.transpose(perm_a))
    a = a.reshape(lead[:z_a] + shape_a)
    if prog.moved_b or not b.flags.c_contiguous:
        b = np.ascontiguousarray(b.transpose(perm_b))
    b = b.reshape(lead[:z_b] + shape_b)
    perm_out = prog.perm_out
    if BLAS_FLOATS and math.prod(shape_a[1:]) * shape_b[2] < BLAS_FLOATS:  # numpy's loops
        res = (a[..., None] * b[..., None, :, :]).sum(axis=-2).reshape(lead + prog.shape_out)
    elif out is not None and perm_out is None and out.flags.c_contiguous:
        np.matmul(a, b, out=out.reshape(lead + shape_a[:2] + shape_b[2:]))
        return out
    else:
        res = np.matmul(a, b).reshape(lead + prog.shape_out)
    if perm_out is not None:
        res = res.transpose(perm_out)
    if out is None:
        return res
    out[...] = res
    return out


def _maximal(raw: Mapping[int, tuple[str, ...]], parent: dict[int, int]) -> dict[int, int]:
    """Merge each clique of an elimination tree that a child of it contains into that
    child (which takes its place in the tree; ``parent`` is updated). Returns merged ->
    absorbing clique."""
    sets = {k: set(c) for k, c in raw.items()}
    kids: dict[int, list[int]] = {k: [] for k in raw}
    for j, p in parent.items():
        kids[p].append(j)
    into: dict[int, int] = {}
    for p in sorted(raw):  # children first
        found = next((j for j in kids[p] if sets[p] <= sets[j]), None)
        if found is None:
            continue
        k = into[p] = found
        g = parent.pop(p, None)
        if g is None:
            parent.pop(k, None)
        else:
            parent[k] = g
            kids[g] = [k if j == p else j for j in kids[g]]
        for j in kids[p]:
            if j != k:
                parent[j] = k
                kids[k].append(j)
        del kids[p]
    return into


# two or more operands are contracted in pairs where that takes at most this times the
# multiply-adds of one pass: a path never takes twice as many, and a matrix product per case
# is many times faster than einsum's loops, so always (0: one pass, for tests)
PAIRWISE = 4.0
GROUP_FLOATS = 1 << 22  # a group's path runs on as many cases at a time as hold this, about
# two neighbouring cliques whose union adds at most one variable to the larger are merged
# where their separator's message holds at least MERGE_FREE floats per case and at least
# MERGE_SHARE * 3 ** (the union's variables): each variable counted as free, observed or
# barren alike ((states + 2) / 3), and a clique's cases fall in up to 3 ** size groups, each
# a few numpy calls (where the message is small against them, merging makes more groups
# than it saves floats). Measured on barley, mildew, water and diabetes
MERGE_FREE = 100.0
MERGE_SHARE = 0.005
# a matrix product taking fewer multiply-adds per case than this is made by numpy's
# elementwise loops (multiply, then sum) instead of numpy.matmul, which is faster even for
# tiny ones (0: never; for tests)
BLAS_FLOATS = 0
BAND = 1e-10  # messages whose largest entries lie within this of 1 are left as they are


def _normalise(
    res: np.ndarray,
    want: tuple[str, ...],
    rows: np.ndarray,
    log_pe: np.ndarray | None,
    own: bool = False,
) -> np.ndarray:
    """A message divided, case by case, by its largest entry (the logs added to ``log_pe``)
    where that entry is not within ``BAND`` of 1 (else no product of a clique's inputs can
    underflow and the case's message is left as it is: its bits never depend on the other
    cases of the group). ``own``: ``res`` may be divided in place (a block of a store)."""
    mx = res.max(axis=tuple(range(1, res.ndim))) if want else res
    keep = (mx >= BAND) & (mx <= 1 / BAND)
    if keep.all():
        return res
    scale = np.where(keep | (mx <= 0), 1.0, mx)  # dividing by one changes no bit
    if log_pe is not None:
        log_pe[rows] += np.log(scale)
        log_pe[rows[mx <= 0]] = -np.inf
    scale = scale.reshape(-1, *[1] * (res.ndim - 1))
    if own or (res.flags.writeable and res.base is None):
        res /= scale
        return res
    return res / scale


class _Messages:
    """The messages along one directed edge of a :class:`CliqueTree` for a chunk of cases:
    one array per status of the separator's variables, cases first.

    The groups of the producing clique (finer: the separator lies in it) are laid out one
    after another, so each one's messages are one block (written in place); a consumer
    gathers its rows, or takes a whole array as it is (one block: its rows in case order).
    """

    def __init__(
        self,
        tree: CliqueTree,
        status: np.ndarray,
        sep: tuple[str, ...],
        producer: Sequence[np.ndarray],
    ):
        m = status.shape[0]
        self.pos = np.empty(m, dtype=np.intp)
        self.which = np.empty(m, dtype=np.intp)
        self.arrays: list[np.ndarray] = []
        groups = _pattern_groups(status, [tree.col[u] for u in sep])
        for g, (rows, statuses) in enumerate(groups):
            self.which[rows] = g
            shape = [tree.cards[u] for u, st in zip(sep, statuses, strict=True) if st == FREE]
            self.arrays.append(np.empty((len(rows), *shape)))
        self.blocks: dict[int, tuple[int, slice]] = {}  # a producer group's first row
        filled = [0] * len(groups)
        count = [0] * len(groups)
        for rows in producer:
            g = int(self.which[rows[0]])
            end = filled[g] + len(rows)
            self.pos[rows] = np.arange(filled[g], end)
            self.blocks[int(rows[0])] = (g, slice(filled[g], end))
            filled[g] = end
            count[g] += 1
        self.whole = [k == 1 for k in count]  # one block: in case order (rows are sorted)

    def slot(self, rows: np.ndarray) -> np.ndarray:
        """The block a producer group's messages are kept in (a view to write into)."""
        g, block = self.blocks[int(rows[0])]
        return self.arrays[g][block]

    def put(self, rows: np.ndarray, res: np.ndarray) -> None:
        """Keep a producer group's messages (unless written in their block already)."""
        g, block = self.blocks[int(rows[0])]
        if res.base is self.arrays[g]:
            return
        if len(rows) == len(self.arrays[g]):
            self.arrays[g] = res  # the whole array: kept as it is
        else:
            self.arrays[g][block] = res

    def get(self, rows: np.ndarray) -> np.ndarray:
        """The messages of a consumer group's rows (all of one status of the separator)."""
        g = int(self.which[rows[0]])
        if self.whole[g] and len(rows) == len(self.arrays[g]):
            return self.arrays[g]
        return self.arrays[g][self.pos[rows]]


def _pattern_groups(status: np.ndarray, cols: list[int]) -> list[tuple[np.ndarray, tuple]]:
    """Rows grouped by the status of some variables: ``(rows, statuses)`` per group."""
    m = status.shape[0]
    code = np.zeros(m, dtype=np.int64)
    for j in cols:
        code = code * 3 + status[:, j]
    order = np.argsort(code, kind="stable")
    sk = code[order]
    starts = np.flatnonzero(np.concatenate([[True], sk[1:] != sk[:-1]]))
    bounds = np.append(starts, m)
    out = []
    for g in range(len(starts)):
        rows = order[bounds[g] : bounds[g + 1]]
        out.append((rows, tuple(status[rows[0], cols].tolist())))
    return out
