"""Learning from local data: the literature prior updated with a cohort, provenance kept.

:func:`learn` turns every table entry's uncertainty into Dirichlet pseudo-counts, adds the
cohort's (expected) counts, and returns a :class:`Learning` whose network is a normal
network file in which every updated number says "literature prior plus local data (k of n)".
:func:`cross_validate` scores each patient with a network learned without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bayesdx._lazy import attach

if TYPE_CHECKING:  # the names below load on first use (bayesdx._lazy)
    from bayesdx.io import Outcome, cohort_hash, read_cohort, read_outcome
    from bayesdx.learning._cohort import (
        Cohort,
        encode,
    )
    from bayesdx.learning._document import (
        LOCAL_SOURCE,
        learned_from,
    )
    from bayesdx.learning._em import (
        EMTrace,
        Rows,
        expected_counts,
        run_em,
    )
    from bayesdx.learning._learn import (
        Change,
        Learning,
        cross_validate,
        learn,
        prior_network,
    )
    from bayesdx.learning._prior import (
        ColumnPrior,
        NodePrior,
        network_prior,
    )

_LAZY = {
    "Outcome": "bayesdx.io",
    "cohort_hash": "bayesdx.io",
    "read_cohort": "bayesdx.io",
    "read_outcome": "bayesdx.io",
    "Cohort": "bayesdx.learning._cohort",
    "encode": "bayesdx.learning._cohort",
    "LOCAL_SOURCE": "bayesdx.learning._document",
    "learned_from": "bayesdx.learning._document",
    "EMTrace": "bayesdx.learning._em",
    "Rows": "bayesdx.learning._em",
    "expected_counts": "bayesdx.learning._em",
    "run_em": "bayesdx.learning._em",
    "Change": "bayesdx.learning._learn",
    "Learning": "bayesdx.learning._learn",
    "cross_validate": "bayesdx.learning._learn",
    "learn": "bayesdx.learning._learn",
    "prior_network": "bayesdx.learning._learn",
    "ColumnPrior": "bayesdx.learning._prior",
    "NodePrior": "bayesdx.learning._prior",
    "network_prior": "bayesdx.learning._prior",
}

__all__ = [
    "LOCAL_SOURCE",
    "Change",
    "Cohort",
    "ColumnPrior",
    "EMTrace",
    "Learning",
    "NodePrior",
    "Outcome",
    "Rows",
    "cohort_hash",
    "cross_validate",
    "encode",
    "expected_counts",
    "learn",
    "learned_from",
    "network_prior",
    "prior_network",
    "read_cohort",
    "read_outcome",
    "run_em",
]

__getattr__, __dir__ = attach(__name__, _LAZY)
