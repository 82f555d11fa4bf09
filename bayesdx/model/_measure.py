"""How a raw measured value (Hb in g/dL, age in years, ...) maps to a network state.

A value outside the plausible range is refused; when it would be plausible in another common
unit of the same quantity (Hb 104 in g/L, calcium 2.9 in mmol/L, creatinine 180 in
micromol/L), the message says so and gives the value in the network's unit. The conversions
are data (:data:`UNIT_CONVERSIONS`), keyed on the unit and, where the factor depends on the
substance (a molar mass), on the quantity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bayesdx.errors import RawValueError

__all__ = ["UNIT_CONVERSIONS", "Measure", "unit_alternatives"]

#: (unit, substance or "" for any quantity) -> ((other unit, factor), ...): a value x in the
#: other unit is x * factor in ``unit``. Molar conversions use the molar mass: calcium
#: 40.08 g/mol (1 mmol/L = 4.008 mg/dL), creatinine 113.12 g/mol (1 mg/dL = 88.42
#: micromol/L), haemoglobin as the monomer, 16.11 kg/mol (1 mmol/L = 1.611 g/dL).
UNIT_CONVERSIONS: dict[tuple[str, str], tuple[tuple[str, float], ...]] = {
    ("g/dL", ""): (("g/L", 0.1),),
    ("g/L", ""): (("g/dL", 10.0),),
    ("10^9/L", ""): (("/uL", 0.001),),
    ("g/dL", "haemoglobin"): (("mmol/L", 1.611),),
    ("g/dL", "hemoglobin"): (("mmol/L", 1.611),),
    ("mg/dL", "calcium"): (("mmol/L", 4.008),),
    ("mmol/L", "calcium"): (("mg/dL", 1 / 4.008),),
    ("mg/dL", "creatinine"): (("micromol/L", 1 / 88.42), ("mmol/L", 1000 / 88.42)),
    ("micromol/L", "creatinine"): (("mg/dL", 88.42),),
}


def unit_alternatives(quantity: str, unit: str) -> tuple[tuple[str, float], ...]:
    """Other common units of a quantity, each with its factor to ``unit``.

    Examples
    --------
    >>> unit_alternatives("serum calcium", "mg/dL")
    (('mmol/L', 4.008),)
    >>> unit_alternatives("age", "years")
    ()
    """
    words = quantity.casefold()
    out = list(UNIT_CONVERSIONS.get((unit, ""), ()))
    for (u, substance), pairs in UNIT_CONVERSIONS.items():
        if u == unit and substance and substance in words:
            out += pairs
    return tuple(dict.fromkeys(out))


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
    alternatives : tuple of (str, float)
        Other units a value is often given in, each with its factor to ``unit``; by default
        the common ones for the quantity (:func:`unit_alternatives`).

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
    alternatives: tuple[tuple[str, float], ...] | None = None

    @property
    def other_units(self) -> tuple[tuple[str, float], ...]:
        """:attr:`alternatives`, or the common ones for the quantity when not given."""
        if self.alternatives is not None:
            return self.alternatives
        return unit_alternatives(self.quantity, self.unit)

    def conversions(self, value: float) -> list[tuple[str, float]]:
        """``(other unit, value in this unit)`` for each other common unit in which ``value``
        would be plausible (inside :attr:`range`).

        Examples
        --------
        >>> ca = Measure("serum calcium", "mg/dL", (11.0,), ("normal", "high"), (4.0, 20.0), ())
        >>> [(u, round(x, 2)) for u, x in ca.conversions(2.9)]
        [('mmol/L', 11.62)]
        """
        lo, hi = self.range
        return [
            (other, value * factor)
            for other, factor in self.other_units
            if lo <= value * factor <= hi
        ]

    def unit_hint(self, value: float, variable: str = "") -> str:
        """What an out-of-range value would be if it was given in another common unit.

        Only conversions that land inside the plausible range are offered.

        Examples
        --------
        >>> hb = Measure("haemoglobin", "g/dL", (12.0,), ("lt_12", "ge_12"), (2.0, 25.0), ())
        >>> hb.unit_hint(104, "hb")
        '104 looks like g/L: did you mean hb=10.4 (g/dL)?'
        >>> hb.unit_hint(900, "hb")
        ''
        """
        name = variable or self.quantity
        fits = self.conversions(value)
        if not fits:
            return ""
        looks = " or ".join(dict.fromkeys(other for other, _ in fits))
        means = " or ".join(dict.fromkeys(f"{name}={converted:.3g}" for _, converted in fits))
        return f"{value:g} looks like {looks}: did you mean {means} ({self.unit})?"

    def discretise(self, value: float, variable: str = "") -> str:
        """The state of a raw value; :class:`RawValueError` if it is out of range."""
        name = variable or self.quantity
        lo, hi = self.range
        if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
            raise RawValueError(f"{name}: {value!r} is not a number")
        if not lo <= value <= hi:
            hint = self.unit_hint(value, variable)
            raise RawValueError(
                f"{name} = {value:g} {self.unit} is outside the plausible range "
                f"{lo:g} to {hi:g} {self.unit}" + (f"; {hint}" if hint else "")
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
