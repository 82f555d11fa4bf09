"""Evaluate the plan items of a network's decision section for one case.

No clinical logic lives here: each item's condition is data (``when`` in the network file),
and this module only checks conditions against the case and the posterior.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bayesdx.model import Condition, DecisionSpec, PlanItem

__all__ = ["Plan", "PlanContext", "build_plan", "holds", "leading_diagnoses"]


@dataclass(frozen=True)
class PlanContext:
    """What a condition can look at."""

    states: Mapping[str, str]
    assumed: frozenset[str]
    distribution: Mapping[str, float]
    groups: Mapping[str, float]
    leading: tuple[str, ...]
    verdict: str
    guideline: str | None = None
    fired: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """The plan lines that apply to a case."""

    workup: tuple[str, ...] = ()
    biopsy_protocol: tuple[str, ...] = ()
    management: tuple[str, ...] = ()
    surveillance: tuple[str, ...] = ()
    pitfalls: tuple[str, ...] = ()
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)


def leading_diagnoses(distribution: Mapping[str, float], leading_min: float) -> tuple[str, ...]:
    """The most probable diagnosis, and every other one at or above ``leading_min``.

    Examples
    --------
    >>> leading_diagnoses({"a": 0.6, "b": 0.25, "c": 0.15}, 0.2)
    ('a', 'b')
    >>> leading_diagnoses({"a": 0.05, "b": 0.04}, 0.2)
    ('a',)
    """
    ranked = sorted(distribution.items(), key=lambda kv: -kv[1])
    return tuple(s for i, (s, p) in enumerate(ranked) if i == 0 or p >= leading_min)


def _p(ctx: PlanContext, name: str) -> float:
    return ctx.groups[name] if name in ctx.groups else ctx.distribution[name]


def holds(cond: Condition | None, ctx: PlanContext) -> bool:
    """Whether every part of a condition holds (no condition: always)."""
    if cond is None:
        return True
    checks = [
        not cond.leading or any(s in ctx.leading for s in cond.leading),
        all(ctx.states.get(v) in allowed for v, allowed in cond.observed.items()),
        not cond.unobserved_any or any(v not in ctx.states for v in cond.unobserved_any),
        all(v in ctx.assumed for v in cond.assumed),
        all(_p(ctx, n) >= p for n, p in cond.p_at_least.items()),
        all(_p(ctx, n) < p for n, p in cond.p_below.items()),
        not cond.verdict or ctx.verdict in cond.verdict,
        not cond.guideline or ctx.guideline in cond.guideline,
        not cond.fired or any(r in ctx.fired for r in cond.fired),
    ]
    return all(checks)


def _lines(items: tuple[PlanItem, ...], ctx: PlanContext) -> tuple[str, ...]:
    return tuple(
        item.text for item in items if not item.when or any(holds(c, ctx) for c in item.when)
    )


def build_plan(decision: DecisionSpec, ctx: PlanContext) -> Plan:
    """The work-up still to order and the plan lines whose conditions hold."""
    workup, missing = [], {}
    for item in decision.workup:
        gaps = tuple(v for v in item.findings if v not in ctx.states)
        if gaps:
            missing[item.id] = gaps
            workup.append(f"{item.label} (not yet known: {', '.join(gaps)})")
    return Plan(
        workup=tuple(workup),
        biopsy_protocol=_lines(decision.biopsy_protocol, ctx),
        management=_lines(decision.management, ctx),
        surveillance=_lines(decision.surveillance, ctx),
        pitfalls=_lines(decision.pitfalls, ctx),
        missing=missing,
    )
