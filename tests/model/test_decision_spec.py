"""Validation of the decision section of a network file."""

from __future__ import annotations

import pytest

from bayesdx.errors import NetworkFileError
from bayesdx.io import load_spec


def _fails(write_doc, doc, message):
    path = write_doc(doc)
    with pytest.raises(NetworkFileError) as info:
        load_spec(path)
    assert str(info.value) == f"{path}: {message}"


def test_tiny_decision_parses():
    from helpers import TINY

    d = load_spec(TINY).decision
    assert (d.node, d.target, d.members, d.band) == ("disease", "sick", ("d1",), (0.4, 0.5))
    assert [r.id for r in d.guideline.rules] == ["positive_test", "symptomatic"]
    assert len(d.biopsy_protocol[0].when) == 2


def test_unknown_target(write_doc, tiny_doc):
    tiny_doc["decision"]["target"] = "cancer"
    _fails(
        write_doc, tiny_doc, "field 'decision.target': unknown target 'cancer'; valid: sick, d1, d2"
    )


def test_state_target(write_doc, tiny_doc):
    tiny_doc["decision"]["target"] = "d2"
    assert load_spec(write_doc(tiny_doc)).decision.members == ("d2",)


def test_band_order(write_doc, tiny_doc):
    tiny_doc["decision"]["band"].update(low=0.6, high=0.5)
    _fails(write_doc, tiny_doc, "field 'decision.band': expected 0 < low <= high < 1")


def test_rule_state(write_doc, tiny_doc):
    tiny_doc["decision"]["guideline"]["rules"][0]["any"] = {"test": "positive"}
    _fails(
        write_doc,
        tiny_doc,
        "field 'decision.guideline.rules[0].any.test': 'positive' is not "
        "a state of test; valid states: neg, pos",
    )


def test_condition_key(write_doc, tiny_doc):
    tiny_doc["decision"]["pitfalls"][0]["when"] = {"asumed": ["exposure"]}
    _fails(
        write_doc,
        tiny_doc,
        "field 'decision.pitfalls[0].when.asumed': unknown key; valid "
        "keys: leading, observed, unobserved_any, assumed, p_at_least, "
        "p_below, verdict, guideline, fired",
    )


def test_fired_names_a_rule(write_doc, tiny_doc):
    tiny_doc["decision"]["pitfalls"][1]["when"] = {"fired": ["sneezing"]}
    _fails(
        write_doc,
        tiny_doc,
        "field 'decision.pitfalls[1].when.fired': unknown value "
        "'sneezing'; valid: positive_test, symptomatic",
    )


def test_workup_variable(write_doc, tiny_doc):
    tiny_doc["decision"]["workup"][0]["findings"] = ["tset"]
    _fails(
        write_doc,
        tiny_doc,
        "field 'decision.workup[0].findings': unknown variable 'tset'; "
        "valid: exposure, disease, test, symptom",
    )
