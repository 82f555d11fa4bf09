"""Exact inference: one engine interface (:func:`posteriors`) over variable elimination for
one case and the compiled engine for many cases and parameter draws, and their results."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bayesdx._lazy import attach

if TYPE_CHECKING:  # the names below load on first use (bayesdx._lazy)
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

_LAZY = {
    "ScoreSummary": "bayesdx.inference._batch",
    "certain_states": "bayesdx.inference._batch",
    "score_csv": "bayesdx.inference._batch",
    "score_frame": "bayesdx.inference._batch",
    "BatchResult": "bayesdx.inference._compiled",
    "CompiledNetwork": "bayesdx.inference._compiled",
    "compile_network": "bayesdx.inference._compiled",
    "posteriors": "bayesdx.inference._engine",
    "Posterior": "bayesdx.inference._posterior",
    "marginals": "bayesdx.inference._ve",
    "query": "bayesdx.inference._ve",
}

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

__getattr__, __dir__ = attach(__name__, _LAZY)
