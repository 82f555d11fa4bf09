"""score_csv on several processes: the same file, the same errors, numbers that read back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bayesdx._bench import sample_cases
from bayesdx.errors import ArgumentError, RowError
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
