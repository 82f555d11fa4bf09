"""The network picture: the same explanation always gives the same picture, boxes never overlap."""

from __future__ import annotations

import os
import subprocess
import sys
from itertools import combinations

import matplotlib

from helpers import ROOT

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from bayesdx.explanation import explain, network_graph

CODE = """
import hashlib, sys
import bayesdx
from bayesdx.explanation import explain
from bayesdx.explanation import network_graph
from bayesdx.explanation import figure_png
net = bayesdx.load_network("marrow_signal")
ex = explain(net, {"hb": 10.4, "m_protein": "present"})
print(hashlib.sha256(figure_png(network_graph, ex).encode()).hexdigest())
"""


def test_same_picture_whatever_the_hash_seed():
    root = str(ROOT)
    digests = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "MPLBACKEND": "Agg"}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        if env.get("PYTHONSAFEPATH"):  # testing an install: import that, not the checkout
            env.pop("PYTHONPATH")
        out = subprocess.run(
            [sys.executable, "-c", CODE], capture_output=True, text=True, env=env, check=True
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def _no_overlap(ax, marrow):
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    patches = [t.get_bbox_patch() for t in ax.texts]  # the node boxes (arrows have none)
    boxes = [p.get_window_extent(renderer) for p in patches if p is not None]
    assert len(boxes) == len(marrow.variables)
    for a, b in combinations(boxes, 2):
        assert not a.overlaps(b)
    plt.close(ax.figure)


def test_boxes_do_not_overlap(marrow):
    ex = explain(marrow, {"hb": 10.4, "m_protein": "present", "chemical_shift": "drop"})
    _no_overlap(network_graph(ex), marrow)


def test_boxes_do_not_overlap_on_a_small_axes(marrow):
    # on a caller's Axes too small for the layout, the text shrinks with it
    ex = explain(marrow, {"hb": 10.4, "m_protein": "present", "chemical_shift": "drop"})
    _, ax = plt.subplots(figsize=(6, 4))
    _no_overlap(network_graph(ex, ax=ax), marrow)
