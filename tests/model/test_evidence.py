"""Normalising a case: states, raw values at the cut-points, defaults, bad values."""

from __future__ import annotations

import pytest

from bayesdx.errors import CaseFileError, RawValueError, UnknownStateError, UnknownVariableError
from bayesdx.io import read_case
from bayesdx.model import normalise, parse_assignment


@pytest.mark.parametrize(
    ("value", "state"),
    [(9.99, "neg"), (10.0, "pos"), ("10", "pos"), (" 3.5 ", "neg"), ("pos", "pos"), (0, "neg")],
)
def test_raw_values_at_the_cut(tiny, value, state):
    assert normalise(tiny, {"test": value}).given == {"test": state}


def test_raw_value_is_kept_with_a_note(tiny):
    ev = normalise(tiny, {"test": "12.5"})
    assert ev.raw == {"test": 12.5}
    assert ev.notes == {"test": "12.5 U >= 10"}


def test_defaults_only_when_not_given(tiny):
    assert normalise(tiny, {}).assumed == {"exposure": "no"}
    assert normalise(tiny, {"exposure": "yes"}).assumed == {}
    assert normalise(tiny, {}, defaults=False).assumed == {}


def test_unknown_variable_lists_valid(tiny):
    with pytest.raises(
        UnknownVariableError,
        match=r"unknown variable 'tset' in network 'tiny' \(did you mean test=pos\?\); "
        "valid variables: exposure, disease, test, symptom",
    ):
        normalise(tiny, {"tset": "pos"})


def test_unknown_state_lists_valid_and_raw_option(tiny):
    with pytest.raises(
        UnknownStateError,
        match="unknown state 'positive' for variable 'test'; "
        "valid states: neg, pos; or a number in U",
    ):
        normalise(tiny, {"test": "positive"})
    with pytest.raises(UnknownStateError, match=r"valid states: d1, d2$"):
        normalise(tiny, {"disease": "d3"})


def test_number_for_a_variable_without_cut_points(tiny):
    with pytest.raises(
        RawValueError,
        match="disease: 3 is a number, but disease has no cut-points; give a state: d1, d2",
    ):
        normalise(tiny, {"disease": 3})


@pytest.mark.parametrize("value", [-1, 100.5, float("inf"), "1e9"])
def test_out_of_range(tiny, value):
    with pytest.raises(RawValueError, match=r"outside the plausible range 0 to 100 U|not a finite"):
        normalise(tiny, {"test": value})


def test_nan_and_booleans(tiny):
    with pytest.raises(RawValueError, match="not a finite number"):
        normalise(tiny, {"test": "nan"})
    with pytest.raises(UnknownStateError, match="quote them"):
        normalise(tiny, {"exposure": True})


def test_parse_assignment():
    assert parse_assignment(" hb = 11.2 ") == ("hb", "11.2")
    for bad in ["hb", "=3", "hb="]:
        with pytest.raises(CaseFileError, match="is not VAR=VALUE"):
            parse_assignment(bad)


def test_read_case_yaml_and_json(tmp_path):
    (tmp_path / "c.yaml").write_text("hb: 11.2\nm_protein: present\n")
    (tmp_path / "c.json").write_text('{"hb": 11.2, "m_protein": "present"}')
    assert (
        read_case(tmp_path / "c.yaml")
        == read_case(tmp_path / "c.json")
        == {"hb": 11.2, "m_protein": "present"}
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- hb\n- 3\n", "must map variables to values"),
        ("hb: [1, 2]\n", "hb must be a state or a number"),
        ("hb: 11\n  x: [\n", "is malformed YAML"),
    ],
)
def test_read_case_bad(tmp_path, text, message):
    (tmp_path / "c.yaml").write_text(text)
    with pytest.raises(CaseFileError, match=message):
        read_case(tmp_path / "c.yaml")


def test_read_case_missing(tmp_path):
    with pytest.raises(CaseFileError, match=r"cannot read case file .*No such file"):
        read_case(tmp_path / "none.yaml")


def test_numpy_numbers_are_numbers(tiny):
    import numpy as np

    assert normalise(tiny, {"test": np.float32(12.5)}).given == {"test": "pos"}
    assert normalise(tiny, {"test": np.int64(3)}).given == {"test": "neg"}


@pytest.mark.parametrize("value", ["1_0", "١٠", "0x10", "10 U"])
def test_only_plain_ascii_numbers(tiny, value):
    with pytest.raises(UnknownStateError, match="unknown state"):
        normalise(tiny, {"test": value})


def test_huge_integer(tiny):
    with pytest.raises(RawValueError, match="too large a number"):
        normalise(tiny, {"test": 10**400})


def test_integer_matching_a_numeric_state(tmp_path):
    from bayesdx import load_network

    path = tmp_path / "num.bif"
    path.write_text(
        "network n { }\nvariable rain { type discrete [ 2 ] { 0, 1 }; }\n"
        "probability ( rain ) { table 0.8, 0.2 ; }\n"
    )
    net = load_network(path)
    assert normalise(net, {"rain": 1}).given == {"rain": "1"}


@pytest.mark.parametrize(
    ("name", "text"), [("c.yaml", "hb: 10\nhb: 13\n"), ("c.json", '{"hb": 10, "hb": 13}')]
)
def test_case_file_duplicate_keys(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    with pytest.raises(CaseFileError, match="hb"):
        read_case(tmp_path / name)


def test_empty_case_file_name():
    with pytest.raises(CaseFileError, match="the case file name is empty"):
        read_case("")
