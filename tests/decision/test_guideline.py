"""The rule-based work-up: each rule of the marrow network fires on its own finding."""

from __future__ import annotations

import pytest

from bayesdx.decision import evaluate_guideline, recommend

RULES = [
    ("unexplained_cytopenia", {"cytopenia": "present"}),
    ("anaemia", {"hb": "lt_12"}),
    ("monocytosis", {"monocytosis": "present"}),
    ("abnormal_smear", {"blasts": "present"}),
    ("abnormal_smear", {"dysplasia": "present"}),
    ("abnormal_smear", {"rouleaux": "present"}),
    ("abnormal_smear", {"leukoerythroblastic": "present"}),
    ("abnormal_smear", {"abnormal_monocytes": "present"}),
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
    # the second edition's film findings (the first edition's single smear node, split)
    "blasts": "absent",
    "dysplasia": "absent",
    "rouleaux": "absent",
    "leukoerythroblastic": "absent",
    "abnormal_monocytes": "absent",
    "constitutional": "absent",
    "organomegaly": "absent",
    "m_protein": "absent",
    "calcium": "normal",
    "renal": "normal",
}

FILM = ("blasts", "dysplasia", "rouleaux", "leukoerythroblastic", "abnormal_monocytes")
# the same normal panel in first-edition words
NORMAL_FIRST_EDITION = {
    **{k: v for k, v in NORMAL.items() if k not in FILM},
    "smear": "normal",
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
    partial = {k: v for k, v in NORMAL.items() if k not in ("rouleaux", "renal")}
    result = evaluate_guideline(marrow.spec.decision.guideline, partial)
    assert result.verdict == "incomplete"
    assert result.missing == ("rouleaux", "renal")
    assert result.to_dict() == {
        "fired": [],
        "verdict": "incomplete",
        "missing": ["rouleaux", "renal"],
    }


def test_every_film_finding_is_watched(marrow):
    # the abnormal-smear rule fires on each of the five film findings of the second edition
    (rule,) = [r for r in marrow.spec.decision.guideline.rules if r.id == "abnormal_smear"]
    assert rule.any == {f: ("present",) for f in FILM}


@pytest.mark.parametrize(
    ("first_edition", "rule"),
    [
        ({"smear": "blasts"}, "abnormal_smear"),
        ({"smear": "dysplasia"}, "abnormal_smear"),
        ({"smear": "rouleaux"}, "abnormal_smear"),
        ({"hb": "lt_12"}, "anaemia"),
        ({"hb": 10.4}, "anaemia"),
    ],
)
def test_first_edition_inputs_fire_their_rule(marrow, first_edition, rule):
    # read by the legacy rules (or hb's definition), a first-edition input fires its rule
    rec = recommend(marrow, {**NORMAL_FIRST_EDITION, **first_edition}, draws=0)
    assert rec.guideline.fired == (rule,)
    assert rec.verdict != "not_recommended"


@pytest.mark.parametrize("hb", ["lt_12", 9.9])
def test_anaemia_given_on_hb_level_fires_the_rule(marrow, hb):
    # hb_level = lt_12 is the finding hb = lt_12 is defined from: the rule must see it
    normal = {**NORMAL, "setting": "incidental", "chemical_shift": "drop"}
    del normal["hb"]
    case = {**normal, "hb_level": hb}
    rec = recommend(marrow, case, draws=0)
    assert rec.guideline.fired == ("anaemia",) and rec.guideline.verdict == "recommended"
    assert rec.verdict != "not_recommended"
    same = recommend(marrow, {**normal, "hb": "lt_12"}, draws=0)
    assert (rec.p, rec.verdict) == (pytest.approx(same.p, abs=1e-15), same.verdict)
    # a normal hb_level is a normal hb for the rules: the panel is complete
    rec = recommend(marrow, {**normal, "hb_level": "ge_13"}, draws=0)
    assert rec.guideline.fired == () and rec.guideline.verdict == "not_recommended"
