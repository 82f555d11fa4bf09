"""The benchmark's structure on a tiny configuration (timings are never asserted)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bayesdx._bench import BenchmarkReport, run_benchmark, sample_cases


@pytest.fixture(scope="module")
def report() -> BenchmarkReport:
    return run_benchmark(
        cases=40, pgmpy_cases=2, large_cases=500, repeats=1, cold_repeats=1, psa_draws=50
    )


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
    assert set(d) == {"machine", "engines", "large", "cold_start", "psa", "batching"}
    json.dumps(d)
    frame = report.to_frame()
    assert list(frame.columns) == ["measure", "network", "value", "unit"]
    assert "speed-up" in set(frame["measure"])
    text = str(report)
    assert text.startswith("Machine: ") and "numpy" in text and "1,000,000 cases" in text
    assert "extrapolated from 500" in text
    assert report._repr_html_().startswith("<pre>")


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
