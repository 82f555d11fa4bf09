"""Explanations for trainees: weights of evidence, what-if, conflict, narrative, plots, pages,
the case explorer and its quiz."""

from __future__ import annotations

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
