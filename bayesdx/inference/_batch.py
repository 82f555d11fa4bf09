"""Cohort mode: score every row of a table of cases with the compiled engine.

Each column is an evidence variable; an empty cell (NaN, None, ``""``) is unobserved. A cell
is a state id or, where the variable has cut-points, a raw number, read exactly as
:func:`bayesdx.evidence.normalise` reads it (numeric columns are discretised in one
vectorised pass). Network defaults fill unobserved cells. The output keeps the input columns
and adds one ``VAR=state`` column per target state and one ``group:NAME`` column per group.

A bad cell, or a row whose evidence is impossible, raises :class:`RowError` naming the line
(the CSV line: data row + 1 for the header) and the column; with ``on_error="skip"`` the
message goes into an ``error`` column and that row's posterior columns stay empty. No row
is ever dropped.
"""

from __future__ import annotations

import csv
import io
import itertools
import multiprocessing as mp
import os
import stat
import sys
import tempfile
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.display import DISCLAIMER, Column, Progress, Report, Table
from bayesdx.errors import (
    ArgumentError,
    BayesdxError,
    CaseFileError,
    ImpossibleEvidenceError,
    LimitError,
    RowError,
)
from bayesdx.inference._engine import compiled as _compiled
from bayesdx.inference._graph import resolve_targets
from bayesdx.io import atomic_output
from bayesdx.limits import MAX_STDIN_CSV_BYTES, size_text
from bayesdx.model import NUMBER, as_network, implied_states, normalise, state_of

if TYPE_CHECKING:
    import pandas as pd

    from bayesdx.model import Network

__all__ = ["RowError", "ScoreSummary", "certain_states", "score_csv", "score_frame"]

_CHUNK_ROWS = 200_000  # rows per CSV chunk, at most
_CHUNKS, _MIN_CHUNK_ROWS = 16, 10_000  # a large file: this many chunks, of at least this


@dataclass(frozen=True)
class ScoreSummary:
    """What :func:`score_csv` did.

    Attributes
    ----------
    network, input, output : str
    rows : int
        Rows written (every input row).
    errors : int
        Rows with a message in the ``error`` column (``on_error="skip"``).
    assumed : dict
        ``"VAR=state"`` -> rows in which the network's default was assumed because the row
        did not give the variable (for example ``setting=biopsy_referral``).
    """

    network: str
    input: str
    output: str
    rows: int
    errors: int
    assumed: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{"network", "input", "output", "rows", "errors", "assumed", "disclaimer"}``."""
        return {**asdict(self), "disclaimer": DISCLAIMER}

    def to_frame(self) -> pd.DataFrame:
        """One row: network, input, output, rows, errors."""
        import pandas as pd  # heavy; the CLI's batch path imports it anyway

        return pd.DataFrame([{k: v for k, v in asdict(self).items() if k != "assumed"}])

    def _repr_html_(self) -> str:
        fields = asdict(self)
        table = Table((Column("field"), Column("value")), list(fields.items()))
        return Report([table], title="Batch run").html()

    def __str__(self) -> str:
        rows = "row" if self.rows == 1 else "rows"
        text = f"scored {self.rows} {rows} of {self.input} with {self.network} -> {self.output}"
        if self.errors:
            rows = "row has" if self.errors == 1 else "rows have"
            text += f"; {self.errors} {rows} an error (see the error column)"
        for default, n in self.assumed.items():
            if n:
                variable, _, state = default.partition("=")
                rows = "row" if n == 1 else "rows"
                text += f"\nassumed {variable}={state} in {n} {rows} that did not give {variable}"
        return text + "\n" + DISCLAIMER


def _show(progress: bool | None, n_rows: int) -> bool:
    if progress is None:  # auto: a terminal and a large input
        return n_rows >= 50_000 and sys.stderr.isatty()
    return bool(progress)


def score_frame(
    network: Network,
    cases: pd.DataFrame,
    *,
    targets: str | Sequence[str] | None = None,
    on_error: str = "raise",
    progress: bool | None = None,
    passthrough: Sequence[str] = (),
    first_line: int = 2,
    source: str = "",
) -> pd.DataFrame:
    """Posteriors for every row of a DataFrame of cases.

    Parameters
    ----------
    network : Network
    cases : pandas.DataFrame
        One row per case, one column per evidence variable.
    targets : str or sequence of str, optional
        Default: the diagnosis nodes; ``"all"``: every variable.
    on_error : {"raise", "skip"}
        ``"raise"``: the first bad row raises :class:`RowError`. ``"skip"``: an ``error``
        column holds the message and that row's posterior columns are empty (NaN).
    progress : bool or None
        Draw a progress bar on stderr; None: only for a large input on a terminal.
    passthrough : sequence of str
        Columns that are not network variables (an id, a date) and are only carried along;
        any other unknown column is an error.
    first_line : int
        The line number of the first row (2: a CSV file with a header line).
    source : str
        A file name for messages.

    Returns
    -------
    pandas.DataFrame
        The input columns, then ``VAR=state`` per target state and ``group:NAME`` per group
        (and ``error`` with ``on_error="skip"``).

    Raises
    ------
    RowError, UnknownVariableError

    Examples
    --------
    >>> import pandas as pd
    >>> import bayesdx
    >>> net = bayesdx.load_network("marrow_signal")
    >>> cases = pd.DataFrame({"hb": [10.4, None, 13.0], "m_protein": ["present", "", "absent"]})
    >>> out = score_frame(net, cases)
    >>> p = out["group:neoplasm"].tolist()
    >>> single = bayesdx.query(net, {"hb": 10.4, "m_protein": "present"}).groups["neoplasm"]
    >>> abs(p[0] - single) < 1e-12
    True
    >>> round(p[1], 3)  # nothing observed: the referral base rate
    0.265
    >>> bad = pd.DataFrame({"hb": [10.4, 120]})
    >>> score_frame(net, bad, on_error="skip")["error"].tolist()
    ['', 'column hb: hb = 120 g/dL is outside the plausible range 2 to 25 g/dL...']
    """
    import pandas as pd  # lazy: the single-query path does not need pandas

    network = as_network(network)
    if not isinstance(cases, pd.DataFrame):
        raise ArgumentError(
            f"cases must be a pandas DataFrame of cases, got {type(cases).__name__}"
        )
    _check_options(on_error, 1)
    compiled = _compiled(network)
    names = resolve_targets(network, targets, allow_empty=True)
    _check_columns(cases.columns, _output_columns(network, names, on_error), source or "cases")
    if cases.columns.has_duplicates:
        twice = cases.columns[cases.columns.duplicated()][0]
        raise CaseFileError(f"{source or 'cases'}: column '{twice}' is given twice")
    group_nodes = [node for node, _ in network.groups.values() if node not in names]
    evaluate = list(dict.fromkeys(names + group_nodes))
    n = len(cases)
    x = np.full((n, len(compiled.variables)), -1, dtype=np.int64)
    errors = np.full(n, "", dtype=object)
    first_bad: dict[int, tuple[str | None, str]] = {}
    position = {str(c): k for k, c in enumerate(cases.columns)}
    found_at = np.full(n, len(position))

    def fail(i: int, column: str | None, message: str, where: str | None = None) -> None:
        """Record a row's error; of several, the one found at the leftmost column."""
        at = position[where or str(column)]
        if at < found_at[i]:
            found_at[i] = at
            errors[i] = message if column is None else f"column {column}: {message}"
            first_bad[i] = (column, message)

    legacy = _legacy_columns(network, cases, passthrough)
    raw_to = []
    for column in cases.columns:
        if column in passthrough or column in legacy:
            continue
        node = network.node(str(column))  # UnknownVariableError lists the valid ones
        j = compiled.variables.index(node.id)
        if node.raw_to is not None:
            raw_to.append(node)  # after the direct columns: a contradiction with them is seen
            continue
        codes, bad = _encode_column(node, cases[column])
        read = codes >= 0  # an empty cell keeps what another column read (hb=12.6: hb_level)
        x[read, j] = codes[read]
        for i, message in bad.items():
            fail(i, str(column), message)
    for node in raw_to:
        _encode_raw_to(network, node, cases[node.id], x, compiled.variables, fail)
    if legacy:
        _encode_legacy(network, cases, legacy, x, compiled.variables, fail)
    if first_bad and on_error == "raise":  # the first bad row, at its first bad column
        i = min(first_bad)
        raise RowError(first_line + i, first_bad[i][0], first_bad[i][1], source)
    given = x >= 0
    assumed: dict[str, int] = {}
    for v, state in network.defaults.items():
        j = compiled.variables.index(v)
        missing = x[:, j] < 0
        assumed[f"{v}={state}"] = int(missing.sum())
        x[missing, j] = network.states[v].index(state)
    has_error = errors != ""
    x[has_error] = -1  # scored as empty rows; their output is blanked below
    bar = Progress(n, "bayesdx batch", enabled=_show(progress, n), unit="cases")
    try:
        result = compiled.evaluate(x, evaluate, progress=bar)
    finally:
        bar.close()
    impossible = result.impossible & ~has_error
    for r in np.flatnonzero(impossible):
        row = list(zip(compiled.variables, x[r], given[r], strict=True))
        evidence = {v: network.states[v][int(s)] for v, s, g in row if g}  # given, then assumed
        evidence.update({v: network.states[v][int(s)] for v, s, g in row if s >= 0 and not g})
        message = str(ImpossibleEvidenceError(evidence, network.id))
        if on_error == "raise":
            raise RowError(first_line + int(r), None, message, source)
        errors[r] = message
    blank = has_error | impossible
    out = cases.copy()
    columns = {}
    for t in names:
        post = result.posteriors[t]
        for k, s in enumerate(network.states[t]):
            columns[f"{t}={s}"] = np.where(blank, np.nan, post[:, k])
    for name, p in result.groups.items():
        columns[f"group:{name}"] = np.where(blank, np.nan, p)
    extra = pd.DataFrame(columns, index=cases.index)
    out = pd.concat([out, extra], axis=1)
    if on_error == "skip":
        out["error"] = errors
    out.attrs["assumed"] = assumed  # reported, never silent: rows that took a default
    return out


def _legacy_columns(network: Network, cases: pd.DataFrame, passthrough: Sequence[str]) -> list[str]:
    """Columns an earlier edition of the network read, which this one reads by its rules."""
    named = {k for rule in network.spec.legacy for k in rule.given}
    return [
        str(c)
        for c in cases.columns
        if c not in passthrough and str(c) in named and str(c) not in network.states
    ]


def _encode_legacy(
    network: Network,
    cases: pd.DataFrame,
    columns: list[str],
    x: np.ndarray,
    variables: Sequence[str],
    fail: Callable[..., None],
) -> None:
    """Read the earlier edition's columns row by row through ``normalise`` (cached by value).

    Items the case gives directly (already in ``x``) win over a legacy reading, as in
    :func:`bayesdx.normalise`.
    """
    conditions = sorted(
        {k for rule in network.spec.legacy for k in rule.given if k in network.states}
        & {str(c) for c in cases.columns}
    )
    frame = cases[[*columns, *conditions]]
    empty = {c: _empty(frame[c]) for c in frame.columns}
    seen: dict[tuple, dict[str, str] | str] = {}
    for i, row in enumerate(frame.itertuples(index=False, name=None)):
        case = {c: v for c, v in zip(frame.columns, row, strict=True) if not empty[c][i]}
        if not any(c in case for c in columns):
            continue
        key = tuple(sorted((c, str(v)) for c, v in case.items()))
        if key not in seen:
            try:
                seen[key] = normalise(network, case, defaults=False).given
            except BayesdxError as exc:
                seen[key] = str(exc)
        read = seen[key]
        if isinstance(read, str):
            fail(i, next(c for c in columns if c in case), read)
            continue
        for var, state in read.items():
            j = variables.index(var)
            if x[i, j] < 0:
                x[i, j] = network.states[var].index(state)


def _encode_raw_to(
    network: Network,
    node: Any,
    series: pd.Series,
    x: np.ndarray,
    variables: Sequence[str],
    fail: Callable[..., None],
) -> None:
    """A column of a node whose raw numbers are read by a finer node (``raw_to``).

    A state id of the node is evidence on the node; a number is evidence on the finer node,
    and on the node too when it is defined from it, as :func:`bayesdx.normalise` reads it.
    Run after the direct columns: a number whose reading contradicts the finer node's own
    column (``hb = 12.6`` with ``hb_level = lt_12``) fails the row. The messages of bad cells
    and contradictions are the single case's (:func:`bayesdx.normalise`), value by value.
    """
    target = network.node(node.raw_to)
    own, own_bad = _encode_column(node, series)
    finer, finer_bad = _encode_column(target, series)
    j, k = variables.index(node.id), variables.index(target.id)
    # the node's state each finer state defines, as a single case reads it (or None)
    defined = [implied_states(network, {target.id: s}).get(node.id) for s in target.states]
    derive = np.asarray([node.states.index(d) for d in defined]) if None not in defined else None
    values = series.to_numpy()
    numeric = np.asarray([_is_number(v) for v in values], dtype=bool)  # even when empty
    use_own = own >= 0
    use_finer = ~use_own & (finer >= 0) & numeric
    clash = use_finer & (x[:, k] >= 0) & (x[:, k] != finer)
    use_finer &= ~clash
    x[use_own, j] = own[use_own]
    x[use_finer, k] = finer[use_finer]
    if derive is not None:
        x[use_finer, j] = derive[finer[use_finer]]
    seen: dict[tuple[tuple[str, str], ...], str] = {}

    def single(case: dict[str, Any], otherwise: str) -> str:
        key = tuple((str(c), str(v)) for c, v in case.items())
        if key not in seen:
            try:
                normalise(network, case, defaults=False)
                seen[key] = otherwise
            except BayesdxError as exc:
                seen[key] = str(exc)
        return seen[key]

    for i in sorted(set(own_bad) | set(finer_bad)):
        if not (use_own[i] or use_finer[i] or clash[i]):
            message = (finer_bad.get(i) if numeric[i] else None) or own_bad.get(i) or finer_bad[i]
            fail(i, str(series.name), single({node.id: values[i]}, message))
    for r in np.flatnonzero(clash).tolist():
        state = target.states[int(x[r, k])]
        shown_as = f"{values[r]}".strip() + (f" {target.measure.unit}" if target.measure else "")
        message = str(ImpossibleEvidenceError({target.id: state, node.id: shown_as}, network.id))
        fail(r, None, single({target.id: state, node.id: values[r]}, message), node.id)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, int | float | np.integer | np.floating):
        return bool(np.isfinite(value))
    return isinstance(value, str) and NUMBER.fullmatch(value.strip()) is not None


def _empty(series: pd.Series) -> np.ndarray:
    values = series.to_numpy()
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind in "iub":
        return np.zeros(len(values), dtype=bool)
    if values.dtype == object or values.dtype.kind in "US":
        return _factorized(values)[2]
    return series.isna().to_numpy().copy()  # pandas 3 (copy-on-write): read-only views


def _factorized(values: np.ndarray) -> tuple[np.ndarray, Any, np.ndarray]:
    """Codes and distinct values of a column, and where a cell is empty (missing, or only
    spaces): one pass over the rows, the emptiness read off the distinct values."""
    import pandas as pd

    labels, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    blank = np.array([str(u).strip() == "" for u in uniques], dtype=bool)
    return labels, uniques, np.append(blank, True)[labels]  # label -1 (missing): empty


def _encode_column(node: Any, series: pd.Series) -> tuple[np.ndarray, dict[int, str]]:
    """State indices (-1: empty) and ``{row position: message}`` for bad cells."""
    import pandas as pd

    n = len(series)
    codes = np.full(n, -1, dtype=np.int64)
    bad: dict[int, str] = {}
    values = series.to_numpy()
    numeric_states = any(s.lstrip("+-").isdigit() for s in node.states)
    labels: np.ndarray | None = None
    uniques: Any = None
    if values.dtype == object or values.dtype.kind in "US":
        labels, uniques, empty = _factorized(values)
    else:
        empty = _empty(series)
    if node.measure is not None and values.dtype.kind in "fiu" and not numeric_states:
        number = values.astype(float)
        lo, hi = node.measure.range
        ok = ~empty & np.isfinite(number) & (number >= lo) & (number <= hi)
        index = np.searchsorted(np.asarray(node.measure.cuts, dtype=float), number[ok], "right")
        order = np.asarray([node.states.index(s) for s in node.measure.order])
        codes[ok] = order[index]
        for i in np.flatnonzero(~ok & ~empty):
            bad[int(i)] = _message(node, values[i].item())
        return codes, bad
    if labels is None or uniques is None:
        labels, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    table = np.full(len(uniques) + 1, -1, dtype=np.int64)  # the last slot: NA (-1)
    messages: dict[int, str] = {}
    done = np.zeros(len(uniques), dtype=bool)
    if node.measure is not None and len(uniques) > 64 and not numeric_states:
        # many distinct numbers as text (a CSV column of measurements): one vectorised pass
        text = pd.Series(uniques, dtype=object).astype(str).str.strip()
        number = pd.to_numeric(
            text.where(text.str.fullmatch(NUMBER.pattern, flags=NUMBER.flags)), errors="coerce"
        ).to_numpy(dtype=float)
        lo, hi = node.measure.range
        done = np.isfinite(number) & (number >= lo) & (number <= hi)
        order = np.asarray([node.states.index(s) for s in node.measure.order])
        cuts = np.asarray(node.measure.cuts, dtype=float)
        table[: len(uniques)][done] = order[np.searchsorted(cuts, number[done], "right")]
    for k, value in enumerate(uniques):
        if done[k]:
            continue
        if isinstance(value, str) and not value.strip():
            continue
        value = value.item() if isinstance(value, np.generic) else value
        if isinstance(value, float) and value.is_integer() and str(int(value)) in node.states:
            value = int(value)  # a numeric state read as a float column (1.0 -> "1")
        try:
            state, _ = state_of(node, value)
        except BayesdxError as exc:
            messages[k] = str(exc)
            continue
        table[k] = node.states.index(state)
    codes = table[labels]
    codes[empty] = -1
    for k, message in messages.items():
        for i in np.flatnonzero((labels == k) & ~empty):
            bad[int(i)] = message
    return codes, bad


def _message(node: Any, value: Any) -> str:
    try:
        state_of(node, value)
    except BayesdxError as exc:
        return str(exc)
    return f"{node.id}: {value!r} cannot be read"  # pragma: no cover


def score_csv(
    network: Network,
    input_path: str | os.PathLike,
    output_path: str | os.PathLike,
    *,
    targets: str | Sequence[str] | None = None,
    on_error: str = "raise",
    progress: bool | None = None,
    passthrough: Sequence[str] = (),
    chunk_rows: int = _CHUNK_ROWS,
    force: bool = False,
    jobs: int | None = None,
) -> ScoreSummary:
    """Score a CSV file of cases into a new CSV file (read and written in chunks).

    Every record is a case: a blank line is a case with nothing observed, and a record may
    span lines (a quoted newline); messages give the line of the file where a record starts.
    The output is written atomically (see :func:`bayesdx.outputs.atomic_output`): it appears
    whole or not at all, and the input is never touched.

    Parameters
    ----------
    network : Network
    input_path, output_path : path
        ``input_path`` may be ``"-"`` (standard input, copied to a temporary file first, at
        most :data:`~bayesdx.limits.MAX_STDIN_CSV_BYTES`); ``output_path`` may be ``"-"``
        (standard output); it may not be the input.
    targets, on_error, passthrough
        As in :func:`score_frame`.
    progress : bool or None
        A progress bar on stderr; None (default): only for a large input on a terminal.
    chunk_rows : int
        Rows read per chunk at most (memory bound). A large file is read in at least 16
        chunks of at least 10,000 rows, whatever ``jobs`` is, so processes have chunks to
        share and the output does not depend on their number.
    force : bool
        Write through a symbolic link, or into a FIFO or device (see ``atomic_output``).
    jobs : int, optional
        Processes that score chunks at once (default: the cores available to this
        process). The output is the same for any number; an input of one chunk, or a
        platform without ``fork``, is scored in this process.

    Returns
    -------
    ScoreSummary
        Rows written and rows with an error.

    Raises
    ------
    RowError, CaseFileError, UnknownVariableError, OutputFileError
        With ``on_error="raise"`` nothing is left at ``output_path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import bayesdx
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "cases.csv").write_text("hb,m_protein\\n10.4,present\\n\\n")
    >>> net = bayesdx.load_network("marrow_signal")
    >>> score_csv(net, folder / "cases.csv", folder / "out.csv").rows  # the blank line too
    2
    """

    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ArgumentError(f"jobs must be a positive integer, got {jobs!r}")
    n_jobs = jobs or _cores()

    def run(src: Path, label: str) -> ScoreSummary:
        return _score_file(
            network, src, label, output_path, targets=targets, on_error=on_error,
            progress=progress, passthrough=passthrough, chunk_rows=chunk_rows, force=force,
            jobs=n_jobs,
        )  # fmt: skip

    if str(input_path) != "-":
        return run(Path(input_path), str(input_path))
    # standard input is read three times over (header, line count, records): copy it first
    with tempfile.TemporaryDirectory(prefix="bayesdx-") as folder:
        copy = Path(folder) / "stdin.csv"
        with open(copy, "wb") as fh:
            for block in iter(lambda: sys.stdin.buffer.read(1 << 20), b""):
                if fh.tell() + len(block) > MAX_STDIN_CSV_BYTES:
                    raise LimitError(
                        f"cases on standard input are larger than "
                        f"{size_text(MAX_STDIN_CSV_BYTES)}, the limit (bayesdx.limits."
                        "MAX_STDIN_CSV_BYTES); give a file instead"
                    )
                fh.write(block)
        return run(copy, "(standard input)")


def _score_file(
    network: Network,
    src: Path,
    label: str,
    dst: str | os.PathLike,
    *,
    targets: str | Sequence[str] | None,
    on_error: str,
    progress: bool | None,
    passthrough: Sequence[str],
    chunk_rows: int,
    force: bool,
    jobs: int = 1,
) -> ScoreSummary:
    """score_csv on a regular file ``src``, named ``label`` in messages."""

    import pandas as pd

    network = as_network(network)
    _check_options(on_error, chunk_rows)
    header = _header(src, label)
    added = _output_columns(network, resolve_targets(network, targets, allow_empty=True), on_error)
    _check_columns(header, added, label)
    lines, carriage, quoted = 0, False, False
    with open(src, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            lines += block.count(b"\n")
            carriage = carriage or b"\r" in block
            quoted = quoted or b'"' in block
    # Python's csv writer quotes a cell holding a line break only if the break is in its line
    # terminator: an input with any carriage return (CRLF lines, or a \r inside a cell) is
    # written with CRLF lines, so such a cell is quoted and read back whole
    ending = "\r\n" if carriage else "\n"
    per_chunk = min(chunk_rows, max(_MIN_CHUNK_ROWS, -(-lines // _CHUNKS)))
    bar = Progress(max(lines - 1, 1), "bayesdx batch", enabled=_show(progress, lines), unit="cases")
    written = errors = 0
    assumed: dict[str, int] = {}
    headed = False
    try:
        with (
            atomic_output(dst, inputs=[src], force=force, newline="") as out,
            warnings.catch_warnings(),
            pd.read_csv(
                src, dtype=str, keep_default_na=False, na_values=[""], chunksize=per_chunk,
                skip_blank_lines=False, encoding="utf-8", index_col=False,
            ) as reader,
        ):  # fmt: skip
            # a record with more cells than the header: an error, never a silent index column
            warnings.simplefilter("error", pd.errors.ParserWarning)
            options = {"targets": targets, "on_error": on_error, "passthrough": passthrough,
                       "label": label, "ending": ending}  # fmt: skip
            # without quotes a record is a line: processes read their own chunks' text
            lines_of = None if quoted or jobs <= 1 else (src, per_chunk)
            for text, n_rows, chunk_assumed, chunk_errors in _scored_chunks(
                network, reader, options, jobs, lines_of
            ):
                if not isinstance(text, str):  # a bad row: the record's own line in the file
                    line = _record_line(src, text[0] - 2)
                    raise RowError(line, text[1], text[2], label) from None
                out.write(text)
                headed = True
                written += n_rows
                for default, k in chunk_assumed.items():
                    assumed[default] = assumed.get(default, 0) + k
                errors += chunk_errors
                bar(n_rows)
            if not headed:  # no chunk at all: the header alone
                empty = pd.DataFrame(columns=header, dtype=object)
                score_frame(network, empty, targets=targets, on_error=on_error, progress=False,
                            passthrough=passthrough).to_csv(out, index=False,
                                                            lineterminator=ending)  # fmt: skip
    except UnicodeDecodeError:
        raise CaseFileError(
            f"cannot read cases from {label}: line {_bad_utf8_line(src)} is not UTF-8 text"
        ) from None
    except (pd.errors.ParserWarning, pd.errors.ParserError) as exc:
        found = _long_record(src, len(header))
        if found is None:
            raise CaseFileError(
                f"cannot read cases from {label}: {' '.join(str(exc).split())}"
            ) from None
        raise CaseFileError(
            f"cannot read cases from {label}: line {found[0]} has {found[1]} cells but the header "
            f"names {len(header)} columns"
        ) from None
    except OSError as exc:
        raise CaseFileError(f"cannot score {label} into {dst}: {exc.strerror or exc}") from None
    finally:
        bar.close()
    return ScoreSummary(network.id, label, str(dst), written, errors, assumed)


_WORKER: dict[str, Any] = {}  # a worker process's network (inherited when forked)


def _score_chunk(
    network: Network, chunk: pd.DataFrame, first: int, options: dict[str, Any]
) -> tuple[Any, int, dict[str, int], int]:
    """One chunk of a CSV file scored and rendered: its text (or the line, column and reason
    of its first bad row), rows, assumed defaults and rows with an error."""
    try:
        scored = score_frame(
            network, chunk, targets=options["targets"], on_error=options["on_error"],
            progress=False, passthrough=options["passthrough"], first_line=2 + first,
            source=options["label"],
        )  # fmt: skip
    except RowError as exc:  # as plain data: it crosses processes
        return (exc.line, exc.column, exc.reason), len(chunk), {}, 0
    text = _render(scored, header=first == 0, ending=options["ending"])
    errors = int((scored["error"] != "").sum()) if options["on_error"] == "skip" else 0
    return text, len(chunk), dict(scored.attrs.get("assumed", {})), errors


def _in_worker(chunk: pd.DataFrame, first: int, options: dict[str, Any]) -> Any:
    return _score_chunk(_WORKER["network"], chunk, first, options)


def _in_worker_text(header: bytes, block: bytes, first: int, options: dict[str, Any]) -> Any:
    return _score_chunk(_WORKER["network"], _parse(header, block), first, options)


def _parse(header: bytes, block: bytes) -> pd.DataFrame:
    """Records given as text, read exactly as the chunked reader reads them."""
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        return pd.read_csv(
            io.BytesIO(header + block), dtype=str, keep_default_na=False, na_values=[""],
            skip_blank_lines=False, encoding="utf-8", index_col=False,
        )  # fmt: skip


def _line_blocks(src: Path, per_chunk: int) -> Iterator[tuple[bytes, bytes, int]]:
    """The header line, then blocks of ``per_chunk`` lines with their number of lines."""
    with open(src, "rb") as fh:
        header = fh.readline()
        while True:
            lines = list(itertools.islice(fh, per_chunk))
            if not lines:
                return
            yield header, b"".join(lines), len(lines)


def _scored_chunks(
    network: Network,
    reader: Iterable[pd.DataFrame],
    options: dict[str, Any],
    jobs: int,
    lines_of: tuple[Path, int] | None = None,
) -> Iterator[tuple[Any, int, dict[str, int], int]]:
    """Scored chunks in file order, on ``jobs`` processes (forked: each inherits the
    network). At most two chunks per process are in flight, so memory stays bounded; the
    output is the same whatever the number of jobs. With ``lines_of`` (a file whose records
    are its lines, and the lines per chunk) the processes are sent the chunks' text, which
    they read themselves."""
    forking = jobs > 1 and "fork" in mp.get_all_start_methods()
    if forking and lines_of is not None:
        blocks = _line_blocks(*lines_of)
        first_block = next(blocks, None)
        second_block = next(blocks, None)
        if second_block is not None:
            assert first_block is not None
            work = (
                (_in_worker_text, (h, b), n)
                for h, b, n in itertools.chain((first_block, second_block), blocks)
            )
            yield from _pooled(network, work, options, jobs)
            return
    chunks = iter(reader)
    first_chunk = next(chunks, None)
    if first_chunk is None:
        return
    second = next(chunks, None)
    if not forking or second is None:
        first = 0
        for chunk in (first_chunk, *(() if second is None else (second,))):
            yield _score_chunk(network, chunk, first, options)
            first += len(chunk)
        for chunk in chunks:
            yield _score_chunk(network, chunk, first, options)
            first += len(chunk)
        return
    frames = ((_in_worker, (c,), len(c)) for c in itertools.chain((first_chunk, second), chunks))
    yield from _pooled(network, frames, options, jobs)


def _pooled(
    network: Network, work: Iterable[tuple[Callable, tuple, int]], options: dict, jobs: int
) -> Iterator[tuple[Any, int, dict[str, int], int]]:
    """Run ``fn(*args, first_row, options)`` for each piece of work on forked processes,
    yielding results in order."""
    from concurrent.futures import ProcessPoolExecutor

    _WORKER["network"] = network
    try:
        with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork")) as pool:
            pending: deque[Any] = deque()
            first = 0
            for fn, args, n_rows in work:
                pending.append(pool.submit(fn, *args, first, options))
                first += n_rows
                while len(pending) >= 2 * jobs:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
    finally:
        _WORKER.clear()


def _render(frame: pd.DataFrame, header: bool, ending: str) -> str:
    """A scored frame as CSV text, as ``csv.writer`` (pandas' quoting) writes it: missing
    cells empty, floats in the shortest form that reads back to the same number
    (``repr``). Runs of float columns are formatted in one call (Python's float repr is
    most of the time), the other cells quoted only where a comma, quote or line break
    needs it."""
    names = [str(c) for c in frame.columns]
    if len(names) < 2:  # one cell a row: csv.writer's own rules (an empty one is quoted)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=ending)
        if header:
            writer.writerow(names)
        for row in frame.itertuples(index=False, name=None):
            writer.writerow(["" if v is None or v != v else v for v in row])
        return out.getvalue()
    blocks: list[list[str]] = []
    kinds = [frame[c].to_numpy().dtype.kind == "f" for c in frame.columns]
    start = 0
    while start < len(names):
        stop = start
        while stop < len(names) and kinds[stop] == kinds[start]:
            stop += 1
        part = frame.iloc[:, start:stop]
        blocks.append(_float_rows(part) if kinds[start] else _text_rows(part))
        start = stop
    lines = list(map(",".join, zip(*blocks, strict=True))) if blocks else []
    if header:
        head = io.StringIO()
        csv.writer(head, lineterminator=ending).writerow(names)
        text = head.getvalue()
    else:
        text = ""
    return text + "".join(line + ending for line in lines)


def _float_rows(part: pd.DataFrame) -> list[str]:
    """Rows of float columns as text: ``repr`` of each number, empty for NaN."""
    values = part.to_numpy(dtype=float)
    if not len(values):
        return []
    text = repr(values.tolist())[2:-2].replace(", ", ",")
    rows = text.split("],[")
    bad = np.flatnonzero(np.isnan(values).any(axis=1))
    for r in bad.tolist():
        rows[r] = ",".join("" if v != v else repr(v) for v in values[r].tolist())
    return rows


def _text_rows(part: pd.DataFrame) -> list[str]:
    """Rows of other columns as text, each cell quoted as ``csv.writer`` quotes it (each
    distinct value rendered once)."""
    import pandas as pd

    columns = []
    for name in part.columns:
        labels, uniques = pd.factorize(part[name].astype(object), use_na_sentinel=True)
        shown = [_cell(v) for v in uniques] + [""]  # label -1 (missing): empty
        columns.append(np.asarray(shown, dtype=object)[labels].tolist())
    return list(map(",".join, zip(*columns, strict=True)))


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    c = "True" if v is True else "False" if v is False else str(v)
    if any(ch in c for ch in ',"\r\n'):
        c = '"' + c.replace('"', '""') + '"'
    return c


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _check_options(on_error: str, chunk_rows: int) -> None:
    if on_error not in ("raise", "skip"):
        raise ArgumentError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ArgumentError(f"chunk_rows must be a positive integer, got {chunk_rows!r}")


def _header(src: Path, label: str) -> list[str]:
    """The header record of a CSV file, checked: names present and each given once."""
    try:
        if not stat.S_ISREG(os.stat(src).st_mode):  # /dev/zero, a FIFO: no end to read to
            raise CaseFileError(f"cannot read cases from {label}: not a regular file")
        with open(src, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
    except UnicodeDecodeError:
        raise CaseFileError(f"cannot read cases from {label}: line 1 is not UTF-8 text") from None
    except (OSError, csv.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise CaseFileError(f"cannot read cases from {label}: {reason}") from None
    if header is None:
        raise CaseFileError(f"{label} is empty; expected a header line of variables")
    if not any(name.strip() for name in header):
        raise CaseFileError(f"{label} has no header line; the first line names the variables")
    seen: dict[str, int] = {}
    for k, name in enumerate(header, start=1):
        if not name.strip():
            raise CaseFileError(f"{label}: column {k} of the header has no name")
        if name in seen:
            raise CaseFileError(
                f"{label}: column '{name}' appears twice in the header (columns {seen[name]} "
                f"and {k}); give each column once"
            )
        seen[name] = k
    return header


def _output_columns(network: Network, names: Sequence[str], on_error: str) -> list[str]:
    columns = [f"{t}={s}" for t in names for s in network.states[t]]
    columns += [f"group:{name}" for name in network.groups]
    return columns + (["error"] if on_error == "skip" else [])


def _check_columns(columns: Iterable[Any], added: Sequence[str], source: object) -> None:
    taken = set(added)
    clash = [str(c) for c in columns if str(c) in taken]
    if clash:
        raise CaseFileError(
            f"{source}: input column '{clash[0]}' has the name of an output column; rename it "
            "(output columns are VAR=state, group:NAME and, with --on-error skip, error)"
        )


def _records(src: Path) -> Iterator[tuple[int, list[str]]]:
    """Every record of a CSV file with the line it starts on (the header is line 1).

    pandas read the cells already, so the csv module's cell-size limit is lifted here.
    """
    limit = csv.field_size_limit(sys.maxsize)
    try:
        with open(src, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            start = 1
            for record in reader:
                yield start, record
                start = reader.line_num + 1
    finally:
        csv.field_size_limit(limit)


def _record_line(src: Path, record: int) -> int:
    """The line of the file where data record ``record`` (0-based, after the header) starts."""
    for k, (start, _) in enumerate(_records(src)):
        if k == record + 1:
            return start
    raise AssertionError(f"{src} has no data record {record}")  # pragma: no cover


def _long_record(src: Path, width: int) -> tuple[int, int] | None:
    """The line and cell count of the first record with more than ``width`` cells."""
    try:
        for start, record in _records(src):
            if len(record) > width:
                return start, len(record)
    except (csv.Error, UnicodeDecodeError):
        return None
    return None


def _bad_utf8_line(src: Path) -> int:
    """The line holding the first byte sequence that is not UTF-8."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open(src, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return line + block[: exc.start].count(b"\n")
            line += block.count(b"\n")
    return line


def certain_states(network: Network, scored: pd.DataFrame) -> np.ndarray:
    """Per row of :func:`score_frame`'s output (``targets="all"``), the state index of every
    variable whose posterior is one state: given, implied by a definition, or a default taken
    (``setting``); -1 elsewhere.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_rows, n_vars)``, ``int64``, columns in ``network.variables`` order.

    Examples
    --------
    >>> import bayesdx, pandas as pd
    >>> net = bayesdx.load_network("marrow_signal")
    >>> x = certain_states(net, score_frame(net, pd.DataFrame({"hb": [11.4]}), targets="all"))
    >>> [net.variables[j] for j in range(len(net.variables)) if x[0, j] >= 0]
    ['setting', 'hb_level', 'hb']
    """
    x = np.full((len(scored), len(network.variables)), -1, dtype=np.int64)
    for j, v in enumerate(network.variables):
        post = scored[[f"{v}={s}" for s in network.states[v]]].to_numpy(dtype=float)
        certain = ((post == 1.0).sum(axis=1) == 1) & (
            (post == 0.0).sum(axis=1) == post.shape[1] - 1
        )
        x[certain, j] = post[certain].argmax(axis=1)
    return x
