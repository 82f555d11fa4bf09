"""Conditional probability tables as written in a network file, and their expansion.

A CPT is a full :class:`TableCPT`, a canonical :class:`NoisyMaxCPT` (noisy-OR is its
two-state case) or, for networks imported from BIF/XMLBIF, a :class:`FixedCPT`. Each expands
to an array of shape ``(*parent_cards, card)``: parents in the node's parent order, the
node's own states on the last axis.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from bayesdx.model._fixed import FixedCPT, check_table_size
from bayesdx.model._uncertainty import Uncertainty

__all__ = [
    "CPT",
    "DeterministicCPT",
    "Entry",
    "FixedCPT",
    "NoisyMaxCPT",
    "TableCPT",
    "check_table_size",
]


@dataclass(frozen=True)
class Entry:
    """One distribution entry: point values, sources, uncertainty.

    Attributes
    ----------
    states : tuple of str
        The states the values are for (the node's states; for noisy entries, ordered from
        no effect to most severe).
    p : tuple of float
        Point values, summing to 1.
    sources : tuple of str
        Source ids.
    uncertainty : Uncertainty or None
        What a sensitivity analysis samples.
    note : str
        How the figure became this probability.
    field : str
        Where in the node's ``cpt`` the entry is written.
    expert : bool
        True when every source is an expert or unverified one.
    """

    states: tuple[str, ...]
    p: tuple[float, ...]
    sources: tuple[str, ...]
    uncertainty: Uncertainty | None
    note: str = ""
    field: str = ""
    expert: bool = False


@dataclass(frozen=True)
class TableCPT:
    """A full table: one entry per row, a row covering one or more parent combinations."""

    rows: tuple[tuple[dict[str, tuple[str, ...]], Entry], ...]
    parents: tuple[str, ...]
    kind: str = "table"

    def entries(self) -> Iterator[Entry]:
        """Every distribution entry of the table."""
        for _, entry in self.rows:
            yield entry

    def with_entry(self, index: int, p: tuple[float, ...]) -> TableCPT:
        """A copy with the ``index``-th entry's values replaced (sources kept)."""
        rows = list(self.rows)
        when, entry = rows[index]
        rows[index] = (when, dataclasses.replace(entry, p=tuple(p)))
        return dataclasses.replace(self, rows=tuple(rows))

    def expand_draws(
        self,
        parent_states: dict[str, tuple[str, ...]],
        states: tuple[str, ...],
        draws: list[np.ndarray],
    ) -> np.ndarray:
        """The table under n parameter draws: ``draws[i]`` has shape (n, k) for entry i.

        Returns an array of shape ``(n, *parent_cards, card)``.
        """
        n = draws[0].shape[0]
        shape = [len(parent_states[p]) for p in self.parents]
        check_table_size(shape, len(states))
        table = np.zeros((n, *shape, len(states)))
        block_shape = (n,) + (1,) * len(shape) + (len(states),)
        for (when, entry), values in zip(self.rows, draws, strict=True):
            values = values[:, [entry.states.index(s) for s in states]]
            # every parent combination the row covers, at once (a row may cover millions)
            block = np.ix_(*([parent_states[p].index(s) for s in when[p]] for p in self.parents))
            index: tuple[slice | np.ndarray, ...] = (slice(None), *block)
            table[index] = values.reshape(block_shape)
        return table

    def expand(
        self, parent_states: dict[str, tuple[str, ...]], states: tuple[str, ...]
    ) -> np.ndarray:
        """The full table, shape ``(*parent_cards, card)``.

        Examples
        --------
        >>> from bayesdx.model._uncertainty import Uncertainty
        >>> e = lambda p: Entry(("no", "yes"), p, ("expert",), None)
        >>> cpt = TableCPT(rows=(({"a": ("x",)}, e((0.9, 0.1))),
        ...                      ({"a": ("y", "z")}, e((0.2, 0.8)))), parents=("a",))
        >>> cpt.expand({"a": ("x", "y", "z")}, ("no", "yes")).tolist()
        [[0.9, 0.1], [0.2, 0.8], [0.2, 0.8]]
        """
        draws = [np.asarray(entry.p, dtype=float)[None, :] for entry in self.entries()]
        return self.expand_draws(parent_states, states, draws)[0]


@dataclass(frozen=True)
class NoisyMaxCPT:
    """Noisy-MAX with a leak (noisy-OR when the child has two states).

    ``states`` orders the child from no effect to most severe. With F the cumulative
    distribution over that order, ``P(child <= y | parents) = F_leak(y) * prod F_cause(y)``;
    parent states without an entry have no effect.
    """

    kind: str
    states: tuple[str, ...]
    leak: Entry
    causes: dict[str, dict[str, Entry]]
    parents: tuple[str, ...]

    def entries(self) -> Iterator[Entry]:
        """The leak, then every cause entry."""
        yield self.leak
        for per_state in self.causes.values():
            yield from per_state.values()

    def with_entry(self, index: int, p: tuple[float, ...]) -> NoisyMaxCPT:
        """A copy with the ``index``-th entry (0 = leak) replaced, in :meth:`entries` order."""
        if index == 0:
            return dataclasses.replace(self, leak=dataclasses.replace(self.leak, p=tuple(p)))
        i = 1
        causes = {parent: dict(per_state) for parent, per_state in self.causes.items()}
        for per_state in causes.values():
            for pstate, entry in per_state.items():
                if i == index:
                    per_state[pstate] = dataclasses.replace(entry, p=tuple(p))
                    return dataclasses.replace(self, causes=causes)
                i += 1
        raise IndexError(index)

    def expand_draws(
        self,
        parent_states: dict[str, tuple[str, ...]],
        states: tuple[str, ...],
        draws: list[np.ndarray],
    ) -> np.ndarray:
        """The table under n parameter draws (entries in :meth:`entries` order).

        Returns an array of shape ``(n, *parent_cards, card)``.
        """
        n, card = draws[0].shape
        shape = [len(parent_states[p]) for p in self.parents]
        check_table_size(shape, card)
        total = np.cumsum(draws[0], axis=1).reshape((n,) + (1,) * len(shape) + (card,))
        total = np.broadcast_to(total, (n, *shape, card)).copy()
        i = 1
        for axis, parent in enumerate(self.parents):
            factor = np.ones((n, len(parent_states[parent]), card))
            for pstate in self.causes.get(parent, {}):
                factor[:, parent_states[parent].index(pstate)] = np.cumsum(draws[i], axis=1)
                i += 1
            view = [n] + [1] * len(shape) + [card]
            view[axis + 1] = len(parent_states[parent])
            total = total * factor.reshape(view)
        total[..., -1] = 1.0
        probs = np.clip(np.diff(total, axis=-1, prepend=0.0), 0.0, None)
        return probs[..., [self.states.index(s) for s in states]]

    def expand(
        self, parent_states: dict[str, tuple[str, ...]], states: tuple[str, ...]
    ) -> np.ndarray:
        """The full table, shape ``(*parent_cards, card)``, in the node's state order.

        Examples
        --------
        Two causes of a binary finding, leak 0.1: P(off | both) = 0.9 * 0.5 * 0.2.

        >>> e = lambda p: Entry(("off", "on"), (1 - p, p), ("expert",), None)
        >>> cpt = NoisyMaxCPT("noisy_or", ("off", "on"), e(0.1),
        ...                   {"a": {"yes": e(0.5)}, "b": {"yes": e(0.8)}}, ("a", "b"))
        >>> t = cpt.expand({"a": ("no", "yes"), "b": ("no", "yes")}, ("off", "on"))
        >>> round(float(t[1, 1, 0]), 12), round(float(t[0, 0, 1]), 12)
        (0.09, 0.1)
        """
        draws = [np.asarray(entry.p, dtype=float)[None, :] for entry in self.entries()]
        return self.expand_draws(parent_states, states, draws)[0]


@dataclass(frozen=True)
class DeterministicCPT:
    """A child that is a function of its one parent: each child state lists its parent states.

    Used to read a coarser finding from a finer one (``hb`` < 12 from ``hb_level``), so that
    evidence on the child is evidence that the parent lies in a set of states. No entries:
    a definition has no source and no uncertainty.

    Examples
    --------
    >>> cpt = DeterministicCPT({"lt_12": ("lt_12",), "ge_12": ("12_to_13", "ge_13")}, ("lvl",))
    >>> cpt.expand({"lvl": ("lt_12", "12_to_13", "ge_13")}, ("ge_12", "lt_12")).tolist()
    [[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]]
    """

    mapping: dict[str, tuple[str, ...]]
    parents: tuple[str, ...]
    kind: str = "deterministic"

    def child(self, parent_state: str | None) -> str | None:
        """The child state a parent state defines (None for None or an unlisted state).

        Examples
        --------
        >>> DeterministicCPT({"lo": ("a",), "hi": ("b", "c")}, ("p",)).child("c")
        'hi'
        """
        return next((c for c, m in self.mapping.items() if parent_state in m), None)

    def entries(self) -> Iterator[Entry]:
        """No entries: a definition carries no sources or uncertainty."""
        return iter(())

    def with_entry(self, index: int, p: tuple[float, ...]) -> DeterministicCPT:
        """A definition has no entries to replace."""
        raise IndexError(index)

    def expand(
        self, parent_states: dict[str, tuple[str, ...]], states: tuple[str, ...]
    ) -> np.ndarray:
        """The 0/1 table of shape ``(parent_card, card)``."""
        (parent,) = self.parents
        table = np.zeros((len(parent_states[parent]), len(states)))
        for child, members in self.mapping.items():
            for m in members:
                table[parent_states[parent].index(m), states.index(child)] = 1.0
        return table


CPT = TableCPT | NoisyMaxCPT | FixedCPT | DeterministicCPT
