"""How a raw measured value (Hb in g/dL, age in years, ...) maps to a network state."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bayesdx.errors import RawValueError

__all__ = ["Measure"]


@dataclass(frozen=True)
class Measure:
    """Cut-points that discretise a raw value.

    A value equal to a cut-point goes to the upper state.

    Parameters
    ----------
    quantity, unit : str
        What is measured and in which unit.
    cuts : tuple of float
        Ascending cut-points, one fewer than the states.
    order : tuple of str
        The states from lowest to highest value.
    range : tuple of float
        Plausible ``(min, max)``; values outside are refused.
    sources : tuple of str
        Source ids for the cut-points.

    Examples
    --------
    >>> hb = Measure("haemoglobin", "g/dL", (12.0,), ("lt_12", "ge_12"), (2.0, 25.0), ())
    >>> hb.discretise(12.0), hb.discretise(11.9)
    ('ge_12', 'lt_12')
    """

    quantity: str
    unit: str
    cuts: tuple[float, ...]
    order: tuple[str, ...]
    range: tuple[float, float]
    sources: tuple[str, ...]

    def discretise(self, value: float, variable: str = "") -> str:
        """The state of a raw value; :class:`RawValueError` if it is out of range."""
        name = variable or self.quantity
        lo, hi = self.range
        if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
            raise RawValueError(f"{name}: {value!r} is not a number")
        if not lo <= value <= hi:
            raise RawValueError(
                f"{name} = {value:g} {self.unit} is outside the plausible range "
                f"{lo:g} to {hi:g} {self.unit}"
            )
        index = sum(value >= c for c in self.cuts)
        return self.order[index]

    def describe(self) -> str:
        """One line: the unit and which values map to which state.

        Examples
        --------
        >>> Measure("age", "years", (40.0, 60.0), ("lt_40", "40_to_59", "ge_60"),
        ...         (18.0, 110.0), ()).describe()
        'age in years: lt_40 < 40 <= 40_to_59 < 60 <= ge_60 (plausible 18 to 110)'
        """
        parts = [self.order[0]]
        for cut, state in zip(self.cuts, self.order[1:], strict=True):
            parts.append(f"< {cut:g} <= {state}")
        lo, hi = self.range
        return f"{self.quantity} in {self.unit}: {' '.join(parts)} (plausible {lo:g} to {hi:g})"
