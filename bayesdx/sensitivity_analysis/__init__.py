"""Sensitivity analyses: one-way (per parameter), prior sweep, probabilistic (PSA)."""

from __future__ import annotations

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
