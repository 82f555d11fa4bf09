"""Exact inference: one engine interface (:func:`posteriors`) over variable elimination for
one case and the compiled engine for many cases and parameter draws, and their results."""

from __future__ import annotations

from bayesdx.inference._batch import (
    ScoreSummary,
    certain_states,
    score_csv,
    score_frame,
)
from bayesdx.inference._compiled import (
    BatchResult,
    CompiledNetwork,
    compile_network,
)
from bayesdx.inference._engine import (
    posteriors,
)
from bayesdx.inference._posterior import (
    Posterior,
)
from bayesdx.inference._ve import (
    marginals,
    query,
)

__all__ = [
    "BatchResult",
    "CompiledNetwork",
    "Posterior",
    "ScoreSummary",
    "certain_states",
    "compile_network",
    "marginals",
    "posteriors",
    "query",
    "score_csv",
    "score_frame",
]
