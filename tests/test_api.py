"""The public API: every name in __all__ resolves; importing is light."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

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


def _heavy_modules_after(calls: str) -> list[str]:
    code = (
        "import sys, bayesdx; from bayesdx import explain; "
        f"net = bayesdx.load_network('marrow_signal'); {calls}; "
        "print(sorted(m for m in ('pgmpy', 'pandas', 'matplotlib', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return eval(out)  # a list literal printed by the child


def test_query_recommend_explain_import_neither_pgmpy_nor_pandas_nor_scipy():
    calls = (
        "bayesdx.query(net, {'hb': 10}); bayesdx.recommend(net, {'hb': 10}, draws=0); "
        "explain(net, {'hb': 10, 'm_protein': 'present'})"
    )
    assert _heavy_modules_after(calls) == []


def test_the_uncertainty_at_the_decision_needs_only_scipy():
    """Its draws fit Beta distributions to the expert ranges (scipy.special.betaincinv)."""
    assert _heavy_modules_after("bayesdx.recommend(net, {'hb': 10})") in ([], ["scipy"])


FRONT_ENDS = {
    # name: (keywords it must take)
    "query": {"targets"},
    "recommend": {"policy"},
    "explain": {"hypothesis", "policy"},
    "sensitivity": {"hypothesis", "policy"},
    "uncertainty": {"hypothesis", "policy"},
}


@pytest.mark.parametrize("name", list(FRONT_ENDS))
def test_front_ends_have_one_shape(name):
    """f(network, evidence, *, hypothesis=..., policy=...): two positional, the rest keywords."""
    params = list(inspect.signature(getattr(bayesdx, name)).parameters.values())
    assert [p.name for p in params[:2]] == ["network", "evidence"]
    assert params[1].default is None  # no evidence: the prior
    assert all(p.kind is p.KEYWORD_ONLY for p in params[2:]), name
    names = {p.name for p in params}
    assert FRONT_ENDS[name] <= names
    if "hypothesis" not in FRONT_ENDS[name]:
        assert "hypothesis" not in names


def _public_callables():
    for module_name in ["bayesdx", *MODULES]:
        module = importlib.import_module(module_name)
        for item in getattr(module, "__all__", []):
            obj = getattr(module, item)
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if inspect.isfunction(member) and not attr.startswith("_"):
                        yield f"{module_name}.{item}.{attr}", member
            elif inspect.isfunction(obj):
                yield f"{module_name}.{item}", obj


def test_target_means_a_node_everywhere():
    """A hypothesis (group, state or VAR=STATE) is never passed as ``target``; a policy is
    one ``policy`` object, never loose threshold/harm/benefit keywords."""
    seen = set()
    for where, func in _public_callables():
        params = inspect.signature(func).parameters
        if "hypothesis" in params:
            assert "target" not in params and "targets" not in params, where
        if "policy" in params:
            assert not {"threshold", "harm", "benefit"} & set(params), where
        seen.add(where)
    assert "bayesdx.sensitivity" in seen and "bayesdx.Posterior.plot" in seen


def test_calibrate_takes_a_literature_file_not_targets():
    params = inspect.signature(bayesdx.calibrate).parameters
    assert list(params)[:2] == ["network", "literature"]


README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    obj: object = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=1):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[: i + 1]))
    return obj


@pytest.mark.parametrize(
    "dotted", sorted(set(re.findall(r"`(bayesdx(?:\.\w+)+)", README))) or ["bayesdx"]
)
def test_every_python_name_the_readme_gives_resolves(dotted):
    assert _resolve(dotted) is not None


def test_readme_python_names_are_at_the_top_level():
    """Every function the README's Python block calls as ``bayesdx.f`` is in ``__all__``."""
    (code,) = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    called = set(re.findall(r"\bbayesdx\.(\w+)\(", code))
    assert called, "the README's Python block calls bayesdx functions"
    assert called <= set(bayesdx.__all__)


@pytest.mark.parametrize("name", list(FRONT_ENDS))
def test_docstrings_describe_the_parameters_the_function_takes(name):
    func = getattr(bayesdx, name)
    documented = set(re.findall(r"^    (\w+)(?:, (\w+))* :", func.__doc__ or "", flags=re.M))
    names = {n for group in documented for n in group if n}
    params = set(inspect.signature(func).parameters)
    assert names <= params, f"{name} documents {names - params}, which it does not take"
