"""Read the UAI competition format (``BAYES`` networks, as used for the MAR task).

The preamble gives the network type, the number of variables, their cardinalities, the
number of functions and each function's scope (for ``BAYES``, the child last); then each
function's table, its last variable fastest. UAI names neither variables nor states: they
are read as ``X0``, ``X1``, ... with states ``0``, ``1``, ... A ``MARKOV`` network (factors,
not conditional tables) is refused, as is a variable with no table or two.
"""

from __future__ import annotations

import math
import re

import numpy as np

from bayesdx.io._foreign import (
    ForeignVariable,
    Tokens,
    build_spec,
    format_error,
    parse_float,
    read_network_text,
)
from bayesdx.model import NetworkSpec, shown

__all__ = ["parse_uai", "read_uai"]

#: numbers and words; ``#`` starts a comment to the end of the line (aGrUM's files use it)
UAI_TOKEN = re.compile(r"\s*(?:(?P<comment>#[^\n]*)|(?P<word>[^\s#]+))")


def read_uai(path: str) -> NetworkSpec:
    """Read a ``.uai`` file."""
    return parse_uai(read_network_text(path, "uai"), path)


def _int(toks: Tokens, what: str) -> int:
    tok = toks.next()
    if not tok.text.isdigit():
        raise toks.error(
            f"expected {what} (a whole number), found {shown(tok.text, 40)}", tok.index
        )
    return int(tok.text)


def parse_uai(text: str, path: str = "<uai>") -> NetworkSpec:
    """Parse UAI text.

    Examples
    --------
    >>> spec = parse_uai("BAYES 2  2 2  2  1 0  2 0 1  2 0.3 0.7  4 0.9 0.1 0.2 0.8", "a.uai")
    >>> list(spec.nodes), spec.nodes["X1"].parents, spec.nodes["X1"].cpt.values.tolist()
    (['X0', 'X1'], ('X0',), [[0.9, 0.1], [0.2, 0.8]])
    """
    toks = Tokens(path, text, UAI_TOKEN)
    kind = toks.next().text.upper()
    if kind == "MARKOV":
        raise toks.error("a MARKOV network (factors, not conditional tables) is not supported", 0)
    if kind != "BAYES":
        raise toks.error(f"expected 'BAYES' on the first line, found {shown(kind, 40)}", 0)
    n = _int(toks, "the number of variables")
    cards = [_int(toks, "a cardinality") for _ in range(n)]
    m = _int(toks, "the number of functions")
    scopes: list[tuple[list[int], int]] = []
    for _ in range(m):
        line = toks.line()
        k = _int(toks, "a scope size")
        scope = [_int(toks, "a variable index") for _ in range(k)]
        if not scope or any(v >= n for v in scope):
            raise format_error(
                path, f"a scope names a variable outside 0..{n - 1} (or is empty)", line=line
            )
        scopes.append((scope, line))
    variables = [ForeignVariable(f"X{i}", [str(s) for s in range(c)]) for i, c in enumerate(cards)]
    for scope, line in scopes:
        line_t = toks.line()
        count = _int(toks, "a table size")
        expected = math.prod(cards[v] for v in scope)
        if count != expected:
            raise format_error(
                path, f"the table has size {count}, expected {expected}", line=line_t
            )
        start = toks.index
        values = []
        for _ in range(count):
            tok = toks.next()
            try:
                values.append(float(tok.text))
            except ValueError:
                values.append(parse_float(tok.text, path, line=toks.line(tok.index)))
        if not all(math.isfinite(v) for v in values):
            bad = next(i for i, v in enumerate(values) if not math.isfinite(v))
            parse_float(toks.texts[start + bad], path, line=toks.line(start + bad))
        var = variables[scope[-1]]
        if var.table is not None:
            raise format_error(path, "a second table for this variable", line=line, node=var.name)
        var.parents = [f"X{v}" for v in scope[:-1]]
        var.line = line
        var.table = np.asarray(values, dtype=float).reshape([cards[v] for v in scope])
    if not toks.at_end():
        raise toks.error(f"unexpected {shown(toks.peek() or '', 40)} after the last table")
    return build_spec(path, "uai", variables)
