"""Sensitivity analyses: one-way (per parameter), prior sweep, probabilistic (PSA)."""

from __future__ import annotations

from bayesdx.sensitivity_analysis._oneway import (
    OneWay,
    PriorPoint,
    SensitivityReport,
    prior_sweep,
    sensitivity,
    sensitivity_function,
)
from bayesdx.sensitivity_analysis._psa import (
    UncertaintyReport,
    uncertainty,
)

__all__ = [
    "OneWay",
    "PriorPoint",
    "SensitivityReport",
    "UncertaintyReport",
    "prior_sweep",
    "sensitivity",
    "sensitivity_function",
    "uncertainty",
]
