"""An explanation as HTML: for notebooks, and as one self-contained page to hand out."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from bayesdx.display import DISCLAIMER
from bayesdx.explanation import _plots as explain_plots

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from bayesdx.explanation._results import Explanation

__all__ = ["explanation_html", "figure_png"]

_STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;
line-height:1.4;color:#222}table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem
.6rem;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:
left}img{max-width:100%}.note{color:#666;font-size:.85em}"""


def figure_png(plot: Callable[..., Axes], *args: Any, **kwargs: Any) -> str:
    """Draw a plot function on a fresh figure and return the PNG as base64 text.

    The session's matplotlib backend is left as it is (a notebook keeps showing its plots);
    the figure is closed once saved, so it is never shown twice.
    """
    # pyplot is imported lazily, only when a page with pictures is made (see _plots)
    import matplotlib.pyplot as plt

    ax = plot(*args, **kwargs)
    fig = cast("Figure", ax.figure)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


_PLOTS = {
    "waterfall": explain_plots.waterfall,
    "differential": explain_plots.differential,
    "network": explain_plots.network_graph,
}


def _img(ex: Explanation, kind: str) -> str:
    return f"<img alt='{kind}' src='data:image/png;base64,{figure_png(_PLOTS[kind], ex)}'>"


def explanation_html(ex: Explanation, standalone: bool = True) -> str:
    """The explanation as HTML with embedded pictures.

    Its tables are the ones the text shows, written out by the shared renderer
    (:class:`bayesdx.display.Table`).
    """
    esc = html.escape
    h = esc(ex.hypothesis.name)
    parts = [
        f"<h2>Why P({h}) = {ex.posterior:.2f}</h2>",
        f"<p>{esc(ex.narrative())}</p>",
        _img(ex, "waterfall"),
        _img(ex, "differential"),
    ]
    if ex.contributions:
        parts += ["<h3>What each finding did</h3>", ex.contribution_table().html()]
    if ex.comparison:
        cmp = ex.comparison
        parts += [
            f"<h3>Why {esc(cmp.a)} ({cmp.p_a:.2f}) rather than {esc(cmp.b)} ({cmp.p_b:.2f})</h3>",
            replace(cmp.table(), caption="").html(),
        ]
    if ex.what_if:
        parts += [f"<h3>What if (P({h}) and the verdict)</h3>", ex.what_if_table().html()]
    parts.append(f"<h3>Conflict</h3><p>{esc(ex.conflict_reading())}</p>")
    if standalone:
        parts.append(_img(ex, "network"))
    parts.append(f"<p class='note'>{esc(DISCLAIMER)}</p>")
    body = "".join(parts)
    if not standalone:
        return f"<div>{body}</div>"
    title = f"bayesdx: why P({h}) = {ex.posterior:.2f}"
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )
