"""bayesdx's own readers: BIF (with JavaBayes 0.15), XMLBIF, XDSL, Hugin NET, GeNIe DSL, UAI.

Each format is read from small texts whose tables are known, checked against pgmpy's
readers on the bnlearn networks that pgmpy ships, and every refusal names the file, where
in it, and what is wrong.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bayesdx import load_network
from bayesdx.errors import LimitError, NetworkFileError
from bayesdx.io import IMPORT_SUFFIXES, READERS, read_model
from bayesdx.io._bif import parse_bif
from bayesdx.io._dsl import parse_dsl
from bayesdx.io._hugin import parse_net
from bayesdx.io._uai import parse_uai
from bayesdx.io._xdsl import parse_xdsl
from bayesdx.io._xmlbif import parse_xmlbif

PGMPY_MODELS = (
    Path(
        next(
            (p for p in sys.path if (Path(p) / "pgmpy" / "utils" / "example_models").is_dir()),
            ".",
        )
    )
    / "pgmpy"
    / "utils"
    / "example_models"
)


def _values(spec, node):
    return np.asarray(spec.nodes[node].cpt.values)


# ------------------------------------------------------------------ the loader's suffixes
def test_every_suffix_has_a_reader():
    assert set(IMPORT_SUFFIXES.values()) == set(READERS)
    for suffix in (".bif", ".xml", ".xmlbif", ".bifxml", ".xdsl", ".net", ".dsl", ".uai"):
        assert suffix in IMPORT_SUFFIXES


def test_the_load_path_does_not_import_pgmpy(tmp_path):
    import subprocess

    path = tmp_path / "coin.bif"
    path.write_text(
        "variable c { type discrete [2] { h, t }; }\nprobability (c) { table 0.5 0.5; }"
    )
    code = "import sys, bayesdx; bayesdx.load_network(sys.argv[1]);print('pgmpy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_unknown_format_name():
    with pytest.raises(NetworkFileError, match="unknown format 'hdf5'"):
        read_model("x.h5", "hdf5")


# ------------------------------------------------------------------ BIF
BIF = """
// a comment
/* a block
comment */
network "toy" { property "software x" ; }
variable a { type discrete [ 2 ] { yes, no }; property "position = (1, 2)" ; }
variable b { type discrete [ 3 ] { "low", "mid", "high" }; }
variable c { type discrete [ 2 ] { State 1, State 2 }; }
probability ( a ) { table 0.1, 0.9; }
probability ( b | a ) { (yes) 0.2, 0.3, 0.5; (no) 0.6, 0.3, 0.1; }
probability ( c | a, b ) { default 0.5, 0.5; (yes, mid) 0.25, 0.75; }
"""


def test_bif_rows_default_and_table():
    spec = parse_bif(BIF, "toy.bif")
    assert spec.id == "toy"
    assert list(spec.nodes) == ["a", "b", "c"]
    assert spec.nodes["c"].states == ("State 1", "State 2")
    assert _values(spec, "a").tolist() == [0.1, 0.9]
    assert _values(spec, "b").tolist() == [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]
    c = _values(spec, "c")
    assert c[0, 1].tolist() == [0.25, 0.75]
    assert c[1, 2].tolist() == [0.5, 0.5]


def test_bif_table_lists_child_states_slowest():
    text = (
        "variable p { type discrete [2] { x, y }; }\n"
        "variable q { type discrete [2] { u, v }; }\n"
        "probability ( p ) { table 0.3 0.7; }\n"
        "probability ( q | p ) { table 0.9 0.2 0.1 0.8; }\n"
    )
    assert _values(parse_bif(text, "t.bif"), "q").tolist() == [[0.9, 0.1], [0.2, 0.8]]


def test_javabayes_015_probability_without_bar():
    text = (
        'network "jb" { }\n'
        'variable "A" { type discrete[2] { "t" "f" }; }\n'
        'variable "B" { type discrete[2] { "t" "f" }; property "observed f" ; }\n'
        'probability ( "A" ) { table 0.7 // p(t)\n 0.3; }\n'
        'probability ( "B" "A" ) { //2 variable(s)\n table 0.99 0.8 0.01 0.2; }\n'
    )
    spec = parse_bif(text, "jb.bif")
    assert spec.nodes["B"].parents == ("A",)
    assert _values(spec, "B").tolist() == [[0.99, 0.01], [0.8, 0.2]]


def test_bif_keeps_full_precision():
    p = 0.1234567890123456789
    text = (
        "variable a { type discrete [2] { y, n }; }\n"
        f"probability ( a ) {{ table {p!r}, {1 - p!r}; }}\n"
    )
    assert _values(parse_bif(text, "p.bif"), "a")[0] == p  # not float32's 0.12345679


def test_bif_name_in_another_case_is_matched_and_noted():
    text = (
        "variable Smoke { type discrete [2] { y, n }; }\n"
        "probability ( smoke ) { table 0.3, 0.7; }\n"
    )
    spec = parse_bif(text, "case.bif")
    assert "read as variable 'Smoke'" in spec.description


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("variable a { type discrete [3] { y, n }; }", r"line 1, node 'a': declares '3' states"),
        (
            "variable a { type discrete [2] { y, n }; }\nprobability ( a ) { table 0.2 ; }",
            r"line 2, node 'a': the table has 1 values, expected 2",
        ),
        (
            "variable a { type discrete [2] { y, n }; }\n"
            "variable b { type discrete [2] { y, n }; }\n"
            "probability ( a ) { table 0.2 0.8; }\n"
            "probability ( b | a ) {\n (y) 0.1, 0.9;\n}",
            r"line 4, node 'b': no row for \(n\) and no 'default'",
        ),
        (
            "variable a { type discrete [2] { y, n }; }\nprobability ( a ) {\n table 0.2, 0.8x; }",
            r"line 3, node 'a': expected a number or ';', found|'0.8x' is not a number",
        ),
        (
            "variable a { type discrete [2] { y, n }; }\nprobability ( a ) { table 0.2, 0.7; }",
            r"node 'a': the probabilities for no parent states sum to 0.8999",
        ),
        (
            "variable a { type discrete [2] { y, n }; }",
            r"line 1, node 'a': no probability table",
        ),
        ("variable a { type continuous; }", r"line 1, node 'a': variable type 'continuous'"),
        (
            "variable a { type discrete [2] { y, n }; }\n"
            "variable b { type discrete [2] { y, n }; }\n"
            "probability ( a | b ) { table 0.5 0.5 0.5 0.5; }\n"
            "probability ( b | a ) { table 0.5 0.5 0.5 0.5; }\n",
            r"the parents form a cycle",
        ),
        ("variable a { type discrete [2] { y, n }; }\n\n probability ( z ) { }", r"line 3: .*'z'"),
        ('network "x" {\n}\nvariable "a', r"line 3: unexpected character '\"'"),
        (
            "variable a { type discrete [2] { y, n }; }\nprobability ( a ) { table nan nan; }",
            r"line 2: 'nan' is not a finite number",
        ),
    ],
)
def test_bif_refusals_name_file_line_and_problem(tmp_path, text, message):
    path = tmp_path / "bad.bif"
    path.write_text(text)
    with pytest.raises(NetworkFileError, match=r"bad\.bif: (.*)" + message):
        load_network(path)


def test_bif_table_too_large_is_refused_before_allocating():
    parents = "".join(
        f"variable p{i} {{ type discrete [4] {{ a, b, c, d }}; }}\n" for i in range(13)
    )
    text = parents + "variable x { type discrete [2] { y, n }; }\n"
    text += "probability ( x | " + ", ".join(f"p{i}" for i in range(13)) + " ) { }\n"
    with pytest.raises(LimitError, match="node 'x'"):
        parse_bif(text, "wide.bif")


@pytest.mark.skipif(not PGMPY_MODELS.is_dir(), reason="pgmpy's example models are not installed")
@pytest.mark.parametrize("name", ["asia", "alarm", "child", "hepar2", "insurance", "water"])
def test_bif_matches_pgmpy_exactly(name):
    from pgmpy.readwrite import BIFReader

    text = gzip.open(PGMPY_MODELS / f"{name}.bif.gz", "rt").read()
    spec = parse_bif(text, f"{name}.bif")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BIFReader(string=text).get_model()
    assert set(model.nodes()) == set(spec.nodes)
    for v in model.nodes():
        cpd = model.get_cpds(v)
        assert tuple(cpd.variables[1:]) == spec.nodes[v].parents
        assert tuple(str(s) for s in cpd.state_names[v]) == spec.nodes[v].states
        assert np.array_equal(np.moveaxis(cpd.values, 0, -1), _values(spec, v))


# ------------------------------------------------------------------ XMLBIF
XMLBIF = """<?xml version="1.0" encoding="US-ASCII"?>
<BIF VERSION="0.3"><NETWORK>
<VARIABLE TYPE="nature"><NAME>a</NAME><OUTCOME>y</OUTCOME><OUTCOME>n</OUTCOME>
 <PROPERTY>position = (1, 2)</PROPERTY></VARIABLE>
<VARIABLE TYPE="nature"><NAME>b</NAME><OUTCOME>lo</OUTCOME><OUTCOME>hi</OUTCOME></VARIABLE>
<DEFINITION><FOR>a</FOR><TABLE>0.1 0.9</TABLE></DEFINITION>
<DEFINITION><FOR>b</FOR><GIVEN>a</GIVEN><TABLE>0.2 0.8 <!-- a=n --> 0.7 0.3</TABLE>
</DEFINITION></NETWORK></BIF>"""


def test_xmlbif_without_network_name_is_named_after_the_file():
    spec = parse_xmlbif(XMLBIF, "dir/noname.bifxml")
    assert spec.id == "noname"
    assert _values(spec, "b").tolist() == [[0.2, 0.8], [0.7, 0.3]]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('TYPE="nature"><NAME>a', 'TYPE="decision"><NAME>a'),
            "influence diagrams are not supported",
        ),
        (
            ("<TABLE>0.1 0.9</TABLE>", "<TABLE>0.1</TABLE>"),
            r"<DEFINITION> #1 for 'a'.*1 values, expected 2",
        ),
        (("<GIVEN>a</GIVEN>", "<GIVEN>z</GIVEN>"), r"<GIVEN> names 'z'"),
        (("</BIF>", "</BIF"), "not well-formed XML"),
    ],
)
def test_xmlbif_refusals(tmp_path, change, message):
    path = tmp_path / "bad.xml"
    path.write_text(XMLBIF.replace(*change))
    with pytest.raises(NetworkFileError, match=message):
        load_network(path)


# ------------------------------------------------------------------ XDSL
def _xdsl(nodes: str, extensions: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<smile version="1.0" id="net1">\n<nodes>\n'
        + nodes
        + "\n</nodes>\n"
        + extensions
        + "</smile>\n"
    )


def test_xdsl_first_parent_is_slowest_and_labels_are_kept():
    text = _xdsl(
        '<cpt id="a"><state id="a0"/><state id="a1"/><probabilities>0.5 0.5</probabilities></cpt>'
        '<cpt id="b"><state id="b0"/><state id="b1"/><state id="b2"/>'
        "<probabilities>0.2 0.3 0.5</probabilities></cpt>"
        '<cpt id="c"><state id="y"/><state id="n"/><parents>a b</parents>'
        "<probabilities>0.1 0.9 0.2 0.8 0.3 0.7 0.4 0.6 0.5 0.5 0.6 0.4</probabilities></cpt>",
        '<extensions><genie version="1.0" name="My title"><submodel id="s">'
        '<node id="c"><name>Outcome C</name></node></submodel></genie></extensions>',
    )
    spec = parse_xdsl(text, "x.xdsl")
    assert (spec.id, spec.title, spec.nodes["c"].label) == ("net1", "My title", "Outcome C")
    c = _values(spec, "c")
    assert c.shape == (2, 3, 2)
    assert c[0, 2].tolist() == [0.3, 0.7]  # a=a0 (slowest), b=b2
    assert c[1, 0].tolist() == [0.4, 0.6]


def _noisy_max_reference(states, parents, strengths, params, x):
    """P(child | parent states x) straight from the definition (Díez's parametrisation).

    The child's last state is the distinguished one; F cumulates from the last state
    towards the first, and P(Y at or below severity y) is the product of the leak's and
    each parent's F.
    """
    n = len(states)
    blocks = [params[i * n : (i + 1) * n] for i in range(len(params) // n)]
    cum = []  # per factor: F(j) = P(Y index >= j)
    k = 0
    for (pcard, order), xi in zip(parents, x, strict=True):
        block = blocks[k + order.index(xi)]
        cum.append([sum(block[j:]) for j in range(n)])
        k += pcard
    leak = blocks[-1]
    cum.append([sum(leak[j:]) for j in range(n)])
    total = [math.prod(f[j] for f in cum) for j in range(n)]
    return [total[j] - (total[j + 1] if j + 1 < n else 0.0) for j in range(n)]


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_xdsl_noisy_max_expands_exactly(data):
    n = data.draw(st.integers(2, 4), label="child states")
    cards = data.draw(st.lists(st.integers(2, 3), min_size=1, max_size=3), label="parents")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    strengths, params = [], []
    for card in cards:
        order = [int(i) for i in rng.permutation(card)]
        strengths.append(order)
        for _ in range(card - 1):
            params.extend(rng.dirichlet(np.ones(n)).tolist())
        params.extend([0.0] * (n - 1) + [1.0])
    params.extend(rng.dirichlet(np.ones(n)).tolist())
    states = [f"s{j}" for j in range(n)]
    nodes = []
    for i, card in enumerate(cards):
        st_xml = "".join(f'<state id="p{i}_{j}"/>' for j in range(card))
        nodes.append(
            f'<cpt id="p{i}">{st_xml}<probabilities>{" ".join([repr(1 / card)] * card)}'
            "</probabilities></cpt>"
        )
    nodes.append(
        '<noisymax id="y">'
        + "".join(f'<state id="{s}"/>' for s in states)
        + f"<parents>{' '.join(f'p{i}' for i in range(len(cards)))}</parents>"
        + f"<strengths>{' '.join(str(i) for o in strengths for i in o)}</strengths>"
        + f"<parameters>{' '.join(repr(p) for p in params)}</parameters></noisymax>"
    )
    table = _values(parse_xdsl(_xdsl("".join(nodes)), "nm.xdsl"), "y")
    for x in itertools.product(*(range(c) for c in cards)):
        expected = _noisy_max_reference(
            states, list(zip(cards, strengths, strict=True)), strengths, params, list(x)
        )
        np.testing.assert_allclose(table[x], expected, rtol=0, atol=1e-14)


def test_xdsl_noisy_or_by_hand():
    text = _xdsl(
        '<cpt id="smoking"><state id="yes"/><state id="no"/>'
        "<probabilities>0.3 0.7</probabilities></cpt>"
        '<cpt id="pollution"><state id="high"/><state id="low"/>'
        "<probabilities>0.1 0.9</probabilities></cpt>"
        '<noisymax id="cancer"><state id="present"/><state id="absent"/>'
        "<parents>smoking pollution</parents><strengths>0 1 0 1</strengths>"
        "<parameters>0.3 0.7 0 1 0.1 0.9 0 1 0.01 0.99</parameters></noisymax>"
    )
    table = _values(parse_xdsl(text, "lc.xdsl"), "cancer")
    assert table[0, 0, 1] == pytest.approx(0.7 * 0.9 * 0.99, abs=1e-15)
    assert table[1, 0, 1] == pytest.approx(0.9 * 0.99, abs=1e-15)
    assert table[1, 1, 1] == pytest.approx(0.99, abs=1e-15)


def test_xdsl_strengths_reorder_the_parameters():
    # strengths "1 0": the parent's state 1 is the strongest, state 0 the distinguished one
    text = _xdsl(
        '<cpt id="p"><state id="off"/><state id="on"/><probabilities>0.5 0.5</probabilities></cpt>'
        '<noisymax id="y"><state id="yes"/><state id="no"/><parents>p</parents>'
        "<strengths>1 0</strengths><parameters>0.8 0.2 0 1 0 1</parameters></noisymax>"
    )
    table = _values(parse_xdsl(text, "s.xdsl"), "y")
    assert table.tolist() == [[0.0, 1.0], [0.8, 0.2]]


def test_xdsl_deterministic_is_a_zero_one_table():
    text = _xdsl(
        '<cpt id="a"><state id="x"/><state id="y"/><probabilities>0.5 0.5</probabilities></cpt>'
        '<deterministic id="d"><state id="lo"/><state id="hi"/><parents>a</parents>'
        "<resultingstates>hi lo</resultingstates></deterministic>"
    )
    assert _values(parse_xdsl(text, "d.xdsl"), "d").tolist() == [[0.0, 1.0], [1.0, 0.0]]


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ('<decision id="d"><state id="a"/></decision>', "influence diagrams are not supported"),
        (
            '<utility id="u"><utilities>1</utilities></utility>',
            "influence diagrams are not supported",
        ),
        ('<equation id="e"><definition>e=Normal(0,1)</definition></equation>', "equation"),
        (
            '<noisymax id="n"><state id="a"/><state id="b"/><parents>c</parents>'
            "<strengths>0 1</strengths><parameters>0.1 0.9 0.5 0.5 0 1</parameters></noisymax>",
            "distinguished state of parent 'c'",
        ),
        (
            '<cpt id="q"><state id="a"/><state id="b"/><parents>c</parents>'
            "<probabilities>0.1 0.9</probabilities></cpt>",
            r'<cpt id="q">: <probabilities> has 2 values, expected 4',
        ),
    ],
)
def test_xdsl_refusals(tmp_path, node, message):
    path = tmp_path / "bad.xdsl"
    base = '<cpt id="c"><state id="t"/><state id="f"/><probabilities>0.5 0.5</probabilities></cpt>'
    path.write_text(_xdsl(base + node))
    with pytest.raises(NetworkFileError, match=message):
        load_network(path)


# ------------------------------------------------------------------ Hugin NET
NET = """net
{
    HR_Desc = "a \\"quoted\\" description; % not a comment";
    node_size = (80 40);
    name = "hugin_toy";
    label = "Hugin toy";
}

% a comment line
node A
{
    label = "Node A";
    position = (10 20);
    states = ("yes" "no");
    HR_State_0 = "";
}

discrete node B
{
    states = ("lo" "mid" "hi");  % trailing comment
}

potential (A) { data = ( 0.2 0.8 ); }

potential (B | A)
{
    data
     = (( 0.1 0.2 0.7 )    %  A=yes
        ( 0.3 0.3 0.4 ));  %  A=no
    experience = ( 10 10 );
}
"""


def test_hugin_attributes_comments_and_nesting():
    spec = parse_net(NET, "h.net")
    assert (spec.id, spec.title, spec.nodes["A"].label) == ("hugin_toy", "Hugin toy", "Node A")
    assert _values(spec, "B").tolist() == [[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]]


def test_hugin_unnormalised_rows_are_normalised_and_said():
    text = NET.replace("( 0.2 0.8 )", "( 1 4 )")
    spec = parse_net(text, "h.net")
    assert _values(spec, "A").tolist() == [0.2, 0.8]
    assert "node 'A'" in spec.description and "normalised" in spec.description


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("node A", "decision A"), r"line 10: a decision node: influence diagrams"),
        (("discrete node B", "continuous node B"), r"line 18: continuous nodes are not supported"),
        (("( 0.3 0.3 0.4 )", "( 0.3 0.3 )"), r"line 28, node 'B': 'data' has 5 values"),
        (("potential (A) { data = ( 0.2 0.8 ); }", ""), r"node 'A': no probability table"),
        (("data = ( 0.2 0.8 );", "model_nodes = (); model_data = ( 1 );"), "expression table"),
        (("( 0.2 0.8 )", "( 0 0 )"), r"node 'A': the values for no parent states sum to 0.0"),
    ],
)
def test_hugin_refusals(tmp_path, change, message):
    path = tmp_path / "bad.net"
    path.write_text(NET.replace(*change))
    with pytest.raises(NetworkFileError, match=r"bad\.net: .*" + message):
        load_network(path)


# ------------------------------------------------------------------ GeNIe DSL
DSL = """net Net1
{
 HEADER = { ID = Net1; NAME = "Net one"; };
 SCREEN = { POSITION = { CENTER_X = 0; CENTER_Y = 0; }; COLOR = 16250597; };
 node A
  {
   TYPE = CPT;
   HEADER = { ID = A; NAME = "Node A"; };
   PARENTS = ();
   DEFINITION = { NAMESTATES = (yes, no); PROBABILITIES = (0.30000000, 0.70000000); };
   EXTRA_DEFINITION = { DIAGNOSIS_TYPE = AUXILIARY; FAULT_STATES = (0, 0); };
  };
 node B
  {
   TYPE = CPT;
   HEADER = { ID = B; NAME = "B"; };
   PARENTS = (A);
   DEFINITION = { NAMESTATES = (lo, hi); PROBABILITIES = (0.1, 0.9, 0.6, 0.4); };
  };
 node D
  {
   TYPE = TRUTHTABLE;
   HEADER = { ID = D; NAME = "D"; };
   PARENTS = (A);
   DEFINITION = { NAMESTATES = (t, f); RESULTINGSTATES = (f, t); };
  };
};
"""


def test_dsl_reads_cpt_and_truthtable():
    spec = parse_dsl(DSL, "n.dsl")
    assert (spec.id, spec.title, spec.nodes["A"].label) == ("Net1", "Net one", "Node A")
    assert _values(spec, "B").tolist() == [[0.1, 0.9], [0.6, 0.4]]
    assert _values(spec, "D").tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_dsl_refuses_a_decision_node(tmp_path):
    path = tmp_path / "id.dsl"
    path.write_text(DSL.replace("TYPE = TRUTHTABLE", "TYPE = LIST"))
    with pytest.raises(NetworkFileError, match=r"line 20, node 'D': a decision node"):
        load_network(path)


# ------------------------------------------------------------------ UAI
def test_uai_child_is_last_in_scope_and_varies_fastest():
    text = "BAYES\n3\n2 2 3\n3\n1 0\n1 1\n3 0 1 2\n\n2 0.4 0.6\n2\n 0.5 0.5\n12\n"
    text += " ".join(repr(float(x)) for x in np.arange(1, 13) / np.repeat([6, 15, 24, 33], 3))
    spec = parse_uai(text, "u.uai")
    assert spec.nodes["X2"].parents == ("X0", "X1")
    table = _values(spec, "X2")
    assert table.shape == (2, 2, 3)
    np.testing.assert_allclose(table[0, 1], np.array([4, 5, 6]) / 15)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("MARKOV\n1\n2\n1\n1 0\n2 1 1\n", "line 1: a MARKOV network"),
        ("BAYES\n1\n2\n1\n1 0\n3 0.5 0.5 0.5\n", r"line 6: the table has size 3, expected 2"),
        ("BAYES\n1\n2\n1\n1 4\n", r"line 5: a scope names a variable outside"),
    ],
)
def test_uai_refusals(tmp_path, text, message):
    path = tmp_path / "bad.uai"
    path.write_text(text)
    with pytest.raises(NetworkFileError, match=message):
        load_network(path)


# ------------------------------------------------------------------ the command line
def test_cli_refuses_a_bad_file_with_exit_2_and_one_line(tmp_path, capsys):
    from bayesdx.cli import main

    path = tmp_path / "bad.net"
    path.write_text(NET.replace("node A", "decision A"))
    code = main(["query", "--network", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "bad.net: line 10" in err and "influence diagrams" in err


def test_cli_queries_a_hugin_file(tmp_path, capsys):
    from bayesdx.cli import main

    path = tmp_path / "toy.net"
    path.write_text(NET)
    assert main(["query", "--network", str(path), "-e", "A=yes", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["network"] == "hugin_toy"
    assert doc["posterior"]["B"]["hi"] == pytest.approx(0.7, abs=1e-12)
