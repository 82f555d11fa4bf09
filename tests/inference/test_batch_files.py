"""Cohort files as written: every record is a case, lines are the file's own, clashes refused."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from bayesdx import query
from bayesdx.errors import ArgumentError, CaseFileError, LimitError, RowError
from bayesdx.inference import score_csv, score_frame


def _score(net, tmp_path, text: str | bytes, **kw):
    src = tmp_path / "cases.csv"
    if isinstance(text, bytes):
        src.write_bytes(text)
    else:
        src.write_text(text)
    out = tmp_path / "out.csv"
    summary = score_csv(net, src, out, **kw)
    return summary, pd.read_csv(out, dtype={"error": str}, keep_default_na=False)


def test_blank_line_is_an_empty_case(marrow, tmp_path):
    summary, out = _score(marrow, tmp_path, "hb\n10\n\n13\n")
    assert summary.rows == 3
    prior = query(marrow, {}).groups["neoplasm"]
    assert out["group:neoplasm"][1] == pytest.approx(prior, abs=1e-12)
    assert out["group:neoplasm"][2] == pytest.approx(
        query(marrow, {"hb": 13}).groups["neoplasm"], abs=1e-12
    )


def test_line_numbers_are_the_files_own(marrow, tmp_path):
    text = 'hb,note,m_protein\n10,,present\n\n12,"two\nlines",absent\n13,,nope\n200,,absent\n'
    with pytest.raises(RowError) as info:
        _score(marrow, tmp_path, text, passthrough=["note"])
    assert (info.value.line, info.value.column) == (6, "m_protein")  # the first bad row
    text = 'hb,m_protein\n10,"pre\nsent"\n11,nope\n'
    with pytest.raises(RowError) as info:
        _score(marrow, tmp_path, text)
    assert (info.value.line, info.value.column) == (2, "m_protein")
    text = 'hb,note\n10,"a\n\nb"\n\n300,x\n'
    with pytest.raises(RowError) as info:
        _score(marrow, tmp_path, text, passthrough=["note"])
    assert (info.value.line, info.value.column) == (6, "hb")


def test_line_numbers_across_chunks(marrow, tmp_path):
    text = "hb\n" + "10\n\n" * 5 + '"11"\n' + "bad\n"
    with pytest.raises(RowError) as info:
        _score(marrow, tmp_path, text, chunk_rows=3)
    assert info.value.line == 13


def test_invalid_utf8_late_in_the_file_names_its_line(marrow, tmp_path):
    text = b"hb\n" + b"10\n" * 5000 + b"\xff\xfe\n"
    with pytest.raises(CaseFileError, match="line 5002 is not UTF-8"):
        _score(marrow, tmp_path, text, chunk_rows=1000)
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("hb,hb", "column 'hb' appears twice"),
        ("hb,,m_protein", "column 2 of the header has no name"),
        ("hb,group:neoplasm", "input column 'group:neoplasm' has the name of an output column"),
        ("hb,diagnosis=mds", "input column 'diagnosis=mds'"),
    ],
)
def test_header_problems(marrow, tmp_path, header, message):
    passthrough = [c for c in header.split(",") if c not in ("hb", "")]
    with pytest.raises(CaseFileError, match=message):
        _score(marrow, tmp_path, f"{header}\n10,x,y\n", passthrough=passthrough)


def test_error_column_clashes_only_when_skip_writes_one(marrow, tmp_path):
    with pytest.raises(CaseFileError, match="input column 'error'"):
        _score(marrow, tmp_path, "hb,error\n10,x\n", passthrough=["error"], on_error="skip")
    _, out = _score(marrow, tmp_path, "hb,error\n10,x\n", passthrough=["error"])
    assert out["error"].tolist() == ["x"]


def test_frame_type_and_options(marrow):
    with pytest.raises(ArgumentError, match="DataFrame"):
        score_frame(marrow, {"hb": [10]})
    with pytest.raises(ArgumentError, match="network must be a bayesdx Network"):
        score_frame(None, pd.DataFrame({"hb": [10]}))


def test_input_must_be_a_regular_file(marrow, tmp_path):
    for src in ("/dev/zero", str(tmp_path)):
        with pytest.raises(CaseFileError, match="not a regular file"):
            score_csv(marrow, src, tmp_path / "out.csv")


def test_a_huge_cell_is_refused_at_its_line(marrow, tmp_path):
    with pytest.raises(RowError) as info:
        _score(marrow, tmp_path, "hb\n10\n" + "1" * 200_000 + "\n")
    assert info.value.line == 3 and "limit" in info.value.reason


@pytest.mark.parametrize("text", ["setting\n", "\ufeffsetting\n", "setting"])
def test_header_only_gives_the_header_once(marrow, tmp_path, text):
    summary, out = _score(marrow, tmp_path, text)
    assert summary.rows == 0 and len(out) == 0
    assert (tmp_path / "out.csv").read_text().count("setting") == 1


@pytest.mark.parametrize(
    ("text", "line", "cells"),
    [
        ("obesity\npresent,absent\n", 2, 2),  # pandas would take the first cell as an index
        ("hb,smear\n10.4,normal\n\n11,normal,rouleaux\n", 4, 3),
        ('hb,smear\n10.4,normal\n"1\n2",x,y\n', 3, 3),
    ],
)
def test_a_record_with_more_cells_than_the_header_is_refused(marrow, tmp_path, text, line, cells):
    header = text.split("\n")[0].count(",") + 1
    message = f"line {line} has {cells} cells but the header names {header} columns"
    with pytest.raises(CaseFileError, match=message):
        _score(marrow, tmp_path, text)
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    "raw",
    [b'hb,note\r\n10,"a\rb"\r\n', b'hb,note\n10,"a\rb"\n11,x\n', b"hb,note\r\n10,x\r\n"],
)
def test_carriage_returns_survive_the_round_trip(marrow, tmp_path, raw):
    src = tmp_path / "cases.csv"
    src.write_bytes(raw)
    score_csv(marrow, src, tmp_path / "out.csv", passthrough=["note"])
    back = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    want = pd.read_csv(src, dtype=str, keep_default_na=False)
    assert back[["hb", "note"]].to_dict("list") == want.to_dict("list")


def test_cases_from_standard_input(marrow, monkeypatch, tmp_path):
    data = b"hb,smear\n10.4,rouleaux\n\n13.2,normal\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    summary = score_csv(marrow, "-", tmp_path / "out.csv")
    (tmp_path / "in.csv").write_bytes(data)
    assert summary.rows == 3 and summary.input == "(standard input)"
    again = score_csv(marrow, tmp_path / "in.csv", tmp_path / "again.csv")
    assert again.rows == 3
    assert (tmp_path / "out.csv").read_text() == (tmp_path / "again.csv").read_text()


def test_a_bad_row_on_standard_input_is_named(marrow, monkeypatch, tmp_path):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"hb\n10\n11\nweird\n")))
    with pytest.raises(RowError, match=r"^\(standard input\) line 4, column hb"):
        score_csv(marrow, "-", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_standard_input_is_bounded(marrow, monkeypatch, tmp_path):
    monkeypatch.setattr("bayesdx.inference._batch.MAX_STDIN_CSV_BYTES", 1000)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"hb\n" + b"10\n" * 600)))
    with pytest.raises(LimitError, match="MAX_STDIN_CSV_BYTES"):
        score_csv(marrow, "-", tmp_path / "out.csv")


def test_assumed_defaults_are_reported_not_silent(marrow, tmp_path):
    summary, _ = _score(marrow, tmp_path, "hb,setting\n10.4,\n13,incidental\n,\n")
    assert summary.assumed == {"setting=biopsy_referral": 2}
    assert "assumed setting=biopsy_referral in 2 rows that did not give setting" in str(summary)
    assert summary.to_dict()["assumed"] == {"setting=biopsy_referral": 2}
    frame = score_frame(marrow, pd.DataFrame({"hb": [10.4, 11.0]}))
    assert frame.attrs["assumed"] == {"setting=biopsy_referral": 2}
    given = score_frame(marrow, pd.DataFrame({"setting": ["incidental"]}))
    assert given.attrs["assumed"] == {"setting=biopsy_referral": 0}
