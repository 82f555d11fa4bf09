"""The one line every output about a patient carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["DISCLAIMER", "stamp"]

DISCLAIMER = "Educational and research tool, not medical advice."


def stamp(ax: Axes, fontsize: float = 6) -> None:
    """Write the disclaimer at the foot of the figure that holds ``ax``."""
    figure = ax.figure
    assert figure is not None  # matplotlib < 3.10 types it optional; a plotted Axes has one
    figure.text(0.01, 0.005, DISCLAIMER, fontsize=fontsize, color="0.4")
