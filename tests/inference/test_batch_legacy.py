"""Batch scoring reads an earlier edition's columns and raw values as single cases do."""

from __future__ import annotations

import pandas as pd
import pytest

import bayesdx
from bayesdx.errors import BayesdxError, RowError

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


def _single(net, case: dict) -> tuple[float, dict[str, float]] | str:
    try:
        post = bayesdx.query(net, case, targets=["diagnosis", "hb_level"])
    except BayesdxError as exc:
        return str(exc)
    return post.groups["neoplasm"], post.distributions["hb_level"]


def test_marrow_first_and_second_edition_columns_mixed(marrow):
    # first-edition columns (a raw hb, smear) beside second-edition ones, in either column
    # order: an empty hb_level cell keeps what a raw hb read, a different hb_level contradicts
    frame = pd.DataFrame(
        {
            "hb": ["12.6", "10.4", 13.5, "ge_12", "", "12.0", "12.6", "9", "12.6"],
            "smear": ["normal", "rouleaux", "", "blasts", "dysplasia", "rouleaux", "", "", ""],
            "hb_level": ["", "", "", "", "12_to_13", "", "ge_13", "lt_12", "12_to_13"],
            "rouleaux": ["", "absent", "present", "", "", "", "", "", ""],
            "sex": ["male", "", "female", "male", "", "female", "male", "", ""],
            "setting": ["", "symptomatic", "incidental", "", "", "biopsy_referral", "", "", ""],
        }
    )
    for columns in (list(frame.columns), list(frame.columns)[::-1]):
        cases = frame[columns]
        out = bayesdx.score_frame(marrow, cases, targets=["diagnosis", "hb_level"], on_error="skip")
        for i, row in cases.iterrows():
            single = _single(marrow, {k: v for k, v in row.items() if v != ""})
            if i == 6:  # hb = 12.6 reads as hb_level = 12_to_13, not ge_13
                assert isinstance(single, str) and "probability zero" in single
            if isinstance(single, str):
                assert out.loc[i, "error"] == single
                assert pd.isna(out.loc[i, "group:neoplasm"])
                continue
            assert out.loc[i, "error"] == ""
            assert out.loc[i, "group:neoplasm"] == pytest.approx(single[0], abs=1e-12)
            for s, p in single[1].items():
                assert out.loc[i, f"hb_level={s}"] == pytest.approx(p, abs=1e-12)
    with pytest.raises(RowError, match=r"^line 8: the evidence hb_level=ge_13, hb=12.6 g/dL"):
        bayesdx.score_frame(marrow, frame)
