"""Every notebook in notebooks/ runs top to bottom without an error, and shows its pictures."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not errors
    # every cell that draws shows its picture, as a reader running the notebook would see it
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or ".plot(" not in cell.source:
            continue
        images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        assert images, f"{path.name} cell {k} draws but shows no picture:\n{cell.source}"


def test_library_leaves_the_backend_alone():
    import matplotlib

    import bayesdx
    from bayesdx.explanation import explain

    before = matplotlib.get_backend()
    matplotlib.use("svg")  # any backend but Agg, as a notebook's inline backend is
    try:
        net = bayesdx.load_network("marrow_signal")
        html = explain(net, {"hb": 10.4})._repr_html_()
        assert "data:image/png;base64," in html
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(before)
