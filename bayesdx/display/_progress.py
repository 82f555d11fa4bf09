"""A small progress bar on stderr, for long runs (no dependency)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Report ``done / total`` on one stderr line, at most a few times a second.

    Parameters
    ----------
    total : int
    label : str
    enabled : bool or None
        None: only when stderr is a terminal.
    stream : file, optional
    unit : str
        What is counted, for example ``cases``.

    Examples
    --------
    >>> bar = Progress(3, "draws", enabled=False)
    >>> for _ in range(3):
    ...     bar.update(1)
    >>> bar.close()
    >>> bar.done
    3
    """

    def __init__(
        self,
        total: int,
        label: str = "",
        enabled: bool | None = None,
        stream: TextIO | None = None,
        unit: str = "",
    ):
        self.total, self.label, self.done, self.unit = max(int(total), 1), label, 0, unit
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._start = self._last = time.monotonic()

    def update(self, n: int) -> None:
        """Add ``n`` to what is done, and redraw if it is time to."""
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.2 or self.done >= self.total):
            self._last = now
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            rate = self.done / max(now - self._start, 1e-9)
            self.stream.write(
                f"\r{self.label} [{bar:<30}] {self.done:,}/{self.total:,} {self.unit} "
                f"({rate:,.0f}/s)"
            )
            self.stream.flush()

    __call__ = update  # usable as a callback: bar(n)

    def close(self) -> None:
        """End the line."""
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
