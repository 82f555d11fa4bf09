"""Decisions: threshold policies, guideline rules, the work-up plan, next tests, the biopsy
recommendation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bayesdx._lazy import attach

if TYPE_CHECKING:  # the names below load on first use (bayesdx._lazy)
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

_LAZY = {
    "evaluate_guideline": "bayesdx.decision._guideline",
    "entropy": "bayesdx.decision._next_test",
    "rank_next_tests": "bayesdx.decision._next_test",
    "Plan": "bayesdx.decision._plan",
    "PlanContext": "bayesdx.decision._plan",
    "build_plan": "bayesdx.decision._plan",
    "holds": "bayesdx.decision._plan",
    "leading_diagnoses": "bayesdx.decision._plan",
    "POLICY_KINDS": "bayesdx.decision._policy",
    "Policy": "bayesdx.decision._policy",
    "PolicyKind": "bayesdx.decision._policy",
    "as_policy": "bayesdx.decision._policy",
    "default_policy": "bayesdx.decision._policy",
    "no_decision_error": "bayesdx.decision._policy",
    "resolve_policy": "bayesdx.decision._policy",
    "safety_net": "bayesdx.decision._policy",
    "recommend": "bayesdx.decision._recommend",
    "GuidelineResult": "bayesdx.decision._results",
    "NextTest": "bayesdx.decision._results",
    "Outcome": "bayesdx.decision._results",
    "Recommendation": "bayesdx.decision._results",
    "VerdictShares": "bayesdx.decision._results",
}

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

__getattr__, __dir__ = attach(__name__, _LAZY)
