"""bayesdx's writers: full precision, ids, titles and labels kept, names fixed to each
format's rules (and said so), the suffix checked, what is not exported listed; bayesdx reads
back the same tables, and pyAgrum the same posteriors where it reads the format right."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bayesdx import load_network
from bayesdx.errors import OutputFileError
from bayesdx.inference import marginals
from bayesdx.io import (
    EXPORT_SUFFIXES,
    check_export_suffix,
    export_text,
    write_model,
)
from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec

from helpers import random_network

#: the formats this module covers; DSL and UAI (no names) in tests/io/test_writers_dsl_uai.py
EXPORT_FORMATS = ("bif", "xmlbif", "xdsl", "net")


def _write_read(network, tmp_path, fmt, stem="net"):
    path = tmp_path / f"{stem}{EXPORT_SUFFIXES[fmt][0]}"
    result = write_model(network, str(path), fmt)
    return load_network(path), result


def _awkward() -> Network:
    """Names that break XDSL's, Hugin's and BIF's rules; a title; labels; 17-digit numbers."""
    p = 0.1234567890123457
    a = NodeSpec("age group", ("40_to_59", "State 1"), (), FixedCPT(np.array([p, 1 - p]), ()),
                 label="Age group (years)")  # fmt: skip
    table = np.array([[1 / 3, 2 / 3], [0.7, 0.30000000000000004]])
    b = NodeSpec("2nd-test", ("neg", "pos"), ("age group",), FixedCPT(table, ("age group",)),
                 label="Second test")  # fmt: skip
    spec = NetworkSpec(id="awkward_net", title="An awkward network", description="",
                       nodes={"age group": a, "2nd-test": b})  # fmt: skip
    return Network(spec)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_round_trip_is_exact_and_keeps_names_where_the_format_can(tmp_path, fmt):
    net = _awkward()
    back, result = _write_read(net, tmp_path, fmt)
    assert len(back.variables) == 2
    node_map = {v: w for v, w in zip(net.variables, back.variables, strict=True)}
    for v, w in node_map.items():
        assert np.array_equal(np.asarray(back.cpts[w]), np.asarray(net.cpts[v]))  # to the bit
    if fmt == "xmlbif":
        assert result.renamed == [] and back.id == "awkward_net"
        assert set(back.variables) == {"age group", "2nd-test"}
    if fmt == "xdsl":
        assert back.id == "awkward_net" and back.title == "An awkward network"
        assert "node '2nd-test' -> 'x2nd_test'" in result.renamed
        assert "a state of node 'age group': '40_to_59' -> 'x40_to_59'" in result.renamed
        assert back.node("x2nd_test").label == "Second test"
    if fmt == "net":
        assert (back.id, back.title) == ("awkward_net", "An awkward network")
        assert back.node("age_group").states == ("40_to_59", "State 1")  # NET quotes states
        assert back.node("age_group").label == "Age group (years)"
    if fmt == "bif":
        assert back.node("age_group").states == ("40_to_59", "State_1")
        assert any("'State 1' -> 'State_1'" in r for r in result.renamed)
        assert "node labels" in result.note() and "the title" in result.note()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), fmt=st.sampled_from(EXPORT_FORMATS))
def test_random_networks_round_trip_to_the_bit(tmp_path_factory, seed, fmt):
    net = random_network(seed, n=6, max_parents=3, zero_share=0.2)
    back, result = _write_read(net, tmp_path_factory.mktemp("rt"), fmt)
    assert result.renamed == []
    assert back.variables == net.variables
    for v in net.variables:
        assert back.parents[v] == net.parents[v] and back.states[v] == net.states[v]
        np.testing.assert_allclose(back.cpts[v], net.cpts[v], rtol=0, atol=1e-15)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_the_bundled_network_round_trips(tmp_path, fmt):
    net = load_network("marrow_signal")
    back, result = _write_read(net, tmp_path, fmt)
    assert back.id == net.id
    rename = {}
    for r in result.renamed:  # "a state of node 'age': '40_to_59' -> 'x40_to_59'"
        old, new = r.rsplit(": ", 1)[-1].split(" -> ")
        rename[old.strip("'")] = new.strip("'")
    for v in net.variables:
        assert back.states[v] == tuple(rename.get(s, s) for s in net.states[v])
        np.testing.assert_allclose(back.cpts[v], net.cpts[v], rtol=0, atol=1e-15)
    notes = result.note()
    for lost in ("roles", "sources and uncertainty", "defaults", "groups", "decision section"):
        assert lost in notes


@pytest.mark.parametrize(
    ("path", "fmt", "message"),
    [
        ("x.bif", "xdsl", r"an XDSL file must end in \.xdsl, not '\.bif'"),
        ("x.xdsl", "bif", r"a BIF file must end in \.bif"),
        ("x", "net", r"not '\(no suffix\)'"),
    ],
)
def test_a_suffix_that_does_not_match_the_format_is_refused(path, fmt, message):
    with pytest.raises(OutputFileError, match=message):
        check_export_suffix(path, fmt)


def test_every_format_accepts_its_own_suffixes():
    for fmt, suffixes in EXPORT_SUFFIXES.items():
        for suffix in suffixes:
            check_export_suffix(f"out{suffix.upper()}", fmt)


def test_numbers_are_written_in_full_precision():
    net = _awkward()
    for fmt in EXPORT_FORMATS:
        assert "0.1234567890123457" in export_text(net, fmt).text
        assert "0.30000000000000004" in export_text(net, fmt).text


# ------------------------------------------------------------------ pyAgrum reads them
def _agrum_posteriors(path, net):
    gum = pytest.importorskip("pyagrum")
    bn = gum.loadBN(str(path))
    ie = gum.LazyPropagation(bn)
    ie.makeInference()
    out = {}
    for i in bn.nodes():
        var = bn.variable(i)
        name = (
            var.name()
            if var.name() in net.variables or not var.description()
            else var.description()
        )
        p = ie.posterior(i)
        out[name] = {var.label(k): p[k] for k in range(var.domainSize())}
    return out


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), fmt=st.sampled_from(EXPORT_FORMATS))
def test_pyagrum_reads_the_same_posteriors(tmp_path_factory, seed, fmt):
    # XDSL: pyAgrum 3.3.1 reverses the parents of multi-parent tables, so one parent at most
    max_parents = 1 if fmt == "xdsl" else 3
    net = random_network(seed, n=6, max_parents=max_parents, zero_share=0.0)
    path = tmp_path_factory.mktemp("ag") / f"n{EXPORT_SUFFIXES[fmt][-1]}"  # pyAgrum: .bifxml
    write_model(net, str(path), fmt)
    theirs = _agrum_posteriors(path, net)
    ours, _ = marginals(net, {}, list(net.variables))
    # BIF and NET: pyAgrum parses numbers in single precision (about 6e-8 relative)
    tol = 1e-6 if fmt in {"bif", "net"} else 1e-12
    for v in net.variables:
        for s, p in ours[v].items():
            assert theirs[v][s] == pytest.approx(p, abs=tol)


def test_pyagrum_reads_rewritten_names(tmp_path):
    net = _awkward()
    for fmt in EXPORT_FORMATS:
        path = tmp_path / f"a{EXPORT_SUFFIXES[fmt][-1]}"
        write_model(net, str(path), fmt)
        posteriors = _agrum_posteriors(path, net)
        assert len(posteriors) == 2, (fmt, posteriors)


def test_replace_keeps_network_class():
    # the writers take any Network, including one rebuilt from a changed spec
    net = _awkward()
    spec = dataclasses.replace(net.spec, title="")
    assert "network" in export_text(Network(spec), "bif").text


# ------------------------------------------------------------------ interop
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_to_pyagrum_gives_the_same_posteriors_and_from_pyagrum_the_same_tables(seed):
    gum = pytest.importorskip("pyagrum")
    from bayesdx.io import from_pyagrum, to_pyagrum

    net = random_network(seed, n=7, max_parents=3, zero_share=0.0)
    bn = to_pyagrum(net)
    ie = gum.LazyPropagation(bn)
    ie.makeInference()
    ours, _ = marginals(net, {}, list(net.variables))
    for v in net.variables:
        for k, s in enumerate(net.states[v]):
            assert ie.posterior(v)[k] == pytest.approx(ours[v][s], abs=1e-12)
    back = from_pyagrum(bn)
    for v in net.variables:
        assert back.parents[v] == net.parents[v]
        np.testing.assert_array_equal(back.cpts[v], net.cpts[v])


def test_to_networkx_has_the_graph_states_and_labels():
    from bayesdx.io import to_networkx

    net = load_network("marrow_signal")
    graph = to_networkx(net)
    assert set(graph.nodes) == set(net.variables)
    assert graph.number_of_edges() == sum(len(p) for p in net.parents.values())
    assert graph.nodes["hb"]["label"] == net.node("hb").label
