"""The ``bayesdx`` command line.

``bayesdx <command> [--network NAME|PATH] [-e VAR=VALUE ...] [--case FILE] [--json]``

A user error (unknown network, variable or state, malformed file, impossible evidence) exits
with status 2 and one line on stderr naming what was wrong and what is valid; never a
traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn, cast

from bayesdx import inference, model
from bayesdx import io as bio
from bayesdx._lazy import load_on_use
from bayesdx._version import __version__
from bayesdx.errors import BayesdxError, CaseFileError, LimitError
from bayesdx.limits import MAX_DIGITS, MAX_EVIDENCE, MAX_JOBS

try:  # the C module behind signal, which builds its enums at import (a fraction of a ms)
    import _signal as _sig  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - another Python
    import signal as _sig

if TYPE_CHECKING:
    import argparse
    import json

    from bayesdx import _bench, decision, explanation, learning, sensitivity_analysis, validation
    from bayesdx import dask as _dask
else:  # only `bayesdx bench` imports it; only `batch --engine dask` imports Dask
    _bench = load_on_use("bayesdx._bench")
    _dask = load_on_use("bayesdx.dask")
    json = load_on_use("json")  # only --json output and some commands need it
    # the packages a query does not use: imported by the commands that do
    decision = load_on_use("bayesdx.decision")
    explanation = load_on_use("bayesdx.explanation")
    learning = load_on_use("bayesdx.learning")
    sensitivity_analysis = load_on_use("bayesdx.sensitivity_analysis")
    validation = load_on_use("bayesdx.validation")

__all__ = ["main"]

DEFAULT_NETWORK = "marrow_signal"
_MAX_ARGS = 4 * MAX_EVIDENCE  # room for -e VAR=VALUE pairs up to the findings limit and more


class _UsageError(Exception):
    """argparse's complaint, turned into our one-line error."""


def _columns() -> int:
    """The terminal's width as :func:`shutil.get_terminal_size` finds it (``COLUMNS``, the
    terminal, else 80), without importing shutil and the compression modules it pulls in."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        stdout = sys.__stdout__
        try:
            columns = os.get_terminal_size(stdout.fileno()).columns if stdout else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


@functools.cache
def _classes() -> tuple[type[argparse.ArgumentParser], type[argparse.Action]]:
    """The parser and the append action, made when a parser is first built: argparse (with
    gettext and locale, a few ms) is imported only for a command line :func:`_quick` leaves
    to it."""
    import argparse

    class _Formatter(argparse.HelpFormatter):
        """argparse's help layout; only the width is found without shutil (a faster start)."""

        def __init__(
            self,
            prog: str,
            indent_increment: int = 2,
            max_help_position: int = 24,
            width: int | None = None,
        ) -> None:
            width = _columns() - 2 if width is None else width
            super().__init__(prog, indent_increment, max_help_position, width)

    class _Parser(argparse.ArgumentParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("formatter_class", _Formatter)
            super().__init__(*args, **kwargs)

        def error(self, message: str) -> NoReturn:
            raise _UsageError(f"bayesdx: error: {message} (see {self.prog} --help)")

    class _Append(argparse.Action):
        """``action="append"`` in linear time (argparse's own copies the list at every use)."""

        def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
            items = getattr(namespace, self.dest, None)
            if items is None or items is self.default:
                items = list(items or [])
                setattr(namespace, self.dest, items)
            items.append(values)

    return _Parser, _Append


def _append() -> type[argparse.Action]:
    """The action of a repeatable option (see :func:`_classes`)."""
    return _classes()[1]


class _LazyChoices(Sequence[str]):
    """Choices read when first used (help, or a check), so building the parser stays cheap."""

    def __init__(self, get: Any) -> None:
        self._get = get

    def __getitem__(self, index: Any) -> Any:
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __contains__(self, value: object) -> bool:
        return value in self._get()


def _add_network(p: argparse.ArgumentParser, required: bool = False) -> None:
    p.add_argument(
        "--network",
        "-n",
        default=None if required else DEFAULT_NETWORK,
        required=required,
        metavar="NAME|PATH",
        help=f"bundled network name or a network file (default: {DEFAULT_NETWORK})",
    )


def _add_case(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-e",
        "--evidence",
        action=_append(),
        default=[],
        metavar="VAR=VALUE",
        help="a finding: a state id or a raw number (repeatable)",
    )
    p.add_argument(
        "--case",
        metavar="FILE",
        help="YAML or JSON file mapping variables to values (- reads standard input)",
    )


def _add_force(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--force",
        action="store_true",
        help="write through a symbolic link, or into a FIFO or device (refused otherwise)",
    )


def _count(text: str) -> int:
    """argparse type for a count: ASCII digits only (int() also takes other scripts)."""
    if not (text.isascii() and text.strip().isdigit()) or len(text.strip()) > MAX_DIGITS:
        import argparse

        raise argparse.ArgumentTypeError(
            f"{text!r} is not a count such as 5 (0 or more, digits 0-9)"
        )
    return int(text)


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command``, only that command's arguments are built (a cold start
    builds one subcommand, not all of them; help and errors read the same)."""
    parser_class = _classes()[0]
    parser = parser_class(prog="bayesdx", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=parser_class)
    sub.required = True
    for name, add in _ARGUMENTS.items():
        if command is None or name == command:
            add(sub)
    return parser


def _args_networks(sub: Any) -> None:
    p = sub.add_parser("networks", help="list the bundled networks")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--markdown",
        metavar="NAME|PATH",
        help="print one network's reference document (nodes, tables, sources) as Markdown",
    )


def _args_query(sub: Any) -> None:
    p = sub.add_parser("query", help="posterior probabilities for a case")
    _add_network(p)
    _add_case(p)
    p.add_argument(
        "--target",
        "-t",
        action=_append(),
        nargs="+",
        default=None,
        metavar="VAR",
        help="variable(s) to report (default: the diagnosis node)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _args_recommend(sub: Any) -> None:
    p = sub.add_parser("recommend", help="biopsy recommendation, guideline, next tests, plan")
    _add_network(p)
    _add_case(p)
    p.add_argument("--threshold", metavar="T", help="one threshold in (0, 1) instead of the band")
    p.add_argument("--harm", metavar="H", help="relative harm of biopsy without a neoplasm (> 0)")
    p.add_argument("--benefit", metavar="B", help="relative benefit of biopsy with one (> 0)")
    p.add_argument(
        "--tests",
        type=_count,
        default=5,
        metavar="N",
        help="next tests shown in the report (default 5; --json lists all)",
    )
    p.add_argument(
        "--draws",
        default="1000",
        metavar="N",
        help="parameter draws for the share of each verdict (default 1000; 0 skips it)",
    )
    p.add_argument("--seed", default="0", metavar="S", help="random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _args_explain(sub: Any) -> None:
    p = sub.add_parser("explain", help="what each finding did, what if, conflict, narrative")
    _add_network(p)
    _add_case(p)
    p.add_argument(
        "--hypothesis",
        metavar="H",
        help="a group, a diagnosis state or VAR=STATE (default: the decision target; "
        "without one, the rarer state of the most uncertain root)",
    )
    p.add_argument(
        "--versus",
        metavar="B",
        help="compare with a second group, diagnosis state or VAR=STATE (any node)",
    )
    p.add_argument("--html", metavar="FILE", help="write one self-contained HTML page")
    _add_force(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _args_sensitivity(sub: Any) -> None:
    p = sub.add_parser("sensitivity", help="which numbers drive the posterior; how uncertain")
    _add_network(p)
    _add_case(p)
    p.add_argument(
        "--hypothesis",
        "--target",  # the first edition's name, kept working
        dest="hypothesis",
        metavar="H",
        help="a group, diagnosis state or VAR=STATE (default: the decision target; "
        "without one, the rarer state of the most uncertain root)",
    )
    p.add_argument(
        "--draws",
        default="10000",
        metavar="N",
        help="joint parameter draws for the probabilistic analysis (default 10000)",
    )
    p.add_argument("--seed", default="0", metavar="S", help="random seed (default 0)")
    p.add_argument(
        "--parameter",
        action=_append(),
        metavar="ID",
        help="analyse only these parameter ids (repeatable)",
    )
    p.add_argument(
        "--base-rates",
        nargs=2,
        default=["0.05", "0.60"],
        metavar=("LO", "HI"),
        help="range of the base-rate sweep (default 0.05 0.60)",
    )
    p.add_argument(
        "--top",
        type=_count,
        default=10,
        metavar="N",
        help="parameters shown in the report (default 10; --json lists all)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _args_calibrate(sub: Any) -> None:
    p = sub.add_parser("calibrate", help="check the network against published figures")
    _add_network(p)
    p.add_argument(
        "--targets",
        metavar="FILE",
        help="targets file (default: the bundled calibration/targets.yaml)",
    )
    p.add_argument(
        "--report",
        metavar="DIR",
        help="also write report.md with plots (simulated cohorts, decision curves)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _args_batch(sub: Any) -> None:
    p = sub.add_parser(
        "batch", help="score every row of a CSV file of cases (or Parquet files, on Dask)"
    )
    _add_network(p)
    p.add_argument(
        "--input",
        "-i",
        required=True,
        metavar="CASES.csv",
        help="one case per row, one column per variable; an empty cell is unobserved "
        "('-': standard input)",
    )
    p.add_argument(
        "--output",
        "-o",
        required=True,
        metavar="OUT.csv",
        help="the input columns plus VAR=state and group:NAME columns ('-': standard output); "
        "written whole or not at all, never over the input",
    )
    _add_force(p)
    p.add_argument(
        "--target",
        "-t",
        action=_append(),
        nargs="+",
        default=None,
        metavar="VAR",
        help="variable(s) to score (default: the diagnosis node; 'all': every one)",
    )
    p.add_argument(
        "--on-error",
        choices=("raise", "skip"),
        default="raise",
        help="raise: stop at the first bad row (status 2); skip: write the error "
        "in an 'error' column and leave that row's posteriors empty",
    )
    p.add_argument(
        "--passthrough",
        action=_append(),
        default=[],
        metavar="COLUMN",
        help="a column that is not a variable (an id), carried along (repeatable)",
    )
    import argparse

    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: for large inputs on a terminal)",
    )
    p.add_argument(
        "--jobs",
        "-j",
        metavar="N",
        help="processes scoring at once (default: the cores available); the output is the "
        "same for any N",
    )
    p.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local: this machine's processes, CSV in and out; dask (needs bayesdx[dask]): "
        "Parquet files in (INPUT may be a glob such as 'cohort-*.parquet'), a new folder of "
        "Parquet files out, on a dask.distributed cluster (docs/scale_out.md)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: a running scheduler (tcp://host:8786); default: a local "
        "cluster of --jobs worker processes, started and closed here",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _args_bench(sub: Any) -> None:
    p = sub.add_parser("bench", help="benchmark the compiled engine against pgmpy and pyAgrum here")
    p.add_argument(
        "--quick",
        action="store_true",
        help="fewer cases (the million-case figure is then extrapolated)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _args_explore(sub: Any) -> None:
    p = sub.add_parser(
        "explore", help="write an interactive case explorer: one self-contained HTML page"
    )
    _add_network(p)
    _add_case(p)
    p.add_argument(
        "--hypothesis",
        metavar="H",
        help="hypothesis for the weights of evidence and the quiz (default: the decision "
        "target; without one, the rarer state of the most uncertain root)",
    )
    p.add_argument(
        "--quiz",
        action="store_true",
        help="add the quiz: published cases revealed finding by finding, the trainee's "
        "estimates scored against the network's",
    )
    p.add_argument(
        "--cases",
        metavar="DIR",
        help="with --quiz: a folder of case files (default: the bundled case library)",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="PAGE.html",
        help="the HTML file to write ('-': standard output); never over an input",
    )
    _add_force(p)


def _args_validate(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="run the published case library, or a local cohort (--data), through the network",
    )
    _add_network(p)
    p.add_argument(
        "--cases",
        metavar="DIR",
        help="a folder of case files (default: the bundled calibration/cases)",
    )
    p.add_argument(
        "--data",
        metavar="COHORT.csv",
        help="a local cohort instead: one patient per row, findings as batch reads them",
    )
    p.add_argument(
        "--outcome",
        metavar="COLUMN",
        help="with --data: the column with the diagnosis (a state id) or 1/0 for the target group",
    )
    p.add_argument("--report", metavar="DIR", help="with --data: write report.html with plots")
    p.add_argument(
        "--folds",
        metavar="K",
        help="with --data: cross-validate, each patient scored by the literature network "
        "learned from the other K-1 folds",
    )
    p.add_argument("--seed", default="0", metavar="S", help="bootstrap and fold seed (default 0)")
    p.add_argument(
        "--bootstrap",
        default="1000",
        metavar="B",
        help="with --data: bootstrap resamples for the intervals (default 1000)",
    )
    _add_force(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _args_learn(sub: Any) -> None:
    p = sub.add_parser(
        "learn", help="update every table with a local cohort (the literature as the prior)"
    )
    _add_network(p)
    p.add_argument(
        "--data",
        required=True,
        metavar="COHORT.csv",
        help="one patient per row, one column per finding (as batch reads them), and the outcome",
    )
    p.add_argument(
        "--out",
        "-o",
        required=True,
        metavar="LOCAL.yaml",
        help="the learned network file; written whole or not at all, never over an input",
    )
    p.add_argument(
        "--outcome",
        metavar="COLUMN",
        help="the column with the diagnosis (a state of the decision node) or 1/0 for the "
        "target group; an empty cell is unknown (learned by EM)",
    )
    p.add_argument(
        "--prior-weight",
        default="1",
        metavar="W",
        help="multiply the literature's pseudo-counts, its equivalent sample size (default 1)",
    )
    p.add_argument(
        "--top",
        type=_count,
        default=10,
        metavar="N",
        help="numbers shown that moved most (default 10; --json lists all)",
    )
    _add_force(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _args_export(sub: Any) -> None:
    p = sub.add_parser("export", help="write the network in another format (see --format)")
    _add_network(p, required=True)
    p.add_argument(
        "--format",
        "-f",
        required=True,
        metavar="FORMAT",
        choices=_LazyChoices(lambda: bio.EXPORT_FORMATS),
        help="one of: %(choices)s",
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    _add_force(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")


#: the options :func:`_quick` reads that take one value, and where each goes
_QUICK_VALUE = {"--network": "network", "-n": "network", "-e": "evidence",
                "--evidence": "evidence", "--case": "case"}  # fmt: skip


def _quick(argv: list[str]) -> argparse.Namespace | None:
    """A plain ``query`` read as argparse reads it, without importing or building argparse
    (with gettext and locale, a few ms of a query's start); None for anything else.

    It reads only ``query`` with ``--network``/``-n``, ``-e``/``--evidence`` and ``--case``
    (each followed by one value), ``-t``/``--target`` (one or more) and ``--json``, every
    option written out in full and every value a word of its own that does not start with
    ``-``. Anything else (help, ``--opt=value``, abbreviations, a value such as ``-1``,
    ``--``, an error) is left to argparse, which reads it as always.

    Examples
    --------
    >>> vars(_quick(["query", "-e", "hb=9", "-t", "diagnosis", "hb", "--json"]))["target"]
    [['diagnosis', 'hb']]
    >>> _quick(["query", "--help"]) is None, _quick(["query", "-e", "-1"]) is None
    (True, True)
    """
    if not argv or argv[0] != "query":
        return None
    found: dict[str, Any] = {"command": "query", "network": DEFAULT_NETWORK, "evidence": [],
                             "case": None, "target": None, "json": False}  # fmt: skip
    i, n = 1, len(argv)
    while i < n:
        option = argv[i]
        if option == "--json":
            found["json"] = True
            i += 1
        elif option in ("-t", "--target"):  # nargs="+": every value up to the next option
            end = i + 1
            while end < n and not argv[end].startswith("-"):
                end += 1
            if end == i + 1:
                return None
            found["target"] = [*(found["target"] or []), argv[i + 1 : end]]
            i = end
        elif option in _QUICK_VALUE and i + 1 < n and not argv[i + 1].startswith("-"):
            dest = _QUICK_VALUE[option]
            if dest == "evidence":
                found[dest].append(argv[i + 1])
            else:
                found[dest] = argv[i + 1]
            i += 2
        else:
            return None
    return cast("argparse.Namespace", SimpleNamespace(**found))


def _checked(args: argparse.Namespace) -> argparse.Namespace:
    """Every option's value is text (lists of text where repeatable).

    Python 3.11's argparse takes ``--case=--`` as the end-of-options marker and leaves an
    empty list where a file name belongs; this refuses it instead of failing later.
    """

    repeatable = {"evidence", "target", "parameter", "passthrough", "base_rates"}
    for dest, value in vars(args).items():
        option = "--" + dest.replace("_", "-")
        if isinstance(value, list):
            items = [v for group in value for v in group] if dest == "target" else value
            groups_ok = dest != "target" or all(isinstance(g, list) and g for g in value)
            if (
                dest not in repeatable
                or not groups_ok
                or not all(isinstance(v, str) for v in items)
                or (dest == "base_rates" and len(value) != 2)
            ):
                raise _UsageError(f"bayesdx: error: {option} needs a value ('--' is not one)")
        elif dest == "command" or value is None or isinstance(value, bool | int | str):
            continue
        else:  # pragma: no cover - argparse gives nothing else
            raise _UsageError(f"bayesdx: error: {option} has an unexpected value")
    return args


def _version() -> str:
    return f"bayesdx {__version__}"


def _case(args: argparse.Namespace) -> dict[str, Any]:
    case: dict[str, Any] = bio.read_case(args.case) if args.case is not None else {}
    if len(args.evidence) > MAX_EVIDENCE:
        raise LimitError(
            f"{len(args.evidence):,} findings given with -e; the limit is {MAX_EVIDENCE:,} "
            "(bayesdx.limits.MAX_EVIDENCE)"
        )
    seen: dict[str, str] = {}
    for item in args.evidence:
        var, value = model.parse_assignment(item)
        if var in seen and not _same_value(seen[var], value):
            raise CaseFileError(
                f"evidence for {var} is given twice ({seen[var]} and {value}); give it once"
            )
        seen[var] = value
        case[var] = value  # the command line overrides the case file
    return case


def _same_value(a: str, b: str) -> bool:
    """``10`` and ``10.0`` are one value; ``lt_12`` and ``10`` are not."""
    if a == b:
        return True
    x, y = model.parse_number(a), model.parse_number(b)
    return x is not None and y is not None and x == y


def _cmd_networks(args: argparse.Namespace) -> int:
    if args.markdown is not None:
        sys.stdout.write(bio.network_markdown(bio.load_network(args.markdown)))
        return 0
    rows = []
    for name in bio.bundled_networks():
        net = bio.load_network(name)
        rows.append(
            {
                "id": name,
                "title": net.title,
                "nodes": len(net.variables),
                "path": str(bio.bundled_path(name)),
            }
        )
    if args.json:
        print(json.dumps({"networks": rows}, indent=2))
    else:
        for r in rows:
            print(f"{r['id']:<20} {r['nodes']:>3} nodes  {r['title']}")
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    net = bio.load_network(args.network)
    targets = [t for group in args.target for t in group] if args.target else None
    post = inference.query(net, _case(args), targets=targets)
    print(json.dumps(post.to_dict(), indent=2) if args.json else str(post))
    return 0


def _cmd_recommend(args: argparse.Namespace) -> int:
    draws, seed = _integer(args.draws, "--draws"), _integer(args.seed, "--seed")
    net = bio.load_network(args.network)
    if net.spec.decision is None:
        raise decision.no_decision_error(net.id)
    policy = decision.resolve_policy(net.spec.decision, args.threshold, args.harm, args.benefit)
    rec = decision.recommend(net, _case(args), policy=policy, draws=draws, seed=seed)
    print(json.dumps(rec.to_dict(), indent=2) if args.json else rec.report(args.tests))
    return 0


def _inputs(args: argparse.Namespace) -> list[str]:
    """The files this run reads, which no output may replace (a bundled network's too)."""

    names = ("case", "input", "targets", "network", "data")
    files = [getattr(args, name, None) for name in names]
    network = getattr(args, "network", None)
    if network in bio.bundled_networks():
        files.append(str(bio.bundled_path(network)))
    return [f for f in files if f and f != "-"]


def _output(args: argparse.Namespace, path: str) -> str:
    """Check an output before any work is done (it is checked again when written)."""
    if path != "-":
        bio.check_output(path, inputs=_inputs(args), force=args.force)
    return path


def _report_stream(out: str | None) -> Any:
    """Where the report goes: stderr when stdout carries the output file (``-o -``)."""
    return sys.stderr if out == "-" else sys.stdout


def _cmd_explain(args: argparse.Namespace) -> int:
    net = bio.load_network(args.network)
    out = _output(args, args.html) if args.html else None
    ex = explanation.explain(net, _case(args), hypothesis=args.hypothesis, versus=args.versus)
    if out is not None:
        with bio.atomic_output(out, inputs=_inputs(args), force=args.force) as fh:
            fh.write(ex.to_html())
    stream = _report_stream(out)
    if args.json:
        print(json.dumps(ex.to_dict(), indent=2), file=stream)
    else:
        print(str(ex), file=stream)
        if out is not None and out != "-":
            print(f"wrote {out}")
    return 0


def _integer(text: str, name: str) -> int:
    import argparse  # _count's complaint

    try:
        return _count(text)
    except argparse.ArgumentTypeError:
        raise CaseFileError(f"{name} must be a whole number (digits 0-9), got {text!r}") from None


def _jobs(text: str | None) -> int | None:
    """``--jobs``: a whole number from 1 to MAX_JOBS (None: the cores available)."""
    if text is None:
        return None
    jobs = _integer(text, "--jobs")
    if not 1 <= jobs <= MAX_JOBS:
        raise CaseFileError(f"--jobs must be from 1 to {MAX_JOBS}, got {text}")
    return jobs


def _probability(text: str, name: str) -> float:
    if len(text) > MAX_DIGITS or not model.NUMBER.match(text.strip()):
        raise CaseFileError(f"{name} {text!r} is not a number such as 0.05")
    return float(text)


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    draws = _integer(args.draws, "--draws")
    if draws < 1:
        raise CaseFileError(f"draws must be a positive integer, got {draws}")
    seed = _integer(args.seed, "--seed")
    lo, hi = args.base_rates  # nargs=2, and _checked refuses any other count
    rates = (_probability(lo, "--base-rates"), _probability(hi, "--base-rates"))
    net = bio.load_network(args.network)
    case = _case(args)
    rep = sensitivity_analysis.sensitivity(
        net,
        case,
        hypothesis=args.hypothesis,
        parameters=args.parameter,
        base_rates=rates,
        draws=draws,
        seed=seed,
    )
    if args.json:
        print(json.dumps(rep.to_dict(), indent=2))
    else:
        print(rep.report(args.top))
    return 0


def _cmd_calibrate(args: argparse.Namespace) -> int:
    net = bio.load_network(args.network)
    from pathlib import Path

    if args.targets is not None and not Path(args.targets).is_file():
        why = "not a regular file" if Path(args.targets).exists() else "no such file"
        raise CaseFileError(f"cannot read targets file {args.targets}: {why}")
    if args.report is not None and not args.report.strip():
        raise CaseFileError("the report folder name is empty; give a folder (--report DIR)")
    if args.targets is None and args.network != DEFAULT_NETWORK:
        raise CaseFileError(
            "the bundled targets are for marrow_signal; give --targets FILE for another network"
        )
    report = validation.calibrate(net, args.targets)
    written = None
    if args.report is not None:
        folder = Path(args.report)
        if folder.exists() and not folder.is_dir():
            raise CaseFileError(f"cannot write a report into {folder}: it is a file")
        written = validation.write_report(net, folder, literature=args.targets)
    if args.json:
        doc = report.to_dict()
        doc["report"] = str(written) if written else None
        print(json.dumps(doc, indent=2))
    else:
        print(str(report))
        if written:
            print(f"wrote {written}")
    return 0 if report.failed == 0 else 1


def _cmd_explore(args: argparse.Namespace) -> int:
    if args.cases is not None and not args.quiz:
        raise _UsageError("bayesdx: error: --cases is for the quiz: add --quiz, or leave it out")
    net = bio.load_network(args.network)
    quiz = None
    if args.quiz:
        quiz = (
            bio.load_cases(_case_folder(args.cases)) if args.cases is not None else bio.load_cases()
        )
    inputs = _inputs(args) + [c.path for c in quiz or ()]
    out = args.output
    if out != "-":
        bio.check_output(out, inputs=inputs, force=args.force)
    ex = explanation.explore_command(
        net,
        _case(args),
        out,
        force=args.force,
        inputs=inputs,
        hypothesis=args.hypothesis,
        quiz=quiz,
    )
    if out != "-":
        print(f"wrote {out}")
        if quiz is not None:
            left = f"; left out: {'; '.join(ex.quiz_skipped)}" if ex.quiz_skipped else ""
            print(f"quiz: {len(ex.quiz_cases)} published cases{left}")
    return 0


def _case_folder(folder: str) -> str:
    """A ``--cases`` folder, checked: an error names it and says why it cannot be read."""
    from pathlib import Path

    if not Path(folder).is_dir():
        why = "not a folder" if Path(folder).exists() else "no such folder"
        raise CaseFileError(f"cannot read cases from {folder}: {why}")
    return folder


def _cmd_validate(args: argparse.Namespace) -> int:
    if args.data is not None:
        return _validate_cohort(args)
    for option in ("outcome", "report", "folds"):
        if getattr(args, option) is not None:
            raise _UsageError(f"bayesdx: error: --{option} goes with --data COHORT.csv")
    net = bio.load_network(args.network)
    if args.cases is not None:
        _case_folder(args.cases)
    report = validation.validate_cases(net, args.cases)
    print(json.dumps(report.to_dict(), indent=2) if args.json else str(report))
    return 0


def _validate_cohort(args: argparse.Namespace) -> int:
    """``validate --data``: the network on a local cohort (or cross-validated on it)."""
    if args.cases is not None:
        raise _UsageError("bayesdx: error: give --cases (the case library) or --data, not both")
    if args.outcome is None:
        raise _UsageError("bayesdx: error: --data needs --outcome COLUMN (the truth per patient)")
    seed, bootstrap = _integer(args.seed, "--seed"), _integer(args.bootstrap, "--bootstrap")
    folds = _integer(args.folds, "--folds") if args.folds is not None else None
    if folds is not None and folds < 2:
        raise CaseFileError(f"--folds must be 2 or more, got {folds}")
    if args.report is not None:
        from pathlib import Path

        if not args.report.strip():
            raise CaseFileError("the report folder name is empty; give a folder (--report DIR)")
        if Path(args.report).exists() and not Path(args.report).is_dir():
            raise CaseFileError(f"cannot write a report into {args.report}: it is a file")
    net = bio.load_network(args.network)
    frame, name = bio.read_cohort(args.data)
    digest = bio.cohort_hash(frame)
    same = any(r["sha256"] == digest for r in learning.learned_from(net))
    scores = None
    scored_by = net
    if folds is not None:
        scored_by = bio.load_network(learning.prior_network(net) or args.network)
        scores = learning.cross_validate(
            scored_by, frame, args.outcome, folds=folds, seed=seed, label=name
        )
    result = validation.validate_cohort(
        scored_by, frame, args.outcome, scores=scores, bootstrap=bootstrap, seed=seed,
        label=name, same_data=same and folds is None, folds=folds,
    )  # fmt: skip
    written = None
    if args.report is not None:
        inputs = tuple(_inputs(args))
        written = validation.write_cohort_report(result, args.report, inputs=inputs)
    if args.json:
        print(json.dumps({**result.to_dict(), "report": str(written) if written else None}))
    else:
        print(str(result))
        if written:
            print(f"wrote {written}")
    return 0


def _positive(text: str, name: str) -> float:
    number = model.parse_number(text.strip()) if len(text) <= MAX_DIGITS else None
    if number is None or not 0 < number < float("inf"):
        raise CaseFileError(f"{name} must be a positive number such as 0.5 or 2, got {text!r}")
    return float(number)


def _cmd_learn(args: argparse.Namespace) -> int:
    weight = _positive(args.prior_weight, "the prior weight (--prior-weight)")
    net = bio.load_network(args.network)
    out = _output(args, args.out)
    if out == "-":
        raise CaseFileError("--out must be a file: the learned network is written, not printed")
    result = learning.learn(net, args.data, outcome=args.outcome, prior_weight=weight)
    result.write(out, inputs=_inputs(args), force=args.force)
    if args.json:
        print(json.dumps({**result.to_dict(), "out": out}, indent=2))
    else:
        print(result.report(args.top))
        print(f"wrote {out}")
    return 0


def _cmd_batch(args: argparse.Namespace) -> int:
    if args.engine == "dask":
        return _batch_on_dask(args)
    if args.scheduler is not None:
        raise _UsageError("bayesdx: error: --scheduler needs --engine dask")
    net = bio.load_network(args.network)
    out = _output(args, args.output)
    targets = _batch_targets(args)
    summary = inference.score_csv(
        net,
        args.input,
        out,
        targets=targets,
        on_error=args.on_error,
        progress=args.progress,
        passthrough=args.passthrough,
        force=args.force,
        jobs=_jobs(args.jobs),
    )
    report = json.dumps(summary.to_dict()) if args.json else str(summary)
    print(report, file=_report_stream(out))
    return 0


def _batch_targets(args: argparse.Namespace) -> list[str] | str | None:
    targets = [t for group in args.target for t in group] if args.target else None
    return "all" if targets == ["all"] else targets


def _batch_on_dask(args: argparse.Namespace) -> int:
    """``batch --engine dask``: Parquet files to a folder of Parquet files (bayesdx.dask)."""
    for given, name in ((args.input, "--input"), (args.output, "--output")):
        if given == "-":
            raise _UsageError(f"bayesdx: error: {name} - (a standard stream) needs --engine local")
    if args.force:
        raise _UsageError("bayesdx: error: --force needs --engine local (dask writes a new folder)")
    if args.scheduler is not None and args.jobs is not None:
        raise _UsageError(
            "bayesdx: error: --jobs sets the local cluster's workers; with --scheduler the "
            "scheduler's workers do the work"
        )
    jobs = _jobs(args.jobs)
    try:  # the first use imports it: Dask is an optional extra
        score_parquet = _dask.score_parquet
    except ImportError:
        raise _UsageError(
            "bayesdx: error: --engine dask needs Dask, distributed and pyarrow: "
            "pip install 'bayesdx[dask]'"
        ) from None
    net = bio.load_network(args.network)
    summary = score_parquet(
        net,
        args.input,
        args.output,
        targets=_batch_targets(args),
        on_error=args.on_error,
        passthrough=args.passthrough,
        scheduler=args.scheduler,
        workers=jobs,
    )
    print(json.dumps(summary.to_dict()) if args.json else str(summary))
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    if args.quick:
        report = _bench.run_benchmark(
            cases=2_000,
            pgmpy_cases=20,
            large_cases=100_000,
            psa_draws=2_000,
            peer_seconds=0.5,
            multicore_cases=20_000,
        )
    else:
        report = _bench.run_benchmark()
    print(json.dumps(report.to_dict(), indent=2) if args.json else str(report))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    net = bio.load_network(args.network)
    out = _output(args, args.output)
    bio.check_export_suffix(out, args.format)
    result = bio.export_text(net, args.format)
    with bio.atomic_output(out, inputs=_inputs(args), force=args.force, binary=True) as fh:
        fh.write(result.text.encode("utf-8"))
    note = result.note()
    if net.defaults:
        note += ". Give the defaults as evidence when you query it."
    stream = _report_stream(out)
    if args.json:
        doc = {
            "network": net.id,
            "format": args.format,
            "path": str(out),
            "note": note,
            "renamed": result.renamed,
            "not_exported": result.not_exported,
        }
        print(json.dumps(doc), file=stream)
    else:
        print(f"wrote {out} ({args.format}, {len(net.variables)} nodes)", file=stream)
        if note:
            print(f"note: {note}", file=stream)
    return 0


_COMMANDS = {
    "networks": _cmd_networks,
    "query": _cmd_query,
    "recommend": _cmd_recommend,
    "explain": _cmd_explain,
    "sensitivity": _cmd_sensitivity,
    "calibrate": _cmd_calibrate,
    "batch": _cmd_batch,
    "validate": _cmd_validate,
    "learn": _cmd_learn,
    "explore": _cmd_explore,
    "bench": _cmd_bench,
    "export": _cmd_export,
}

#: commands about one case or one network: no use for a BLAS thread pool
_ONE_CASE = frozenset({"networks", "query", "recommend", "explain", "explore", "export"})

#: each command's arguments, in the order ``bayesdx --help`` lists them
_ARGUMENTS = {
    "networks": _args_networks,
    "query": _args_query,
    "recommend": _args_recommend,
    "explain": _args_explain,
    "sensitivity": _args_sensitivity,
    "calibrate": _args_calibrate,
    "batch": _args_batch,
    "bench": _args_bench,
    "explore": _args_explore,
    "validate": _args_validate,
    "learn": _args_learn,
    "export": _args_export,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 or 2).

    ``--help`` and ``--version`` print and exit through ``SystemExit(0)``, as argparse does.

    Examples
    --------
    A user error returns 2 (its one line goes to stderr):

    >>> main(["query", "-e", "hb=banana"])
    2
    """
    restore = _on_signals()
    unescape = _escaping_streams()
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        if len(argv) > _MAX_ARGS:
            raise LimitError(
                f"{len(argv):,} command-line arguments; the limit is {_MAX_ARGS:,} "
                "(give many findings in a --case file, many cases in a CSV for batch)"
            )
        command = argv[0] if argv and argv[0] in _ARGUMENTS else None
        if command in _ONE_CASE and "numpy" not in sys.modules:
            # one case's arithmetic gains nothing from a BLAS thread pool, and starting one
            # costs every such command several milliseconds (a setting of the user's stands)
            os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        args = _checked(_quick(argv) or _parser(command).parse_args(argv))
        return _COMMANDS[args.command](args)
    except _Terminated as exc:
        print(f"bayesdx: stopped by {exc.name}; no file was left half-written", file=sys.stderr)
        return 128 + exc.number
    except _UsageError as exc:
        print(_one_line(str(exc)), file=sys.stderr)
        return 2
    except BayesdxError as exc:
        print(_one_line("bayesdx: error: " + str(exc)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bayesdx: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # the file system refused (a name too long, a full disk, ...)
        where = f" {exc.filename}" if exc.filename else ""
        print(
            _one_line(f"bayesdx: error: cannot use{where}: {exc.strerror or exc}"), file=sys.stderr
        )
        return 2
    finally:
        restore()
        unescape()


def _one_line(message: str) -> str:
    r"""The message on one line: runs of ASCII white space become one space, and any other
    character a terminal could take as a line break or a control is shown escaped.

    Examples
    --------
    >>> print(_one_line("bad value 'a\u2028b'\n  (see --help)\x1b[2J"))
    bad value 'a\u2028b' (see --help)\x1b[2J
    """
    import re
    import unicodedata

    def safe(ch: str) -> str:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            return ch.encode("unicode_escape").decode("ascii")
        return ch

    text = re.sub(r"[ \t\n\r\f\v]+", " ", message).strip()
    return "".join(safe(ch) for ch in text)


class _Terminated(BaseException):
    """SIGTERM or SIGHUP, raised where the program is so that ``finally`` blocks clean up."""

    def __init__(self, number: int):
        super().__init__(number)
        import signal  # only when a signal came

        self.number, self.name = number, signal.Signals(number).name


def _escaping_streams() -> Any:
    """Let stdout and stderr show any text: a file name made of bytes that are not UTF-8
    (``\\udcff`` after Python's surrogate escape) is shown escaped, not a traceback."""
    changed: list[Any] = []  # the streams that have reconfigure (hasattr below)
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
            changed.append(stream)

    def restore() -> None:
        for stream in changed:
            stream.reconfigure(errors="strict")

    return restore


def _on_signals() -> Any:
    """Turn SIGTERM and SIGHUP into :class:`_Terminated` (as SIGINT is KeyboardInterrupt).

    Outside the main thread (a notebook's worker thread) Python refuses handlers: then none.
    """

    def handler(number: int, frame: Any) -> None:
        raise _Terminated(number)

    try:
        old = {n: _sig.signal(n, handler) for n in (_sig.SIGTERM, _sig.SIGHUP)}
    except ValueError:  # "signal only works in main thread of the main interpreter"
        return lambda: None

    def restore() -> None:
        for n, h in old.items():
            _sig.signal(n, h)

    return restore


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
