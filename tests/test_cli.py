"""The command line: JSON contract, readable reports, and one-line errors with status 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from bayesdx import DISCLAIMER, load_network, query
from bayesdx.cli import main

from helpers import ROOT, TINY


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_query_json_contract(capsys):
    code, out, err = run(capsys, "query", "-e", "hb=10.4", "-e", "m_protein=present", "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert set(doc) >= {"network", "evidence", "assumed", "posterior", "groups"}
    assert doc["network"] == "marrow_signal"
    # 10.4 g/dL < 12: hb_level (cuts 12 and 13) and hb, defined from it, both lt_12
    assert doc["evidence"] == {"hb_level": "lt_12", "hb": "lt_12", "m_protein": "present"}
    assert doc["assumed"] == {"setting": "biopsy_referral"}
    assert sum(doc["posterior"]["diagnosis"].values()) == pytest.approx(1.0, abs=1e-12)
    assert 0.0 <= doc["groups"]["neoplasm"] <= 1.0
    assert doc["disclaimer"] == DISCLAIMER


def test_query_targets_and_case_file(capsys, tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("hb: 13.1\nchemical_shift: 0.5\n")
    code, out, _ = run(
        capsys,
        "query",
        "--case",
        str(case),
        "-e",
        "hb=9",
        "--target",
        "marrow_process",
        "diagnosis",
        "--json",
    )
    doc = json.loads(out)
    assert code == 0
    # -e overrides file: hb 9 < 12 (not the file's 13.1), read as hb_level and hb
    assert doc["evidence"] == {"hb_level": "lt_12", "hb": "lt_12", "chemical_shift": "drop"}
    assert list(doc["posterior"]) == ["marrow_process", "diagnosis"]


def test_query_report_is_readable(capsys):
    code, out, _ = run(capsys, "query", "-e", "monocytosis=1.4")
    assert code == 0
    assert "monocytosis=present (1.4 10^9/L >= 1)" in out
    assert "Assumed (defaults): setting=biopsy_referral" in out
    assert out.rstrip().endswith(DISCLAIMER)


def test_networks_lists_bundled(capsys):
    code, out, _ = run(capsys, "networks", "--json")
    assert code == 0
    assert "marrow_signal" in [n["id"] for n in json.loads(out)["networks"]]


@pytest.mark.parametrize("fmt", ["bif", "xmlbif", "xdsl", "net"])
def test_export_keeps_every_number_and_says_what_it_renamed_and_dropped(capsys, tmp_path, fmt):
    path = tmp_path / f"m.{fmt}"
    code, out, err = run(
        capsys, "export", "-n", "marrow_signal", "--format", fmt, "-o", str(path), "--json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert "the decision section" in doc["not_exported"]
    if fmt == "xdsl":  # XDSL ids start with a letter
        assert any("'40_to_59' -> 'x40_to_59'" in r for r in doc["renamed"])
    net, back = load_network("marrow_signal"), load_network(path)
    for v in net.variables:
        b = back.cpts[v] if v in back.states else back.cpts[f"x{v}"]
        assert b.shape == net.cpts[v].shape and (b == net.cpts[v]).all()  # every bit kept


def test_export_refuses_a_suffix_of_another_format(capsys, tmp_path):
    path = tmp_path / "m.bif"
    code, _, err = run(capsys, "export", "-n", "marrow_signal", "--format", "xdsl", "-o", str(path))
    assert code == 2 and "an XDSL file must end in .xdsl, not '.bif'" in err
    assert not path.exists()


def test_export_then_query_the_export(capsys, tmp_path):
    path = tmp_path / "m.bif"
    code, _, _ = run(
        capsys, "export", "--network", "marrow_signal", "--format", "bif", "-o", str(path)
    )
    assert code == 0 and path.exists()
    _, a, _ = run(capsys, "query", "-e", "hb=lt_12", "--json")
    _, b, _ = run(
        capsys,
        "query",
        "--network",
        str(path),
        "-e",
        "hb=lt_12",
        "-e",
        "setting=biopsy_referral",
        "--target",
        "diagnosis",
        "--json",
    )
    pa, pb = json.loads(a)["posterior"]["diagnosis"], json.loads(b)["posterior"]["diagnosis"]
    assert pa == pytest.approx(pb, abs=1e-12)
    # and read back by pgmpy itself, queried with pgmpy's VariableElimination
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgmpy.inference import VariableElimination
        from pgmpy.readwrite import BIFReader

        model = BIFReader(path=str(path)).get_model()
        factor = VariableElimination(model).query(
            ["diagnosis"],
            evidence={"hb": "lt_12", "setting": "biopsy_referral"},
            show_progress=False,
        )
    ref = dict(zip(factor.state_names["diagnosis"], factor.values, strict=True))
    assert pa == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["query", "--network", "marow"],
            "unknown network 'marow'; bundled networks: marrow_signal",
        ),
        (
            ["query", "-e", "hemoglobin=10"],
            "unknown variable 'hemoglobin' in network 'marrow_signal'; valid variables: setting,",
        ),
        (
            ["query", "-e", "hb=low"],
            "unknown state 'low' for variable 'hb'; valid states: "
            "ge_12, lt_12; or a number in g/dL",
        ),
        (["query", "-e", "hb=120"], "hb = 120 g/dL is outside the plausible range"),
        (["query", "-e", "hb"], "evidence 'hb' is not VAR=VALUE"),
        (["query", "-e", "hb=9", "-e", "hb=13"], "evidence for hb is given twice"),
        (["query", "--target", "diagnosys"], "unknown variable 'diagnosys'"),
        (["query", "--case", "/nonexistent/case.yaml"], "cannot read case file"),
        (
            ["export", "--network", "marrow_signal", "--format", "pdf", "-o", "x"],
            "argument --format/-f: invalid choice: 'pdf'",
        ),
        (
            ["export", "--network", "marrow_signal", "--format", "bif", "-o", "/nonexistent/x.bif"],
            "cannot write /nonexistent/x.bif: folder /nonexistent does not exist",
        ),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["export", "-n", "marrow_signal", "-f", "bif", "-o", "/tmp"], "it is a folder"),
        (["export", "-n", "marrow_signal", "-f", "bif", "-o", ""], "the output path is empty"),
        (["query", "--case", ""], "the case file name is empty"),
        (["query", "--network", str(TINY.parent / "malformed.yaml")], "malformed YAML at line 4"),
    ],
)
def test_user_errors_exit_2_with_one_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("bayesdx: error: ")
    assert message in err


def test_bad_network_file_and_impossible_evidence(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.read_text().replace("p: {d1: 0.3, d2: 0.7}", "p: {d1: 0.3, d2: 0.8}"))
    code, _, err = run(capsys, "query", "--network", str(bad))
    assert code == 2
    assert "node 'disease', field 'cpt.table[0].p': probabilities sum to 1.1" in err
    code, _, err = run(
        capsys,
        "query",
        "-e",
        "disease_class=benign",
        "-e",
        "diagnosis=multiple_myeloma",
        "--target",
        "hb",
    )
    assert code == 2
    assert err.startswith(
        "bayesdx: error: the evidence disease_class=benign, "
        "diagnosis=multiple_myeloma, setting=biopsy_referral has probability "
        "zero"
    )


def test_entry_point_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "bayesdx.cli", "query", "-e", "smear=bad"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_recommend_json(capsys):
    code, out, err = run(capsys, "recommend", "-e", "m_protein=present", "-e", "hb=9.9", "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["biopsy"]["verdict"] == "recommended"
    assert doc["biopsy"]["threshold"]["policy"] == "band"
    assert set(doc["guideline"]["fired"]) == {"anaemia", "monoclonal_protein"}
    assert doc["agreement"] is True


def test_recommend_report_and_policies(capsys):
    code, out, _ = run(capsys, "recommend", "--harm", "1", "--benefit", "3", "--tests", "2")
    assert code == 0
    assert "harm/benefit policy: threshold = 1 / (1 + 3) = 0.25" in out
    assert "Biopsy: RECOMMENDED" in out
    assert "  3. " not in out


def test_recommend_uncertainty(capsys):
    argv = [
        "recommend",
        "-e",
        "hb=10.9",
        "-e",
        "chemical_shift=drop",
        "-e",
        "smear=normal",
        "--json",
    ]
    code, out, err = run(capsys, *argv, "--draws", "200", "--seed", "5")
    assert code == 0 and err == ""
    biopsy = json.loads(out)["biopsy"]
    assert biopsy["verdict"] == "consider" and biopsy["lifted_by"] == []
    u = biopsy["uncertainty"]
    assert (u["draws"], u["seed"]) == (200, 5)
    assert list(u["share"]) == ["recommended", "borderline", "consider", "not_recommended"]
    assert sum(u["share"].values()) == pytest.approx(1.0, abs=1e-12)
    assert u["share"]["not_recommended"] == 0.0  # Hb < 12 fired: the safety net
    assert run(capsys, *argv, "--draws", "200", "--seed", "5")[1] == out  # seeded
    default = json.loads(run(capsys, *argv)[1])["biopsy"]["uncertainty"]
    assert (default["draws"], default["seed"]) == (1000, 0)
    assert json.loads(run(capsys, *argv, "--draws", "0")[1])["biopsy"]["uncertainty"] is None
    code, out, _ = run(capsys, "recommend", "-e", "hb=10.9", "--draws", "100")
    assert code == 0 and out.count("Uncertainty (100 parameter draws, seed 0): ") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["recommend", "--draws", "-1"], "--draws must be a whole number (digits 0-9), got '-1'"),
        (["recommend", "--draws", "many"], "--draws must be a whole number"),
        (["recommend", "--seed", "1.5"], "--seed must be a whole number (digits 0-9), got '1.5'"),
        (["recommend", "--draws", "2000000"], "draws 2,000,000 is over the limit of 1,000,000"),
        (["recommend", "--threshold", "1.2"], "threshold 1.2 is outside (0, 1)"),
        (["recommend", "--threshold", "abc"], "threshold 'abc' is not a number"),
        (["recommend", "--harm", "0", "--benefit", "1"], "harm 0 must be positive"),
        (["recommend", "--harm", "2"], "needs both harm and benefit; benefit is missing"),
        (["recommend", "--threshold", "0.3", "--harm", "1", "--benefit", "1"], "not both"),
        (["recommend", "--tests", "-1"], "--tests: '-1' is not a count such as 5"),
    ],
)
def test_recommend_errors(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert message in err


def test_explain_json_and_html(capsys, tmp_path):
    page = tmp_path / "case.html"
    code, out, err = run(
        capsys,
        "explain",
        "-e",
        "hb=10.9",
        "-e",
        "chemical_shift=drop",
        "--html",
        str(page),
        "--json",
    )
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["hypothesis"] == "neoplasm"
    # hb 10.9 is one finding, read as hb_level (hb follows from it), with the likelihood ratio
    # of hb_level = lt_12 for neoplasm given the other finding
    assert [c["finding"] for c in doc["contributions"]] == ["hb_level", "chemical_shift"]
    p_with = query(
        load_network("marrow_signal"), {"hb_level": "lt_12", "chemical_shift": "drop"}
    ).groups["neoplasm"]
    p_without = query(load_network("marrow_signal"), {"chemical_shift": "drop"}).groups["neoplasm"]
    lr = (p_with / (1 - p_with)) / (p_without / (1 - p_without))
    assert doc["contributions"][0]["lr"] == pytest.approx(lr, rel=1e-9) and lr > 1.5
    assert page.read_text().startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["explain", "--hypothesis", "cancer"], "--hypothesis 'cancer': not a group or diagnosis"),
        (["explain", "--versus", "hb=lt_13"], "--versus 'hb=lt_13': unknown state 'lt_13'"),
        (["explain", "--html", "/nonexistent/x.html"], "folder /nonexistent does not exist"),
    ],
)
def test_explain_errors(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


def test_sensitivity_json(capsys):
    code, out, err = run(
        capsys,
        "sensitivity",
        "-e",
        "hb=11.4",
        "-e",
        "chemical_shift=drop",
        "--draws",
        "400",
        "--seed",
        "5",
        "--json",
    )
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["target"] == "neoplasm"
    assert {"parameter", "value", "derivative", "range", "posterior_range", "flip_at"} <= set(
        doc["one_way"][0]
    )
    assert {"base_rate", "posterior", "verdict"} == set(doc["prior_sweep"][0])
    assert doc["psa"]["draws"] == 400 and doc["psa"]["seed"] == 5
    assert set(doc["psa"]) >= {"mean", "interval", "verdict_shares"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sensitivity", "--draws", "0"], "draws must be a positive integer, got 0"),
        (["sensitivity", "--draws", "1.5"], "--draws must be a whole number (digits 0-9), got"),
        (["sensitivity", "--seed", "-1"], "--seed must be a whole number (digits 0-9)"),
        (["sensitivity", "--base-rates", "0.1", "1.4"], "must lie within [0, 1]"),
        (["sensitivity", "--base-rates", "a", "0.5"], "--base-rates 'a' is not a number"),
        (["sensitivity", "--parameter", "hb[x].y"], "unknown parameter 'hb[x].y'"),
        (["sensitivity", "--target", "cancer"], "--hypothesis 'cancer': not a group"),
    ],
)
def test_sensitivity_errors(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


def test_calibrate_json(capsys):
    code, out, err = run(capsys, "calibrate", "--json")
    doc = json.loads(out)
    assert code == 0 and err == ""
    assert doc["failed"] == 0 and doc["passed"] == len(doc["targets"])
    assert {"id", "source", "model", "interval", "pass"} <= set(doc["targets"][0])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calibrate", "--targets", "/nonexistent.yaml"], "cannot read targets file"),
        (["calibrate", "--network", str(TINY)], "give --targets FILE for another network"),
    ],
)
def test_calibrate_errors(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


def test_batch_command(capsys, tmp_path):
    src, dst = tmp_path / "cases.csv", tmp_path / "out.csv"
    src.write_text("hb,m_protein,chemical_shift\n10.1,present,\n13.5,absent,0.5\n")
    code, out, err = run(capsys, "batch", "--input", str(src), "--output", str(dst), "--json")
    assert code == 0 and err == ""
    assert json.loads(out)["rows"] == 2
    import pandas as pd

    frame = pd.read_csv(dst)
    from bayesdx import load_network

    net = load_network("marrow_signal")
    first = query(net, {"hb": 10.1, "m_protein": "present"}).groups["neoplasm"]
    assert frame.loc[0, "group:neoplasm"] == pytest.approx(first, abs=1e-9)


def test_batch_jobs_give_the_same_file(capsys, tmp_path):
    import numpy as np

    from bayesdx.validation import simulate

    net = load_network("marrow_signal")
    cases = simulate(net, 40_000, np.random.default_rng(11))  # 16 chunks or more
    src = tmp_path / "cases.csv"
    cases.drop(columns=["diagnosis", "disease_class", "marrow_process", "marrow_failure"]).to_csv(
        src, index=False
    )
    outs = []
    for jobs in ("1", "2"):
        dst = tmp_path / f"out{jobs}.csv"
        code, _, err = run(capsys, "batch", "--input", str(src), "--output", str(dst), "-j", jobs)
        assert code == 0, err
        outs.append(dst.read_bytes())
    assert outs[0] == outs[1]
    for bad in ("0", "257", "two", "-1"):
        code, _, err = run(capsys, "batch", "--input", str(src), "--output", "-", "--jobs", bad)
        assert code == 2 and "--jobs" in err and err.count("\n") == 1


def test_batch_bad_row_names_its_line(capsys, tmp_path):
    src, dst = tmp_path / "cases.csv", tmp_path / "out.csv"
    src.write_text("hb,m_protein\n10.1,present\n120,absent\n")
    code, out, err = run(capsys, "batch", "--input", str(src), "--output", str(dst))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "line 3" in err and "hb" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calibrate", "--report", " "], "the report folder name is empty"),
        (["calibrate", "--targets", "/dev/zero"], "not a regular file"),
    ],
)
def test_calibrate_argument_errors(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


def test_the_same_number_given_twice_is_one_finding(capsys):
    code, out, err = run(capsys, "query", "-e", "hb=10", "-e", "hb=10.0", "--json")
    assert code == 0 and json.loads(out)["evidence"] == {"hb_level": "lt_12", "hb": "lt_12"}
    code, out, err = run(capsys, "query", "-e", "hb=10", "-e", "hb=11")
    assert code == 2 and "given twice (10 and 11)" in err


def test_too_many_findings(capsys):
    code, _out, err = run(capsys, "query", *["-e", "hb=10"] * 10_001)
    assert code == 2 and err.count("\n") == 1 and "the limit is 10,000" in err


def test_too_many_arguments_are_refused_before_parsing(capsys):
    code, _out, err = run(capsys, "query", *["-e", "hb=10"] * 25_000)
    assert code == 2 and err.count("\n") == 1 and "the limit is 40,000" in err


@pytest.mark.parametrize(
    ("data", "expected"),
    [(b"hb: 10.4\nm_protein: present\n", "hb=lt_12"), (b'{"hb": 13.1}', "hb=ge_12")],
)
def test_case_from_standard_input(capsys, monkeypatch, data, expected):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, err = run(capsys, "query", "--case", "-")
    assert code == 0 and expected in out and err == ""


def test_bad_case_on_standard_input_is_named(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"hb: [1\n")))
    code, out, err = run(capsys, "query", "--case", "-")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "case file (standard input) is malformed YAML" in err


def test_networks_markdown_is_the_committed_document(capsys):
    code, out, _ = run(capsys, "networks", "--markdown", "marrow_signal")
    assert code == 0 and out == (ROOT / "networks" / "marrow_signal.md").read_text()


def test_validate_command(capsys):
    code, out, err = run(capsys, "validate", "--json")
    doc = json.loads(out)
    assert code == 0 and err == ""
    assert set(doc) >= {"cases", "summary", "disclaimer"}
    assert set(doc["summary"]) >= {"n", "top1", "top3", "neoplasms", "neoplasms_not_refused"}
    assert doc["summary"]["n"] == len(doc["cases"]) >= 1
    code, out, _ = run(capsys, "validate")
    assert code == 0 and "none was used to set a number" in out and DISCLAIMER in out


def test_validate_refuses_a_missing_folder(capsys, tmp_path):
    code, out, err = run(capsys, "validate", "--cases", str(tmp_path / "nope"))
    assert code == 2 and out == "" and "no such folder" in err and err.count("\n") == 1


def test_explore_writes_one_self_contained_page(capsys, tmp_path):
    out = tmp_path / "case.html"
    code, printed, err = run(
        capsys, "explore", "-e", "hb=11.4", "-e", "smear=rouleaux", "-o", str(out)
    )
    assert code == 0 and err == "" and printed.strip() == f"wrote {out}"
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and DISCLAIMER in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page


def test_explore_refuses_bad_input_and_writes_nothing(capsys, tmp_path):
    out = tmp_path / "case.html"
    code, printed, err = run(capsys, "explore", "-e", "hb=500", "-o", str(out))
    assert code == 2 and printed == "" and err.count("\n") == 1 and "hb = 500" in err
    assert not out.exists()


def test_main_runs_outside_the_main_thread(capsys):
    """A notebook may run the command line in a worker thread, where no signal handler can
    be installed: it runs without them."""
    import threading

    codes = []
    worker = threading.Thread(target=lambda: codes.append(main(["query", "-e", "hb=10"])))
    worker.start()
    worker.join()
    assert codes == [0]
    assert "P(" in capsys.readouterr().out


def test_help_width_follows_columns(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "50")
    with pytest.raises(SystemExit):
        main(["query", "--help"])
    lines = capsys.readouterr().out.splitlines()
    assert lines and max(len(line) for line in lines) <= 50


@pytest.mark.parametrize(
    ("argv", "preset", "expected"),
    [
        (["query", "-e", "hb=10"], None, "1"),
        (["query", "-e", "hb=10"], "2", "2"),  # the user's setting stands
        (["networks"], None, "1"),
        (["bench", "--help"], None, None),  # long runs keep the BLAS pool
    ],
)
def test_one_case_commands_start_no_blas_threads(argv, preset, expected):
    import os
    import subprocess
    import sys

    code = (
        "import contextlib, io, os, sys\n"
        "from bayesdx.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main({argv!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if preset is not None:
        env["OPENBLAS_NUM_THREADS"] = preset
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True)  # fmt: skip
    assert done.stdout.strip().splitlines()[-1] == str(expected)


QUICK = [  # read by the quick path: what argparse gives, without argparse
    ["query"],
    ["query", "--json"],
    ["query", "-e", "hb=10.4", "-e", "m_protein=present", "--json", "--json"],
    ["query", "--network", "a.bif", "-n", "b.bif", "-t", "x", "-t", "y", "z", "--case", "c.yaml"],
    ["query", "--evidence", "", "-t", "x y", "--target", "a=b", "-e", "sp ace=1"],
    ["query", "-t", "diagnosis", "--json", "-e", "hb=9"],
]
ARGPARSE = [  # left to argparse: help, errors, and what only it reads
    ["query", "--help"],
    ["query", "-h"],
    ["query", "-e"],
    ["query", "-t"],
    ["query", "-t", "--json"],
    ["query", "-e", "-1"],
    ["query", "-e", "-"],
    ["query", "--case", "-"],
    ["query", "-e", "a=1", "extra"],
    ["query", "--evidence=a=1"],
    ["query", "-ea=1"],
    ["query", "--net", "x.bif"],
    ["query", "--", "-e"],
    ["query", "--json=1"],
    ["query", "-t", "a", "-5"],
    ["recommend", "-e", "a=1"],
    ["--version"],
    [],
]


@pytest.mark.parametrize("argv", QUICK + ARGPARSE, ids=" ".join)
def test_quick_path_reads_a_query_as_argparse_does(argv):
    from bayesdx import cli

    quick = cli._quick(argv)
    assert (quick is not None) == (argv in QUICK)
    if quick is not None:
        assert vars(quick) == vars(cli._parser("query").parse_args(argv))


def test_a_plain_query_does_not_import_argparse():
    code = (
        "import sys; from bayesdx.cli import main; "
        "code = main(['query', '-e', 'hb=10.4', '-t', 'diagnosis', '--json']); "
        "print(code, 'argparse' in sys.modules, 'gettext' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "0 False False"
