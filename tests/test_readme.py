"""The README's examples run, and the outputs it quotes are what the code prints."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from bayesdx.cli import main

README = (Path(__file__).parents[1] / "README.md").read_text()
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.S)


def test_python_block_runs():
    (code,) = [body for lang, body in BLOCKS if lang == "python"]
    exec(compile(code, "README.md", "exec"), {})
    plt.close("all")


def _quoted_pairs():
    """(command, quoted output or None): each bayesdx command and the output block after it."""
    for i, (lang, body) in enumerate(BLOCKS):
        if lang == "bash" and "bin/bayesdx " in body:
            command = body.strip().split("bin/bayesdx ", 1)[1]
            output = None
            for kind, text in BLOCKS[i + 1 :]:
                if kind == "bash" and "bin/bayesdx " not in text:
                    continue  # the test command sits between the main command and its output
                output = text if kind == "" else None
                break
            yield command, output


PAIRS = list(_quoted_pairs())


def test_there_are_quoted_outputs():
    assert len([p for p in PAIRS if p[1]]) >= 2


@pytest.mark.parametrize(("command", "quoted"), PAIRS, ids=[p[0][:30] for p in PAIRS])
def test_quoted_output_matches(capsys, monkeypatch, tmp_path, command, quoted):
    monkeypatch.chdir(tmp_path)  # a command may write a file (--html)
    assert main(shlex.split(command)) == 0
    if quoted is None:
        return
    actual = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
    for line in quoted.splitlines():
        line = " ".join(line.split())
        if line and line != "...":
            assert line in actual, f"README quotes a line the code does not print: {line!r}"


def test_counts_quoted_in_the_readme(marrow):
    from bayesdx.io import entry_rows
    from bayesdx.model import network_parameters

    entries = [e for v in marrow.variables for _, e in entry_rows(marrow, v)]
    expert = sum(e.expert for e in entries)
    text = " ".join(README.split())
    assert f"The network has {len(entries)} probability entries. {len(entries) - expert} of" in text
    assert f"The other {expert} are expert estimates" in text
    assert f"network's {len(network_parameters(marrow))} free parameters" in text
