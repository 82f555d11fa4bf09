"""One number rule (bayesdx.model._textnum): its patterns are compiled when first used."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bayesdx.model import _textnum
from bayesdx.model._textnum import parse_number

_D = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
#: the patterns as they were written before they were compiled lazily
REFERENCE = {
    "DECIMAL": re.compile(rf"^{_D}\Z", re.ASCII),
    "INTEGER": re.compile(r"^[+-]?\d+\Z", re.ASCII),
    "NUMBER": re.compile(rf"^(?:{_D}|[+-]?(?:inf|nan))\Z", re.ASCII | re.IGNORECASE),
}
TEXTS = [
    "", "0", "012", "-3", "+.5", "5.", "1e3", "1E-3", ".", "-", "e5", "inf", "-Inf", "NaN",
    "nan1", "present", "lt_12", " 1", "1 ", "١٢", "0x0C", "1_0", "İnf", "ınf", "Infinity",
]  # fmt: skip


@pytest.mark.parametrize("name", list(REFERENCE))
def test_patterns_are_the_same(name):
    assert getattr(_textnum, name).pattern == REFERENCE[name].pattern
    assert getattr(_textnum, name).flags == REFERENCE[name].flags


@pytest.mark.parametrize("text", TEXTS)
def test_parse_number_follows_the_patterns(text):
    for special, pattern in ((True, REFERENCE["NUMBER"]), (False, REFERENCE["DECIMAL"])):
        got = parse_number(text, special=special)
        if not pattern.match(text):
            assert got is None
        else:
            want = int(text) if REFERENCE["INTEGER"].match(text) else float(text)
            assert type(got) is type(want) and (got == want or (got != got and want != want))


def test_a_state_id_needs_no_pattern():
    code = (
        "from bayesdx.model import _textnum as t; t.parse_number('present'); "
        "print(sorted(n for n in ('DECIMAL', 'INTEGER', 'NUMBER') if n in vars(t)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
