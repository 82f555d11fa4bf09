"""Sensitivity analyses: one-way (per parameter), prior sweep, probabilistic (PSA)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bayesdx._lazy import attach

if TYPE_CHECKING:  # the names below load on first use (bayesdx._lazy)
    from bayesdx.sensitivity_analysis._oneway import (
        prior_sweep,
        sensitivity,
        sensitivity_function,
        sensitivity_functions,
    )
    from bayesdx.sensitivity_analysis._psa import (
        uncertainty,
    )
    from bayesdx.sensitivity_analysis._results import (
        OneWay,
        PriorPoint,
        SensitivityReport,
        UncertaintyReport,
    )

_LAZY = {
    "prior_sweep": "bayesdx.sensitivity_analysis._oneway",
    "sensitivity": "bayesdx.sensitivity_analysis._oneway",
    "sensitivity_function": "bayesdx.sensitivity_analysis._oneway",
    "sensitivity_functions": "bayesdx.sensitivity_analysis._oneway",
    "uncertainty": "bayesdx.sensitivity_analysis._psa",
    "OneWay": "bayesdx.sensitivity_analysis._results",
    "PriorPoint": "bayesdx.sensitivity_analysis._results",
    "SensitivityReport": "bayesdx.sensitivity_analysis._results",
    "UncertaintyReport": "bayesdx.sensitivity_analysis._results",
}

__all__ = [
    "OneWay",
    "PriorPoint",
    "SensitivityReport",
    "UncertaintyReport",
    "prior_sweep",
    "sensitivity",
    "sensitivity_function",
    "sensitivity_functions",
    "uncertainty",
]

__getattr__, __dir__ = attach(__name__, _LAZY)
