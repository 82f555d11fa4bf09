"""Explanations for trainees: weights of evidence, what-if, conflict, narrative, plots, pages,
the case explorer and its quiz."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bayesdx._lazy import attach

if TYPE_CHECKING:  # the names below load on first use (bayesdx._lazy)
    from bayesdx.explanation._explain import (
        explain,
    )
    from bayesdx.explanation._explorer import (
        Explorer,
        explore,
        explore_command,
        explorer_data,
        explorer_html,
        write_explorer,
    )
    from bayesdx.explanation._page import (
        explanation_html,
        figure_png,
    )
    from bayesdx.explanation._plots import (
        differential,
        network_graph,
        waterfall,
    )
    from bayesdx.explanation._quiz import (
        TOLERANCE_DB,
        QuizScore,
        quiz_steps,
        score_quiz,
    )
    from bayesdx.explanation._results import (
        Comparison,
        Contribution,
        Explanation,
        WhatIf,
        decibans,
    )

_LAZY = {
    "explain": "bayesdx.explanation._explain",
    "Explorer": "bayesdx.explanation._explorer",
    "explore": "bayesdx.explanation._explorer",
    "explore_command": "bayesdx.explanation._explorer",
    "explorer_data": "bayesdx.explanation._explorer",
    "explorer_html": "bayesdx.explanation._explorer",
    "write_explorer": "bayesdx.explanation._explorer",
    "explanation_html": "bayesdx.explanation._page",
    "figure_png": "bayesdx.explanation._page",
    "differential": "bayesdx.explanation._plots",
    "network_graph": "bayesdx.explanation._plots",
    "waterfall": "bayesdx.explanation._plots",
    "TOLERANCE_DB": "bayesdx.explanation._quiz",
    "QuizScore": "bayesdx.explanation._quiz",
    "quiz_steps": "bayesdx.explanation._quiz",
    "score_quiz": "bayesdx.explanation._quiz",
    "Comparison": "bayesdx.explanation._results",
    "Contribution": "bayesdx.explanation._results",
    "Explanation": "bayesdx.explanation._results",
    "WhatIf": "bayesdx.explanation._results",
    "decibans": "bayesdx.explanation._results",
}

__all__ = [
    "TOLERANCE_DB",
    "Comparison",
    "Contribution",
    "Explanation",
    "Explorer",
    "QuizScore",
    "WhatIf",
    "decibans",
    "differential",
    "explain",
    "explanation_html",
    "explore",
    "explore_command",
    "explorer_data",
    "explorer_html",
    "figure_png",
    "network_graph",
    "quiz_steps",
    "score_quiz",
    "waterfall",
    "write_explorer",
]

__getattr__, __dir__ = attach(__name__, _LAZY)
