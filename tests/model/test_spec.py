"""Validation of network files: every error names the file, node and field."""

from __future__ import annotations

import re

import pytest

from bayesdx.errors import NetworkFileError
from bayesdx.io import load_spec, read_yaml

from helpers import TINY, node


def _fails(write_doc, doc, message: str) -> None:
    path = write_doc(doc)
    with pytest.raises(NetworkFileError) as info:
        load_spec(path)
    assert str(info.value) == f"{path}: {message}"


def test_tiny_loads_in_topological_order():
    spec = load_spec(TINY)
    order = list(spec.nodes)
    for nid, n in spec.nodes.items():
        assert all(order.index(p) < order.index(nid) for p in n.parents)
    assert spec.groups == {"disease": {"sick": ("d1",)}}
    assert spec.nodes["exposure"].default == "no"


def test_omitted_state_takes_remainder():
    entry = next(load_spec(TINY).nodes["test"].cpt.entries())
    assert entry.p == pytest.approx((0.1, 0.9))


def test_malformed_yaml(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("format: bayesdx/1\nnodes: [\n")
    with pytest.raises(NetworkFileError, match=r"bad\.yaml: malformed YAML at line 3"):
        load_spec(path)


def test_duplicate_yaml_key_is_an_error():
    with pytest.raises(NetworkFileError, match="duplicate key 'p' at line 2"):
        read_yaml("x.yaml", "p: 1\np: 2\n")


def test_missing_file(tmp_path):
    with pytest.raises(NetworkFileError, match="cannot read file"):
        load_spec(tmp_path / "nope.yaml")


def test_cpt_not_summing_to_one(write_doc, tiny_doc):
    node(tiny_doc, "disease")["cpt"]["table"][0]["p"] = {"d1": 0.3, "d2": 0.8}
    _fails(
        write_doc,
        tiny_doc,
        "node 'disease', field 'cpt.table[0].p': probabilities sum "
        "to 1.1; expected 1 (within 1e-09)",
    )


def test_partial_row_exceeding_one(write_doc, tiny_doc):
    node(tiny_doc, "test")["cpt"]["table"][0]["p"] = {"pos": 1.2}
    _fails(
        write_doc,
        tiny_doc,
        "node 'test', field 'cpt.table[0].p': probability of pos is "
        "1.2; expected a number in [0, 1]",
    )


def test_cycle(write_doc, tiny_doc):
    node(tiny_doc, "disease")["parents"] = ["test"]
    node(tiny_doc, "disease")["cpt"] = {
        "table": [
            {"when": {"test": ["neg", "pos"]}, "p": {"d1": 0.3}, "source": "expert", "ess": 5}
        ]
    }
    path = write_doc(tiny_doc)
    with pytest.raises(
        NetworkFileError,
        match=r"field 'parents': cycle "
        r"(disease -> test -> disease|test -> disease -> test)",
    ):
        load_spec(path)


def test_missing_parent(write_doc, tiny_doc):
    node(tiny_doc, "test")["parents"] = ["diseese"]
    _fails(
        write_doc,
        tiny_doc,
        "node 'test', field 'parents': unknown parent 'diseese'; "
        "valid nodes: exposure, disease, test, symptom",
    )


def test_missing_parent_combination(write_doc, tiny_doc):
    del node(tiny_doc, "test")["cpt"]["table"][1]
    _fails(
        write_doc,
        tiny_doc,
        "node 'test', field 'cpt.table': 1 parent combination(s) "
        "have no row, for example disease=d2",
    )


def test_repeated_parent_combination(write_doc, tiny_doc):
    node(tiny_doc, "test")["cpt"]["table"][1]["when"] = {"disease": ["d1", "d2"]}
    _fails(
        write_doc,
        tiny_doc,
        "node 'test', field 'cpt.table[1].when': parent combination "
        "disease=d1 is also given in row 0",
    )


def test_unknown_source(write_doc, tiny_doc):
    node(tiny_doc, "test")["cpt"]["table"][1]["source"] = "smith2020"
    _fails(
        write_doc,
        tiny_doc,
        "node 'test', field 'cpt.table[1].source': unknown source "
        "'smith2020'; define it in the bibliography (known: expert, "
        "study)",
    )


def test_expert_estimate_cannot_claim_counts(write_doc, tiny_doc):
    row = node(tiny_doc, "test")["cpt"]["table"][1]
    del row["range"]
    row["counts"] = [20, 100]
    _fails(
        write_doc,
        tiny_doc,
        "node 'test', field 'cpt.table[1].counts': an expert or "
        "unverified estimate cannot give study counts; use range or ess",
    )


def test_counts_must_support_point_value(write_doc, tiny_doc):
    node(tiny_doc, "test")["cpt"]["table"][0]["counts"] = [50, 100]
    _fails(
        write_doc,
        tiny_doc,
        "node 'test', field 'cpt.table[0].counts': p(neg) = 0.1 lies "
        "outside the 95% interval [0.403, 0.597] that the counts "
        "support",
    )


def test_range_must_contain_point_value(write_doc, tiny_doc):
    node(tiny_doc, "test")["cpt"]["table"][1]["range"] = [0.3, 0.5]
    _fails(
        write_doc,
        tiny_doc,
        "node 'test', field 'cpt.table[1].range': range [0.3, 0.5] does not contain p(pos) = 0.2",
    )


def test_uncertainty_required(write_doc, tiny_doc):
    del node(tiny_doc, "test")["cpt"]["table"][1]["range"]
    _fails(
        write_doc,
        tiny_doc,
        "node 'test', field 'cpt.table[1]': expected exactly one uncertainty: counts, range or ess",
    )


def test_unknown_key_lists_valid_ones(write_doc, tiny_doc):
    node(tiny_doc, "test")["parent"] = ["disease"]
    _fails(
        write_doc,
        tiny_doc,
        "node 'test', field 'parent': unknown key; valid keys: id, "
        "label, role, states, description, parents, default, measure, "
        "raw_to, cpt",
    )


def test_unknown_role(write_doc, tiny_doc):
    node(tiny_doc, "test")["role"] = "symptom"
    _fails(
        write_doc,
        tiny_doc,
        "node 'test', field 'role': unknown role 'symptom'; valid "
        "roles: context, diagnosis, intermediate, finding",
    )


def test_bad_default_and_group(write_doc, tiny_doc):
    node(tiny_doc, "exposure")["default"] = "maybe"
    _fails(
        write_doc,
        tiny_doc,
        "node 'exposure', field 'default': default 'maybe' is not a state; valid states: no, yes",
    )
    node(tiny_doc, "exposure")["default"] = "no"
    tiny_doc["groups"]["disease"]["sick"] = ["d3"]
    _fails(
        write_doc,
        tiny_doc,
        "field 'groups.disease.sick': 'd3' is not a state of disease; valid states: d1, d2",
    )


def test_unquoted_yes_no_gets_a_hint(write_doc, tiny_doc):
    node(tiny_doc, "exposure")["states"] = [False, True]
    _fails(
        write_doc,
        tiny_doc,
        "node 'exposure', field 'states': False is not a snake_case id "
        "(a-z, 0-9, _) (YAML reads yes/no/on/off as true/false: quote "
        "it)",
    )


def test_cut_points_must_ascend(write_doc, tiny_doc):
    tiny_doc["nodes"].append(
        {
            "id": "age",
            "label": "Age",
            "role": "context",
            "states": ["young", "mid", "old"],
            "description": "Age.",
            "measure": {
                "quantity": "age",
                "unit": "years",
                "cuts": [60, 40],
                "range": [0, 110],
                "source": "expert",
            },
            "cpt": {"table": [{"p": {"young": 0.3, "mid": 0.3}, "source": "expert", "ess": 5}]},
        }
    )
    _fails(
        write_doc,
        tiny_doc,
        "node 'age', field 'measure.cuts': cut-points must be strictly ascending",
    )


def test_noisy_or_needs_two_states(write_doc, tiny_doc):
    node(tiny_doc, "symptom")["states"] = ["absent", "mild", "severe"]
    _fails(
        write_doc,
        tiny_doc,
        "node 'symptom', field 'cpt.noisy_or': noisy_or needs a two-state node; use noisy_max",
    )


def test_noisy_cause_unknown_parent_state(write_doc, tiny_doc):
    node(tiny_doc, "symptom")["cpt"]["noisy_or"]["causes"]["disease"]["d9"] = {
        "p": 0.1,
        "source": "expert",
        "ess": 3,
    }
    _fails(
        write_doc,
        tiny_doc,
        "node 'symptom', field 'cpt.noisy_or.causes.disease': 'd9' is "
        "not a state of disease; valid states: d1, d2",
    )


def test_expert_source_must_exist(write_doc, tiny_doc):
    tiny_doc["sources"]["expert"]["how_sure"] = "read"
    _fails(
        write_doc,
        tiny_doc,
        "field 'sources': the bibliography must define 'expert' with how_sure: expert",
    )


def test_wrong_format_version(write_doc, tiny_doc):
    tiny_doc["format"] = "bayesdx/9"
    _fails(
        write_doc, tiny_doc, "field 'format': unsupported format 'bayesdx/9'; expected 'bayesdx/1'"
    )


def test_errors_name_file_node_and_field(write_doc, tiny_doc):
    node(tiny_doc, "symptom")["cpt"]["noisy_or"]["leak"]["p"] = 1.5
    path = write_doc(tiny_doc)
    with pytest.raises(NetworkFileError) as info:
        load_spec(path)
    err = info.value
    assert (err.path, err.node, err.field) == (str(path), "symptom", "cpt.noisy_or.leak.p")
    assert re.search(r"expected a number in \[0, 1\]", err.message)


def test_group_member_listed_twice(write_doc, tiny_doc):
    tiny_doc["groups"]["disease"]["sick"] = ["d1", "d1"]
    _fails(write_doc, tiny_doc, "field 'groups.disease.sick': a state is listed twice")


def test_non_text_yaml_key(tmp_path):
    path = tmp_path / "k.yaml"
    path.write_text("? [a, b]\n: 1\n")
    with pytest.raises(NetworkFileError, match="a key must be text, not list, at line 1"):
        load_spec(path)


def test_yaml_merge_keys_are_allowed(write_doc, tiny_doc, tmp_path):
    text = (
        TINY.read_text()
        .replace(
            "        - when: {disease: d1}\n          p: {pos: 0.9}",
            "        - &row\n          when: {disease: d1}\n          p: {pos: 0.9}",
        )
        .replace(
            "        - when: {disease: d2}\n          p: {pos: 0.2}\n"
            "          source: expert\n          range: [0.1, 0.35]",
            "        - <<: *row\n          when: {disease: d2}\n          p: {pos: 0.9}",
        )
    )
    path = tmp_path / "merge.yaml"
    path.write_text(text)
    rows = load_spec(path).nodes["test"].cpt.rows
    assert rows[1][1].p == rows[0][1].p and rows[1][1].sources == ("study",)


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("parents", [["disease"]], "node 'test', field 'parents': expected a list of node ids"),
        ("parents", 0, "node 'test', field 'parents': expected a list of node ids"),
        ("source", {"x": 1}, "field 'cpt.table[0].source': expected a source id or a list"),
        ("order", [{"a": 1}, {"b": 2}], "field 'measure.order': expected the states neg, pos"),
        ("quantity", None, "field 'measure.quantity': expected non-empty text"),
        (
            "ess",
            float("inf"),
            "field 'cpt.table[0].ess': expected a positive effective sample size",
        ),
    ],
)
def test_wrong_types_are_named(write_doc, tiny_doc, where, value, message):
    test = node(tiny_doc, "test")
    if where == "parents":
        test["parents"] = value
    elif where in ("order", "quantity"):
        test["measure"][where] = value
    elif where == "source":
        test["cpt"]["table"][0]["source"] = value
    else:
        row = test["cpt"]["table"][0]
        row.pop("counts")
        row["ess"] = value
    path = write_doc(tiny_doc)
    with pytest.raises(NetworkFileError, match=re.escape(message)):
        load_spec(path)


def test_long_chain_loads_without_recursion(write_doc):
    nodes = [
        {
            "id": "n0",
            "label": "n0",
            "role": "context",
            "states": ["a", "b"],
            "description": "x",
            "cpt": {"table": [{"p": {"a": 0.5}, "source": "expert", "ess": 2}]},
        }
    ]
    for i in range(1, 1500):
        nodes.append(
            {
                "id": f"n{i}",
                "label": "n",
                "role": "intermediate",
                "states": ["a", "b"],
                "description": "x",
                "parents": [f"n{i - 1}"],
                "cpt": {
                    "table": [
                        {
                            "when": {f"n{i - 1}": ["a", "b"]},
                            "p": {"a": 0.5},
                            "source": "expert",
                            "ess": 2,
                        }
                    ]
                },
            }
        )
    doc = {
        "format": "bayesdx/1",
        "id": "chain",
        "title": "t",
        "description": "d",
        "sources": {"expert": {"citation": "c", "how_sure": "expert"}},
        "nodes": nodes[::-1],
    }
    spec = load_spec(write_doc(doc))
    assert list(spec.nodes)[:3] == ["n0", "n1", "n2"]
