"""Fuzz the command line: zero tracebacks on odd input (issue 10).

Every input goes through ``bayesdx.cli.main(argv)`` in this process and must end in one of:

- status 0 (1 is also allowed for ``calibrate``: a target failed); with ``--json`` stdout is
  one JSON object; ``batch`` has written a complete CSV with one row per input record and
  the input columns kept;
- status 2 with exactly one non-empty line on stderr, starting with ``bayesdx: error:``;
- ``SystemExit(0)`` from ``--help`` or ``--version``.

Never an exception escaping ``main``, never a call that runs longer than
:data:`CALL_SECONDS`, never a changed file that was there before the call (except a declared
output on success), never a new file after status 2 (no partial output, no ``.part`` file).

stdout and stderr are text streams over bytes as a UTF-8 terminal has them (stdout strict,
stderr backslashreplace), so a report that a real terminal cannot print also fails here.

Five generators, all seeded (``derandomize=True``), about a minute in all on two cores:

1. command lines for every command except ``bench`` (valid and invalid options, evidence
   with the real variables and states of ``marrow_signal`` and junk): 700 examples;
2. case files (YAML and JSON: valid cases, wrong types, nesting, aliases, huge numbers,
   duplicate keys, invalid UTF-8): 500 examples;
3. network files (mutations of ``tests/data/tiny.yaml``): 220 examples, and the same network
   exported to BIF, XMLBIF, XDSL and NET with its text mutated: 150 examples;
4. CSV files for ``batch`` (headers, cells, blank lines, quoted newlines, invalid UTF-8):
   400 examples.

Hypothesis repeats some simple inputs, so each test counts its distinct inputs
(:class:`Inputs`) and requires 480, 360, 150, 95 and 310 of them: at least 1,395 (> 300)
distinct inputs a run (about 1,560 when nothing fails).

A fixed corpus of odd inputs that random runs found (:data:`SEED_ARGV`, :data:`SEED_CSV`,
:data:`SEED_IMPORTED`) runs too, one test each, so a class once found stays tested whatever
the generators draw.

A run stops a test at its first failure and prints that input as it was drawn, so a red run
stays about as short as a green one; ``BAYESDX_FUZZ_SHRINK=1`` shrinks it to a minimal input
first (and reports each distinct failure), which can take minutes.

Each example runs in a fresh folder holding the same small files (:func:`_fixtures`), so a
reproducer is the argv (and the file it names) run in such a folder.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import functools
import io
import json
import math
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import bayesdx
from bayesdx.cli import main

DATA = Path(__file__).parent / "data"
TINY_TEXT = (DATA / "tiny.yaml").read_text(encoding="utf-8")

NET = bayesdx.load_network("marrow_signal")
VARIABLES = list(NET.variables)
STATES = {v: list(s) for v, s in NET.states.items()}
ALL_STATES = sorted({s for states in STATES.values() for s in states})
RANGES = {v: NET.node(v).measure.range for v in VARIABLES if NET.node(v).measure is not None}
GROUPS = list(NET.groups)
DIAGNOSES = STATES["diagnosis"]
TINY_EVIDENCE = [
    "test=pos",
    "test=neg",
    "test=15",
    "test=250",
    "symptom=present",
    "disease=d1",
    "exposure=yes",
    "exposure=no",
    "sick=d1",
]

#: seconds one call may take before it counts as a hang
CALL_SECONDS = 20

#: shrinking a failure to a minimal input can take minutes; ask for it with BAYESDX_FUZZ_SHRINK=1
SHRINK = os.environ.get("BAYESDX_FUZZ_SHRINK", "") not in ("", "0")

FUZZ = settings(
    derandomize=True,
    phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if SHRINK else []),
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# ---------------------------------------------------------------------------- the folder


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture
def here(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in the temporary folder: nothing is written into the repository."""
    monkeypatch.chdir(workdir)
    return workdir


CASE_YAML = "hb: 10.4\nm_protein: present\nage: 67\n"
CASE_JSON = '{"age": 67, "smear": "rouleaux", "chemical_shift": 0.97}\n'
IN_CSV = "hb,m_protein,age\n10.4,present,67\n,,\n13,absent,31\n"
TARGETS_YAML = """\
targets:
  - id: mm_anaemia
    quantity: anaemia at myeloma diagnosis
    source: kyle2003
    published: 0.73
    interval: {range: [0.65, 0.80]}
    event: {hb: lt_12}
    given: {diagnosis: multiple_myeloma}
    use: set
"""
#: records of the CSV inputs that the fixture folder holds
FIXTURE_RECORDS = {"in.csv": 3, "link.csv": 3}


def _fixtures(folder: Path) -> None:
    """The files every command-line example can name (all relative to its folder)."""
    (folder / "case.yaml").write_text(CASE_YAML, encoding="utf-8")
    (folder / "case.json").write_text(CASE_JSON, encoding="utf-8")
    (folder / "bad.yaml").write_text("hb: [1, 2\n", encoding="utf-8")
    (folder / "net.yaml").write_text(TINY_TEXT, encoding="utf-8")
    (folder / "in.csv").write_text(IN_CSV, encoding="utf-8")
    (folder / "empty.csv").write_bytes(b"")
    (folder / "targets.yaml").write_text(TARGETS_YAML, encoding="utf-8")
    (folder / "folder").mkdir()
    (folder / "link.csv").symlink_to("in.csv")
    (folder / "dangling.csv").symlink_to("nowhere.csv")


@contextlib.contextmanager
def _example_folder(root: Path, fixtures: bool = True):
    """A fresh folder for one example, as the working directory."""
    folder = Path(tempfile.mkdtemp(prefix="ex", dir=root))
    if fixtures:
        _fixtures(folder)
    try:
        with contextlib.chdir(folder):
            yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------- one call


class _Timeout(BaseException):
    """Raised by SIGALRM inside the call (a BaseException: no ``except Exception`` eats it)."""


@dataclass
class Outcome:
    status: int | str  # the return value, or "exit0" for SystemExit(0)
    stdout: str
    stderr: str


def call(argv: Sequence[str]) -> Outcome:
    """``main(argv)`` with captured output and a time limit; exceptions propagate."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", newline="\n")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")

    def alarm(signum: int, frame: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status: int | str = main(list(argv))
            except SystemExit as exc:
                if exc.code not in (0, None):
                    raise AssertionError(f"SystemExit({exc.code!r}) escaped main") from exc
                status = "exit0"
    except _Timeout:
        raise AssertionError(f"no answer within {CALL_SECONDS} s (a hang)") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    out.flush()
    err.flush()
    return Outcome(
        status,
        out.buffer.getvalue().decode("utf-8"),
        err.buffer.getvalue().decode("utf-8", errors="replace"),
    )


# ---------------------------------------------------------------------------- the checks

_INPUT_OPTIONS = ("--network", "-n", "--case", "--input", "-i", "--targets")
_FILE_OUTPUTS = ("--output", "-o", "--html")
_FOLDER_OUTPUTS = ("--report",)


def _values(argv: Sequence[str], options: Sequence[str]) -> list[str]:
    """Every value given to these options (``--opt V``, ``--opt=V``, ``-oV``)."""
    found = []
    for i, token in enumerate(argv):
        for opt in options:
            if token == opt and i + 1 < len(argv):
                found.append(argv[i + 1])
            elif opt.startswith("--") and token.startswith(opt + "="):
                found.append(token[len(opt) + 1 :])
            elif not opt.startswith("--") and token.startswith(opt) and len(token) > 2:
                found.append(token[2:])
    return found


def _inside(folder: Path, path: str) -> str | None:
    """``path`` relative to the example folder, or None (empty, the folder, outside it)."""
    if not path.strip() or "\x00" in path:
        return None
    rel = os.path.normpath(os.path.relpath(os.path.join(folder, path), folder))
    if rel in (".", "") or rel == ".." or rel.startswith(".." + os.sep):
        return None
    return rel


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under the folder: files by bytes, links by target, folders."""
    state: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, folder)
            if os.path.islink(path):
                state[rel] = ("link", os.readlink(path))
            elif os.path.isdir(path):
                state[rel] = ("folder",)
            else:
                state[rel] = ("file", Path(path).read_bytes())
    return state


def check_files(
    folder: Path, argv: Sequence[str], before: dict, after: dict, success: bool
) -> None:
    """Inputs unchanged; outputs only on success; nothing else appears or changes.

    ``-`` is standard output, not a file; with ``--force`` an output that is a symbolic link
    may replace the file it points to (unless that is an input); a report folder may be made
    with its missing parent folders.
    """

    def resolved(paths: set) -> set:
        out = set(paths)
        for rel in paths:
            entry = before.get(rel)
            if entry and entry[0] == "link":
                out.add(_inside(folder, os.path.join(os.path.dirname(rel), entry[1])))
        return out - {None}

    inputs = resolved({_inside(folder, p) for p in _values(argv, _INPUT_OPTIONS)} - {None})
    files, folders = set(), set()
    if success:
        files = {_inside(folder, p) for p in _values(argv, _FILE_OUTPUTS) if p != "-"} - {None}
        if "--force" in argv:
            files = resolved(files)
        files = {f for f in files - inputs if before.get(f, ("file",))[0] != "folder"}
        folders = {_inside(folder, p) for p in _values(argv, _FOLDER_OUTPUTS)} - {None} - inputs

    def declared(rel: str) -> bool:
        if rel in files or any(rel == d or rel.startswith(d + os.sep) for d in folders):
            return True  # a declared output, or inside a report folder
        return after.get(rel) == ("folder",) and any(d.startswith(rel + os.sep) for d in folders)

    changed = sorted(r for r in before if after.get(r) != before[r] and not declared(r))
    assert not changed, f"files that were there before the call changed or went: {changed}"
    new = sorted(r for r in after if r not in before and not declared(r))
    assert not new, f"the call left new files: {new}"


def _to_stdout(argv: Sequence[str]) -> bool:
    """The output file goes to standard output (``-o -``, ``--html -``)."""
    outputs = _values(argv, _FILE_OUTPUTS)
    return bool(outputs) and outputs[-1] == "-"


def check_outcome(argv: Sequence[str], outcome: Outcome) -> None:
    """Status 0 (valid JSON with --json) or 2 with one ``bayesdx: error:`` line.

    With ``-o -`` stdout carries the file and the report (JSON or not) is on stderr, after
    the progress bar if one was asked for.
    """
    command = argv[0] if argv else ""
    allowed = {0, 2, "exit0"} | ({1} if command == "calibrate" else set())
    assert outcome.status in allowed, (
        f"status {outcome.status!r}; stderr: {outcome.stderr[-2000:]!r}"
    )
    if outcome.status == 2:
        lines = [line for line in outcome.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, (
            f"status 2 with {len(lines)} non-empty lines on stderr: {lines[:5]!r}"
        )
        assert lines[0].startswith("bayesdx: error:"), f"stderr: {lines[0][:2000]!r}"
        assert lines[0][len("bayesdx: error:") :].strip(), "an empty error message"
    elif outcome.status in (0, 1) and "--json" in argv[1:]:
        text = outcome.stdout
        if _to_stdout(argv):
            text = outcome.stderr
            if "--progress" in argv and "\n{" in text:
                text = text[text.index("\n{") + 1 :]
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise AssertionError(f"--json printed no JSON ({exc}): {text[:500]!r}") from None
        assert isinstance(doc, dict), f"--json printed a {type(doc).__name__}, not an object"


def _csv_rows(text: str) -> list[list[str]]:
    """Every record of a CSV text (a cell may be of any length)."""
    limit = csv.field_size_limit(sys.maxsize)
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    finally:
        csv.field_size_limit(limit)


def _csv_records(data: bytes) -> list[list[str]]:
    return _csv_rows(data.decode("utf-8"))


def check_batch_output(
    folder: Path,
    argv: Sequence[str],
    stdout: str,
    header: list[str] | None,
    records: list[list[str]] | None,
    n_records: int | None,
) -> None:
    """After ``batch`` exited 0: a complete CSV, one row per input record, inputs kept."""
    outputs = _values(argv, ("--output", "-o"))
    assert outputs, "batch exited 0 without an output option"
    path = folder / outputs[-1]
    try:
        if outputs[-1] == "-":
            rows = _csv_rows(stdout)
        else:
            assert path.is_file(), f"batch exited 0 but {outputs[-1]!r} is not a file"
            rows = _csv_records(path.read_bytes())
    except (UnicodeDecodeError, csv.Error) as exc:
        raise AssertionError(f"the output is not a UTF-8 CSV: {exc}") from None
    assert rows, "the output is empty (no header line)"
    width = len(rows[0])
    assert all(len(r) == width for r in rows), "output rows of different lengths"
    if header is not None:
        assert rows[0][: len(header)] == header, (
            f"output header {rows[0][: len(header) + 1]!r} does not start with the input "
            f"header {header!r}"
        )
    if n_records is not None:
        assert len(rows) - 1 == n_records, (
            f"{n_records} input records but {len(rows) - 1} output rows"
        )
    if records is not None and header is not None:
        for i, (got, want) in enumerate(zip(rows[1:], records, strict=False)):
            want = (list(want) + [""] * len(header))[: len(header)]
            got = [c.replace("\r\n", "\n") for c in got[: len(header)]]
            want = [c.replace("\r\n", "\n") for c in want]
            assert got == want, f"record {i + 1}: input {want!r} became {got!r}"


def run_and_check(
    folder: Path,
    argv: Sequence[str],
    *,
    csv_header: list[str] | None = None,
    csv_records: list[list[str]] | None = None,
) -> Outcome:
    """One call with every check: status, stderr, JSON, files, batch output."""
    before = snapshot(folder)
    outcome = call(argv)
    after = snapshot(folder)
    check_outcome(argv, outcome)
    check_files(folder, argv, before, after, success=outcome.status in (0, 1))
    if argv and argv[0] == "batch" and outcome.status == 0:
        inputs = _values(argv, ("--input", "-i"))
        n_records = FIXTURE_RECORDS.get(inputs[-1]) if csv_records is None else len(csv_records)
        check_batch_output(folder, argv, outcome.stdout, csv_header, csv_records, n_records)
    return outcome


# ---------------------------------------------------------------------------- junk

ODD_NUMBERS = [
    "0",
    "-0",
    "+0",
    "1",
    "0.5",
    "0.47",
    "0.4",
    "1e308",
    "-1e308",
    "1e309",
    "1e-320",
    "-1e-400",
    "nan",
    "NaN",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "INF",
    ".5",
    "5.",
    "1e",
    "1e5",
    "+1",
    "²",
    "١٢",
    "٣",
    "𝟓",
    "½",
    "Ⅻ",
    "٫5",
    "012",
    "0012",
    "0x0C",
    "0o14",
    "0b11",
    "1_0",
    "1,5",
    " 0.3 ",
    "\t7",
    "9" * 400,
    "9" * 5000,
    "0." + "0" * 400 + "1",
    "1" + "0" * 70,
    "-1",
    "-5",
    "2",
    "100",
    "1e3",
    "1.0",
    "true",
    "None",
]
ODD_TEXT = [
    "",
    " ",
    "=",
    "==",
    "-",
    "--",
    "---",
    "x" * 300,
    "é" * 200,
    "a" * 255 + ".yaml",
    "long/" + "d" * 256 + "/x",
    "\udcff",
    "hb=\udcc3\udca9",
    "\n",
    "hb=10\nsmear=normal",
    "\r",
    "\t",
    "\x1b[2J",
    "\u202e",
    "\u2028",
    "\x85",
    "\x0c",
    "\u200b",
    "e\u0301",
    "../",
    "./",
    "~",
    "$HOME",
    "%s%n",
    "{0}",
    "'",
    '"',
    "\\",
    "*",
    "?",
    "[",
    "!!python/none",
    "null",
    "~",
    "yes",
    "no",
    "on",
    "off",
    "NULL",
]
JUNK_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
junk = st.one_of(st.sampled_from(ODD_TEXT), JUNK_TEXT)
numbers = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(0, 1).map(lambda x: f"{x:.3g}"),
)


@st.composite
def measured_value(draw: st.DrawFn, variable: str) -> str:
    lo, hi = RANGES[variable]
    x = draw(st.floats(lo - 1, hi + 1, allow_nan=False))
    return draw(st.sampled_from([f"{x:g}", repr(x), f"{x:.1f}", f"{x:e}"]))


@st.composite
def assignment(draw: st.DrawFn) -> str:
    """``VAR=VALUE`` with real names, other names and junk, in odd forms."""
    var = draw(
        st.one_of(
            st.sampled_from(VARIABLES),
            st.sampled_from(VARIABLES),
            st.sampled_from(VARIABLES).map(str.upper),
            st.sampled_from(GROUPS + DIAGNOSES),
            junk,
        )
    )
    choices = [st.sampled_from(ALL_STATES), numbers, junk]
    if var in STATES:
        choices = [st.sampled_from(STATES[var])] * 3 + choices
    if var in RANGES:
        choices += [measured_value(var)] * 2
    value = draw(st.one_of(choices))
    form = draw(
        st.sampled_from(
            ["{v}={x}"] * 6
            + [
                " {v} = {x} ",
                "{v}=={x}",
                "{v}",
                "={x}",
                "{v}=",
                "{v}={x}={x}",
                "{v}:{x}",
                "{v} {x}",
            ]
        )
    )
    return form.format(v=var, x=value)


INPUT_FILES = [
    "case.yaml",
    "case.json",
    "bad.yaml",
    "net.yaml",
    "in.csv",
    "empty.csv",
    "targets.yaml",
    "folder",
    "link.csv",
    "dangling.csv",
    "missing.yaml",
    "missing.json",
    "/",
    "/dev/null",
    "/etc/hostname",
    "",
    " ",
    ".",
    "folder/",
    "x" * 300,
    "é" * 200 + ".yaml",
    "long/" + "d" * 256 + "/x.yaml",
    "\udcff.yaml",
    "case.yaml\n",
]
OUTPUT_FILES = [
    "-",
    "out.csv",
    "out.csv",
    "out.html",
    "out.bif",
    "folder/out.csv",
    "folder",
    "folder/",
    ".",
    "",
    " ",
    "missing/out.csv",
    "in.csv",
    "case.yaml",
    "net.yaml",
    "link.csv",
    "dangling.csv",
    "x" * 300,
    "é" * 200 + ".csv",
    "long/" + "d" * 256 + "/x",
    "\udcff.csv",
    "out\n.csv",
    "out.csv.part",
]
NETWORKS = [
    "marrow_signal",
    "marrow_signal",
    "marrow_signal",
    "net.yaml",
    "net.yaml",
    "tiny",
    "MARROW_SIGNAL",
    "marrow_signal.yaml",
    "marrow-signal",
    "../marrow_signal",
    " marrow_signal",
    *INPUT_FILES,
]
HYPOTHESES = [
    *GROUPS,
    *DIAGNOSES,
    "diagnosis=cmml",
    "hb=lt_12",
    "hb=ge_12",
    "setting=incidental",
    "disease_class=benign",
    "diagnosis",
    "hb",
    "neoplasm=1",
    "=",
    "hb=",
    "x=y",
]
PARAMETERS = [
    "setting[prior].incidental",
    "disease_class[setting=biopsy_referral].neoplasm",
    "diagnosis[disease_class=neoplasm].cmml",
    "organomegaly[diagnosis=mds].present",
    "hb",
    "setting[prior]",
    "x" * 5000,
]

paths_in = st.one_of(st.sampled_from(INPUT_FILES), junk)
paths_out = st.sampled_from(OUTPUT_FILES)
networks = st.one_of(st.sampled_from(NETWORKS), junk)
targets = st.one_of(st.sampled_from(VARIABLES + GROUPS + ["all", "diagnosis=cmml"]), junk)
hypotheses = st.one_of(st.sampled_from(HYPOTHESES), junk)
small_counts = st.one_of(
    st.integers(0, 60).map(str), st.sampled_from(ODD_NUMBERS), st.just("10" * 10), junk
)


def _option(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """``[name, value]``, sometimes ``[name=value]``, sometimes the value is missing."""

    def form(pair: tuple[str, int]) -> list[str]:
        value, how = pair
        if how == 0 and name.startswith("--"):
            return [f"{name}={value}"]
        if how == 1:
            return [name]
        return [name, value]

    return st.tuples(values, st.integers(0, 9)).map(form)


def _flag(name: str) -> st.SearchStrategy[list[str]]:
    return st.just([name])


JUNK_OPTIONS = st.one_of(
    st.sampled_from(
        [
            ["--"],
            ["-"],
            ["--bogus"],
            ["-x"],
            ["--json=1"],
            ["-e"],
            ["--help"],
            ["-h"],
            ["--version"],
            ["---"],
            ["--evidence="],
            ["-ehb=10"],
            ["--network="],
            ["-t"],
            ["--", "hb=10"],
            ["extra"],
            ["--no-progress"],
            ["-e", "-e"],
        ]
    ),
    junk.map(lambda t: [t]),
)

EVIDENCE = st.one_of(_option("-e", assignment()), _option("--evidence", assignment()))
CASE = _option("--case", paths_in)
NETWORK = st.one_of(_option("--network", networks), _option("-n", networks))
JSON = _flag("--json")


def _multi(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(values, min_size=0, max_size=3).map(lambda v: [name, *v])


COMMAND_OPTIONS: dict[str, list[st.SearchStrategy[list[str]]]] = {
    "networks": [JSON],
    "query": [
        EVIDENCE,
        EVIDENCE,
        EVIDENCE,
        CASE,
        NETWORK,
        JSON,
        _multi("--target", targets),
        _multi("-t", targets),
    ],
    "recommend": [
        EVIDENCE,
        EVIDENCE,
        CASE,
        NETWORK,
        JSON,
        _option("--threshold", numbers),
        _option("--harm", numbers),
        _option("--benefit", numbers),
        _option("--tests", small_counts),
    ],
    "explain": [
        EVIDENCE,
        EVIDENCE,
        CASE,
        NETWORK,
        JSON,
        _option("--hypothesis", hypotheses),
        _option("--versus", hypotheses),
        _option("--html", paths_out),
        _flag("--force"),
    ],
    "sensitivity": [
        EVIDENCE,
        EVIDENCE,
        CASE,
        NETWORK,
        JSON,
        _option("--target", hypotheses),
        _option("--draws", small_counts),
        _option("--seed", small_counts),
        _option("--parameter", st.one_of(st.sampled_from(PARAMETERS), junk)),
        st.tuples(numbers, numbers).map(lambda p: ["--base-rates", *p]),
        _option("--top", small_counts),
    ],
    "calibrate": [
        NETWORK,
        JSON,
        _option("--targets", paths_in),
        _option(
            "--report",
            st.sampled_from(
                [
                    "report",
                    "folder",
                    "case.yaml",
                    "",
                    "x" * 300,
                    "missing/deep/report",
                    "in.csv",
                    "/dev/null",
                ]
            ),
        ),
    ],
    "batch": [
        NETWORK,
        JSON,
        _option("--target", targets),
        _option("-t", targets),
        _option("--on-error", st.sampled_from(["raise", "skip", "SKIP", "", "ignore"])),
        _option("--passthrough", st.one_of(st.sampled_from(["hb", "id", "age", ""]), junk)),
        _flag("--progress"),
        _flag("--no-progress"),
        _option("-i", paths_in),
        _option("-o", paths_out),
        _flag("--force"),
    ],
    "export": [
        NETWORK,
        JSON,
        _option("-f", st.sampled_from(["bif", "xmlbif", "xdsl", "net", "BIF", "yaml", ""])),
        _option("-o", paths_out),
        _flag("--force"),
    ],
}

#: options every example of a command starts with (each kept with probability 9/10)
BASE_OPTIONS: dict[str, list[st.SearchStrategy[list[str]]]] = {
    # never the default 10,000 draws: a short analysis, junk or not
    "sensitivity": [
        st.one_of(st.integers(1, 60).map(str), small_counts).map(lambda d: ["--draws", d])
    ],
    "batch": [_option("-i", paths_in), _option("-o", paths_out)],
    "export": [
        NETWORK,
        _option("--format", st.sampled_from(["bif", "xmlbif", "xdsl", "net"])),
        _option("-o", paths_out),
    ],
}


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    kind = draw(st.integers(0, 49))
    if kind == 0:  # no command, a junk command, or only top-level options
        words = st.one_of(junk, st.sampled_from(["query", "--json", "--version", "-h"]))
        return [w for w in draw(st.lists(words, max_size=3)) if w != "bench"]  # a long run
    command = draw(st.sampled_from(sorted(COMMAND_OPTIONS)))
    parts: list[list[str]] = []
    for base in BASE_OPTIONS.get(command, []):
        if draw(st.integers(0, 9)):
            parts.append(draw(base))
    extra = st.one_of(*COMMAND_OPTIONS[command])
    parts += draw(st.lists(extra, max_size=6))
    if draw(st.integers(0, 5)) == 0:
        parts.insert(draw(st.integers(0, len(parts))), draw(JUNK_OPTIONS))
    order = draw(st.permutations(range(len(parts))))
    # sensitivity's first --draws stays first, so a later junk --draws can override it
    if command == "sensitivity" and parts and parts[0][:1] == ["--draws"]:
        order = [0] + [i for i in order if i != 0]
    return [command] + [token for i in order for token in parts[i]]


class Inputs:
    """The distinct inputs one test tried (hypothesis repeats some simple ones)."""

    def __init__(self) -> None:
        self.tried: set[str] = set()

    def add(self, key: str) -> None:
        self.tried.add(key)

    def check(self, minimum: int, label: str) -> None:
        n = len(self.tried)
        assert n >= minimum, f"only {n} distinct {label} were tried (want {minimum})"


# ---------------------------------------------------------------------------- 1. argv

N_ARGV = 700


def test_fuzz_command_line(here: Path) -> None:
    inputs = Inputs()

    @settings(FUZZ, max_examples=N_ARGV)
    @given(argv=command_lines())
    def one(argv: list[str]) -> None:
        inputs.add(repr(argv))
        with _example_folder(here) as folder:
            run_and_check(folder, argv)

    one()
    inputs.check(480, "command lines")


# ---------------------------------------------------------------------------- 2. case files

N_CASES = 500

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(ALL_STATES),
)
nested = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def valid_case(draw: st.DrawFn) -> dict:
    chosen = draw(st.lists(st.sampled_from(VARIABLES), unique=True, max_size=6))
    case: dict = {}
    for v in chosen:
        options = [st.sampled_from(STATES[v])]
        if v in RANGES:
            lo, hi = RANGES[v]
            options += [st.floats(lo, hi), st.integers(int(lo) + 1, int(hi)), measured_value(v)]
        case[v] = draw(st.one_of(options))
    return case


def _dump(doc: object, how: int) -> str:
    if how == 0:
        return json.dumps(doc, allow_nan=True)
    if how == 1:
        return json.dumps(doc, indent=2, allow_nan=True)
    return yaml.safe_dump(doc, default_flow_style=how == 2, allow_unicode=True)


YAML_SNIPPETS = [
    "hb: &a 10.4\ncalcium: *a\n",
    "base: &b {hb: 10.4}\n<<: *b\nsmear: normal\n",
    "<<: {hb: 10.4}\nhb: 13\n",
    "hb: &x [*x]\n",
    "&x {hb: *x}\n",
    "hb: !!binary aGVsbG8=\n",
    "hb: !!python/object/apply:os.system ['true']\n",
    "hb: !!set {a, b}\n",
    "hb: !!omap [{a: 1}]\n",
    "hb: !!timestamp 2020-01-01\n",
    "age: 2020-01-01\n",
    "hb: !custom 1\n",
    "hb: 012\n",
    "hb: 0x0C\n",
    "hb: 1_0\n",
    "hb: 1:30\n",
    "hb: 0o14\n",
    "hb: .NaN\n",
    "hb: -.inf\n",
    "hb: .inf\n",
    "hb: 1e999\n",
    "hb: ~\n",
    "hb: yes\n",
    "sex: no\n",
    "hb: 10\nhb: 11\n",
    "hb: 10\nHB: 11\n",
    "hb: 10\n'hb': 10\n",
    "1: 2\n",
    "~: 1\n",
    "true: present\n",
    "[hb]: 1\n",
    "? [a, b]\n: 1\n",
    "{hb: 1}: 2\n",
    "hb: 10\n---\nhb: 11\n",
    "---\n",
    "# only a comment\n",
    "",
    "   \n",
    "\ufeffhb: 10\n",
    "hb:\t10\n",
    "\thb: 10\n",
    "hb: 10\r\nsmear: normal\r\n",
    "hb: 10\x00\n",
    "hb: \x07\n",
    "hb: '10'\n",
    'hb: "1\\u0000"\n',
    "- hb\n- 10\n",
    "hb\n",
    "hb: 10\nsmear: [normal]\n",
    "hb: {a: 1}\n",
    "age: " + "9" * 5000 + "\n",
    "age: 1" + "0" * 70 + "\n",
    "age: -" + "9" * 100 + ".5\n",
    "hb: 1e-" + "9" * 30 + "\n",
    "%YAML 1.2\n---\nhb: 10\n",
    "%TAG ! tag:x,2000:\n---\nhb: !a 1\n",
    "hb: *undefined\n",
    "hb: &a\n",
    "'\\udcff': 1\n",
    'hb: "\\ud800"\n',
    "age: 67\n" * 3,
]
JSON_SNIPPETS = [
    '{"hb": 1e999}',
    '{"hb": NaN}',
    '{"hb": -Infinity}',
    '{"hb": 10, "hb": 11}',
    '{"age": ' + "9" * 5000 + "}",
    '{"age": 1' + "0" * 70 + "}",
    '{"hb": 1.' + "5" * 5000 + "}",
    "[]",
    "null",
    '"hb"',
    "10",
    "{}",
    '{"hb": null}',
    '{"hb": [10]}',
    '{"hb": {"x": 1}}',
    '{"hb": true}',
    '{"hb": "\\u0000"}',
    '{"hb": "\\ud800"}',
    '{"\\ud800": 1}',
    '{"hb": 10} {"hb": 11}',
    '{"hb": 10,}',
    "{'hb': 10}",
    '\ufeff{"hb": 10}',
    "",
    '{"hb": "10"}',
    '{"1": 2}',
    '{"": 1}',
    '{"hb": 10.4, "smear": "normal"}',
]
BAD_BYTES = [
    b"\xff",
    b"\xfe\xff",
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\xf8\x88\x80\x80",
    b"\x80",
    b"\xe2\x82",
]


@st.composite
def alias_bomb(draw: st.DrawFn) -> str:
    width, depth = draw(st.integers(2, 9)), draw(st.integers(1, 7))
    lines = ["l0: &l0 [x, x]"]
    for d in range(1, depth + 1):
        lines.append(f"l{d}: &l{d} [" + ", ".join([f"*l{d - 1}"] * width) + "]")
    lines.append(f"hb: *l{depth}")
    return "\n".join(lines) + "\n"


@st.composite
def deep_text(draw: st.DrawFn) -> str:
    depth = draw(st.sampled_from([10, 63, 64, 65, 200, 1000, 5000, 50_000]))
    style = draw(st.integers(0, 3))
    if style == 0:
        return "hb: " + "[" * depth + "]" * depth + "\n"
    if style == 1:
        return '{"hb": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
    if style == 2:
        return "hb:\n" + "".join(" " * (i + 1) + "- \n" for i in range(min(depth, 2000)))
    return "[" * depth + "]" * depth


@st.composite
def case_text(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 9))
    if kind <= 2:
        text = _dump(draw(valid_case()), draw(st.integers(0, 3)))
    elif kind == 3:
        doc = draw(st.one_of(nested, st.dictionaries(st.sampled_from(VARIABLES), nested)))
        text = _dump(doc, draw(st.integers(0, 3)))
    elif kind == 4:
        text = draw(st.sampled_from(YAML_SNIPPETS))
    elif kind == 5:
        text = draw(st.sampled_from(JSON_SNIPPETS))
    elif kind == 6:
        text = draw(st.one_of(alias_bomb(), deep_text()))
    elif kind == 7:  # a valid case, one value swapped for junk
        case = draw(valid_case().filter(bool))
        key = draw(st.sampled_from(sorted(case)))
        case[key] = draw(st.one_of(nested, st.sampled_from(ODD_NUMBERS), junk))
        text = _dump(case, draw(st.integers(0, 3)))
    elif kind == 8:  # two cases glued, or a key twice
        a, b = draw(valid_case()), draw(valid_case())
        text = _dump(a, 3) + _dump(b, 3)
    else:  # beyond the size limit: a long value or a long comment
        text = "hb: " + "1" * draw(st.sampled_from([100, 70_000, 1_100_000])) + "\n"
        if draw(st.booleans()):
            text = "# " + "x" * 1_100_000 + "\nhb: 10\n"
    data = text.encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(text)))
        data = (
            text[:at].encode("utf-8", errors="surrogatepass")
            + draw(st.sampled_from(BAD_BYTES))
            + text[at:].encode("utf-8", errors="surrogatepass")
        )
    return data


CASE_SUFFIXES = [".yaml"] * 3 + [".json"] * 3 + [".yml", ".JSON", ".txt", ""]
CASE_COMMANDS = [["query"]] * 4 + [
    ["query", "--json"],
    ["recommend"],
    ["recommend", "--json"],
    ["explain", "--json"],
    ["sensitivity", "--draws", "5", "--json"],
    ["query", "-e", "hb=13"],
]


def test_fuzz_case_files(here: Path) -> None:
    inputs = Inputs()

    @settings(FUZZ, max_examples=N_CASES)
    @given(
        data=case_text(),
        suffix=st.sampled_from(CASE_SUFFIXES),
        command=st.sampled_from(CASE_COMMANDS),
    )
    def one(data: bytes, suffix: str, command: list[str]) -> None:
        inputs.add(repr((data, suffix, command)))
        with _example_folder(here, fixtures=False) as folder:
            (folder / f"case{suffix}").write_bytes(data)
            run_and_check(folder, [*command, "--case", f"case{suffix}"])

    one()
    inputs.check(360, "case files")


# ---------------------------------------------------------------------------- 3. networks

N_NETWORKS = 220

JUNK_VALUES = [
    None,
    "",
    [],
    {},
    0,
    -1,
    -0.5,
    0.5,
    1.5,
    2,
    1e308,
    math.nan,
    math.inf,
    -math.inf,
    True,
    "x",
    "NaN",
    "0.2",
    10**30,
    10**5000,
    [[1]],
    {"a": {"b": [1]}},
    [0.1, 0.9],
    "d1",
    "yes",
    "bayesdx/1",
    [None],
    "é" * 10,
    "x" * 300,
    1e-320,
    [1, 2, 3, 4],
    {"d1": 0.5, "d2": 0.5},
]


def _paths(doc: object, prefix: tuple = (), inside: frozenset = frozenset()) -> list[tuple]:
    """Every path (tuple of keys and indices) below the root, parents before children.

    A loop (a mutation may put a mapping inside itself) is followed once.
    """
    if id(doc) in inside:
        return []
    inside = inside | {id(doc)}
    found = []
    items = (
        doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    )
    for key, value in list(items):
        found.append((*prefix, key))
        found += _paths(value, (*prefix, key), inside)
    return found


def _get(doc: object, path: tuple) -> object:
    for key in path:
        doc = doc[key]  # type: ignore[index]
    return doc


def _nodes(doc: dict) -> list:
    """The node list of a (mutated) document, or an empty list that no one reads."""
    nodes = doc.get("nodes")
    return nodes if isinstance(nodes, list) else []


def _node_dicts(doc: dict) -> list[dict]:
    return [n for n in _nodes(doc) if isinstance(n, dict)] or [{}]


def _wide(doc: dict, k: int) -> None:
    """``k`` more binary roots, all parents of ``symptom`` (noisy-OR: 2**(k+2) cells)."""
    nodes = _nodes(doc)
    for i in range(k):
        nodes.insert(
            0,
            {
                "id": f"r{i}",
                "label": f"R{i}",
                "role": "context",
                "states": ["a", "b"],
                "description": "a root",
                "cpt": {"table": [{"p": {"b": 0.5}, "source": "expert", "range": [0.1, 0.9]}]},
            },
        )
    for node in nodes:
        if isinstance(node, dict) and node.get("id") == "symptom":
            parents = node.get("parents")
            node["parents"] = (parents if isinstance(parents, list) else []) + [
                f"r{i}" for i in range(k)
            ]
            causes = node.get("cpt", {}).get("noisy_or", {}).get("causes")
            if isinstance(causes, dict):
                for i in range(k):
                    causes[f"r{i}"] = {"b": {"p": 0.1, "source": "expert", "range": [0.05, 0.2]}}


def _many_states(doc: dict, k: int) -> None:
    """One more root, with ``k`` states."""
    _nodes(doc).append(
        {
            "id": "big",
            "label": "Big",
            "role": "context",
            "states": [f"s{i}" for i in range(k)],
            "description": "many states",
            "cpt": {"table": [{"p": {"s0": 0.5}, "source": "expert", "ess": 10}]},
        }
    )


def _certain(doc: dict, test: bool) -> None:
    """``test`` positive exactly in ``d1`` (or ``disease`` certainly ``d1``): still valid."""
    for node in _nodes(doc):
        if not isinstance(node, dict):
            continue
        if test and node.get("id") == "test":
            node["cpt"] = {
                "table": [
                    {"when": {"disease": d}, "p": {"pos": p}, "source": "expert", "ess": 10}
                    for d, p in (("d1", 1.0), ("d2", 0.0))
                ]
            }
        if not test and node.get("id") == "disease":
            node["cpt"] = {"table": [{"p": {"d1": 1.0, "d2": 0.0}, "source": "expert", "ess": 5}]}


@st.composite
def mutated_network(draw: st.DrawFn) -> bytes:
    doc = yaml.safe_load(TINY_TEXT)
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3, 4]))):  # 0: file-level only
        op = draw(st.integers(0, 15))
        paths = _paths(doc)
        if op == 12:
            # never 2**26..2**40 cells: an unguarded allocation of that size would be real
            _wide(doc, draw(st.sampled_from([1, 3, 8, 12, 23, 40, 64])))
            continue
        if op == 13:
            _many_states(doc, draw(st.sampled_from([3, 100, 5000])))
            continue
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _get(doc, path[:-1]), path[-1]
        value = parent[key]
        if op in (0, 1):  # delete
            del parent[key]
        elif op in (2, 3, 4):  # another value
            parent[key] = copy.deepcopy(draw(st.sampled_from(JUNK_VALUES)))
        elif op == 5:  # nest
            parent[key] = draw(st.sampled_from([[value], [[value]], {"x": value}]))
        elif op == 6 and isinstance(parent, dict):  # rename or add a key
            new = draw(st.sampled_from(["bogus", "", "ID", 5, str(key).upper(), f"{key}_x"]))
            parent[new] = parent.pop(key) if draw(st.booleans()) else copy.deepcopy(value)
        elif op == 6 and isinstance(parent, list):  # repeat a list item
            parent.insert(key, copy.deepcopy(value))
        elif op == 7 and isinstance(value, int | float) and not isinstance(value, bool):
            try:
                changed = [-value, value + 1, value * 1.05, math.nan, value * 1e300, -1e-9]
            except OverflowError:  # 10**5000
                changed = [-value, value + 1, math.nan]
            parent[key] = draw(st.sampled_from(changed))
        elif op == 8:  # share one object in two places (YAML anchor and alias)
            other = draw(st.sampled_from(paths))
            parent[key] = _get(doc, other)
        elif op == 9 and isinstance(value, dict | list):  # a loop (a recursive alias)
            if isinstance(value, dict):
                value["self"] = value
            else:
                value.append(value)
        elif op == 10:  # parents: a cycle, itself, unknown, many
            node = draw(st.sampled_from(_node_dicts(doc)))
            node["parents"] = draw(
                st.sampled_from(
                    [
                        ["symptom"],
                        ["test"],
                        [node.get("id")],
                        ["nope"],
                        ["disease", "disease"],
                        ["disease", "exposure", "test", "symptom"],
                        "disease",
                        [["disease"]],
                    ]
                )
            )
        elif op == 11:  # a probability that does not sum to one, or is not one
            node = draw(st.sampled_from(_node_dicts(doc)))
            entry = {
                "p": draw(
                    st.sampled_from(
                        [
                            {"d1": 0.5, "d2": 0.6},
                            {"d1": -0.1},
                            {"d1": math.nan},
                            {"d1": 1e308, "d2": -1e308},
                            {"d1": 0.3, "d2": 0.7, "d3": 0.0},
                            {"yes": 1.0000000001},
                            {},
                        ]
                    )
                ),
                "source": "expert",
                "ess": draw(st.sampled_from([10, 0, -1, math.inf])),
            }
            node["cpt"] = {"table": [entry]}
        elif op in (14, 15):  # valid, with certainties: some evidence becomes impossible
            _certain(doc, op == 14)
    try:
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    except (yaml.YAMLError, RecursionError, ValueError):
        text = TINY_TEXT
    data = text.encode("utf-8", errors="surrogatepass")
    how = draw(st.integers(0, 15))
    if how == 0:  # cut short
        data = data[: draw(st.integers(0, len(data)))]
    elif how == 1:  # invalid UTF-8
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(BAD_BYTES)) + data[at:]
    elif how == 2:  # a key twice
        data = data.replace(b"\ntitle:", b"\ntitle: twice\ntitle:", 1)
    elif how == 3:
        data = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    elif how == 4:
        data = data.replace(b"bayesdx/1", b"bayesdx/2", 1)
    return data


NETWORK_SUFFIXES = [".yaml"] * 10 + [".yml", ".json", ".bif", ".xmlbif", ".xdsl", ".net", ""]
NETWORK_COMMANDS = [["query"]] * 3 + [
    ["query", "--json", "-e", "test=pos"],
    ["query", "-e", "test=15", "-e", "symptom=present"],
    ["query", "-t", "symptom", "exposure"],
    ["recommend", "--json", "-e", "test=pos"],
    ["explain", "-e", "symptom=present"],
    ["sensitivity", "--draws", "10"],
    ["sensitivity", "--draws", "10", "-e", "test=pos", "--json"],
    ["explain", "-e", "test=neg", "--hypothesis", "d1", "--json"],
    ["query", "-e", "test=pos", "-e", "disease=d2"],
    ["export", "-f", "bif", "-o", "out.bif"],
    ["export", "-f", "net", "-o", "-", "--json"],
    ["export", "-f", "xdsl", "-o", "out.xdsl"],
]


def test_fuzz_network_files(here: Path) -> None:
    inputs = Inputs()

    @settings(FUZZ, max_examples=N_NETWORKS)
    @given(
        data=mutated_network(),
        suffix=st.sampled_from(NETWORK_SUFFIXES),
        command=st.sampled_from(NETWORK_COMMANDS),
        evidence=st.lists(st.sampled_from(TINY_EVIDENCE), max_size=2),
    )
    def one(data: bytes, suffix: str, command: list[str], evidence: list[str]) -> None:
        if command[0] == "export":
            evidence = []
        argv = [*command, *(x for e in evidence for x in ("-e", e))]
        inputs.add(repr((data, suffix, argv)))
        with _example_folder(here, fixtures=False) as folder:
            name = f"{folder.name}{suffix}"  # a new name each time: no cache can answer
            (folder / name).write_bytes(data)
            run_and_check(folder, [*argv, "--network", name])

    one()
    inputs.check(150, "network files")


# ---------------------------------------------------------------------------- 3b. imported

N_IMPORTED = 150

EXPORT_FORMATS = ("bif", "xmlbif", "xdsl", "net")
_NUMBER_TOKEN = re.compile(r"(?<![\w.])\d+(\.\d+)?(e-?\d+)?(?![\w.])")
NUMBER_JUNK = [
    "nan",
    "-0.5",
    "1e309",
    "2",
    "",
    "0x1",
    "1_0",
    "0",
    "1",
    "-0",
    "inf",
    "-inf",
    "0.30000000001",
    "9" * 400,
    "1e-400",
    "²",
    "0.5 0.5",
    "a",
]
NAMES = ["disease", "test", "symptom", "exposure", "d1", "d2", "pos", "neg", "yes", "no"]
NAME_JUNK = [*NAMES, "", "x y", "é", "1", "a" * 300, "<", "&", '"', "{", ";", "(", "|"]


@functools.cache
def _exported() -> dict[str, str]:
    """``tests/data/tiny.yaml`` as ``bayesdx export`` writes it in each format."""
    texts = {}
    with tempfile.TemporaryDirectory() as folder:
        for fmt in EXPORT_FORMATS:
            path = os.path.join(folder, f"tiny.{fmt}")
            with contextlib.redirect_stdout(io.StringIO()):
                assert main(["export", "-n", str(DATA / "tiny.yaml"), "-f", fmt, "-o", path]) == 0
            texts[fmt] = Path(path).read_text(encoding="utf-8")
    return texts


@st.composite
def imported_network(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file in a pgmpy format (tiny.yaml exported), with its text mutated."""
    # BIF is read by pyparsing, about 0.5 s a file: fewer of them
    fmt = draw(st.sampled_from(["bif", "xmlbif", "xmlbif", "xdsl", "xdsl", "net", "net"]))
    text = _exported()[fmt]
    for _ in range(draw(st.sampled_from([0, 1, 1, 2, 3]))):
        op = draw(st.integers(0, 6))
        lines = text.split("\n")
        if op in (0, 1):  # a number
            found = list(_NUMBER_TOKEN.finditer(text))
            if found:
                m = draw(st.sampled_from(found))
                text = text[: m.start()] + draw(st.sampled_from(NUMBER_JUNK)) + text[m.end() :]
        elif op == 2:  # a line less
            del lines[draw(st.integers(0, len(lines) - 1))]
            text = "\n".join(lines)
        elif op == 3:  # a line twice
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif op == 4:  # two lines swapped
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == 5:  # a name renamed (another node's: a cycle or a duplicate), once or all
            old, new = draw(st.sampled_from(NAMES)), draw(st.sampled_from(NAME_JUNK))
            text = text.replace(old, new, draw(st.sampled_from([1, -1])))
        else:  # junk somewhere
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(junk) + text[at:]
    data = text.encode("utf-8", errors="surrogatepass")
    how = draw(st.integers(0, 9))
    if how == 0:
        data = data[: draw(st.integers(0, len(data)))]
    elif how == 1:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(BAD_BYTES)) + data[at:]
    elif how == 2:
        data = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    return fmt, data


IMPORTED_COMMANDS = [["query"]] * 4 + [
    ["query", "-e", "test=pos", "--json"],
    ["query", "-t", "symptom", "test"],
    ["recommend", "-e", "test=pos"],
    ["explain", "-e", "test=pos", "--hypothesis", "disease=d1"],
    ["sensitivity", "--draws", "5", "--target", "disease=d1"],
    ["export", "-f", "xdsl", "-o", "out.xdsl"],
    ["export", "-f", "bif", "-o", "-"],
]


def test_fuzz_imported_network_files(here: Path) -> None:
    inputs = Inputs()
    _exported()  # before hypothesis draws: the export's temporary folder draws random names

    @settings(FUZZ, max_examples=N_IMPORTED)
    @given(file=imported_network(), command=st.sampled_from(IMPORTED_COMMANDS))
    def one(file: tuple[str, bytes], command: list[str]) -> None:
        fmt, data = file
        inputs.add(repr((fmt, data, command)))
        with _example_folder(here, fixtures=False) as folder:
            name = f"{folder.name}.{fmt}"  # a new name each time: no cache can answer
            (folder / name).write_bytes(data)
            run_and_check(folder, [*command, "--network", name])

    one()
    inputs.check(95, "imported network files")


# ---------------------------------------------------------------------------- 4. CSV

N_CSV = 400

HEADER_NAMES = [
    "error",
    "group:neoplasm",
    "diagnosis=multiple_myeloma",
    "id",
    " hb",
    "HB",
    "hb ",
    "Unnamed: 0",
    "hb.1",
    "",
    "a,b",
    'a"b',
    "a\nb",
    "0",
]
CELL_JUNK = [
    "",
    " ",
    "nan",
    "NA",
    "N/A",
    "null",
    "None",
    "#N/A",
    "-",
    "inf",
    "1e308",
    "a,b",
    'say "hi"',
    "two\nlines",
    "cr\r\nlf",
    "\r",
    "=1+1",
    "@SUM(A1)",
    "\t",
    "\ufeff",
]


@st.composite
def cell(draw: st.DrawFn, column: str, clean: bool) -> str:
    choices = [] if clean else [st.sampled_from(CELL_JUNK), numbers, junk]
    if column in STATES:
        choices = [st.sampled_from(STATES[column])] * 4 + [st.just("")] * 2 + choices
    if column in RANGES:
        choices += [measured_value(column)] * 3
    return draw(st.one_of(choices or [st.just(""), junk]))


@st.composite
def csv_file(draw: st.DrawFn) -> tuple[bytes, list[str], list[list[str]]]:
    """CSV bytes, its header and its records (a blank line is a record of empty cells)."""
    variables = st.lists(st.sampled_from(VARIABLES), unique=True, min_size=1, max_size=6)
    kind = draw(st.integers(0, 3))
    if kind <= 1:  # the variables of the network, each once
        header = draw(variables)
    elif kind == 2:  # and one odd name
        header = draw(variables)
        header.insert(draw(st.integers(0, len(header))), draw(st.sampled_from(HEADER_NAMES)))
    else:
        names = st.one_of(st.sampled_from(VARIABLES), st.sampled_from(HEADER_NAMES), junk)
        header = draw(st.lists(names, min_size=1, max_size=6))
    clean = draw(st.integers(0, 2)) == 0  # only states, numbers in range and empty cells
    terminator = draw(st.sampled_from(["\n", "\r\n"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))

    def line(record: list[str]) -> str:
        # a cell with a line break is always quoted (Python 3.11 quotes only the terminator's)
        breaks = any("\r" in c or "\n" in c for c in record)
        buf = io.StringIO()
        how = csv.QUOTE_ALL if breaks else quoting
        csv.writer(buf, lineterminator=terminator, quoting=how).writerow(record)
        return buf.getvalue()

    text, rows = line(header), []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 6)) == 0:  # a blank line: a case with nothing observed
            text += terminator
            rows.append([])
            continue
        width = len(header) + draw(st.sampled_from([0] * 6 + [-1, 1, 1]))
        record = [draw(cell(header[j % len(header)], clean)) for j in range(max(width, 1))]
        text += line(record)
        rows.append(record)
    if rows and rows[-1] and draw(st.integers(0, 5)) == 0:  # no newline at the end
        text = text[: -len(terminator)]
    data = text.encode("utf-8", errors="surrogatepass")
    how = draw(st.integers(0, 7))
    if how == 0:
        at = draw(st.integers(0, len(text)))
        data = (
            text[:at].encode("utf-8", errors="surrogatepass")
            + draw(st.sampled_from(BAD_BYTES))
            + text[at:].encode("utf-8", errors="surrogatepass")
        )
    elif how == 1:
        data = b"\xef\xbb\xbf" + data
    return data, header, rows


@st.composite
def batch_options(draw: st.DrawFn, header: list[str]) -> list[str]:
    argv = ["-o", draw(st.sampled_from(["out.csv"] * 8 + ["-", "-", "in.csv", "link.csv"]))]
    if draw(st.integers(0, 5)) == 0:
        argv += ["--force"]
    if draw(st.booleans()):
        argv += ["--on-error", "skip"]
    if draw(st.integers(0, 3)) == 0:
        argv += ["--target", *draw(st.lists(targets, min_size=1, max_size=2))]
    if draw(st.integers(0, 3)) == 0:
        argv += ["--passthrough", draw(st.one_of(st.sampled_from(header), junk))]
    if draw(st.booleans()):
        argv += ["--json"]
    if draw(st.integers(0, 5)) == 0:
        argv += [draw(st.sampled_from(["--progress", "--no-progress"]))]
    return argv


def test_fuzz_batch_csv(here: Path) -> None:
    inputs = Inputs()

    @settings(FUZZ, max_examples=N_CSV)
    @given(file=csv_file(), data=st.data())
    def one(file: tuple[bytes, list[str], list[list[str]]], data: st.DataObject) -> None:
        content, header, rows = file
        options = data.draw(batch_options(header), label="options")
        inputs.add(repr((content, options)))
        with _example_folder(here, fixtures=False) as folder:
            (folder / "in.csv").write_bytes(content)
            (folder / "link.csv").symlink_to("in.csv")
            run_and_check(
                folder, ["batch", "-i", "in.csv", *options], csv_header=header, csv_records=rows
            )

    one()
    inputs.check(310, "CSV files")


# ---------------------------------------------------------------------------- seed corpus

#: odd command lines, run in a folder of :func:`_fixtures`
SEED_ARGV = [
    ["explain", "--html", "\udcff.html"],  # a file name that is not UTF-8 (argv bytes 0xff)
    ["export", "-n", "marrow_signal", "-f", "bif", "-o", "\udcff.bif"],
    ["batch", "-i", "in.csv", "-o", "\udcff.csv"],
    ["query", "-e", "hb=\udcc3\udca9"],
    ["query", "--case=--"],  # argparse gives [] for --opt=--
    ["query", "-e=--"],
    ["sensitivity", "--draws=--"],
    ["calibrate", "--targets=--"],
    ["calibrate", "--report=--"],
    ["batch", "-i", "in.csv", "--output=--"],
    ["batch", "--input=--", "-o", "out.csv"],
    ["export", "-n", "marrow_signal", "-f", "bif", "--output=--"],
    ["query", "a\nb"],
    ["query", "\u2028"],
    ["query", "-e", "hb=10\x1b[2J"],
    ["query", "-e", "hb=" + "9" * 5000],
    ["query", "-e", "hb=²"],
    ["query", "-e", "hb=0x0C", "-e", "age=1_0"],
    ["query", "-e", "hb=10", "-e", "hb=10.0"],
    ["query", "-e", "=", "-e", "hb="],
    ["query", "-t", "x" * 5000],
    ["query", *["-e", "hb=10"] * 50_000],  # 450 kB of arguments; Linux takes 2 MB
    ["query", "--case", "/dev/null"],
    ["query", "--case", "folder"],
    ["query", "--case", "dangling.csv"],
    ["query", "-n", "x" * 300],
    ["query", "-n", "long/" + "d" * 256 + "/x.yaml"],
    ["sensitivity", "--draws", "²"],
    ["sensitivity", "--draws", "0"],
    ["sensitivity", "--draws", "9" * 5000],
    ["sensitivity", "--draws", "5", "--seed", "9" * 5000],
    ["sensitivity", "--draws", "5", "--base-rates", "nan", "1e308"],
    ["sensitivity", "--draws", "5", "--base-rates", "0.6", "0.05"],
    ["sensitivity", "--draws", "5", "--parameter", "x" * 5000],
    ["sensitivity", "--draws", "5", "--top", "99999999999999999999"],
    ["recommend", "--threshold", "nan"],
    ["recommend", "--threshold", "-0"],
    ["recommend", "--threshold", "1e308"],
    ["recommend", "--harm", "1e308", "--benefit", "1e-320"],
    ["recommend", "--harm", "inf", "--benefit", "inf"],
    ["recommend", "--tests", "99999999999999999999"],
    ["explain", "--hypothesis", "neoplasm", "--versus", "neoplasm"],
    ["explain", "--hypothesis", "hb=lt_12", "--versus", "hb=ge_12"],
    ["explain", "--html", "case.yaml", "--case", "case.yaml"],
    ["explain", "--html", "link.csv"],
    ["export", "-n", "net.yaml", "-f", "bif", "-o", "net.yaml"],
    ["export", "-n", "marrow_signal", "-f", "net", "-o", "folder"],
    ["batch", "-i", "in.csv", "-o", "in.csv"],
    ["batch", "-i", "in.csv", "-o", "link.csv"],
    ["batch", "-i", "link.csv", "-o", "out.csv"],
    ["batch", "-i", "in.csv", "-o", "dangling.csv"],
    ["batch", "-i", "in.csv", "-o", "out.csv.part"],
    ["batch", "-i", "in.csv", "-o", "out.csv", "--passthrough", "hb", "--target", "all"],
    ["batch", "-i", "/dev/null", "-o", "out.csv"],
    ["batch", "-i", "in.csv", "-o", "-", "--json"],
    ["batch", "-i", "in.csv", "-o", "link.csv", "--force"],
    ["batch", "-i", "in.csv", "-o", "dangling.csv", "--force"],
    ["batch", "-i", "link.csv", "-o", "in.csv", "--force"],
    ["export", "-n", "net.yaml", "-f", "bif", "-o", "-", "--json"],
    ["export", "-n", "marrow_signal", "-f", "bif", "-o", "link.csv", "--force"],
    ["explain", "--html", "-", "--json"],
    ["calibrate", "--report", "case.yaml"],
    ["calibrate", "--report", "missing/deep/report", "--json"],
    ["calibrate", "--targets", "case.yaml"],
    ["calibrate", "--targets", "targets.yaml", "--json"],
    ["calibrate", "--network", "net.yaml", "--targets", "targets.yaml"],
]


@pytest.mark.parametrize("argv", SEED_ARGV, ids=lambda a: ascii(" ".join(a))[:60])
def test_seed_command_lines(here: Path, argv: list[str]) -> None:
    with _example_folder(here) as folder:
        run_and_check(folder, argv)


#: commands on a network imported from each pgmpy format (no roles, sources or uncertainty)
SEED_IMPORTED = [
    ["query", "-e", "test=pos", "--json"],
    ["recommend", "-e", "test=pos"],
    ["explain", "-e", "test=pos"],
    ["explain", "-e", "test=pos", "--hypothesis", "disease=d1", "--versus", "disease=d2"],
    ["sensitivity", "--draws", "5"],
    ["sensitivity", "--draws", "5", "--target", "disease=d1", "-e", "test=pos"],
    ["calibrate", "--targets", "targets.yaml"],
    ["batch", "-i", "in.csv", "-o", "out.csv"],
    ["export", "-f", "xdsl", "-o", "out.xdsl"],
]


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
@pytest.mark.parametrize("argv", SEED_IMPORTED, ids=lambda a: ascii(" ".join(a))[:60])
def test_seed_imported_networks(here: Path, fmt: str, argv: list[str]) -> None:
    text = _exported()[fmt]
    with _example_folder(here) as folder:
        (folder / f"tiny.{fmt}").write_text(text, encoding="utf-8")
        (folder / "in.csv").write_text("test,symptom\npos,present\n,\n", encoding="utf-8")
        run_and_check(
            folder,
            [*argv, "--network", f"tiny.{fmt}"],
            csv_header=["test", "symptom"],
            csv_records=[["pos", "present"], ["", ""]],
        )


#: odd CSV files for ``batch -i in.csv -o out.csv`` (and the options after them)
SEED_CSV = [
    (b"setting\n", []),  # a header and no records
    (b"setting", ["--on-error", "skip"]),
    (b"obesity\npresent,absent\n", []),  # a record with more cells than the header
    (b"hb,smear\n10.4,normal,rouleaux\n", ["--on-error", "skip"]),
    (b"hb\n10\n\n13\n", []),  # a blank line is a case with nothing observed
    (b"hb\r\n10\r\n\r\n13", ["--on-error", "skip"]),
    (b'hb,smear\n"10\n.4",normal\n', ["--on-error", "skip"]),  # a quoted newline
    (b"\xef\xbb\xbfhb\n10\n", []),  # a byte-order mark
    (b"hb\n10\n\xff\n", ["--on-error", "skip"]),  # not UTF-8
    (b'sex,smoking\nfemale,"\r"\n', ["--on-error", "skip"]),  # a cell that is a carriage return
    (b"hb,hb\n10,11\n", []),
    (b"error\nx\n", ["--on-error", "skip", "--passthrough", "error"]),
    (b"group:neoplasm\n0.5\n", ["--passthrough", "group:neoplasm"]),
    (b",hb\n1,10\n", []),
    (b"hb\n" + b"1" * 200_000 + b"\n", ["--on-error", "skip"]),  # one long cell
]


@pytest.mark.parametrize(("content", "options"), SEED_CSV, ids=lambda v: ascii(v)[:40])
def test_seed_csv(here: Path, content: bytes, options: list[str]) -> None:
    try:
        rows = _csv_rows(content.decode("utf-8-sig"))
        header, records = rows[0], rows[1:]
    except (UnicodeDecodeError, IndexError):
        header, records = None, None
    with _example_folder(here, fixtures=False) as folder:
        (folder / "in.csv").write_bytes(content)
        argv = ["batch", "-i", "in.csv", "-o", "out.csv", *options]
        outcome = run_and_check(folder, argv, csv_header=header, csv_records=records)
        if records is None:
            assert outcome.status == 2, "a file that is not UTF-8 was scored"


# ---------------------------------------------------------------------------- the checker


def test_checker_rejects_a_traceback_and_a_two_line_error(here: Path) -> None:
    """The checks themselves: a bad outcome is caught (so a green run means something)."""
    with pytest.raises(AssertionError):
        check_outcome(["query"], Outcome(2, "", "bayesdx: error: a\nsecond line\n"))
    with pytest.raises(AssertionError):
        check_outcome(["query"], Outcome(2, "", "Traceback (most recent call last):\n"))
    with pytest.raises(AssertionError):
        check_outcome(["query", "--json"], Outcome(0, "not json", ""))
    with pytest.raises(AssertionError):
        check_outcome(["query"], Outcome(1, "", ""))
    check_outcome(["query"], Outcome(2, "", "bayesdx: error: unknown variable 'x'\n"))
    with _example_folder(here) as folder:
        before = snapshot(folder)
        (folder / "in.csv").write_text("changed")
        (folder / "out.csv.part").write_text("partial")
        with pytest.raises(AssertionError, match="changed"):
            check_files(
                folder,
                ["batch", "-i", "in.csv", "-o", "in.csv"],
                before,
                snapshot(folder),
                success=True,
            )
        (folder / "in.csv").write_text(IN_CSV)
        with pytest.raises(AssertionError, match="new files"):
            check_files(
                folder,
                ["batch", "-i", "in.csv", "-o", "out.csv"],
                before,
                snapshot(folder),
                success=False,
            )
        (folder / "out.csv.part").unlink()
        (folder / "-").write_text("a file named -")
        with pytest.raises(AssertionError, match="new files"):
            check_files(
                folder, ["batch", "-i", "in.csv", "-o", "-"], before, snapshot(folder), True
            )
        (folder / "-").unlink()
        (folder / "a" / "b" / "report").mkdir(parents=True)
        (folder / "a" / "b" / "report" / "report.md").write_text("# report")
        argv = ["calibrate", "--report", "a/b/report"]
        check_files(folder, argv, before, snapshot(folder), success=True)
        with pytest.raises(AssertionError, match="new files"):
            check_files(folder, argv, before, snapshot(folder), success=False)
