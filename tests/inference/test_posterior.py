"""The Posterior result object: dict, frame, text, HTML and plot agree with each other."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from bayesdx import DISCLAIMER
from bayesdx.errors import UnknownStateError
from bayesdx.inference import query


@pytest.fixture
def post(marrow):
    return query(
        marrow, {"hb": 10.9, "m_protein": "present"}, targets=["diagnosis", "marrow_process"]
    )


def test_views_agree(post):
    d = post.to_dict()
    frame = post.to_frame()
    states = frame[frame.kind == "state"]
    for row in states.itertuples():
        assert d["posterior"][row.target][row.state] == row.probability
    groups = frame[frame.kind == "group"].set_index("state")["probability"].to_dict()
    assert groups == d["groups"]
    assert d["disclaimer"] == DISCLAIMER


def test_probability_lookup(post):
    assert post.probability("neoplasm") == post.groups["neoplasm"]
    assert post.probability("infiltration") == post["marrow_process"]["infiltration"]
    with pytest.raises(UnknownStateError, match="unknown state 'leukaemia'"):
        post.probability("leukaemia")


def test_text_and_html(post):
    text = str(post)
    top, p = post.ranked()[0]
    assert f"{top:<28} {p:6.3f}" in text
    assert text.rstrip().endswith(DISCLAIMER)
    html = post._repr_html_()
    assert f"<td>{top}</td><td style='text-align:right'>{p:.3f}</td>" in html
    assert DISCLAIMER in html
    assert repr(post).startswith("<Posterior marrow_signal: ")


def test_plot_returns_axes(post):
    fig, ax = plt.subplots()
    assert post.plot(ax=ax) is ax
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == post.ranked()[0][0]  # most probable on top
    assert len(ax.patches) == len(post["diagnosis"])
    plt.close(fig)
    ax = post.plot(target="marrow_process")
    assert ax.get_xlabel() == "P(marrow_process | evidence)"
    plt.close(ax.figure)


def test_unknown_target_lookups(post):
    from bayesdx.errors import UnknownVariableError

    for call in (
        lambda: post["nope"],
        lambda: post.ranked("nope"),
        lambda: post.plot(target="nope"),
    ):
        with pytest.raises(UnknownVariableError, match="unknown variable 'nope'"):
            call()


def test_group_with_its_target(post):
    assert post.probability("neoplasm", target="diagnosis") == post.groups["neoplasm"]
