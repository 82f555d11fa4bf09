"""bayesdx.dask on a real dask.distributed cluster (two worker processes on this machine):
results equal to one process, bad rows named by partition and row, nothing dropped, and
``bayesdx batch --engine dask`` from Parquet files to a folder of Parquet files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bayesdx.errors import ArgumentError, UnknownVariableError
from bayesdx.inference import score_frame

dd = pytest.importorskip("dask.dataframe")  # the test extra installs bayesdx[dask]
distributed = pytest.importorskip("distributed")

from bayesdx.cli import main  # noqa: E402
from bayesdx.dask import _parquet, score  # noqa: E402

TOLERANCE = 1e-12  # one process against the partitions: the same rows, the same engine


@pytest.fixture(scope="module")
def client():
    """A real cluster on localhost: a scheduler and two worker processes, one thread each."""
    with (  # the HTTP server on a free port: dashboard_address=None still takes 8787
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def _cohort(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Raw numbers, state ids and empty cells as text (as a CSV reads them), with bad rows:
    unknown states, values out of range, and contradictions (impossible evidence)."""
    hb = rng.uniform(6, 16, n).round(1).astype(str)
    hb[rng.random(n) < 0.2] = ""
    cases = pd.DataFrame(
        {
            "id": [f"p{k:05d}" for k in range(n)],
            "hb": hb,
            "hb_level": rng.choice(["", "", "", "lt_12", "ge_13"], n),
            "m_protein": rng.choice(["present", "absent", ""], n),
            "age": rng.integers(18, 95, n).astype(str),
            "smear": rng.choice(["normal", "dysplasia", "blasts", "rouleaux", ""], n),
            "setting": rng.choice(["", "incidental", "symptomatic"], n),
        }
    )
    bad = rng.choice(n, 12, replace=False)
    cases.loc[bad[:4], "m_protein"] = "banana"  # unknown state
    cases.loc[bad[4:8], "hb"] = "99"  # out of range (g/L for g/dL)
    cases.loc[bad[8:], ["hb", "hb_level"]] = ["12.6", "lt_12"]  # impossible
    return cases


def _partition_rows(ddf) -> list[tuple[int, int]]:
    """(partition, row in it) for every row, in order."""
    sizes = ddf.map_partitions(len).compute()
    return [(p, r) for p, size in enumerate(sizes) for r in range(size)]


def _same_scores(got: pd.DataFrame, want: pd.DataFrame, added: list[str]) -> None:
    a = got[added].to_numpy(dtype=float)
    b = want[added].to_numpy(dtype=float)
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.nanmax(np.abs(a - b)) <= TOLERANCE


def test_score_on_the_cluster_equals_one_process(client, marrow, rng):
    cases = _cohort(rng, 3_000)
    ddf = dd.from_pandas(cases, npartitions=5)
    scored = score(ddf, marrow, passthrough=["id"])
    got = client.compute(scored).result()
    want = score_frame(marrow, cases, on_error="skip", passthrough=["id"])
    # nothing dropped or reordered: every row, its index and its input cells
    assert len(got) == len(cases) and got.index.equals(cases.index)
    assert list(got.columns) == list(want.columns)
    for column in cases.columns:
        assert got[column].astype(object).tolist() == cases[column].tolist()
    added = [c for c in want.columns if c not in cases.columns and c != "error"]
    _same_scores(got, want, added)
    # a bad row: empty posteriors, and its partition and row before score_frame's message
    where = _partition_rows(ddf)
    bad = np.flatnonzero(want["error"].to_numpy(dtype=object) != "")
    assert set(np.flatnonzero(cases["m_protein"] == "banana")) <= set(bad.tolist())
    assert 12 <= len(bad) < len(cases) // 2
    for i in bad.tolist():
        p, r = where[i]
        assert got["error"].iloc[i] == f"partition {p}, row {r}: {want['error'].iloc[i]}"
        assert got[added].iloc[i].isna().all()
    assert (got["error"].drop(got.index[bad]) == "").all()
    kinds = {m.split(": ", 1)[1].split(":")[0] for m in got["error"].iloc[bad]}
    assert {"column m_protein", "column hb"} <= kinds  # and the impossible rows:
    assert sum("probability zero" in m for m in got["error"].iloc[bad]) >= 4


def test_the_declared_schema_is_what_the_partitions_hold(client, marrow, rng):
    cases = _cohort(rng, 200)[["hb", "m_protein"]]
    scored = score(dd.from_pandas(cases, npartitions=3), marrow, ["diagnosis", "hb"])
    meta = scored._meta
    assert list(meta.columns[:2]) == ["hb", "m_protein"] and meta.columns[-1] == "error"
    states = [f"diagnosis={s}" for s in marrow.states["diagnosis"]]
    assert list(meta.columns[2:-1]) == [
        *states, "hb=ge_12", "hb=lt_12", *(f"group:{g}" for g in marrow.groups)
    ]  # fmt: skip
    assert (meta.dtypes.iloc[2:-1] == "float64").all()
    got = client.compute(scored).result()
    assert got.dtypes.to_dict() == meta.dtypes.to_dict()


def test_bad_columns_and_arguments_fail_before_any_computing(marrow):
    cases = dd.from_pandas(pd.DataFrame({"patient": ["a"], "hb": ["10"]}), npartitions=1)
    with pytest.raises(UnknownVariableError, match="unknown variable 'patient'"):
        score(cases, marrow)
    with pytest.raises(ArgumentError, match="ddf must be a Dask DataFrame"):
        score(pd.DataFrame({"hb": ["10"]}), marrow)


def _write_cohort(folder: Path, rng: np.random.Generator) -> pd.DataFrame:
    """Three Parquet files, one of them in several row groups; the cohort they hold."""
    cases = _cohort(rng, 900)
    cases["hb"] = pd.to_numeric(cases["hb"]).astype("float64")  # numbers, as Parquet keeps them
    cases["hb"] = cases["hb"].where(cases["hb"] < 50)  # the out-of-range rows: empty
    cases.iloc[:300].to_parquet(folder / "cohort-1.parquet", index=False)
    cases.iloc[300:700].to_parquet(folder / "cohort-2.parquet", index=False, row_group_size=100)
    cases.iloc[700:].to_parquet(folder / "cohort-3.parquet", index=False)
    return cases.reset_index(drop=True)


def test_batch_engine_dask_parquet_in_and_out(client, marrow, rng, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(_parquet, "PIECE_ROWS", 250)  # cohort-2 in two pieces of row groups
    cases = _write_cohort(tmp_path, rng)
    out = tmp_path / "scored"
    argv = ["batch", "--input", str(tmp_path / "cohort-*.parquet"), "--output", str(out),
            "--engine", "dask", "--scheduler", client.scheduler.address, "--on-error", "skip",
            "--passthrough", "id", "--json"]  # fmt: skip
    assert main(argv) == 0
    report = capsys.readouterr()
    assert report.err == ""
    summary = json.loads(report.out)
    assert summary["rows"] == len(cases) and summary["files"] == 3
    assert summary["partitions"] == 4
    parts = sorted(p.name for p in out.iterdir())
    assert parts == [f"part-{k:05d}.parquet" for k in range(4)]
    got = pd.read_parquet(out)
    want = score_frame(marrow, cases, on_error="skip", passthrough=["id"])
    assert len(got) == len(cases)  # nothing dropped
    assert list(got.columns) == list(want.columns)
    assert got["id"].tolist() == cases["id"].tolist()
    assert np.array_equal(got["hb"].to_numpy(), cases["hb"].to_numpy(), equal_nan=True)
    added = [c for c in want.columns if c not in cases.columns and c != "error"]
    _same_scores(got, want, added)
    # pieces: cohort-1 (300), cohort-2 rows 0-199 and 200-399, cohort-3 (200)
    firsts = {0: ("cohort-1", 0), 1: ("cohort-2", 300), 2: ("cohort-2", 500), 3: ("cohort-3", 700)}
    bad = np.flatnonzero(want["error"].to_numpy(dtype=object) != "")
    assert summary["errors"] == len(bad) > 0
    for i in bad.tolist():
        p = max(k for k, (_, first) in firsts.items() if first <= i)
        name, first = firsts[p]
        in_file = i - (300 if name == "cohort-2" else first)
        where = f"partition {p}, row {i - first} ({tmp_path / name}.parquet row {in_file})"
        assert got["error"].iloc[i] == f"{where}: {want['error'].iloc[i]}"
    assert summary["bad_rows"] == got["error"].iloc[bad[:10]].tolist()  # the first ten


def test_batch_engine_dask_raise_names_the_first_bad_row_and_writes_nothing(
    client, marrow, rng, tmp_path, capsys
):
    cases = _write_cohort(tmp_path, rng)
    want = score_frame(marrow, cases, on_error="skip", passthrough=["id"])
    first = int(np.flatnonzero(want["error"].to_numpy(dtype=object) != "").min())
    assert first < 300  # in cohort-1
    out = tmp_path / "scored"
    argv = ["batch", "--input", str(tmp_path / "cohort-*.parquet"), "--output", str(out),
            "--engine", "dask", "--scheduler", client.scheduler.address,
            "--passthrough", "id"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    where = f"partition 0, row {first} ({tmp_path / 'cohort-1.parquet'} row {first})"
    assert err == f"bayesdx: error: {where}: {want['error'].iloc[first]}; nothing was written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"cohort-{k}.parquet" for k in (1, 2, 3)]


def test_batch_engine_dask_without_a_scheduler_starts_a_local_cluster(marrow, rng, tmp_path):
    cases = _cohort(rng, 50)[["hb", "m_protein"]]
    cases.to_parquet(tmp_path / "cases.parquet")
    out = tmp_path / "scored"
    argv = ["batch", "-i", str(tmp_path / "cases.parquet"), "-o", str(out), "--engine", "dask",
            "--jobs", "1", "--on-error", "skip"]  # fmt: skip
    assert main(argv) == 0
    got = pd.read_parquet(out)
    want = score_frame(marrow, cases, on_error="skip")
    added = [c for c in want.columns if c not in cases.columns and c != "error"]
    _same_scores(got, want, added)


def test_batch_engine_dask_index_columns_empty_files_and_promoted_types(
    client, marrow, tmp_path, capsys
):
    """A column pandas stored as the index is passed through; an empty file is a piece of
    no rows; an integer column in one file and a float one in another are read as float."""
    index = pd.Index(["x", "y"], name="patient")
    pd.DataFrame({"hb": [10, 13], "m_protein": ["present", None]}, index=index).to_parquet(
        tmp_path / "c-1.parquet"
    )
    pd.DataFrame(
        {"hb": [10.5], "m_protein": ["absent"]}, index=pd.Index(["z"], name="patient")
    ).to_parquet(tmp_path / "c-2.parquet")
    pd.DataFrame(
        {"hb": pd.Series([], dtype=float), "m_protein": pd.Series([], dtype=object)},
        index=pd.Index([], name="patient", dtype=object),
    ).to_parquet(tmp_path / "c-3.parquet")
    out = tmp_path / "out"
    argv = ["batch", "-i", str(tmp_path / "c-*.parquet"), "-o", str(out), "--engine", "dask",
            "--scheduler", client.scheduler.address, "--json"]  # fmt: skip
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["rows"], summary["partitions"], summary["errors"]) == (3, 3, 0)
    got = pd.read_parquet(out)
    assert got["patient"].tolist() == ["x", "y", "z"] and got["hb"].tolist() == [10, 13, 10.5]
    cases = pd.DataFrame({"hb": [10.0, 13.0, 10.5], "m_protein": ["present", None, "absent"]})
    want = score_frame(marrow, cases)
    _same_scores(got, want, [c for c in want.columns if c not in cases.columns])
    pd.DataFrame(
        {"hb": ["x"], "m_protein": ["high"]}, index=pd.Index(["z"], name="patient")
    ).to_parquet(tmp_path / "c-4.parquet")
    err = _one_line_error([*argv[:4], str(tmp_path / "out2"), *argv[5:]], capsys)
    assert err.startswith(
        f"bayesdx: error: {tmp_path / 'c-4.parquet'} has a column whose type does not match"
    )
    pd.DataFrame({"hb": [1.0], "ldh": ["high"]}).to_parquet(tmp_path / "c-4.parquet")
    err = _one_line_error([*argv[:4], str(tmp_path / "out2"), *argv[5:]], capsys)
    assert err == (
        f"bayesdx: error: {tmp_path / 'c-4.parquet'} has column 'ldh' but "
        f"{tmp_path / 'c-1.parquet'} does not; every file needs the same columns\n"
    )
    pd.DataFrame({"hb": [1.0]}).to_parquet(tmp_path / "c-4.parquet", index=False)
    err = _one_line_error([*argv[:4], str(tmp_path / "out2"), *argv[5:]], capsys)
    assert err == (
        f"bayesdx: error: {tmp_path / 'c-4.parquet'} has no column 'm_protein' but "
        f"{tmp_path / 'c-1.parquet'} has; every file needs the same columns\n"
    )


def test_score_on_the_threaded_scheduler(marrow, rng):
    """Threads of one process: each scores with its own copy of the network."""
    cases = _cohort(rng, 400)
    scored = score(dd.from_pandas(cases, npartitions=8), marrow, passthrough=["id"])
    got = scored.compute(scheduler="threads", num_workers=4)
    want = score_frame(marrow, cases, on_error="skip", passthrough=["id"])
    _same_scores(got, want, [c for c in want.columns if c not in cases.columns and c != "error"])


def _one_line_error(argv, capsys) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    return captured.err


def test_batch_engine_dask_user_errors_exit_2_with_one_line(
    client, rng, tmp_path, capsys, monkeypatch
):
    pattern = str(tmp_path / "cohort-*.parquet")
    out = str(tmp_path / "scored")
    dask = ["--engine", "dask", "--scheduler", client.scheduler.address]
    err = _one_line_error(["batch", "-i", pattern, "-o", out, *dask], capsys)
    assert err.startswith(f"bayesdx: error: no file matches {pattern!r}; give Parquet files")
    _write_cohort(tmp_path, rng)
    (tmp_path / "cohort-9.parquet").write_text("hb\n10\n")
    err = _one_line_error(["batch", "-i", pattern, "-o", out, *dask], capsys)
    assert err.startswith(f"bayesdx: error: cannot read {tmp_path / 'cohort-9.parquet'} as Parquet")
    (tmp_path / "cohort-9.parquet").unlink()
    err = _one_line_error(["batch", "-i", pattern, "-o", out, *dask], capsys)
    assert "unknown variable 'id'" in err  # found from the schema, before any work
    (tmp_path / "scored").mkdir()
    (tmp_path / "scored" / "old.parquet").write_text("")
    err = _one_line_error(["batch", "-i", pattern, "-o", out, *dask, "--passthrough", "id"], capsys)
    expected = f"{out} is a folder that is not empty; give a new or empty folder"
    assert err == f"bayesdx: error: {expected}\n"
    monkeypatch.setattr(_parquet, "CONNECT_SECONDS", 0.5)
    nobody = "tcp://127.0.0.1:9"  # the discard port: no scheduler there
    err = _one_line_error(
        ["batch", "-i", pattern, "-o", str(tmp_path / "new"), "--engine", "dask",
         "--scheduler", nobody, "--passthrough", "id"], capsys
    )  # fmt: skip
    assert err.startswith(f"bayesdx: error: no Dask scheduler answered at {nobody} within 0.5 s")
    assert not (tmp_path / "new").exists()
    err = _one_line_error(["batch", "-i", pattern, "-o", out, "--scheduler", nobody], capsys)
    assert "--scheduler needs --engine dask" in err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_without_dask_the_cli_says_how_to_install_it(tmp_path):
    code = (
        "import sys; sys.modules['distributed'] = None\n"  # as if not installed
        "from bayesdx.cli import main\n"
        f"sys.exit(main(['batch', '-i', {str(tmp_path / 'x-*.parquet')!r}, "
        f"'-o', {str(tmp_path / 'o')!r}, '--engine', 'dask']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "bayesdx: error: --engine dask needs Dask, distributed and pyarrow: "
        "pip install 'bayesdx[dask]'\n"
    )


def test_without_dask_importing_bayesdx_dask_says_how_to_install_it():
    code = (
        "import sys; sys.modules['distributed'] = None\n"
        "try:\n    import bayesdx.dask\nexcept ImportError as exc:\n    print(exc)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "pip install 'bayesdx[dask]'" in out and "distributed is missing" in out


def test_only_engine_dask_imports_dask(tmp_path):
    """Neither bayesdx nor its CLI imports Dask unless --engine dask is asked for."""
    (tmp_path / "c.csv").write_text("hb\n10\n")
    code = (
        "import sys, bayesdx, bayesdx.cli\n"
        f"bayesdx.cli.main(['batch', '-i', {str(tmp_path / 'c.csv')!r}, "
        f"'-o', {str(tmp_path / 'o.csv')!r}, '--jobs', '1'])\n"
        "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == "[]"
