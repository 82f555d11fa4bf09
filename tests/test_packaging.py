"""The wheel ships the networks as package data, so a non-editable install works."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_wheel_contains_networks(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("bayesdx-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "bayesdx/networks/marrow_signal.yaml",
        "bayesdx/networks/sources.yaml",
        "bayesdx/networks/marrow_signal.md",
        "bayesdx/calibration_data/targets.yaml",
        "bayesdx/cli.py",
        "bayesdx/py.typed",
    ):
        assert required in names
    cases = sorted((ROOT / "calibration" / "cases").glob("*.yaml"))
    assert cases and all(f"bayesdx/calibration_data/cases/{c.name}" in names for c in cases)
    # every module of every subpackage (a package missing from pyproject's list is not built)
    for module in sorted((ROOT / "bayesdx").rglob("*.py")):
        assert f"bayesdx/{module.relative_to(ROOT / 'bayesdx').as_posix()}" in names, module
    assert not any(n.startswith("tests/") for n in names)
    assert not any("/drafts/" in n or "/notes/" in n for n in names)


def test_subprocesses_import_the_same_bayesdx():
    """Tests that start Python (CLI, notebooks) check the package this process imported.

    CI's non-editable run sets BAYESDX_EXPECT_INSTALLED=1: there it must be the install.
    """
    import os

    import bayesdx

    code = "import bayesdx; print(bayesdx.__file__)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    here = Path(bayesdx.__file__).resolve()
    assert Path(out).resolve() == here
    if os.environ.get("BAYESDX_EXPECT_INSTALLED") == "1":
        assert here.parent != (ROOT / "bayesdx").resolve(), f"imported from the source: {here}"
