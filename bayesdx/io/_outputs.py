"""Write output files so that no file is ever harmed.

Every file bayesdx writes (a scored CSV, an HTML page, an exported network, a report) goes
through :func:`atomic_output`:

- the content goes to a hidden temporary file (``.NAME.<8 hex digits>.part``) in the
  output's own folder and is renamed over the output only when it is complete, so the output
  is either the old file or the whole new one, never a part; the temporary file is removed on
  any error, Ctrl-C or SIGTERM and, after a ``kill -9``, by the next run that writes the
  same output;
- an output that is one of the inputs (the same file under any spelling of its path, or a
  hard link to it) is refused;
- an existing symbolic link, FIFO, device or socket is refused unless ``force=True``; with
  ``force`` a symbolic link's target is replaced and a FIFO or device is written directly;
- two runs writing the same output at once do not interleave: the second is refused while
  the first holds the output's lock (a hidden ``.NAME.lock`` file, removed afterwards).

Examples
--------
>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_output(folder / "out.txt") as fh:
...     _ = fh.write("complete\\n")
>>> (folder / "out.txt").read_text()
'complete\\n'
>>> with atomic_output(folder / "out.txt", inputs=[folder / "out.txt"]) as fh:
...     pass
Traceback (most recent call last):
...
bayesdx.errors.OutputFileError: cannot write .../out.txt: it is the input file .../out.txt; ...
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from bayesdx.errors import OutputFileError

__all__ = ["atomic_output", "check_output", "same_file"]

_SPECIAL = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _stat(path: Path, follow: bool = True) -> os.stat_result | None:
    try:
        return path.stat() if follow else path.lstat()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return None
    except OSError as exc:
        raise OutputFileError(f"cannot write {path}: {_why(exc)}") from None


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name one existing file (any spelling, symbolic or hard links).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = f.write_text("x")
    >>> same_file(f, f.parent / "." / "a.csv"), same_file(f, f.parent / "b.csv")
    (True, False)
    """
    try:
        sa, sb = os.stat(a), os.stat(b)
    except (OSError, ValueError):
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def check_output(
    path: str | os.PathLike, *, inputs: Iterable[str | os.PathLike] = (), force: bool = False
) -> tuple[Path, bool]:
    """Check that ``path`` may be written; return the file to write and whether to stream.

    Returns
    -------
    (Path, bool)
        The file to replace (a symbolic link's target with ``force``), and True when it must
        be written directly (a FIFO or device with ``force``), not through a temporary file.

    Raises
    ------
    OutputFileError
        An empty name, a folder, a missing folder, an input file, or (without ``force``) an
        existing symbolic link, FIFO, device or socket.
    """
    text = os.fspath(path)
    if not str(text).strip():
        raise OutputFileError("the output path is empty; give a file name")
    out = Path(text)
    link = _stat(out, follow=False)
    if link is not None and stat.S_ISLNK(link.st_mode):
        if not force:
            raise OutputFileError(
                f"cannot write {out}: it is a symbolic link; give another name, or --force to "
                "replace the file it points to"
            )
        out = Path(os.path.realpath(out))
    st = _stat(out)
    if st is not None:
        kind = _SPECIAL.get(stat.S_IFMT(st.st_mode))
        if stat.S_ISDIR(st.st_mode):
            raise OutputFileError(f"cannot write {out}: it is a folder; give a file name")
        if kind and not force:
            raise OutputFileError(
                f"cannot write {out}: it is {kind}, not a regular file; give a file name, or "
                "--force to write into it"
            )
        for source in inputs:
            if same_file(out, source):
                raise OutputFileError(
                    f"cannot write {out}: it is the input file {source}; "
                    "write the output to another file"
                )
        if kind:
            return out, True
    parent = _stat(out.parent)
    if parent is None or not stat.S_ISDIR(parent.st_mode):
        raise OutputFileError(f"cannot write {out}: folder {out.parent} does not exist")
    return out, False


@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    """Hold ``.NAME.lock`` beside ``out`` for the whole write; refuse if another run holds it.

    The lock file is removed on the way out, whatever ends the write (an error, Ctrl-C,
    SIGTERM): the cleanup covers everything from the moment the lock is taken.
    """
    import fcntl

    lock = out.with_name(f".{out.name}.lock")
    fd, held = -1, False
    try:
        while True:
            try:
                fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError as exc:
                raise OutputFileError(f"cannot write {out}: {_why(exc)}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputFileError(
                    f"cannot write {out}: another bayesdx run is writing it now; wait for that "
                    "run or write to another file"
                ) from None
            held = True
            # the lock file may have been removed by a run that just finished: lock the live one
            current = _stat(lock)
            mine = os.fstat(fd)
            if current is not None and (current.st_dev, current.st_ino) == (
                mine.st_dev,
                mine.st_ino,
            ):
                break
            held = False  # not the live file: leave it alone and try again
            os.close(fd)
            fd = -1
        # no other run is writing this output now: temporary files left by one that was
        # killed (SIGKILL cannot be caught) are removed here
        pattern = _part_name(Path(glob.escape(out.name)), "[0-9a-f]" * 8).name
        for stale in out.parent.glob(pattern):
            with contextlib.suppress(OSError):
                stale.unlink()
        yield
    finally:
        if held:
            with contextlib.suppress(OSError):
                lock.unlink()
        if fd >= 0:
            os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _part_name(out: Path, token: str | None = None) -> Path:
    """The hidden temporary name beside ``out``: ``.NAME.<8 hex digits>.part``."""
    return out.with_name(f".{out.name}.{token or secrets.token_hex(4)}.part")


def _temporary(out: Path) -> tuple[int, Path]:
    """A new hidden temporary file beside ``out``, opened for writing."""
    while True:
        name = _part_name(out)
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), name
        except FileExistsError:  # 2^32 names: another run's, try the next
            continue


def _publish(fd: int, name: Path, out: Path) -> None:
    """Give the finished temporary file its mode and rename it over ``out``."""
    old = _stat(out)
    os.fchmod(fd, stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~_umask())
    os.fsync(fd)
    os.replace(name, out)


@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike,
    *,
    inputs: Iterable[str | os.PathLike] = (),
    force: bool = False,
    binary: bool = False,
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """A file object whose content replaces ``path`` only when the ``with`` block completes.

    Parameters
    ----------
    path : path or ``"-"``
        The output; ``"-"`` writes to standard output.
    inputs : iterable of paths
        Files this run reads; the output must not be one of them.
    force : bool
        Replace a symbolic link's target, or write into a FIFO or device.
    binary : bool
        Yield a binary file (default text, UTF-8).
    newline : str, optional
        As for :func:`open` (``""`` for the csv module).

    Raises
    ------
    OutputFileError
        See :func:`check_output`; also when the folder cannot be written (permissions, a full
        disk), with nothing left behind.
    """
    if os.fspath(path) == "-":
        stream: Any = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    out, direct = check_output(path, inputs=inputs, force=force)
    kwargs: dict[str, Any] = {} if binary else {"encoding": "utf-8", "newline": newline}
    mode = "wb" if binary else "w"
    if direct:
        try:
            fh = open(out, mode, **kwargs)  # closed by the with below
        except OSError as exc:
            raise OutputFileError(f"cannot write {out}: {_why(exc)}") from None
        with fh:
            yield fh  # an error in the caller's block propagates as it is
        return
    with _lock(out):
        try:
            fd, name = _temporary(out)
        except OSError as exc:
            raise OutputFileError(f"cannot write {out}: {_why(exc)}") from None
        fh = os.fdopen(fd, mode, **kwargs)
        try:
            yield fh  # an error in the caller's block propagates as it is
            try:
                fh.flush()
                _publish(fh.fileno(), name, out)
            except OSError as exc:
                raise OutputFileError(f"cannot write {out}: {_why(exc)}") from None
        finally:
            fh.close()
            with contextlib.suppress(OSError):
                name.unlink(missing_ok=True)  # gone already once renamed into place
