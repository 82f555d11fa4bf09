"""The benchmark's structure on a tiny configuration (timings are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from bayesdx._bench import BenchmarkReport, run_benchmark, sample_cases
from bayesdx.inference import posteriors


@pytest.fixture(scope="module")
def report() -> BenchmarkReport:
    return run_benchmark(
        cases=40, pgmpy_cases=2, large_cases=500, repeats=1, cold_repeats=1, psa_draws=50,
        peer_networks=("asia", "marrow_signal"), peer_seconds=0.05, multicore_cases=300,
        files=(("asia", "bif"), ("asia", "net")), batch_rows=3000,
    )  # fmt: skip


def test_report_structure(report):
    assert [e["network"] for e in report.engines] == ["marrow_signal", "hepar2"]
    for e in report.engines:
        assert e["cases"] == 40 and e["pgmpy_cases"] == 2
        assert e["compiled_per_s"] > 0 and e["pgmpy_per_s"] > 0 and e["all_marginals_s"] > 0
        assert e["ratio"] == pytest.approx(e["compiled_per_s"] / e["pgmpy_per_s"])
    assert report.engines[0]["target"] == "diagnosis"
    assert report.large["million_how"] == "extrapolated from 500"
    assert report.large["million_s"] == pytest.approx(report.large["seconds"] * 2000)
    c = report.cold_start
    assert c["ratio"] == pytest.approx(c["query_s"] / c["pgmpy_import_s"])
    assert {"platform", "cpus", "python", "numpy", "pgmpy"} <= set(report.machine)


def test_report_outputs(report):
    d = report.to_dict()
    assert set(d) == {
        "machine", "engines", "large", "cold_start", "psa", "batching", "peers", "multicore",
        "files", "batch_rows",
    }  # fmt: skip
    json.dumps(d)
    frame = report.to_frame()
    assert list(frame.columns) == ["measure", "network", "value", "unit"]
    assert "speed-up" in set(frame["measure"])
    text = str(report)
    assert text.startswith("Machine: ") and "numpy" in text and "1,000,000 cases" in text
    assert "extrapolated from 500" in text
    assert report._repr_html_().startswith("<pre>")


def test_files_are_timed_end_to_end_against_pyagrum(report):
    assert [f["file"] for f in report.files] == ["asia.bif", "asia.net"]
    for f in report.files:
        assert f["bayesdx_s"] > 0 and f["pyagrum_s"] > 0 and f["uncached_s"] > 0
        assert f["ratio"] == pytest.approx(f["bayesdx_s"] / f["pyagrum_s"])
        assert f["max_diff"] < 1e-6  # the same query: pyAgrum reads BIF and NET in float32
        assert f["target"] not in f["evidence"] and f["evidence"]
    text = str(report)
    assert "query asia.bif, end to end" in text and "bayesdx / pyAgrum" in text


def test_batch_rows_end_to_end(report, tmp_path):
    b = report.batch_rows
    assert b["rows"] == 3000 and b["identical"] is True
    assert b["speedup"] == pytest.approx(b["seconds"] / b["jobs_seconds"])
    runs = b["runs"]  # the medians of alternating runs, every run kept
    assert b["rounds"] == 3 and len(runs["1"]) == len(runs[str(b["jobs"])]) == 3
    assert b["seconds"] == sorted(runs["1"])[1]
    assert b["jobs_seconds"] == sorted(runs[str(b["jobs"])])[1]
    assert b["input_mb"] > 0 and b["output_mb"] > b["input_mb"]
    assert "batch, 3,000 rows end to end" in str(report) and "median of 3" in str(report)


def test_the_bench_cohort_reads_as_a_clinic_export(tmp_path, marrow):
    from bayesdx._bench import write_marrow_cohort
    from bayesdx.inference import score_csv

    path = tmp_path / "cohort.csv"
    write_marrow_cohort(path, 500, seed=3)
    lines = path.read_text().splitlines()
    assert len(lines) == 501 and lines[0].startswith("id,age,sex,hb,")
    cells = [line.split(",") for line in lines[1:]]
    assert 0.2 < sum(c == "" for row in cells for c in row[1:]) / (500 * 16) < 0.45
    out = tmp_path / "scored.csv"
    score_csv(marrow, path, out, passthrough=["id"], jobs=1)  # every row scores
    assert len([ln for ln in out.read_text().splitlines() if ln[:1] == "p"]) == 500


def test_sample_cases(marrow):
    x = sample_cases(marrow, 200, np.random.default_rng(1), hide=0.5, targets=["diagnosis"])
    assert x.shape == (200, len(marrow.variables))
    assert (x[:, marrow.variables.index("diagnosis")] == -1).all()
    assert 0.3 < (x == -1).mean() < 0.7
    cards = np.array([len(marrow.states[v]) for v in marrow.variables])
    assert ((x >= -1) & (x < cards)).all()


def test_psa_figure_is_reported(report):
    assert report.psa["draws"] == 50 and report.psa["seconds"] > 0
    assert any(row[0].startswith("PSA, 50 draws") for row in report._rows())


def test_batching_is_reported_as_ratios(report):
    b = report.batching
    assert b["oneway_ratio"] == pytest.approx(b["oneway_loop_s"] / b["oneway_batch_s"])
    assert b["explain_ratio"] == pytest.approx(b["explain_loop_s"] / b["explain_batch_s"])
    assert b["oneway_parameters"] > 100 and b["explain_sets"] > 10
    assert b["oneway_max_diff"] < 1e-12  # the same coefficients either way
    measures = [row[0] for row in report._rows()]
    assert "one-way: queries / batch" in measures and "explain sets: loop / batch" in measures


def test_peer_table_has_ratios_measured_in_the_run(report):
    assert [p["network"] for p in report.peers] == ["asia", "marrow_signal"]
    for p in report.peers:
        assert p["one_per_s"] > 0 and p["all_per_s"] > 0 and p["peak_mb"] > 0
        # one target: a few variables cut both networks into small pieces (a kernel)
        assert p["engine"] == "kernel"
        assert p["one_cases"] <= 40 or p["one_cases"] == 32  # the first size tried
        if report.machine["pyagrum"] is None:
            assert p["one_ratio"] is None and "not installed" in p["note"]
            continue
        assert p["one_ratio"] == pytest.approx(p["one_per_s"] / p["pyagrum_one_per_s"])
        assert p["all_ratio"] == pytest.approx(p["all_per_s"] / p["pyagrum_all_per_s"])
    text = str(report)
    assert "bayesdx against pyAgrum" in text and "marrow_signal" in text.split("pyAgrum")[-1]


def test_multicore_figure_checks_identical_outputs(report):
    mc = report.multicore
    assert mc["cases"] == 300 and mc["jobs"] >= 2 and mc["identical"] is True
    assert mc["speedup"] == pytest.approx(mc["one_job_s"] / mc["jobs_s"])
    assert any(row[0].startswith(f"score_csv, {mc['jobs']} jobs") for row in report._rows())


_SAME = """
import json
import pyagrum as gum
import bayesdx
from bayesdx._bench import pyagrum_network
engine = gum.LazyPropagation(pyagrum_network(bayesdx.load_network("marrow_signal")))
engine.setEvidence({"hb": "lt_12", "m_protein": "present", "age": "ge_60"})
engine.makeInference()
print(json.dumps(engine.posterior("diagnosis").toarray().tolist()))
"""


def test_pyagrum_network_gives_the_same_posteriors(marrow):
    pytest.importorskip("pyagrum")  # in a process of its own, as the benchmark runs it
    out = subprocess.run([sys.executable, "-c", _SAME], capture_output=True, text=True,
                         check=True)  # fmt: skip
    theirs = np.array(json.loads(out.stdout))
    evidence = {"hb": "lt_12", "m_protein": "present", "age": "ge_60"}
    ours = posteriors(marrow, [evidence], ["diagnosis"]).posteriors["diagnosis"][0]
    np.testing.assert_allclose(theirs, ours, atol=1e-12)
