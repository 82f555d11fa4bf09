"""The compiled engine mapped over a Dask DataFrame's partitions.

The network travels to the workers as its spec (a :class:`~bayesdx.model.Network` itself
does not pickle), once per worker as a Dask dependency, and each worker thread rebuilds and
compiles it once (the compiled engine's plan cache is not shared between threads).
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from bayesdx.errors import ArgumentError
from bayesdx.inference import score_frame
from bayesdx.model import Network, as_network

__all__ = ["score"]

_LOCAL = threading.local()  # per worker thread: spec digest -> Network (compiled on use)
_KEEP = 4  # networks kept per thread


class Shipped:
    """A network as the pickle of its spec, with the digest that names it on a worker."""

    __slots__ = ("blob", "digest", "id")

    def __init__(self, network: Network):
        self.blob = pickle.dumps(network.spec, protocol=pickle.HIGHEST_PROTOCOL)
        self.digest = hashlib.sha256(self.blob).hexdigest()
        self.id = network.id

    def network(self) -> Network:
        """The network, rebuilt once per thread (and compiled there on first use)."""
        cache: dict[str, Network] = _LOCAL.__dict__.setdefault("networks", {})
        found = cache.get(self.digest)
        if found is None:
            if len(cache) >= _KEEP:
                cache.pop(next(iter(cache)))
            found = cache[self.digest] = Network(pickle.loads(self.blob))
        return found


def where_in_partition(partition: int, row: int) -> str:
    """How an error names a row: ``partition 3, row 17`` (both from 0)."""
    return f"partition {partition}, row {row}"


def score_partition(
    part: pd.DataFrame,
    shipped: Shipped,
    targets: str | Sequence[str] | None,
    passthrough: Sequence[str],
    error_dtype: Any,
    partition: int,
    where: Callable[[int, int], str] = where_in_partition,
) -> pd.DataFrame:
    """One partition scored by :func:`bayesdx.inference.score_frame` (``on_error="skip"``),
    each error message led by where its row is (``where(partition, row)``)."""
    out = score_frame(
        shipped.network(), part, targets=targets, on_error="skip", progress=False,
        passthrough=passthrough,
    )  # fmt: skip
    errors = out["error"].to_numpy(dtype=object)
    bad = np.flatnonzero(errors != "")
    if len(bad):
        errors = errors.copy()
        for r in bad.tolist():
            errors[r] = f"{where(partition, r)}: {errors[r]}"
    out["error"] = pd.Series(errors, index=out.index, dtype=error_dtype)
    return out


def _mapped(
    part: pd.DataFrame,
    shipped: Shipped,
    targets: str | Sequence[str] | None,
    passthrough: Sequence[str],
    error_dtype: Any,
    partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    number = 0 if partition_info is None else int(partition_info["number"])
    return score_partition(part, shipped, targets, passthrough, error_dtype, number)


def declared_schema(
    network: Network,
    meta: pd.DataFrame,
    targets: str | Sequence[str] | None,
    passthrough: Sequence[str],
) -> pd.DataFrame:
    """The output's empty frame: the input's columns, then one float column per target
    state and per group, then ``error`` (text). Checks the columns, as
    :func:`~bayesdx.inference.score_frame` does, before anything is computed."""
    empty = score_frame(
        network, meta, targets=targets, on_error="skip", progress=False, passthrough=passthrough
    )
    added = [c for c in empty.columns[len(meta.columns) :] if c != "error"]
    columns = {str(c): meta[c] for c in meta.columns}
    columns.update({c: pd.Series([], dtype="float64") for c in added})
    columns["error"] = pd.Series([], dtype=meta_text_dtype())
    return pd.DataFrame(columns, index=meta.index)


def meta_text_dtype() -> Any:
    """The dtype Dask gives text columns here (``string[pyarrow]`` when it converts text, as
    it does by default with pyarrow installed; else object)."""
    probe = pd.DataFrame({"x": pd.Series([""], dtype=object)})
    return dd.from_pandas(probe, npartitions=1).dtypes["x"]


def score(
    ddf: dd.DataFrame,
    network: Network,
    targets: str | Sequence[str] | None = None,
    *,
    passthrough: Sequence[str] = (),
) -> dd.DataFrame:
    """Posteriors for every row of a Dask DataFrame of cases, partition by partition.

    Each partition is scored by :func:`bayesdx.inference.score_frame` with
    ``on_error="skip"`` on whichever worker holds it; rows are independent, so the result
    equals scoring the whole frame in one process. Nothing is computed until you ask
    (``.compute()``, ``.to_parquet(...)``).

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        One row per case, one column per evidence variable (an empty cell is unobserved), as
        :func:`~bayesdx.inference.score_frame` reads them.
    network : Network
        Sent to the workers once (as its spec) and compiled once per worker thread.
    targets : str or sequence of str, optional
        Default: the diagnosis nodes; ``"all"``: every variable.
    passthrough : sequence of str
        Columns that are not network variables (an id), carried along.

    Returns
    -------
    dask.dataframe.DataFrame
        The same partitions, rows and index, with the declared schema: the input columns,
        then ``VAR=state`` per target state and ``group:NAME`` per group (float64), then
        ``error`` (text): empty for a good row; for a bad one ``partition P, row R:`` (both
        counted from 0, ``R`` within the partition) then the message ``score_frame`` gives,
        and that row's posterior columns are empty (NaN). No row is dropped.

    Raises
    ------
    ArgumentError
        ``ddf`` is not a Dask DataFrame.
    UnknownVariableError, CaseFileError
        A column that is not a variable (and not passed through), a column given twice or
        named like an output column: found from the columns alone, before any computing.
    """
    network = as_network(network)
    if not isinstance(ddf, dd.DataFrame):
        raise ArgumentError(
            f"ddf must be a Dask DataFrame of cases, got {type(ddf).__name__}; make one with "
            "dask.dataframe.from_pandas or read_parquet"
        )
    passthrough = tuple(passthrough)
    meta = declared_schema(network, ddf._meta, targets, passthrough)
    shipped = dask.delayed(Shipped(network), pure=True, traverse=False)  # once per worker
    return ddf.map_partitions(
        _mapped, shipped, targets, passthrough, meta["error"].dtype, meta=meta,
        align_dataframes=False,
    )  # fmt: skip
