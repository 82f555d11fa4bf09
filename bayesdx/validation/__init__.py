"""Validation: literature targets (calibration), the case library, simulated cohorts, metrics,
reports."""

from __future__ import annotations

from bayesdx.io import Case, default_cases_path, load_cases
from bayesdx.validation._cases import (
    validate_cases,
)
from bayesdx.validation._cohort import (
    observed_variables,
    score,
    simulate,
)
from bayesdx.validation._local import (
    MIN_EVENTS,
    CohortValidation,
    calibration_intercept,
    calibration_slope,
    validate_cohort,
)
from bayesdx.validation._local_report import (
    write_cohort_report,
)
from bayesdx.validation._metrics import (
    Validation,
    net_benefit,
    validate,
)
from bayesdx.validation._report import (
    CohortStudy,
    cohort_study,
    write_report,
)
from bayesdx.validation._results import (
    CalibrationReport,
    CaseResult,
    CaseValidation,
    DecisionCurve,
    TargetResult,
)
from bayesdx.validation._targets import (
    Target,
    calibrate,
    default_targets_path,
    load_targets,
    model_value,
)

__all__ = [
    "MIN_EVENTS",
    "CalibrationReport",
    "Case",
    "CaseResult",
    "CaseValidation",
    "CohortStudy",
    "CohortValidation",
    "DecisionCurve",
    "Target",
    "TargetResult",
    "Validation",
    "calibrate",
    "calibration_intercept",
    "calibration_slope",
    "cohort_study",
    "default_cases_path",
    "default_targets_path",
    "load_cases",
    "load_targets",
    "model_value",
    "net_benefit",
    "observed_variables",
    "score",
    "simulate",
    "validate",
    "validate_cases",
    "validate_cohort",
    "write_cohort_report",
    "write_report",
]
