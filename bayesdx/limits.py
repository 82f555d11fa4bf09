"""The bounds on every input, in one place, so no input can make bayesdx hang or exhaust memory.

Each limit is far above what a real network, case or cohort needs; an input beyond one is
refused with :class:`bayesdx.errors.LimitError` naming the limit, before the work starts.

Examples
--------
>>> from bayesdx import limits
>>> limits.MAX_TABLE_CELLS * 8 // 2**20  # MiB for the largest table, at 8 bytes a cell
128
"""

from __future__ import annotations

__all__ = [
    "MAX_CASE_BYTES",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_DRAWS",
    "MAX_EVIDENCE",
    "MAX_JOBS",
    "MAX_NETWORK_BYTES",
    "MAX_STDIN_CSV_BYTES",
    "MAX_TABLE_CELLS",
    "MAX_YAML_NODES",
    "size_text",
]

#: a case file (YAML or JSON): one patient's findings
MAX_CASE_BYTES = 1 << 20
#: a network file (YAML, BIF, XMLBIF, XDSL, NET): pgmpy's largest bundled file is ~2 MB
MAX_NETWORK_BYTES = 64 << 20
#: a CSV of cases read from standard input (copied to a temporary file; a file on disk is
#: streamed and has no size limit)
MAX_STDIN_CSV_BYTES = 1 << 30
#: characters in one number (digits, sign, point and exponent)
MAX_DIGITS = 64
#: nesting of lists and mappings in a YAML or JSON file
MAX_DEPTH = 64
#: YAML nodes after aliases are expanded (an alias bomb stays small on disk only)
MAX_YAML_NODES = 2_000_000
#: findings in one case
MAX_EVIDENCE = 10_000
#: cells of one conditional probability table (2**24 cells: 128 MiB as float64)
MAX_TABLE_CELLS = 1 << 24
#: joint parameter draws in one probabilistic sensitivity analysis
MAX_DRAWS = 1_000_000
#: processes ``bayesdx batch --jobs`` may start
MAX_JOBS = 256


def size_text(n_bytes: float) -> str:
    """A byte count for people.

    Examples
    --------
    >>> size_text(1 << 20), size_text(4.5 * 2**30), size_text(512)
    ('1 MiB', '4.5 GiB', '512 bytes')
    """
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.3g} {unit}"
    return f"{int(n_bytes)} bytes"
