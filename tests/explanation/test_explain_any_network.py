"""explain on networks without a decision section (pgmpy's alarm and hepar2, read from BIF):
a default hypothesis that says how it was chosen, and --versus across nodes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from bayesdx.cli import main
from bayesdx.errors import ArgumentError, UnknownHypothesisError, UnknownStateError
from bayesdx.explanation import explain
from bayesdx.inference import marginals
from bayesdx.model import (
    FixedCPT,
    Network,
    NetworkSpec,
    NodeSpec,
    default_hypothesis,
    resolve_hypothesis,
)

from helpers import ALARM_CASE, HEPAR_CASE


@pytest.fixture(scope="module")
def nets(alarm, hepar2):
    return {"alarm": alarm, "hepar2": hepar2}


def _relative_entropy(p: np.ndarray) -> float:
    q = p[p > 0]
    return float(-(q * np.log(q)).sum() / math.log(len(p)))


@pytest.mark.parametrize("name", ["alarm", "hepar2"])
def test_default_is_the_rarer_state_of_the_most_uncertain_root(nets, name):
    net = nets[name]
    h = resolve_hypothesis(net)
    roots = [v for v in net.variables if not net.parents[v]]
    assert h.node in roots
    best = max(_relative_entropy(net.cpts[v]) for v in roots)
    assert _relative_entropy(net.cpts[h.node]) == pytest.approx(best)
    prior = dict(zip(net.states[h.node], net.cpts[h.node], strict=True))
    (state,) = h.members
    assert prior[state] == min(p for p in prior.values() if p > 0)
    assert h.name == f"{h.node}={state}"
    assert h.note.startswith("chosen by default") and "--hypothesis VAR=STATE" in h.note
    # the same whatever order the file lists the nodes in
    shuffled = Network(NetworkSpec(net.id, "", "", dict(reversed(list(net.spec.nodes.items())))))
    assert resolve_hypothesis(shuffled).node == h.node or _relative_entropy(
        net.cpts[resolve_hypothesis(shuffled).node]
    ) == pytest.approx(best)


def test_alarm_default_is_a_condition(nets):
    assert resolve_hypothesis(nets["alarm"]).name == "HYPOVOLEMIA=TRUE"  # prior 0.2, not 0.8


def test_a_context_root_with_a_default_is_not_chosen():
    a = NodeSpec("a", ("x", "y"), (), FixedCPT(np.array([0.5, 0.5]), ()), default="x")
    b = NodeSpec("b", ("no", "yes"), ("a",), FixedCPT(np.array([[0.9, 0.1], [0.8, 0.2]]), ("a",)))
    c = NodeSpec("c", ("no", "yes"), (), FixedCPT(np.array([0.97, 0.03]), ()))
    net = Network(NetworkSpec("n", "n", "", {"a": a, "b": b, "c": c}))
    assert default_hypothesis(net).name == "c=yes"


@pytest.mark.parametrize(("name", "case"), [("alarm", ALARM_CASE), ("hepar2", HEPAR_CASE)])
def test_explain_with_the_default_hypothesis(nets, name, case):
    net = nets[name]
    ex = explain(net, case)
    h = resolve_hypothesis(net)
    assert ex.hypothesis == h and ex.hypothesis.note == h.note
    total = sum(c.sequential_decibans for c in ex.contributions)
    assert total == pytest.approx(ex.total_decibans, abs=1e-9)
    dist, _ = marginals(net, case, [h.node])
    assert ex.posterior == pytest.approx(dist[h.node][h.members[0]], abs=1e-12)
    assert "Hypothesis chosen by default" in str(ex)
    assert ex.to_dict()["hypothesis_note"] == h.note
    # a named hypothesis carries no note
    named = explain(net, case, hypothesis=h.name)
    assert named.to_dict()["hypothesis_note"] is None and "chosen by default" not in str(named)


def test_versus_across_nodes_is_the_ratio_of_posteriors(nets):
    net = nets["alarm"]
    ex = explain(net, ALARM_CASE, hypothesis="HYPOVOLEMIA=TRUE", versus="LVFAILURE=TRUE")
    comp = ex.comparison
    assert comp is not None and (comp.a, comp.b) == ("HYPOVOLEMIA=TRUE", "LVFAILURE=TRUE")

    def odds(case: dict) -> float:
        d, _ = marginals(net, case, ["HYPOVOLEMIA", "LVFAILURE"])
        return d["HYPOVOLEMIA"]["TRUE"] / d["LVFAILURE"]["TRUE"]

    assert comp.p_a == pytest.approx(ex.posterior, abs=1e-12)
    for finding, state, db in comp.weights:
        rest = {k: v for k, v in ALARM_CASE.items() if k != finding}
        expected = 10 * math.log10(odds(ALARM_CASE) / odds(rest))
        assert ALARM_CASE[finding] == state
        assert db == pytest.approx(expected, abs=1e-9)


def test_versus_on_the_same_node_still_works(nets):
    ex = explain(nets["alarm"], ALARM_CASE, hypothesis="INTUBATION=NORMAL",
                 versus="INTUBATION=ONESIDED")  # fmt: skip
    assert ex.comparison is not None and ex.comparison.b == "INTUBATION=ONESIDED"
    with pytest.raises(ArgumentError, match="overlaps"):
        explain(nets["alarm"], ALARM_CASE, hypothesis="HYPOVOLEMIA=TRUE",
                versus="HYPOVOLEMIA=TRUE")  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"versus": "LVFAILUR=TRUE"}, "--versus 'LVFAILUR=TRUE': unknown variable 'LVFAILUR' "
         "(did you mean LVFAILURE?)"),
        ({"versus": "LVFAILURE=yes"}, "--versus 'LVFAILURE=yes': unknown state 'yes' for "
         "variable 'LVFAILURE'; valid states: TRUE, FALSE"),
        ({"hypothesis": "lvfailure"}, "--hypothesis 'lvfailure': this network has no groups or "
         "diagnosis states; LVFAILURE is a variable: give LVFAILURE=STATE"),
        ({"versus": "shock"}, "--versus 'shock': this network has no groups or diagnosis "
         "states; give VAR=STATE, for example HYPOVOLEMIA=TRUE"),
    ],
)  # fmt: skip
def test_errors_name_the_argument(nets, kwargs, message):
    with pytest.raises(UnknownHypothesisError) as info:
        explain(nets["alarm"], ALARM_CASE, **kwargs)
    assert isinstance(info.value, UnknownStateError)
    assert message in str(info.value)


def test_cli_explain_on_a_bif(pgmpy_folder, nets, capsys):
    argv = ["explain", "--network", str(pgmpy_folder / "alarm.bif"), "--json"]
    for k, v in ALARM_CASE.items():
        argv += ["-e", f"{k}={v}"]
    assert main([*argv, "--versus", "LVFAILURE=TRUE"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["hypothesis"] == "HYPOVOLEMIA=TRUE" and "chosen by default" in doc["hypothesis_note"]
    assert doc["comparison"]["b"] == "LVFAILURE=TRUE"
    assert main([*argv, "--versus", "LVFAILUR=TRUE"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--versus 'LVFAILUR=TRUE'" in err
