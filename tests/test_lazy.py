"""Public names load on first use (bayesdx._lazy): the maps agree with ``__all__`` and with
the packages' ``if TYPE_CHECKING:`` imports, every name loads, and a command imports only
what it runs."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bayesdx import io as bdio
from bayesdx._lazy import attach, load_on_use
from tests.helpers import ROOT, TINY

PACKAGES = [
    "bayesdx",
    *sorted(
        p.parent.relative_to(ROOT).as_posix().replace("/", ".")
        for p in (ROOT / "bayesdx").glob("*/__init__.py")
        if "_LAZY" in p.read_text()
    ),
]


def _type_checking_names(path: Path) -> dict[str, str]:
    """Name -> module, as the package's ``if TYPE_CHECKING:`` block imports it."""
    out: dict[str, str] = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                for alias in imp.names:
                    out[alias.asname or alias.name] = imp.module or ""
    return out


@pytest.mark.parametrize("name", PACKAGES)
def test_the_map_the_types_and_all_agree(name):
    package = importlib.import_module(name)
    path = Path(package.__file__)
    typed = _type_checking_names(path)
    assert typed == package._LAZY
    eager = {k for k in package.__all__ if k in vars(package) and k not in package._LAZY}
    assert set(package._LAZY) | eager == set(package.__all__)


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_loads(name):
    package = importlib.import_module(name)
    for public in package.__all__:
        value = getattr(package, public)
        assert value is not None
        assert public in dir(package)


def test_an_unknown_name_is_an_attribute_error():
    import bayesdx

    with pytest.raises(AttributeError, match="no attribute 'qurey'"):
        _ = bayesdx.qurey
    getattr_, _ = attach("bayesdx", {})
    with pytest.raises(AttributeError):
        getattr_("query")


def test_load_on_use_refuses_a_missing_module():
    with pytest.raises(ImportError, match="no module named"):
        load_on_use("bayesdx._no_such_module")


def test_a_module_bound_on_use_imports_as_usual_elsewhere():
    """The command line binds the benchmark and Dask modules on use; a plain import of them
    afterwards still binds them on their package."""
    code = (
        "import bayesdx.cli\n"
        "import bayesdx._bench\n"
        "assert callable(bayesdx._bench.run_benchmark)\n"
        "assert 'bench' in repr(bayesdx.cli._bench)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def _modules_after(code: str) -> list[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_command_line_imports_no_analysis():
    loaded = _modules_after("import bayesdx.cli")
    for heavy in ("numpy", "pandas", "matplotlib", "scipy", "yaml", "bayesdx.inference._ve"):
        assert heavy not in loaded


def test_a_query_on_a_bif_file_imports_only_what_it_runs(tmp_path):
    path = tmp_path / "tiny.bif"
    code = (
        "import bayesdx.cli, contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert bayesdx.cli.main(['query', '--network', {str(path)!r}]) == 0\n"
    )
    bdio.write_model(bdio.load_network(TINY), str(path), "bif")
    loaded = _modules_after(code)
    assert "bayesdx.io._bif" in loaded and "bayesdx.inference._ve" in loaded
    for unused in (
        "bayesdx.explanation._explorer",
        "bayesdx.validation._local",
        "bayesdx.learning._learn",
        "bayesdx.sensitivity_analysis._psa",
        "bayesdx.decision._recommend",
        "bayesdx._bench",
        "bayesdx.io._writers",
        "bayesdx.io._xdsl",
        "bayesdx.model._decision_spec",
        "bayesdx.model._cpt",  # the literature's table kinds: a BIF file has fixed tables
        "bayesdx.model._uncertainty",
        "bayesdx.model._measure",
        "pandas",
        "matplotlib",
        "yaml",
    ):
        assert unused not in loaded, unused
