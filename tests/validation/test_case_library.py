"""The case library of published patients: every case cited, readable, and in the vocabulary.

The cases measure the network; no number in a network file is set from them. This checks
the files themselves (a citation, the MRI pattern, findings the bundled network can read, a
final diagnosis from the fixed vocabulary), not the network's answers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bayesdx import normalise

from helpers import ROOT

FOLDER = ROOT / "calibration" / "cases"
CASES = sorted(FOLDER.glob("*.yaml"))

# shared/DESIGN.md: first edition and the second edition's additions
VOCABULARY = {
    "multiple_myeloma", "b_all", "cmml", "mds", "metastasis", "lymphoma",
    "other_myeloid_neoplasm", "red_marrow_reconversion", "marrow_edema",
    "infection_inflammation", "normal_variant", "aml", "cml", "mpn", "cll",
    "hairy_cell_leukaemia", "lymphoplasmacytic_lymphoma", "systemic_mastocytosis", "mgus",
    "smouldering_myeloma", "gaucher", "serous_atrophy", "iron_overload", "aplastic_anaemia",
    "treatment_reconversion", "haemolytic_reconversion",
}  # fmt: skip
REQUIRED = {"id", "source", "mri", "findings", "final_diagnosis", "diagnosis_as_reported"}


def _load(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_vocabulary_covers_the_bundled_diagnoses(marrow):
    assert set(marrow.states["diagnosis"]) <= VOCABULARY


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_file(path, marrow):
    case = _load(path)
    assert isinstance(case, dict) and REQUIRED <= set(case), sorted(REQUIRED - set(case))
    assert case["id"] == path.stem
    source = case["source"]
    assert source.get("authors") and source.get("title") and source.get("journal")
    assert isinstance(source.get("year"), int) and 1950 <= source["year"] <= 2026
    assert source.get("doi") or source.get("url"), "a DOI or the URL where it was read"
    if source.get("doi"):
        assert str(source["doi"]).startswith("10."), source["doi"]
    assert case["mri"]["pattern"] in ("diffuse", "heterogeneous")
    assert case["final_diagnosis"] in VOCABULARY
    findings = case["findings"] or {}
    normalise(marrow, findings)  # every finding is a variable with a valid state or value


def test_ids_are_unique():
    ids = [_load(p)["id"] for p in CASES]
    assert len(ids) == len(set(ids))
