"""Validation: literature targets (calibration), the case library, simulated cohorts, metrics,
reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bayesdx._lazy import attach

if TYPE_CHECKING:  # the names below load on first use (bayesdx._lazy)
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

_LAZY = {
    "Case": "bayesdx.io",
    "default_cases_path": "bayesdx.io",
    "load_cases": "bayesdx.io",
    "validate_cases": "bayesdx.validation._cases",
    "observed_variables": "bayesdx.validation._cohort",
    "score": "bayesdx.validation._cohort",
    "simulate": "bayesdx.validation._cohort",
    "MIN_EVENTS": "bayesdx.validation._local",
    "CohortValidation": "bayesdx.validation._local",
    "calibration_intercept": "bayesdx.validation._local",
    "calibration_slope": "bayesdx.validation._local",
    "validate_cohort": "bayesdx.validation._local",
    "write_cohort_report": "bayesdx.validation._local_report",
    "Validation": "bayesdx.validation._metrics",
    "net_benefit": "bayesdx.validation._metrics",
    "validate": "bayesdx.validation._metrics",
    "CohortStudy": "bayesdx.validation._report",
    "cohort_study": "bayesdx.validation._report",
    "write_report": "bayesdx.validation._report",
    "CalibrationReport": "bayesdx.validation._results",
    "CaseResult": "bayesdx.validation._results",
    "CaseValidation": "bayesdx.validation._results",
    "DecisionCurve": "bayesdx.validation._results",
    "TargetResult": "bayesdx.validation._results",
    "Target": "bayesdx.validation._targets",
    "calibrate": "bayesdx.validation._targets",
    "default_targets_path": "bayesdx.validation._targets",
    "load_targets": "bayesdx.validation._targets",
    "model_value": "bayesdx.validation._targets",
}

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

__getattr__, __dir__ = attach(__name__, _LAZY)
