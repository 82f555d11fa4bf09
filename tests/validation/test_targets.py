"""Calibration targets: computed by inference, and every bundled target passes."""

from __future__ import annotations

import pytest
import yaml

from bayesdx.errors import NetworkFileError
from bayesdx.inference import query
from bayesdx.io import entry_rows
from bayesdx.validation import calibrate, default_targets_path, load_targets, model_value

from helpers import ROOT

REPORT = ROOT / "calibration" / "report.md"


def test_every_bundled_target_passes(marrow):
    report = calibrate(marrow)
    assert report.failed == 0, str(report)
    assert report.passed >= 8


def test_values_are_inference_not_tables(marrow):
    (t,) = [t for t in load_targets(marrow, default_targets_path()) if t.id == "mm_spep_spike"]
    # P(spike | MM) = P(m_protein | MM) * P(spike | m_protein): two tables, one inference
    p_m = query(marrow, {"diagnosis": "multiple_myeloma"}, targets="m_protein")["m_protein"][
        "present"
    ]
    assert model_value(marrow, t) == pytest.approx(p_m * 0.882, abs=1e-12)


def test_mixed_given_is_weighted(marrow):
    (t,) = [
        t
        for t in load_targets(marrow, default_targets_path())
        if t.id == "chemical_shift_sensitivity"
    ]
    given = t.given["diagnosis"]
    weights = query(marrow)["diagnosis"]
    num = sum(
        weights[d]
        * query(marrow, {"diagnosis": d}, targets="chemical_shift")["chemical_shift"]["retention"]
        for d in given
    )
    assert model_value(marrow, t) == pytest.approx(num / sum(weights[d] for d in given))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"event": {"hb": "low"}}, "'low' is not a state or group of hb"),
        ({"source": "nobody2020"}, "unknown source 'nobody2020'"),
        ({"interval": {"counts": [5, 3]}}, "expected counts [k, n] with 0 <= k <= n"),
        ({"interval": {"guess": 1}}, "expected {counts: [k, n]} or {range: [lo, hi]}"),
        ({"colour": "red"}, "unknown key"),
        ({"use": "tuned"}, "expected one of set, held_out .was a number of the network set"),
        ({"use": None}, "expected one of set, held_out"),
    ],
)
def test_bad_targets(marrow, tmp_path, change, message):
    doc = yaml.safe_load(default_targets_path().read_text())
    doc["targets"] = [{**doc["targets"][0], **change}]
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(
        NetworkFileError,
        match=message.replace("[", r"\[")
        .replace("]", r"\]")
        .replace("{", r"\{")
        .replace("}", r"\}"),
    ):
        load_targets(marrow, path)


def test_a_target_without_use_is_refused(marrow, tmp_path):
    doc = yaml.safe_load(default_targets_path().read_text())
    target = doc["targets"][0]
    del target["use"]
    doc["targets"] = [target]
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(NetworkFileError) as info:
        load_targets(marrow, path)
    message = str(info.value)
    assert "referral_yield" in message and ".use" in message
    assert "missing required field; valid: set, held_out" in message


def _cited(network) -> set[str]:
    """Every source some entry of the network (or its decision band) cites."""
    cited = {s for v in network.variables for _, e in entry_rows(network, v) for s in e.sources}
    if network.spec.decision is not None:
        cited |= set(network.spec.decision.band_sources)
    return cited


def test_every_bundled_target_says_its_use_truthfully(marrow):
    """``set`` only for a figure whose source the network cites; ``held_out`` only for one it
    does not. (The second edition cites every source the targets name, so none is held out
    today; the case library measures the network instead.)"""
    targets = load_targets(marrow, default_targets_path())
    cited = _cited(marrow)
    assert {t.use for t in targets} <= {"set", "held_out"}
    for t in targets:
        assert (t.source in cited) == (t.use == "set"), (t.id, t.source, t.use)


def test_set_and_held_out_are_reported_apart(marrow, tmp_path):
    doc = yaml.safe_load(default_targets_path().read_text())
    by_id = {t["id"]: t for t in doc["targets"]}
    missed = {**by_id["mm_anaemia"], "id": "missed", "interval": {"range": [0.9, 1.0]}}
    doc["targets"] = [
        by_id["mm_anaemia"],  # set, passes
        {**by_id["mm_creatinine"], "use": "held_out"},  # held out, passes
        {**missed, "use": "held_out"},  # held out, fails
        {**missed, "id": "excluded", "exclude": "not counted"},  # neither
    ]
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(doc))
    report = calibrate(marrow, path)
    d = report.to_dict()
    assert (d["passed"], d["failed"]) == (2, 1)
    assert d["set"] == {"passed": 1, "failed": 0}
    assert d["held_out"] == {"passed": 1, "failed": 1}
    assert [t["use"] for t in d["targets"]] == ["set", "held_out", "held_out"]
    assert report.to_frame()["use"].tolist() == ["set", "held_out", "held_out", "set"]
    text = str(report)
    assert "Set from these figures: 1 passed, 0 failed" in text
    assert "Held out (no number set from them): 1 passed, 1 failed" in text
    assert "held out" in report._repr_html_()


def test_committed_report_lists_the_current_targets(marrow):
    text = REPORT.read_text()
    report = calibrate(marrow)
    assert f"{report.passed} passed, {report.failed} failed" in text, (
        "calibration/report.md is stale: run bayesdx calibrate --report calibration"
    )
    for line in report.by_use_lines():
        assert line in text, "calibration/report.md is stale"
    for r in report.results:
        assert f"| {r.target.id} | {r.model:.3f} |" in text, r.target.id
