"""Metrics and decision curves, checked against scikit-learn and dcurves' recorded output."""

from __future__ import annotations

import json

import matplotlib

from helpers import DATA

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bayesdx.validation import net_benefit, validate


@pytest.fixture
def data(rng):
    y = rng.integers(0, 2, 500)
    p = np.clip(0.25 * y + rng.uniform(0, 0.75, 500), 0, 1)
    rule = (rng.uniform(size=500) < 0.3 + 0.4 * y).astype(int)
    return y, p, rule


# dcurves caps pandas below 3, so the suite does not install it: its output for the `data`
# inputs is recorded in DCURVES, with the dcurves and pandas versions it came from. That
# file's "how" field is the one-liner that regenerates it in a throwaway venv with dcurves.
DCURVES = DATA / "dcurves_net_benefit.json"


def test_net_benefit_equals_dcurves(data):
    ref = json.loads(DCURVES.read_text())
    y, p, rule = data
    # the recorded inputs are this suite's `data`, so the record stays tied to the fixture
    np.testing.assert_array_equal(ref["inputs"]["y"], y)
    np.testing.assert_array_equal(ref["inputs"]["p"], p)
    np.testing.assert_array_equal(ref["inputs"]["rule"], rule)
    thresholds = np.array(ref["thresholds"])
    curve = validate("x", y, p, {"rule": rule}).decision_curve(thresholds)
    names = {"p": "posterior threshold", "rule": "rule", "all": "biopsy all", "none": "biopsy none"}
    assert set(ref["net_benefit"]) == set(names)
    for model, ours in names.items():
        theirs = np.array(ref["net_benefit"][model])
        assert theirs.shape == thresholds.shape
        np.testing.assert_allclose(curve.curves[ours], theirs, rtol=0, atol=1e-12, err_msg=model)


def test_by_hand():
    # 2 true positives, 1 false positive in 4 patients, t = 0.2: 2/4 - 1/4 * 0.25
    y, decide = np.array([1, 1, 0, 0]), np.array([1, 1, 1, 0])
    assert net_benefit(y, decide, 0.2) == pytest.approx(0.5 - 0.25 * 0.25)


def test_metrics_match_sklearn(data):
    from sklearn.metrics import brier_score_loss, roc_auc_score

    y, p, _ = data
    v = validate("x", y, p)
    assert v.brier == pytest.approx(brier_score_loss(y, p))
    assert v.auc == pytest.approx(roc_auc_score(y, p))
    predicted, observed = v.reliability()
    assert len(predicted) == len(observed) <= 10
    assert set(v.to_dict()) >= {"brier", "auc", "reliability", "prevalence"}
    for ax in (v.plot(), v.decision_curve().plot()):
        plt.close(ax.figure)
