"""score_csv on several processes: the same file, the same errors, numbers that read back."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np
import pandas as pd
import pytest

from bayesdx._bench import sample_cases
from bayesdx.errors import ArgumentError, CaseFileError, RowError, UnknownVariableError
from bayesdx.inference import score_csv, score_frame


def _cohort(net, n: int, seed: int) -> pd.DataFrame:
    x = sample_cases(net, n, np.random.default_rng(seed), targets=["diagnosis"])
    cols = {}
    for v in ("age", "sex", "hb", "cytopenia", "m_protein", "ldh", "chemical_shift", "renal"):
        states = np.array([*net.states[v], ""], dtype=object)
        cols[v] = states[x[:, net.variables.index(v)]]
    return pd.DataFrame(cols)


@pytest.mark.parametrize(
    ("on_error", "quoted"), [("raise", False), ("skip", False), ("skip", True)]
)
def test_jobs_give_the_file_one_job_gives(marrow, tmp_path, on_error, quoted):
    frame = _cohort(marrow, 700, 3)
    # a quoted cell (a comma in an id): records are read by pandas, not line by line
    frame["id"] = [f"p, {i}" if quoted else f"p{i}" for i in range(len(frame))]
    if on_error == "skip":
        frame.loc[[5, 333, 650], "hb"] = "weird"  # bad cells in three chunks
    src = tmp_path / "cases.csv"
    frame.to_csv(src, index=False)
    outs = {}
    for jobs in (1, 2, 3):
        dst = tmp_path / f"out{jobs}.csv"
        summary = score_csv(marrow, src, dst, jobs=jobs, chunk_rows=97, on_error=on_error,
                            passthrough=["id"])  # fmt: skip
        assert summary.rows == 700
        assert summary.errors == (3 if on_error == "skip" else 0)
        outs[jobs] = dst.read_bytes()
    assert outs[1] == outs[2] == outs[3]
    back = pd.read_csv(tmp_path / "out1.csv", keep_default_na=False, na_values=[""])
    assert back["id"].tolist() == frame["id"].tolist()
    assert back.shape[0] == 700


def test_written_numbers_read_back_exactly(marrow, tmp_path):
    frame = _cohort(marrow, 300, 4)
    src = tmp_path / "cases.csv"
    frame.to_csv(src, index=False)
    score_csv(marrow, src, tmp_path / "out.csv", jobs=2, chunk_rows=64)
    back = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    from_frame = pd.read_csv(src, dtype=str, keep_default_na=False, na_values=[""])
    # the same chunks (a case's last bit can depend on the cases it is pooled with)
    direct = pd.concat(
        [score_frame(marrow, from_frame.iloc[i : i + 64]) for i in range(0, 300, 64)]
    )
    for col in [c for c in direct.columns if "=" in c or c.startswith("group:")]:
        written = np.array([float(cell) for cell in back[col]])  # Python's exact reading
        assert (written == direct[col].to_numpy()).all(), col


def test_a_bad_row_names_its_line_with_jobs(marrow, tmp_path):
    frame = _cohort(marrow, 400, 5)
    frame.loc[301, "hb"] = "weird"
    src = tmp_path / "cases.csv"
    frame.to_csv(src, index=False)
    with pytest.raises(RowError, match=r"cases.csv line 303, column hb"):
        score_csv(marrow, src, tmp_path / "out.csv", jobs=2, chunk_rows=50)
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True, "2"])
def test_jobs_must_be_a_positive_integer(marrow, tmp_path, jobs):
    src = tmp_path / "cases.csv"
    src.write_text("hb\n10\n")
    with pytest.raises(ArgumentError, match="jobs must be a positive integer"):
        score_csv(marrow, src, tmp_path / "out.csv", jobs=jobs)


def _awkward_lines(net, n: int, seed: int) -> bytes:
    """Lines of a cohort as a clinic exports them, unquoted: raw numbers, a blank line, a
    short line (cells left off the end), bad cells, and no line break after the last line."""
    frame = _cohort(net, n, seed)
    frame["hb"] = [f"{v:.1f}" for v in np.random.default_rng(seed).uniform(6, 16, n)]
    lines = [",".join(["id", *frame.columns])]
    lines += [",".join([f"p{i}", *row]) for i, row in enumerate(frame.itertuples(index=False))]
    lines[10] = ""  # a blank line: a case with nothing observed
    lines[11] = "p10,58"  # the other cells left off
    cells = lines[40].split(",")
    lines[40] = ",".join([*cells[:3], "weird", *cells[4:]])  # a bad hb (file line 41)
    lines[77] = "p76,,,300"  # hb out of range (file line 78)
    return ("\n".join(lines)).encode()  # no line break after the last line


@pytest.mark.parametrize("chunk_rows", [1, 7, 50, 10_000])
def test_jobs_write_each_chunk_in_its_place(marrow, tmp_path, chunk_rows):
    src = tmp_path / "cases.csv"
    src.write_bytes(_awkward_lines(marrow, 120, 6))
    outs = {}
    for jobs in (1, 2, 3):
        dst = tmp_path / f"out{jobs}.csv"
        summary = score_csv(marrow, src, dst, jobs=jobs, chunk_rows=chunk_rows,
                            on_error="skip", passthrough=["id"])  # fmt: skip
        assert (summary.rows, summary.errors) == (120, 2)
        outs[jobs] = dst.read_bytes()
    assert outs[1] == outs[2] == outs[3]
    back = pd.read_csv(tmp_path / "out2.csv", keep_default_na=False, dtype=str)
    assert len(back) == 120
    assert back["id"].tolist()[8:12] == ["p8", "", "p10", "p11"]
    assert back.loc[[39, 76], "error"].str.startswith("column hb").all()
    assert (back["error"] != "").sum() == 2


def test_jobs_write_to_a_stream_as_to_a_file(marrow, tmp_path, capsysbinary):
    """Standard output cannot be written at offsets: the chunks go through files."""
    src = tmp_path / "cases.csv"
    src.write_bytes(_awkward_lines(marrow, 90, 7))
    score_csv(marrow, src, tmp_path / "out.csv", jobs=1, chunk_rows=20, on_error="skip",
              passthrough=["id"])  # fmt: skip
    score_csv(marrow, src, "-", jobs=2, chunk_rows=20, on_error="skip", passthrough=["id"])
    assert capsysbinary.readouterr().out == (tmp_path / "out.csv").read_bytes()


def test_the_first_bad_row_in_the_file_is_named_whichever_process_finds_it(marrow, tmp_path):
    lines = _awkward_lines(marrow, 120, 8).split(b"\n")
    lines[101] = b"p100,200"  # age out of range, found first in a chunk of its own
    text = b"\n".join(lines)
    src = tmp_path / "cases.csv"
    src.write_bytes(text)
    for jobs in (1, 2, 3):
        with pytest.raises(RowError) as info:
            score_csv(marrow, src, tmp_path / "out.csv", jobs=jobs, chunk_rows=9,
                      passthrough=["id"])  # fmt: skip
        assert (info.value.line, info.value.column) == (41, "hb")  # not line 102's age
        assert not (tmp_path / "out.csv").exists()
        assert not multiprocessing.active_children()


@pytest.mark.parametrize(
    "error",
    [ValueError("this chunk cannot be scored"), UnknownVariableError("hgb", ["hb"], "marrow")],
)
def test_a_process_that_fails_fails_the_run(marrow, tmp_path, monkeypatch, error):
    from bayesdx.inference import _batch

    src = tmp_path / "cases.csv"
    src.write_bytes(_awkward_lines(marrow, 90, 9))
    real = _batch._score_range

    def fails_late(network, path, header, start, *args):
        if start > 1000:
            raise error  # UnknownVariableError does not unpickle: sent as its parts
        return real(network, path, header, start, *args)

    monkeypatch.setattr(_batch, "_score_range", fails_late)
    with pytest.raises(type(error)) as info:
        score_csv(marrow, src, tmp_path / "out.csv", jobs=2, chunk_rows=5, passthrough=["id"])
    assert str(info.value) == str(error)
    assert not (tmp_path / "out.csv").exists()
    assert not multiprocessing.active_children()  # the other processes were ended

    def dies(network, path, header, start, *args):
        os._exit(3)

    monkeypatch.setattr(_batch, "_score_range", dies)
    with pytest.raises(CaseFileError, match=r"a batch process ended abruptly \(exit code 3\)"):
        score_csv(marrow, src, tmp_path / "out.csv", jobs=2, chunk_rows=5, passthrough=["id"])
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("scan", [1, 5, 64, 1 << 20])
@pytest.mark.parametrize("per_chunk", [1, 2, 3, 100])
@pytest.mark.parametrize("text", [b"a,b\n1,2\n\n3,4\n5\n", b"a,b\n1,2\n\n3,4\n5", b"a\n", b"a"])
def test_line_ranges_cover_the_data_lines(tmp_path, monkeypatch, scan, per_chunk, text):
    from bayesdx.inference import _batch

    monkeypatch.setattr(_batch, "_SCAN", scan)
    src = tmp_path / "cases.csv"
    src.write_bytes(text)
    header, ranges = _batch._line_ranges(src, _batch._scan(src), per_chunk)
    assert header == text.split(b"\n")[0] + (b"\n" if b"\n" in text else b"")
    assert b"".join(text[a:b] for a, b, _ in ranges) == text[len(header) :]
    assert [a for a, _, _ in ranges[1:]] == [b for _, b, _ in ranges[:-1]]
    for a, b, n in ranges:
        block = text[a:b]
        assert n == block.count(b"\n") + (not block.endswith(b"\n"))
        assert n <= per_chunk
    assert all(n == per_chunk for _, _, n in ranges[:-1])


def test_an_unknown_column_is_named_with_jobs(marrow, tmp_path):
    src = tmp_path / "cases.csv"
    src.write_text("id,hb\n" + "p1,10\n" * 100)
    with pytest.raises(UnknownVariableError, match="unknown variable 'id'"):
        score_csv(marrow, src, tmp_path / "out.csv", jobs=2, chunk_rows=10)


def test_records_that_span_lines_give_the_same_file_with_jobs(marrow, tmp_path):
    """Quoted cells holding line breaks (records read by pandas, chunks of records): a
    chunk may end inside a stretch of multi-line records; a bad row is named by its line."""
    frame = _cohort(marrow, 150, 10)
    frame["note"] = [f"seen\non day {i}" if i % 3 else "" for i in range(150)]
    src = tmp_path / "cases.csv"
    frame.to_csv(src, index=False)
    outs = {}
    for jobs in (1, 2, 3):
        dst = tmp_path / f"out{jobs}.csv"
        summary = score_csv(marrow, src, dst, jobs=jobs, chunk_rows=11, passthrough=["note"])
        assert summary.rows == 150
        outs[jobs] = dst.read_bytes()
    assert outs[1] == outs[2] == outs[3]
    back = pd.read_csv(tmp_path / "out2.csv", keep_default_na=False, dtype=str)
    assert back["note"].tolist() == frame["note"].tolist()
    frame.loc[100, "hb"] = "weird"
    frame.to_csv(src, index=False)
    # rows 0-99 span 167 lines after the header (two lines where the note is not empty)
    line = 2 + 100 + sum(1 for i in range(100) if i % 3)
    for jobs in (1, 2):
        with pytest.raises(RowError) as info:
            score_csv(marrow, src, tmp_path / "out.csv", jobs=jobs, chunk_rows=11,
                      passthrough=["note"])  # fmt: skip
        assert (info.value.line, info.value.column) == (line, "hb")


def test_an_exception_that_does_not_unpickle_crosses_the_pool(marrow, tmp_path, monkeypatch):
    """Records read by pandas go to a process pool: an exception whose ``__init__`` takes
    other arguments than its ``args`` still reaches the caller, class and message."""
    from bayesdx.inference import _batch

    frame = _cohort(marrow, 60, 11)
    frame["note"] = "a, b"  # quoted: records read by pandas
    src = tmp_path / "cases.csv"
    frame.to_csv(src, index=False)
    real = _batch._score_chunk
    error = UnknownVariableError("hgb", ["hb"], "marrow")

    def _score_chunk(network, chunk, first, options, *rest):
        if first > 0:
            raise error
        return real(network, chunk, first, options, *rest)

    _score_chunk.__module__ = _batch.__name__  # sent to the processes by name
    _score_chunk.__qualname__ = "_score_chunk"
    monkeypatch.setattr(_batch, "_score_chunk", _score_chunk)
    with pytest.raises(UnknownVariableError) as info:
        score_csv(marrow, src, tmp_path / "out.csv", jobs=2, chunk_rows=10, passthrough=["note"])
    assert str(info.value) == str(error)
    assert not (tmp_path / "out.csv").exists()


def test_buffers_are_written_at_their_offset_whatever_their_sizes(tmp_path):
    from bayesdx.inference._batch import _pwrite

    rng = np.random.default_rng(12)
    sizes = [*rng.integers(0, 50, 3000).tolist(), 3 << 20, 5, 1 << 20, *[7] * 1500]
    buffers = [bytes(rng.integers(0, 256, n, dtype=np.uint8)) for n in sizes]
    path = tmp_path / "out.bin"
    path.write_bytes(b"x" * 10)
    fd = os.open(path, os.O_WRONLY)
    try:
        _pwrite(fd, buffers, 10)
        _pwrite(fd, [b"head"], 2)
    finally:
        os.close(fd)
    assert path.read_bytes() == b"xxheadxxxx" + b"".join(buffers)


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 10_000])
def test_trailing_delimiters_are_read_the_same_in_any_chunk(marrow, tmp_path, chunk_rows):
    """Some lines end with an extra comma, some do not: each line is read on its own (it
    was accepted only in a chunk whose every line had one), and the numbers are those of
    the same file without the commas."""
    plain = "id,hb,m_protein\np1,10.4,present\np2,13,absent\np3,,present\np4,9.1,\n"
    mixed = "id,hb,m_protein\np1,10.4,present,\np2,13,absent\np3,,present,,\np4,9.1,\n"
    outs = {}
    for name, text in (("plain", plain), ("mixed", mixed)):
        src = tmp_path / f"{name}.csv"
        src.write_text(text)
        for jobs in (1, 2):
            dst = tmp_path / f"{name}{jobs}.csv"
            score_csv(marrow, src, dst, jobs=jobs, chunk_rows=chunk_rows, passthrough=["id"])
            outs[name, jobs] = dst.read_bytes()
    assert outs["mixed", 1] == outs["mixed", 2] == outs["plain", 1]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,hb,m_protein\np1,10.4,present,x\n")  # an extra cell that is not empty
    with pytest.raises((CaseFileError, RowError)):
        score_csv(marrow, bad, tmp_path / "bad_out.csv", chunk_rows=chunk_rows,
                  passthrough=["id"])  # fmt: skip
    assert not (tmp_path / "bad_out.csv").exists()
