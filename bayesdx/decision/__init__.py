"""Decisions: threshold policies, guideline rules, the work-up plan, next tests, the biopsy
recommendation."""

from __future__ import annotations

from bayesdx.decision._guideline import (
    evaluate_guideline,
)
from bayesdx.decision._next_test import (
    entropy,
    rank_next_tests,
)
from bayesdx.decision._plan import (
    Plan,
    PlanContext,
    build_plan,
    holds,
    leading_diagnoses,
)
from bayesdx.decision._policy import (
    POLICY_KINDS,
    Policy,
    PolicyKind,
    as_policy,
    default_policy,
    no_decision_error,
    resolve_policy,
    safety_net,
)
from bayesdx.decision._recommend import (
    recommend,
)
from bayesdx.decision._results import (
    GuidelineResult,
    NextTest,
    Outcome,
    Recommendation,
    VerdictShares,
)

__all__ = [
    "POLICY_KINDS",
    "GuidelineResult",
    "NextTest",
    "Outcome",
    "Plan",
    "PlanContext",
    "Policy",
    "PolicyKind",
    "Recommendation",
    "VerdictShares",
    "as_policy",
    "build_plan",
    "default_policy",
    "entropy",
    "evaluate_guideline",
    "holds",
    "leading_diagnoses",
    "no_decision_error",
    "rank_next_tests",
    "recommend",
    "resolve_policy",
    "safety_net",
]
