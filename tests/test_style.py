"""Lint, format and type checks, as the README promises: ruff and mypy, set in pyproject.toml.

Each tool runs from the repository root with this interpreter's copy (``python -m ruff``,
``python -m mypy``; both come with the ``test`` extra). mypy checks the source tree given by
path, so under a non-editable install (.ci/run stage b) it still checks the checkout, not the
installed copy. mypy keeps its cache in ``.mypy_cache/`` (git-ignored): the first run takes a
few seconds, later ones well under one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECKS = {
    "ruff-check": ["ruff", "check", "bayesdx", "tests"],
    "ruff-format": ["ruff", "format", "--check", "bayesdx", "tests"],
    "mypy": ["mypy", "--config-file", "pyproject.toml", "bayesdx"],
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_tool_is_clean(name):
    command = [sys.executable, "-m", *CHECKS[name]]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(CHECKS[name])} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    )
