"""Parquet files in, a folder of Parquet files out, scored on a ``dask.distributed`` cluster.

The client reads only the files' footers (schemas and row counts) and cuts each file into
pieces of whole row groups; the workers read, score and write the pieces (so input and
output paths must be the same on every worker: a local disk for a local cluster, a shared
file system for a real one). The output folder appears whole at the end, or not at all.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bayesdx._version import __version__
from bayesdx.dask._score import Shipped, declared_schema, score_partition
from bayesdx.errors import ArgumentError, BayesdxError, CaseFileError, OutputFileError
from bayesdx.inference import ScoreSummary
from bayesdx.model import Network, as_network

__all__ = ["ParquetSummary", "score_parquet"]

PIECE_ROWS = 200_000  # rows a piece holds at most, unless one row group holds more
CONNECT_SECONDS = 5.0  # how long a scheduler (and its first worker) may take to answer
_SHOWN = 10  # bad rows listed in the summary


@dataclass(frozen=True)
class ParquetSummary(ScoreSummary):
    """What :func:`score_parquet` did: :class:`~bayesdx.inference.ScoreSummary`'s fields,
    and where the work ran.

    Attributes
    ----------
    files, partitions : int
        Input files matched, and pieces scored (one output file each).
    scheduler : str
        ``local cluster (N workers)``, or the scheduler's address.
    bad_rows : tuple of str
        The first 10 rows' error messages, in input order (each names its partition, row,
        file and row in the file).
    """

    files: int = 0
    partitions: int = 0
    scheduler: str = ""
    bad_rows: tuple[str, ...] = ()

    def __str__(self) -> str:
        text, _, disclaimer = super().__str__().rpartition("\n")
        text += (
            f"\n{self.partitions} partitions of {self.files} "
            f"{'file' if self.files == 1 else 'files'} on {self.scheduler}"
        )
        text += "".join(f"\nbad row: {message}" for message in self.bad_rows)
        if self.errors > len(self.bad_rows):
            text += f"\n... and {self.errors - len(self.bad_rows)} more"
        return f"{text}\n{disclaimer}"


@dataclass(frozen=True)
class _Piece:
    """Row groups ``groups`` of ``path``: partition ``number``, from row ``start`` of the file."""

    number: int
    path: str
    groups: tuple[int, ...]
    start: int
    rows: int

    def where(self, partition: int, row: int) -> str:
        return f"partition {partition}, row {row} ({self.path} row {self.start + row})"


@dataclass(frozen=True)
class _Options:
    schema: pa.Schema  # the input columns, the same in every file
    targets: str | Sequence[str] | None
    passthrough: tuple[str, ...]
    folder: str
    keep_errors: bool


def score_parquet(
    network: Network,
    input_path: str | os.PathLike,
    output_dir: str | os.PathLike,
    *,
    targets: str | Sequence[str] | None = None,
    on_error: str = "raise",
    passthrough: Sequence[str] = (),
    scheduler: str | None = None,
    workers: int | None = None,
) -> ParquetSummary:
    """Score Parquet files of cases into a folder of Parquet files on a Dask cluster.

    Parameters
    ----------
    network : Network
    input_path : str or path
        A file, or a glob such as ``cohort-*.parquet`` (matched on this machine, in name
        order). Every file must have the same columns; their types are promoted to one
        (an integer column in one file and a float one in another: float).
    output_dir : str or path
        A folder that does not exist yet, or an empty one. It receives
        ``part-00000.parquet``, ... one per piece in input order: the input's columns (values
        as read, types as promoted), then ``VAR=state`` per target state and ``group:NAME`` per
        group (float64), and ``error`` with ``on_error="skip"``. Read it back with
        ``pandas.read_parquet(output_dir)`` or ``dask.dataframe.read_parquet``.
    targets, passthrough
        As in :func:`bayesdx.inference.score_frame`. Columns that pandas stored as an index
        are passed through as well.
    on_error : {"raise", "skip"}
        ``"raise"``: a bad row (in input order, the first) raises
        :class:`~bayesdx.errors.CaseFileError` naming its partition, row, file and row in
        the file, and nothing is left at ``output_dir``. ``"skip"``: the ``error`` column
        holds that message and the row's posteriors are empty; no row is ever dropped.
    scheduler : str, optional
        A ``dask.distributed`` scheduler's address (``tcp://host:8786``). Default: a local
        cluster of ``workers`` processes with one thread each, started and closed here.
    workers : int, optional
        The local cluster's processes (default: the cores available); not used with
        ``scheduler``.

    Returns
    -------
    ParquetSummary
        Rows written (every input row), rows with an error, pieces, where it ran.

    Raises
    ------
    CaseFileError
        No file matches, a file is not Parquet, the files' columns differ, a bad row
        (``on_error="raise"``).
    OutputFileError
        ``output_dir`` exists and is not an empty folder.
    UnknownVariableError
        A column that is not a variable of the network (see ``passthrough``).
    BayesdxError
        No scheduler (or no worker) answered at ``scheduler`` within 5 seconds, or a worker
        runs another version of bayesdx.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import pandas as pd
    >>> import bayesdx
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"hb": [10.4, 13.0]}).to_parquet(folder / "cohort-1.parquet")
    >>> net = bayesdx.load_network("marrow_signal")
    >>> done = score_parquet(net, folder / "cohort-*.parquet", folder / "out")  # doctest: +SKIP
    >>> done.rows  # doctest: +SKIP
    2
    """
    network = as_network(network)
    if on_error not in ("raise", "skip"):
        raise ArgumentError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)):
        raise ArgumentError(f"workers must be a positive integer, got {workers!r}")
    if workers is not None and workers < 1:
        raise ArgumentError(f"workers must be a positive integer, got {workers!r}")
    files = _matching(str(input_path))
    schema, index_columns, pieces = _pieces(files)
    passthrough = tuple(dict.fromkeys([*passthrough, *index_columns]))
    meta = schema.empty_table().to_pandas(ignore_metadata=True)
    declared_schema(network, meta, targets, passthrough)  # bad columns fail here, not on a worker
    out = _check_output(Path(output_dir))
    folder = tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    options = _Options(schema, targets, passthrough, folder, on_error == "skip")
    try:
        client, closing, where = _connect(scheduler, workers)
        try:
            results = _run(client, Shipped(network), pieces, options)
        finally:
            closing()
        summary = _summarise(results, pieces, on_error)
        if out.exists():
            out.rmdir()  # empty (checked above)
        os.replace(folder, out)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    rows, errors, assumed, bad = summary
    return ParquetSummary(
        network.id, str(input_path), str(output_dir), rows, errors, assumed,
        files=len(files), partitions=len(pieces), scheduler=where, bad_rows=tuple(bad),
    )  # fmt: skip


def _matching(pattern: str) -> list[str]:
    files = sorted(glob.glob(pattern))
    if not files:
        raise CaseFileError(f"no file matches {pattern!r}; give Parquet files or a glob of them")
    folders = [f for f in files if os.path.isdir(f)]
    if folders:
        files_in = os.path.join(folders[0], "*.parquet")
        raise CaseFileError(f"{folders[0]} is a folder; give its files, as in {files_in}")
    return files


def _pieces(files: list[str]) -> tuple[pa.Schema, list[str], list[_Piece]]:
    """The one input schema, the columns pandas stored as an index, and the pieces."""
    schemas: list[pa.Schema] = []
    pieces: list[_Piece] = []
    index_columns: list[str] = []
    for path in files:
        try:
            meta = pq.ParquetFile(path).metadata
            schema = meta.schema.to_arrow_schema()
        except (OSError, pa.ArrowException) as exc:
            raise CaseFileError(f"cannot read {path} as Parquet: {_reason(exc)}") from None
        pandas_meta = json.loads((schema.metadata or {}).get(b"pandas", b"{}") or b"{}")
        for name in pandas_meta.get("index_columns", []):
            if isinstance(name, str) and name not in index_columns:
                index_columns.append(name)
        if schemas and set(schema.names) != set(schemas[0].names):
            first = schemas[0].names
            extra = [n for n in schema.names if n not in first]
            missing = [n for n in first if n not in schema.names]
            what = (
                f"has column {extra[0]!r} but {files[0]} does not"
                if extra
                else f"has no column {missing[0]!r} but {files[0]} has"
            )
            raise CaseFileError(f"{path} {what}; every file needs the same columns")
        schemas.append(schema.remove_metadata())
        groups: list[int] = []
        rows = start = 0
        for g in range(meta.num_row_groups):
            n = meta.row_group(g).num_rows
            if groups and rows + n > PIECE_ROWS:
                pieces.append(_Piece(len(pieces), path, tuple(groups), start, rows))
                start, groups, rows = start + rows, [], 0
            groups.append(g)
            rows += n
        pieces.append(_Piece(len(pieces), path, tuple(groups), start, rows))  # even if empty
    unified = schemas[0]
    for path, schema in zip(files[1:], schemas[1:], strict=True):
        try:
            unified = pa.unify_schemas([unified, schema], promote_options="permissive")
        except (pa.ArrowException, TypeError) as exc:
            raise CaseFileError(
                f"{path} has a column whose type does not match the files before it: {_reason(exc)}"
            ) from None
    unified = pa.schema([unified.field(n) for n in schemas[0].names])  # the first file's order
    return unified, index_columns, pieces


def _check_output(out: Path) -> Path:
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputFileError(f"{out} exists and is not a folder; give a new or empty folder")
    if out.is_dir() and any(out.iterdir()):
        raise OutputFileError(f"{out} is a folder that is not empty; give a new or empty folder")
    if not out.parent.is_dir():
        raise OutputFileError(f"cannot write {out}: folder {out.parent} does not exist")
    return out


def _connect(scheduler: str | None, workers: int | None) -> tuple[Any, Any, str]:
    """A client, the function that closes what was opened, and where the work runs."""
    from distributed import Client, LocalCluster

    if scheduler is None:
        n = workers or _cores()
        # its HTTP server on a free local port: dashboard_address=None still takes 8787
        cluster = LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
        )
        client = Client(cluster)

        def close_local() -> None:
            client.close()
            cluster.close()

        return client, close_local, f"a local cluster ({n} {'worker' if n == 1 else 'workers'})"
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise BayesdxError(
            f"no Dask scheduler answered at {scheduler} within {CONNECT_SECONDS:g} s "
            f"({_reason(exc)}); start one with `dask scheduler`, or leave out --scheduler "
            "to use a local cluster"
        ) from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        versions = set(client.run(_version).values())
    except (OSError, TimeoutError):
        client.close()
        raise BayesdxError(
            f"the Dask scheduler at {scheduler} has no worker (none joined within "
            f"{CONNECT_SECONDS:g} s); start some with `dask worker {scheduler}`"
        ) from None
    if versions - {__version__}:
        client.close()
        raise BayesdxError(
            f"the workers of {scheduler} run bayesdx {', '.join(sorted(versions))}, this "
            f"machine {__version__}; install the same version on every worker"
        )
    return client, client.close, scheduler


def _version() -> str:
    """On a worker: the bayesdx it runs."""
    return __version__


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover


def _run(
    client: Any, shipped: Shipped, pieces: list[_Piece], options: _Options
) -> list[dict[str, Any]]:
    """Every piece's summary, in input order; with ``on_error="raise"`` the pieces after
    the first one with a bad row are cancelled."""
    network = client.scatter(shipped, broadcast=True, hash=False)  # once per worker
    futures = client.map(_score_piece, pieces, network=network, options=options, pure=False)
    results = []
    try:
        for k, future in enumerate(futures):
            try:
                result = future.result()
            except (OSError, pa.ArrowException) as exc:
                raise CaseFileError(
                    f"cannot score {pieces[k].path} into {options.folder}: {_reason(exc)}"
                ) from None
            results.append(result)
            if result["errors"] and not options.keep_errors:
                break
    finally:
        client.cancel(futures)
    return results


def _score_piece(piece: _Piece, network: Shipped, options: _Options) -> dict[str, Any]:
    """On a worker: read a piece, score it, write it; a summary back."""
    table = pq.ParquetFile(piece.path).read_row_groups(list(piece.groups))
    table = table.select(options.schema.names).cast(options.schema)
    frame = table.to_pandas(ignore_metadata=True)
    scored = score_partition(
        frame, network, options.targets, options.passthrough, object, piece.number, piece.where
    )
    errors = scored["error"].to_numpy(dtype=object)
    bad = [str(e) for e in errors if e][:_SHOWN]
    n_errors = int((errors != "").sum())
    if n_errors and not options.keep_errors:
        return {"rows": len(frame), "errors": n_errors, "bad": bad[:1], "assumed": {}}
    out = table
    for column in scored.columns[len(frame.columns) :]:
        if column == "error":
            if options.keep_errors:
                out = out.append_column(column, pa.array(errors.tolist(), type=pa.string()))
        else:
            out = out.append_column(
                column, pa.array(scored[column].to_numpy(dtype="float64"), type=pa.float64())
            )
    pq.write_table(out, os.path.join(options.folder, f"part-{piece.number:05d}.parquet"))
    assumed = {k: int(v) for k, v in scored.attrs.get("assumed", {}).items()}
    return {"rows": len(frame), "errors": n_errors, "bad": bad, "assumed": assumed}


def _summarise(
    results: list[dict[str, Any]], pieces: list[_Piece], on_error: str
) -> tuple[int, int, dict[str, int], list[str]]:
    bad = [message for r in results for message in r["bad"]]
    if on_error == "raise" and bad:
        raise CaseFileError(f"{bad[0]}; nothing was written")
    rows = sum(r["rows"] for r in results)
    expected = sum(p.rows for p in pieces)
    if rows != expected:  # pragma: no cover - every row is written or the run fails
        raise RuntimeError(f"{expected} rows read but {rows} written")
    assumed: dict[str, int] = {}
    for r in results:
        for default, k in r["assumed"].items():
            assumed[default] = assumed.get(default, 0) + k
    return rows, sum(r["errors"] for r in results), assumed, bad[:_SHOWN]


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
