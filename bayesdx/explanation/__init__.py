"""Explanations for trainees: weights of evidence, what-if, conflict, narrative, plots, pages."""

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
from bayesdx.explanation._results import (
    Comparison,
    Contribution,
    Explanation,
    WhatIf,
    decibans,
)

__all__ = [
    "Comparison",
    "Contribution",
    "Explanation",
    "Explorer",
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
    "waterfall",
    "write_explorer",
]
