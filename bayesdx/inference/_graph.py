"""Graph code shared by both inference back ends (variable elimination and the compiled engine).

- :func:`ancestors`: ancestral pruning (a node that is neither observed, a target, nor an
  ancestor of one is barren: it sums to one and drops out).
- :func:`resolve_targets`: the target nodes of a query, validated.
- :func:`evidence_indices`: ``{variable: state}`` as state indices, validated.
- :func:`check_tables`: replacement tables, validated (the one meaning of ``tables``/``cpts``).
- :func:`next_to_eliminate`: the min-size elimination heuristic.
- :func:`group_sums`: P(group) from the distribution of the group's node (:func:`member_sums`
  for a block of it).
- :func:`lowest_positive` and :data:`FLOOR`: when a product of tables may be tabulated.

Only numpy is imported here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from bayesdx.errors import ArgumentError, UnknownStateError, UnknownVariableError

if TYPE_CHECKING:
    from bayesdx.model import Network

__all__ = [
    "FLOOR",
    "TINY",
    "ancestors",
    "check_tables",
    "evidence_indices",
    "group_sums",
    "lowest_positive",
    "member_sums",
    "next_to_eliminate",
    "resolve_targets",
    "sums_to_one",
]

TINY = 1e-250
"""A total P(evidence) below this is recomputed with per-step rescaling, in both back ends.

Only a total that is exactly zero after rescaling makes the evidence impossible; a tiny but
positive probability is never reported as impossible, and no posterior is ever NaN.
"""

_SUM_TOL = 1e-13  # tables whose rows sum to 1 within this may be pruned block by block


def ancestors(parents: Mapping[str, Sequence[str]], seeds: Iterable[str]) -> set[str]:
    """The seeds and all their ancestors.

    Examples
    --------
    >>> sorted(ancestors({"a": (), "b": ("a",), "c": ("b",), "d": ()}, ["c"]))
    ['a', 'b', 'c']
    """
    keep: set[str] = set()
    stack = list(seeds)
    while stack:
        v = stack.pop()
        if v not in keep:
            keep.add(v)
            stack.extend(parents[v])
    return keep


def resolve_targets(
    network: Network, targets: str | Sequence[str] | None, *, allow_empty: bool = False
) -> list[str]:
    """The target nodes of a query, in the order given, each once.

    Parameters
    ----------
    network : Network
    targets : str, sequence of str or None
        None: the network's default targets (its diagnosis nodes); ``"all"`` (unless the
        network has a node of that name): every node; a node id or a sequence of them.
    allow_empty : bool
        Accept an empty sequence (a query for P(evidence) alone).

    Raises
    ------
    UnknownVariableError
        For a name that is not a node (the message lists the valid ones), or for a value
        that is not a node id or a sequence of them.

    Examples
    --------
    >>> import bayesdx
    >>> net = bayesdx.load_network("marrow_signal")
    >>> resolve_targets(net, None), resolve_targets(net, ["hb", "hb"])
    (['diagnosis'], ['hb'])
    >>> resolve_targets(net, "nope")
    Traceback (most recent call last):
    ...
    bayesdx.errors.UnknownVariableError: unknown variable 'nope' in network 'marrow_signal'; ...
    """
    if targets is None:
        return list(network.default_targets)
    if isinstance(targets, str):
        all_nodes = targets == "all" and "all" not in network.states
        targets = list(network.variables) if all_nodes else [targets]
    if not isinstance(targets, Sequence) or (not targets and not allow_empty):
        raise UnknownVariableError(repr(targets), network.variables, network.id)
    for t in targets:
        if not isinstance(t, str):
            raise UnknownVariableError(repr(t), network.variables, network.id)
        if t not in network.states:
            raise UnknownVariableError(t, network.variables, network.id)
    return list(dict.fromkeys(targets))


def evidence_indices(network: Network, evidence: Mapping[str, str]) -> dict[str, int]:
    """Normalised evidence (variable -> state id) as variable -> state index.

    Raises
    ------
    UnknownVariableError, UnknownStateError

    Examples
    --------
    >>> import bayesdx
    >>> evidence_indices(bayesdx.load_network("marrow_signal"), {"hb": "lt_12"})
    {'hb': 1}
    """
    out = {}
    for v, s in evidence.items():
        states = network.states.get(v)
        if states is None:
            raise UnknownVariableError(str(v), network.variables, network.id)
        if s not in states:
            raise UnknownStateError(v, s, states)
        out[v] = states.index(s)
    return out


def check_tables(
    network: Network, tables: Mapping[str, np.ndarray] | None, name: str = "tables"
) -> tuple[int | None, dict[str, np.ndarray]]:
    """Validate replacement tables: the one meaning of ``tables`` (and ``cpts``) everywhere.

    A replacement table takes the place of a node's own table. It has the node's table
    shape ``(*parent cards, card)``, or a leading axis of parameter draws
    ``(n_draws, *parent cards, card)``; every table with a draw axis must have the same
    ``n_draws``, and a table without one is used in every draw.

    Returns
    -------
    int or None, dict
        The number of draws (None if no table has a draw axis) and the tables as float
        arrays.

    Raises
    ------
    UnknownVariableError
        For a table of a node the network does not have.
    ArgumentError
        For a table of the wrong shape, or draw axes of different lengths.

    Examples
    --------
    >>> import numpy as np
    >>> import bayesdx
    >>> net = bayesdx.load_network("marrow_signal")
    >>> draws, _ = check_tables(net, {"hb": np.stack([net.cpts["hb"]] * 3)})
    >>> draws, check_tables(net, {"hb": net.cpts["hb"]})[0]
    (3, None)
    """
    if not tables:
        return None, {}
    out: dict[str, np.ndarray] = {}
    draws: int | None = None
    drawn = ""
    for v, table in tables.items():
        if v not in network.states:
            raise UnknownVariableError(str(v), network.variables, network.id)
        arr = np.asarray(table, dtype=float)
        expected = network.cpts[v].shape
        if arr.shape != expected and arr.shape[1:] != expected:
            dims = ", ".join(map(str, expected))
            raise ArgumentError(
                f"{name}[{v!r}] must have shape ({dims}) or (n_draws, {dims}), got {arr.shape}"
            )
        if arr.shape != expected:
            if draws is not None and arr.shape[0] != draws:
                raise ArgumentError(
                    f"{name}[{v!r}] has {arr.shape[0]} draws, {name}[{drawn!r}] {draws}"
                )
            draws, drawn = int(arr.shape[0]), v
        out[v] = arr
    return draws, out


def sums_to_one(tables: Iterable[np.ndarray]) -> bool:
    """Whether every row of every table sums to 1 (to 1e-13).

    Examples
    --------
    >>> sums_to_one([np.array([[0.5, 0.5], [0.1, 0.9]])]), sums_to_one([np.array([0.5, 0.4])])
    (True, False)
    """
    return all(
        table.size == 0 or float(np.abs(table.sum(axis=-1) - 1.0).max()) <= _SUM_TOL
        for table in tables
    )


def next_to_eliminate(
    hidden: Iterable[str],
    scopes: Sequence[Iterable[str]],
    cards: Mapping[str, int],
    position: Mapping[str, int],
    wide: frozenset[str] = frozenset(),
) -> str:
    """The variable to sum out next: the min-size heuristic.

    The chosen variable makes the smallest new factor (the product of the cardinalities of
    the variables it shares a factor with). Axes in ``wide`` (the cases and the draws of the
    compiled engine) do not count towards the size, but a variable that touches one loses a
    tie; remaining ties go to the earlier node in ``position``, so the order is
    deterministic.

    Examples
    --------
    >>> scopes = [("a", "b"), ("b", "c", "d")]
    >>> next_to_eliminate({"a", "b", "c"}, scopes, {"a": 2, "b": 2, "c": 2, "d": 5},
    ...                   {"a": 0, "b": 1, "c": 2, "d": 3})
    'a'
    """

    def cost(var: str) -> tuple[int, bool, int]:
        scope = {u for s in scopes if var in s for u in s}
        scope.discard(var)
        size = math.prod(cards[u] for u in scope if u not in wide)
        return size, bool(scope & wide), position[var]

    return min(hidden, key=cost)


def group_sums(network: Network, distributions: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """P(group) for each group whose node is among ``distributions``.

    Each distribution is an array whose last axis follows the node's states; the members are
    added one by one in the group's order (as ``sum`` over a dict of them would).

    Examples
    --------
    >>> import bayesdx
    >>> net = bayesdx.load_network("marrow_signal")
    >>> p = np.full((1, len(net.states["diagnosis"])), 1 / 26)  # 11 of the 26 are benign
    >>> round(float(group_sums(net, {"diagnosis": p})["benign"][0]), 4)
    0.4231
    """
    picked = []
    for name, (node, members) in network.groups.items():
        dist = distributions.get(node)
        if dist is not None:
            states = network.states[node]
            picked.append((name, dist, [states.index(s) for s in members]))
    out = {name: np.zeros(dist.shape[:-1]) for name, dist, _ in picked}
    step = 8192  # rows at a time: each block of a distribution is read once, from cache
    for name, dist, index in picked:
        flat = dist.reshape(-1, dist.shape[-1])
        total = out[name].reshape(-1)
        for start in range(0, flat.shape[0], step):
            total[start : start + step] = member_sums(flat[start : start + step], index)
    return out


def member_sums(block: np.ndarray, index: Sequence[int]) -> np.ndarray:
    """Row sums of the columns ``index`` of a ``(rows, states)`` block, added one by one in
    that order from 0.0 (every engine's group sums are this arithmetic, to the bit).

    Examples
    --------
    >>> member_sums(np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]]), [2, 0]).tolist()
    [0.7999999999999999, 0.5]
    """
    acc = np.zeros(block.shape[0])
    for i in index:
        acc = acc + block[:, i]
    return acc


FLOOR = 1e-300
"""No product of tables is tabulated (bundled, merged) when the product of their least
positive entries falls below this: the entries could underflow to zero, and a possible case
would look impossible. Such tables stay apart and are multiplied with rescaling (or added
as logarithms) per case."""


def lowest_positive(table: np.ndarray | None) -> float:
    """The least positive entry of a table (1.0 where none is positive, or for None).

    Examples
    --------
    >>> lowest_positive(np.array([[0.0, 1e-100], [0.3, 0.7]]))
    1e-100
    """
    if table is None:
        return 1.0
    positive = table[table > 0]
    return float(positive.min()) if positive.size else 1.0
