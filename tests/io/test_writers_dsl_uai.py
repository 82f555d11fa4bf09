"""The GeNIe DSL and UAI writers, and the XMLBIF writer's title and labels.

bayesdx writes, bayesdx reads back the same tables (every bit) and the same posteriors; ids
are rewritten to each format's rules and every rewrite is listed; what a format cannot hold
is listed; a suffix of another format is refused. pyAgrum 3.3.1 reads DSL and UAI numbers in
single precision and UAI tables with the parents in reverse order (tests/data/corpus/
SOURCES.md), so its posteriors are compared on tables it can read exactly (multiples of
2**-12) and, for UAI, with one parent at most; the reversal is shown as it is.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bayesdx import load_network
from bayesdx.cli import main
from bayesdx.errors import OutputFileError
from bayesdx.inference import marginals
from bayesdx.io import (
    EXPORT_FORMATS,
    EXPORT_SUFFIXES,
    check_export_suffix,
    export_text,
    write_model,
)
from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec

from helpers import random_network

FORMATS = ("dsl", "uai", "xmlbif")


def _write_read(network, tmp_path, fmt, stem="net"):
    path = tmp_path / f"{stem}{EXPORT_SUFFIXES[fmt][0]}"
    result = write_model(network, str(path), fmt)
    return load_network(path), result


def _renames(result) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Node and state renames from the listed ones (``node 'a' -> 'b'``, ``a state of ...``)."""
    nodes: dict[str, str] = {}
    states: dict[tuple[str, str], str] = {}
    for r in result.renamed:
        if r.startswith("node "):
            old, new = r[len("node ") :].split(" -> ")
            nodes[old.strip("'")] = new.strip("'")
        elif r.startswith("a state of node "):
            head, pair = r[len("a state of node ") :].split(": ", 1)
            old, new = pair.split(" -> ")
            states[head.strip("'"), old.strip("'")] = new.strip("'")
    return nodes, states


def _same_network(net: Network, back: Network, result, *, exact_posteriors: bool = True):
    """Every table to the bit, under the listed renames, and the same posteriors."""
    nodes, states = _renames(result)
    assert len(back.variables) == len(net.variables)
    for v in net.variables:
        w = nodes.get(v, v)
        assert back.states[w] == tuple(states.get((v, s), s) for s in net.states[v])
        assert back.parents[w] == tuple(nodes.get(p, p) for p in net.parents[v])
        assert np.array_equal(back.cpts[w], net.cpts[v])  # to the bit
    ours, _ = marginals(net, {}, list(net.variables))
    theirs, _ = marginals(back, {}, list(back.variables))
    for v in net.variables:
        w = nodes.get(v, v)
        for s, p in ours[v].items():
            q = theirs[w][states.get((v, s), s)]
            assert q == pytest.approx(p, abs=1e-13 if exact_posteriors else 1e-9)


def _awkward() -> Network:
    """Ids that break DSL's rules, a DSL keyword, labels with quotes and '=', a title."""
    p = 0.1234567890123457
    a = NodeSpec("age group", ("40_to_59", "State 1", "ID"), (),
                 FixedCPT(np.array([p, 0.5, 0.5 - p]), ()),
                 label='Age "group" = years')  # fmt: skip
    table = np.array([[1 / 3, 2 / 3], [0.7, 0.30000000000000004], [1e-05, 0.99999]])
    b = NodeSpec("node", ("neg", "pos"), ("age group",), FixedCPT(table, ("age group",)),
                 label="Second test")  # fmt: skip
    spec = NetworkSpec(id="2nd net", title="An awkward network", description="",
                       nodes={"age group": a, "node": b})  # fmt: skip
    return Network(spec)


# ------------------------------------------------------------------ the formats are there
def test_dsl_and_uai_are_export_formats_with_their_suffixes():
    assert {"dsl", "uai"} <= set(EXPORT_FORMATS)
    assert EXPORT_SUFFIXES["dsl"] == (".dsl",) and EXPORT_SUFFIXES["uai"] == (".uai",)
    check_export_suffix("out.DSL", "dsl")
    check_export_suffix("out.uai", "uai")


@pytest.mark.parametrize(
    ("path", "fmt", "message"),
    [
        ("x.dsl", "uai", r"x\.dsl: a UAI file must end in \.uai, not '\.dsl'"),
        ("x.uai", "dsl", r"x\.uai: a GeNIe DSL file must end in \.dsl, not '\.uai'"),
        ("x.xdsl", "dsl", r"a GeNIe DSL file must end in \.dsl, not '\.xdsl'"),
        ("x.dsl", "xdsl", r"an XDSL file must end in \.xdsl, not '\.dsl'"),
        ("x", "uai", r"not '\(no suffix\)'"),
    ],
)
def test_a_suffix_of_another_format_is_refused(path, fmt, message):
    with pytest.raises(OutputFileError, match=message):
        check_export_suffix(path, fmt)


# ------------------------------------------------------------------ the bundled network
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_bundled_network_round_trips_to_the_bit(tmp_path, fmt):
    net = load_network("marrow_signal")
    back, result = _write_read(net, tmp_path, fmt)
    _same_network(net, back, result)
    notes = result.note()
    for lost in ("roles", "sources and uncertainty", "defaults", "groups", "decision section"):
        assert lost in notes
    if fmt == "dsl":
        assert (back.id, back.title) == (net.id, net.title)
        assert result.renamed == [
            "a state of node 'age': '40_to_59' -> 'x40_to_59'",
            "a state of node 'hb_level': '12_to_13' -> 'x12_to_13'",
        ]
        for v in net.variables:
            assert back.node(v).label == net.node(v).label
    if fmt == "xmlbif":
        assert result.renamed == []
        assert (back.id, back.title) == (net.id, net.title)
        for v in net.variables:
            assert back.node(v).label == net.node(v).label
        assert "title" not in notes and "label" not in notes
    if fmt == "uai":  # no names: nodes X0, X1, ... in the order written, states 0, 1, ...
        assert back.variables == tuple(f"X{i}" for i in range(len(net.variables)))
        assert back.states["X3"] == ("0", "1", "2")
        assert "node 'age' -> 'X3'" in result.renamed
        assert "a state of node 'age': '40_to_59' -> '1'" in result.renamed
        assert result.not_exported[:3] == [
            "node and state names (UAI numbers them: nodes are read back as X0, X1, ... in "
            "the order written, states as 0, 1, ...; the renamed list maps them)",
            "the network's id and title",
            "node labels (the format has no place for them)",
        ]


def test_the_bundled_network_under_evidence_gives_the_same_posteriors(tmp_path):
    net = load_network("marrow_signal")
    case = {"hb": "lt_12", "m_protein": "present", "setting": "biopsy_referral"}
    ours, _ = marginals(net, case, ["diagnosis"])
    for fmt in FORMATS:
        back, result = _write_read(net, tmp_path, fmt)
        nodes, states = _renames(result)
        their_case = {nodes.get(v, v): states.get((v, s), s) for v, s in case.items()}
        target = nodes.get("diagnosis", "diagnosis")
        theirs, _ = marginals(back, their_case, [target])
        for s, p in ours["diagnosis"].items():
            assert theirs[target][states.get(("diagnosis", s), s)] == pytest.approx(p, abs=1e-13)


# ------------------------------------------------------------------ random networks
@settings(max_examples=20, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31 - 1), fmt=st.sampled_from(FORMATS))
def test_random_networks_round_trip_to_the_bit(tmp_path_factory, seed, fmt):
    net = random_network(seed, n=7, max_parents=3, zero_share=0.2)
    back, result = _write_read(net, tmp_path_factory.mktemp("rt"), fmt)
    _same_network(net, back, result)
    if fmt == "uai":
        assert len(result.renamed) == len(net.variables) + sum(map(len, net.states.values()))
    else:
        assert result.renamed == [] and back.variables == net.variables


def test_every_number_is_written_in_full_precision():
    net = _awkward()
    for fmt in FORMATS:
        text = export_text(net, fmt).text
        for number in ("0.1234567890123457", "0.30000000000000004", "1e-05", "0.99999"):
            assert number in text, (fmt, number)


def test_dsl_writes_parents_before_children_whatever_the_spec_order(tmp_path):
    net = random_network(3, n=5, max_parents=2, zero_share=0.0)
    nodes = dict(reversed(net.spec.nodes.items()))  # children first
    spec = dataclasses.replace(net.spec, nodes=nodes)
    text = export_text(Network(spec), "dsl").text
    positions = {v: text.index(f" node {v}\n") for v in net.variables}
    for v in net.variables:
        assert all(positions[p] < positions[v] for p in net.parents[v])
    back, result = _write_read(Network(spec), tmp_path, "dsl")
    _same_network(net, back, result)


# ------------------------------------------------------------------ names and labels
def test_dsl_rewrites_ids_and_labels_to_genie_rules_and_lists_each(tmp_path):
    net = _awkward()
    back, result = _write_read(net, tmp_path, "dsl")
    assert result.renamed == [
        "the network's id '2nd net' -> 'x2nd_net'",
        "node 'age group' -> 'age_group'",
        "node 'node' -> 'node_'",
        "a state of node 'age group': '40_to_59' -> 'x40_to_59'",
        "a state of node 'age group': 'State 1' -> 'State_1'",
        "a state of node 'age group': 'ID' -> 'ID_'",
        "the label of node 'age group': 'Age \"group\" = years' -> \"Age 'group' = years\"",
    ]
    assert (back.id, back.title) == ("x2nd_net", "An awkward network")
    assert back.states["age_group"] == ("x40_to_59", "State_1", "ID_")
    assert back.node("age_group").label == "Age 'group' = years"
    assert back.node("node_").label == "Second test"
    _same_network(net, back, result)
    assert "renamed to the format's rules" in result.note()


def test_uai_lists_every_name_it_drops(tmp_path):
    net = _awkward()
    back, result = _write_read(net, tmp_path, "uai")
    assert result.renamed == [
        "node 'age group' -> 'X0'",
        "node 'node' -> 'X1'",
        "a state of node 'age group': '40_to_59' -> '0'",
        "a state of node 'age group': 'State 1' -> '1'",
        "a state of node 'age group': 'ID' -> '2'",
        "a state of node 'node': 'neg' -> '0'",
        "a state of node 'node': 'pos' -> '1'",
    ]
    assert export_text(net, "uai").text.split("\n")[:6] == [
        "BAYES",
        "2",
        "3 2",
        "2",
        "1 0",
        "2 0 1",
    ]
    _same_network(net, back, result)


def test_xmlbif_keeps_the_title_and_labels_as_properties(tmp_path):
    net = _awkward()
    back, result = _write_read(net, tmp_path, "xmlbif")
    text = export_text(net, "xmlbif").text
    assert "<PROPERTY>title = An awkward network</PROPERTY>" in text
    assert "<PROPERTY>label = Second test</PROPERTY>" in text
    assert result.renamed == []
    assert (back.id, back.title) == ("2nd net", "An awkward network")
    assert back.node("node").label == "Second test"
    # a label holding '=' is left out (pgmpy splits a property at every '=') and said so
    assert back.node("age group").label == "age group"
    assert result.not_exported[0] == (
        "the labels of 'age group' (a label holding '=' breaks pgmpy's reading of an XMLBIF "
        "<PROPERTY>)"
    )
    _same_network(net, back, result)


def test_pgmpy_reads_the_xmlbif_properties(tmp_path):
    from pgmpy.readwrite import XMLBIFReader

    path = tmp_path / "m.xml"
    write_model(load_network("marrow_signal"), str(path), "xmlbif")
    model = XMLBIFReader(path=str(path)).get_model()
    assert model.nodes["hb"]["label"] == "Haemoglobin below 12 g/dL"
    path = tmp_path / "a.xml"
    write_model(_awkward(), str(path), "xmlbif")
    model = XMLBIFReader(path=str(path)).get_model()
    assert model.nodes["node"]["label"] == "Second test"


# ------------------------------------------------------------------ pyAgrum reads them
def _dyadic(net: Network, bits: int = 12) -> Network:
    """The network with every probability a multiple of 2**-bits (exact in float32): each
    row's cumulative sums rounded, so rows still sum to 1 exactly."""
    nodes = {}
    for v, node in net.spec.nodes.items():
        table = np.asarray(net.cpts[v], dtype=float)
        cum = np.round(np.cumsum(table, axis=-1) * 2**bits) / 2**bits
        cum[..., -1] = 1.0
        rounded = np.diff(cum, axis=-1, prepend=0.0)
        nodes[v] = dataclasses.replace(node, cpt=FixedCPT(rounded, node.parents))
    return Network(dataclasses.replace(net.spec, nodes=nodes))


def _agrum(path):
    gum = pytest.importorskip("pyagrum")
    return gum, gum.loadBN(str(path))


def _agrum_posteriors(path, names, states, evidence):
    gum, bn = _agrum(path)
    ie = gum.LazyPropagation(bn)
    ie.setEvidence({names[v]: states[v][s] for v, s in evidence.items()})
    ie.makeInference()
    out = {}
    for v, name in names.items():
        var = bn.variable(name)
        p = ie.posterior(name)
        labels = {var.label(k): p[k] for k in range(var.domainSize())}
        out[v] = {s: labels[states[v][s]] for s in states[v]}
    return out


def _compare_with_agrum(net, tmp_path, fmt, tol):
    path = tmp_path / f"n{EXPORT_SUFFIXES[fmt][0]}"
    write_model(net, str(path), fmt)
    if fmt == "uai":  # pyAgrum names UAI variables 0, 1, ... and their states 0, 1, ...
        names = {v: str(i) for i, v in enumerate(net.variables)}
        states = {v: {s: str(k) for k, s in enumerate(net.states[v])} for v in net.variables}
    else:
        names = {v: v for v in net.variables}
        states = {v: {s: s for s in net.states[v]} for v in net.variables}
    prior, _ = marginals(net, {}, list(net.variables))
    last = net.variables[-1]
    cases = [{}, {last: max(prior[last], key=prior[last].get)}]
    for case in cases:
        ours, _ = marginals(net, case, list(net.variables))
        theirs = _agrum_posteriors(path, names, states, case)
        for v in net.variables:
            for s, p in ours[v].items():
                assert theirs[v][s] == pytest.approx(p, abs=tol), (fmt, case, v, s)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31 - 1))
def test_pyagrum_reads_the_same_posteriors_from_dsl(tmp_path_factory, seed):
    net = _dyadic(random_network(seed, n=7, max_parents=3, zero_share=0.0))
    _compare_with_agrum(net, tmp_path_factory.mktemp("dsl"), "dsl", 1e-9)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31 - 1))
def test_pyagrum_reads_the_same_posteriors_from_uai_with_one_parent_at_most(tmp_path_factory, seed):
    net = _dyadic(random_network(seed, n=7, max_parents=1, zero_share=0.0))
    _compare_with_agrum(net, tmp_path_factory.mktemp("uai"), "uai", 1e-9)


@settings(max_examples=6, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31 - 1), fmt=st.sampled_from(["dsl", "uai"]))
def test_pyagrum_reads_any_numbers_in_single_precision(tmp_path_factory, seed, fmt):
    """Numbers that float32 cannot hold: posteriors agree to float32's precision only."""
    max_parents = 3 if fmt == "dsl" else 1
    net = random_network(seed, n=6, max_parents=max_parents, zero_share=0.0)
    _compare_with_agrum(net, tmp_path_factory.mktemp("f32"), fmt, 1e-6)


def test_pyagrum_reads_multi_parent_uai_tables_with_the_parents_reversed(tmp_path):
    """The UAI order lists the scope's first parent slowest; pyAgrum 3.3.1 takes it fastest."""
    net = _dyadic(random_network(11, n=6, max_parents=3, zero_share=0.0))
    multi = [v for v in net.variables if len(net.parents[v]) >= 2]
    assert multi
    path = tmp_path / "n.uai"
    write_model(net, str(path), "uai")
    _, bn = _agrum(path)
    index = {v: str(i) for i, v in enumerate(net.variables)}
    for v in multi:
        pot = bn.cpt(index[v])
        # toarray's axes are the potential's names reversed; put them in our order
        axes = list(reversed(pot.names))
        ours_order = [index[p] for p in net.parents[v]] + [index[v]]
        theirs = np.transpose(pot.toarray(), [axes.index(n) for n in ours_order])
        cards = [len(net.states[p]) for p in net.parents[v]]
        flat = np.asarray(net.cpts[v]).reshape(-1)
        k = len(cards)
        as_read = np.transpose(
            flat.reshape((*cards[::-1], len(net.states[v]))), (*range(k - 1, -1, -1), k)
        )
        np.testing.assert_array_equal(theirs, as_read)  # first parent fastest
        assert not np.array_equal(theirs, net.cpts[v])  # not the UAI order


def test_pyagrum_reads_the_rewritten_dsl_and_uai(tmp_path):
    net = _awkward()
    for fmt in ("dsl", "uai"):
        path = tmp_path / f"a{EXPORT_SUFFIXES[fmt][0]}"
        write_model(net, str(path), fmt)
        _, bn = _agrum(path)
        assert bn.size() == 2, fmt
    _, bn = _agrum(tmp_path / "a.dsl")
    assert bn.variable("age_group").labels() == ("x40_to_59", "State_1", "ID_")


# ------------------------------------------------------------------ the command line
def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_from_the_command_line_then_query_the_file(capsys, tmp_path, fmt):
    path = tmp_path / f"m{EXPORT_SUFFIXES[fmt][0]}"
    code, out, err = _run(
        capsys, "export", "-n", "marrow_signal", "--format", fmt, "-o", str(path), "--json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["format"] == fmt and "the decision section" in doc["not_exported"]
    evidence = ["-e", "hb=lt_12", "-e", "setting=biopsy_referral"]
    target = "diagnosis"
    if fmt == "uai":  # UAI keeps no names: the renamed list maps them
        for listed in ("node 'hb' -> 'X17'", "a state of node 'hb': 'lt_12' -> '1'",
                       "node 'setting' -> 'X0'", "node 'diagnosis' -> 'X2'"):  # fmt: skip
            assert listed in doc["renamed"]
        evidence, target = ["-e", "X17=1", "-e", "X0=0"], "X2"
    _, a, _ = _run(capsys, "query", "-e", "hb=lt_12", "-e", "setting=biopsy_referral", "--json")
    code, b, err = _run(
        capsys, "query", "--network", str(path), *evidence, "--target", target, "--json"
    )
    assert code == 0, err
    ours, theirs = json.loads(a)["posterior"]["diagnosis"], json.loads(b)["posterior"][target]
    for k, s in enumerate(load_network("marrow_signal").states["diagnosis"]):
        assert theirs[str(k) if fmt == "uai" else s] == pytest.approx(ours[s], abs=1e-12)


@pytest.mark.parametrize(("fmt", "name"), [("uai", "x.dsl"), ("dsl", "x.uai"), ("dsl", "x.xdsl")])
def test_export_refuses_a_suffix_of_another_format_with_one_line(capsys, tmp_path, fmt, name):
    path = tmp_path / name
    code, out, err = _run(capsys, "export", "-n", "marrow_signal", "--format", fmt, "-o", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"file must end in .{fmt}" in err
    assert not path.exists()
