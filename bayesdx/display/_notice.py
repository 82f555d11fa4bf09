"""The one line every output about a patient carries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["DISCLAIMER", "stamp"]

DISCLAIMER = "Educational and research tool, not medical advice."


def stamp(ax: Axes, fontsize: float = 6) -> None:
    """Write the disclaimer just above the title of ``ax`` (once per Axes).

    It is placed when the figure is drawn, above whatever title the Axes has then, so it
    never covers data, tick labels or a legend, and layout (``tight_layout``, a notebook's
    tight bounding box) makes room for it.
    """
    if getattr(ax, "_bayesdx_stamped", False):
        return

    def anchor(renderer: Any) -> Any:
        title = ax.title
        if title.get_text():
            return title.get_window_extent(renderer)
        return ax.get_window_extent(renderer)

    ax.annotate(
        DISCLAIMER,
        xy=(0.5, 1.0),
        xycoords=anchor,
        xytext=(0, 2),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=fontsize,
        color="0.4",
        annotation_clip=False,
    )
    ax._bayesdx_stamped = True  # type: ignore[attr-defined]  # a marker on matplotlib's object
