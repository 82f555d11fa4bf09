"""score_csv's own reading and writing of CSV text: cells read column by column as pandas
reads them, raw values read as a single case reads them, floats written as ``%.17e`` (exact
text, read back to the same float), the same bytes whatever the jobs and whichever path."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from bayesdx import load_network, query
from bayesdx._bench import sample_cases
from bayesdx.errors import BayesdxError, RowError
from bayesdx.inference import score_csv, score_frame
from bayesdx.inference._batch import _factorize, _float_lines, _split_lines
from bayesdx.model import normalise

# raw readings per state of the measured variables: values drawn inside each state's range,
# some on the cuts, some outside the plausible range (bad cells)
RAW = {
    "age": {"lt_40": (18, 40), "40_to_59": (40, 60), "ge_60": (60, 110)},
    "hb": {"lt_12": (2, 12), "ge_12": (12, 25)},
    "monocytosis": {"absent": (0, 1), "present": (1, 100)},
    "calcium": {"normal": (4, 11), "high": (11, 20)},
    "renal": {"normal": (0.1, 2), "impaired": (2, 20)},
    "chemical_shift": {"drop": (0, 0.82), "retention": (0.82, 2)},
}
COLUMNS = ("age", "sex", "hb", "cytopenia", "monocytosis", "m_protein", "calcium", "renal",
           "chemical_shift", "smear", "setting")  # fmt: skip


def _cohort(net, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Cases drawn from the network, as text: state ids, raw numbers in several spellings,
    empty cells, cells with spaces, and a few bad ones."""
    x = sample_cases(net, n, rng, targets=["diagnosis"])
    cols: dict[str, list[str]] = {"id": [f"p{i}" for i in range(n)]}
    for v in COLUMNS:
        if v == "smear":  # the first edition's column, read by the legacy rules
            cols[v] = list(rng.choice(["", "normal", "blasts", "rouleaux"], n))
            continue
        node = "hb" if v == "hb" else v
        states = net.states[node]
        col = []
        for s in x[:, net.variables.index(node)].tolist():
            u = rng.random()
            if s < 0 or u < 0.1:
                col.append("" if u < 0.07 else " ")
            elif v in RAW and u < 0.7:
                lo, hi = RAW[v][states[s]]
                number = lo + (hi - lo) * rng.random() if u < 0.6 else (lo if u < 0.65 else hi)
                col.append(
                    rng.choice([f"{number:.1f}", f"{number:g}", f" {number:.3f}", repr(number)])
                )
            elif 0.7 <= u < 0.71:
                col.append(rng.choice(["weird", "-3", "1e9", "nan"]))  # bad cells
            else:
                col.append(states[s])
        cols[v] = col
    return pd.DataFrame(cols)


def _case(row: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in row.items() if k != "id" and v.strip()}


def test_raw_values_are_read_as_a_single_case_reads_them(marrow, rng, tmp_path):
    frame = _cohort(marrow, 400, rng)
    src = tmp_path / "cases.csv"
    frame.to_csv(src, index=False)
    score_csv(marrow, src, tmp_path / "out.csv", on_error="skip", passthrough=["id"], jobs=1)
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert out["id"].tolist() == frame["id"].tolist()
    bad = good = 0
    for i, row in enumerate(frame.to_dict("records")):
        case = _case(row)
        try:
            expected = query(marrow, normalise(marrow, case).given).groups["neoplasm"]
        except BayesdxError as exc:  # the row's error, found at a column of the row
            bad += 1
            assert out["error"][i], (case, str(exc))
            assert out["group:neoplasm"][i] == ""
            continue
        good += 1
        assert out["error"][i] == "", case
        assert float(out["group:neoplasm"][i]) == pytest.approx(expected, abs=1e-12), case
    assert bad > 20 and good > 100  # both kinds were drawn


def test_first_bad_row_is_named_as_a_single_case_names_it(marrow, rng, tmp_path):
    frame = _cohort(marrow, 300, rng)
    src = tmp_path / "cases.csv"
    frame.to_csv(src, index=False)
    first = None
    for i, row in enumerate(frame.to_dict("records")):
        try:
            normalise(marrow, _case(row))
        except BayesdxError:
            first = i
            break
    assert first is not None
    with pytest.raises(RowError) as info:
        score_csv(marrow, src, tmp_path / "out.csv", passthrough=["id"], jobs=1)
    assert info.value.line == first + 2
    assert not (tmp_path / "out.csv").exists()


def test_written_floats_are_c_percent_17e_and_read_back_exactly(rng):
    values = np.concatenate(
        [
            rng.random(3000),
            rng.random(3000) ** 12,
            10.0 ** rng.uniform(-120, 0, 3000),  # below 1e-99 too: written one by one
            [0.0, 1.0, 0.5, 0.1, 1e-99, np.nextafter(1e-99, 0), 1e-5, np.nextafter(1.0, 0)],
            [np.nextafter(10.0**-k, s) for k in range(1, 30) for s in (0, 1)],
            [-0.25, 2.0, np.inf, 1e300],  # outside [0, 1]: written by Python
        ]
    )
    values = np.concatenate([values, np.nextafter(values, 2)])
    values = values[: len(values) // 7 * 7].reshape(-1, 7)
    values[3] = np.nan  # a row with an error: empty cells
    lines = _float_lines([values[:, :3], values[:, 3:]], None, b"\n")
    for line, row in zip(lines, values.tolist(), strict=True):
        cells = line.decode().rstrip("\n").split(",")[1:]
        assert cells == ["" if v != v else f"{v:.17e}" for v in row]
        assert [float(c) for c in cells if c] == [v for v in row if v == v]


@pytest.mark.parametrize("seed", range(3))
def test_cells_are_read_as_pandas_reads_them(seed):
    rng = np.random.default_rng(seed)
    pieces = ["a", "b", "1", ".", " ", "\u00e9", "_", "x" * 7, "y" * 9, "z" * 17]
    names = ["c0", "skip", "c1", "c2", "short"]
    lines = []
    for _ in range(500):  # cells of 0 to 60 bytes, and lines with fewer cells, padded
        cells = ["".join(rng.choice(pieces, rng.integers(0, 4))) for _ in range(rng.integers(0, 5))]
        line = ",".join(cells)
        line += "," * (3 - line.count(","))
        lines.append(line + "," + "".join(rng.choice(pieces[:7], rng.integers(0, 5))))
    block = ("\n".join(lines) + "\n").encode()
    seps = np.flatnonzero(np.isin(np.frombuffer(block, dtype=np.uint8), [ord(","), ord("\n")]))
    ours = _split_lines(block, seps, names, ["skip"]).frame()
    theirs = pd.read_csv(
        io.BytesIO(",".join(names).encode() + b"\n" + block), dtype=object,
        keep_default_na=False, na_values=[""], skip_blank_lines=False, index_col=False,
    )  # fmt: skip
    assert list(ours.columns) == ["c0", "c1", "c2", "short"]

    def cells(values: pd.Series) -> list[str | None]:
        return [v if isinstance(v, str) else None for v in values.astype(object)]

    for c in ours.columns:
        assert cells(ours[c]) == cells(theirs[c]), c
    assert sum(len(v or "") > 16 for v in cells(ours["c0"])) > 10  # long cells were drawn


@pytest.mark.parametrize("on_error", ["raise", "skip"])
def test_every_path_and_jobs_write_the_same_bytes(marrow, rng, tmp_path, on_error):
    frame = _cohort(marrow, 900, rng)
    if on_error == "raise":  # only good rows
        keep = []
        for row in frame.to_dict("records"):
            try:
                normalise(marrow, _case(row))
                keep.append(True)
            except BayesdxError:
                keep.append(False)
        frame = frame[keep].reset_index(drop=True)
    plain = tmp_path / "plain.csv"
    frame.to_csv(plain, index=False)
    text = plain.read_bytes()
    lines = text.split(b"\n")
    lines[5] = lines[5].rsplit(b",", 3)[0]  # a short line: its last cells empty
    lines[7] = b""  # a blank line: a case with nothing observed
    plain.write_bytes(b"\n".join(lines))
    # the same cells with every cell quoted: read by pandas, written by the csv rules
    quoted = tmp_path / "quoted.csv"
    back = pd.read_csv(plain, dtype=str, keep_default_na=False, skip_blank_lines=False)
    back.to_csv(quoted, index=False, quoting=1)
    outs = {}
    for src in (plain, quoted):
        for jobs in (1, 2):
            dst = tmp_path / f"{src.stem}{jobs}.csv"
            summary = score_csv(marrow, src, dst, jobs=jobs, chunk_rows=211, on_error=on_error,
                                passthrough=["id"])  # fmt: skip
            assert summary.rows == len(frame)
            outs[src.stem, jobs] = dst.read_bytes()
    assert outs["plain", 1] == outs["plain", 2] == outs["quoted", 1] == outs["quoted", 2]
    # the posteriors read back are the engine's own numbers, chunk by chunk
    out = pd.read_csv(tmp_path / "plain1.csv", dtype=str, keep_default_na=False)
    cases = pd.read_csv(plain, dtype=object, keep_default_na=False, na_values=[""],
                        skip_blank_lines=False)  # fmt: skip
    direct = pd.concat(
        [
            score_frame(marrow, cases.iloc[i : i + 211], on_error=on_error, passthrough=["id"])
            for i in range(0, len(cases), 211)
        ]
    )
    for col in [c for c in direct.columns if "=" in c or c.startswith("group:")]:
        written = np.array([float(c) if c else np.nan for c in out[col]])
        assert np.array_equal(written, direct[col].to_numpy(), equal_nan=True), col


@pytest.mark.parametrize("distinct", [1, 7, 3_000, 40_000])
def test_keys_are_factorized_by_their_values(rng, distinct):
    # 0 (the empty cell's key) and the largest key among them; with 40,000 distinct keys in
    # 60,000 rows many share a slot of the table, so several rounds are needed
    ends = np.array([0, 2**64 - 1], dtype=np.uint64)
    pool = np.concatenate([ends, rng.integers(0, 2**63, distinct, dtype=np.uint64)])
    keys = pool[rng.integers(0, distinct, 60_000)]
    labels, uniques = _factorize(keys)
    assert np.array_equal(uniques[labels], keys)
    assert len(np.unique(uniques)) == len(uniques) == len(np.unique(keys))
    assert labels.min() == 0 and labels.max() == len(uniques) - 1
    assert _factorize(keys[:0])[0].shape == (0,)


@pytest.mark.parametrize("jobs", [1, 2])
def test_lines_are_scored_without_pandas(tmp_path, jobs):
    # pandas' import is a fifth of a second before any row is scored; a file of plain
    # lines does without it, in this process and in the forked ones
    src = tmp_path / "cases.csv"
    lines = ["id,hb,m_protein,age,setting"]
    lines += [
        f"p{i},{10 + i % 7}.{i % 10},{'present' if i % 3 else ''},{30 + i % 50},"
        for i in range(30_000)
    ]
    src.write_text("\n".join(lines) + "\n")
    code = (
        "import sys; import bayesdx; from bayesdx.inference import score_csv; "
        f"s = score_csv(bayesdx.load_network('marrow_signal'), {str(src)!r}, "
        f"{str(tmp_path / 'out.csv')!r}, passthrough=['id'], jobs={jobs}); "
        "print(s.rows, 'pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["30000", "False"]
    with_pandas = tmp_path / "frame.csv"
    score_csv(load_network("marrow_signal"), src, with_pandas, passthrough=["id"], chunk_rows=999)
    assert (tmp_path / "out.csv").read_bytes() == with_pandas.read_bytes()
