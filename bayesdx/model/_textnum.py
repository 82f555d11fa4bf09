"""One rule for numbers written as text: on the command line, in YAML and in JSON files.

A number is plain decimal: an optional sign, ASCII digits with an optional decimal point, and
an optional exponent (``12``, ``-0.5``, ``.5``, ``1e3``, ``012``). Nothing else is a number:
``0x0C``, ``0o14``, ``1_0``, ``1:07`` (YAML 1.1's hexadecimal, octal, underscores and
sexagesimal) and digits of other scripts are text. ``012`` is 12 everywhere, never octal 10.
A number longer than :data:`bayesdx.limits.MAX_DIGITS` characters is refused, so no input
can reach Python's 4,300-digit limit for integers.

This module imports nothing else of bayesdx but the errors and the limits, so the YAML
reader (:mod:`bayesdx.spec`) and the evidence parser (:mod:`bayesdx.evidence`) both use it;
:func:`shown` cuts any value to a length fit for an error message.

Examples
--------
>>> parse_number("012"), parse_number("-1.5e2"), parse_number(".5")
(12, -150.0, 0.5)
>>> parse_number("0x0C") is None, parse_number("1_0") is None, parse_number("1:07") is None
(True, True, True)
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from bayesdx.errors import LimitError
from bayesdx.limits import MAX_DIGITS

__all__ = [
    "DECIMAL",
    "FIRST_CHARS",
    "INTEGER",
    "NUMBER",
    "is_finite_number",
    "parse_number",
    "shown",
    "too_long",
]

_DECIMAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
#: the patterns below, compiled when first used (a query of state ids never needs them)
_PATTERNS = {
    "DECIMAL": (rf"^{_DECIMAL}\Z", re.ASCII),
    "INTEGER": (r"^[+-]?\d+\Z", re.ASCII),
    "NUMBER": (rf"^(?:{_DECIMAL}|[+-]?(?:inf|nan))\Z", re.ASCII | re.IGNORECASE),
}
if TYPE_CHECKING:
    #: a plain decimal number (what YAML files resolve to a number)
    DECIMAL: re.Pattern[str]
    #: a plain decimal integer (kept an int: counts stay counts)
    INTEGER: re.Pattern[str]
    #: a number as text on the command line or in a case: plain decimal, or inf / nan (which
    #: are then refused as not finite, with that reason)
    NUMBER: re.Pattern[str]
#: the characters a plain decimal number can start with (for YAML's implicit resolver)
FIRST_CHARS = list("+-.0123456789")
#: the first characters of anything NUMBER matches
_NUMBER_STARTS = frozenset("+-.0123456789iInN")


def _pattern(name: str) -> re.Pattern[str]:
    """``DECIMAL``, ``INTEGER`` or ``NUMBER``, compiled the first time it is asked for."""
    compiled = globals().get(name)
    if compiled is None:
        compiled = globals()[name] = re.compile(*_PATTERNS[name])
    return compiled


def __getattr__(name: str) -> re.Pattern[str]:
    """The patterns, as module attributes (PEP 562), compiled on first use."""
    if name in _PATTERNS:
        return _pattern(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def shown(value: object, limit: int = 60, *, quote: bool = True) -> str:
    """A value for an error message: ``repr`` (or ``str``) cut to ``limit`` characters.

    Safe for any value: an integer too long to print is described by its size, and a
    ``repr`` that fails is replaced by the type's name.

    Examples
    --------
    >>> shown("x" * 100, 12), shown("hb", quote=False)
    ("'xxxxxxx... (102 characters)", 'hb')
    >>> shown(10**5000)
    'an integer of about 5001 digits'
    """
    if isinstance(value, int) and abs(value).bit_length() > 3 * limit:
        return f"an integer of about {int(abs(value).bit_length() * 0.30103) + 1} digits"
    try:
        text = repr(value) if quote else str(value)
    except Exception:  # a repr that fails is no reason for a traceback
        return f"a {type(value).__name__}"
    if len(text) <= limit:
        return text
    return f"{text[: limit - 4]}... ({len(text)} characters)"


def too_long(text: str, where: str = "") -> LimitError:
    """The error for a number written with more than :data:`~bayesdx.limits.MAX_DIGITS` characters.

    Examples
    --------
    >>> print(too_long("1" * 100, "hb"))
    hb: a number of 100 characters (1111111111...); the limit is 64 characters \
(bayesdx.limits.MAX_DIGITS)
    """
    prefix = f"{where}: " if where else ""
    return LimitError(
        f"{prefix}a number of {len(text)} characters ({text[:10]}...); the limit is "
        f"{MAX_DIGITS} characters (bayesdx.limits.MAX_DIGITS)"
    )


def parse_number(text: str, where: str = "", *, special: bool = True) -> int | float | None:
    """The number a text spells, or None if it is not a number by the one rule.

    Parameters
    ----------
    text : str
        The text, without surrounding blanks.
    where : str
        Where the text came from (a variable, a file and line), for the error message.
    special : bool
        Also read ``inf`` and ``nan`` (any case, optional sign) as floats; the YAML reader
        turns this off, since ``inf`` may be a state id there.

    Returns
    -------
    int, float or None
        An int for a plain integer (``012`` is 12), a float for any other number.

    Raises
    ------
    LimitError
        If the text is a number longer than :data:`~bayesdx.limits.MAX_DIGITS` characters.

    Examples
    --------
    >>> parse_number("10"), parse_number("+10."), parse_number("1E2"), parse_number("abc")
    (10, 10.0, 100.0, None)
    >>> parse_number("nan"), parse_number("nan", special=False)
    (nan, None)
    >>> parse_number("9" * 65)
    Traceback (most recent call last):
    ...
    bayesdx.errors.LimitError: a number of 65 characters (9999999999...); the limit is 64 ...
    """
    if text[:1] not in _NUMBER_STARTS:  # no number starts so: no pattern needed
        return None
    if not _pattern("NUMBER" if special else "DECIMAL").match(text):
        return None
    if len(text) > MAX_DIGITS:
        raise too_long(text, where)
    return int(text) if _pattern("INTEGER").match(text) else float(text)


def is_finite_number(value: object) -> bool:
    """Whether a value read from a file is a finite int or float (not a bool, not text).

    Examples
    --------
    >>> is_finite_number(3), is_finite_number(0.5), is_finite_number(True)
    (True, True, False)
    >>> is_finite_number(float("nan")), is_finite_number("1"), is_finite_number(10**400)
    (False, False, False)
    """
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False
