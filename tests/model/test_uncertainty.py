"""Uncertainty of distribution entries: counts, expert ranges, effective sample sizes."""

import numpy as np
import pytest
from scipy import stats

from bayesdx.model import Uncertainty, beta_interval


def test_counts_are_jeffreys_beta():
    u = Uncertainty("counts", p=(0.567, 0.433), focus=1, counts=(34, 26))
    assert u.alpha.tolist() == [34.5, 26.5]
    lo, hi = u.interval()
    assert (lo, hi) == pytest.approx(stats.beta.ppf([0.025, 0.975], 26.5, 34.5), abs=1e-12)


@pytest.mark.parametrize(
    ("p", "lo", "hi"), [(0.73, 0.6, 0.85), (0.1, 0.02, 0.3), (0.5, 0.2, 0.8), (0.02, 0.005, 0.08)]
)
def test_range_fit_keeps_mean_and_matches_interval(p, lo, hi):
    u = Uncertainty("range", p=(1 - p, p), focus=1, bounds=(lo, hi))
    a = u.alpha
    assert a[1] / a.sum() == pytest.approx(p, abs=1e-12)
    got = u.interval()
    # a one-parameter fit cannot hit both ends of an asymmetric range; it gets close
    assert got[0] == pytest.approx(lo, abs=0.03)
    assert got[1] == pytest.approx(hi, abs=0.03)


def test_ess_and_structural_zeros(rng):
    u = Uncertainty("ess", p=(0.5, 0.0, 0.5), focus=0, ess=10)
    assert u.alpha.tolist() == [5.0, 0.0, 5.0]
    assert u.concentration == 10


def test_beta_interval_matches_scipy(rng):
    for a, b in rng.uniform(0.3, 50, size=(5, 2)):
        assert beta_interval(a, b) == pytest.approx(stats.beta.ppf([0.025, 0.975], a, b), abs=1e-10)
    assert np.isfinite(beta_interval(0.5, 0.5)).all()


def test_beta_cdf_matches_scipy(rng):
    from bayesdx.model import beta_cdf

    for a, b in rng.uniform(0.3, 400, size=(40, 2)):
        for x in rng.uniform(0, 1, size=5):
            assert beta_cdf(x, a, b) == pytest.approx(stats.beta.cdf(x, a, b), abs=1e-10)
    assert beta_cdf(0.0, 2, 3) == 0.0 and beta_cdf(1.0, 2, 3) == 1.0
