"""Evaluate the rule-based work-up ("proceed to biopsy if ANY of ...") on a case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bayesdx.decision._results import GuidelineResult
from bayesdx.errors import ArgumentError
from bayesdx.model import Guideline

if TYPE_CHECKING:
    pass

__all__ = ["evaluate_guideline"]


def evaluate_guideline(guideline: Guideline, states: Mapping[str, str]) -> GuidelineResult:
    """Apply each rule to the observed states.

    Examples
    --------
    >>> from bayesdx.model import Guideline, Rule
    >>> g = Guideline("biopsy if any", (Rule("anaemia", "Hb < 12", {"hb": ("lt_12",)}),
    ...                                 Rule("mprot", "M-protein", {"m_protein": ("present",)})))
    >>> evaluate_guideline(g, {"hb": "lt_12"}).verdict
    'recommended'
    >>> evaluate_guideline(g, {"hb": "ge_12"}).verdict
    'incomplete'
    >>> evaluate_guideline(g, {"hb": "ge_12", "m_protein": "absent"}).verdict
    'not_recommended'
    >>> evaluate_guideline(g, "hb=lt_12")
    Traceback (most recent call last):
    ...
    bayesdx.errors.ArgumentError: states must be a mapping of variables to states ... got str
    """
    if not isinstance(states, Mapping):
        raise ArgumentError(
            "states must be a mapping of variables to states (for example {'hb': 'lt_12'}), "
            f"got {type(states).__name__}"
        )
    fired = tuple(
        r.id
        for r in guideline.rules
        if any(states.get(v) in allowed for v, allowed in r.any.items())
    )
    watched = list(dict.fromkeys(v for r in guideline.rules for v in r.any))
    missing = tuple(v for v in watched if v not in states)
    verdict = "recommended" if fired else ("incomplete" if missing else "not_recommended")
    return GuidelineResult(
        fired=fired,
        labels={r.id: r.label for r in guideline.rules},
        verdict=verdict,
        missing=missing,
        title=guideline.title,
    )
