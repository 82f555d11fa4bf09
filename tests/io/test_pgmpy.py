"""The pgmpy adapter: model conversion, check_model, and export/import round trips."""

from __future__ import annotations

import pytest

from bayesdx import load_network, query
from bayesdx.errors import NetworkFileError
from bayesdx.inference import marginals
from bayesdx.io import EXPORT_FORMATS, check_model, to_pgmpy, write_model

from helpers import TINY


def test_tiny_passes_check_model(tiny):
    assert check_model(tiny)
    model = to_pgmpy(tiny)
    assert sorted(model.nodes()) == sorted(tiny.variables)


# UAI keeps no names (tests/io/test_writers_dsl_uai.py maps them)
@pytest.mark.parametrize("fmt", [f for f in EXPORT_FORMATS if f != "uai"])
def test_round_trip_keeps_posteriors(tiny, tmp_path, fmt):
    suffix = {"xmlbif": "xml"}.get(fmt, fmt)
    path = tmp_path / f"tiny.{suffix}"
    write_model(tiny, str(path), fmt)
    back = load_network(path)
    assert back.spec.nodes["disease"].role is None  # imported: no roles needed
    for case in [{}, {"test": "pos"}, {"test": "neg", "symptom": "present", "exposure": "yes"}]:
        ours, _ = marginals(tiny, case, ["disease", "symptom"])
        theirs, _ = marginals(back, case, ["disease", "symptom"])
        for t in ours:
            for s in ours[t]:
                assert theirs[t][s] == pytest.approx(ours[t][s], abs=1e-9)


def test_imported_network_default_targets_are_all_nodes(tiny, tmp_path):
    path = tmp_path / "t.bif"
    write_model(tiny, str(path), "bif")
    post = query(load_network(path), {"test": "pos"})
    assert set(post.targets) == set(tiny.variables)
    assert post.groups == {}


def test_malformed_bif(tmp_path):
    path = tmp_path / "bad.bif"
    path.write_text(
        "network x { }\nvariable a { type discrete [ 2 ] { y, n }; }\n"
        "probability ( a ) { table 0.2 ; }\n"
    )
    with pytest.raises(NetworkFileError, match=r"bad\.bif: "):
        query(load_network(path))


def test_tiny_source_path_is_kept():
    assert load_network(TINY).spec.path.endswith("tiny.yaml")


@pytest.mark.parametrize(
    ("name", "text"), [("g.bif", "network garbage {{{"), ("e.bif", "net {}\n")]
)
def test_import_with_no_variables(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(
        NetworkFileError, match=r"no variables found|unexpected end of file|expected 'network'"
    ):
        load_network(path)
