"""Tables imported as numbers (BIF, XMLBIF, XDSL, NET, DSL, UAI), and the table size limit.

Apart from the literature's table kinds (:mod:`bayesdx.model._cpt`), so that a network read
from a foreign file loads only what it uses.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from bayesdx._record import Record
from bayesdx.errors import LimitError
from bayesdx.limits import MAX_TABLE_CELLS, size_text

if TYPE_CHECKING:
    from bayesdx.model._cpt import Entry

__all__ = ["FixedCPT", "check_table_size"]


def check_table_size(parent_cards: Sequence[int], card: int, where: str = "") -> int:
    """The number of cells of a table, refused above :data:`~bayesdx.limits.MAX_TABLE_CELLS`.

    Called before a table is allocated or its parent combinations enumerated.

    Parameters
    ----------
    parent_cards : sequence of int
        The number of states of each parent.
    card : int
        The number of states of the node.
    where : str
        The file and node, for the message.

    Returns
    -------
    int
        ``card`` times the product of ``parent_cards``.

    Raises
    ------
    LimitError
        Saying how much memory the table would take, and the limit.

    Examples
    --------
    >>> check_table_size([2, 3], 2)
    12
    >>> check_table_size([2] * 28, 2, "net.yaml: node 'x'")
    Traceback (most recent call last):
    ...
    bayesdx.errors.LimitError: net.yaml: node 'x': the table has 536,870,912 cells (28 parents \
with 2^28 combinations, x 2 states), 4 GiB as float64; the limit is 16,777,216 cells (128 MiB) \
(bayesdx.limits.MAX_TABLE_CELLS)
    """
    cells = math.prod(parent_cards) * card
    if cells > MAX_TABLE_CELLS:
        combos = math.prod(parent_cards)
        if len(set(parent_cards)) == 1 and len(parent_cards) > 3:
            count = f"{parent_cards[0]}^{len(parent_cards)}"
        else:
            count = f"{combos:,}"
        prefix = f"{where}: " if where else ""
        raise LimitError(
            f"{prefix}the table has {cells:,} cells ({len(parent_cards)} parents with {count} "
            f"combinations, x {card} states), {size_text(cells * 8)} as float64; the limit is "
            f"{MAX_TABLE_CELLS:,} cells ({size_text(MAX_TABLE_CELLS * 8)}) "
            "(bayesdx.limits.MAX_TABLE_CELLS)"
        )
    return cells


class FixedCPT(Record):
    """A table imported as numbers (BIF, XMLBIF, ...), with no sources or uncertainty."""

    _fields = ("values", "parents", "origin", "kind")
    values: np.ndarray
    parents: tuple[str, ...]
    origin: str
    kind: str

    def __init__(
        self, values: np.ndarray, parents: tuple[str, ...], origin: str = "", kind: str = "fixed"
    ) -> None:
        vars(self).update(values=values, parents=parents, origin=origin, kind=kind)

    def entries(self) -> Iterator[Entry]:
        """No entries: an imported table carries no sources."""
        return iter(())

    def with_entry(self, index: int, p: tuple[float, ...]) -> FixedCPT:
        """Imported tables have no entries to replace."""
        raise IndexError(index)

    def expand(
        self, parent_states: dict[str, tuple[str, ...]], states: tuple[str, ...]
    ) -> np.ndarray:
        """The stored table."""
        return np.asarray(self.values, dtype=float)
