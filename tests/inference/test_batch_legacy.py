"""Batch scoring reads an earlier edition's columns and raw values as single cases do."""

from __future__ import annotations

import pandas as pd
import pytest

import bayesdx
from bayesdx.errors import RowError

from helpers import legacy_network


@pytest.fixture
def net(tmp_path):
    return legacy_network(tmp_path)


def test_rows_equal_single_cases(net):
    frame = pd.DataFrame(
        {
            "old_test": ["positive", "negative", "negative", "", "positive"],
            "exposure": ["no", "yes", "", "yes", ""],
            "coarse": [4.0, 12.5, None, 25.0, None],
        }
    )
    text = frame.assign(coarse=["4", "12.5", "lt_10", "ge_10", ""])
    for cases in (frame, text):
        out = bayesdx.score_frame(net, cases)
        for i, row in cases.iterrows():
            case = {k: v for k, v in row.items() if not pd.isna(v) and v != ""}
            single = bayesdx.query(net, case)
            assert out.loc[i, "group:sick"] == pytest.approx(single.groups["sick"], abs=1e-12)


def test_an_unreadable_legacy_value_names_its_row_and_column(net):
    with pytest.raises(RowError, match=r"line 3, column old_test: .*old_test"):
        bayesdx.score_frame(net, pd.DataFrame({"old_test": ["positive", "maybe"]}))
    out = bayesdx.score_frame(
        net, pd.DataFrame({"old_test": ["positive", "maybe"]}), on_error="skip"
    )
    assert out["error"].tolist()[0] == "" and "old_test" in out["error"].tolist()[1]


def test_a_bad_raw_value_says_what_is_valid(net):
    out = bayesdx.score_frame(net, pd.DataFrame({"coarse": ["250", "high-ish"]}), on_error="skip")
    first, second = out["error"].tolist()
    assert "outside the plausible range" in first
    assert "unknown state" in second and "ge_10" in second
