"""Validation on the case library: each case's rank, P(neoplasm) and verdict, and the summary.

The answers are recomputed independently with bayesdx.query on a bundled case, and known by
hand on a small synthetic library over the tiny network (P(d1) = 0.3, P(pos | d1) = 0.9,
P(pos | d2) = 0.2; the decision acts on the group sick = {d1} with the band 0.4-0.5).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import bayesdx
from bayesdx.decision import default_policy, safety_net
from bayesdx.errors import CaseFileError, PolicyError
from bayesdx.validation import (
    CaseValidation,
    default_cases_path,
    load_cases,
    validate_cases,
)

from helpers import ROOT

FOLDER = ROOT / "calibration" / "cases"


def _write(folder: Path, case_id: str, findings: dict, diagnosis: str, **extra) -> None:
    doc = {
        "id": case_id,
        "source": {"authors": "Doe J", "title": "A case", "journal": "J Test", "year": 2020,
                   "doi": "10.1/x", "url": None},
        "mri": {"pattern": "diffuse", "description": "made up for a test"},
        "findings": findings,
        "final_diagnosis": diagnosis,
        "diagnosis_as_reported": diagnosis,
        **extra,
    }  # fmt: skip
    (folder / f"{case_id}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Five cases with answers known by hand (see the module docstring)."""
    _write(tmp_path, "a_sick_pos", {"test": "pos"}, "d1")  # P(d1) 0.27/0.41: rank 1
    _write(tmp_path, "b_sick_neg", {"test": 4.0}, "d1")  # raw value below the cut: neg
    _write(tmp_path, "c_well_neg", {"test": "neg"}, "d2")  # rank 1, sick refused: right
    _write(
        tmp_path,
        "d_well_unread",
        {"test": "pos", "colour": "blue", "symptom": "sometimes"},
        "d2",
        setting="symptomatic",  # tiny has no setting node: unread, not an error
    )
    _write(tmp_path, "e_not_in_network", {"test": "pos"}, "gaucher")
    return tmp_path


def test_bundled_folder_is_the_checkouts():
    """The bundled library (the checkout's folder, or its copy in an install) is the same
    files, byte for byte."""
    bundled = {p.name: p.read_bytes() for p in default_cases_path().glob("*.yaml")}
    assert bundled == {p.name: p.read_bytes() for p in FOLDER.glob("*.yaml")}
    cases = load_cases()
    assert [c.id for c in cases] == sorted(p.stem for p in FOLDER.glob("*.yaml"))
    assert len(cases) >= 14


def test_one_case_recomputed_with_query(marrow):
    result = validate_cases(marrow)
    case = next(c for c in load_cases() if c.id == "kalkan_2016_myeloma")
    got = next(r for r in result.cases if r.id == case.id)
    evidence = dict(case.findings)
    if case.setting in marrow.states.get("setting", ()):
        evidence["setting"] = case.setting
    post = bayesdx.query(marrow, evidence, targets="diagnosis")["diagnosis"]
    node, members = marrow.groups["neoplasm"]
    assert node == "diagnosis"
    order = sorted(post, key=post.__getitem__, reverse=True)
    assert got.rank == order.index(case.final_diagnosis) + 1
    assert got.p_neoplasm == pytest.approx(sum(post[s] for s in members), abs=1e-12)
    assert got.leading == order[0]
    # the second edition's verdicts: the band, the harm/benefit floor (consider), the safety net
    assert got.verdict in ("recommended", "borderline", "consider", "not_recommended")
    policy = default_policy(marrow, bayesdx.resolve_hypothesis(marrow))
    assert policy is not None
    assert got.verdict == safety_net(policy.verdict(got.p_neoplasm), got.red_flags)


def test_summary_on_a_known_library(tiny, library):
    result = validate_cases(tiny, library)
    by_id = {c.id: c for c in result.cases}
    a, b = by_id["a_sick_pos"], by_id["b_sick_neg"]
    assert a.rank == 1 and a.p_neoplasm == pytest.approx(0.27 / 0.41)
    assert a.verdict == "recommended" and a.red_flags == ("positive_test",)
    assert b.rank == 2 and b.p_neoplasm == pytest.approx(0.03 / 0.59)
    assert b.verdict == "not_recommended" and b.red_flags == ()
    assert by_id["c_well_neg"].rank == 1
    assert by_id["d_well_unread"].rank == 2
    assert by_id["e_not_in_network"].rank is None
    assert by_id["e_not_in_network"].p_neoplasm == pytest.approx(0.27 / 0.41)
    s = result.summary()
    assert s["n"] == 5 and s["ranked"] == 4
    assert s["top1"] == pytest.approx(2 / 4) and s["top3"] == pytest.approx(4 / 4)
    assert s["neoplasms"] == 2 and s["neoplasms_not_refused"] == pytest.approx(1 / 2)
    assert s["not_in_network"] == ["e_not_in_network"]
    assert s["red_flags"] == 3  # a, d and e: test=pos
    assert s["neoplasms_red_flag_refused"] == [] and s["impossible"] == []
    assert (result.top1, result.top3) == (s["top1"], s["top3"])


def test_unread_findings_are_listed_not_raised(tiny, library):
    result = validate_cases(tiny, library)
    d = next(c for c in result.cases if c.id == "d_well_unread")
    assert d.unread == ("colour=blue", "symptom=sometimes", "setting=symptomatic")
    # the readable finding still counts: the same answer as the case without the others
    alone = bayesdx.query(tiny, {"test": "pos"})["disease"]["d1"]
    assert d.p_neoplasm == pytest.approx(alone)
    assert "d_well_unread: colour=blue, symptom=sometimes, setting=symptomatic" in str(result)
    assert result.summary()["unread_findings"] == 3


def test_impossible_case_is_listed_not_raised(tiny_doc, tmp_path):
    tiny_doc["nodes"][2]["cpt"]["table"][1].update({"p": {"pos": 0.0}, "range": [0.0, 0.1]})
    (tmp_path / "net.yaml").write_text(yaml.safe_dump(tiny_doc))
    net = bayesdx.load_network(tmp_path / "net.yaml")
    folder = tmp_path / "cases"
    folder.mkdir()
    _write(folder, "impossible", {"disease": "d2", "test": "pos"}, "d1")
    _write(folder, "fine", {"test": "pos"}, "d1")
    result = validate_cases(net, folder)
    bad = next(c for c in result.cases if c.id == "impossible")
    assert bad.impossible and bad.rank is None and bad.verdict is None
    s = result.summary()
    assert s["impossible"] == ["impossible"]
    assert s["n"] == 2 and s["ranked"] == 1 and s["neoplasms"] == 1
    assert "Impossible evidence (left out): impossible" in str(result)


def test_json_shape(marrow):
    result = validate_cases(marrow)
    doc = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert set(doc) == {"cases", "summary", "disclaimer"}
    assert doc["disclaimer"] == bayesdx.DISCLAIMER
    assert len(doc["cases"]) == result.n
    for case in doc["cases"]:
        assert set(case) == {"id", "source", "true_diagnosis", "rank", "p_neoplasm", "verdict",
                             "unread"}  # fmt: skip
        assert case["source"]
        assert case["rank"] is None or case["rank"] >= 1
        assert isinstance(case["unread"], list)
    summary = doc["summary"]
    assert {"n", "top1", "top3", "neoplasms", "neoplasms_not_refused"} <= set(summary)
    for share in ("top1", "top3", "neoplasms_not_refused"):
        assert summary[share] is None or 0 <= summary[share] <= 1


def test_report_says_the_cases_set_no_number(marrow):
    result = validate_cases(marrow)
    assert isinstance(result, CaseValidation)
    assert "none was used to set a number" in str(result)
    assert "never used to set a number" in (validate_cases.__doc__ or "")


def test_no_cases_gives_no_shares(tiny, tmp_path):
    s = validate_cases(tiny, tmp_path).summary()
    assert s["n"] == 0 and s["top1"] is None and s["neoplasms_not_refused"] is None


def test_cases_as_a_list(tiny, library):
    cases = load_cases(library)[:2]
    assert [c.id for c in validate_cases(tiny, cases).cases] == ["a_sick_pos", "b_sick_neg"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: x\n", "missing required field source"),
        ("- a\n", "expected a mapping"),
        ("id: x\nsource: s\nfindings: {}\nfinal_diagnosis: d1\n", "source: expected a mapping"),
        (
            "id: x\nsource: {authors: a}\nfindings: [1]\nfinal_diagnosis: d1\n",
            "findings: expected a mapping",
        ),
        ("id: x\nsource: {authors: a}\nfindings:\nfinal_diagnosis: 3\n", "final_diagnosis"),
        ("id: [\n", "case file"),
    ],
)
def test_malformed_case_file(tmp_path, text, message):
    (tmp_path / "x.yaml").write_text(text)
    with pytest.raises(CaseFileError, match=message):
        load_cases(tmp_path)


def test_duplicate_ids_and_missing_folder(tmp_path):
    _write(tmp_path, "one", {}, "d1")
    (tmp_path / "two.yaml").write_text((tmp_path / "one.yaml").read_text())
    with pytest.raises(CaseFileError, match="have the same id one"):
        load_cases(tmp_path)
    with pytest.raises(CaseFileError, match="not a folder"):
        load_cases(tmp_path / "nowhere")


def test_network_without_decision(tiny_doc, tmp_path):
    del tiny_doc["decision"]
    (tmp_path / "net.yaml").write_text(yaml.safe_dump(tiny_doc))
    with pytest.raises(PolicyError, match="no decision section"):
        validate_cases(bayesdx.load_network(tmp_path / "net.yaml"), tmp_path)
