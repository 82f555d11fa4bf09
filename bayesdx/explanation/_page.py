"""An explanation as HTML: for notebooks, and as one self-contained page to hand out."""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING

from bayesdx.display import DISCLAIMER
from bayesdx.explanation import _plots as explain_plots

if TYPE_CHECKING:
    from bayesdx.explanation._results import Explanation

__all__ = ["explanation_html", "figure_png"]

_STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;
line-height:1.4;color:#222}table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem
.6rem;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:
left}img{max-width:100%}.note{color:#666;font-size:.85em}"""


def figure_png(plot, *args, **kwargs) -> str:
    """Draw a plot function on a fresh figure and return the PNG as base64 text.

    The session's matplotlib backend is left as it is (a notebook keeps showing its plots);
    the figure is closed once saved, so it is never shown twice.
    """
    import matplotlib.pyplot as plt

    ax = plot(*args, **kwargs)
    buf = io.BytesIO()
    ax.figure.tight_layout()
    ax.figure.savefig(buf, format="png", dpi=110)
    plt.close(ax.figure)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _img(ex: Explanation, kind: str) -> str:

    plot = {
        "waterfall": explain_plots.waterfall,
        "differential": explain_plots.differential,
        "network": explain_plots.network_graph,
    }[kind]
    return f"<img alt='{kind}' src='data:image/png;base64,{figure_png(plot, ex)}'>"


def explanation_html(ex: Explanation, standalone: bool = True) -> str:
    """The explanation as HTML with embedded pictures."""
    esc = html.escape
    h = esc(ex.hypothesis.name)
    parts = [
        f"<h2>Why P({h}) = {ex.posterior:.2f}</h2>",
        f"<p>{esc(ex.narrative())}</p>",
        _img(ex, "waterfall"),
        _img(ex, "differential"),
    ]
    if ex.contributions:
        parts.append(
            "<h3>What each finding did</h3><table><tr><th>finding</th><th>LR</th>"
            "<th>dB</th><th>P without it</th><th>sequential dB</th><th>P after</th>"
            "</tr>"
        )
        for c in ex.contributions:
            parts.append(
                f"<tr><td>{esc(c.finding)} = {esc(c.state)}</td><td>{c.lr:.3g}</td>"
                f"<td>{c.decibans:+.1f}</td><td>{c.p_without:.3f}</td>"
                f"<td>{c.sequential_decibans:+.1f}</td><td>{c.p_after:.3f}</td></tr>"
            )
        parts.append(
            "</table><p class='note'>LR and dB (10 log10 LR) given all the other "
            "findings; sequential dB in the order entered, which add up to the change "
            "in log-odds from prior to posterior.</p>"
        )
    if ex.comparison:
        cmp = ex.comparison
        parts.append(
            f"<h3>Why {esc(cmp.a)} ({cmp.p_a:.2f}) rather than {esc(cmp.b)} "
            f"({cmp.p_b:.2f})</h3><table><tr><th>finding</th><th>dB for "
            f"{esc(cmp.a)}</th></tr>"
        )
        parts += [
            f"<tr><td>{esc(f)} = {esc(s)}</td><td>{d:+.1f}</td></tr>" for f, s, d in cmp.weights
        ]
        parts.append("</table>")
    if ex.what_if:
        parts.append(
            f"<h3>What if</h3><table><tr><th>finding</th><th>instead</th>"
            f"<th>P({h})</th><th>verdict</th></tr>"
        )
        for w in ex.what_if:
            instead = "not known" if w.state is None else w.state
            parts.append(
                f"<tr><td>{esc(w.finding)} = {esc(w.observed)}</td>"
                f"<td>{esc(instead)}</td><td>{w.p:.3f}</td>"
                f"<td>{esc((w.verdict or '').replace('_', ' '))}</td></tr>"
            )
        parts.append("</table>")
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
