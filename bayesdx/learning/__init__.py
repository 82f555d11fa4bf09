"""Learning from local data: the literature prior updated with a cohort, provenance kept.

:func:`learn` turns every table entry's uncertainty into Dirichlet pseudo-counts, adds the
cohort's (expected) counts, and returns a :class:`Learning` whose network is a normal
network file in which every updated number says "literature prior plus local data (k of n)".
:func:`cross_validate` scores each patient with a network learned without them.
"""

from __future__ import annotations

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
