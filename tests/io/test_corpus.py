"""The corpus of real network files (tests/data/corpus, sources in SOURCES.md).

Every file loads, or is refused with the reason given here; its tables match pgmpy's and
pyAgrum's readings where those readers are right, to 1e-12 where the reader keeps full
precision. Where a reference reader is wrong the test states how, so a change in either
reader shows up: pyAgrum 3.3.1 parses BIF, NET and DSL numbers in single precision, reverses
the parents of multi-parent XDSL tables, drops noisy-MAX nodes, keeps Hugin's unnormalised
rows; pgmpy reads UAI tables with the child's states slowest.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from bayesdx import load_network
from bayesdx.errors import NetworkFileError
from bayesdx.inference import marginals

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
FILES = sorted(p.name for p in CORPUS.iterdir() if p.name != "SOURCES.md")

#: file -> number of nodes read, or the reason it is refused
EXPECTED: dict[str, int | str] = {
    "agrum_asia.bif": 8,
    "agrum_asia.uai": 8,
    "agrum_decasia_id.bifxml": r"<VARIABLE> #1 'H': a decision variable: influence diagrams",
    "agrum_dog.uai": 5,
    "agrum_empty.bif": "no variables found",
    "agrum_netwriter.net": 5,
    "agrum_with_name.bifxml": 5,
    "bnlearn_asia.bif": 8,
    "genie_benefits.xdsl": 14,
    "genie_brain_tumor.xdsl": 6,
    "genie_covid.xdsl": 7,
    "genie_covid_uniform.xdsl": 10,
    "genie_pinball_id.xdsl": r'<decision id="BusinessDecision">: a decision node: influence',
    "genie_tutorial.dsl": 2,
    "genie_venture.xdsl": 2,
    "hand_student.net": 5,
    "hugin_chest_clinic.net": 8,
    "hugin_test1.net": 4,
    "javabayes_car_starts.bif": 18,
    "pgmpy_asia.bif": 8,
    "pgmpy_asia.net": 8,
    "py2genie_tutorial.xdsl": 2,
    "smile_noisymax_cor3.dsl": 5,
    "smile_noisymax_random.xdsl": 5,
    "unbbayes_asia.net": 8,
    "unbbayes_toy.net": 15,
}


def test_the_corpus_is_the_expected_one():
    assert FILES == sorted(EXPECTED)
    assert len(FILES) >= 25
    assert sum((CORPUS / f).stat().st_size for f in FILES) < 1_000_000


def test_sources_record_every_file():
    text = (CORPUS / "SOURCES.md").read_text()
    for name in FILES:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        repo, path, commit, licence, tool = cells[1:6]
        assert "/" in repo and path and re.fullmatch(r"`[0-9a-f]{12}`", commit)
        assert licence and tool
        assert re.search(rf"`{re.escape(name)}`: {re.escape(repo)}@[0-9a-f]{{40}}", text)


@pytest.mark.parametrize("name", FILES)
def test_each_file_loads_or_is_refused_with_its_reason(name):
    expected = EXPECTED[name]
    if isinstance(expected, str):
        with pytest.raises(NetworkFileError, match=rf"{re.escape(name)}: .*{expected}"):
            load_network(CORPUS / name)
        return
    net = load_network(CORPUS / name)
    assert len(net.variables) == expected
    post, _ = marginals(net, {}, list(net.variables))
    for v in net.variables:
        assert sum(post[v].values()) == pytest.approx(1.0, abs=1e-12)


def test_labels_titles_and_ids_are_kept():
    venture = load_network(CORPUS / "genie_venture.xdsl")
    assert (venture.id, venture.node("Success").label) == ("VentureBN", "Success of the venture")
    chest = load_network(CORPUS / "hugin_chest_clinic.net")
    assert (chest.id, chest.title) == ("Chest-clinic", "Chest-clinic-runtime")
    assert chest.node("Visit_to_asia").label == "Visit to Asia?"
    assert load_network(CORPUS / "genie_tutorial.dsl").id == "Unnamed"
    assert load_network(CORPUS / "agrum_with_name.bifxml").id == "fastPrototype"
    assert load_network(CORPUS / "javabayes_car_starts.bif").id == "CarStarts"


def test_noisy_max_nodes_are_expanded_not_dropped():
    xdsl = load_network(CORPUS / "smile_noisymax_random.xdsl")
    assert xdsl.parents["C1"] == ("P1", "P2", "P3", "P4")
    # every parent in its distinguished state (False): only the leak acts
    assert xdsl.cpts["C1"][1, 1, 1, 1].tolist() == pytest.approx(
        [0.5511876086980509, 0.4488123913019491], abs=1e-15
    )
    dsl = load_network(CORPUS / "smile_noisymax_cor3.dsl")
    table = dsl.cpts["LungCancer"]
    assert table[0, 1, 1, 1, 0] == pytest.approx(1 - 0.41451742 * 0.80683594, abs=1e-15)


def test_hugin_rows_are_normalised_and_the_spec_says_so():
    net = load_network(CORPUS / "hugin_test1.net")
    assert net.cpts["C4"].tolist() == [0.1, 0.9]
    assert net.cpts["C2"][1, 1].tolist() == pytest.approx([29 / 36, 7 / 36], abs=1e-15)
    assert "normalised, as Hugin does" in net.spec.description


# ------------------------------------------------------------------ pgmpy's readers
_PGMPY = {
    ".bif": "BIFReader",
    ".bifxml": "XMLBIFReader",
    ".net": "NETReader",
    ".xdsl": "XDSLReader",
}
#: files pgmpy 1.x reads; the others it fails on (Hugin's own files, aGrUM's NET writer's,
#: py2GeNIe's trailing spaces) or reads wrongly (below)
PGMPY_READS = [
    "agrum_asia.bif",
    "agrum_with_name.bifxml",
    "bnlearn_asia.bif",
    "genie_benefits.xdsl",
    "genie_brain_tumor.xdsl",
    "genie_covid.xdsl",
    "genie_covid_uniform.xdsl",
    "genie_venture.xdsl",
    "hand_student.net",
    "javabayes_car_starts.bif",
    "pgmpy_asia.bif",
    "pgmpy_asia.net",
    "unbbayes_asia.net",
]
PGMPY_FAILS = [
    "agrum_netwriter.net",
    "hugin_chest_clinic.net",
    "hugin_test1.net",
    "py2genie_tutorial.xdsl",
]


def _pgmpy_model(name):
    import pgmpy.readwrite as rw

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = getattr(rw, _PGMPY[Path(name).suffix])(path=str(CORPUS / name))
        return reader.get_model()


@pytest.mark.parametrize("name", PGMPY_READS)
def test_tables_match_pgmpy(name):
    net = load_network(CORPUS / name)
    model = _pgmpy_model(name)
    assert set(model.nodes()) == set(net.variables)
    for v in net.variables:
        cpd = model.get_cpds(v)
        assert tuple(cpd.variables[1:]) == net.parents[v]
        assert tuple(str(s) for s in cpd.state_names[v]) == net.states[v]
        np.testing.assert_allclose(np.moveaxis(cpd.values, 0, -1), net.cpts[v], rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", PGMPY_FAILS)
def test_pgmpy_fails_where_bayesdx_reads(name):
    assert load_network(CORPUS / name).variables
    with pytest.raises(Exception):  # noqa: B017 - pgmpy raises many types
        _pgmpy_model(name)


def test_pgmpy_drops_the_noisy_max_node():
    model = _pgmpy_model("smile_noisymax_random.xdsl")
    assert (
        "C1" not in model.nodes()
        and "C1" in load_network(CORPUS / "smile_noisymax_random.xdsl").variables
    )


def test_pgmpy_keeps_unbbayes_rounded_rows_that_bayesdx_normalises():
    net = load_network(CORPUS / "unbbayes_toy.net")
    model = _pgmpy_model("unbbayes_toy.net")
    for v in net.variables:
        theirs = np.moveaxis(model.get_cpds(v).values, 0, -1)
        np.testing.assert_allclose(theirs / theirs.sum(-1, keepdims=True), net.cpts[v], atol=1e-12)


@pytest.mark.parametrize("name", ["agrum_asia.uai", "agrum_dog.uai"])
def test_pgmpy_reads_uai_tables_with_the_child_slowest(name):
    """The UAI format lists a table with the scope's last variable (the child) fastest;
    pgmpy 1.x reshapes it with the child slowest."""
    from pgmpy.readwrite import UAIReader

    net = load_network(CORPUS / name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = UAIReader(path=str(CORPUS / name)).get_model()
    for v in net.variables:
        cpd = model.get_cpds("var_" + v[1:])
        raw = np.asarray(net.cpts[v]).reshape(-1)  # the file's order
        card = len(net.states[v])
        np.testing.assert_array_equal(cpd.values.reshape(card, -1), raw.reshape(card, -1))


# ------------------------------------------------------------------ pyAgrum's readers
def _agrum(name):
    gum = pytest.importorskip("pyagrum")
    return gum.loadBN(str(CORPUS / name))


def _agrum_tables(bn, net):
    """pyAgrum's tables in bayesdx's axis order (parents as bayesdx reads them, node last)."""
    ids = {}
    for i in bn.nodes():
        var = bn.variable(i)
        for key in (var.name(), var.description(), "X" + var.name()):
            if key in net.variables:
                ids[key] = i
                break
    names = {bn.variable(i).name(): k for k, i in ids.items()}
    out = {}
    for v, i in ids.items():
        pot = bn.cpt(i)
        axes = [names[pot.variable(k).name()] for k in reversed(range(pot.nbrDim()))]
        order = [*net.parents[v], v]
        if set(axes) != set(order):
            out[v] = None
            continue
        out[v] = np.transpose(pot.toarray(), [axes.index(o) for o in order])
    return out


#: pyAgrum keeps XMLBIF and XDSL numbers in full precision
AGRUM_EXACT = [
    "agrum_with_name.bifxml",
    "genie_brain_tumor.xdsl",
    "genie_covid_uniform.xdsl",
    "genie_venture.xdsl",
    "py2genie_tutorial.xdsl",
]
#: ... and BIF, NET and DSL numbers in single precision
AGRUM_FLOAT32 = [
    "agrum_asia.bif",
    "agrum_netwriter.net",
    "bnlearn_asia.bif",
    "genie_tutorial.dsl",
    "hand_student.net",
    "hugin_chest_clinic.net",
    "pgmpy_asia.bif",
    "pgmpy_asia.net",
    "unbbayes_asia.net",
]


@pytest.mark.parametrize("name", AGRUM_EXACT)
def test_tables_match_pyagrum_to_1e12(name):
    net = load_network(CORPUS / name)
    for v, theirs in _agrum_tables(_agrum(name), net).items():
        np.testing.assert_allclose(theirs, net.cpts[v], rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", AGRUM_FLOAT32)
def test_pyagrum_parses_bif_net_and_dsl_in_single_precision(name):
    net = load_network(CORPUS / name)
    tables = _agrum_tables(_agrum(name), net)
    assert len(tables) == len(net.variables)
    rounded_somewhere = False
    for v, theirs in tables.items():
        ours = np.asarray(net.cpts[v])
        np.testing.assert_array_equal(theirs, ours.astype(np.float32).astype(float))
        rounded_somewhere |= bool((theirs != ours).any())
    assert rounded_somewhere  # the corpus files all hold numbers float32 cannot hold


@pytest.mark.parametrize("name", ["genie_benefits.xdsl", "genie_covid.xdsl"])
def test_pyagrum_reverses_the_parents_of_multi_parent_xdsl_tables(name):
    """XDSL lists a table with the first parent slowest; pyAgrum 3.3.1 reads it as if the
    last parent were slowest, so its tables are bayesdx's with the parent axes reversed."""
    net = load_network(CORPUS / name)
    wrong = 0
    for v, theirs in _agrum_tables(_agrum(name), net).items():
        ours = np.asarray(net.cpts[v])
        k, card = len(net.parents[v]), ours.shape[-1]
        # pyAgrum's table with its parent axes reversed, row by row, is the file's rows
        as_read = np.transpose(theirs, [*reversed(range(k)), k]).reshape(-1, card)
        np.testing.assert_allclose(as_read, ours.reshape(-1, card), rtol=0, atol=1e-12)
        wrong += not np.allclose(theirs, ours, atol=1e-12)
    assert wrong >= 1  # and it differs from the file's meaning where the order matters


def test_pyagrum_drops_the_noisy_max_node():
    bn = _agrum("smile_noisymax_random.xdsl")
    assert (
        bn.size() == 4 and len(load_network(CORPUS / "smile_noisymax_random.xdsl").variables) == 5
    )


def test_pyagrum_keeps_hugin_rows_unnormalised():
    net = load_network(CORPUS / "hugin_test1.net")
    for v, theirs in _agrum_tables(_agrum("hugin_test1.net"), net).items():
        normalised = theirs / theirs.sum(-1, keepdims=True)
        np.testing.assert_allclose(normalised, net.cpts[v], atol=1e-7)
    assert _agrum_tables(_agrum("hugin_test1.net"), net)["C4"].tolist() == [10.0, 90.0]


@pytest.mark.parametrize("name", ["javabayes_car_starts.bif", "smile_noisymax_cor3.dsl"])
def test_pyagrum_fails_where_bayesdx_reads(name):
    gum = pytest.importorskip("pyagrum")
    assert load_network(CORPUS / name).variables
    with pytest.raises(gum.GumException):
        gum.loadBN(str(CORPUS / name))
