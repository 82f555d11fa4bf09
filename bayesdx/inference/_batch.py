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

A CSV file is read and written without a Python object per cell: where a record is a line
(no quotes, carriage returns or NUL bytes in the file), the cells of each variable are keyed
by their bytes and factorized column by column (in numpy: pandas is not imported), every
distinct value read once, and each line is written back as it is; the posteriors are written
as ``"%.17e"`` (18 significant digits, correctly rounded, so each reads back to the float the
engine computed), formatted for whole columns at once into rows of a fixed width.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import itertools
import math
import multiprocessing as mp
import os
import stat
import sys
import tempfile
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
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
from bayesdx.limits import MAX_DIGITS, MAX_STDIN_CSV_BYTES, size_text
from bayesdx.model import (
    NUMBER,
    as_network,
    implied_states,
    normalise,
    parse_number,
    state_of,
)

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
        import pandas as pd  # heavy, and the batch path does without it

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
    scored = _score_cases(
        as_network(network), cases, targets=targets, on_error=on_error, progress=progress,
        passthrough=passthrough, first_line=first_line, source=source,
    )  # fmt: skip
    return _frame(cases, scored, on_error == "skip")


@dataclass
class _Scored:
    """What scoring a table of cases gives, before it becomes a frame or CSV text."""

    columns: list[str]  # VAR=state per target state, then group:NAME per group
    blocks: list[np.ndarray]  # their values: (rows, states) per target, (rows, 1) per group
    blank: np.ndarray  # (rows,) rows with an error, whose values are NaN
    errors: np.ndarray  # (rows,) the message of each row, "" for none
    assumed: dict[str, int]

    @property
    def values(self) -> np.ndarray:
        """(rows, columns), NaN in rows with an error."""
        values = np.hstack(self.blocks) if self.blocks else np.empty((len(self.blank), 0))
        values[self.blank] = np.nan
        return values


def _score_cases(
    network: Network,
    cases: pd.DataFrame | _Cells,
    *,
    targets: str | Sequence[str] | None,
    on_error: str,
    progress: bool | None,
    passthrough: Sequence[str],
    first_line: int,
    source: str,
) -> _Scored:
    """:func:`score_frame` without the frame: the posteriors as one matrix (``cases``: a
    DataFrame, or the columns :func:`_split_lines` read)."""
    _check_options(on_error, 1)
    compiled = _compiled(network)
    names = resolve_targets(network, targets, allow_empty=True)
    _check_columns(cases.columns, _output_columns(network, names, on_error), source or "cases")
    named = [str(c) for c in cases.columns]
    if len(set(named)) < len(named):
        twice = next(c for k, c in enumerate(named) if c in named[:k])
        raise CaseFileError(f"{source or 'cases'}: column '{twice}' is given twice")
    group_nodes = [node for node, _ in network.groups.values() if node not in names]
    evaluate = list(dict.fromkeys(names + group_nodes))
    n = len(cases)
    # built a column at a time (each contiguous), handed to the engine row by row
    x = np.full((n, len(compiled.variables)), -1, dtype=np.int64, order="F")
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

    legacy = _legacy_columns(network, cases.columns, passthrough)
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
        # an empty cell keeps what another column read (hb=12.6: hb_level)
        np.copyto(x[:, j], codes, where=codes >= 0)
        for i, message in bad.items():
            fail(i, str(column), message)
    for node in raw_to:
        _encode_raw_to(network, node, cases[node.id], x, compiled.variables, fail)
    if legacy:  # the earlier edition's rules read a frame
        frame = cases.frame() if isinstance(cases, _Cells) else cases
        _encode_legacy(network, frame, legacy, x, compiled.variables, fail)
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
    columns = [f"{t}={s}" for t in names for s in network.states[t]]
    columns += [f"group:{name}" for name in result.groups]
    blocks = [result.posteriors[t] for t in names]
    blocks += [p.reshape(-1, 1) for p in result.groups.values()]
    return _Scored(columns, blocks, has_error | impossible, errors, assumed)


def _legacy_columns(
    network: Network, columns: Iterable[Any], passthrough: Sequence[str]
) -> list[str]:
    """Columns an earlier edition of the network read, which this one reads by its rules."""
    named = {k for rule in network.spec.legacy for k in rule.given}
    return [
        str(c)
        for c in columns
        if c not in passthrough and str(c) in named and str(c) not in network.states
    ]


def _check_variables(network: Network, columns: Sequence[str], passthrough: Sequence[str]) -> None:
    """Refuse a column that is neither passed through nor read (as :func:`_score_cases`
    does), before any chunk is read."""
    legacy = _legacy_columns(network, columns, passthrough)
    for column in columns:
        if column not in passthrough and column not in legacy:
            network.node(column)  # UnknownVariableError lists the valid ones


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
    series: Any,
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
    labels, uniques, _ = _distinct(series)
    values = np.append(np.asarray(uniques, dtype=object), np.nan)[labels]  # label -1: missing
    # a number (even in a cell the node reads as empty), read once per distinct value
    numeric = np.append([_is_number(u) for u in uniques], False).astype(bool)[labels]
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

    unread = ~(use_own | use_finer | clash) & ((own_bad.labels >= 0) | (finer_bad.labels >= 0))
    for i in np.flatnonzero(unread).tolist():
        message = (finer_bad.get(i) if numeric[i] else None) or own_bad.get(i) or finer_bad.get(i)
        fail(i, str(series.name), single({node.id: values[i]}, str(message)))
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
    if _categorical(series):
        return _distinct(series)[2]
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


def _categorical(series: Any) -> bool:
    """Whether a column is given as codes of distinct values (:class:`_Codes`, or a pandas
    categorical; pandas is not imported to ask: a pandas column means it is imported)."""
    if isinstance(series, _Codes):
        return True
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(getattr(series, "dtype", None), pd.CategoricalDtype)


def _distinct(series: Any) -> tuple[np.ndarray, Any, np.ndarray]:
    """Codes and distinct values of any column, and where a cell is empty: a categorical
    column (how a CSV file is read) as it is, any other factorized once."""
    if _categorical(series):
        if isinstance(series, _Codes):
            labels, uniques = series.labels, series.uniques
        else:
            labels = np.asarray(series.cat.codes, dtype=np.intp)
            uniques = np.asarray(series.cat.categories, dtype=object)
        blank = np.array([str(u).strip() == "" for u in uniques.tolist()], dtype=bool)
        return labels, uniques, np.append(blank, True)[labels]
    import pandas as pd

    values = series.to_numpy()
    if values.dtype == object or values.dtype.kind in "US":
        return _factorized(values)
    labels, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    return labels, distinct, _empty(series)


@dataclass
class _Bad:
    """The bad cells of a column: per row the index of its message (-1: none)."""

    labels: np.ndarray
    messages: list[str]

    def get(self, i: int) -> str | None:
        k = int(self.labels[i])
        return self.messages[k] if k >= 0 else None

    def items(self) -> Iterator[tuple[int, str]]:
        for i in np.flatnonzero(self.labels >= 0).tolist():
            yield i, self.messages[int(self.labels[i])]


def _encode_column(node: Any, series: Any) -> tuple[np.ndarray, _Bad]:
    """State indices (-1: empty or bad) and the bad cells' messages (``series``: a pandas
    column or :class:`_Codes`)."""
    n = len(series)
    codes = np.full(n, -1, dtype=np.int64)
    bad = _Bad(np.full(n, -1, dtype=np.int64), [])
    numeric_states = any(s.lstrip("+-").isdigit() for s in node.states)
    labels: np.ndarray | None = None
    uniques: Any = None
    if _categorical(series):
        labels, uniques, empty = _distinct(series)
        values = np.asarray(uniques, dtype=object)  # only its dtype is asked below
    else:
        values = series.to_numpy()
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
        for i in np.flatnonzero(~ok & ~empty).tolist():
            bad.labels[i] = len(bad.messages)
            bad.messages.append(_message(node, values[i].item()))
        return codes, bad
    if labels is None or uniques is None:
        import pandas as pd

        labels, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    table = np.full(len(uniques) + 1, -1, dtype=np.int64)  # the last slot: NA (-1)
    messages: dict[int, str] = {}
    done = np.zeros(len(uniques), dtype=bool)
    if node.measure is not None and len(uniques) > 64 and not numeric_states:
        # many distinct numbers as text (a CSV column of measurements): one vectorised pass
        number = np.array([_number(u) for u in uniques], dtype=float)
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
    if messages:  # each distinct bad value's message, given to its rows
        which = np.full(len(uniques) + 1, -1, dtype=np.int64)
        which[list(messages)] = np.arange(len(messages))
        bad.labels = which[labels]
        bad.labels[empty] = -1
        bad.messages = list(messages.values())
    return codes, bad


def _number(value: Any) -> float:
    """A cell's number if it is one written as text (as a single case reads it), else NaN
    (and the cell is read one by one, with its message if it is bad)."""
    if not isinstance(value, str) or len(value) > MAX_DIGITS:
        return math.nan
    number = parse_number(value.strip())
    return math.nan if number is None else float(number)


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
    whole or not at all, and the input is never touched. Input cells are written back as
    they were; posteriors as ``"%.17e"`` (``3.33333333333333315e-01``), which reads back to
    the exact float computed.

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
    network = as_network(network)
    _check_options(on_error, chunk_rows)
    header = _header(src, label)
    added = _output_columns(network, resolve_targets(network, targets, allow_empty=True), on_error)
    _check_columns(header, added, label)
    _check_variables(network, header, passthrough)
    by_line = any(c != "error" for c in added)  # else every record is read by pandas
    written = errors = 0
    assumed: dict[str, int] = {}
    headed = False
    bar: Progress | None = None
    try:
        with (
            atomic_output(dst, inputs=[src], force=force, binary=True) as out,
            _syncing(out) as synced,
            warnings.catch_warnings(),
            contextlib.ExitStack() as stack,
        ):
            scan = _scan(src)
            lines = scan.lines
            # Python's csv writer quotes a cell holding a line break only if the break is in
            # its line terminator: an input with any carriage return (CRLF lines, or a \r
            # inside a cell) is written with CRLF lines, so such a cell is quoted and read
            # back whole
            ending = "\r\n" if scan.carriage else "\n"
            per_chunk = min(chunk_rows, max(_MIN_CHUNK_ROWS, -(-lines // _CHUNKS)))
            bar = Progress(
                max(lines - 1, 1), "bayesdx batch", enabled=_show(progress, lines), unit="cases"
            )
            options = {"targets": targets, "on_error": on_error, "passthrough": passthrough,
                       "label": label, "ending": ending, "header": header}  # fmt: skip
            work: Iterable[tuple[Callable[..., Any], tuple[Any, ...], int]]
            if not (scan.quoted or scan.carriage or scan.nul) and by_line:
                # a record is a line, and each line is written back as it is, with the
                # posteriors after it; processes read their own chunks' text
                head, ranges = _line_ranges(src, scan, per_chunk)
                work = [(_score_range, (str(src), head, a, b), n) for a, b, n in ranges]
            else:
                import pandas as pd

                # a record with more cells than the header: an error, never a silent index
                # column
                warnings.simplefilter("error", pd.errors.ParserWarning)
                reader = stack.enter_context(pd.read_csv(
                    src, dtype=object, keep_default_na=False, na_values=[""],
                    chunksize=per_chunk, skip_blank_lines=False, encoding="utf-8",
                    index_col=False,
                ))  # fmt: skip
                work = ((_score_chunk, (chunk,), len(chunk)) for chunk in reader)
            for text, n_rows, chunk_assumed, chunk_errors in _scored_chunks(
                network, work, options, jobs, out
            ):
                if isinstance(text, tuple):  # a bad row: the record's own line in the file
                    line = _record_line(src, text[0] - 2)
                    raise RowError(line, text[1], text[2], label) from None
                if isinstance(text, Path):
                    _append(out, text)
                elif text is not None:  # None: written in place by a process
                    _write_to(out, text)
                headed = True
                written += n_rows
                for default, k in chunk_assumed.items():
                    assumed[default] = assumed.get(default, 0) + k
                errors += chunk_errors
                synced()
                bar(n_rows)
            if not headed:  # no chunk at all: the header alone
                import pandas as pd

                empty = pd.DataFrame(columns=header, dtype=object)
                scored = score_frame(network, empty, targets=targets, on_error=on_error,
                                     progress=False, passthrough=passthrough)  # fmt: skip
                out.write(scored.to_csv(index=False, lineterminator=ending).encode())
    except UnicodeDecodeError:
        raise CaseFileError(
            f"cannot read cases from {label}: line {_bad_utf8_line(src)} is not UTF-8 text"
        ) from None
    except (ValueError, Warning) as exc:  # pandas' parser errors (ValueError, Warning)
        if not _parser_error(exc):
            raise
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
        if bar is not None:
            bar.close()
    return ScoreSummary(network.id, label, str(dst), written, errors, assumed)


def _parser_error(exc: BaseException) -> bool:
    """Whether ``exc`` is pandas' ParserWarning or ParserError (pandas is not imported to
    ask: an exception of pandas means pandas is imported)."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(exc, pd.errors.ParserWarning | pd.errors.ParserError)


@contextlib.contextmanager
def _syncing(out: Any) -> Iterator[Callable[[], None]]:
    """A function that starts writing what ``out`` holds so far to the disk, in a thread
    while the next chunk is scored (one at a time), so the final ``fsync`` of
    :func:`~bayesdx.io.atomic_output` has little left to wait for; waited for on leaving."""
    import threading

    try:
        fd = out.fileno()
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except (AttributeError, OSError, ValueError):
        regular = False
    running: list[threading.Thread] = []

    def start() -> None:
        if not regular or (running and running[-1].is_alive()):
            return
        out.flush()
        running[:] = [threading.Thread(target=_datasync, args=(fd,), daemon=True)]
        running[0].start()

    try:
        yield start
    finally:
        for thread in running:
            thread.join()


def _datasync(fd: int) -> None:
    with contextlib.suppress(OSError):  # a file system without it: the final fsync does it
        os.fdatasync(fd) if hasattr(os, "fdatasync") else os.fsync(fd)


_WORKER: dict[str, Any] = {}  # a worker process's network (inherited when forked)


def _score_chunk(
    network: Network,
    chunk: pd.DataFrame | _Cells,
    first: int,
    options: dict[str, Any],
    lines: list[bytes] | None = None,
) -> tuple[Any, int, dict[str, int], int]:
    """One chunk of a CSV file scored and rendered: its bytes (or the line, column and reason
    of its first bad row), rows, assumed defaults and rows with an error. ``lines``: each
    row's input cells as the CSV writer writes them, when the chunk's text gives them."""
    try:
        scored = _score_cases(
            network, chunk, targets=options["targets"], on_error=options["on_error"],
            progress=False, passthrough=options["passthrough"], first_line=2 + first,
            source=options["label"],
        )  # fmt: skip
    except RowError as exc:  # as plain data: it crosses processes
        return (exc.line, exc.column, exc.reason), len(chunk), {}, 0
    skip = options["on_error"] == "skip"
    names = options["header"] if lines is not None else [str(c) for c in chunk.columns]
    text: Any = _render_scored(chunk, scored, names, first == 0, options["ending"], lines, skip)
    errors = int((scored.errors != "").sum()) if skip else 0
    if options.get("spool"):  # a process's chunk: handed over as a file, not through a pipe
        path = Path(options["spool"], f"{first}.part")
        with open(path, "wb", buffering=0) as fh:
            _write(fh.fileno(), text)
        text = path
    return text, len(chunk), dict(scored.assumed), errors


def _score_text(
    network: Network, header: bytes, block: bytes, first: int, options: dict[str, Any]
) -> tuple[Any, int, dict[str, int], int]:
    """A chunk given as lines of a file without quotes, carriage returns or NUL bytes: each
    record is one line, whose cells are written back as they are (a line with fewer cells
    than the header gets the empty ones). Where every line has at most the header's cells,
    the cells are read here, column by column (:func:`_split_lines`); trailing empty cells
    past the header's are dropped line by line; otherwise pandas reads them (and refuses a
    record with more cells)."""
    lines = block.split(b"\n")
    if block.endswith(b"\n"):
        lines.pop()
    width = len(options["header"])
    raw = np.frombuffer(block, dtype=np.uint8)
    seps = np.flatnonzero((raw == 44) | (raw == 10))  # commas and line ends
    ends = np.flatnonzero(raw[seps] == 10)
    if len(ends) < len(lines):  # the last line has no line break
        ends = np.append(ends, len(seps))
    counts = np.diff(ends, prepend=-1) - 1  # commas a line
    over = np.flatnonzero(counts > width - 1).tolist()
    if over and all(lines[i].endswith(b"," * (int(counts[i]) - width + 1)) for i in over):
        # trailing delimiters ("a,b," for "a,b"): dropped line by line, so a line is read
        # the same whatever else its chunk holds (pandas judges a chunk by its first line)
        for i in over:
            lines[i] = lines[i][: -(int(counts[i]) - width + 1)]
        counts[over] = width - 1
        block = b"\n".join(lines) + b"\n"
        raw = np.frombuffer(block, dtype=np.uint8)
        seps = np.flatnonzero((raw == 44) | (raw == 10))
    chunk: pd.DataFrame | _Cells
    if (counts > width - 1).any():
        chunk = _parse(header, block)
        if len(lines) != len(chunk):  # pragma: no cover - pandas reads a line as a record
            return _score_chunk(network, chunk, first, options)
        for i in np.flatnonzero(counts > width - 1).tolist():
            extra = int(counts[i]) - (width - 1)
            if not lines[i].endswith(b"," * extra):  # pragma: no cover - pandas refused it
                return _score_chunk(network, chunk, first, options)
            lines[i] = lines[i][:-extra]  # "a,b," for "a,b": a trailing delimiter, dropped
    for i in np.flatnonzero(counts < width - 1).tolist():
        lines[i] += b"," * (width - 1 - int(counts[i]))
    if not (counts > width - 1).any():
        if (counts < width - 1).any() or not block.endswith(b"\n"):
            block = b"\n".join(lines) + b"\n"
            raw = np.frombuffer(block, dtype=np.uint8)
            seps = np.flatnonzero((raw == 44) | (raw == 10))
        chunk = _split_lines(block, seps, options["header"], options["passthrough"])
    return _score_chunk(network, chunk, first, options, lines)


@dataclass
class _Codes:
    """A column of cells read from text, as a categorical: per row the index of its
    distinct value (-1: an empty cell, missing), and the distinct values (str)."""

    name: str
    labels: np.ndarray
    uniques: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


class _Cells:
    """The columns :func:`_split_lines` read, as much of a frame of categoricals as
    :func:`_score_cases` asks for (no pandas: the batch path does not import it)."""

    def __init__(self, columns: dict[str, _Codes], rows: int) -> None:
        self.by_name = columns
        self.columns = list(columns)
        self.rows = rows

    def __len__(self) -> int:
        return self.rows

    def __getitem__(self, name: str) -> _Codes:
        return self.by_name[name]

    def frame(self) -> pd.DataFrame:
        """The same columns as a pandas frame of categoricals."""
        import pandas as pd

        columns = {
            name: pd.Categorical.from_codes(  # type: ignore[call-arg, unused-ignore]
                c.labels,  # type: ignore[arg-type, unused-ignore]
                categories=pd.Index(c.uniques, dtype=object),
                validate=False,
            )
            for name, c in self.by_name.items()
        }
        return pd.DataFrame(columns, index=pd.RangeIndex(self.rows))


_MIXERS = tuple(np.uint64(m) for m in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9))


def _factorize(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (``0 .. k-1``) and the ``k`` distinct values of 64-bit keys, by hashing them
    into a table (a multiplicative hash): each round, the keys that own their slot are
    coded, the others (another key took the slot) go to the next round, hashed anew. The
    order of the codes is not that of first appearance."""
    rest = np.ascontiguousarray(keys).view(np.uint64)
    n = len(rest)
    labels = np.empty(n, dtype=np.intp)
    where: np.ndarray | None = None  # the rows of ``rest`` (None: all)
    uniques: list[np.ndarray] = []
    found = 0
    bits = max(4, min(16, n.bit_length() + 1))
    size = 1 << bits
    rounds = 0
    while len(rest):
        mixer = _MIXERS[rounds % len(_MIXERS)] + np.uint64(2 * (rounds // len(_MIXERS)))
        slot = ((rest * mixer) >> np.uint64(64 - bits)).astype(np.intp)
        table = np.zeros(size, dtype=np.uint64)
        used = np.zeros(size, dtype=bool)
        table[slot] = rest  # of keys sharing a slot, one is kept
        used[slot] = True
        owns = table[slot] == rest
        taken = np.flatnonzero(used)
        code = np.zeros(size, dtype=np.intp)
        code[taken] = np.arange(found, found + len(taken))
        uniques.append(table[taken])
        found += len(taken)
        if where is None:
            labels[:] = code[slot]  # rows that do not own their slot are coded again below
        else:
            labels[where[owns]] = code[slot[owns]]
        if owns.all():
            break
        lost = np.flatnonzero(~owns)
        where = lost if where is None else where[lost]
        rest = rest[lost]
        rounds += 1
    return labels, np.concatenate(uniques) if uniques else np.empty(0, dtype=np.uint64)


def _split_lines(
    block: bytes, seps: np.ndarray, names: Sequence[str], passthrough: Sequence[str]
) -> _Cells:
    """Lines of ``len(names)`` cells each (no quotes, carriage returns or NUL bytes; ``seps``
    the positions of their commas and line breaks) as columns of codes, as pandas reads them
    (cells as text, empty ones missing), without a Python string per cell: each cell is
    keyed by its bytes (the first eight, and the last eight of a longer one) and the keys
    factorized (:func:`_factorize`); a column not read (``passthrough``) is left out."""
    # as pandas would: UnicodeDecodeError for bytes that are not UTF-8 (ASCII is: isascii
    # takes a fifth of decode's time, and makes no copy)
    if not block.isascii():
        block.decode("utf-8")
    width = len(names)
    n = len(seps) // width
    raw = np.frombuffer(block + b"\0" * (16 - len(block) % 8), dtype=np.uint8)
    ends = seps.reshape(n, width).T.copy()  # a column's cell ends side by side
    line_starts = np.append(0, ends[-1, :-1] + 1)
    # the eight bytes from any offset, from the two aligned words holding them; a cell's
    # bytes are never NUL, so the first eight bytes of a cell of eight or fewer, masked to
    # its length, are its own key
    aligned = (raw if raw.ctypes.data % 8 == 0 else raw.copy()).view("<u8")

    def eight(offset: np.ndarray) -> np.ndarray:
        word = offset >> 3
        shift = (offset & 7).astype(np.uint64) * np.uint64(8)
        low = np.take(aligned, word) >> shift
        return low | (np.take(aligned, word + 1) << (np.uint64(64) - shift))

    def text(start: np.ndarray, stop: np.ndarray) -> list[str]:
        return [
            block[a:b].decode("utf-8") for a, b in zip(start.tolist(), stop.tolist(), strict=True)
        ]

    masks = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [2**64 - 1], dtype=np.uint64)
    columns: dict[str, _Codes] = {}
    for j, name in enumerate(names):
        if name in passthrough:
            continue
        s, e = (ends[j - 1] + 1 if j else line_starts), ends[j]
        size = e - s
        if size.max(initial=0) <= 8:  # the usual column: one key per cell, empty ones too
            labels, keys = _factorize(eight(s) & np.take(masks, size))
            first = np.empty(len(keys), dtype=np.intp)
            first[labels[::-1]] = np.arange(n - 1, -1, -1)  # the first row of each label
            blank = np.flatnonzero(keys == 0)  # the empty cell's key (no cell has a NUL)
            cells = text(s[first], e[first])
            if len(blank):  # missing, as pandas reads an empty cell: code -1
                del cells[int(blank[0])]
                labels = np.where(labels == blank[0], -1, labels - (labels > blank[0]))
            columns[name] = _Codes(name, labels, np.asarray(cells, dtype=object))
            continue
        codes = np.full(n, -1, dtype=np.intp)
        uniques: list[str] = []
        for low, high in ((1, 8), (9, 16), (17, None)):
            part = np.flatnonzero((size >= low) & (size <= high if high else size >= low))
            if not len(part):
                continue
            if high == 8:  # the cell's bytes
                labels = _factorize(eight(s[part]) & np.take(masks, size[part]))[0]
            elif high == 16:  # the first and the last eight bytes, and the length
                head = _factorize(eight(s[part]))[0]
                tail, tails = _factorize(eight(e[part] - 8))
                labels = _factorize((head * len(tails) + tail) * 16 + size[part] - 9)[0]
            else:  # longer: rare in a column of findings
                seen: dict[bytes, int] = {}
                whole = zip(s[part].tolist(), e[part].tolist(), strict=True)
                labels = np.array([seen.setdefault(block[a:b], len(seen)) for a, b in whole])
            first = np.empty(int(labels.max()) + 1, dtype=np.intp)
            first[labels[::-1]] = part[::-1]  # the first row of each label
            codes[part] = labels + len(uniques)
            uniques += text(s[first], e[first])
        columns[name] = _Codes(name, codes, np.asarray(uniques, dtype=object))
    return _Cells(columns, n)


class _Relayed(Exception):
    """An exception of a pool's process, as :func:`_portable` sends it."""

    def __init__(self, sent: Any) -> None:
        super().__init__(sent)
        self.sent = sent


def _in_worker(fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return fn(_WORKER["network"], *args)
    except Exception as exc:  # one that does not unpickle would break the pool: its parts
        raise _Relayed(_portable(exc)) from None


def _result(future: Any) -> Any:
    """A pool's result, or the exception its process raised."""
    try:
        return future.result()
    except _Relayed as relayed:
        raise _rebuilt(relayed.sent) from None


def _parse(header: bytes, block: bytes) -> pd.DataFrame:
    """Records given as text, read as the chunked reader reads them: cells as text, empty
    cells missing."""
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        return pd.read_csv(
            io.BytesIO(header + block), dtype=object, keep_default_na=False,
            na_values=[""], skip_blank_lines=False, encoding="utf-8", index_col=False,
        )  # fmt: skip


_SCAN = 1 << 20  # bytes read at a time when a file is scanned


@dataclass(frozen=True)
class _Scan:
    """What one pass over a CSV file's bytes finds: its line breaks (in all, and in each
    ``_SCAN`` bytes), and whether it holds a carriage return, a quote or a NUL byte."""

    lines: int
    carriage: bool
    quoted: bool
    nul: bool
    counts: list[int]  # line breaks in each block of _SCAN bytes
    size: int


def _scan(src: Path) -> _Scan:
    """Scan ``src`` once (see :class:`_Scan`)."""
    carriage = quoted = nul = False
    counts: list[int] = []
    size = 0
    with open(src, "rb") as fh:
        for block in iter(lambda: fh.read(_SCAN), b""):
            raw = np.frombuffer(block, dtype=np.uint8)  # numpy: half the time of bytes.count
            counts.append(int(np.count_nonzero(raw == 10)))
            size += len(block)
            # a byte that is not there is sought by memchr: a quarter of numpy's time
            carriage = carriage or b"\r" in block
            quoted = quoted or b'"' in block
            nul = nul or b"\0" in block
    return _Scan(sum(counts), carriage, quoted, nul, counts, size)


def _line_ranges(
    src: Path, scan: _Scan, per_chunk: int
) -> tuple[bytes, list[tuple[int, int, int]]]:
    """The header line, and the byte ranges ``(start, stop, lines)`` of blocks of
    ``per_chunk`` data lines (the last block fewer, its last line perhaps without a line
    break), found from the scan: only the ``_SCAN`` bytes around each boundary are read."""
    bounds = np.cumsum(scan.counts)  # line breaks up to the end of each scanned block
    with open(src, "rb") as fh:

        def after(n: int) -> int:
            """The offset just after the ``n``-th line break of the file (1-based)."""
            k = int(np.searchsorted(bounds, n))  # the block holding it
            before = int(bounds[k - 1]) if k else 0
            block = os.pread(fh.fileno(), _SCAN, k * _SCAN)
            ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
            return k * _SCAN + int(ends[n - before - 1]) + 1

        if not scan.lines:  # the header alone, without a line break
            return os.pread(fh.fileno(), scan.size, 0), []
        start = after(1)
        header = os.pread(fh.fileno(), start, 0)
        ranges = []
        for n in range(1 + per_chunk, scan.lines + 1, per_chunk):
            stop = after(n)
            ranges.append((start, stop, per_chunk))
            start = stop
        if start < scan.size:  # the last lines (the last may have no line break)
            tail = os.pread(fh.fileno(), 1, scan.size - 1)
            rest = (scan.lines - 1) % per_chunk + (tail != b"\n")
            ranges.append((start, scan.size, rest))
    return header, ranges


def _read_range(src: str, start: int, stop: int) -> bytes:
    """The bytes ``start:stop`` of a file."""
    parts = []
    with open(src, "rb") as fh:
        while start < stop:
            piece = os.pread(fh.fileno(), stop - start, start)
            if not piece:  # pragma: no cover - the file shrank since it was scanned
                raise CaseFileError(f"{src} changed while it was read")
            parts.append(piece)
            start += len(piece)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _score_range(
    network: Network, src: str, header: bytes, start: int, stop: int, first: int,
    options: dict[str, Any],
) -> tuple[Any, int, dict[str, int], int]:  # fmt: skip
    """:func:`_score_text` on the lines at bytes ``start:stop`` of ``src`` (read here: in a
    worker process, its own chunk)."""
    return _score_text(network, header, _read_range(src, start, stop), first, options)


def _scored_chunks(
    network: Network,
    work: Iterable[tuple[Callable[..., Any], tuple[Any, ...], int]],
    options: dict[str, Any],
    jobs: int,
    out: Any,
) -> Iterator[tuple[Any, int, dict[str, int], int]]:
    """Each piece of work ``fn(network, *args, first_row, options)`` (a chunk's rows), in file
    order, on ``jobs`` processes (forked: each inherits the network); the output is the same
    whatever the number of jobs. Chunks of lines (a list of :func:`_score_range` work) are
    scored by a :class:`_Crew` that writes each chunk into ``out`` at its place, where
    ``out`` is a regular file (the text of a yielded chunk is None). Otherwise at most two chunks
    per process are in flight, so memory stays bounded, and the processes write each chunk's
    text to a file in a temporary folder (removed afterwards), which the caller appends to
    the output (:func:`_append`)."""
    pieces = iter(work)
    head = list(itertools.islice(pieces, 2))
    if not _forks(jobs) or len(head) < 2:
        first = 0
        for fn, args, n_rows in itertools.chain(head, pieces):
            yield fn(network, *args, first, options)
            first += n_rows
        return
    if isinstance(work, list) and _positioned(out) is not None:
        with _Crew(network, min(jobs, len(work)), out) as crew:
            yield from crew.run(work, options)
        out.seek(0, os.SEEK_END)
        return
    with tempfile.TemporaryDirectory(prefix="bayesdx-batch-") as folder:
        spooled = {**options, "spool": folder}
        yield from _pooled(network, itertools.chain(head, pieces), spooled, jobs)


def _forks(jobs: int) -> bool:
    """Whether ``jobs`` processes are forked (more than one, on a platform that forks)."""
    return jobs > 1 and "fork" in mp.get_all_start_methods()


def _positioned(out: Any) -> int | None:
    """The descriptor of ``out`` if processes can write it at offsets (a regular file, not
    opened to append), with what it holds so far flushed; else None."""
    import fcntl

    try:
        out.flush()
        fd = out.fileno()
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
        appends = bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND)
        out.tell()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return fd if regular and not appends else None


class _Crew:
    """Processes forked to score chunks of lines (:func:`_score_range`) and write each
    chunk's text into the output file at its offset; this process hands out the chunks in
    file order, one at a time to whichever process asks, and each chunk's offset once the
    sizes of all the chunks before it are known.

    A process that finishes a chunk before the chunks ahead of it keeps its text and goes
    on with the next chunk, writing the kept text when its offset comes (so no process
    waits for another while chunks are left). A context manager: on leaving, the processes
    have ended, or are ended if a chunk failed (the output is then thrown away).
    """

    def __init__(self, network: Network, jobs: int, out: Any) -> None:
        import gc

        fd = _positioned(out)
        if fd is None:  # pragma: no cover - the callers check
            raise ValueError("the output cannot be written at offsets")
        self.base = out.tell()
        self.links: list[Any] = []
        self.processes: list[Any] = []
        self.done = False
        ctx = mp.get_context("fork")
        gc.freeze()  # the processes' collections leave this process's objects (and pages) alone
        try:
            for _ in range(jobs):
                here, there = ctx.Pipe()
                process = ctx.Process(
                    target=_crew_member, args=(network, there, fd, [*self.links, here]), daemon=True
                )
                process.start()
                there.close()
                self.links.append(here)
                self.processes.append(process)
        except BaseException:
            self.close()
            raise
        finally:
            gc.unfreeze()

    def __enter__(self) -> _Crew:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Wait for the processes once every chunk is written; otherwise (a chunk failed,
        or the crew was not needed) end them, as nothing they would write is kept."""
        for process in self.processes:
            if not self.done and process.is_alive():
                process.terminate()
        for link, process in zip(self.links, self.processes, strict=True):
            process.join()
            link.close()
        self.done = True

    def run(
        self, work: list[tuple[Callable[..., Any], tuple[Any, ...], int]], options: dict[str, Any]
    ) -> Iterator[tuple[Any, int, dict[str, int], int]]:
        """Score the chunks of ``work`` (``_score_range``'s arguments, rows); yield each
        chunk's result in file order (its text None: written); return once all are written."""
        from multiprocessing.connection import wait

        firsts = np.cumsum([0] + [n_rows for _, _, n_rows in work]).tolist()
        sizes: dict[int, int] = {}
        holders: dict[int, Any] = {}
        results: dict[int, tuple[Any, int, dict[str, int], int]] = {}
        given = placed = at = 0
        offset = self.base
        busy = dict(zip(self.links, self.processes, strict=True))
        while busy:
            for ready in wait(list(busy)):
                link: Any = ready
                try:
                    message = link.recv()
                except EOFError:  # the process ended without saying it was done
                    process = busy[link]
                    process.join()
                    raise ChildProcessError(
                        f"a batch process ended abruptly (exit code {process.exitcode})"
                    ) from None
                if message[0] == "next":
                    if given < len(work):
                        args = work[given][1]
                        link.send(("chunk", given, args, firsts[given], options))
                        holders[given] = link
                        given += 1
                    else:
                        link.send(("end",))
                elif message[0] == "done":
                    _, k, size, result = message
                    sizes[k], results[k] = size, result
                    while placed in sizes:  # the chunks whose offsets are now known
                        size = sizes.pop(placed)
                        holders.pop(placed).send(("offset", placed, offset, size))
                        offset += size
                        placed += 1
                elif message[0] == "finished":
                    del busy[link]
                else:
                    raise _rebuilt(message[1])
            while at in results:
                yield results.pop(at)
                at += 1
        self.done = True


def _crew_member(
    network: Network, link: Any, fd: int, inherited: list[Any]
) -> None:  # pragma: no cover - a forked process (the tests see what it writes)
    """A process of a :class:`_Crew`: ask for a chunk, score it, say its size, keep its
    text until its offset comes, write it there; stop when told no chunk is left and
    nothing is kept."""
    for other in inherited:  # this process's copies of the crew's own ends
        other.close()
    _keep_freed_memory()
    try:
        kept: dict[int, list[Any]] = {}
        ending = False
        link.send(("next",))
        while True:
            message = link.recv()
            if message[0] == "offset":
                _pwrite(fd, kept.pop(message[1]), message[2])
                _write_back(fd, message[2], message[3])
            elif message[0] == "chunk":
                _, k, (src, header, start, stop), first, options = message
                text, n_rows, assumed, errors = _score_range(
                    network, src, header, start, stop, first, options
                )
                bad = text if isinstance(text, tuple) else None  # a bad row: line, column, reason
                # each block of rows joined while it is in the processor's cache
                kept[k] = [] if bad else [b"".join(buffers) for buffers in text]
                link.send(("done", k, sum(map(len, kept[k])), (bad, n_rows, assumed, errors)))
                link.send(("next",))
            else:  # "end": no chunk left
                ending = True
            if ending and not kept:
                link.send(("finished",))
                return
    except EOFError:  # the parent has gone
        return
    except BaseException as exc:  # handed to the parent, which raises it
        with contextlib.suppress(Exception):
            link.send(("error", _portable(exc)))


def _keep_freed_memory() -> None:  # pragma: no cover - a forked process
    """In a crew's process (forked, ended after the run): memory freed is kept for reuse
    rather than given back to the system, and blocks up to 32 MiB come from the heap
    (glibc's ``mallopt``; elsewhere nothing is done). Each chunk's text is kept until its
    offset comes and then freed all at once, so glibc gave it back, and the next chunk's
    faulted in fresh pages: ``batch --jobs 2`` on a million marrow rows had 160,000 to
    173,000 minor faults, 0.79 to 0.87 s of system time; with this, 64,000 to 67,000 and
    0.61 to 0.68 s (``/usr/bin/time``, 3 runs each, alternately; wall time within noise)."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):  # not glibc
        return
    mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: its largest value on 64-bit glibc
    mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD


def _portable(exc: BaseException) -> Any:
    """An exception as a process can send it: itself if it pickles and unpickles, else its
    class, arguments and attributes (an ``__init__`` whose parameters are not its ``args``
    cannot be called again), else its text (:func:`_rebuilt` makes it again)."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        pass
    try:
        parts = (type(exc), exc.args, dict(vars(exc)))
        pickle.dumps(parts)
        return parts
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _rebuilt(sent: Any) -> BaseException:
    """The exception :func:`_portable` made portable, made without calling its ``__init__``."""
    if isinstance(sent, BaseException):
        return sent
    cls, args, attrs = sent
    exc = cls.__new__(cls, *args)
    exc.args = args
    vars(exc).update(attrs)
    return exc


def _write_back(fd: int, offset: int, size: int) -> None:
    """Start writing ``size`` bytes of a file at ``offset`` to the disk, not waiting for it
    (``posix_fadvise(DONTNEED)`` starts the writeback of dirty pages and drops only clean
    ones), so that the final ``fsync`` has less left to wait for."""
    if size and hasattr(os, "posix_fadvise"):
        with contextlib.suppress(OSError):
            os.posix_fadvise(fd, offset, size, os.POSIX_FADV_DONTNEED)


def _pwrite(fd: int, buffers: Sequence[Any], offset: int) -> None:
    """Write buffers one after the other into a file at ``offset``: ``os.pwritev`` of at
    most 1024 buffers and about 1 MiB a call (one call of tens of megabytes costs the kernel
    several times more: measured on Linux 6.18, ext4)."""
    most, enough = 1024, 1 << 20  # IOV_MAX on Linux and macOS; bytes a call
    at = 0
    while at < len(buffers):
        stop, size = at, 0
        while stop < len(buffers) and stop - at < most and (size < enough or stop == at):
            size += len(buffers[stop])
            stop += 1
        batch = buffers[at:stop]
        done = os.pwritev(fd, batch, offset) if hasattr(os, "pwritev") else 0
        if done < size:  # a part, or no pwritev
            rest = memoryview(b"".join(batch))[done:]
            at_rest = offset + done
            while len(rest):
                k = os.pwrite(fd, rest, at_rest)
                rest, at_rest = rest[k:], at_rest + k
        offset += size
        at = stop


def _append(out: Any, part: Path) -> None:
    """Append a chunk's file to the output (in the kernel where it can), and remove it."""
    size = part.stat().st_size
    out.flush()
    with open(part, "rb") as fh:
        sent = 0
        try:
            while sent < size:
                n = os.sendfile(out.fileno(), fh.fileno(), sent, size - sent)
                if n == 0:  # pragma: no cover - the file shrank
                    break
                sent += n
        except (AttributeError, OSError):  # no sendfile here: copy
            fh.seek(sent)
            for piece in iter(lambda: fh.read(1 << 20), b""):
                out.write(piece)
    part.unlink()


def _pooled(
    network: Network, work: Iterable[tuple[Callable, tuple, int]], options: dict, jobs: int
) -> Iterator[tuple[Any, int, dict[str, int], int]]:
    """Run ``fn(network, *args, first_row, options)`` for each piece of work on forked
    processes, yielding results in order."""
    from concurrent.futures import ProcessPoolExecutor

    _WORKER["network"] = network
    try:
        with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork")) as pool:
            pending: deque[Any] = deque()
            first = 0
            for fn, args, n_rows in work:
                pending.append(pool.submit(_in_worker, fn, *args, first, options))
                first += n_rows
                while len(pending) >= 2 * jobs:
                    yield _result(pending.popleft())
            while pending:
                yield _result(pending.popleft())
    finally:
        _WORKER.clear()


def _render_scored(
    cases: pd.DataFrame | _Cells,
    scored: _Scored,
    input_names: Sequence[str],
    header: bool,
    ending: str,
    lines: list[bytes] | None,
    skip: bool,
) -> Iterator[list[Any]]:
    """Scored rows as CSV text, quoted as ``csv.writer`` quotes them: the input cells, the
    posteriors (:func:`_float_blocks`), the error; as lists of buffers (bytes or views) to
    write one after the other, ``_BLOCK`` rows at a time. ``lines`` are the input cells of
    each row already written (the file's own lines), else they are written here."""
    names = [*input_names, *scored.columns, *(["error"] if skip else [])]
    if lines is None:  # the input cells written here, from a frame
        given = cases.frame() if isinstance(cases, _Cells) else cases
        if len(names) < 2 or not scored.columns or not len(given.columns):
            yield [_render(_frame(given, scored, skip), header, ending).encode()]  # csv.writer's
            return
        lines = [row.encode() for row in _text_rows(given)] if len(given) else []
    end = ending.encode()
    if header:
        head = io.StringIO()
        csv.writer(head, lineterminator=ending).writerow(names)
        yield [head.getvalue().encode()]
    if not len(cases):
        return
    tails: list[bytes] = []
    if skip:  # each distinct message rendered once
        shown: dict[str, bytes] = {}
        tails = [
            shown.get(e) or shown.setdefault(e, b"," + _cell(e).encode() + end)
            for e in scored.errors.tolist()
        ]
    step = 3 if skip else 2
    floats = _float_blocks(scored.blocks, scored.blank, b"" if skip else end)
    for start, rows in zip(range(0, len(lines), _BLOCK), floats, strict=True):
        parts: list[Any] = [b""] * (step * len(rows))
        parts[0::step] = lines[start : start + _BLOCK]
        parts[1::step] = rows
        if skip:
            parts[2::step] = tails[start : start + _BLOCK]
        yield parts


def _write_to(out: Any, pieces: Iterable[list[Any]]) -> None:
    """Write lists of buffers to a binary file: to its descriptor where it has one."""
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):  # a stream in memory (a test's stdout)
        for buffers in pieces:
            out.write(b"".join(buffers))
        return
    out.flush()
    _write(fd, pieces)


def _write(fd: int, pieces: Iterable[list[Any]]) -> None:
    """Write lists of buffers to a file descriptor, each list with as few system calls as
    it can (``os.writev``: no joined copy of the text)."""
    most = 1024  # IOV_MAX on Linux and macOS
    for buffers in pieces:
        for at in range(0, len(buffers), most):
            batch = buffers[at : at + most]
            done = os.writev(fd, batch) if hasattr(os, "writev") else 0
            if done < sum(map(len, batch)):  # a part (a pipe, a signal), or no writev
                rest = memoryview(b"".join(batch))[done:]
                while len(rest):
                    rest = rest[os.write(fd, rest) :]


def _frame(cases: pd.DataFrame, scored: _Scored, skip: bool) -> pd.DataFrame:
    """The frame :func:`score_frame` returns, from what was scored."""
    import pandas as pd

    extra = pd.DataFrame(dict(zip(scored.columns, scored.values.T, strict=True)), index=cases.index)
    out = pd.concat([cases.copy(), extra], axis=1)
    if skip:
        out["error"] = scored.errors
    out.attrs["assumed"] = scored.assumed  # reported, never silent: rows that took a default
    return out


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


# Floats as text: C's "%.17e" (Python's ``"%.17e" % x``), 18 significant digits correctly
# rounded, which always reads back to the same float (17 are enough), and at 24 characters
# with its comma a fixed width: a row of posteriors is a fixed number of bytes, computed for
# whole columns at once. A float x in [1e-99, 1) is scaled to 18 digits exactly enough (x *
# 10**k with 10**k in two parts, so the product's error is far below the margin used); 0 and
# 1 are written directly; a value whose rounding the margin cannot settle (about 1 in 5,000)
# and anything else (negative, 1e-99 and below, above 1, infinite) is written by Python.
# NaN (a row with an error) is an empty cell.

_SLOT = 24  # bytes per cell: "," and "d.ddddddddddddddddde-XX"
_BLOCK = 1024  # rows formatted at once: the work arrays stay in the processor's cache
_K_LO, _K_HI = 17, 116  # 10**k tabulated, k = 17 - e10 for 1e-99 <= x < 1


@functools.cache
def _powers_of_ten() -> tuple[np.ndarray, np.ndarray]:
    """10**k as hi + lo: hi with 26 significant bits (so x_hi * hi and x_lo * hi are exact
    products), lo the rest (to about 2**-79 of 10**k)."""
    hi, lo = [], []
    for k in range(_K_LO, _K_HI + 1):
        exact = Fraction(10) ** k
        m, e = math.frexp(float(exact))
        t_hi = math.ldexp(round(m * 2**26), e - 26)
        hi.append(t_hi)
        lo.append(float(exact - Fraction(t_hi)))
    return np.array(hi), np.array(lo)


@functools.cache
def _text_tables() -> tuple[np.ndarray, np.ndarray]:
    """Four digits per uint32 ("0000" to "9999"), and "e-99" to "e+99" per exponent + 99."""
    digits = np.frombuffer(b"".join(b"%04d" % i for i in range(10_000)), dtype=np.uint32)
    exponent = b"".join(b"e%+03d" % e for e in range(-99, 100))
    return digits, np.frombuffer(exponent, dtype=np.uint32)


def _scaled(x: np.ndarray, e10: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``x * 10**(17 - e10)`` as its nearest integer and the remainder (to about 1e-6), and
    whether the integer has 18 digits."""
    t_hi, t_lo = (np.take(t, 17 - _K_LO - e10) for t in _powers_of_ten())
    c = x * 134217729.0  # Veltkamp's split of x into 26 and 27 bits
    x_hi = c - (c - x)
    x_lo = x - x_hi
    a = x_hi * t_hi  # exact, and an integer: at least 2**53
    s = x_lo * t_hi + x * t_lo
    rs = np.rint(s)
    n = a.astype(np.int64) + rs.astype(np.int64)
    return n, s - rs, (n > 10**17) & (n < 10**18)


def _fixed_cells(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Write each float of ``x`` (rows, columns) as ``","`` and its ``"%.17e"`` text into
    ``out`` (rows, columns, 24 bytes); return the flat positions of the values this left to
    the caller (NaN, and values whose text is not 23 characters)."""
    digits, exponents = _text_tables()
    x = np.ascontiguousarray(x)
    m = x.shape[1]
    inside = (x >= 1e-99) & (x < 1.0)  # 23 characters; 0 and 1 too
    safe = np.where(inside, x, 0.5)  # a harmless stand-in where the value is not computed
    e10 = np.floor(np.log10(safe)).astype(np.int64)
    n18, f18, ok = _scaled(safe, e10)
    if not ok.all():  # log10 one off near a power of ten: 17 or 19 digits
        off = np.nonzero(~ok)
        e10[off] += np.where(n18[off] >= 10**17, 1, -1)
        n18[off], f18[off], ok[off] = _scaled(safe[off], e10[off])
    settled = inside & ok & (np.abs(f18) < 0.5 - 1e-4)
    outside = np.flatnonzero(~inside)  # few: NaN (a row with an error), 0 and 1 above all
    if len(outside):
        values = x.reshape(-1)[outside]
        for value, code in ((0.0, 0), (1.0, 10**17)):
            exact = outside[values == value]
            n18.reshape(-1)[exact], e10.reshape(-1)[exact] = code, 0
            settled.reshape(-1)[exact] = True
    words = out.view(np.uint32)  # "00" + 18 digits in words 0-4, "e-XX" in word 5
    rest = n18
    for k in range(4, 0, -1):
        high = rest // 10_000
        words[..., k] = np.take(digits, rest - high * 10_000, mode="clip")  # all in range
        rest = high
    words[..., 0] = np.take(digits, rest, mode="clip")
    words[..., 5] = np.take(exponents, e10 + 99, mode="clip")  # -99 <= e10 <= 0 here
    out[..., 1] = out[..., 2]  # the first digit, then the point
    out[..., 2] = ord(".")
    out[..., 0] = ord(",")
    unsettled = np.flatnonzero(~settled)
    flat = x.reshape(-1)
    for i in unsettled[inside.reshape(-1)[unsettled]].tolist():  # a rounding left unsure
        out[i // m, i % m, 1:] = np.frombuffer(b"%.17e" % flat[i], dtype=np.uint8)
    return unsettled[~inside.reshape(-1)[unsettled]]


def _float_lines(
    blocks: Sequence[np.ndarray], blank: np.ndarray | None = None, ending: bytes = b""
) -> list[bytes]:
    """:func:`_float_blocks`, every row in one list, as bytes."""
    return [bytes(row) for rows in _float_blocks(blocks, blank, ending) for row in rows]


def _float_blocks(
    blocks: Sequence[np.ndarray], blank: np.ndarray | None = None, ending: bytes = b""
) -> Iterator[list[bytes]]:
    """Each row of the columns of ``blocks`` (float matrices) as ``",v1,v2,..."`` and
    ``ending``: ``"%.17e" % v``, NaN empty, and every cell empty in ``blank`` rows; the rows
    of ``_BLOCK`` rows at a time (formatted together, in the processor's cache).

    Examples
    --------
    >>> values = np.array([[0.1, 2.5e-7], [np.nan, np.nan], [1.0, 1 / 3]])
    >>> for line in _float_lines([values]):
    ...     print(line.decode())
    ,1.00000000000000006e-01,2.49999999999999989e-07
    ,,
    ,1.00000000000000000e+00,3.33333333333333315e-01
    """
    if not blocks:
        n = 0 if blank is None else len(blank)
        for start in range(0, n, _BLOCK):
            yield [ending] * min(_BLOCK, n - start)
        return
    n, m = len(blocks[0]), sum(b.shape[1] for b in blocks)
    width = m * _SLOT + len(ending)
    for start in range(0, n, _BLOCK):
        x = np.hstack([b[start : start + _BLOCK] for b in blocks]).astype(float, copy=False)
        if blank is not None:
            x[blank[start : start + _BLOCK]] = np.nan
        rows = np.empty((len(x), width), dtype=np.uint8)
        rows[:, m * _SLOT :] = np.frombuffer(ending, dtype=np.uint8)
        other = _fixed_cells(x, rows[:, : m * _SLOT].reshape(len(x), m, _SLOT))
        lines: list[Any] = rows.view(f"S{width}")[:, 0].tolist()  # never NUL: no byte lost
        for r in np.unique(other // m).tolist():
            row = x[r].tolist()
            cells = "" if all(v != v for v in row) else ",".join(_e17(v) for v in row)
            lines[r] = (("," + cells) if cells else "," * m).encode() + ending
        yield lines


def _e17(v: float) -> str:
    return "" if v != v else f"{v:.17e}"


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
