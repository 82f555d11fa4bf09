"""Every input is bounded: bad files and arguments give one clear error, never a traceback.

Alias bombs, deep nesting, huge numbers, huge files, many keys, wrong types and tables too
large to allocate are refused with a :class:`~bayesdx.errors.BayesdxError` naming what was
wrong and the limit, before any large allocation. The bombs are generated small, in tmp_path.
"""

from __future__ import annotations

import copy
import math
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

import bayesdx
from bayesdx import limits, query
from bayesdx.cli import main
from bayesdx.decision import evaluate_guideline
from bayesdx.errors import (
    ArgumentError,
    BayesdxError,
    CaseFileError,
    LimitError,
    NetworkFileError,
    RawValueError,
    UnknownStateError,
    UnknownVariableError,
)
from bayesdx.io import load_network, load_spec, read_case, read_yaml
from bayesdx.model import normalise, parse_decision, parse_number, parse_spec
from bayesdx.validation import load_targets

from helpers import TINY

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)  # 9**9 = 387 million strings once expanded, about 300 bytes on disk
BAD_VALUES = [[["a"]], {"a": [1]}, None, 7, [], {}, "zz", True, 10**400, math.nan, [None]]


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _cli(capsys: pytest.CaptureFixture, *argv: str) -> str:
    """Run the command line in-process; it must fail with exactly one short stderr line."""
    assert main(list(argv)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("bayesdx: error: "), err[:300]
    assert len(err) < 1000
    return err


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out += _paths(value, (*prefix, i))
    return out


def _replaced(doc: Any, path: tuple, value: Any) -> Any:
    doc = copy.deepcopy(doc)
    if not path:
        return copy.deepcopy(value)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = copy.deepcopy(value)
    return doc


# --------------------------------------------------------------------------- YAML aliases


def test_alias_bomb_in_a_case_file_is_refused(tmp_path, capsys):
    path = _write(tmp_path, "bomb.yaml", BOMB)
    with pytest.raises(CaseFileError, match=r"not a flat mapping: it uses the alias \*a at line 2"):
        read_case(path)
    assert "alias" in _cli(capsys, "query", "--case", str(path))


def test_alias_bomb_in_a_network_file_is_refused_quickly(tmp_path, capsys):
    path = _write(tmp_path, "bomb.yaml", "format: bayesdx/1\n" + BOMB)
    start = time.perf_counter()
    with pytest.raises(LimitError, match=r"more than 2,000,000 YAML nodes once aliases are"):
        load_spec(path)
    assert time.perf_counter() - start < 2
    err = _cli(capsys, "query", "--network", str(path))
    assert "bayesdx.limits.MAX_YAML_NODES" in err


def test_recursive_alias_is_refused(tmp_path):
    with pytest.raises(NetworkFileError, match=r"alias \*a at line 2 is inside the node"):
        read_yaml("x.yaml", "a: &a\n  - *a\n")
    with pytest.raises(NetworkFileError, match="recursive structure"):
        read_yaml("x.yaml", "a: &a {b: *a}\n")


def test_small_aliases_and_merge_keys_still_work():
    assert read_yaml("x.yaml", "a: &x [1, 2]\nb: *x\nc: {<<: {k: 1}, j: 2}\n") == {
        "a": [1, 2],
        "b": [1, 2],
        "c": {"k": 1, "j": 2},
    }
    assert "diagnosis" in load_network("marrow_signal").variables  # &biopsy_indicated


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "a: " + "{b: " * 65 + "1" + "}" * 65 + "\n",
        # shallow as written, deep once the alias is expanded
        "a: &d " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 30 + "*d" + "]" * 30 + "\n",
    ],
)
def test_deep_yaml_is_refused(text):
    with pytest.raises(
        LimitError, match=r"nested more than 64 deep .* \(bayesdx.limits.MAX_DEPTH\)"
    ):
        read_yaml("x.yaml", text)


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "text", ["012", "12", "0012.50", "+12", "1e1", ".5", "0x0C", "0o14", "1:07", "1_0", ".inf"]
)
def test_case_file_numbers_read_as_the_command_line_reads_them(tiny, tmp_path, text):
    def outcome(case: Any) -> tuple:
        try:
            return ("ok", normalise(tiny, case).given)
        except BayesdxError as exc:
            return (type(exc), str(exc))

    from_file = outcome(read_case(_write(tmp_path, "c.yaml", f"test: {text}\n")))
    assert from_file == outcome({"test": text})  # what -e test=TEXT does
    if text.startswith(("0x", "0o")) or ":" in text or "_" in text or text == ".inf":
        assert from_file[0] is UnknownStateError and "valid states: neg, pos" in from_file[1]


def test_cli_reads_012_as_12(capsys, tmp_path):
    case = _write(tmp_path, "c.yaml", "hb: 012\n")
    assert main(["query", "--case", str(case)]) == 0
    from_file = capsys.readouterr().out
    assert main(["query", "-e", "hb=012"]) == 0
    assert capsys.readouterr().out == from_file
    # 012 is 12, read against the second edition's cuts 12 and 13 g/dL; hb (< 12 or not)
    # follows from it
    assert "hb_level=12_to_13 (12 g/dL >= 12), hb=ge_12 (from hb_level = 12_to_13)" in from_file


def test_yaml_numbers_are_plain_decimals():
    doc = read_yaml("x.yaml", "a: 012\nb: 0x0C\nc: 1_000\nd: 1:07\ne: 1e3\nf: 10\ng: .nan")
    assert doc == {
        "a": 12,
        "b": "0x0C",
        "c": "1_000",
        "d": "1:07",
        "e": 1000.0,
        "f": 10,
        "g": ".nan",
    }
    assert isinstance(doc["f"], int) and isinstance(doc["e"], float)
    assert read_yaml("x.yaml", "yes: on")[True] is True  # YAML 1.1 booleans are kept


def test_explicit_yaml_number_tags_follow_the_rule():
    assert read_yaml("x.yaml", "a: !!float 2\nb: !!int '07'") == {"a": 2.0, "b": 7}
    with pytest.raises(NetworkFileError, match=r"'0x10' at line 1 is not an integer"):
        read_yaml("x.yaml", "a: !!int 0x10")


def test_counts_written_with_a_leading_zero_are_decimal(tmp_path):
    text = TINY.read_text().replace("counts: [90, 100]", "counts: [090, 0100]")
    path = _write(tmp_path, "t.yaml", text)
    entry = next(load_spec(path).nodes["test"].cpt.entries())
    assert entry.uncertainty.counts == (10.0, 90.0)


@pytest.mark.parametrize("kind", ["yaml", "json", "cli", "network"])
def test_numbers_longer_than_max_digits_are_refused(tmp_path, capsys, kind):
    digits = "1" * 5000  # beyond Python's 4,300-digit limit for int()
    if kind == "network":
        path = _write(tmp_path, "n.yaml", TINY.read_text().replace("ess: 10", f"ess: {digits}"))
        with pytest.raises(LimitError, match=r"line \d+: a number of 5000 characters"):
            load_spec(path)
        argv = ["query", "--network", str(path)]
    elif kind == "cli":
        argv = ["query", "-e", f"hb={digits}"]
    else:
        text = f"hb: {digits}\n" if kind == "yaml" else f'{{"hb": {digits}}}'
        path = _write(tmp_path, f"c.{kind}", text)
        with pytest.raises(LimitError, match="a number of 5000 characters"):
            read_case(path)
        argv = ["query", "--case", str(path)]
    assert "the limit is 64 characters (bayesdx.limits.MAX_DIGITS)" in _cli(capsys, *argv)


def test_number_parser_limits():
    assert parse_number("9" * 64) == int("9" * 64)
    with pytest.raises(LimitError, match="a number of 65 characters"):
        parse_number("9" * 65)
    assert parse_number("١٠") is None  # digits of other scripts are text


def test_huge_python_integers_never_reach_int_to_str(tiny):
    with pytest.raises(RawValueError, match="an integer of about 5001 digits is too large"):
        normalise(tiny, {"test": 10**5000})
    with pytest.raises(RawValueError, match="an integer of about 5001 digits is too large"):
        normalise(tiny, {"disease": 10**5000})


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("depth", [100_000, 65])
def test_deep_json_is_refused(tmp_path, capsys, depth):
    path = _write(tmp_path, "c.json", '{"hb": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}")
    with pytest.raises(LimitError, match="nested more than 64 deep; the limit is 64"):
        read_case(path)
    assert "MAX_DEPTH" in _cli(capsys, "query", "--case", str(path))


def test_json_case_with_many_keys_is_linear_and_refused(tmp_path):
    letters = "abcdefghijklmnopqrstuvwxyz"
    keys = [a + b + c for a in letters for b in letters for c in letters][:120_000]
    path = _write(tmp_path, "c.json", "{" + ",".join(f'"{k}":1' for k in keys) + "}")
    assert path.stat().st_size < limits.MAX_CASE_BYTES
    start = time.perf_counter()
    with pytest.raises(LimitError, match=r"gives 17,576 findings; the limit is 10,000"):
        read_case(path)
    assert time.perf_counter() - start < 2


def test_json_duplicates_are_listed_shortly(tmp_path):
    body = ",".join(f'"k{i % 3000}": 1' for i in range(6000))
    with pytest.raises(CaseFileError, match=r"gives k0, k1, k10, k100, k1000 and 2995 more twice"):
        read_case(_write(tmp_path, "c.json", "{" + body + "}"))


# --------------------------------------------------------------------------- file size, bytes


def test_dev_zero_case_is_refused(capsys):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(LimitError, match=r"/dev/zero is larger than 1 MiB.*MAX_CASE_BYTES"):
        read_case("/dev/zero")
    assert "MAX_CASE_BYTES" in _cli(capsys, "query", "--case", "/dev/zero")


@pytest.mark.parametrize("suffix", [".yaml", ".bif", ".xmlbif", ".xdsl", ".net"])
def test_network_files_larger_than_the_limit_are_refused(tmp_path, capsys, suffix):
    path = tmp_path / f"big{suffix}"
    with path.open("wb") as handle:  # a sparse file: no disk used
        handle.truncate(limits.MAX_NETWORK_BYTES + 1)
    with pytest.raises(LimitError, match=r"is larger than 64 MiB.*MAX_NETWORK_BYTES"):
        load_network(path)
    assert "MAX_NETWORK_BYTES" in _cli(capsys, "query", "--network", str(path))


def test_case_file_of_many_keys_is_refused_fast(tmp_path, capsys):
    letters = "abcdefghijklmnopqrstuvwxyz"
    keys = [a + b + c for a in letters for b in letters for c in letters]
    path = _write(tmp_path, "c.yaml", "".join(f"{k}: 1\n" for k in keys))
    assert path.stat().st_size < limits.MAX_CASE_BYTES
    start = time.perf_counter()
    with pytest.raises(LimitError, match=r"more than 10,000 findings.*MAX_EVIDENCE"):
        read_case(path)
    assert time.perf_counter() - start < 2
    _cli(capsys, "query", "--case", str(path))


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_invalid_utf8_case(tmp_path, capsys, suffix):
    path = _write(tmp_path, f"c{suffix}", b"hb: \xff\xfe\n")
    with pytest.raises(CaseFileError, match=r"not UTF-8 text \(byte 0xff at offset 4\)"):
        read_case(path)
    _cli(capsys, "query", "--case", str(path))


@pytest.mark.parametrize("suffix", [".yaml", ".bif"])
def test_invalid_utf8_network(tmp_path, suffix):
    path = _write(tmp_path, f"n{suffix}", b"format: \xc3\x28\n")
    with pytest.raises(NetworkFileError, match=r"cannot read file: not UTF-8 text"):
        load_network(path)


# --------------------------------------------------------------------------- tables


def _wide(n_parents: int, form: str) -> dict:
    doc = yaml.safe_load(TINY.read_text())
    parents = [f"p{i}" for i in range(n_parents)]
    entry = {"p": {"s1": 0.5}, "source": "expert", "ess": 10}
    for p in parents:
        doc["nodes"].append(
            {
                "id": p,
                "label": p,
                "role": "context",
                "states": ["s0", "s1"],
                "description": "a parent",
                "cpt": {"table": [entry]},
            }
        )
    on = {"p": 0.5, "source": "expert", "ess": 10}
    cpt = (
        {"noisy_or": {"state": "on", "leak": on, "causes": {p: {"s1": on} for p in parents}}}
        if form == "noisy_or"
        else {"table": [{"when": {p: ["s0", "s1"] for p in parents}, **entry | {"p": {"on": 0.5}}}]}
    )
    doc["nodes"].append(
        {
            "id": "wide",
            "label": "wide",
            "role": "finding",
            "states": ["off", "on"],
            "parents": parents,
            "description": "a node with many parents",
            "cpt": cpt,
        }
    )
    return doc


@pytest.mark.parametrize(
    ("n_parents", "form", "size"), [(28, "noisy_or", "4 GiB"), (26, "table", "1 GiB")]
)
def test_tables_too_large_are_refused_before_allocation(write_doc, capsys, n_parents, form, size):
    path = write_doc(_wide(n_parents, form))
    start = time.perf_counter()
    with pytest.raises(
        LimitError,
        match=rf"node 'wide', field 'cpt': the table has .* 2\^{n_parents} combinations, x 2 "
        rf"states\), {size} as float64; the limit is 16,777,216 cells \(128 MiB\)",
    ):
        load_spec(path)
    assert time.perf_counter() - start < 2
    assert "MAX_TABLE_CELLS" in _cli(capsys, "query", "--network", str(path))


def test_one_row_covering_many_combinations_expands_at_once(write_doc):
    net = load_network(write_doc(_wide(16, "table")))
    table = net.cpts["wide"]
    assert table.shape == (2,) * 17 and (table[..., 1] == 0.5).all()


def test_a_state_listed_twice_in_a_row(write_doc, tiny_doc):
    sym = next(n for n in tiny_doc["nodes"] if n["id"] == "test")
    sym["cpt"]["table"][0]["when"] = {"disease": ["d1", "d1"]}
    with pytest.raises(NetworkFileError, match=r"cpt.table\[0\].when.disease': a state is listed"):
        load_spec(write_doc(tiny_doc))


def test_bif_table_too_large_is_refused_before_pgmpy_allocates(tmp_path, capsys):
    parents = [f"a{i}" for i in range(28)]
    text = "network n { }\n" + "".join(
        f"variable {p} {{\n  type discrete [ 2 ] {{ s0, s1 }};\n}}\n" for p in [*parents, "x"]
    )
    text += "".join(f"probability ( {p} ) {{\n  table 0.5, 0.5;\n}}\n" for p in parents)
    text += (
        f"probability ( x | {', '.join(parents)} ) {{\n  ({', '.join(['s0'] * 28)}) 0.1, 0.9;\n}}\n"
    )
    path = _write(tmp_path, "wide.bif", text)
    with pytest.raises(LimitError, match=r"node 'x': the table has 536,870,912 cells.*4 GiB"):
        load_network(path)
    _cli(capsys, "query", "--network", str(path))


# --------------------------------------------------------------------------- wrong types


def test_every_network_field_is_type_checked(tiny_doc):
    """Each value of the tiny network replaced by a wrong type: a named error, never a crash."""
    for where in _paths(tiny_doc)[1:]:
        for bad in BAD_VALUES:
            try:
                parse_spec(_replaced(tiny_doc, where, bad), "net.yaml")
            except NetworkFileError as exc:
                assert str(exc).startswith("net.yaml: "), (where, bad)
            except BayesdxError:
                pass
            except Exception as exc:  # pragma: no cover - the failure being tested for
                pytest.fail(f"{where} = {bad!r}: {type(exc).__name__}: {exc}")


def test_every_decision_field_is_type_checked(tiny):
    decision = yaml.safe_load(TINY.read_text())["decision"]
    states = dict(tiny.states)
    diagnosis = tiny.role("diagnosis")
    for where in _paths(decision):
        for bad in BAD_VALUES:
            try:
                parse_decision(
                    _replaced(decision, where, bad),
                    "net.yaml",
                    states,
                    tiny.spec.groups,
                    tiny.spec.sources,
                    diagnosis,
                )
            except NetworkFileError as exc:
                assert str(exc).startswith("net.yaml: field 'decision"), (where, bad)
            except Exception as exc:  # pragma: no cover - the failure being tested for
                pytest.fail(f"{where} = {bad!r}: {type(exc).__name__}: {exc}")


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (("groups", "disease", "sick"), [["d1"]], "field 'groups.disease.sick': expected a non"),
        (("decision", "target"), ["sick"], "field 'decision.target': expected a group or a"),
        (("decision", "band", "source"), {"a": 1}, "field 'decision.band.source': expected a so"),
        (
            ("decision", "workup", 0, "findings"),
            [["test"]],
            "field 'decision.workup[0].findings': expected a variable (text), got ['test']",
        ),
        (
            ("decision", "guideline", "rules", 0, "id"),
            ["a"],
            "field 'decision.guideline.rules[0].id': expected an id (text), got ['a']",
        ),
        (("decision", "guideline", "rules", 0, "any", "test"), [], "expected a non-empty list"),
        (
            ("sources", "expert", "citation"),
            ["x"],
            "field 'sources.expert.citation': expected text",
        ),
    ],
)
def test_wrong_types_name_file_section_and_field(
    write_doc, tiny_doc, capsys, where, value, message
):
    path = write_doc(_replaced(tiny_doc, where, value))
    with pytest.raises(NetworkFileError, match=re.escape(message)):
        load_spec(path)
    assert message in _cli(capsys, "query", "--network", str(path))


# --------------------------------------------------------------------------- Python API


@pytest.mark.parametrize("case", ["hb=10", ["hb"], [("hb", 10)], 3])
def test_a_case_that_is_not_a_mapping(marrow, case):
    with pytest.raises(ArgumentError, match="case must be a mapping of variables to values"):
        bayesdx.normalise(marrow, case)
    with pytest.raises(TypeError, match="got " + type(case).__name__):
        query(marrow, case)


@pytest.mark.parametrize("key", [1, None, ("hb",), b"hb"])
def test_a_variable_that_is_not_a_name(marrow, key):
    with pytest.raises(ArgumentError, match="a variable must be given by its name"):
        bayesdx.normalise(marrow, {key: "x"})


@pytest.mark.parametrize("value", [None, math.nan, "pd.NA"])
@pytest.mark.parametrize("variable", ["hb", "smear"])
def test_missing_values_are_named(marrow, variable, value):
    if value == "pd.NA":
        import pandas as pd

        value = pd.NA
    missing = f"a missing value is no finding: leave {variable} out of the case"
    with pytest.raises(UnknownStateError, match=missing) as info:
        query(marrow, {variable: value})
    assert f"for variable '{variable}'" in str(info.value)


def test_long_values_are_cut_in_messages(marrow, capsys):
    with pytest.raises(UnknownStateError) as info:
        normalise(marrow, {"smear": "x" * 100_000})
    assert len(str(info.value)) < 300 and "(100000 characters)" in str(info.value)
    with pytest.raises(UnknownVariableError) as info:
        normalise(marrow, {"y" * 100_000: 1})
    assert len(str(info.value)) < 1000
    _cli(capsys, "query", "-e", "smear=" + "x" * 100_000)


def test_too_many_findings_in_python(marrow):
    with pytest.raises(LimitError, match="10,001 findings; the limit is 10,000"):
        normalise(marrow, {f"v{i}": 1 for i in range(limits.MAX_EVIDENCE + 1)})


def test_guideline_needs_a_mapping(marrow):
    with pytest.raises(ArgumentError, match="states must be a mapping"):
        evaluate_guideline(marrow.spec.decision.guideline, ["hb"])


# --------------------------------------------------------------------------- targets files


def _targets() -> dict:
    from bayesdx.validation import default_targets_path

    doc = yaml.safe_load(default_targets_path().read_text())
    doc["targets"] = doc["targets"][:3]
    return doc


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([1, 2], "expected a mapping with a list under 'targets'"),
        ({"targets": [["x"]]}, "field 'targets[0]': expected a mapping with id"),
        (
            {"targets": [{"id": "t"}]},
            "field 'targets[0] (t).quantity': missing required field",
        ),
        (
            {"targets": [{**_targets()["targets"][0], "event": {"hb": [["lt_12"]]}}]},
            "field 'targets[0] (referral_yield).event.hb': ['lt_12'] is not a state or group",
        ),
        (
            {"targets": [{**_targets()["targets"][0], "id": ["x"]}]},
            "field 'targets[0].id': expected text, got ['x']",
        ),
        (
            {"targets": [{**_targets()["targets"][0], "interval": {"counts": [[1], 2]}}]},
            "field 'targets[0] (referral_yield).interval': expected counts [k, n]",
        ),
        (
            {"targets": [{**_targets()["targets"][0], "event": {"nope": "x"}}]},
            "field 'targets[0] (referral_yield).event': unknown variable 'nope'",
        ),
        (
            {"targets": [{**_targets()["targets"][0], "context": {"setting": "moon"}}]},
            "bad context setting=moon",
        ),
        (
            {"targets": [{**_targets()["targets"][0], "published": "0.4"}]},
            "field 'targets[0] (referral_yield).published': expected a probability",
        ),
    ],
)
def test_bad_targets_files(marrow, tmp_path, capsys, doc, message):
    path = _write(tmp_path, "t.yaml", yaml.safe_dump(doc))
    with pytest.raises(NetworkFileError, match=re.escape(message)):
        load_targets(marrow, path)
    err = _cli(capsys, "calibrate", "--targets", str(path))
    assert message in err and str(path) in err


def test_every_targets_field_is_type_checked(marrow, monkeypatch):
    import bayesdx.validation._targets as calibration

    doc = _targets()
    for where in _paths(doc):
        for bad in BAD_VALUES:
            changed = _replaced(doc, where, bad)
            monkeypatch.setattr(calibration, "read_yaml", lambda path, changed=changed: changed)
            try:
                load_targets(marrow, "t.yaml")
            except NetworkFileError as exc:
                assert str(exc).startswith("t.yaml: "), (where, bad)
            except Exception as exc:  # pragma: no cover - the failure being tested for
                pytest.fail(f"{where} = {bad!r}: {type(exc).__name__}: {exc}")
