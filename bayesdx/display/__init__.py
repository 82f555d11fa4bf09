"""Display helpers shared by every result: the disclaimer, the renderer, plot scaffolding, and
progress bars.

A result describes what it shows once as a :class:`Report` (lines, tables, lists); the report
is written out as text (``__str__``), HTML (``_repr_html_``), Markdown, or a DataFrame
(``to_frame``). Every ``plot(*, ax=None, ...)`` gets its Axes from :func:`figure_axes` and
ends with :func:`finish` (title and disclaimer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bayesdx._lazy import attach

if TYPE_CHECKING:  # the names below load on first use (bayesdx._lazy)
    from bayesdx.display._figure import (
        figure_axes,
        finish,
    )
    from bayesdx.display._notice import (
        DISCLAIMER,
        stamp,
    )
    from bayesdx.display._progress import (
        Progress,
    )
    from bayesdx.display._render import (
        Column,
        Items,
        Lines,
        Rendered,
        Report,
        Table,
        jsonable,
    )

_LAZY = {
    "figure_axes": "bayesdx.display._figure",
    "finish": "bayesdx.display._figure",
    "DISCLAIMER": "bayesdx.display._notice",
    "stamp": "bayesdx.display._notice",
    "Progress": "bayesdx.display._progress",
    "Column": "bayesdx.display._render",
    "Items": "bayesdx.display._render",
    "Lines": "bayesdx.display._render",
    "Rendered": "bayesdx.display._render",
    "Report": "bayesdx.display._render",
    "Table": "bayesdx.display._render",
    "jsonable": "bayesdx.display._render",
}

__all__ = [
    "DISCLAIMER",
    "Column",
    "Items",
    "Lines",
    "Progress",
    "Rendered",
    "Report",
    "Table",
    "figure_axes",
    "finish",
    "jsonable",
    "stamp",
]

__getattr__, __dir__ = attach(__name__, _LAZY)
