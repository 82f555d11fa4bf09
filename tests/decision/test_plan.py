"""Plan conditions: each key, OR across a list, and leading diagnoses."""

from __future__ import annotations

import pytest

from bayesdx.decision import PlanContext, holds, leading_diagnoses
from bayesdx.model import Condition


@pytest.fixture
def ctx() -> PlanContext:
    return PlanContext(
        states={"hb": "lt_12", "setting": "biopsy_referral"},
        assumed=frozenset({"setting"}),
        distribution={"mm": 0.6, "rr": 0.4},
        groups={"neoplasm": 0.6},
        leading=("mm", "rr"),
        verdict="recommended",
        guideline="recommended",
        fired=("anaemia",),
    )


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        (None, True),
        (Condition(leading=("mm",)), True),
        (Condition(leading=("xx",)), False),
        (Condition(observed={"hb": ("lt_12",)}), True),
        (Condition(observed={"hb": ("ge_12",)}), False),
        (Condition(observed={"smear": ("normal",)}), False),
        (Condition(unobserved_any=("smear", "hb")), True),
        (Condition(unobserved_any=("hb",)), False),
        (Condition(assumed=("setting",)), True),
        (Condition(assumed=("hb",)), False),
        (Condition(p_at_least={"neoplasm": 0.6}), True),
        (Condition(p_at_least={"rr": 0.5}), False),
        (Condition(p_below={"neoplasm": 0.6}), False),
        (Condition(p_below={"rr": 0.5}), True),
        (Condition(verdict=("recommended",)), True),
        (Condition(verdict=("borderline",)), False),
        (Condition(guideline=("incomplete",)), False),
        (Condition(fired=("anaemia", "x")), True),
        (Condition(fired=("monocytosis",)), False),
        (Condition(leading=("mm",), verdict=("borderline",)), False),  # AND within a condition
    ],
)
def test_holds(ctx, cond, expected):
    assert holds(cond, ctx) is expected


def test_leading_always_has_the_top_one():
    assert leading_diagnoses({"a": 0.1, "b": 0.3, "c": 0.6}, 0.25) == ("c", "b")
    assert leading_diagnoses({"a": 0.01}, 0.5) == ("a",)


def test_list_of_conditions_is_or(tiny):
    from bayesdx.decision import recommend

    # borderline + guideline recommended -> the second alternative holds
    rec = recommend(tiny, {"symptom": "present", "test": "neg"}, draws=0)
    assert rec.policy.verdict(rec.p) == "not_recommended"
    assert rec.verdict == "consider"  # the symptom rule fired: the safety net lifts it
    assert "Biopsy: Biopsy now" not in rec.workup
    rec = recommend(tiny, {"test": "pos"})
    assert rec.verdict == "recommended" and "Biopsy: Biopsy now" in rec.workup
