"""No file is ever harmed: atomic outputs, inputs never touched, one writer at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bayesdx.cli import main
from bayesdx.errors import OutputFileError
from bayesdx.io._outputs import _lock, atomic_output, check_output

from helpers import ROOT

CSV = "hb,m_protein\n10.4,present\n"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_complete_write_replaces_and_keeps_the_mode(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("old")
    out.chmod(0o640)
    with atomic_output(out) as fh:
        fh.write("new")
    assert out.read_text() == "new"
    assert out.stat().st_mode & 0o777 == 0o640
    assert _leftovers(tmp_path) == []


def test_an_error_midway_leaves_the_old_file(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(out) as fh:
        fh.write("half")
        raise RuntimeError("boom")
    assert out.read_text() == "old"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("spelling", ["same", "dotted", "hardlink", "symlink-input"])
def test_output_that_is_the_input_is_refused(tmp_path, spelling):
    src = tmp_path / "in.csv"
    src.write_text(CSV)
    out = {
        "same": src,
        "dotted": tmp_path / "." / "in.csv",
        "hardlink": tmp_path / "hard.csv",
        "symlink-input": src,
    }[spelling]
    inputs = [src]
    if spelling == "hardlink":
        os.link(src, out)
    if spelling == "symlink-input":  # the input given through a link, the output by name
        (tmp_path / "ln.csv").symlink_to(src)
        inputs = [tmp_path / "ln.csv"]
    with pytest.raises(OutputFileError, match="it is the input file"):
        check_output(out, inputs=inputs)
    assert src.read_text() == CSV


def test_symlink_refused_unless_forced(tmp_path):
    target = tmp_path / "target.csv"
    target.write_text("keep")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    with pytest.raises(OutputFileError, match="symbolic link"):
        check_output(link)
    with atomic_output(link, force=True) as fh:
        fh.write("forced")
    assert link.is_symlink() and target.read_text() == "forced"


def test_fifo_and_device_refused(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OutputFileError, match="FIFO"):
        check_output(fifo)
    with pytest.raises(OutputFileError, match="character device"):
        check_output("/dev/null")
    assert Path("/dev/null").is_char_device()
    assert check_output("/dev/null", force=True) == (Path("/dev/null"), True)


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "empty"), ("missing/out.csv", "does not exist"), (".", "folder"), ("x" * 300, "long")],
)
def test_bad_output_names(tmp_path, monkeypatch, name, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputFileError, match=message):
        with atomic_output(name) as fh:
            fh.write("x")


def test_second_writer_is_refused_while_the_first_writes(tmp_path):
    out = tmp_path / "out.csv"
    with _lock(out), pytest.raises(OutputFileError, match="another bayesdx run is writing"):
        with atomic_output(out) as fh:
            fh.write("second")
    assert not out.exists()
    with atomic_output(out) as fh:  # free again afterwards
        fh.write("third")
    assert out.read_text() == "third" and _leftovers(tmp_path) == []


def test_stale_temporary_files_are_removed_by_the_next_run(tmp_path):
    out = tmp_path / "out.csv"
    stale = tmp_path / ".out.csv.0123abcd.part"  # what kill -9 can leave behind
    stale.write_text("partial")
    mine = tmp_path / ".out.csv.mine.part"  # not ours: kept
    mine.write_text("user")
    with atomic_output(out) as fh:
        fh.write("whole")
    assert not stale.exists() and mine.exists()


def test_cli_batch_refuses_to_overwrite_its_input(tmp_path, capsys):
    src = tmp_path / "same.csv"
    src.write_text(CSV)
    assert main(["batch", "-i", str(src), "-o", str(tmp_path / "." / "same.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "it is the input file" in err
    assert src.read_text() == CSV


def test_cli_bad_row_never_deletes_an_input_named_like_a_temporary(tmp_path, capsys):
    src = tmp_path / "x.csv.part"
    src.write_text("hb\n10\n999\n")
    assert main(["batch", "-i", str(src), "-o", str(tmp_path / "x.csv")]) == 2
    assert "line 3, column hb" in capsys.readouterr().err
    assert src.read_text() == "hb\n10\n999\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv.part"]


def test_cli_explain_and_export_are_atomic_and_refuse_inputs(tmp_path, capsys):
    case = tmp_path / "case.yaml"
    case.write_text("hb: 10.4\n")
    assert main(["explain", "--case", str(case), "--html", str(case)]) == 2
    assert case.read_text() == "hb: 10.4\n"
    page = tmp_path / "page.html"
    assert main(["explain", "--case", str(case), "--html", str(page)]) == 0
    assert page.read_text().startswith("<!DOCTYPE html>") or "<html" in page.read_text()
    assert main(["export", "-n", "marrow_signal", "-f", "bif", "-o", str(tmp_path / "m.bif")]) == 0
    assert "network" in (tmp_path / "m.bif").read_text()
    capsys.readouterr()
    assert _leftovers(tmp_path) == []


def test_cli_batch_to_stdout(tmp_path, capsys):
    src = tmp_path / "c.csv"
    src.write_text(CSV)
    assert main(["batch", "-i", str(src), "-o", "-"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].startswith("hb,m_protein,diagnosis=")
    assert len(out.splitlines()) == 2 and "scored 1 row of" in err


def test_sigterm_removes_the_temporary_file(tmp_path):
    src = tmp_path / "big.csv"
    src.write_text("hb,calcium\n" + "10.4,11.6\n13,9\n" * 300_000)
    out = tmp_path / "out.csv"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bayesdx.cli", "batch", "-i", str(src), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.name.endswith(".part") for p in tmp_path.iterdir()) or _lock_held(out):
            break
        time.sleep(0.01)
    time.sleep(0.3)  # well inside the write, which takes seconds
    if proc.poll() is not None:
        pytest.fail(f"batch ended before it could be stopped: {proc.communicate()}")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "stopped by SIGTERM" in err
    assert not out.exists()
    assert _leftovers(tmp_path) == []
    assert src.stat().st_size > 0


def _lock_held(out: Path) -> bool:
    return out.with_name(f".{out.name}.lock").exists()


def test_cli_never_writes_over_a_bundled_network(capsys):
    from bayesdx.io import bundled_path

    path = bundled_path("marrow_signal")
    before = path.read_bytes()
    assert main(["export", "-n", "marrow_signal", "-f", "bif", "-o", str(path)]) == 2
    assert "it is the input file" in capsys.readouterr().err
    assert path.read_bytes() == before
