"""The bundled network: fixed vocabulary, published base rates, pgmpy agreement, sanity."""

from __future__ import annotations

import numpy as np
import pytest

from bayesdx.inference import marginals, query
from bayesdx.io import check_model, variable_elimination
from bayesdx.model import normalise

from helpers import RECONVERSION

# shared/DESIGN.md "Fixed vocabulary": every id stays valid input, as a node state or through
# a legacy rule (the second edition splits smear into five film findings)
VOCABULARY = {
    "setting": ["biopsy_referral", "incidental"],
    "age": ["lt_40", "40_to_59", "ge_60"],
    "sex": ["female", "male"],
    "hb": ["ge_12", "lt_12"],
    "cytopenia": ["absent", "present"],
    "monocytosis": ["absent", "present"],
    "smear": ["normal", "dysplasia", "blasts", "rouleaux"],
    "constitutional": ["absent", "present"],
    "organomegaly": ["absent", "present"],
    "m_protein": ["absent", "present"],
    "calcium": ["normal", "high"],
    "renal": ["normal", "impaired"],
    "ldh": ["normal", "high"],
    "chemical_shift": ["drop", "retention"],
}
DIAGNOSES = [
    "multiple_myeloma",
    "b_all",
    "cmml",
    "mds",
    "metastasis",
    "red_marrow_reconversion",
    "marrow_edema",
    "infection_inflammation",
    "normal_variant",
]
NEOPLASMS = ["multiple_myeloma", "b_all", "cmml", "mds", "metastasis"]
BENIGN = ["red_marrow_reconversion", "marrow_edema", "infection_inflammation", "normal_variant"]
# added with the second edition (issue 12, DESIGN.md)
SECOND_EDITION_DIAGNOSES = [
    "aml",
    "cml",
    "mpn",
    "cll",
    "hairy_cell_leukaemia",
    "lymphoplasmacytic_lymphoma",
    "systemic_mastocytosis",
    "mgus",
    "smouldering_myeloma",
    "gaucher",
    "serous_atrophy",
    "iron_overload",
    "aplastic_anaemia",
    "treatment_reconversion",
    "haemolytic_reconversion",
]
# first-edition smear states and the film findings the second edition reads them as
SMEAR_READ_AS = {
    "normal": {
        "blasts": "absent",
        "dysplasia": "absent",
        "rouleaux": "absent",
        "leukoerythroblastic": "absent",
        "abnormal_monocytes": "absent",
    },
    "blasts": {"blasts": "present"},
    "dysplasia": {"dysplasia": "present", "blasts": "absent"},
    "rouleaux": {"rouleaux": "present", "blasts": "absent", "dysplasia": "absent"},
}


def test_fixed_vocabulary(marrow):
    for variable, states in VOCABULARY.items():
        for state in states:
            ev = normalise(marrow, {variable: state})
            if variable in marrow.states:  # still a node: the state is one of its states
                assert state in marrow.states[variable], (variable, state)
                assert ev.given[variable] == state and not ev.read_as
            else:  # read through a legacy rule, and the output says how
                assert ev.read_as and f"{variable}={state}" in ev.read_as, (variable, state)
                assert f"{variable}={state} -> " in str(ev)
                assert variable not in ev.given and set(ev.given) <= set(marrow.states)
    assert list(marrow.states["setting"]) == ["biopsy_referral", "incidental", "symptomatic"]
    for v in ("age", "sex", "hb", "cytopenia", "monocytosis", "m_protein", "chemical_shift"):
        assert list(marrow.states[v]) == VOCABULARY[v], v  # kept as nodes, states in order
    assert set(DIAGNOSES + SECOND_EDITION_DIAGNOSES) <= set(marrow.states["diagnosis"])
    assert marrow.spec.nodes["diagnosis"].role == "diagnosis"
    for v in ("setting", "age", "sex"):
        assert marrow.spec.nodes[v].role == "context"
    assert marrow.defaults["setting"] == "biopsy_referral"
    node, members = marrow.groups["neoplasm"]
    assert node == "diagnosis" and set(NEOPLASMS) <= set(members)
    assert not set(BENIGN) & set(members)
    _, benign = marrow.groups["benign"]  # the two groups split the diagnoses
    assert set(members) | set(benign) == set(marrow.states["diagnosis"])
    assert not set(members) & set(benign)


@pytest.mark.parametrize(("smear", "read_as"), list(SMEAR_READ_AS.items()))
def test_first_edition_smear_is_read_as_film_findings(marrow, smear, read_as):
    ev = normalise(marrow, {"smear": smear})
    assert ev.given == read_as
    # the same posterior as giving the film findings directly
    direct = query(marrow, read_as).groups["neoplasm"]
    assert query(marrow, {"smear": smear}).groups["neoplasm"] == pytest.approx(direct, abs=1e-12)
    assert "smear" not in marrow.states


def test_hb_is_read_against_both_cut_points(marrow):
    # WHO anaemia: < 12 g/dL in women, < 13 in men; hb keeps the first edition's single cut
    for raw, level, hb in [
        (11.9, "lt_12", "lt_12"),
        (12.0, "12_to_13", "ge_12"),
        (12.9, "12_to_13", "ge_12"),
        (13.0, "ge_13", "ge_12"),
    ]:
        ev = normalise(marrow, {"hb": raw})
        assert ev.given == {"hb_level": level, "hb": hb}, raw
        assert ev.raw == {"hb": raw}


@pytest.mark.parametrize(
    ("variable", "raw", "state"),
    [
        ("hb", 12.0, "ge_12"),
        ("hb", 11.9, "lt_12"),
        ("monocytosis", 1.0, "present"),
        ("monocytosis", 0.99, "absent"),
        ("age", 59, "40_to_59"),
        ("age", 60, "ge_60"),
    ],
)
def test_raw_cut_points(marrow, variable, raw, state):
    assert query(marrow, {variable: raw}).evidence.given[variable] == state


def test_prior_in_published_bands(marrow):
    referral = query(marrow).groups["neoplasm"]
    incidental = query(marrow, {"setting": "incidental"}).groups["neoplasm"]
    symptomatic = query(marrow, {"setting": "symptomatic"}).groups["neoplasm"]
    # every biopsy series pooled, neoplasms only: Spierings 5/15 (strict), Ann Diagn Pathol
    # 19/45, Arikan 3/42
    assert referral == pytest.approx((5 + 19 + 3) / (15 + 45 + 42), abs=1e-3)
    assert 0.05 <= incidental <= 0.10  # incidental cohorts: about 6-10%
    # imaged for pain, fever or abnormal counts: at least the incidental rate, at most the
    # referral series' 42-47% (expert, no series)
    assert incidental <= symptomatic <= 0.47


def test_passes_pgmpy_check_model(marrow):
    assert check_model(marrow)


def test_every_probability_is_sourced(marrow):
    for node in marrow.spec.nodes.values():
        for entry in node.cpt.entries():
            assert entry.sources, (node.id, entry.field)
            assert entry.uncertainty is not None, (node.id, entry.field)
            if entry.expert:
                assert entry.uncertainty.kind in ("range", "ess"), (node.id, entry.field)
                lo, hi = entry.uncertainty.interval()
                p = entry.p[entry.uncertainty.focus]
                if 0.0 < p < 1.0:  # wide: 0.15 on the probability scale or 4x on the odds
                    odds_ratio = (hi / (1 - hi)) / (lo / (1 - lo)) if lo > 0 and hi < 1 else 99
                    assert hi - lo >= 0.15 or odds_ratio >= 4, (node.id, entry.field, lo, hi)


def test_equals_pgmpy_variable_elimination(marrow, rng):
    findings = [v for v in marrow.variables if marrow.spec.nodes[v].role in ("finding", "context")]
    targets = ["diagnosis", "marrow_process", "disease_class"]
    for _ in range(12):
        chosen = rng.choice(findings, size=int(rng.integers(0, 7)), replace=False)
        case = {str(v): str(rng.choice(marrow.states[str(v)])) for v in chosen}
        case.setdefault("setting", "biopsy_referral")
        ours, _ = marginals(marrow, case, targets)
        ref = variable_elimination(marrow, case, targets)
        for t in targets:
            np.testing.assert_allclose(
                [ours[t][s] for s in marrow.states[t]],
                [ref[t][s] for s in marrow.states[t]],
                rtol=0,
                atol=1e-12,
            )


def test_classic_myeloma(marrow):
    post = query(
        marrow,
        {
            "hb": 9.6,
            "m_protein": "present",
            "smear": "rouleaux",
            "calcium": 11.8,
            "chemical_shift": "retention",
            "age": 68,
        },
    )
    assert post.ranked()[0][0] == "multiple_myeloma"
    assert post.groups["neoplasm"] > 0.9


def test_reconversion_in_young_obese_smoker(marrow):
    post = query(marrow, RECONVERSION)
    assert post.ranked()[0][0] == "red_marrow_reconversion"
    assert post.groups["neoplasm"] < 0.2


def test_cmml_pattern(marrow):
    post = query(
        marrow, {"monocytosis": 2.4, "smear": "dysplasia", "age": 72, "sex": "male", "hb": 10.5}
    )
    assert post.ranked()[0][0] == "cmml"


def test_chemical_shift_drop_lowers_neoplasm(marrow):
    drop = query(marrow, {"chemical_shift": "drop"}).groups["neoplasm"]
    retention = query(marrow, {"chemical_shift": "retention"}).groups["neoplasm"]
    assert drop < query(marrow).groups["neoplasm"] < retention
