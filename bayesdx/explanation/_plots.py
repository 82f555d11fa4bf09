"""Pictures of an explanation: waterfall, differential, network graph (matplotlib, networkx)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from bayesdx.display import figure_axes, finish

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bayesdx.explanation._results import Explanation

__all__ = ["differential", "network_graph", "waterfall"]

_FOR, _AGAINST, _NEUTRAL = "#c44e52", "#55a868", "#8c8c8c"


def _db(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return 10.0 * math.log10(p / (1.0 - p))


# Each picture draws what the explanation already holds (explain() computed it), never runs
# inference, and imports matplotlib only when drawn (inside figure_axes), so that importing
# bayesdx stays fast and works without matplotlib.


def _label(ax: Axes, x: float, y: float, text: str, *, up: bool) -> None:
    ax.text(x, y, text, ha="center", va="bottom" if up else "top", fontsize=8)


def waterfall(ex: Explanation, *, ax: Axes | None = None) -> Axes:
    """Log-odds of the hypothesis (decibans) from prior to posterior, one step per finding.

    Returns
    -------
    matplotlib.axes.Axes
    """
    steps = list(ex.contributions)
    _, ax = figure_axes(ax, (max(5.0, 1.0 + 0.9 * (len(steps) + 2)), 3.6))
    level = _db(ex.prior)
    levels = [0.0, level]
    ax.bar(0, level, color=_NEUTRAL)
    _label(ax, 0, level, f"{ex.prior:.2f}", up=level >= 0)
    labels = ["prior"]
    for i, c in enumerate(steps, start=1):
        new = _db(c.p_after)
        ax.bar(i, new - level, bottom=level, color=_FOR if new >= level else _AGAINST)
        # P after the finding, written where the step ends: above a rise, below a fall
        _label(ax, i, new, f"{c.p_after:.2f}", up=new >= level)
        labels.append(f"{c.finding}\n={c.state}")
        level = new
        levels.append(level)
    end = len(steps) + 1
    ax.bar(end, level, color=_NEUTRAL)
    _label(ax, end, level, f"{ex.posterior:.2f}", up=level >= 0)
    labels.append("posterior")
    ax.axhline(0, color="0.3", linewidth=0.8)
    # bars stick the autoscaled limits to their ends, so the room for the labels is set here
    low, high = min(levels), max(levels)
    pad = 0.15 * max(high - low, 1.0)
    ax.set_ylim(low - pad, high + pad)
    ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=30, ha="right")
    ax.set_ylabel(f"log-odds of {ex.hypothesis.name} (dB)")
    return finish(
        ax,
        f"P({ex.hypothesis.name}): {ex.prior:.2f} -> {ex.posterior:.2f} "
        "(numbers: P after each finding)",
    )


def differential(ex: Explanation, *, ax: Axes | None = None) -> Axes:
    """The posterior of the hypothesis' node, members of the hypothesis in red.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ranked = sorted(ex.distribution.items(), key=lambda kv: kv[1])
    _, ax = figure_axes(ax, (6, 0.35 * len(ranked) + 1.2))
    colors = [_FOR if s in ex.hypothesis.members else "#4c72b0" for s, _ in ranked]
    ax.barh([s for s, _ in ranked], [p for _, p in ranked], color=colors)
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"P({ex.hypothesis.node} | evidence)")
    return finish(ax, f"Differential; P({ex.hypothesis.name}) = {ex.posterior:.2f} (red)")


def _rows(net: Any, sizes: dict[str, tuple[float, float]], max_width: float) -> list[list[str]]:
    """Nodes by generation (roots first), in the network's own order; a generation whose
    boxes are wider together than ``max_width`` (inches) is split over several rows.

    The order never depends on hashing, so the same explanation always gives the same picture.
    """
    order = {v: k for k, v in enumerate(net.variables)}
    depth: dict[str, int] = {}
    for v in net.variables:  # the network's variables are in topological order
        depth[v] = 1 + max((depth[p] for p in net.parents[v]), default=-1)
    rows: list[list[str]] = []
    for level in range(max(depth.values(), default=-1) + 1):
        nodes = sorted((v for v in depth if depth[v] == level), key=order.__getitem__)
        # as many rows as the total width needs, the nodes dealt out evenly
        total = sum(sizes[v][0] + _GAP for v in nodes)
        n = max(1, math.ceil(total / max_width))
        size = math.ceil(len(nodes) / n)
        rows += [nodes[k : k + size] for k in range(0, len(nodes), size)]
    return rows


#: Layout units are inches: the smallest gap between two boxes of a row, and between rows.
_GAP, _ROW = 0.22, 0.95


def _packed(row: list[str], sizes: dict[str, tuple[float, float]], gap: float) -> list[float]:
    """Centres of the row's boxes side by side, ``gap`` apart, the row centred on 0."""
    xs, left = [], 0.0
    for v in row:
        w = sizes[v][0]
        xs.append(left + w / 2)
        left += w + gap
    mid = (left - gap) / 2
    return [x - mid for x in xs]


def _positions(
    net: Any, rows: list[list[str]], sizes: dict[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """Row by row (inches), each row packed with a gap no smaller than ``_GAP`` and shifted,
    so that edges from the rows above cross the rows in between through the gaps between
    boxes, not through a box (which would look like an edge from that box)."""
    pos: dict[str, tuple[float, float]] = {}
    for r, row in enumerate(rows):
        y = -_ROW * r
        best, best_score = _packed(row, sizes, _GAP), -math.inf
        for gap in (_GAP, 2 * _GAP, 4 * _GAP):
            packed = _packed(row, sizes, gap)
            for shift in (0.0, 0.25, 0.5, 0.75, -0.25, -0.5, -0.75):
                xs = [x + shift for x in packed]
                score = _clearance(net, row, xs, y, pos, rows[:r], sizes)
                if score > best_score + 1e-9:
                    best, best_score = xs, score
        for v, x in zip(row, best, strict=True):
            pos[v] = (x, y)
    return pos


def _clearance(
    net: Any,
    row: list[str],
    xs: list[float],
    y: float,
    pos: dict,
    above: list,
    sizes: dict[str, tuple[float, float]],
) -> float:
    """The smallest horizontal distance between an edge into ``row`` and the side of a box it
    passes (negative: through the box)."""
    score = 2.0
    for v, x in zip(row, xs, strict=True):
        for p in net.parents[v]:
            px, py = pos[p]
            for other in (n for r in above for n in r if n != p):
                ox, oy = pos[other]
                if not y < oy < py:
                    continue
                cross = px + (x - px) * (py - oy) / (py - y)
                score = min(score, abs(cross - ox) - sizes[other][0] / 2)
    return score


def _sizes(labels: dict[str, str], fontsize: float) -> dict[str, tuple[float, float]]:
    """Width and height (inches) of each node's box: its text, measured, and the padding."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop, measure = FontProperties(size=fontsize), TextToPath()
    pad = 2 * _PAD * fontsize / 72  # the box's pad on both sides, in inches
    out = {}
    for v, label in labels.items():
        lines = label.split("\n")
        width = max(measure.get_text_width_height_descent(t, prop, ismath=False)[0] for t in lines)
        out[v] = (width / 72 + pad, len(lines) * 1.2 * fontsize / 72 + pad)
    return out


_PAD, _FONT = 0.35, 7.0


def network_graph(ex: Explanation, *, ax: Axes | None = None) -> Axes:
    """The network, observed findings highlighted, posteriors written on the other nodes.

    Each node is a box sized to its text; generations run top to bottom, and a generation
    too wide for one row is split over staggered rows. The layout is computed in inches from
    the measured boxes, so that boxes never overlap; on a caller's Axes too small for it the
    text is scaled down with the layout.

    Returns
    -------
    matplotlib.axes.Axes
    """
    net = ex.network
    post = ex.marginals  # computed by explain(); drawing never runs inference
    labels, colors = {}, {}
    for v in net.variables:
        if v in ex.findings:
            labels[v], colors[v] = f"{v}\n= {ex.findings[v]}", "#f0a35e"
        elif v in ex.context:
            labels[v], colors[v] = f"{v}\n= {ex.context[v]}", "#f6d2a9"
        elif v == ex.hypothesis.node:
            labels[v] = f"{v}\nP({ex.hypothesis.name}) {ex.posterior:.2f}"
            colors[v] = "#e8a0a2"
        else:
            state, p = max(post[v].items(), key=lambda kv: kv[1])
            labels[v], colors[v] = f"{v}\n{state} {p:.2f}", "#c6d7ee"
    sizes = _sizes(labels, _FONT)
    rows = _rows(net, sizes, max_width=14.0)
    pos = _positions(net, rows, sizes)
    # the extent of the boxes (inches), with a margin
    margin = 0.3
    left = min(x - sizes[v][0] / 2 for v, (x, _) in pos.items()) - margin
    right = max(x + sizes[v][0] / 2 for v, (x, _) in pos.items()) + margin
    bottom = min(y - sizes[v][1] / 2 for v, (_, y) in pos.items()) - margin
    top = max(y + sizes[v][1] / 2 for v, (_, y) in pos.items()) + margin
    width, height = right - left, top - bottom
    own = ax is None
    fig, ax = figure_axes(ax, (max(8.0, width + 0.4), max(3.0, height + 1.0)))
    if own:  # a figure of our own: the Axes fit the layout, with room for the title above
        fw, fh = fig.get_size_inches()
        fig.subplots_adjust(left=0.2 / fw, right=1 - 0.2 / fw, bottom=0.2 / fh, top=1 - 0.8 / fh)
    # one layout inch is `scale` inches on the Axes, the same both ways; the text scales too
    box = ax.get_position()
    fw, fh = fig.get_size_inches()
    ax_w, ax_h = box.width * fw, box.height * fh
    scale = min(1.0, ax_w / width, ax_h / height)
    cx, cy = (left + right) / 2, (bottom + top) / 2
    ax.set_xlim(cx - ax_w / scale / 2, cx + ax_w / scale / 2)
    ax.set_ylim(cy - ax_h / scale / 2, cy + ax_h / scale / 2)
    boxes = {}
    for v in net.variables:
        x, y = pos[v]
        boxes[v] = ax.text(
            x, y, labels[v], ha="center", va="center", fontsize=_FONT * scale, zorder=3,
            bbox={"boxstyle": f"round,pad={_PAD}", "fc": colors[v], "ec": "0.3", "lw": 0.8},
        )  # fmt: skip
    for v in net.variables:
        for parent in net.parents[v]:
            ax.annotate(
                "", xy=pos[v], xytext=pos[parent], zorder=4,  # drawn over a box it passes
                arrowprops={"arrowstyle": "-|>", "color": "0.35", "alpha": 0.55, "lw": 0.8,
                            "shrinkA": 0, "shrinkB": 0,
                            "patchA": boxes[parent].get_bbox_patch(),
                            "patchB": boxes[v].get_bbox_patch()},
            )  # fmt: skip
    ax.set_axis_off()
    return finish(
        ax,
        "Network: observed findings in orange (context pale), posterior of the most "
        "likely state on the others",
    )
