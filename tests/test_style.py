"""Lint, format, type and architecture checks: ruff, mypy and import-linter (pyproject.toml).

Each tool runs from the repository root with this interpreter's copy (``python -m ruff``,
``python -m mypy``; both come with the ``test`` extra). mypy checks the source tree given by
path, so under a non-editable install (.ci/run stage b) it still checks the checkout, not the
installed copy. mypy keeps its cache in ``.mypy_cache/`` (git-ignored): the first run takes a
few seconds, later ones well under one.
"""

from __future__ import annotations

import ast
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
# the layer contract (lint-imports, with its cache kept out of the tree)
CHECKS["import-linter"] = [
    "-c",
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True))",
]


@pytest.mark.parametrize("name", list(CHECKS))
def test_tool_is_clean(name):
    args = CHECKS[name]
    command = [sys.executable, *(args if args[0] == "-c" else ["-m", *args])]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(CHECKS[name])} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    )


def _function_level_imports(source: str, where: str) -> list[str]:
    """``bayesdx`` imports made inside a function or class body (module level is fine)."""
    found: dict[int, str] = {}  # by line: a method's import is inside its class too
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom):
                modules = [inner.module or ""]
            elif isinstance(inner, ast.Import):
                modules = [a.name for a in inner.names]
            else:
                continue
            if any(m.split(".")[0] == "bayesdx" for m in modules):
                found[inner.lineno] = f"{where}:{inner.lineno}: {ast.unparse(inner)}"
    return list(found.values())


def test_no_function_level_imports_of_bayesdx():
    """Layers are kept by where modules live, not by hiding an import inside a function."""
    found = [
        hit
        for path in sorted((ROOT / "bayesdx").rglob("*.py"))
        for hit in _function_level_imports(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert not found, "function-level imports of bayesdx modules:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "def f():\n    from bayesdx.model import Network\n",
        "class C:\n    def m(self):\n        import bayesdx.io\n",
    ],
)
def test_the_import_check_finds_a_hidden_import(source):
    assert len(_function_level_imports(source, "probe.py")) == 1
