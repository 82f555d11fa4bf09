"""The shared renderer and plot scaffolding: text, HTML, Markdown and frames from one Report."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # tests only: the library itself never chooses a backend

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

import bayesdx
from bayesdx.display import (
    DISCLAIMER,
    Column,
    Items,
    Lines,
    Rendered,
    Report,
    Table,
    figure_axes,
    finish,
    jsonable,
)
from bayesdx.display._render import _escape

ROWS = [("multiple_myeloma", 0.75, 0.75), ("<b>a&b</b>", 0.25, 0.25)]
COLUMNS = (Column("state"), Column("p", ".3f"), Column("bar", label="", bar=True))


def test_text_table_aligns_and_draws_bars():
    lines = Table(COLUMNS, ROWS, caption="P(x):", header=False).text_lines()
    assert lines == [
        "P(x):",
        "  multiple_myeloma  0.750  " + "#" * 22,
        "  <b>a&b</b>        0.250  " + "#" * 8,
    ]


def test_text_widths_headers_inline_labels_and_separators():
    table = Table(
        (
            Column("rank", lambda i: f"{i}.", label="#"),
            Column("finding", width=10, sep=" "),
            Column("value", ".3f", inline=True, sep=" "),
        ),
        [(1, "hb", 0.05), (2, "m_protein", 0.125)],
        header=False,
    )
    assert table.text_lines() == ["  1. hb         value 0.050", "  2. m_protein  value 0.125"]
    with_header = Table((Column("a"), Column("n", ".1f")), [("x", 2.0)], indent="")
    assert with_header.text_lines() == ["a    n", "x  2.0"]


def test_none_is_an_empty_cell_unless_a_function_says_otherwise():
    table = Table(
        (Column("flip", ".3f"), Column("state", lambda s: "not known" if s is None else s)),
        [(None, None)],
        indent="",
    )
    assert table.text_lines()[1].split() == ["not", "known"]
    assert "<td></td><td>not known</td>" in table.html()


def test_html_is_escaped_and_self_contained():
    page = Report([Lines(["a < b"]), Table(COLUMNS, ROWS), Items([("Pitfalls", ["x & y"])])]).html()
    assert "&lt;b&gt;a&amp;b&lt;/b&gt;" in page and "<b>a&b</b>" not in page
    assert "a &lt; b" in page and "<li>x &amp; y</li>" in page
    assert "width:150px" in page  # the bar of 0.75
    assert "<script" not in page and "http" not in page and "<link" not in page
    assert page.startswith("<div") and page.endswith("</div>")
    assert f"<small>{DISCLAIMER}</small>" in page


def test_markdown_tables_escape_pipes():
    md = Table((Column("cohort"), Column("auc", ".2f", label="AUC")), [("a|b", 0.5)])
    assert md.markdown_lines() == ["| cohort | AUC |", "|---|---|", "| a\\|b | 0.50 |"]


def test_report_text_skips_empty_blocks_and_ends_with_the_disclaimer():
    report = Report([Lines(["head"]), Lines([]), Items([("Work-up", [])]), Lines(["tail"])])
    assert report.text() == f"head\n\ntail\n\n{DISCLAIMER}"
    assert Report([Lines(["x"])], disclaimer=False).text() == "x"
    assert report.markdown().endswith(f"*{DISCLAIMER}*\n")


def test_frame_holds_raw_values_without_bars():
    frame = Report([Table(COLUMNS, ROWS)]).frame()
    assert frame.columns.tolist() == ["state", "p"]
    assert frame["p"].tolist() == [0.75, 0.25]  # raw, not the formatted text
    data = Table((Column("k"),), [(1,), (2,)])
    assert Report([Table(COLUMNS, ROWS)], data=data).frame()["k"].tolist() == [1, 2]
    assert Report([Lines(["no table"])]).frame().empty


def test_rendered_mixin_gives_the_three_views():
    class Demo(Rendered):
        def _report(self) -> Report:
            return Report([Table(COLUMNS, ROWS)])

    demo = Demo()
    assert str(demo).endswith(DISCLAIMER)
    assert demo._repr_html_().startswith("<div")
    assert isinstance(demo.to_frame(), pd.DataFrame)


def test_jsonable():
    value = {"a": (np.int64(1), np.float64(np.nan)), "b": np.array([[1.5]]), 3: -np.inf}
    assert jsonable(value) == {"a": [1, None], "b": [[1.5]], "3": None}
    json.dumps(jsonable(value), allow_nan=False)


def test_figure_axes_makes_a_figure_only_when_needed():
    before = plt.get_fignums()
    fig, ax = figure_axes(None, (3, 2))
    assert plt.get_fignums() == [*before, fig.number]
    assert list(fig.get_size_inches()) == [3, 2]
    again, same = figure_axes(ax, (9, 9))
    assert same is ax and again is fig and len(plt.get_fignums()) == len(before) + 1
    plt.close(fig)


def test_finish_titles_and_stamps_once():
    fig, ax = plt.subplots()
    finish(ax, "A title")
    finish(ax, "A title")
    assert ax.get_title() == "A title"
    assert [t.get_text() for t in ax.texts].count(DISCLAIMER) == 1
    fig2, ax2 = plt.subplots()
    finish(ax2, "cohort", disclaimer=False)
    assert DISCLAIMER not in [t.get_text() for t in ax2.texts]
    plt.close(fig)
    plt.close(fig2)


def test_the_stamp_is_not_clipped_or_over_the_title(tmp_path):
    net = bayesdx.load_network("marrow_signal")
    ax = bayesdx.query(net, {"hb": 10.4}).plot()
    fig = ax.figure
    fig.tight_layout()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (note,) = [t for t in ax.texts if t.get_text() == DISCLAIMER]
    box, title = note.get_window_extent(renderer), ax.title.get_window_extent(renderer)
    assert box.y0 >= title.y1 - 1  # above the title
    assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1)
    plt.close(fig)


def test_the_library_never_chooses_a_backend():
    root = Path(bayesdx.__file__).parent
    found = [
        f"{path.relative_to(root)}:{k}"
        for path in sorted(root.rglob("*.py"))
        for k, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"matplotlib\.use\(|\buse\(\s*['\"]agg", line, flags=re.I)
    ]
    assert not found


@given(st.text())
def test_escape_is_html_escape(text):
    assert _escape(text) == html.escape(text)
