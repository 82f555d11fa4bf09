"""Metrics and decision curves, checked against scikit-learn and dcurves."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from bayesdx.validation import net_benefit, validate


@pytest.fixture
def data(rng):
    y = rng.integers(0, 2, 500)
    p = np.clip(0.25 * y + rng.uniform(0, 0.75, 500), 0, 1)
    rule = (rng.uniform(size=500) < 0.3 + 0.4 * y).astype(int)
    return y, p, rule


def test_net_benefit_equals_dcurves(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import dcurves

        y, p, rule = data
        frame = pd.DataFrame({"y": y, "p": p, "rule": rule})
        thresholds = np.array([0.05, 0.1, 0.25, 0.4, 0.47, 0.6, 0.8])
        ref = dcurves.dca(data=frame, outcome="y", modelnames=["p", "rule"], thresholds=thresholds)
    curve = validate("x", y, p, {"rule": rule}).decision_curve(thresholds)
    names = {"p": "posterior threshold", "rule": "rule", "all": "biopsy all", "none": "biopsy none"}
    for model, ours in names.items():
        theirs = ref[ref.model == model].sort_values("threshold").net_benefit.to_numpy()
        np.testing.assert_allclose(curve.curves[ours], theirs, atol=1e-12, err_msg=model)


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
