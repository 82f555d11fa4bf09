"""Every command on networks users bring: pgmpy's alarm and hepar2 (BIF), a GeNIe file (XDSL)
and a Hugin file (NET), through the command line as a user runs it."""

from __future__ import annotations

import csv
import json
import shutil

import numpy as np
import pytest

import bayesdx
from bayesdx._bench import sample_cases
from bayesdx.cli import main
from bayesdx.io import EXPORT_FORMATS
from bayesdx.io._registry import IMPORT_SUFFIXES

from helpers import DATA

CORPUS = DATA / "corpus"
FILES = ["alarm.bif", "hepar2.bif", "genie_brain_tumor.xdsl", "hugin_chest_clinic.net"]


@pytest.fixture(scope="module")
def folder(pgmpy_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("any_network")
    for name in ("alarm.bif", "hepar2.bif"):
        shutil.copy(pgmpy_folder / name, out / name)
    for name in ("genie_brain_tumor.xdsl", "hugin_chest_clinic.net"):
        shutil.copy(CORPUS / name, out / name)
    return out


def _case(net: bayesdx.Network, seed: int = 7, findings: int = 3) -> dict[str, str]:
    """A case drawn from the network: a few observed findings."""
    rng = np.random.default_rng(seed)
    row = sample_cases(net, 1, rng, hide=0.0)[0]
    variables = list(net.variables)
    picked = sorted(rng.permutation(len(variables))[:findings])
    return {variables[j]: net.states[variables[j]][row[j]] for j in picked}


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _evidence(case: dict[str, str]) -> list[str]:
    return [a for v, s in case.items() for a in ("-e", f"{v}={s}")]


@pytest.mark.parametrize("name", FILES)
def test_query_explain_and_sensitivity(folder, capsys, name):
    path = str(folder / name)
    net = bayesdx.load_network(path)
    case = _case(net)
    code, out, err = _run(capsys, "query", "--network", path, *_evidence(case), "--json")
    assert code == 0, err
    posterior = json.loads(out)["posterior"]
    assert posterior and all(abs(sum(p.values()) - 1) < 1e-9 for p in posterior.values())

    code, out, err = _run(capsys, "explain", "--network", path, *_evidence(case), "--json")
    assert code == 0, err
    assert json.loads(out)["hypothesis"]

    code, out, err = _run(
        capsys, "sensitivity", "--network", path, *_evidence(case), "--draws", "50", "--json"
    )
    assert code == 0, err
    assert "default" in out.lower()  # the uncertainty given to imported tables is labelled


@pytest.mark.parametrize("name", FILES)
def test_recommend_says_what_is_missing(folder, capsys, name):
    code, _, err = _run(capsys, "recommend", "--network", str(folder / name))
    assert code == 2
    assert "no decision section" in err and "bayesdx query" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("name", FILES)
def test_calibrate_with_a_free_text_source(folder, tmp_path, capsys, name):
    path = str(folder / name)
    net = bayesdx.load_network(path)
    node = net.variables[0]
    state = net.states[node][0]
    value = float(bayesdx.query(net, {}, targets=[node]).distributions[node][state])
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        "targets:\n"
        "  - id: first_node\n"
        f"    quantity: P({node} = {state}) with no findings\n"
        "    source: This test's own fixture, not a publication\n"
        "    use: held_out\n"
        f"    published: {value!r}\n"
        f"    interval: {{range: [{max(value - 0.05, 0)!r}, {min(value + 0.05, 1)!r}]}}\n"
        f"    event: {{{node}: '{state}'}}\n"  # quoted: YAML reads yes, no, TRUE as booleans
    )
    code, out, err = _run(
        capsys, "calibrate", "--network", path, "--targets", str(targets), "--json"
    )
    assert code == 0, err
    assert json.loads(out)["targets"][0]["id"] == "first_node"

    unquoted = targets.read_text().replace(f"'{state}'", state)
    targets.write_text(unquoted)
    code, _, err = _run(capsys, "calibrate", "--network", path, "--targets", str(targets))
    if state.lower() in {"yes", "no", "true", "false", "on", "off"}:
        assert code == 2 and "quote the state" in err
    else:
        assert code == 0, err


@pytest.mark.parametrize("name", FILES)
def test_batch_explore_and_export(folder, tmp_path, capsys, name):
    path = str(folder / name)
    net = bayesdx.load_network(path)
    rows = [_case(net, seed) for seed in range(5)]
    columns = sorted({v for r in rows for v in r})
    cohort = tmp_path / "cases.csv"
    with cohort.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    out_csv = tmp_path / "scored.csv"
    code, _, err = _run(capsys, "batch", "--network", path, "--input", str(cohort),
                        "--output", str(out_csv), "--jobs", "1")  # fmt: skip
    assert code == 0, err
    lines = [ln for ln in out_csv.read_text().splitlines() if not ln.startswith("#")]
    assert len(lines) == 1 + len(rows)

    page = tmp_path / "page.html"
    code, _, err = _run(capsys, "explore", "--network", path, *_evidence(rows[0]),
                        "-o", str(page))  # fmt: skip
    assert code == 0, err
    assert page.read_text().lstrip().lower().startswith("<!doctype html")

    target = net.variables[-1]
    evidence = {k: v for k, v in rows[0].items() if k != target}
    expected = bayesdx.query(net, evidence, targets=[target]).distributions[target]
    for fmt in EXPORT_FORMATS:
        suffix = next(s for s, f in IMPORT_SUFFIXES.items() if f == fmt)
        written = tmp_path / f"out{suffix}"
        code, _, err = _run(capsys, "export", "--network", path, "--format", fmt,
                            "-o", str(written))  # fmt: skip
        assert code == 0, err
        if fmt == "uai":  # UAI keeps no names: the export lists the renames
            continue
        back = bayesdx.load_network(written)
        got = bayesdx.query(back, evidence, targets=[target]).distributions[target]
        assert all(abs(got[s] - expected[s]) < 1e-12 for s in expected)


@pytest.mark.parametrize("name", FILES)
def test_learn_refuses_a_network_without_uncertainty(folder, tmp_path, capsys, name):
    """Learning updates the literature's uncertainty; an imported file has none to update."""
    path = str(folder / name)
    net = bayesdx.load_network(path)
    x = sample_cases(net, 30, np.random.default_rng(3), hide=0.2)
    cohort = tmp_path / "cohort.csv"
    with cohort.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(net.variables)
        for row in x:
            writer.writerow(
                [
                    net.states[v][i] if i >= 0 else ""
                    for v, i in zip(net.variables, row, strict=True)
                ]
            )
    out = tmp_path / "local.yaml"
    code, _, err = _run(capsys, "learn", "--network", path, "--data", str(cohort),
                        "--out", str(out))  # fmt: skip
    assert code == 2 and "no table with uncertain entries" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()
