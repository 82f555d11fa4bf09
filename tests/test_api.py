"""The public API: every name in __all__ resolves; importing is light."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import bayesdx

MODULES = [
    m.name
    for m in pkgutil.walk_packages(bayesdx.__path__, "bayesdx.")
    # data packages (an install maps networks/ and calibration/ to them), not modules
    if not m.name.startswith(("bayesdx.networks", "bayesdx.calibration_data"))
]


@pytest.mark.parametrize("name", MODULES)
def test_all_resolves(name):
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    for item in module.__all__:
        assert hasattr(module, item), f"{name}.__all__ names missing {item}"


def test_top_level_all():
    for item in bayesdx.__all__:
        assert getattr(bayesdx, item) is not None


def test_query_recommend_explain_import_neither_pgmpy_nor_pandas_nor_scipy():
    code = (
        "import sys, bayesdx; from bayesdx import explain; "
        "net = bayesdx.load_network('marrow_signal'); bayesdx.query(net, {'hb': 10}); "
        "bayesdx.recommend(net, {'hb': 10}); explain(net, {'hb': 10, 'm_protein': 'present'}); "
        "print(sorted(m for m in ('pgmpy', 'pandas', 'matplotlib', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
