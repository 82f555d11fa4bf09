"""The committed network document matches the network file."""

from bayesdx.io import entry_rows, network_markdown

from helpers import ROOT

DOC = ROOT / "networks" / "marrow_signal.md"


def test_committed_document_is_current(marrow):
    assert DOC.read_text() == network_markdown(marrow), (
        "networks/marrow_signal.md is stale: run "
        "bayesdx networks --markdown marrow_signal > networks/marrow_signal.md"
    )


def test_document_lists_every_node_and_entry(marrow):
    text = network_markdown(marrow)
    for v in marrow.variables:
        assert f"## `{v}`:" in text
        node = marrow.spec.nodes[v]
        assert f"parents: {', '.join(node.parents) or 'none'}" in text
        for _, entry in entry_rows(marrow, v):
            for source in entry.sources:
                assert f"`{source}` (" in text


def test_noisy_rows_are_labelled(tiny):
    labels = [label for label, _ in entry_rows(tiny, "symptom")]
    assert labels == ["leak (no cause)", "cause disease = d1", "cause exposure = yes"]
