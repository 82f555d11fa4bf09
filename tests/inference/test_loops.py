"""The tabulated kernel's loop written out per kernel (bayesdx.inference._loops): the same
bits as the kernel's numpy arithmetic, run as plain Python everywhere and compiled by numba
where the fast extra is installed."""

from __future__ import annotations

import importlib.util
import os
import types

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayesdx.inference._loops as loops_module
import bayesdx.inference._tabulated as tabulated_module
from bayesdx import load_network
from bayesdx.errors import ArgumentError
from bayesdx.inference import compile_network
from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec

from helpers import loops_as_python, numpy_result, random_network, same_result

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(
    not HAVE_NUMBA and os.environ.get("BAYESDX_REQUIRE_NUMBA") != "1",
    reason="numba is not installed (the fast extra; CI's stages (b) and (c) install it)",
)


@pytest.fixture
def python_loops(monkeypatch):
    """The written-out loops run as plain Python (no numba), from any batch size."""
    loops_as_python(monkeypatch)


_numpy, _same = numpy_result, same_result


def _marrow_cases(n: int, seed: int) -> np.ndarray:
    from bayesdx._bench import sample_cases

    net = load_network("marrow_signal")
    x = sample_cases(net, n, np.random.default_rng(seed), targets=["diagnosis"])
    x[::7, net.variables.index("diagnosis")] = 3  # the target observed: numpy takes those
    x[1] = -1  # nothing observed
    return x


def test_the_marrow_loop_gives_numpys_bits(python_loops):
    net = load_network("marrow_signal")
    x = _marrow_cases(400, 5)
    cn = compile_network(net)
    got = cn.evaluate(x, ["diagnosis"])
    kernel = cn._kernels[("diagnosis",)]
    assert isinstance(kernel._fast, tabulated_module._Fast)  # the loop ran
    _same(got, _numpy(net, x, ["diagnosis"]), ["diagnosis"])
    assert got.log_p_evidence[1] == 0.0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(2, 8),
    max_parents=st.integers(0, 3),
    zero_share=st.sampled_from([0.0, 0.4]),
    component=st.sampled_from([2, 8, 64, 1 << 16]),
    bundle_floats=st.sampled_from([4, 64, 1 << 17]),
    hide=st.sampled_from([0.0, 0.3, 0.7]),
)
def test_random_kernels_give_numpys_bits(
    seed, n, max_parents, zero_share, component, bundle_floats, hide
):
    """Small component and bundle limits put more variables in the kernel and leave tables
    apart or broadcast (the products and sums of the elimination steps), with structural
    zeros (impossible cases, which the loop leaves to numpy)."""
    with pytest.MonkeyPatch.context() as mp:
        loops_as_python(mp)
        mp.setattr(tabulated_module, "COMPONENT_FLOATS", component)
        mp.setattr(tabulated_module, "BUNDLE_FLOATS", bundle_floats)
        net = random_network(seed, n, max_parents, zero_share, cards=(2, 3, 4), groups=True)
        rng = np.random.default_rng(seed + 1)
        target = str(rng.choice(net.variables))
        cards = np.array([len(net.states[v]) for v in net.variables])
        x = (rng.random((30, len(cards))) * cards).astype(np.int64)
        x[rng.random(x.shape) < hide] = -1
        x[:20, net.variables.index(target)] = -1
        cn = compile_network(net)
        got = cn.evaluate(x, [target])
        kernel = cn._kernels[(target,)]
        ref = _numpy(net, x, [target])
    _same(got, ref, [target])
    if kernel is not None and isinstance(kernel._fast, tabulated_module._Fast):
        assert kernel._fast.loop is not None


def _spec(nodes: dict[str, tuple[tuple[str, ...], tuple[str, ...], list]]) -> Network:
    specs = {
        k: NodeSpec(id=k, states=s, parents=p, cpt=FixedCPT(np.asarray(t, dtype=float), p))
        for k, (s, p, t) in nodes.items()
    }
    return Network(NetworkSpec(id="loops", title="t", description="", nodes=specs))


def test_cases_whose_total_underflows_go_to_numpy_and_keep_its_bits(python_loops):
    """Ten findings of about 1e-40 each: P(evidence) near 1e-400, below what the loop keeps;
    those cases are recomputed in logarithms by numpy, the others stay the loop's."""
    rng = np.random.default_rng(3)
    nodes: dict = {"d": (("a", "b", "c"), (), [0.5, 0.3, 0.2])}
    for i in range(10):
        lik = rng.uniform(1e-41, 1e-39, size=3)
        nodes[f"f{i}"] = (("n", "y"), ("d",), np.stack([1 - lik, lik], axis=-1))
    net = _spec(nodes)
    x = np.zeros((6, 11), dtype=np.int64)
    x[:, 0] = -1
    x[:3, 1:] = 1  # every finding present: tiny
    cn = compile_network(net)
    got = cn.evaluate(x, ["d"])
    assert isinstance(cn._kernels[("d",)]._fast, tabulated_module._Fast)
    assert not got.impossible.any() and got.log_p_evidence[0] < -800
    _same(got, _numpy(net, x, ["d"]), ["d"])


@pytest.mark.parametrize("block", [16, 1 << 14])
def test_bad_evidence_is_named_as_numpy_names_it(python_loops, monkeypatch, block):
    """The loop checks the evidence block by block: the first bad entry is named, in a
    later block too."""
    monkeypatch.setattr(tabulated_module, "_FAST_BLOCK", block)
    net = load_network("marrow_signal")
    x = _marrow_cases(50, 2)
    x[40, 6] = -2  # a later bad entry: not the one named
    x[17, 4] = 9
    with pytest.raises(ArgumentError) as fast:
        compile_network(net).evaluate(x, ["diagnosis"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(loops_module, "available", lambda: False)
        with pytest.raises(ArgumentError) as slow:
            compile_network(net).evaluate(x, ["diagnosis"])
    assert str(fast.value) == str(slow.value)
    assert str(fast.value).startswith("evidence[17, 4] = 9 is not a state index of")


def test_a_loop_that_fails_leaves_the_batch_to_numpy(python_loops, monkeypatch):
    def broken(text):
        def run(*args):
            raise RuntimeError("numba could not compile it")

        return run

    monkeypatch.setattr(loops_module, "load", broken)
    _check_numpy_took_it(100, 4)


def _check_numpy_took_it(n: int, seed: int) -> None:
    """The kernel has no loop after a batch, and the batch got numpy's bits."""
    net = load_network("marrow_signal")
    x = _marrow_cases(n, seed)
    cn = compile_network(net)
    got = cn.evaluate(x, ["diagnosis"])
    assert cn._kernels[("diagnosis",)]._fast is False
    _same(got, _numpy(net, x, ["diagnosis"]), ["diagnosis"])


def test_the_source_goes_to_a_private_folder_when_the_cache_cannot_take_it(
    python_loops, monkeypatch, tmp_path
):
    gone = tmp_path / "missing" / "loops"  # mkstemp there fails: a temporary folder instead
    monkeypatch.setattr(
        loops_module, "_io", types.SimpleNamespace(code_folder=lambda name: str(gone))
    )
    run = loops_module.load("import numpy as np\n\n\ndef run(*args):\n    return 7\n")
    assert run is not None and run() == 7
    assert not gone.exists()
    again = loops_module.load("import numpy as np\n\n\ndef run(*args):\n    return 7\n")
    assert again is run  # once per process


def test_the_cache_folder_keeps_one_file_per_source(python_loops, monkeypatch, tmp_path):
    monkeypatch.setattr(
        loops_module, "_io", types.SimpleNamespace(code_folder=lambda name: str(tmp_path))
    )
    text = "def run(*args):\n    return 1\n"
    loops_module.load(text)
    loops_module.load(text.replace("1", "2"))
    monkeypatch.setattr(loops_module, "_LOADED", {})
    assert loops_module.load(text)() == 1  # the file is read again, not rewritten
    assert len(list(tmp_path.glob("loop_*.py"))) == 2
    assert not list(tmp_path.glob(".loop-*"))  # no temporary file left


def test_numba_turned_off_or_on_for_every_batch(monkeypatch):
    monkeypatch.setenv("BAYESDX_NUMBA", "0")
    assert loops_module.available() is False
    assert loops_module.wanted(10**9) is False
    monkeypatch.setattr(loops_module, "available", lambda: True)
    monkeypatch.setenv("BAYESDX_NUMBA", "1")
    assert loops_module.wanted(1) is True
    monkeypatch.delenv("BAYESDX_NUMBA")
    assert loops_module.wanted(loops_module.FAST_CASES - 1) is False
    assert loops_module.wanted(loops_module.FAST_CASES) is True


def test_a_small_batch_builds_no_loop_but_a_loaded_loop_serves_any(python_loops, monkeypatch):
    monkeypatch.setattr(loops_module, "FAST_CASES", 500)
    net = load_network("marrow_signal")
    x = _marrow_cases(600, 6)
    cn = compile_network(net)
    cn.evaluate(x[:499], ["diagnosis"])
    kernel = cn._kernels[("diagnosis",)]
    assert kernel._fast is True  # not built
    cn.evaluate(x, ["diagnosis"])
    assert isinstance(kernel._fast, tabulated_module._Fast)
    small = cn.evaluate(x[:3], ["diagnosis"])  # its loop is loaded: it serves 3 cases too
    _same(small, _numpy(net, x[:3], ["diagnosis"]), ["diagnosis"])


@needs_numba
def test_the_compiled_loop_gives_numpys_bits_on_a_large_batch(monkeypatch):
    monkeypatch.setattr(loops_module, "FAST_CASES", 30_000)
    net = load_network("marrow_signal")
    x = _marrow_cases(loops_module.FAST_CASES, 9)
    cn = compile_network(net)
    got = cn.evaluate(x, ["diagnosis"])
    fast = cn._kernels[("diagnosis",)]._fast
    assert isinstance(fast, tabulated_module._Fast)
    assert type(fast.loop).__name__ == "CPUDispatcher"  # numba's
    _same(got, _numpy(net, x, ["diagnosis"]), ["diagnosis"])
    small = cn.evaluate(x[:1000], ["diagnosis"])  # loaded: small batches use it too
    _same(small, _numpy(net, x[:1000], ["diagnosis"]), ["diagnosis"])


def test_a_kernel_whose_programs_are_too_large_keeps_numpy(python_loops, monkeypatch):
    monkeypatch.setattr(tabulated_module, "PROGRAM_FLOATS", 1000)
    _check_numpy_took_it(50, 8)


def test_a_loop_too_long_to_compile_quickly_stays_with_numpy(python_loops, monkeypatch):
    monkeypatch.setattr(loops_module, "MAX_LINES", 20)
    _check_numpy_took_it(40, 11)


def test_the_cache_folder_keeps_the_newest_sources(python_loops, monkeypatch, tmp_path):
    """Sources beyond MAX_SOURCES go, the least recently written first, with numba's cache
    entries for them."""
    monkeypatch.setattr(
        loops_module, "_io", types.SimpleNamespace(code_folder=lambda name: str(tmp_path))
    )
    monkeypatch.setattr(loops_module, "MAX_SOURCES", 2)
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    for k in range(4):
        loops_module.load(f"def run(*args):\n    return {k}\n")
        newest = max(tmp_path.glob("loop_*.py"), key=lambda p: p.stat().st_mtime_ns)
        (cache / f"{newest.stem}.run-1.py311.nbi").write_bytes(b"index")
        os.utime(newest, ns=(10**9 * (k + 1), 10**9 * (k + 1)))  # written in this order
    kept = sorted(p.read_text()[-2] for p in tmp_path.glob("loop_*.py"))
    assert kept == ["2", "3"]
    assert sorted(p.name.split(".")[0] for p in cache.iterdir()) == sorted(
        p.stem for p in tmp_path.glob("loop_*.py")
    )
