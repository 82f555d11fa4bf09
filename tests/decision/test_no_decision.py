"""recommend on a network with no decision section: one line that says what is missing and
where the format describes it, exit 2 (pgmpy's alarm and hepar2 from BIF, and a YAML file)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bayesdx import load_network
from bayesdx.decision import Policy, no_decision_error, recommend
from bayesdx.errors import PolicyError

from helpers import ROOT

CASES = {"alarm": {"HRBP": "HIGH", "BP": "LOW"}, "hepar2": {"alt": "a850_200"}}


def test_the_message_points_at_a_section_that_exists():
    text = str(no_decision_error("x"))
    assert "networks/FORMAT.md, 'The decision section'" in text
    assert "## The decision section" in (ROOT / "networks" / "FORMAT.md").read_text()
    for word in ("target", "band", "sources", "role: diagnosis", "bayesdx query"):
        assert word in text


@pytest.mark.parametrize("name", sorted(CASES))
def test_recommend_refuses_with_the_reason(pgmpy_folder, name):
    net = load_network(pgmpy_folder / f"{name}.bif")
    assert net.spec.decision is None
    for policy in (None, Policy.threshold(0.3)):  # a threshold is no target: still refused
        with pytest.raises(PolicyError) as info:
            recommend(net, CASES[name], policy=policy)
        assert str(info.value) == str(no_decision_error(name))


def test_a_yaml_network_without_the_section(tiny_doc, write_doc):
    tiny_doc.pop("decision", None)
    net = load_network(write_doc(tiny_doc))
    with pytest.raises(PolicyError, match=f"network '{net.id}' has no decision section"):
        recommend(net, {"test": "pos"})


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("extra", [[], ["--threshold", "0.3"], ["--json"]])
def test_cli_exit_2_one_line(pgmpy_folder, name, extra):
    argv = ["recommend", "--network", str(pgmpy_folder / f"{name}.bif"), *extra]
    for k, v in CASES[name].items():
        argv += ["-e", f"{k}={v}"]
    proc = subprocess.run(
        [sys.executable, "-m", "bayesdx", *argv], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("bayesdx: error: ")
    assert "has no decision section, which recommend needs" in proc.stderr
    assert "networks/FORMAT.md" in proc.stderr
