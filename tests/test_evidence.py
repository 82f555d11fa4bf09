"""Normalising a case: states, raw values at the cut-points, defaults, bad values."""

from __future__ import annotations

import pytest

from bayesdx.errors import CaseFileError, RawValueError, UnknownStateError, UnknownVariableError
from bayesdx.evidence import normalise, parse_assignment, read_case


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
        match="unknown variable 'tset' in network 'tiny'; "
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
        ("hb: 11\n  x: [\n", "is malformed"),
    ],
)
def test_read_case_bad(tmp_path, text, message):
    (tmp_path / "c.yaml").write_text(text)
    with pytest.raises(CaseFileError, match=message):
        read_case(tmp_path / "c.yaml")


def test_read_case_missing(tmp_path):
    with pytest.raises(CaseFileError, match=r"cannot read case file .*No such file"):
        read_case(tmp_path / "none.yaml")
