"""The case explorer page, without a browser: self-contained, its data, files, notebooks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import bayesdx
from bayesdx.errors import OutputFileError
from bayesdx.explanation import Explorer, explore, explore_command, explorer_data, write_explorer
from bayesdx.io import write_model

CASE = {"hb": 11.4, "m_protein": "present", "smear": "rouleaux"}


def _embedded(page: str) -> dict:
    m = re.search(r'<script id="bdx-data" type="application/json">(.*?)</script>', page, re.S)
    assert m is not None
    return json.loads(m.group(1))


def test_page_is_self_contained(marrow):
    page = explore(marrow, CASE).html
    assert page.startswith("<!DOCTYPE html>")
    # nothing to fetch: no src or href pointing anywhere, no stylesheet or script links
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", page, re.I)
    assert not re.search(r"<link\b|<script[^>]+\bsrc=|@import|url\(\s*['\"]?https?:", page, re.I)
    assert "fetch(" not in page and "XMLHttpRequest" not in page
    # the only URL in the page is the SVG namespace, which is an identifier, not a request
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert page.count("<script") == 2  # the data and the program, both inline


def test_embedded_tables_are_the_engine_tables(marrow):
    data = _embedded(explore(marrow).html)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert [n["id"] for n in data["nodes"]] == list(marrow.variables)
    for v in marrow.variables:
        table = np.asarray(nodes[v]["cpt"]).reshape(marrow.cpts[v].shape)
        assert np.array_equal(table, marrow.cpts[v])  # exactly: JSON keeps every bit
        assert nodes[v]["parents"] == list(marrow.parents[v])
    assert nodes["hb_level"]["measure"]["cuts"] == [12.0, 13.0]
    assert nodes["hb"]["raw_to"] == "hb_level"
    assert nodes["hb"]["det"] == {"ge_12": ["12_to_13", "ge_13"], "lt_12": ["lt_12"]}
    assert data["decision"]["floor"] == marrow.spec.decision.harm_benefit.threshold
    assert {r["id"] for r in data["decision"]["guideline"]["rules"]} >= {"anaemia"}


def test_initial_case_is_normalised(marrow):
    data = explorer_data(marrow, CASE)
    assert data["initial"]["raw"] == {"hb": 11.4}
    assert data["initial"]["given"]["hb"] == "lt_12"
    assert data["initial"]["given"]["rouleaux"] == "present"  # the first edition's smear
    assert "smear=rouleaux" in data["initial"]["read_as"]
    assert "setting" not in data["initial"]["given"]  # defaults stay assumed, in the page


def test_script_is_safe_inside_html():
    net_data = {"label": "</script><script>alert(1)</script> & <!--"}
    from bayesdx.explanation._explorer import _json_for_script

    text = _json_for_script(net_data)
    assert "</" not in text and "<!--" not in text
    assert json.loads(text) == net_data


def test_layout_is_fixed_and_does_not_overlap(marrow):
    a, b = explorer_data(marrow)["layout"], explorer_data(marrow)["layout"]
    assert a == b
    boxes = list(a["nodes"].values())
    assert len(boxes) == len(marrow.variables)
    for i, (x, y, w, h) in enumerate(boxes):
        assert 0 <= x and x + w <= a["width"] and 0 <= y and y + h <= a["height"]
        for x2, y2, w2, h2 in boxes[i + 1 :]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y
    # a parent is always drawn above its child
    for v, parents in marrow.parents.items():
        for p in parents:
            assert a["nodes"][p][1] < a["nodes"][v][1]


def test_same_input_same_file(marrow, tmp_path):
    one, two = tmp_path / "a.html", tmp_path / "b.html"
    write_explorer(marrow, one, CASE)
    write_explorer(marrow, two, CASE)
    assert one.read_bytes() == two.read_bytes()


def test_notebook_display_embeds_the_page(marrow):
    ex = explore(marrow, {"m_protein": "present"})
    assert isinstance(ex, Explorer)
    out = ex._repr_html_()
    assert out.startswith("<iframe srcdoc=")
    assert "&lt;!DOCTYPE html&gt;" in out and "<script" not in out  # escaped into the attr
    assert "allow-scripts" in out
    assert repr(ex) == "<Explorer 'marrow_signal': 1 findings given>"


def test_explore_command_writes_atomically(marrow, tmp_path):
    out = tmp_path / "page.html"
    assert explore_command(marrow, {"hb": "lt_12"}, out).evidence == {"hb": "lt_12"}
    assert "bdx-data" in out.read_text(encoding="utf-8")
    # an existing regular file is replaced (like every output); a case file may not be
    case = tmp_path / "case.yaml"
    case.write_text("hb: lt_12\n")
    with pytest.raises(OutputFileError):
        explore_command(marrow, {"hb": "lt_12"}, case, inputs=(case,))
    assert case.read_text() == "hb: lt_12\n"


def test_user_errors_before_writing(marrow, tmp_path):
    out = tmp_path / "page.html"
    with pytest.raises(bayesdx.UnknownVariableError):
        explore_command(marrow, {"nope": "x"}, out)
    with pytest.raises(bayesdx.RawValueError):
        explore_command(marrow, {"hb": 99}, out)
    assert not out.exists()


def test_any_network(tiny, tmp_path):
    path = tmp_path / "tiny.bif"
    write_model(tiny, str(path), "bif")
    imported = bayesdx.load_network(path)  # no roles, no groups, no decision
    data = explorer_data(imported, {"test": "pos"})
    assert data["decision"] is None
    assert data["controls"] == list(imported.variables)
    assert data["hypothesis"]["node"] in imported.variables
    assert "bdx-data" in explore(imported).html


def test_public_names():
    import bayesdx.explanation as ex

    for name in ("Explorer", "explore", "explore_command", "explorer_data", "write_explorer"):
        assert name in ex.__all__ and callable(getattr(ex, name))
    assert Path(ex.__file__).parent.joinpath("_explorer.py").exists()
