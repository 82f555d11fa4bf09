"""Help with typos and units: "did you mean" for variables and states, and unit hints."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bayesdx.errors import (
    RawValueError,
    UnknownStateError,
    UnknownVariableError,
    close_matches,
    did_you_mean,
)
from bayesdx.model import UNIT_CONVERSIONS, Measure, normalise, unit_alternatives

# ------------------------------------------------------------------- names


@given(st.lists(st.from_regex(r"[a-z][a-z_]{1,10}", fullmatch=True), min_size=1, unique=True),
       st.data())  # fmt: skip
def test_a_name_that_differs_only_in_case_is_named_alone(names, data):
    word = data.draw(st.sampled_from(names))
    typed = word.upper()
    if typed == word:
        return
    assert close_matches(typed, names) == [word]
    assert did_you_mean(typed, names) == f" (did you mean {word}?)"


def test_close_spellings_and_nothing_for_a_stranger():
    assert close_matches("hgb", ["hb", "ldh", "age"]) == ["hb"]
    assert close_matches("cancer", ["gaucher", "mds"]) == []  # below the 0.7 ratio
    assert did_you_mean("zzz", ["hb"]) == "" and did_you_mean(3, ["hb"]) == ""
    assert did_you_mean("hb", ["hb"]) == ""  # a name is not its own suggestion


@pytest.mark.parametrize(
    ("case", "error", "message"),
    [
        ({"hgb": 10.4}, UnknownVariableError, "unknown variable 'hgb' in network "
         "'marrow_signal' (did you mean hb=10.4?); valid variables: setting"),
        ({"M_PROTEIN": "Present"}, UnknownVariableError, "(did you mean m_protein=present?)"),
        ({"m_protien": "present"}, UnknownVariableError, "(did you mean m_protein=present?)"),
        ({"Hb": 104}, UnknownVariableError, "(did you mean hb=10.4?)"),
        ({"m_protein": "Present"}, UnknownStateError, "unknown state 'Present' for variable "
         "'m_protein' (did you mean present?); valid states: absent, present"),
        ({"hb": "LT_12"}, UnknownStateError, "(did you mean lt_12?); valid states: ge_12, lt_12;"
         " or a number in g/dL"),
    ],
)  # fmt: skip
def test_typos_in_a_case(marrow, case, error, message):
    with pytest.raises(error) as info:
        normalise(marrow, case)
    assert message in str(info.value)


def test_no_suggestion_when_nothing_is_close(marrow):
    with pytest.raises(UnknownVariableError) as info:
        normalise(marrow, {"qqqqq": 1})
    assert "did you mean" not in str(info.value)


def test_typos_on_an_imported_network(alarm):
    with pytest.raises(UnknownVariableError, match=r"\(did you mean HRBP=HIGH\?\)"):
        normalise(alarm, {"hrbp": "high"})
    with pytest.raises(UnknownStateError, match=r"\(did you mean HIGH\?\)"):
        normalise(alarm, {"HRBP": "High"})


# ------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("case", "hint"),
    [
        ({"hb": 104}, "104 looks like g/L: did you mean hb=10.4 (g/dL)?"),
        ({"calcium": 2.9}, "2.9 looks like mmol/L: did you mean calcium=11.6 (mg/dL)?"),
        ({"renal": 180}, "180 looks like micromol/L: did you mean renal=2.04 (mg/dL)?"),
        ({"monocytosis": 800}, "800 looks like /uL: did you mean monocytosis=0.8 (10^9/L)?"),
    ],
)
def test_a_value_in_another_common_unit_is_named(marrow, case, hint):
    with pytest.raises(RawValueError) as info:
        normalise(marrow, case)
    text = str(info.value)
    assert "outside the plausible range" in text and text.endswith(hint)
    # the suggested value is read without complaint
    (variable,) = case
    suggested = float(hint.rsplit("=", 1)[1].split()[0])
    assert normalise(marrow, {variable: suggested}).given


@pytest.mark.parametrize("case", [{"hb": 0.5}, {"age": 200}, {"calcium": 900}])
def test_no_unit_hint_when_no_unit_fits(marrow, case):
    with pytest.raises(RawValueError) as info:
        normalise(marrow, case)
    assert "looks like" not in str(info.value)


def test_every_conversion_lands_in_the_range_it_offers(marrow):
    measures = [n.measure for n in marrow.spec.nodes.values() if n.measure is not None]
    offered = 0
    for m in measures:
        lo, hi = m.range
        for unit, factor in m.other_units:
            raw = (lo + hi) / 2 / factor  # the middle of the range, written in the other unit
            fits = m.conversions(raw)
            assert (unit, pytest.approx((lo + hi) / 2)) in fits
            assert all(lo <= x <= hi for _, x in fits)
            offered += 1
    assert offered >= 5  # hb, calcium, creatinine and the counts have other units


def test_conversions_are_data_keyed_on_unit_and_substance():
    assert (
        unit_alternatives("serum creatinine", "mg/dL") == UNIT_CONVERSIONS[("mg/dL", "creatinine")]
    )
    assert unit_alternatives("Haemoglobin", "g/dL")[0] == ("g/L", 0.1)
    assert unit_alternatives("age", "years") == ()
    # a measure may carry its own alternatives (none: no hint)
    m = Measure("x", "g/dL", (1.0,), ("lo", "hi"), (0.0, 2.0), (), alternatives=())
    assert m.unit_hint(10.0) == ""


# ------------------------------------------------------------------- command line


@pytest.mark.parametrize(
    ("evidence", "message"),
    [
        ("hgb=10.4", "did you mean hb=10.4?"),
        ("M_PROTEIN=Present", "did you mean m_protein=present?"),
        ("hb=104", "104 looks like g/L: did you mean hb=10.4 (g/dL)?"),
        ("calcium=2.9", "did you mean calcium=11.6 (mg/dL)?"),
    ],
)
def test_cli_names_the_fix_on_one_line(evidence, message):
    proc = subprocess.run(
        [sys.executable, "-m", "bayesdx", "query", "-e", evidence],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert message in proc.stderr
