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


def _rows(net: Any, width: int = 8) -> list[list[str]]:
    """Nodes by generation (roots first), in the network's own order, wide ones split.

    The order never depends on hashing, so the same explanation always gives the same picture.
    """
    order = {v: k for k, v in enumerate(net.variables)}
    depth: dict[str, int] = {}
    for v in net.variables:  # the network's variables are in topological order
        depth[v] = 1 + max((depth[p] for p in net.parents[v]), default=-1)
    rows: list[list[str]] = []
    for level in range(max(depth.values(), default=-1) + 1):
        nodes = sorted((v for v in depth if depth[v] == level), key=order.__getitem__)
        rows += [nodes[k : k + width] for k in range(0, len(nodes), width)]
    return rows


def _positions(net: Any, rows: list[list[str]]) -> dict[str, tuple[float, float]]:
    """Row by row, each row spread and shifted so that edges from the rows above cross the
    rows in between through the gaps between boxes, not through a box (which would look like
    an edge from that box)."""
    pos: dict[str, tuple[float, float]] = {}
    for r, row in enumerate(rows):
        y = -1.25 * r
        centred = [1.3 * (k - (len(row) - 1) / 2) for k in range(len(row))]
        best, best_score = centred, -1.0
        for spread in (1.0, 1.5, 2.0):
            for shift in (0.0, 0.25, 0.5, 0.75, -0.25, -0.5, -0.75):
                xs = [spread * c + shift for c in centred]
                score = _clearance(net, row, xs, y, pos, rows[:r])
                if score > best_score + 1e-9:
                    best, best_score = xs, score
        for v, x in zip(row, best, strict=True):
            pos[v] = (x, y)
    return pos


def _clearance(
    net: Any, row: list[str], xs: list[float], y: float, pos: dict, above: list
) -> float:
    """The smallest horizontal distance between an edge into ``row`` and a box it passes."""
    score = 2.0
    for v, x in zip(row, xs, strict=True):
        for p in net.parents[v]:
            px, py = pos[p]
            for other in (n for r in above for n in r if n != p):
                ox, oy = pos[other]
                if not y < oy < py:
                    continue
                cross = px + (x - px) * (py - oy) / (py - y)
                score = min(score, abs(cross - ox))
    return score


def network_graph(ex: Explanation, *, ax: Axes | None = None) -> Axes:
    """The network, observed findings highlighted, posteriors written on the other nodes.

    Each node is a box sized to its text; generations run top to bottom, and a generation
    wider than eight nodes is split over staggered rows.

    Returns
    -------
    matplotlib.axes.Axes
    """
    net = ex.network
    rows = _rows(net)
    pos = _positions(net, rows)
    post = ex.marginals  # computed by explain(); drawing never runs inference
    widest = max(len(row) for row in rows)
    _, ax = figure_axes(ax, (max(8.0, 1.9 * widest), 1.0 + 1.1 * len(rows)))
    boxes = {}
    for v in net.variables:
        if v in ex.findings:
            label, color = f"{v}\n= {ex.findings[v]}", "#f0a35e"
        elif v in ex.context:
            label, color = f"{v}\n= {ex.context[v]}", "#f6d2a9"
        elif v == ex.hypothesis.node:
            label, color = f"{v}\nP({ex.hypothesis.name}) {ex.posterior:.2f}", "#e8a0a2"
        else:
            state, p = max(post[v].items(), key=lambda kv: kv[1])
            label, color = f"{v}\n{state} {p:.2f}", "#c6d7ee"
        x, y = pos[v]
        boxes[v] = ax.text(
            x, y, label, ha="center", va="center", fontsize=7, zorder=3,
            bbox={"boxstyle": "round,pad=0.35", "fc": color, "ec": "0.3", "lw": 0.8},
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
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.set_axis_off()
    return finish(
        ax,
        "Network: observed findings in orange (context pale), posterior of the most "
        "likely state on the others",
    )
