"""The explorer's quiz in Python: the steps built from the case library, the scoring rules,
and ``bayesdx explore --quiz``. The quiz in the browser is in test_explorer_browser.py."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bayesdx
from bayesdx.cli import main
from bayesdx.errors import CaseFileError
from bayesdx.explanation import explore, explorer_data, quiz_steps, score_quiz
from bayesdx.io import Case, load_cases
from bayesdx.model import normalise, resolve_hypothesis

from helpers import TINY

MARROW = bayesdx.load_network("marrow_signal")
H = resolve_hypothesis(MARROW, None)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_library_case_is_used_or_left_out_with_a_reason():
    cases = load_cases()
    steps, skipped = quiz_steps(MARROW, cases, H)
    assert len(steps) + len(skipped) == len(cases)
    assert len(steps) >= 10  # the bundled library teaches with most of its cases
    by_id = {c.id: c for c in cases}
    for qc in steps:
        case = by_id[qc["id"]]
        assert qc["outcome"] == int(case.final_diagnosis in H.members)
        assert qc["citation"] == case.citation
        # the reveals are the readable findings in the file's order, the setting first
        revealed = [s["var"] for s in qc["steps"]]
        assert revealed == [v for v in case.findings if v in revealed]
        assert "setting" not in revealed
        so_far = {"setting": case.setting} if case.setting else {}
        for s in qc["steps"]:
            so_far[s["var"]] = s["value"]
            assert s["given"] == dict(normalise(MARROW, so_far, defaults=False).given)
        assert qc["opening"]["given"] == ({"setting": case.setting} if case.setting else {})


def test_a_case_the_network_cannot_use_is_left_out_with_its_reason():
    source = {"authors": "A", "journal": "J", "year": 2000, "doi": None, "url": "u"}
    cases = [
        Case("unknown_dx", source, {"hb": 10.0}, "not_a_diagnosis"),
        Case("nothing_readable", source, {"spleen": "big"}, "multiple_myeloma"),
        Case("fine", source, {"hb": 10.0, "m_protein": "present"}, "multiple_myeloma"),
    ]
    steps, skipped = quiz_steps(MARROW, cases, H)
    assert [c["id"] for c in steps] == ["fine"]
    assert [s.split()[0] for s in skipped] == ["unknown_dx", "nothing_readable"]
    assert "not a state of diagnosis" in skipped[0]
    assert "none of its findings" in skipped[1]
    assert (
        steps[0]["steps"][0]["text"].startswith("Haemoglobin")
        or "10 g/dL" in (steps[0]["steps"][0]["text"])
    )
    assert "10 g/dL" in steps[0]["steps"][0]["text"]


def test_a_quiz_with_no_usable_case_is_refused():
    tiny = bayesdx.load_network(TINY)
    with pytest.raises(CaseFileError, match="no case can be used for the quiz"):
        explore(tiny, quiz=True)
    with pytest.raises(CaseFileError, match="no case files were given"):
        explorer_data(MARROW, quiz=[])


def test_the_page_embeds_the_quiz_and_the_explorer_reports_it():
    ex = explore(MARROW, quiz=True)
    data = json.loads(
        re.search(r'<script id="bdx-data" type="application/json">(.*?)</script>', ex.html, re.S)
        .group(1)
        .replace("\\u003c", "<")
        .replace("\\u003e", ">")
        .replace("\\u0026", "&")
    )
    assert [c["id"] for c in data["quiz"]] == ex.quiz_cases
    assert data["quiz_skipped"] == ex.quiz_skipped
    assert "quiz" in repr(ex)
    assert explorer_data(MARROW)["quiz"] is None  # no quiz unless asked


def test_quiz_from_a_folder(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    src = sorted(Path(load_cases()[0].path).parent.glob("*.yaml"))[:2]
    for p in src:
        (folder / p.name).write_text(p.read_text())
    ex = explore(MARROW, quiz=folder)
    assert len(ex.quiz_cases) + len(ex.quiz_skipped) == 2


# ------------------------------------------------------------------ scoring

probs = st.floats(0.01, 0.99)


@given(st.lists(st.tuples(probs, probs), min_size=2, max_size=9), st.integers(0, 1))
def test_brier_is_the_mean_squared_error_against_the_outcome(pairs, outcome):
    yours, net = [p for p, _ in pairs], [q for _, q in pairs]
    s = score_quiz(yours, net, outcome)
    assert s.brier == pytest.approx(sum((p - outcome) ** 2 for p in yours) / len(yours))
    assert s.network_brier == pytest.approx(sum((q - outcome) ** 2 for q in net) / len(net))
    assert 0 <= s.brier <= 1 and len(s.findings) == len(pairs) - 1


@given(st.lists(probs, min_size=2, max_size=9), st.integers(0, 1))
def test_estimates_equal_to_the_network_are_about_right_everywhere(ps, outcome):
    s = score_quiz(ps, ps, outcome)
    assert s.brier == s.network_brier
    assert {f["verdict"] for f in s.findings} == {"about right"}


@given(probs, probs, probs, probs)
def test_verdicts_follow_the_shifts_in_decibans(a0, a1, b0, b1):
    s = score_quiz([a0, a1], [b0, b1], 1)
    f = s.findings[0]
    yours = 10 * math.log10(a1 / (1 - a1)) - 10 * math.log10(a0 / (1 - a0))
    theirs = 10 * math.log10(b1 / (1 - b1)) - 10 * math.log10(b0 / (1 - b0))
    assert f["yours_db"] == pytest.approx(yours) and f["network_db"] == pytest.approx(theirs)
    if abs(yours - theirs) <= 3:
        assert f["verdict"] == "about right"
    elif yours * theirs < 0 and min(abs(yours), abs(theirs)) >= 1:
        assert f["verdict"] == "opposite direction"
    else:
        assert f["verdict"] == ("over-weighted" if abs(yours) > abs(theirs) else "under-weighted")


def test_probabilities_beyond_the_slider_are_clamped_to_it():
    # the network may say 0.9999; the trainee can say at most 0.99: no penalty for the clamp
    s = score_quiz([0.5, 0.99], [0.5, 0.9999], 1)
    assert s.findings[0]["verdict"] == "about right"
    assert s.findings[0]["network_db"] == pytest.approx(s.findings[0]["yours_db"])


def test_score_refuses_mismatched_input():
    with pytest.raises(ValueError, match="same length"):
        score_quiz([0.5], [0.5], 1)
    with pytest.raises(ValueError, match="outcome"):
        score_quiz([0.5, 0.5], [0.5, 0.5], 2)


# ------------------------------------------------------------------ command line


def test_explore_quiz_writes_the_page(capsys, tmp_path):
    out = tmp_path / "quiz.html"
    code, printed, err = run(capsys, "explore", "--quiz", "-o", str(out))
    assert code == 0, err
    n = len(load_cases())
    m = re.search(r"quiz: (\d+) published cases", printed)
    assert m and 1 <= int(m.group(1)) <= n
    page = out.read_text()
    assert "quiz-slider" not in page or '"quiz":[' in page
    assert '"quiz":[{' in page and "Educational and research tool" in page


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--cases", "."], "--cases is for the quiz"),
        (["--quiz", "--cases", "no/such/folder"], "no such folder"),
        (["--quiz", "--network", str(TINY)], "no case can be used for the quiz"),
    ],
)
def test_explore_quiz_refuses_bad_input_and_writes_nothing(capsys, tmp_path, argv, message):
    out = tmp_path / "quiz.html"
    code, _, err = run(capsys, "explore", *argv, "-o", str(out))
    assert code == 2 and message in err and err.count("\n") == 1
    assert not out.exists()


def test_explore_quiz_never_writes_over_a_case_file(capsys, tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    case = folder / "a.yaml"
    case.write_text(Path(load_cases()[0].path).read_text())
    before = case.read_bytes()
    code, _, _ = run(capsys, "explore", "--quiz", "--cases", str(folder), "-o", str(case))
    assert code == 2 and case.read_bytes() == before
