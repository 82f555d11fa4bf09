"""A local cohort read from a CSV file: the cells as text, the outcome column, a content hash.

The cohort is a CSV file (or a DataFrame) with one patient per row and one column per
finding, read as ``bayesdx batch`` reads it (a state id or a raw number per cell, an empty
cell unobserved). The outcome column holds, per patient, either

- a state of the decision node (``multiple_myeloma``): the diagnosis; or
- ``1`` / ``0`` (also ``yes``/``no``, ``true``/``false``): in the decision's target group
  (``neoplasm``) or not, which says only that the diagnosis lies in a set of states;

an empty cell is an unknown outcome. One column holds one kind; a mixture is an error.
:func:`bayesdx.learning.learn` and :func:`bayesdx.validation.validate_cohort` both read
cohorts here, so the two commands read a file the same way.

The content hash (:func:`cohort_hash`) is the SHA-256 of the cells as text, columns in name
order and rows sorted, so line endings, column order and row order do not change it; a
learned network records it and ``bayesdx validate`` compares it with its own data.
"""

from __future__ import annotations

import csv
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.errors import ArgumentError, CaseFileError, PolicyError, RowError

if TYPE_CHECKING:
    import pandas as pd

    from bayesdx.model import Network

__all__ = ["NO", "YES", "Outcome", "cohort_hash", "read_cohort", "read_outcome"]

#: the text of a 0/1 outcome, case-insensitive
YES = ("1", "1.0", "yes", "true")
NO = ("0", "0.0", "no", "false")


def read_cohort(data: Any, label: str | None = None) -> tuple[pd.DataFrame, str]:
    """The cohort as a DataFrame of text cells ("" empty), and its name for messages.

    Parameters
    ----------
    data : path or pandas.DataFrame
        A CSV file with a header line, or a DataFrame.
    label : str, optional
        The name used in messages (default: the path, or ``cohort``).

    Raises
    ------
    CaseFileError
        An empty file, a file with only a header, a file that is not UTF-8 CSV.

    Examples
    --------
    >>> import pandas as pd
    >>> frame, name = read_cohort(pd.DataFrame({"hb": [10.5, None]}))
    >>> frame["hb"].tolist(), name
    (['10.5', ''], 'cohort')
    """
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        frame = data.astype(object).where(data.notna(), "").astype(str)
        frame.columns = pd.Index([str(c) for c in frame.columns])
        name = label or "cohort"
    elif isinstance(data, str | os.PathLike):
        name = label or str(data)
        frame = _read_csv(Path(data), name)
    else:
        raise ArgumentError(
            f"data must be a CSV file's path or a pandas DataFrame, got {type(data).__name__}"
        )
    if frame.columns.has_duplicates:
        twice = frame.columns[frame.columns.duplicated()][0]
        raise CaseFileError(f"{name}: column '{twice}' is given twice")
    if len(frame) == 0:
        raise CaseFileError(f"{name} has no patients: a header line and one row per patient")
    return frame, name


def _read_csv(path: Path, name: str) -> pd.DataFrame:
    import pandas as pd

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise CaseFileError(f"cannot read the cohort {name}: not a regular file")
        if os.stat(path).st_size == 0:
            raise CaseFileError(f"{name} is empty; expected a header line of columns")
        with open(path, encoding="utf-8-sig", newline="") as fh:  # pandas renames repeats
            header = next(csv.reader(fh), [])
        twice = next((c for i, c in enumerate(header) if c in header[:i]), None)
        if twice is not None:
            raise CaseFileError(f"{name}: column '{twice}' is given twice")
        return pd.read_csv(
            path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig",
            index_col=False, skip_blank_lines=True,
        )  # fmt: skip
    except OSError as exc:
        raise CaseFileError(f"cannot read the cohort {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CaseFileError(f"cannot read the cohort {name}: it is not UTF-8 text") from None
    except pd.errors.EmptyDataError:
        raise CaseFileError(f"{name} is empty; expected a header line of columns") from None
    except pd.errors.ParserError as exc:
        reason = " ".join(str(exc).split())
        raise CaseFileError(f"cannot read the cohort {name}: {reason}") from None


def cohort_hash(frame: pd.DataFrame) -> str:
    """SHA-256 of the cells as text, columns in name order and rows sorted.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"hb": ["10", "13"], "m_protein": ["present", ""]})
    >>> b = a.iloc[::-1][["m_protein", "hb"]]
    >>> cohort_hash(a) == cohort_hash(b), len(cohort_hash(a))
    (True, 64)
    """
    import pandas as pd

    columns = sorted(str(c) for c in frame.columns)
    cells = frame.astype(object).where(frame.notna(), "").astype(str)
    cells.columns = pd.Index([str(c) for c in cells.columns])
    lines = sorted("\x1f".join(row) for row in cells[columns].itertuples(index=False, name=None))
    text = "\x1e".join(columns) + "\n" + "\n".join(lines)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """The outcome column, read.

    Attributes
    ----------
    column : str
    kind : {"diagnosis", "group"}
    node : str
        The decision node (the diagnosis).
    members : tuple of str
        The target group's states.
    state : numpy.ndarray
        Per row, the index of the node's state (``kind == "diagnosis"``), else -1; -1 also
        where the outcome is empty.
    in_group : numpy.ndarray
        Per row, 1 (in the target group), 0, or -1 (unknown).
    """

    column: str
    kind: str
    node: str
    members: tuple[str, ...]
    state: np.ndarray
    in_group: np.ndarray

    @property
    def known(self) -> np.ndarray:
        """Rows whose outcome is given."""
        return self.in_group >= 0


def read_outcome(network: Network, frame: pd.DataFrame, column: str, name: str) -> Outcome:
    """Read the outcome column: diagnosis ids or 0/1 for the target group (see the module).

    Raises
    ------
    CaseFileError
        No such column, or no outcome in any row.
    RowError
        A value that is neither a state of the decision node nor 0/1, or a column mixing the
        two (naming the line).
    PolicyError
        A network without a decision section (no target group).
    """
    decision = network.spec.decision
    if decision is None:
        raise PolicyError(
            f"network {network.id} has no decision section, so no target group for the outcome"
        )
    if column not in frame.columns:
        raise CaseFileError(
            f"{name} has no outcome column '{column}'; its columns: "
            + ", ".join(str(c) for c in frame.columns)
        )
    node, members = decision.node, tuple(decision.members)
    states = network.states[node]
    values = [str(v).strip() for v in frame[column].tolist()]
    kinds = []
    for i, v in enumerate(values):
        if not v:
            kinds.append("")
        elif v in states:
            kinds.append("diagnosis")
        elif v.lower() in YES + NO:
            kinds.append("group")
        else:
            raise RowError(
                i + 2, column,
                f"outcome {v!r} is neither a state of {node} ({', '.join(states)}) nor 1/0 "
                f"for {decision.target}",
                name,
            )  # fmt: skip
    found = [k for k in kinds if k]
    if not found:
        raise CaseFileError(f"{name}: the outcome column '{column}' is empty in every row")
    kind = found[0]
    other = next((i for i, k in enumerate(kinds) if k and k != kind), None)
    if other is not None:
        first = "diagnosis ids" if kind == "diagnosis" else "1/0"
        raise RowError(
            other + 2, column,
            f"outcome {values[other]!r}: the column holds {first} above; give one kind",
            name,
        )  # fmt: skip
    state = np.full(len(values), -1)
    in_group = np.full(len(values), -1)
    for i, v in enumerate(values):
        if not v:
            continue
        if kind == "diagnosis":
            state[i] = states.index(v)
            in_group[i] = int(v in members)
        else:
            in_group[i] = int(v.lower() in YES)
    return Outcome(column, kind, node, members, state, in_group)
