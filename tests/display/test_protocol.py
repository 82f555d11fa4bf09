"""Every public result class follows one display protocol.

to_dict is JSON, to_frame a DataFrame, _repr_html_ a string with the disclaimer where the
result is about a patient, and plot(*, ax=None, ...) keyword-only, returning the Axes and
drawing only what the result holds (no inference while drawing).
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys

import matplotlib

matplotlib.use("Agg")  # tests only: the library itself never chooses a backend

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

import bayesdx
from bayesdx.display import DISCLAIMER

CASE = {"age": 58, "hb": 11.4, "chemical_shift": "drop"}

# the modules that define result classes (BatchResult and ScoreSummary are added below)
RESULT_MODULES = (
    "bayesdx.inference._posterior",
    "bayesdx.decision._results",
    "bayesdx.explanation._results",
    "bayesdx.sensitivity_analysis._results",
    "bayesdx.validation._results",
    "bayesdx.validation._metrics",
)

# results about a cohort or the network itself, not about a patient: no disclaimer needed
NOT_ABOUT_A_PATIENT = {"CalibrationReport", "TargetResult", "Validation", "DecisionCurve"}

# plot keyword options worth drawing besides the default
PLOT_OPTIONS = {
    "Explanation": [{"kind": "waterfall"}, {"kind": "differential"}, {"kind": "network"}],
    "SensitivityReport": [{"kind": "tornado"}, {"kind": "prior"}],
    "Posterior": [{}, {"target": "marrow_process"}],
}


def _build() -> dict[str, object]:
    net = bayesdx.load_network("marrow_signal")
    rec = bayesdx.recommend(net, CASE)
    ex = bayesdx.explain(net, CASE, versus="red_marrow_reconversion")
    rep = bayesdx.sensitivity(net, CASE, draws=200)
    cal = bayesdx.calibrate(net)
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    val = bayesdx.validation.validate("demo", y, np.clip(0.3 * y + rng.uniform(0, 0.7, 300), 0, 1))
    cases = bayesdx.validation.validate_cases(net)
    assert rec.guideline is not None and ex.comparison is not None
    return {
        "Posterior": bayesdx.query(net, CASE, targets=["diagnosis", "marrow_process"]),
        "Recommendation": rec,
        "VerdictShares": rec.uncertainty,
        "NextTest": rec.next_tests[0],
        "Outcome": rec.next_tests[0].outcomes[0],
        "GuidelineResult": rec.guideline,
        "Explanation": ex,
        "Contribution": ex.contributions[0],
        "WhatIf": ex.what_if[0],
        "Comparison": ex.comparison,
        "SensitivityReport": rep,
        "OneWay": rep.one_way[0],
        "PriorPoint": rep.prior_sweep[0],
        "UncertaintyReport": bayesdx.uncertainty(net, CASE, draws=200),
        "CalibrationReport": cal,
        "TargetResult": cal.results[0],
        "Validation": val,
        "DecisionCurve": val.decision_curve(),
        "CaseValidation": cases,
        "CaseResult": cases.cases[0],
    }


def _batch_results() -> dict[str, object]:
    """The two results of batch scoring: compiled posteriors and a CSV run's summary."""
    import tempfile
    from pathlib import Path

    net = bayesdx.load_network("marrow_signal")
    engine = bayesdx.compile_network(net)
    cases = [bayesdx.normalise(net, c).states for c in (CASE, {"hb": 13.5})]
    folder = Path(tempfile.mkdtemp())
    (folder / "in.csv").write_text("hb,smear\n10.4,rouleaux\n13.1,normal\n")
    summary = bayesdx.score_csv(net, folder / "in.csv", folder / "out.csv")
    return {"BatchResult": engine.evaluate(engine.encode(cases)), "ScoreSummary": summary}


RESULTS = _build()
BATCH = _batch_results()


def test_every_public_result_class_is_checked():
    public = {
        name
        for module in RESULT_MODULES
        for name in importlib.import_module(module).__all__
        if inspect.isclass(getattr(importlib.import_module(module), name))
    }
    assert public == set(RESULTS) - set(BATCH)
    for name, result in RESULTS.items():
        assert type(result).__name__ == name


RESULTS.update(BATCH)


@pytest.mark.parametrize("name", list(RESULTS))
def test_to_dict_is_json(name):
    d = RESULTS[name].to_dict()
    assert isinstance(d, dict) and d
    json.dumps(d, allow_nan=False)


@pytest.mark.parametrize("name", list(RESULTS))
def test_to_frame_is_a_dataframe(name):
    frame = RESULTS[name].to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) > 0


@pytest.mark.parametrize("name", list(RESULTS))
def test_text_and_html(name):
    result = RESULTS[name]
    text, page = str(result), result._repr_html_()
    assert isinstance(text, str) and text.strip()
    assert isinstance(page, str) and page.startswith("<div")
    if name not in NOT_ABOUT_A_PATIENT:
        assert text.rstrip().endswith(DISCLAIMER)
        assert DISCLAIMER in page


PLOTTED = [n for n, r in RESULTS.items() if hasattr(r, "plot")]


def test_the_pictures_that_help_are_there():
    assert set(PLOTTED) == {
        "Posterior",
        "Recommendation",
        "Explanation",
        "SensitivityReport",
        "UncertaintyReport",
        "CalibrationReport",
        "Validation",
        "DecisionCurve",
        "CaseValidation",
        "BatchResult",
    }


@pytest.mark.parametrize("name", PLOTTED)
def test_plot_parameters_are_keyword_only(name):
    params = list(inspect.signature(type(RESULTS[name]).plot).parameters.values())
    assert params[0].name == "self"
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:])
    assert "ax" in [p.name for p in params[1:]]
    assert inspect.signature(type(RESULTS[name]).plot).parameters["ax"].default is None


def _forbid_inference(monkeypatch):
    """Make every inference entry point raise, wherever a module imported it from."""

    def refuse(*args, **kwargs):
        raise AssertionError("a plot ran inference")

    import bayesdx.inference

    names = {"query", "marginals", "posteriors", "solve", "compile_network"}
    engines = {getattr(bayesdx.inference, n, None) for n in names} - {None}
    engines |= {getattr(sys.modules["bayesdx.inference._ve"], n, None) for n in names} - {None}
    for module in [m for k, m in sys.modules.items() if k.startswith("bayesdx")]:
        for attr, value in list(vars(module).items()):
            if callable(value) and any(value is e for e in engines):
                monkeypatch.setattr(module, attr, refuse)


@pytest.mark.parametrize(
    ("name", "options"),
    [(n, o) for n in PLOTTED for o in PLOT_OPTIONS.get(n, [{}])],
    ids=[f"{n}-{o}" for n in PLOTTED for o in PLOT_OPTIONS.get(n, [{}])],
)
def test_plot_only_draws_and_returns_the_axes(monkeypatch, name, options):
    _forbid_inference(monkeypatch)
    ax = RESULTS[name].plot(**options)
    assert isinstance(ax, Axes)
    plt.close(ax.figure)
    fig, given = plt.subplots()
    assert RESULTS[name].plot(ax=given, **options) is given
    plt.close(fig)


def test_forbidding_inference_works(monkeypatch):
    _forbid_inference(monkeypatch)
    net = bayesdx.load_network("marrow_signal")
    with pytest.raises(AssertionError, match="ran inference"):
        bayesdx.query(net, CASE)
