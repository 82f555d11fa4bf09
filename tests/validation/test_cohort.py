"""Simulated cohorts: sampling matches the network, and the network is calibrated on itself."""

from __future__ import annotations

import numpy as np
import pytest

from bayesdx.inference import query
from bayesdx.validation import observed_variables, score, simulate


@pytest.fixture(scope="module")
def cohort(marrow):
    return simulate(marrow, 20000, np.random.default_rng(11))


def test_sampled_frequencies_match_the_network(marrow, cohort):
    node, members = marrow.groups["neoplasm"]
    share = cohort[node].isin(members).mean()
    p = query(marrow).groups["neoplasm"]
    se = np.sqrt(p * (1 - p) / len(cohort))
    assert abs(share - p) < 4 * se
    for state, prob in query(marrow, targets="hb")["hb"].items():
        se = np.sqrt(prob * (1 - prob) / len(cohort))
        assert abs((cohort["hb"] == state).mean() - prob) < 4 * se
    assert set(cohort["setting"]) == {"biopsy_referral"}  # the default is the context


def test_scores_equal_queries(marrow, cohort):
    node, members = marrow.groups["neoplasm"]
    observed = ["hb", "m_protein", "chemical_shift", "age"]
    head = cohort.head(25)
    p = score(marrow, head, node, members, observed)
    for i, row in enumerate(head[observed].to_dict("records")):
        assert p[i] == pytest.approx(query(marrow, row).groups["neoplasm"], abs=1e-12)


def test_the_network_is_calibrated_on_its_own_cohort(marrow, cohort):
    node, members = marrow.groups["neoplasm"]
    y = cohort[node].isin(members).to_numpy()
    p = score(marrow, cohort, node, members, observed_variables(marrow))
    order = np.argsort(p)
    for chunk in np.array_split(order, 8):  # quantile bins
        pred, obs = p[chunk].mean(), y[chunk].mean()
        se = np.sqrt(max(pred * (1 - pred), 1e-4) / chunk.size)
        assert abs(obs - pred) < 4 * se + 0.005, (pred, obs)


def test_misspecified_tables_change_the_cohort(marrow):
    rng = np.random.default_rng(3)
    truth = {"disease_class": np.array([[0.1, 0.9], [0.1, 0.9]])}  # base rate 0.1
    df = simulate(marrow, 5000, rng, tables=truth)
    assert abs((df["disease_class"] == "neoplasm").mean() - 0.1) < 0.02
