"""Earlier editions' inputs: deterministic children, raw values read elsewhere, legacy rules."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

import bayesdx
import bayesdx.model
from bayesdx.errors import (
    ImpossibleEvidenceError,
    NetworkFileError,
    RawValueError,
    UnknownStateError,
    UnknownVariableError,
)
from bayesdx.inference import marginals

from helpers import COARSE, LEGACY, LEVEL, TINY, legacy_network


@pytest.fixture
def net(tmp_path):
    return legacy_network(tmp_path)


def test_deterministic_child_is_the_sum_of_its_parent_states(net):
    table = net.cpts["coarse"]
    assert table.tolist() == [[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]]
    full = marginals(net, {}, ["level"])[0]["level"]
    coarse = marginals(net, {}, ["coarse"])[0]["coarse"]
    assert coarse["ge_10"] == pytest.approx(full["mid"] + full["high"], abs=1e-15)


def test_evidence_on_the_child_is_evidence_on_a_set_of_parent_states(net):
    post = marginals(net, {"coarse": "ge_10"}, ["disease"])[0]["disease"]
    prior = {"d1": 0.3, "d2": 0.7}
    like = {"d1": 0.3 + 0.1, "d2": 0.3 + 0.6}
    z = sum(prior[d] * like[d] for d in prior)
    assert post["d1"] == pytest.approx(prior["d1"] * like["d1"] / z, abs=1e-12)


@pytest.mark.parametrize(
    ("value", "level", "coarse"),
    [(4.0, "low", "lt_10"), ("12.5", "mid", "ge_10"), (25, "high", "ge_10")],
)
def test_a_raw_value_is_read_by_the_finer_node(net, value, level, coarse):
    ev = bayesdx.normalise(net, {"coarse": value})
    assert ev.given == {"level": level, "coarse": coarse}
    assert "U" in ev.notes["level"] and ev.notes["coarse"] == f"from level = {level}"
    direct = bayesdx.query(net, {"level": level})
    assert bayesdx.query(net, {"coarse": value})["disease"] == pytest.approx(direct["disease"])


@pytest.mark.parametrize(
    "case",
    [
        {"level": "high", "coarse": 12.5},  # 12.5 U is mid
        {"coarse": 12.5, "level": "high"},
        {"level": 50, "coarse": 12.5},
        {"coarse": 12.5, "level": 50},
    ],
)
def test_a_raw_value_contradicting_the_finer_node_is_refused(net, case):
    with pytest.raises(ImpossibleEvidenceError, match=r"level=high, coarse=12\.5 U"):
        bayesdx.normalise(net, case)


def test_a_raw_value_agreeing_with_the_finer_node_is_one_finding(net):
    ev = bayesdx.normalise(net, {"level": "mid", "coarse": 12.5})
    assert ev.given == {"level": "mid", "coarse": "ge_10"} and ev.raw == {"coarse": 12.5}


def test_messages_name_the_variable_given_and_its_unit(net):
    with pytest.raises(UnknownStateError) as info:
        bayesdx.normalise(net, {"coarse": "between"})
    assert str(info.value).endswith("valid states: ge_10, lt_10; or a number in U")
    with pytest.raises(RawValueError, match=r"^coarse = 500 U is outside the plausible range"):
        bayesdx.normalise(net, {"coarse": 500})
    with pytest.raises(UnknownStateError, match="leave coarse out of the case"):
        bayesdx.normalise(net, {"coarse": float("nan")})
    with pytest.raises(RawValueError, match="read the case with normalise"):
        bayesdx.model.state_of(net.node("coarse"), 4.0)


def test_a_state_of_the_child_still_works(net):
    assert bayesdx.normalise(net, {"coarse": "lt_10"}).given == {"coarse": "lt_10"}


def test_legacy_rules_read_old_inputs_and_say_so(net):
    ev = bayesdx.normalise(net, {"old_test": "positive"})
    assert ev.given == {"test": "pos"}
    assert ev.read_as == {"old_test=positive": "test=pos (first edition)"}
    assert "Read as (earlier edition's input): old_test=positive -> test=pos" in str(ev)
    assert ev.to_dict()["read_as"] == ev.read_as


def test_the_first_matching_rule_wins_and_conditions_are_kept(net):
    ev = bayesdx.normalise(net, {"old_test": "negative", "exposure": "yes"})
    assert ev.given == {"exposure": "yes", "test": "neg"}
    alone = bayesdx.normalise(net, {"old_test": "negative"})
    assert alone.given == {} and alone.read_as == {"old_test=negative": "nothing (left unobserved)"}


def test_direct_evidence_wins_over_a_legacy_reading(net):
    ev = bayesdx.normalise(net, {"old_test": "positive", "test": "neg"})
    assert ev.given["test"] == "neg"


def test_unknown_inputs_without_a_rule_are_still_refused(net):
    # an earlier edition's variable is known: the error names the values its rules read
    with pytest.raises(UnknownStateError) as info:
        bayesdx.normalise(net, {"old_test": "maybe"})
    assert "unknown state 'maybe' for variable 'old_test'" in str(info.value)
    assert "valid states: positive, negative (an earlier edition's input" in str(info.value)
    with pytest.raises(UnknownStateError, match="a missing value is no finding: leave old_test"):
        bayesdx.normalise(net, {"old_test": None})
    with pytest.raises(UnknownVariableError) as info:
        bayesdx.normalise(net, {"new_test": "positive"})
    assert str(info.value).endswith(", old_test")  # valid variables include old_test
    with pytest.raises(UnknownStateError):
        bayesdx.normalise(net, {"coarse": "between"})


def _cpt(doc: dict, mapping: dict) -> None:
    doc["nodes"][-1]["cpt"] = {"deterministic": mapping}


def _rule(doc: dict, given: dict, read_as: dict) -> None:
    doc["legacy"].append({"given": given, "read_as": read_as})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _cpt(d, {"lt_10": ["low"], "ge_10": ["mid"]}), "not listed"),
        (lambda d: _cpt(d, {"lt_10": ["low", "mid"], "ge_10": ["mid", "high"]}), "listed under"),
        (lambda d: d["nodes"][-1].update(parents=["level", "disease"]), "exactly one parent"),
        (lambda d: d["nodes"][-1].update(raw_to="disease"), "has no measure"),
        (lambda d: d["nodes"][-1].update(raw_to="nowhere"), "unknown node"),
        (lambda d: _rule(d, {"test": "pos"}, {}), "ordinary evidence"),
        (lambda d: _rule(d, {"x": "y"}, {"test": "maybe"}), "not a state of test"),
    ],
)  # fmt: skip
def test_bad_definitions_are_refused_with_their_field(tmp_path, change, message):
    doc = yaml.safe_load(TINY.read_text())
    doc["nodes"] += [copy.deepcopy(LEVEL), copy.deepcopy(COARSE)]
    doc["legacy"] = copy.deepcopy(LEGACY)
    change(doc)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(NetworkFileError, match=message):
        bayesdx.load_network(path)


def test_definitions_carry_no_parameters_to_sample(net):
    from bayesdx.model import network_parameters, sample_tables

    assert not any(p.node == "coarse" for p in network_parameters(net))
    assert "coarse" not in sample_tables(net, np.random.default_rng(0), 3)


def test_the_network_document_shows_definitions_and_legacy_rules(net):
    from bayesdx.io import network_markdown

    text = network_markdown(net)
    assert "- defined from `level`: ge_10 = level in {mid, high}; lt_10 = level in {low}" in text
    assert "- raw values: read by `level`'s cut-points" in text
    assert "- old_test=positive -> test=pos (first edition)" in text


def test_a_legacy_reading_takes_the_place_where_it_was_entered(net):
    ev = bayesdx.normalise(net, {"exposure": "yes", "old_test": "positive", "coarse": "lt_10"})
    assert list(ev.given) == ["exposure", "test", "coarse"]
