"""Reading a local cohort and its outcome column (shared by ``learn`` and ``validate --data``)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bayesdx
from bayesdx.errors import CaseFileError, RowError
from bayesdx.io import NO, YES, cohort_hash, read_cohort, read_outcome

MARROW = bayesdx.load_network("marrow_signal")
DX = ["cmml", "mds", "normal_variant", "multiple_myeloma"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["", " ", *DX, "1", "0", "yes", "No", "TRUE"]), min_size=1,
                max_size=12))  # fmt: skip
def test_the_outcome_rule(values):
    frame = pd.DataFrame({"dx": values})
    given_ = [v.strip() for v in values if v.strip()]
    kinds = {"diagnosis" if v in DX else "group" for v in given_}
    if not given_:
        with pytest.raises(CaseFileError, match="empty in every row"):
            read_outcome(MARROW, frame, "dx", "c")
        return
    if len(kinds) > 1:
        with pytest.raises(RowError, match="give one kind"):
            read_outcome(MARROW, frame, "dx", "c")
        return
    read = read_outcome(MARROW, frame, "dx", "c")
    members = set(MARROW.spec.decision.members)
    for v, y, s in zip(values, read.in_group, read.state, strict=True):
        v = v.strip()
        if not v:
            assert y == -1 and s == -1
        elif v in DX:
            assert y == int(v in members) and MARROW.states["diagnosis"][s] == v
        else:
            assert s == -1 and y == int(v.lower() in YES) and v.lower() in YES + NO


def test_an_outcome_that_is_neither_names_the_line():
    frame = pd.DataFrame({"dx": ["cmml", "maybe"]})
    with pytest.raises(RowError, match="line 3") as info:
        read_outcome(MARROW, frame, "dx", "c")
    assert "neither a state of diagnosis" in str(info.value)
    with pytest.raises(CaseFileError, match="no outcome column 'y'"):
        read_outcome(MARROW, frame, "y", "c")


def test_read_cohort_from_a_file_and_a_frame(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"\xef\xbb\xbfhb,m_protein\r\n10.5,present\r\n,\r\n")
    frame, name = read_cohort(path)
    assert name == str(path) and frame.to_dict("list") == {
        "hb": ["10.5", ""],
        "m_protein": ["present", ""],
    }
    same, _ = read_cohort(pd.DataFrame({"m_protein": ["", "present"], "hb": [None, 10.5]}))
    assert cohort_hash(frame) == cohort_hash(same)  # row and column order do not count
    other, _ = read_cohort(pd.DataFrame({"hb": [10.6, None], "m_protein": ["present", ""]}))
    assert cohort_hash(other) != cohort_hash(frame)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"hb\n", "has no patients"), (b"hb,hb\n1,2\n", "given twice"),
     (b"\xff\xfe", "not UTF-8")],
)  # fmt: skip
def test_bad_files_are_refused_by_name(tmp_path, content, message):
    path = tmp_path / "c.csv"
    path.write_bytes(content)
    with pytest.raises(CaseFileError, match=message):
        read_cohort(path)
    with pytest.raises(CaseFileError, match="not a regular file"):
        read_cohort(tmp_path)
