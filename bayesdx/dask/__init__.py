"""Scoring cohorts larger than one machine on Dask (the optional extra ``bayesdx[dask]``).

:func:`score` maps the compiled engine (:func:`bayesdx.inference.score_frame`) over the
partitions of a Dask DataFrame, with an output schema declared from the network and the
targets. :func:`score_parquet` scores Parquet files matched by a glob into a folder of
Parquet files, one per partition, on a ``dask.distributed`` cluster (a local one when no
scheduler address is given); ``bayesdx batch --engine dask`` runs it.

A bad row (an unknown state, a value out of range, impossible evidence) is never dropped:
its posterior columns are empty and its ``error`` cell names the partition and the row
within it, then what was wrong.

Importing this package imports Dask, distributed and pyarrow; nothing else in bayesdx
does. Without them it raises :class:`ImportError` saying how to install them.

Examples
--------
>>> import dask.dataframe as dd
>>> import pandas as pd
>>> import bayesdx
>>> from bayesdx.dask import score
>>> net = bayesdx.load_network("marrow_signal")
>>> cases = pd.DataFrame({"hb": ["10.4", "13", "banana"], "m_protein": ["present", "", ""]})
>>> scored = score(dd.from_pandas(cases, npartitions=2), net)
>>> out = scored.compute(scheduler="synchronous")
>>> len(out)  # every row, the bad one too
3
>>> out["error"].tolist()[2]
"partition 1, row 0: column hb: ..."
"""

from __future__ import annotations

try:  # the optional extra: say how to get it rather than fail deep inside
    import dask.dataframe  # noqa: F401
    import distributed  # noqa: F401
    import pyarrow  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ImportError(
        f"bayesdx.dask needs Dask, distributed and pyarrow ({exc.name} is missing); "
        "install them with: pip install 'bayesdx[dask]'"
    ) from exc

from bayesdx.dask._parquet import ParquetSummary, score_parquet
from bayesdx.dask._score import score

__all__ = ["ParquetSummary", "score", "score_parquet"]
