"""Review of the tabulated kernel's compiled loop (bayesdx.inference._loops): its bits against
the kernel's numpy arithmetic on more networks and evidence than test_loops.py tries, and
what happens when numba, its cache or the cache folder do not behave.

Tests marked ``xfail(strict=True)`` show a bug found in review (the reason says which); the
fix removes the mark."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayesdx.inference._loops as loops_module
import bayesdx.inference._tabulated as tabulated_module
from bayesdx import load_network
from bayesdx.inference import compile_network
from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec

from helpers import errors_both_ways, loops_as_python, numpy_result, same_error, same_result

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(
    not HAVE_NUMBA and os.environ.get("BAYESDX_REQUIRE_NUMBA") != "1",
    reason="numba is not installed (the fast extra)",
)


_loops_as_python, _numpy, _same = loops_as_python, numpy_result, same_result


@pytest.fixture
def python_loops(monkeypatch):
    loops_as_python(monkeypatch)


_SMALL = np.array([[-1, 1, 0], [0, -1, 1], [-1, -1, -1], [2, 1, 1]])  # for _spec_net


def _compiled_loops(monkeypatch, tmp_path) -> None:
    """Loops compiled by numba (a cache folder of the test's own) from any batch size."""
    monkeypatch.setenv("BAYESDX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(loops_module, "FAST_CASES", 1)
    monkeypatch.setattr(loops_module, "_LOADED", {})


def _uses_loop(cn, target: str) -> bool:
    kernel = cn._kernels.get((target,))
    return kernel is not None and isinstance(kernel._fast, tabulated_module._Fast)


def _net(seed: int, n: int, cards: tuple[int, ...], max_parents: int, tiny: float) -> Network:
    """A random network with one-state variables (``cards`` holding 1), findings whose
    likelihoods go down to ``exp(-tiny)`` (a few of them take P(evidence) below TINY: the
    loop leaves those cases to numpy's logarithms), structural zeros (impossible cases) and
    groups of two and three states."""
    rng = np.random.default_rng(seed)
    nodes: dict[str, NodeSpec] = {}
    groups: dict[str, dict[str, tuple[str, ...]]] = {}
    for i in range(n):
        card = int(rng.choice(cards))
        k = min(i, int(rng.integers(0, max_parents + 1)))
        parents = tuple(f"v{j}" for j in sorted(rng.choice(i, size=k, replace=False)))
        shape = (*(len(nodes[p].states) for p in parents), card)
        t = rng.dirichlet(np.ones(card), size=int(np.prod(shape[:-1]))).reshape(shape)
        if tiny and card > 1 and rng.random() < 0.5:
            t = t * np.exp(-rng.uniform(0, tiny, size=shape))
            t[..., 0] = 0.0
            t[..., 0] = 1.0 - t.sum(-1)
        if rng.random() < 0.2:
            t = np.where(rng.random(shape) < 0.3, 0.0, t)
            t[..., 0] += t.sum(-1) == 0
            t = t / t.sum(-1, keepdims=True)
        states = tuple(f"s{c}" for c in range(card))
        nodes[f"v{i}"] = NodeSpec(
            id=f"v{i}", states=states, parents=parents, cpt=FixedCPT(t, parents)
        )
        if card >= 3:
            groups.setdefault(f"v{i}", {})[f"g{i}"] = (states[2], states[0])
        if card >= 4:
            groups.setdefault(f"v{i}", {})[f"h{i}"] = (states[3], states[1], states[0])
    spec = NetworkSpec(id=f"r{seed}", title="r", description="", nodes=nodes, groups=groups)
    return Network(spec)


def _cases(net: Network, target: str, n: int, hide: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    cards = np.array([len(net.states[v]) for v in net.variables])
    x = (rng.random((n, len(cards))) * cards).astype(np.int64)
    x[rng.random(x.shape) < hide] = -1
    x[: n * 3 // 4, net.variables.index(target)] = -1  # most cases: the target unobserved
    x[1] = -1  # nothing observed
    return x


# ---------------------------------------------------------------- bits (held in review)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(2, 9),
    cards=st.sampled_from([(1, 2, 3), (2, 3, 4, 5), (1, 3, 6)]),
    max_parents=st.integers(0, 3),
    tiny=st.sampled_from([0.0, 200.0, 700.0]),
    component=st.sampled_from([2, 8, 64, 1 << 16]),
    bundle_floats=st.sampled_from([4, 64, 1 << 17]),
    hide=st.sampled_from([0.2, 0.5, 0.8]),
)
def test_one_state_variables_tiny_totals_and_several_hidden_variables_keep_numpys_bits(
    seed, n, cards, max_parents, tiny, component, bundle_floats, hide
):
    """In review, 3000 seeded draws of this generator (60 cases each, plain-Python loops)
    gave 970 kernels with SUM steps, 1,435 with MUL steps, 4,991 cases below TINY and
    15,283 impossible ones, with no bit apart."""
    net = _net(seed, n, cards, max_parents, tiny)
    target = str(np.random.default_rng(seed + 1).choice(net.variables))
    x = _cases(net, target, 40, hide, seed + 2)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tabulated_module, "COMPONENT_FLOATS", component)
        mp.setattr(tabulated_module, "BUNDLE_FLOATS", bundle_floats)
        ref = _numpy(net, x, [target])
        _loops_as_python(mp)
        got = compile_network(net).evaluate(x, [target])
    _same(got, ref, [target])


def _wide_network() -> Network:
    """A finding of 40,000 states (the evidence is int64, not int16) beside a kernel."""
    rng = np.random.default_rng(1)
    big = tuple(f"s{i}" for i in range(40_000))
    nodes = {
        "d": (("a", "b", "c"), (), np.array([0.5, 0.3, 0.2])),
        "e": (("a", "b"), ("d",), np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])),
        "big": (big, (), rng.dirichlet(np.ones(40_000))),
        "f": (("n", "y"), ("big", "e"), rng.dirichlet(np.ones(2), size=(40_000, 2))),
    }
    specs = {
        k: NodeSpec(id=k, states=s, parents=p, cpt=FixedCPT(t, p)) for k, (s, p, t) in nodes.items()
    }
    return Network(NetworkSpec(id="wide", title="t", description="", nodes=specs))


def test_int64_evidence_keeps_numpys_bits(python_loops, monkeypatch):
    monkeypatch.setattr(tabulated_module, "COMPONENT_FLOATS", 1 << 20)
    net = _wide_network()
    rng = np.random.default_rng(2)
    x = np.column_stack(
        [rng.integers(-1, k, 300) for k in (3, 2, 40_000, 2)]
    )  # fmt: skip
    x[:200, 0] = -1
    cn = compile_network(net)
    got = cn.evaluate(x, ["d"])
    assert _uses_loop(cn, "d")
    _same(got, _numpy(net, x, ["d"]), ["d"])


@pytest.mark.parametrize(
    "layout", ["int8", "uint8", "int32", "uint64", "fortran", "strided", "list"]
)
def test_evidence_of_any_integer_type_and_layout_keeps_numpys_bits(python_loops, layout):
    net = load_network("marrow_signal")
    from bayesdx._bench import sample_cases

    x = sample_cases(net, 300, np.random.default_rng(4), targets=["diagnosis"])
    x[::5, net.variables.index("diagnosis")] = 2
    x[3] = -1
    unsigned = layout.startswith("u")
    if unsigned:
        x = np.where(x < 0, 0, x)  # no -1 in an unsigned type
    ev: object = {
        "int8": lambda: x.astype(np.int8),
        "uint8": lambda: x.astype(np.uint8),
        "int32": lambda: x.astype(np.int32),
        "uint64": lambda: x.astype(np.uint64),
        "fortran": lambda: np.asfortranarray(x),
        "strided": lambda: np.repeat(x, 2, axis=0)[::2],
        "list": lambda: x.tolist(),
    }[layout]()
    cn = compile_network(net)
    got = cn.evaluate(ev, ["diagnosis"])
    # uint64 is not safely int64 (the loop's one type): numpy checks and runs it
    assert _uses_loop(cn, "diagnosis") == (layout != "uint64")
    _same(got, _numpy(net, x, ["diagnosis"]), ["diagnosis"])
    assert got.log_p_evidence[3] == 0.0 or unsigned


@pytest.mark.parametrize(
    "where, value",
    [((0, 0), 99), ((299, -1), 5), ((150, 7), -2), ((1, 3), -7), ((2, 0), 300)],
)
def test_every_bad_entry_is_named_as_numpy_names_it(python_loops, where, value):
    """The first bad entry in row order, on a blank row too; two bad entries in one row:
    the first. (Values beyond int16 only compiled: as plain Python the loop's copy into an
    int16 array raises OverflowError where numba wraps; see the compiled test below.)"""
    net = load_network("marrow_signal")
    from bayesdx._bench import sample_cases

    x = sample_cases(net, 300, np.random.default_rng(3), targets=["diagnosis"])
    x[1] = -1
    i, j = where
    x[i, j] = value
    if i + 1 < x.shape[0]:
        x[i + 1, 2] = 50  # a later one, never named
    if j != -1 and j + 2 < x.shape[1]:
        x[i, j + 2] = 77  # later in the same row
    message = same_error(lambda: compile_network(net).evaluate(x, ["diagnosis"]))
    assert message.startswith(f"evidence[{i}, {j % x.shape[1]}] = {value} is not")


@needs_numba
def test_compiled_bad_entries_beyond_int16_are_named_as_numpy_names_them(monkeypatch, tmp_path):
    monkeypatch.setenv("BAYESDX_CACHE_DIR", str(tmp_path / "cache"))
    net = _spec_net()
    good = np.array([[-1, 1, 0], [0, -1, 1], [-1, -1, -1], [2, 1, 1]], dtype=np.int64)
    for (i, j), value in [((0, 1), 2**40), ((2, 2), 2**15 + 1), ((3, 0), -(2**40)), ((1, 2), -2)]:
        x = good.copy()
        x[i, j] = value
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(loops_module, "FAST_CASES", 1)
            mp.setattr(loops_module, "_LOADED", {})
            message = same_error(lambda x=x: compile_network(net).evaluate(x, ["d"]))
        assert message.startswith(f"evidence[{i}, {j}] = {value} is not")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(loops_module, "FAST_CASES", 1)
        cn = compile_network(net)
        got = cn.evaluate(good, ["d"])
        assert type(cn._kernels[("d",)]._fast.loop).__name__ == "CPUDispatcher"
    _same(got, _numpy(net, good, ["d"]), ["d"])


# ---------------------------------------- fallbacks (bugs, fixed in 0bed88f)
def _marrow(n: int, seed: int) -> tuple[Network, np.ndarray]:
    from bayesdx._bench import sample_cases

    net = load_network("marrow_signal")
    x = sample_cases(net, n, np.random.default_rng(seed), targets=["diagnosis"])
    x[::7, net.variables.index("diagnosis")] = 3
    x[1] = -1
    return net, x


def _numpy_takes_it(monkeypatch, tmp_path) -> None:
    """A large batch (``FAST_CASES`` lowered to 1) gets numpy's bits, whatever goes wrong
    with numba; the cache folder is a fresh one."""
    monkeypatch.setenv("BAYESDX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(loops_module, "available", lambda: True)
    monkeypatch.setattr(loops_module, "_LOADED", {})
    monkeypatch.setattr(loops_module, "FAST_CASES", 1)
    net, x = _marrow(60, 11)
    got = compile_network(net).evaluate(x, ["diagnosis"])
    _same(got, _numpy(net, x, ["diagnosis"]), ["diagnosis"])


def test_a_numba_that_cannot_be_imported_leaves_the_batch_to_numpy(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba raises ImportError
    _numpy_takes_it(monkeypatch, tmp_path)


def test_numba_refusing_to_cache_a_loop_leaves_the_batch_to_numpy(monkeypatch, tmp_path):
    def jit(fn):
        raise RuntimeError(f"cannot cache function {fn.__name__!r}: no locator available")

    monkeypatch.setattr(loops_module, "_jit", jit)
    _numpy_takes_it(monkeypatch, tmp_path)


def test_a_compiled_function_failing_at_its_first_call_leaves_the_batch_to_numpy(
    monkeypatch, tmp_path
):
    """A numba cache whose index is damaged fails at the first call (pickle), not before."""

    def jit(fn):
        def broken(*args):
            raise ValueError("numba: could not load the cached index (truncated pickle)")

        return broken

    monkeypatch.setattr(loops_module, "_jit", jit)
    _numpy_takes_it(monkeypatch, tmp_path)


@needs_numba
def test_big_endian_evidence_in_a_large_batch_gets_numpys_bits(monkeypatch, tmp_path):
    """numba has no type for a non-native byte order: the loop's first call fails."""
    _compiled_loops(monkeypatch, tmp_path)
    net = _spec_net()
    x = np.array([[-1, 1, 0], [0, -1, 1], [-1, -1, -1], [2, 1, 1]], dtype=">i8")
    got = compile_network(net).evaluate(x, ["d"])
    _same(got, _numpy(net, x.astype(np.int64), ["d"]), ["d"])


@needs_numba
def test_one_odd_batch_neither_turns_the_loop_off_nor_compiles_it_again(monkeypatch, tmp_path):
    _compiled_loops(monkeypatch, tmp_path)
    net, x = _spec_net(), _SMALL.copy()
    cn = compile_network(net)
    cn.evaluate(x, ["d"])
    kernel = cn._kernels[("d",)]
    cn.evaluate(x.astype(np.int32), ["d"])
    assert len(kernel._fast.loop.signatures) == 1  # one compile, whatever the dtype
    cn.evaluate(x.astype(">i8"), ["d"])
    assert isinstance(kernel._fast, tabulated_module._Fast)  # the loop still serves


def _spec_net() -> Network:
    """The smallest network with a kernel and a compiled loop: d -> e -> f."""
    nodes = {
        "d": (("a", "b", "c"), (), [0.5, 0.3, 0.2]),
        "e": (("n", "y"), ("d",), [[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]]),
        "f": (("n", "y"), ("e",), [[0.7, 0.3], [0.1, 0.9]]),
    }
    specs = {
        k: NodeSpec(id=k, states=s, parents=p, cpt=FixedCPT(np.asarray(t, dtype=float), p))
        for k, (s, p, t) in nodes.items()
    }
    return Network(NetworkSpec(id="small", title="t", description="", nodes=specs))


# ---------------------------------------- the cache folder (bugs, fixed in 0bed88f)
def test_the_code_folder_is_usable_under_umask_002(monkeypatch, tmp_path):
    from bayesdx.io import _cache

    monkeypatch.delenv("BAYESDX_CACHE_DIR", raising=False)
    monkeypatch.delenv("BAYESDX_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    old = os.umask(0o002)
    try:
        folder = _cache.code_folder("loops")
    finally:
        os.umask(old)
    networks = tmp_path / "bayesdx" / "networks"
    assert _cache._usable(str(networks))  # the network cache is not turned off
    assert folder is not None


def test_a_process_without_a_cache_folder_leaves_no_temporary_folder(tmp_path):
    script = textwrap.dedent(
        """
        import bayesdx.inference._loops as loops
        loops._jit = lambda fn: fn
        loops.available = lambda: True
        assert loops.load("def run(*args):\\n    return 3\\n")() == 3
        """
    )
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "BAYESDX_NO_CACHE": "1", "TMPDIR": str(scratch)}
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=120)
    assert sorted(p.name for p in scratch.iterdir()) == []


# ---------------------------------------- errors and sharing (bugs, fixed in 0bed88f)
@pytest.mark.parametrize("other", ["chunk_size", "target"])
def test_the_first_error_is_the_same_with_the_loop(python_loops, other):
    net, x = _marrow(50, 12)
    x[5, 3] = 40
    kwargs = {"chunk_size": 0} if other == "chunk_size" else {}
    targets = ["diagnosis"] if other == "chunk_size" else ["no_such_variable"]
    errors = errors_both_ways(lambda: compile_network(net).evaluate(x, targets, **kwargs))
    assert errors[0] == errors[1]


@needs_numba
def test_a_loop_failing_in_another_call_does_not_break_a_running_batch(monkeypatch, tmp_path):
    _compiled_loops(monkeypatch, tmp_path)
    net = _spec_net()
    small = np.array([[-1, 1, 0], [0, -1, 1], [-1, -1, -1], [2, 1, 1]])
    x = np.tile(small, (tabulated_module._FAST_BLOCK // 2, 1))  # two blocks
    cn = compile_network(net)
    cn.evaluate(small, ["d"])  # the loop is loaded
    calls = []

    def progress(k):  # another thread's batch, whose loop call fails (big-endian)
        if not calls:
            cn.evaluate(small.astype(">i8"), ["d"])
        calls.append(k)

    got = cn.evaluate(x, ["d"], progress=progress)
    assert sum(calls) == len(x)
    _same(got, _numpy(net, x, ["d"]), ["d"])


@needs_numba
@pytest.mark.parametrize("seed", [12, 286])
def test_compiled_products_and_sums_of_hidden_variables_keep_numpys_bits(
    seed, monkeypatch, tmp_path
):
    """Compiled by numba (no fastmath, no contraction into FMA): kernels of three variables
    whose programs multiply and sum several hidden ones (MUL and SUM steps), with cases
    whose total underflows (seed 12: 137 of 400) or that are impossible (seed 286: 94)."""
    monkeypatch.setenv("BAYESDX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(tabulated_module, "COMPONENT_FLOATS", 8)
    rng = np.random.default_rng(seed)
    net = _net(seed, int(rng.integers(4, 9)), (1, 2, 3), 3, 700.0)
    target = str(np.random.default_rng(seed + 1).choice(net.variables))
    x = _cases(net, target, 400, 0.3, seed + 2)
    ref = _numpy(net, x, [target])
    monkeypatch.setattr(loops_module, "FAST_CASES", 1)
    monkeypatch.setattr(loops_module, "_LOADED", {})
    cn = compile_network(net)
    got = cn.evaluate(x, [target])
    fast = cn._kernels[(target,)]._fast
    assert type(fast.loop).__name__ == "CPUDispatcher"
    steps = fast.steps[:, 0].tolist()
    assert steps.count(loops_module.MUL) >= 2 and steps.count(loops_module.SUM) >= 2
    assert (ref.impossible | (ref.log_p_evidence < np.log(1e-250))).sum() > 50
    _same(got, ref, [target])


@needs_numba
def test_a_damaged_numba_cache_is_compiled_again(monkeypatch, tmp_path):
    _compiled_loops(monkeypatch, tmp_path)
    net, x = _spec_net(), _SMALL.copy()
    compile_network(net).evaluate(x, ["d"])  # compiled, and kept in numba's cache
    index = list((tmp_path / "cache").rglob("*.nbi"))
    assert index
    for path in index:
        path.write_bytes(path.read_bytes()[:20])  # damaged (a disk that filled up)
    monkeypatch.setattr(loops_module, "_LOADED", {})  # as a new process
    cn = compile_network(net)
    got = cn.evaluate(x, ["d"])
    _same(got, _numpy(net, x, ["d"]), ["d"])  # holds: numpy's bits
    assert isinstance(cn._kernels[("d",)]._fast, tabulated_module._Fast)  # compiled again


@pytest.mark.parametrize("value", [2**64 - 1, 2**63 + 5])
def test_unsigned_evidence_beyond_int64_is_named_as_numpy_names_it(python_loops, value):
    """uint64 evidence is read as it is: converted to int64 first, 2**64 - 1 would become -1
    (unobserved, no error) and 2**63 + 5 a negative number in the message."""
    net, x = _marrow(50, 13)
    x = np.where(x < 0, 0, x).astype(np.uint64)
    x[7, 4] = value
    message = same_error(lambda: compile_network(net).evaluate(x, ["diagnosis"]))
    assert message.startswith(f"evidence[7, 4] = {value} is not a state index")


@needs_numba
def test_read_only_evidence_uses_the_loop_compiled_already(monkeypatch, tmp_path):
    _compiled_loops(monkeypatch, tmp_path)
    net, x = _spec_net(), _SMALL.copy()
    cn = compile_network(net)
    cn.evaluate(x, ["d"])
    frozen = x.copy()
    frozen.setflags(write=False)
    got = cn.evaluate(frozen, ["d"])
    _same(got, _numpy(net, x, ["d"]), ["d"])
    assert len(cn._kernels[("d",)]._fast.loop.signatures) == 1
