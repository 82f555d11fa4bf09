"""Pictures of an explanation: waterfall, differential, network graph (matplotlib, networkx)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from bayesdx.inference import marginals
from bayesdx.notice import stamp

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bayesdx.explain import Explanation

__all__ = ["differential", "network_graph", "waterfall"]

_FOR, _AGAINST, _NEUTRAL = "#c44e52", "#55a868", "#8c8c8c"


def _db(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return 10.0 * math.log10(p / (1.0 - p))


def waterfall(ex: Explanation, ax: Axes | None = None) -> Axes:
    """Log-odds of the hypothesis (decibans) from prior to posterior, one step per finding."""
    import matplotlib.pyplot as plt

    steps = list(ex.contributions)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(5.0, 1.0 + 0.9 * (len(steps) + 2)), 3.6))
    level = _db(ex.prior)
    ax.bar(0, level, color=_NEUTRAL)
    ax.text(
        0, level, f"{ex.prior:.2f}", ha="center", va="bottom" if level >= 0 else "top", fontsize=8
    )
    labels = ["prior"]
    for i, c in enumerate(steps, start=1):
        new = _db(c.p_after)
        ax.bar(i, new - level, bottom=level, color=_FOR if new >= level else _AGAINST)
        ax.text(i, max(new, level), f"{c.p_after:.2f}", ha="center", va="bottom", fontsize=8)
        labels.append(f"{c.finding}\n={c.state}")
        level = new
    end = len(steps) + 1
    ax.bar(end, level, color=_NEUTRAL)
    ax.text(
        end,
        level,
        f"{ex.posterior:.2f}",
        ha="center",
        va="bottom" if level >= 0 else "top",
        fontsize=8,
    )
    labels.append("posterior")
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.margins(y=0.15)
    ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=30, ha="right")
    ax.set_ylabel(f"log-odds of {ex.hypothesis.name} (dB)")
    ax.set_title(
        f"P({ex.hypothesis.name}): {ex.prior:.2f} -> {ex.posterior:.2f} "
        "(numbers: P after each finding)",
        fontsize=9,
    )
    stamp(ax)
    return ax


def differential(ex: Explanation, ax: Axes | None = None) -> Axes:
    """The posterior of the hypothesis' node, members of the hypothesis in red."""
    import matplotlib.pyplot as plt

    ranked = sorted(ex.distribution.items(), key=lambda kv: kv[1])
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.35 * len(ranked) + 1.2))
    colors = [_FOR if s in ex.hypothesis.members else "#4c72b0" for s, _ in ranked]
    ax.barh([s for s, _ in ranked], [p for _, p in ranked], color=colors)
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"P({ex.hypothesis.node} | evidence)")
    ax.set_title(f"Differential; P({ex.hypothesis.name}) = {ex.posterior:.2f} (red)", fontsize=9)
    stamp(ax)
    return ax


def network_graph(ex: Explanation, ax: Axes | None = None) -> Axes:
    """The network, observed findings highlighted, posteriors written on the other nodes."""
    import matplotlib.pyplot as plt
    import networkx as nx

    net = ex.network
    graph = nx.DiGraph()
    graph.add_nodes_from(net.variables)
    graph.add_edges_from((p, v) for v in net.variables for p in net.parents[v])
    for layer, nodes in enumerate(nx.topological_generations(graph)):
        for n in nodes:
            graph.nodes[n]["layer"] = layer
    pos = nx.multipartite_layout(graph, subset_key="layer", align="horizontal", scale=1.0)
    pos = {n: (x, -y) for n, (x, y) in pos.items()}  # roots on top
    observed = {**ex.context, **ex.findings}
    hidden = [v for v in net.variables if v not in observed]
    post = marginals(net, observed, hidden)[0] if hidden else {}
    labels, colors = {}, []
    for v in net.variables:
        if v in ex.findings:
            labels[v] = f"{v}\n= {ex.findings[v]}"
            colors.append("#f0a35e")
        elif v in ex.context:
            labels[v] = f"{v}\n= {ex.context[v]}"
            colors.append("#f6d2a9")
        elif v == ex.hypothesis.node:
            labels[v] = f"{v}\nP({ex.hypothesis.name}) {ex.posterior:.2f}"
            colors.append("#e8a0a2")
        else:
            state, p = max(post[v].items(), key=lambda kv: kv[1])
            labels[v] = f"{v}\n{state} {p:.2f}"
            colors.append("#c6d7ee")
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 7))
    nx.draw_networkx_edges(
        graph, pos, ax=ax, arrows=True, arrowsize=8, edge_color="0.6", node_size=1400
    )
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colors, node_size=1400, edgecolors="0.3")
    nx.draw_networkx_labels(graph, pos, labels, ax=ax, font_size=6)
    ax.set_title(
        "Network: observed findings in orange (context pale), posterior of the most "
        "likely state on the others",
        fontsize=9,
    )
    ax.set_axis_off()
    stamp(ax)
    return ax
