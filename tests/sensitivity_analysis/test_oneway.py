"""Sensitivity functions are exact: checked against brute-force recomputation."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bayesdx.errors import BayesdxError, UnknownParameterError
from bayesdx.inference import marginals
from bayesdx.model import network_parameters, resolve_hypothesis, table_with
from bayesdx.sensitivity_analysis import sensitivity

CASE = {"age": 58, "hb": 11.4, "chemical_shift": "drop"}
STATES = {"age": "40_to_59", "hb": "lt_12", "chemical_shift": "drop", "setting": "biopsy_referral"}


def brute(net, parameter, x, states=STATES, target="neoplasm"):
    h = resolve_hypothesis(net, target)
    dist, _ = marginals(net, states, [h.node], {parameter.node: table_with(net, parameter, x)})
    return h.probability(dist[h.node])


@pytest.fixture(scope="module")
def report(marrow):
    return sensitivity(marrow, CASE)


def test_functions_are_exact(marrow, report, rng):
    for f in report.one_way[:6] + report.one_way[-3:]:
        for x in rng.uniform(0.01, 0.99, size=4):
            assert f(x) == pytest.approx(brute(marrow, f.parameter, x), abs=1e-10)


def test_every_parameter_at_its_value_gives_the_posterior(report):
    for f in report.one_way:
        assert f(f.value) == pytest.approx(report.posterior, abs=1e-10), f.parameter.id


def test_derivative_matches_finite_difference(marrow, report):
    f = report.one_way[0]
    eps = 1e-6
    fd = brute(marrow, f.parameter, f.value + eps) - brute(marrow, f.parameter, f.value - eps)
    assert f.derivative == pytest.approx(fd / (2 * eps), rel=1e-5)


def test_posterior_range_is_f_over_the_parameter_range(marrow, report):
    f = report.one_way[0]
    lo, hi = f.parameter.range
    ends = sorted([brute(marrow, f.parameter, lo), brute(marrow, f.parameter, hi)])
    assert list(f.posterior_range) == pytest.approx(ends, abs=1e-10)
    assert report.one_way == sorted(report.one_way, key=lambda g: -g.swing)


def test_flip_points_flip_the_verdict(marrow, report):
    policy = report.policy
    flips = [f for f in report.one_way if f.flip_at is not None]
    assert flips
    for f in flips[:5]:
        before = policy.verdict(report.posterior)
        step = 1e-6 if f.flip_at > f.value else -1e-6
        assert policy.verdict(brute(marrow, f.parameter, f.flip_at + step)) != before
        assert policy.verdict(brute(marrow, f.parameter, f.flip_at - step)) == before
    smallest = report.smallest_flip
    assert all(abs(smallest.flip_at - smallest.value) <= abs(f.flip_at - f.value) for f in flips)


def test_prior_sweep_matches_changing_the_base_rate(marrow, report):
    (base,) = [
        p
        for p in network_parameters(marrow)
        if p.id == "disease_class[setting=biopsy_referral].neoplasm"
    ]
    for point in report.prior_sweep[::3]:
        assert point.posterior == pytest.approx(brute(marrow, base, point.base_rate), abs=1e-10)
    # the base rate at which the verdict flips is where the base-rate parameter flips
    f = next(g for g in report.one_way if g.parameter.id == base.id)
    assert report.base_rate_flip == pytest.approx(f.flip_at, abs=1e-9)


def test_tiny_analytic(tiny):
    # the free parameter of the binary prior is y = P(d2) (both states listed: focus d2);
    # P(d1 | pos) = 0.9 (1 - y) / (0.9 (1 - y) + 0.2 y)
    rep = sensitivity(tiny, {"test": "pos"}, hypothesis="d1", parameters=["disease[prior].d2"])
    f = rep.one_way[0]
    for y in (0.1, 0.7, 0.93):
        assert f(y) == pytest.approx(0.9 * (1 - y) / (0.9 * (1 - y) + 0.2 * y), abs=1e-12)
    # d1 is the decision target (group sick = {d1}, band 0.4-0.5): now 0.66, recommended;
    # it falls to the upper edge 0.5 where 0.9 (1 - y) = 0.5 (0.9 (1 - y) + 0.2 y): y = 0.45/0.55
    assert f.flip_at == pytest.approx(0.45 / 0.55, abs=1e-12)


def test_views(report):
    d = report.to_dict()
    assert set(d) >= {"target", "posterior", "one_way", "prior_sweep", "psa"}
    item = d["one_way"][0]
    assert set(item) >= {"parameter", "value", "derivative", "range", "posterior_range", "flip_at"}
    assert set(d["prior_sweep"][0]) == {"base_rate", "posterior", "verdict"}
    assert len(report.to_frame()) == len(report.one_way)
    assert "Smallest single change" in str(report)
    for kind in ("tornado", "prior"):
        ax = report.plot(kind=kind)
        plt.close(ax.figure)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"parameters": ["hb[diagnosis=myeloma].lt_12"]},
            UnknownParameterError,
            "unknown parameter 'hb\\[diagnosis=myeloma\\].lt_12'; did you mean",
        ),
        ({"base_rates": (0.2, 1.5)}, BayesdxError, r"must lie within \[0, 1\]"),
        ({"base_rates": (0.6, 0.2)}, BayesdxError, "needs low < high"),
    ],
)
def test_bad_inputs(marrow, kwargs, error, message):
    with pytest.raises(error, match=message):
        sensitivity(marrow, CASE, **kwargs)


def test_parameter_ids_are_unique(marrow):
    ids = [p.id for p in network_parameters(marrow)]
    assert len(ids) == len(set(ids))
    assert all(" " not in i for i in ids)
    np.testing.assert_array_less(-1e-12, [p.value for p in network_parameters(marrow)])


def test_batch_on_the_draw_axis_equals_single_queries(marrow, report):
    # the coefficients from one batch equal those of two single queries per parameter
    h = resolve_hypothesis(marrow, "neoplasm")
    for f in report.one_way[:8] + report.one_way[-4:]:
        p = f.parameter
        x0 = p.value
        x1 = x0 + 0.5 if x0 < 0.5 else x0 - 0.5
        joint = []
        for x in (x0, x1):
            dist, p_e = marginals(marrow, STATES, [h.node], {p.node: table_with(marrow, p, x)})
            joint.append((h.probability(dist[h.node]) * p_e, p_e))
        (n0, d0), (n1, d1) = joint
        a, c = (n1 - n0) / (x1 - x0), (d1 - d0) / (x1 - x0)
        expected = [a, n0 - a * x0, c, d0 - c * x0]
        assert [f.a, f.b, f.c, f.d] == pytest.approx(expected, rel=1e-12, abs=1e-15), p.id


def test_batches_of_parameters_give_the_same_functions(marrow, monkeypatch):
    import bayesdx.sensitivity_analysis._oneway as oneway

    h = resolve_hypothesis(marrow, "neoplasm")
    params = network_parameters(marrow)[:30]
    whole = oneway.sensitivity_functions(marrow, STATES, h, params)
    monkeypatch.setattr(oneway, "_DRAW_FLOATS", 1)  # one parameter per batch
    split = oneway.sensitivity_functions(marrow, STATES, h, params)
    assert [f.parameter.id for f in split] == [p.id for p in params]
    for f, g in zip(whole, split, strict=True):
        assert [f.a, f.b, f.c, f.d] == pytest.approx([g.a, g.b, g.c, g.d], rel=1e-12, abs=1e-15)
