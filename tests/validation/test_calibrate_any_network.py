"""calibrate on networks without a bibliography (pgmpy's alarm and hepar2, read from BIF):
a target's source may be a free-text citation; a one-word source is a key, checked."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
import yaml

from bayesdx import load_network
from bayesdx.errors import NetworkFileError
from bayesdx.inference import marginals
from bayesdx.validation import calibrate, load_targets

# the figures below are read from the networks' own tables, and the source says so
CITATION = "the {name} network as distributed with pgmpy (pgmpy/utils/example_models/{name}.bif.gz)"
QUERIES = {
    "alarm": ({"CVP": "HIGH"}, {"HYPOVOLEMIA": "TRUE"}),
    "hepar2": ({"fatigue": "present"}, {"Cirrhosis": "decompensate"}),
}


@pytest.fixture(scope="module")
def folder(pgmpy_folder, tmp_path_factory):
    """The example networks' files, in a folder of this module's own for its targets files."""
    path = tmp_path_factory.mktemp("calibrate_any_network")
    for name in QUERIES:
        shutil.copy(pgmpy_folder / f"{name}.bif", path)
    return path


def _targets(folder, name, source=None):
    net = load_network(folder / f"{name}.bif")
    event, given = QUERIES[name]
    ((var, state),) = event.items()
    dist, _ = marginals(net, given, [var])
    p = dist[var][state]
    doc = {"targets": [{
        "id": f"{name}_figure",
        "quantity": f"P({var}={state} | {given})",
        "source": source if source is not None else CITATION.format(name=name),
        "use": "set",
        "published": round(p, 3),
        "interval": {"range": [max(0.0, p - 0.05), min(1.0, p + 0.05)]},
        "event": event,
        "given": given,
    }]}  # fmt: skip
    path = folder / f"{name}_targets.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return net, path, p


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_free_text_citation_is_a_source(folder, name):
    net, path, p = _targets(folder, name)
    (t,) = load_targets(net, path)
    assert t.citation and t.source == CITATION.format(name=name)
    rep = calibrate(net, path)
    assert rep.passed == 1 and rep.failed == 0
    assert rep.results[0].model == pytest.approx(p, abs=1e-12)
    assert CITATION.format(name=name) in str(rep)


def test_a_bibliography_key_is_not_a_citation(marrow, tmp_path):
    doc = {"targets": [{
        "id": "x", "quantity": "anaemia in myeloma", "source": "kyle2003", "use": "set",
        "published": 0.7, "interval": {"range": [0.6, 0.8]}, "event": {"hb": "lt_12"},
        "given": {"diagnosis": "multiple_myeloma"},
    }]}  # fmt: skip
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(doc))
    (t,) = load_targets(marrow, path)
    assert not t.citation
    doc["targets"][0]["source"] = "kyle203"  # one word, not a key: a typo
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(NetworkFileError, match=r"unknown source 'kyle203' \(did you mean kyle2003"):
        load_targets(marrow, path)


@pytest.mark.parametrize("word", ["beinlich1989", "Beinlich_1989", "ref-3"])
def test_one_word_that_is_no_key_is_refused(folder, word):
    net, path, _ = _targets(folder, "alarm", source=word)
    with pytest.raises(NetworkFileError) as info:
        load_targets(net, path)
    text = str(info.value)
    assert f"unknown source '{word}'" in text and "or a free-text citation" in text
    assert "targets[0] (alarm_figure).source" in text


def _cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bayesdx", *argv], capture_output=True, text=True, check=False
    )


def test_cli_calibrate_on_a_bif(folder):
    _, path, p = _targets(folder, "alarm")
    proc = _cli("calibrate", "--network", str(folder / "alarm.bif"), "--targets", str(path),
                "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["passed"] == 1 and doc["targets"][0]["model"] == pytest.approx(p, abs=1e-12)


def test_cli_calibrate_report_on_a_bif_does_not_crash(folder, tmp_path):
    _, path, _ = _targets(folder, "hepar2")
    proc = _cli("calibrate", "--network", str(folder / "hepar2.bif"), "--targets", str(path),
                "--report", str(tmp_path / "report"))  # fmt: skip
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
    # the targets are reported; the simulated cohorts, which need a guideline, say why not
    report = (tmp_path / "report" / "report.md").read_text()
    assert "## Published targets: 1 passed, 0 failed" in report
    assert "Not computed" in report and "no decision section with a guideline" in report
    assert (tmp_path / "report" / "targets.png").exists()
