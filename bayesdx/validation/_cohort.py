"""Simulated validation cohorts: sample patients from a network and score them with another.

Patients are drawn by forward (ancestral) sampling, vectorised over patients. A cohort can be
drawn from the network itself, or from a "true" network whose tables are one joint draw from
the parameter uncertainty (:func:`bayesdx.psa.sample_tables`), to see how the point network's
calibration degrades when the truth differs from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

import numpy as np

from bayesdx.inference import posteriors

if TYPE_CHECKING:
    import pandas as pd

    from bayesdx.model import Network

__all__ = ["observed_variables", "score", "simulate"]


def simulate(
    network: Network,
    n: int,
    rng: np.random.Generator,
    *,
    tables: Mapping[str, np.ndarray] | None = None,
    context: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Draw ``n`` patients (every variable's state) by forward sampling.

    Parameters
    ----------
    network : Network
    n : int
    rng : numpy.random.Generator
    tables : mapping, optional
        Tables to sample from instead of the network's own (a "true" network).
    context : mapping, optional
        Variables fixed for every patient (default: the network's defaults, e.g. the setting).

    Returns
    -------
    pandas.DataFrame
        One row per patient, one column per variable, state names as values.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> df = simulate(load_network("marrow_signal"), 5, np.random.default_rng(0))
    >>> df.shape[0], set(df["setting"])
    (5, {'biopsy_referral'})
    """
    import pandas as pd

    context = dict(network.defaults if context is None else context)
    codes: dict[str, np.ndarray] = {}
    for v in network.variables:
        states = network.states[v]
        if v in context:
            codes[v] = np.full(n, states.index(context[v]))
            continue
        table = tables[v] if tables and v in tables else network.cpts[v]
        rows = (
            table[tuple(codes[p] for p in network.parents[v])]
            if network.parents[v]
            else (np.broadcast_to(table, (n, len(states))))
        )
        cum = np.cumsum(rows, axis=1)
        u = rng.random(n)[:, None] * cum[:, -1:]
        codes[v] = np.minimum((u >= cum).sum(axis=1), len(states) - 1)
    return pd.DataFrame(
        {v: np.asarray(network.states[v], dtype=object)[codes[v]] for v in network.variables}
    )


def observed_variables(network: Network) -> list[str]:
    """What a clinician would know: context and findings, not the latent nodes."""
    return [v for v in network.variables if network.spec.nodes[v].role in ("context", "finding")]


def score(
    network: Network,
    cohort: pd.DataFrame,
    node: str,
    members: tuple[str, ...],
    observed: list[str] | None = None,
) -> np.ndarray:
    """P(node in members | observed variables) for every patient (exact, by pattern).

    The network's defaults (the setting) are applied to variables not in ``observed``, as a
    query does. Patients with the same observed pattern share one inference, and all the
    patterns are inferred in one batch (:func:`bayesdx.inference.posteriors`).

    Examples
    --------
    >>> from bayesdx import load_network
    >>> net = load_network("marrow_signal")
    >>> df = simulate(net, 50, np.random.default_rng(0))
    >>> p = score(net, df, "diagnosis", ("multiple_myeloma",), ["hb", "m_protein"])
    >>> p.shape, bool(((p >= 0) & (p <= 1)).all())
    ((50,), True)
    """
    observed = observed if observed is not None else observed_variables(network)
    context = {v: s for v, s in network.defaults.items() if v not in observed}
    keys = cohort[observed].astype(str).agg("\x1f".join, axis=1)
    groups = cohort.groupby(keys, sort=False).indices
    # the group keys are the joined strings of `keys`
    sets = [
        {**context, **dict(zip(observed, cast(str, key).split("\x1f"), strict=True))}
        for key in groups
    ]
    out = np.empty(len(cohort))
    if not sets:
        return out
    res = posteriors(network, sets, [node], impossible="raise")
    for k, index in enumerate(groups.values()):
        dist = res.distribution(node, k)
        out[index] = sum(dist[s] for s in members)
    return out
