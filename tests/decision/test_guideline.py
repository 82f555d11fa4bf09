"""The rule-based work-up: each rule of the marrow network fires on its own finding."""

from __future__ import annotations

import pytest

from bayesdx.decision import evaluate_guideline

RULES = [
    ("unexplained_cytopenia", {"cytopenia": "present"}),
    ("anaemia", {"hb": "lt_12"}),
    ("monocytosis", {"monocytosis": "present"}),
    ("abnormal_smear", {"smear": "dysplasia"}),
    ("abnormal_smear", {"smear": "blasts"}),
    ("abnormal_smear", {"smear": "rouleaux"}),
    ("constitutional_or_organomegaly", {"constitutional": "present"}),
    ("constitutional_or_organomegaly", {"organomegaly": "present"}),
    ("monoclonal_protein", {"m_protein": "present"}),
    ("calcium_or_renal", {"calcium": "high"}),
    ("calcium_or_renal", {"renal": "impaired"}),
]
NORMAL = {
    "cytopenia": "absent",
    "hb": "ge_12",
    "monocytosis": "absent",
    "smear": "normal",
    "constitutional": "absent",
    "organomegaly": "absent",
    "m_protein": "absent",
    "calcium": "normal",
    "renal": "normal",
}


@pytest.mark.parametrize(("rule", "finding"), RULES)
def test_each_rule_fires_alone(marrow, rule, finding):
    result = evaluate_guideline(marrow.spec.decision.guideline, {**NORMAL, **finding})
    assert result.fired == (rule,)
    assert result.verdict == "recommended"


def test_all_normal_is_not_recommended(marrow):
    result = evaluate_guideline(marrow.spec.decision.guideline, NORMAL)
    assert (result.fired, result.verdict, result.missing) == ((), "not_recommended", ())


def test_missing_results_make_it_incomplete(marrow):
    partial = {k: v for k, v in NORMAL.items() if k not in ("smear", "renal")}
    result = evaluate_guideline(marrow.spec.decision.guideline, partial)
    assert result.verdict == "incomplete"
    assert result.missing == ("smear", "renal")
    assert result.to_dict() == {"fired": [], "verdict": "incomplete", "missing": ["smear", "renal"]}
