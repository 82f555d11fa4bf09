"""Cohort mode: every row scored as a single query would score it, bad rows never dropped."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

from bayesdx import load_network, query
from bayesdx.display import Progress
from bayesdx.errors import (
    ArgumentError,
    BayesdxError,
    CaseFileError,
    RowError,
    UnknownVariableError,
)
from bayesdx.inference import certain_states, score_csv, score_frame
from bayesdx.model import implied_states, normalise


def _single(net, case: dict, target: str = "diagnosis") -> dict[str, float]:
    case = {k: v for k, v in case.items() if not (v is None or v == "" or v != v)}
    post = query(net, case, targets=[target])
    return {f"{target}={s}": p for s, p in post.distributions[target].items()}


def _single_error(net, case: dict) -> str:
    with pytest.raises(BayesdxError) as info:
        normalise(net, case)
    return str(info.value)


CASES = pd.DataFrame(
    {
        "age": [67, None, 35, 50.5],
        "hb": ["10.4", "", "ge_12", "13"],
        "m_protein": ["present", None, "absent", ""],
        "calcium": [11.6, np.nan, 9.0, np.nan],
        "chemical_shift": ["0.97", "drop", "", "retention"],
    }
)


def test_rows_equal_single_queries(marrow):
    out = score_frame(marrow, CASES)
    assert list(out.columns[: len(CASES.columns)]) == list(CASES.columns)
    pd.testing.assert_frame_equal(out[CASES.columns], CASES)
    for i, row in CASES.iterrows():
        expected = _single(marrow, row.to_dict())
        for col, p in expected.items():
            assert out.loc[i, col] == pytest.approx(p, abs=1e-12)
        single = query(marrow, {k: v for k, v in row.items() if not pd.isna(v) and v != ""})
        assert out.loc[i, "group:neoplasm"] == pytest.approx(single.groups["neoplasm"], abs=1e-12)
        assert out.loc[i, "group:benign"] == pytest.approx(single.groups["benign"], abs=1e-12)


def test_defaults_fill_unobserved(marrow):
    out = score_frame(marrow, pd.DataFrame({"setting": ["", "incidental"]}))
    # nothing given: the referral base rate, P(disease_class = neoplasm | biopsy_referral),
    # the pooled biopsy yield 27/102
    referral = marrow.states["setting"].index("biopsy_referral")
    base = marrow.cpts["disease_class"][referral, marrow.states["disease_class"].index("neoplasm")]
    assert out.loc[0, "group:neoplasm"] == pytest.approx(base, abs=1e-12)
    assert out.loc[0, "group:neoplasm"] == pytest.approx(27 / 102, abs=5e-4)
    assert out.loc[1, "group:neoplasm"] == pytest.approx(
        query(marrow, {"setting": "incidental"}).groups["neoplasm"], abs=1e-12
    )


def test_targets_and_groups_columns(marrow):
    out = score_frame(marrow, CASES, targets=["marrow_process"])
    states = marrow.states["marrow_process"]
    assert [c for c in out.columns if "=" in c] == [f"marrow_process={s}" for s in states]
    assert {"group:neoplasm", "group:benign"} <= set(out.columns)  # computed all the same
    np.testing.assert_allclose(out[[f"marrow_process={s}" for s in states]].sum(axis=1), 1.0)


def test_numeric_columns_match_normalise(marrow, rng):
    hb = np.round(rng.uniform(2, 25, size=500), 2)
    targets = ["hb", "hb_level"]
    as_float = score_frame(marrow, pd.DataFrame({"hb": hb}), targets=targets)
    as_text = score_frame(marrow, pd.DataFrame({"hb": [str(v) for v in hb]}), targets=targets)
    pd.testing.assert_frame_equal(as_float.drop(columns="hb"), as_text.drop(columns="hb"))
    for i, v in enumerate(hb[:50]):
        given = normalise(marrow, {"hb": float(v)}).given  # a raw hb is read by hb_level
        assert as_float["hb=lt_12"][i] == float(given["hb"] == "lt_12")
        for s in marrow.states["hb_level"]:
            assert as_float[f"hb_level={s}"][i] == float(given["hb_level"] == s)


def test_bad_cell_raises_with_line_and_column(marrow):
    bad = pd.DataFrame({"m_protein": ["present", "absent"], "hb": [10.0, 120.0]})
    with pytest.raises(RowError) as info:
        score_frame(marrow, bad)
    # a raw hb is read by hb_level's measure; the message is the single case's
    assert str(info.value) == "line 3, column hb: " + _single_error(marrow, {"hb": 120.0})
    assert "120 g/dL is outside the plausible range 2 to 25 g/dL" in str(info.value)
    assert (info.value.line, info.value.column) == (3, "hb")
    assert isinstance(info.value, BayesdxError)


def test_bad_state_text(marrow):
    with pytest.raises(RowError, match="line 2, column rouleaux: unknown state 'weird'"):
        score_frame(marrow, pd.DataFrame({"rouleaux": ["weird"]}))
    # a first-edition column (smear, read by legacy rules) with a value no rule reads
    with pytest.raises(RowError) as info:
        score_frame(marrow, pd.DataFrame({"smear": ["rouleaux", "weird"]}))
    assert str(info.value) == "line 3, column smear: " + _single_error(marrow, {"smear": "weird"})


def test_skip_writes_the_error_and_blanks_the_row(marrow):
    bad = pd.DataFrame({"hb": ["10", "banana", "13"], "smear": ["normal", "normal", "weird"]})
    out = score_frame(marrow, bad, on_error="skip")
    assert len(out) == 3
    assert out["error"][0] == ""
    assert out["error"][1].startswith("column hb: unknown state 'banana' for variable 'hb'")
    assert out["error"][2] == "column smear: " + _single_error(marrow, {"smear": "weird"})
    assert out.loc[[1, 2], "group:neoplasm"].isna().all()
    single = query(marrow, {"hb": "10", "smear": "normal"}).groups["neoplasm"]
    assert out.loc[0, "group:neoplasm"] == pytest.approx(single, abs=1e-12)
    assert out.loc[0, "group:neoplasm"] > 0


def test_impossible_row(tiny_doc, write_doc):
    from helpers import node

    row = node(tiny_doc, "test")["cpt"]["table"][0]
    row.update({"p": {"pos": 1.0}, "range": [0.9, 1.0], "source": "expert"})
    row.pop("counts")
    node(tiny_doc, "test")["cpt"]["table"][1].update({"p": {"pos": 1.0}, "range": [0.9, 1.0]})
    net = load_network(write_doc(tiny_doc))
    cases = pd.DataFrame({"test": ["pos", "neg", ""]})
    with pytest.raises(RowError, match=r"^line 3: the evidence test=neg, exposure=no has "
                       "probability zero"):  # fmt: skip
        score_frame(net, cases)
    out = score_frame(net, cases, on_error="skip")
    assert out["error"].tolist()[0] == "" and out["error"][1].startswith("the evidence test=neg")
    assert np.isnan(out.loc[1, "disease=d1"])
    assert out.loc[0, "disease=d1"] == pytest.approx(0.3)  # test=pos is certain either way


def test_unknown_column_and_passthrough(marrow):
    frame = pd.DataFrame({"patient": ["a", "b"], "hb": [10, 13]})
    with pytest.raises(UnknownVariableError, match="unknown variable 'patient'"):
        score_frame(marrow, frame)
    out = score_frame(marrow, frame, passthrough=["patient"])
    assert out["patient"].tolist() == ["a", "b"]


def test_bad_on_error(marrow):
    with pytest.raises(ArgumentError, match="on_error must be 'raise' or 'skip'"):
        score_frame(marrow, CASES, on_error="ignore")


def test_numeric_state_names(tmp_path):
    # BIF files often name states 0 and 1; a float column (1.0) still reads as state "1"
    bif = tmp_path / "two.bif"
    bif.write_text(
        "network two {}\n"
        "variable a { type discrete [ 2 ] { 0, 1 }; }\n"
        "variable b { type discrete [ 2 ] { 0, 1 }; }\n"
        "probability ( a ) { table 0.4, 0.6; }\n"
        "probability ( b | a ) { (0) 0.9, 0.1; (1) 0.2, 0.8; }\n"
    )
    net = load_network(bif)
    out = score_frame(net, pd.DataFrame({"b": [1.0, np.nan, 0.0]}), targets=["a"])
    assert out["a=1"][0] == pytest.approx(0.6 * 0.8 / (0.6 * 0.8 + 0.4 * 0.1))
    assert out["a=1"][1] == pytest.approx(0.6)


def test_score_csv(marrow, tmp_path):
    src, dst = tmp_path / "cases.csv", tmp_path / "out.csv"
    CASES.to_csv(src, index=False)
    summary = score_csv(marrow, src, dst, chunk_rows=3, progress=False)
    assert (summary.rows, summary.errors) == (4, 0)
    assert summary.to_dict()["output"] == str(dst)
    assert str(summary).startswith("scored 4 rows of ")
    out = pd.read_csv(dst)
    ref = score_frame(marrow, CASES)
    np.testing.assert_allclose(out["group:neoplasm"], ref["group:neoplasm"], atol=1e-12)
    assert list(out.columns) == list(ref.columns)


def test_score_csv_line_numbers_across_chunks(marrow, tmp_path):
    src, dst = tmp_path / "cases.csv", tmp_path / "out.csv"
    src.write_text("hb,smear\n10,normal\n11,normal\n12,normal\n13,weird\n14,normal\n")
    message = "column smear: " + _single_error(marrow, {"smear": "weird"})
    with pytest.raises(RowError, match=r"cases.csv line 5, " + re.escape(message) + "$"):
        score_csv(marrow, src, dst, chunk_rows=2)
    assert not dst.exists() and not (tmp_path / "out.csv.part").exists()
    summary = score_csv(marrow, src, dst, on_error="skip", chunk_rows=2)
    assert (summary.rows, summary.errors) == (5, 1)
    assert "; 1 row has an error (see the error column)" in str(summary)
    out = pd.read_csv(dst, keep_default_na=False)
    assert out["error"].tolist()[3] == message
    assert out["group:neoplasm"][3] == ""


def test_score_csv_missing_and_empty(marrow, tmp_path):
    with pytest.raises(CaseFileError, match="cannot read cases from"):
        score_csv(marrow, tmp_path / "nope.csv", tmp_path / "out.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CaseFileError, match="is empty"):
        score_csv(marrow, empty, tmp_path / "out.csv")
    header = tmp_path / "header.csv"
    header.write_text("hb,smear\n")
    assert score_csv(marrow, header, tmp_path / "out.csv").rows == 0
    assert "group:neoplasm" in pd.read_csv(tmp_path / "out.csv").columns


def test_empty_frame(marrow):
    for frame in (
        pd.DataFrame({"hb": [], "smear": []}),
        pd.DataFrame({"hb": pd.Series([], dtype=float)}),
    ):
        out = score_frame(marrow, frame, on_error="skip")
        assert len(out) == 0 and "group:neoplasm" in out.columns


def test_progress_bar(marrow, tmp_path, capsys):
    src, dst = tmp_path / "cases.csv", tmp_path / "out.csv"
    CASES.to_csv(src, index=False)
    score_csv(marrow, src, dst, progress=True)
    err = capsys.readouterr().err
    assert "bayesdx batch [" in err and "4/4 cases" in err
    stream = io.StringIO()
    bar = Progress(10, enabled=False, stream=stream)
    bar(10)
    bar.close()
    assert stream.getvalue() == ""


def test_large_frame_is_vectorised(marrow, rng):
    n = 20_000
    frame = pd.DataFrame(
        {
            "hb": rng.uniform(5, 16, n).round(1),
            "age": rng.integers(18, 90, n),
            "m_protein": rng.choice(["present", "absent", ""], n),
            "chemical_shift": rng.uniform(0.5, 1.2, n),
        }
    )
    out = score_frame(marrow, frame)
    assert out["group:neoplasm"].notna().all()
    i = 1234
    single = query(marrow, {k: v for k, v in frame.iloc[i].items() if v != ""})
    assert out["group:neoplasm"][i] == pytest.approx(single.groups["neoplasm"], abs=1e-12)


def test_many_text_numbers_with_bad_cells(marrow):
    values = [f"{v:.2f}" for v in np.linspace(5, 16, 100)] + ["banana", "120", " 11.5 ", "lt_12"]
    frame = pd.DataFrame({"hb": values})
    out = score_frame(marrow, frame, targets=["hb", "hb_level"], on_error="skip")
    assert out["error"][100].startswith("column hb: unknown state 'banana'")
    assert out["error"][101] == "column hb: " + _single_error(marrow, {"hb": "120"})
    assert "120 g/dL is outside the plausible range 2 to 25 g/dL" in out["error"][101]
    assert out["hb=lt_12"][102] == 1.0 and out["hb=lt_12"][103] == 1.0
    assert out["hb_level=lt_12"][102] == 1.0  # 11.5 g/dL, read by hb_level
    assert out["hb_level=lt_12"][103] == 1.0  # hb = lt_12 (a state id) implies hb_level
    hb = np.linspace(5, 16, 100).round(2)
    assert (out["hb=lt_12"][:100] == (hb < 12)).all()
    assert (out["hb_level=12_to_13"][:100] == ((hb >= 12) & (hb < 13))).all()
    assert (out["hb_level=ge_13"][:100] == (hb >= 13)).all()


def test_score_csv_keeps_cells_as_written(marrow, tmp_path):
    src, dst = tmp_path / "cases.csv", tmp_path / "out.csv"
    src.write_text("age,hb\n67,10.40\n,\n")
    score_csv(marrow, src, dst)
    lines = dst.read_text().splitlines()
    assert lines[1].startswith("67,10.40,") and lines[2].startswith(",,")


def test_a_row_with_several_bad_cells_names_the_leftmost(marrow):
    # hb is read after the direct columns (its numbers go to hb_level), but its error is
    # still the one reported when it is the first bad column of the row
    frame = pd.DataFrame({"hb": ["banana", "10"], "rouleaux": ["weird", "weird"]})
    out = score_frame(marrow, frame, on_error="skip")
    assert out["error"][0] == "column hb: " + _single_error(marrow, {"hb": "banana"})
    assert out["error"][1].startswith("column rouleaux: unknown state 'weird'")
    swapped = score_frame(marrow, frame[["rouleaux", "hb"]], on_error="skip")
    assert swapped["error"][0].startswith("column rouleaux: unknown state 'weird'")
    with pytest.raises(RowError, match=r"^line 2, column hb: "):
        score_frame(marrow, frame)


def test_certain_states_are_what_each_row_gives_implies_or_assumes(marrow):
    rows = [{"hb": 11.4}, {"m_protein": "present", "setting": "incidental"}, {}]
    x = certain_states(marrow, score_frame(marrow, pd.DataFrame(rows), targets="all"))
    for row, got in zip(rows, x, strict=True):
        ev = normalise(marrow, row)
        expected = implied_states(marrow, {**ev.given, **ev.assumed})
        shown = {
            v: marrow.states[v][k] for v, k in zip(marrow.variables, got, strict=True) if k >= 0
        }
        assert shown == expected
