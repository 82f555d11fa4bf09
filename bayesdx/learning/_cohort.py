"""A local cohort as evidence rows, for learning.

The file and its outcome column are read by :mod:`bayesdx.io` (:func:`~bayesdx.io.read_cohort`,
:func:`~bayesdx.io.read_outcome`, the same reading ``bayesdx validate --data`` uses); here each
row becomes evidence as ``bayesdx batch`` reads it (:func:`bayesdx.score_frame`: a state id or
a raw number per cell, an empty cell unobserved, an unknown column or state an error naming
the line). A diagnosis outcome becomes evidence on the decision node; a 0/1 outcome restricts
it; an empty outcome is learned by EM, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bayesdx.errors import CaseFileError
from bayesdx.inference import certain_states, score_frame
from bayesdx.io import Outcome, cohort_hash, read_outcome

if TYPE_CHECKING:
    import pandas as pd

    from bayesdx.model import Network

__all__ = ["Cohort", "encode"]


@dataclass(frozen=True)
class Cohort:
    """A cohort read against a network.

    Attributes
    ----------
    name : str
        The file (or ``cohort``).
    frame : pandas.DataFrame
        The cells as text.
    digest : str
        :func:`cohort_hash` of the frame.
    x : numpy.ndarray
        Evidence rows ``(n, n_vars)``, -1 unobserved: what each patient's findings (and
        outcome, for learning) make certain, read as ``bayesdx batch`` reads them.
    outcome : Outcome or None
    assumed : dict
        Node -> rows in which the network's default was taken (the node not in the data).
    """

    name: str
    frame: pd.DataFrame
    digest: str
    x: np.ndarray
    outcome: Outcome | None
    assumed: dict[str, np.ndarray]

    @property
    def n(self) -> int:
        """Number of patients."""
        return len(self.frame)


def encode(
    network: Network,
    frame: pd.DataFrame,
    name: str,
    *,
    outcome: str | None = None,
    use_outcome: bool = True,
) -> Cohort:
    """Read every row as evidence (``score_frame`` on every variable); the outcome apart.

    A variable counts as observed in a row when its posterior there is exactly one state
    (given, or implied by a definition). With ``use_outcome`` a diagnosis outcome becomes
    evidence on the decision node; a 0/1 outcome restricts it later (see ``Rows.allowed``).
    """
    read = read_outcome(network, frame, outcome, name) if outcome is not None else None
    cases = frame.drop(columns=[outcome]) if outcome is not None else frame
    if read is not None and use_outcome and read.kind == "diagnosis":
        if read.node in cases.columns:
            raise CaseFileError(
                f"{name}: the outcome is in column '{outcome}' and column '{read.node}' gives "
                f"{read.node} as well; give it once"
            )
        cases = cases.assign(
            **{read.node: [network.states[read.node][s] if s >= 0 else "" for s in read.state]}
        )
    scored = score_frame(network, cases, targets="all", source=name)
    x = certain_states(network, scored)
    assumed = {}
    for v in network.defaults:
        given = np.zeros(len(frame), dtype=bool)
        if v in cases.columns:
            given = cases[v].astype(str).str.strip().to_numpy() != ""
        assumed[v] = ~given
    return Cohort(name, frame, cohort_hash(frame), x, read, assumed)
