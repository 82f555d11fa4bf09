"""The tabulated kernel's per-case loop, written out for one kernel and compiled by numba
where it is installed (the optional ``fast`` extra).

A :mod:`bayesdx.inference._tabulated` kernel runs, for each group of cases, a *program*:
lookups in its tables, products and sums, on arrays of many cases at once. numpy needs a
call per step and array, so on a small network most of a case's time is calls. Here every
program of a one-target kernel is written out as Python source, case by case, with its
table offsets, widths and index arithmetic as constants (:func:`source`), and numba compiles
it: a case then costs its arithmetic. The steps are the numpy arithmetic's, in the same
order (products element by element; sums added one term at a time, in order, as the numpy
code adds them; IEEE double arithmetic, no ``fastmath``), so the two give the same bits,
which the tests check.

The source is kept in the user's cache folder (the one of :mod:`bayesdx.io._cache`, checked
the same way: the user's, writable by nobody else), under a name made of its hash, so numba's
own cache beside it (``__pycache__``) compiles it once per machine: about 4 s for the bundled
network, later processes load it in well under a second. Where no cache folder is usable
the source goes to a temporary folder and is compiled in each process.

This module imports only the standard library; :func:`load` imports numba, and only where it
is installed and ``BAYESDX_NUMBA`` is not ``0``.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable
from typing import Any

from bayesdx._lazy import load_on_use
from bayesdx._version import __version__
from bayesdx.inference._graph import TINY

__all__ = [
    "FAST_CASES", "GATHER", "MUL", "SUM", "TIMES", "available", "load", "rebuild", "source",
    "wanted",
]  # fmt: skip

GATHER, TIMES, MUL, SUM = 0, 1, 2, 3  # the steps' codes (rows of ``steps``: see source)
# a kernel whose loop would be longer stays with numpy: numba's compile time grows faster
# than the length (the bundled network's diagnosis loop, 240 lines: about 4 s on a quiet
# machine; its marrow_process loop, 1553 lines: 112 s of CPU on a loaded one)
MAX_LINES = 400
MAX_SOURCES = 64  # loop sources kept in the cache folder (the oldest go first)
# a batch of at least this many cases loads a kernel's compiled loop: numba's import and
# the cached loop cost about 0.4 s once per process (measured on the bundled network), about
# what the loop saves on a million cases; the first compile of a kernel's loop, a few seconds
# once per machine. Once loaded, the kernel uses it for batches of any size
FAST_CASES = 1_000_000

_io = load_on_use("bayesdx.io")
_LOADED: dict[str, Callable[..., Any]] = {}  # by source hash, in this process
_FOUND: list[bool] = []  # whether numba is installed (looked up once)
_SOURCES: dict[str, tuple[str, Callable[..., int]]] = {}  # by hash: source file, function


def available() -> bool:
    """Whether numba is installed and not turned off (``BAYESDX_NUMBA=0``; ``1`` uses it for
    batches of any size, see :func:`wanted`)."""
    if os.environ.get("BAYESDX_NUMBA", "1").strip() == "0":
        return False
    if not _FOUND:
        _FOUND.append("numba" in sys.modules or importlib.util.find_spec("numba") is not None)
    return _FOUND[0]


def wanted(n: int) -> bool:
    """Whether a batch of ``n`` cases is worth loading compiled loops for, where numba is
    available: ``FAST_CASES`` or more, or any batch with ``BAYESDX_NUMBA=1``."""
    always = os.environ.get("BAYESDX_NUMBA", "").strip() == "1"
    return (n >= FAST_CASES or always) and available()


def _jit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` compiled by numba, cached on disk (numba's ``cache=True``)."""
    numba = importlib.import_module("numba")
    compiled: Callable[..., Any] = numba.njit(cache=True, nogil=True)(fn)
    return compiled


def source(fast: Any, card: int) -> str | None:
    """The loop of every program of ``fast`` (a :mod:`~bayesdx.inference._tabulated`
    ``_Fast``: the programs' steps as arrays), for a target of ``card`` states, as the
    source of a module whose ``run(x, cards, table, post, total, done, blank, members,
    member_range, sums)`` checks the evidence ``x`` (returning the flat index of the first
    entry that is not a state index of its column, ``-1 <= x[i, j] < cards[j]``, before
    anything else of that row is done; -1 when all are), marks in ``blank`` the cases that
    observe nothing, and fills, for each case that a program covers and whose total is at
    least ``tiny``, the normalised posterior ``post[i]``, ``total[i]``, ``done[i] = True``
    and the group sums ``sums[g, i]`` (the posteriors of ``members[member_range[g]:
    member_range[g + 1]]`` added in order from 0.0); every other case gets ``done[i] =
    False``. None where the loop would be longer than ``MAX_LINES`` lines.

    ``x`` is read once, case by case: the check, the case's program and its tables' rows;
    then each program's cases run together (its tables stay in cache).

    A step (a row of ``fast.steps``) is ``(code, dst, a, b, outer, map_a, map_b, k, width,
    stride_a, stride_b)`` on a buffer ``buf``: ``GATHER``: ``buf[dst + e] =`` element ``e``
    of the row of the program's table ``a``, for ``e < width``; ``TIMES``: ``buf[dst + e]
    *=`` the same; ``MUL``: for each ``o < outer``, ``buf[dst + o * width + e] = buf[a +
    maps[map_a + o] + e * stride_a] * buf[b + maps[map_b + o] + e * stride_b]``; ``SUM``:
    for each ``o < outer``, ``buf[dst + o * width + e] =`` the sum, in order, of ``buf[a +
    maps[map_a + o * k + j] + e]`` for ``j < k``.
    """
    programs = [(m, p) for m, p in enumerate(fast.program_of.tolist()) if p >= 0]
    if not programs:
        return None
    views = max(_views(fast, p) for _, p in programs)
    bits = [f"(x[i, {int(c)}] >= 0) * {1 << k}" for k, c in enumerate(fast.kcols)]
    lines = [
        "import numpy as np",
        "",
        "",
        "def run(x, cards, table, post, total, done, blank, members, member_range, sums):",
        "    n, m = x.shape",
        f"    buf = np.empty({max(int(fast.buf_size), 1)})",
        f"    index = np.full({1 << len(bits)}, -1, dtype=np.int64)",
        *(f"    index[{mask}] = {k}" for k, (mask, _) in enumerate(programs)),
        "    which = np.empty(n, dtype=np.int64)",
        f"    rows = np.empty((n, {max(views, 1)}), dtype=np.int32)",
        "    for i in range(n):  # the check, the program, the rows: x read once",
        "        bad = False",
        "        seen = False",
        "        for j in range(m):  # no early exit: this loop runs without branches",
        "            v = x[i, j]",
        "            bad |= (v < -1) | (v >= cards[j])",
        "            seen |= v >= 0",
        "        if bad:",
        "            for j in range(m):",
        "                if x[i, j] < -1 or x[i, j] >= cards[j]:",
        "                    return i * m + j",
        "        blank[i] = not seen",
        "        done[i] = False",
        f"        w = index[{' + '.join(bits) if bits else '0'}]",
        "        which[i] = w",
    ]
    for k, (_, p) in enumerate(programs):
        lines.append(f"        {'if' if k == 0 else 'elif'} w == {k}:")
        lines.extend("            " + line for line in _rows(fast, p))
    finish = [
        "t = buf[o]" if card == 1 else "t = buf[o] + buf[o + 1]",
        f"for j in range(2, {card}):",
        "    t += buf[o + j]",
        "total[i] = t",
        f"if t >= {TINY!r}:",
        "    scale = 1.0 / t",
        f"    for j in range({card}):",
        "        post[i, j] = buf[o + j] * scale",
        "    done[i] = True",
        "    for g in range(member_range.shape[0] - 1):",
        "        acc = 0.0",
        "        for a in range(member_range[g], member_range[g + 1]):",
        "            acc = acc + post[i, members[a]]",
        "        sums[g, i] = acc",
    ]
    for k, (_, p) in enumerate(programs):  # a program's cases together
        lines += ["    for i in range(n):", f"        if which[i] != {k}:", "            continue"]
        lines += [f"        r{v} = rows[i, {v}]" for v in range(_views(fast, p))]
        lines.extend("        " + line for line in _program(fast, p) + finish)
        if len(lines) > MAX_LINES:
            return None
    return "\n".join([*lines, "    return -1", ""])


def _views(fast: Any, p: int) -> int:
    return int(fast.view_range[p + 1] - fast.view_range[p])


def _rows(fast: Any, p: int) -> list[str]:
    """Lines that put case ``i``'s row offsets of program ``p``'s tables in ``rows[i]``."""
    lines = []
    v0 = int(fast.view_range[p])
    for v in range(v0, v0 + _views(fast, p)):
        terms = [
            f" + {int(fast.weight[t])} * int(x[i, {int(fast.weight_col[t])}])"
            for t in range(int(fast.weight_range[v]), int(fast.weight_range[v + 1]))
        ]
        start, cols, off = int(fast.view_start[v]), int(fast.view_cols[v]), int(fast.offset[v])
        lines.append(f"rows[i, {v - v0}] = {start} + {cols} * ({off}{''.join(terms)})")
    return lines


def _program(fast: Any, p: int) -> list[str]:
    """The lines of program ``p``: its steps (tables' rows in ``r0``, ``r1``, ...), and
    where its marginal ends (``o``)."""
    lines = []
    for s in range(int(fast.step_range[p]), int(fast.step_range[p + 1])):
        code, dst, a, b, outer, ma, mb, k, width, sa, sb = (int(v) for v in fast.steps[s])
        if code == GATHER:
            lines.append(f"for e in range({width}):")
            lines.append(f"    buf[{dst} + e] = table[r{a} + e]")
        elif code == TIMES:
            lines.append(f"for e in range({width}):")
            lines.append(f"    buf[{dst} + e] *= table[r{a} + e]")
        elif code == MUL:
            for o in range(outer):
                ia, ib = a + int(fast.maps[ma + o]), b + int(fast.maps[mb + o])
                left = f"buf[{ia} + e]" if sa else f"buf[{ia}]"
                right = f"buf[{ib} + e]" if sb else f"buf[{ib}]"
                lines.append(f"for e in range({width}):")
                lines.append(f"    buf[{dst + o * width} + e] = {left} * {right}")
        else:  # SUM
            for o in range(outer):
                at = [a + int(fast.maps[ma + o * k + j]) for j in range(k)]
                d = dst + o * width
                lines.append(f"for e in range({width}):")
                lines.append(f"    buf[{d} + e] = buf[{at[0]} + e] + buf[{at[1]} + e]")
                for j in range(2, k):
                    lines.append(f"for e in range({width}):")
                    lines.append(f"    buf[{d} + e] += buf[{at[j]} + e]")
    lines.append(f"o = {int(fast.out_slot[p])}")
    return lines


def load(text: str) -> Callable[..., int] | None:
    """The ``run`` function of the module ``text`` (from :func:`source`), compiled by numba
    (from numba's cache beside the source, where the source is in the cache folder). None
    where numba cannot be imported or refuses the function, or the source cannot be
    written anywhere: the caller keeps to numpy."""
    if not available():
        return None
    from hashlib import blake2b
    from importlib.metadata import PackageNotFoundError, version

    try:  # numba's version without importing it (_jit imports it, or fails: numpy then)
        numba = version("numba")
    except PackageNotFoundError:
        numba = ""
    key = f"{text}\0{__version__}\0{numba}\0{sys.version}"
    key = blake2b(key.encode(), digest_size=16).hexdigest()
    fn = _LOADED.get(key)
    if fn is not None:
        return fn
    path = None
    for folder in (_io.code_folder("loops"), None):
        try:
            path = _write(folder, f"loop_{key}.py", text)
            _prune(os.path.dirname(path))
            break
        except OSError:  # a full or read-only disk: a private folder, else numpy
            continue
    if path is None:
        return None
    spec = importlib.util.spec_from_file_location(f"bayesdx_loop_{key}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # numba's cache finds the module by its name
    try:
        spec.loader.exec_module(module)
        run: Callable[..., int] = _jit(module.run)
    except Exception:  # numba broken (built for another numpy) or refusing it: numpy
        sys.modules.pop(spec.name, None)
        return None
    _LOADED[key] = run
    _SOURCES[key] = (path, module.run)
    return run


def rebuild(fn: Callable[..., int]) -> Callable[..., int] | None:
    """A loop from :func:`load` whose first call failed, compiled again after its entries in
    numba's cache are removed (a damaged index fails at the first call, in every process
    after it, until it is written anew); None where there is nothing to rebuild."""
    key = next((k for k, v in _LOADED.items() if v is fn), None)
    if key is None or key not in _SOURCES:
        return None
    path, py_func = _SOURCES[key]
    _drop_cache(os.path.dirname(path), os.path.basename(path))
    try:
        run: Callable[..., int] = _jit(py_func)
    except Exception:
        return None
    _LOADED[key] = run
    return run


def _prune(folder: str) -> None:
    """At most ``MAX_SOURCES`` loop sources in ``folder`` (the least recently written go,
    with numba's cache entries for them)."""
    sources = []
    for name in os.listdir(folder):
        if name.startswith("loop_") and name.endswith(".py"):
            with contextlib.suppress(OSError):
                sources.append((os.stat(os.path.join(folder, name)).st_mtime_ns, name))
    for _, name in sorted(sources, reverse=True)[MAX_SOURCES:]:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, name))
        _drop_cache(folder, name)


def _drop_cache(folder: str, name: str) -> None:
    """numba's cache entries (index and code) for the source ``folder/name``."""
    cache = os.path.join(folder, "__pycache__")
    stem = name[: -len(".py")] + "."
    with contextlib.suppress(OSError):
        for entry in os.listdir(cache):
            if entry.startswith(stem):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(cache, entry))


def _write(folder: str | None, name: str, text: str) -> str:
    """``folder/name`` holding ``text`` (written whole, then renamed into place: a reader
    never sees half of it); a new private temporary folder where ``folder`` is None, removed
    when the process ends."""
    import tempfile

    if folder is None:
        import atexit
        import shutil

        folder = tempfile.mkdtemp(prefix="bayesdx-loops-")
        atexit.register(shutil.rmtree, folder, True)
    path = os.path.join(folder, name)
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return path
    except (OSError, UnicodeDecodeError):
        pass
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".loop-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path
