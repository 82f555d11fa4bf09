"""Shared ground of the foreign-format readers: parsed variables to a :class:`NetworkSpec`.

Every reader (BIF, XMLBIF, XDSL, Hugin NET, GeNIe DSL, UAI) parses its file into a list of
:class:`ForeignVariable` (name, states, parents, table, label) and hands it to
:func:`build_spec`, which checks what every format shares (unique names, known parents, no
cycle, table shapes, probabilities) and builds the same kind of spec that the YAML loader
builds, with each table kept as read (:class:`~bayesdx.model.FixedCPT`). A file that cannot
be read faithfully is refused with a :class:`~bayesdx.errors.NetworkFileError` (see
:func:`format_error`) that names the file, the line or element, and what is wrong; a reader
never drops a node or a table.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bayesdx.errors import NetworkFileError
from bayesdx.io._yaml import _not_utf8, read_text
from bayesdx.limits import MAX_NETWORK_BYTES
from bayesdx.model import FixedCPT, NetworkSpec, NodeSpec, Source, check_table_size, shown

__all__ = [
    "ForeignVariable",
    "Tokens",
    "build_spec",
    "format_error",
    "line_of",
    "parse_float",
    "read_network_text",
]

#: a row within this of 1 is kept exactly as written (the model accepts it)
KEEP_TOL = 1e-6
#: a row within this of 1 is rescaled to sum to 1, and the spec's description says so
RESCALE_TOL = 1e-3


def format_error(
    path: str,
    message: str,
    *,
    line: int | None = None,
    element: str | None = None,
    node: str | None = None,
) -> NetworkFileError:
    """The error for a foreign-format file that cannot be read faithfully.

    A :class:`~bayesdx.errors.NetworkFileError` whose message names the file, where in it
    (a line, or an XML element), the node when there is one, and what is wrong; ``line``
    and ``element`` are kept as attributes too.

    Examples
    --------
    >>> err = format_error("a.bif", "expected ';'", line=3, node="x")
    >>> str(err), err.line, err.node
    ("a.bif: line 3, node 'x': expected ';'", 3, 'x')
    """
    where: list[str] = []
    if line is not None:
        where.append(f"line {line}")
    if element:
        where.append(element)
    if node is not None:
        where.append(f"node '{shown(node, 80, quote=False)}'")
    err = NetworkFileError(path, (", ".join(where) + ": " if where else "") + message)
    err.node = node
    err.line = line  # type: ignore[attr-defined]
    err.element = element  # type: ignore[attr-defined]
    return err


@dataclass
class ForeignVariable:
    """One discrete chance node as a reader found it.

    Attributes
    ----------
    name : str
        The node's id in the file.
    states : list of str
        Its states, in the file's order.
    parents : list of str
        Its parents, in the order of the table's axes.
    table : numpy.ndarray or None
        Shape ``(*parent_cards, card)``: the first parent is the slowest-varying index and
        the node's own states are the last axis. None until the reader finds the table.
    label : str
        A human-readable name where the format has one.
    line : int or None
        Where the node is defined (for messages).
    where : str
        The XML element, for the XML formats.
    normalise : str
        Non-empty when the format's rows need not sum to 1 (Hugin): why they are divided
        by their sums, for the spec's description.
    """

    name: str
    states: list[str]
    parents: list[str] = field(default_factory=list)
    table: np.ndarray | None = None
    label: str = ""
    line: int | None = None
    where: str = ""
    normalise: str = ""


def parse_float(text: str, path: str, *, line: int | None = None, element: str = "") -> float:
    """A number as written, in full (double) precision; refuses ``nan``, ``inf`` and junk.

    Examples
    --------
    >>> parse_float("5.0E-4", "x.bif")
    0.0005
    >>> parse_float("0.1x", "x.bif", line=4)
    Traceback (most recent call last):
    ...
    bayesdx.errors.NetworkFileError: x.bif: line 4: '0.1x' is not a number
    """
    try:
        value = float(text)
    except ValueError:
        raise format_error(
            path, f"{shown(text, 40)} is not a number", line=line, element=element or None
        ) from None
    if not math.isfinite(value):
        raise format_error(
            path,
            f"{shown(text, 40)} is not a finite number",
            line=line,
            element=element or None,
        )
    return value


class Tokens:
    """The tokens of a text format, with their lines, and a cursor for a parser.

    ``pattern`` matches one token preceded by optional white space, with the groups
    ``comment``, ``string``, ``punct`` and ``word`` (a pattern may lack some). A character
    that no token can start with is refused, with its line.

    Examples
    --------
    >>> t = Tokens("x.bif", 'a { "b c" } // note', BIF_TOKEN)
    >>> [t.next().text for _ in range(4)], t.at_end()
    (['a', '{', 'b c', '}'], True)
    """

    __slots__ = ("_i", "_newlines", "_text", "kinds", "path", "pos", "texts")

    def __init__(self, path: str, text: str, pattern: re.Pattern[str]):
        self.path = path
        self.kinds: list[str] = []
        self.texts: list[str] = []
        self.pos: list[int] = []
        self._newlines: list[int] | None = None
        self._text = text
        end = 0
        kinds, texts, pos = self.kinds, self.texts, self.pos
        for m in pattern.finditer(text):
            if m.start() != end:
                break
            end = m.end()
            kind = m.lastgroup
            if kind == "comment" or kind is None:
                continue
            kinds.append(kind)
            value = m.group(kind)
            if kind == "string" and "\\" in value:
                value = _ESCAPE.sub(r"\1", value)
            texts.append(value)
            pos.append(m.start(kind))
        rest = text[end:]
        if rest.strip():
            offset = end + len(rest) - len(rest.lstrip())
            raise format_error(
                path,
                f"unexpected character {shown(text[offset], quote=True)}"
                + (" (a string that is not closed?)" if text[offset] == '"' else ""),
                line=self.line_at(offset),
            )
        self._i = 0

    def line_at(self, offset: int) -> int:
        """The 1-based line of a character offset."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self._text)]
        return bisect.bisect_right(self._newlines, offset - 1) + 1

    @property
    def index(self) -> int:
        """The cursor: the index of the next token."""
        return self._i

    def line(self, index: int | None = None) -> int:
        """The line of a token (the next one by default; the last line at the end)."""
        i = self._i if index is None else index
        if i >= len(self.pos):
            return self.line_at(len(self._text))
        return self.line_at(self.pos[i])

    def at_end(self) -> bool:
        """True when every token has been read."""
        return self._i >= len(self.texts)

    def peek(self, ahead: int = 0) -> str | None:
        """The text of a coming token, or None past the end."""
        i = self._i + ahead
        return self.texts[i] if i < len(self.texts) else None

    def peek_kind(self) -> str | None:
        """The kind of the next token (``string``, ``punct``, ``word``)."""
        return self.kinds[self._i] if self._i < len(self.kinds) else None

    def next(self) -> _Token:
        """The next token; refused at the end of the file."""
        i = self._i
        if i >= len(self.texts):
            raise self.error("unexpected end of file")
        self._i = i + 1
        return _Token(self.kinds[i], self.texts[i], i)

    def expect(self, *texts: str) -> _Token:
        """The next token, which must be one of ``texts`` (case-insensitive)."""
        tok = self.next()
        if tok.text.lower() not in {t.lower() for t in texts} or tok.kind == "string":
            raise self.error(
                f"expected {' or '.join(repr(t) for t in texts)}, found {shown(tok.text, 40)}",
                tok.index,
            )
        return tok

    def accept(self, text: str) -> bool:
        """Consume the next token if it is ``text`` (not a string)."""
        if self._i < len(self.texts) and self.kinds[self._i] != "string":
            if self.texts[self._i].lower() == text.lower():
                self._i += 1
                return True
        return False

    def name(self, what: str = "a name") -> _Token:
        """The next token, which must be a word or a string."""
        tok = self.next()
        if tok.kind == "punct":
            raise self.error(f"expected {what}, found {shown(tok.text)}", tok.index)
        return tok

    def skip_block(self) -> None:
        """Skip to the ``}`` that closes a ``{`` already read."""
        depth = 1
        texts, kinds, i = self.texts, self.kinds, self._i
        while depth:  # in place, with no token objects: the first pass skips every table
            if i >= len(texts):
                self._i = i
                raise self.error("unexpected end of file")
            if kinds[i] == "punct":
                if texts[i] == "{":
                    depth += 1
                elif texts[i] == "}":
                    depth -= 1
            i += 1
        self._i = i

    def skip_statement(self) -> None:
        """Skip to the next ``;`` (included), over nested brackets."""
        depth = 0
        while True:
            tok = self.next()
            if tok.kind != "punct":
                continue
            if tok.text in "{([":
                depth += 1
            elif tok.text in "})]":
                depth -= 1
                if depth < 0:
                    raise self.error(f"unbalanced {shown(tok.text)}", tok.index)
            elif tok.text == ";" and depth == 0:
                return

    def error(self, message: str, index: int | None = None, node: str | None = None):
        """A :class:`~bayesdx.errors.NetworkFileError` at a token's line."""
        return format_error(self.path, message, line=self.line(index), node=node)


class _Token:  # made once per token read, so a plain class with slots (a frozen dataclass is slow)
    __slots__ = ("index", "kind", "text")

    def __init__(self, kind: str, text: str, index: int) -> None:
        self.kind = kind
        self.text = text
        self.index = index


_ESCAPE = re.compile(r"\\([\\\"])")
#: BIF and DSL: // and /* */ comments, "strings", punctuation, words
BIF_TOKEN = re.compile(
    r"\s*(?:(?P<comment>//[^\n]*|/\*.*?\*/)"
    r'|"(?P<string>(?:[^"\\]|\\.)*)"'
    r"|(?P<punct>[{}()\[\];,|])"
    r'|(?P<word>(?:[^\s{}()\[\];,|"/]|/(?![/*]))+))',
    re.DOTALL,
)


def line_of(text: str, offset: int) -> int:
    """The 1-based line of a character offset."""
    return text.count("\n", 0, offset) + 1


def read_network_text(path: str, fmt: str) -> str:
    """The file's text (UTF-8, or Latin-1 when it is not UTF-8), within the size limit."""
    try:
        text = read_text(path, MAX_NETWORK_BYTES, "MAX_NETWORK_BYTES", "network file")
    except OSError as exc:
        raise NetworkFileError(path, f"cannot read file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        if fmt in {"xdsl", "xmlbif"}:  # XML declares its own encoding
            return Path(path).read_bytes().decode("latin-1")
        raise NetworkFileError(path, f"cannot read file: {_not_utf8(exc)}") from None
    if not text.strip():
        raise NetworkFileError(path, f"the file is empty; is this a {fmt.upper()} file?")
    return text


def fail(path: str, var: ForeignVariable, message: str) -> NetworkFileError:
    """The error for one node, placed at its line or element."""
    return format_error(path, message, line=var.line, element=var.where or None, node=var.name)


def _order(path: str, variables: dict[str, ForeignVariable]) -> list[str]:
    """File order made topological (a parent before its children); a cycle is refused."""
    children: dict[str, list[str]] = {v: [] for v in variables}
    indegree = {v: len(var.parents) for v, var in variables.items()}
    for v, var in variables.items():
        for p in var.parents:
            children[p].append(v)
    ready = [v for v in variables if indegree[v] == 0]
    order: list[str] = []
    position = {v: i for i, v in enumerate(variables)}
    heap = [(position[v], v) for v in ready]
    heapq.heapify(heap)
    while heap:
        _, v = heapq.heappop(heap)
        order.append(v)
        for c in children[v]:
            indegree[c] -= 1
            if indegree[c] == 0:
                heapq.heappush(heap, (position[c], c))
    if len(order) < len(variables):
        left = {v for v in variables if v not in set(order)}
        # walk parents inside the remaining set until a node repeats: that is a cycle
        start = next(iter(left))
        seen: list[str] = []
        node = start
        while node not in seen:
            seen.append(node)
            node = next(p for p in variables[node].parents if p in left)
        cycle = [*seen[seen.index(node) :], node]
        raise fail(
            path,
            variables[start],
            "the parents form a cycle: " + " <- ".join(shown(c, 40, quote=False) for c in cycle),
        )
    return order


def _check_rows(
    path: str,
    var: ForeignVariable,
    table: np.ndarray,
    notes: list[str],
    states: Mapping[str, list[str]],
) -> np.ndarray:
    if not np.isfinite(table).all():
        raise fail(path, var, "the table holds a value that is not finite")
    if (table < 0).any():
        idx = np.argwhere(table < 0)[0]
        raise fail(
            path,
            var,
            f"negative probability {float(table[tuple(idx)])!r} "
            f"(for {_combo(var, idx[:-1], states) or 'no parent states'})",
        )
    sums = table.sum(axis=-1)
    off = np.abs(sums - 1.0)
    if not (off > KEEP_TOL).any():
        return table
    worst = np.unravel_index(int(np.argmax(off)), sums.shape)
    if float(off[worst]) > RESCALE_TOL:
        raise fail(
            path,
            var,
            f"the probabilities for {_combo(var, worst, states) or 'no parent states'} sum to "
            f"{float(sums[worst])!r}; expected 1",
        )
    count = int((off > KEEP_TOL).sum())
    notes.append(
        f"{count} row(s) of node '{var.name}' summed to within {RESCALE_TOL:g} of 1 "
        "(rounded figures) and were rescaled to sum to 1"
    )
    return table / sums[..., None]


def normalise_rows(
    path: str,
    var: ForeignVariable,
    table: np.ndarray,
    notes: list[str],
    why: str,
    states: Mapping[str, list[str]],
) -> np.ndarray:
    """Rows divided by their sums (Hugin's potentials need not be normalised); noted once."""
    sums = table.sum(axis=-1)
    if (sums <= 0).any():
        worst = np.unravel_index(int(np.argmin(sums)), sums.shape)
        raise fail(
            path,
            var,
            f"the values for {_combo(var, worst, states) or 'no parent states'} sum to "
            f"{float(sums[worst])!r}; a distribution needs a positive total",
        )
    if (np.abs(sums - 1.0) > KEEP_TOL).any():
        notes.append(f"node '{var.name}': {why}")
        return table / sums[..., None]
    return table


def _combo(var: ForeignVariable, idx: Sequence[Any], states: Mapping[str, list[str]]) -> str:
    """``a=x, b=y``: the parent states of one row of the table."""
    return ", ".join(f"{p}={states[p][int(i)]}" for p, i in zip(var.parents, idx, strict=False))


def build_spec(
    path: str,
    fmt: str,
    variables: Sequence[ForeignVariable],
    *,
    net_id: str = "",
    title: str = "",
    notes: Sequence[str] = (),
) -> NetworkSpec:
    """Check parsed variables and build the network's spec (tables kept as read).

    Parameters
    ----------
    path : str
        The file, for messages and ``spec.path``.
    fmt : str
        The format's name (``bif``, ``xdsl``, ...), for the description.
    variables : sequence of ForeignVariable
        In file order; the spec lists them in a topological order that keeps file order
        where it can.
    net_id, title : str
        The network's id and title where the file has them (else the file's stem).
    notes : sequence of str
        What the reader did that a user should know (rescaled rows), kept in the spec's
        description.

    Returns
    -------
    NetworkSpec

    Raises
    ------
    NetworkFileError
        A duplicate node or state, an unknown parent, a cycle, a missing table, a table of
        the wrong size, or probabilities that do not sum to 1.
    """
    if not variables:
        raise format_error(path, f"no variables found; is this a {fmt.upper()} file?")
    by_name: dict[str, ForeignVariable] = {}
    for var in variables:
        if var.name in by_name:
            raise fail(path, var, "the node is defined twice")
        if not var.states:
            raise fail(path, var, "the node has no states")
        if len(set(var.states)) != len(var.states):
            dup = next(s for s in var.states if var.states.count(s) > 1)
            raise fail(path, var, f"state '{dup}' is listed twice")
        by_name[var.name] = var
    for var in variables:
        for p in var.parents:
            if p not in by_name:
                raise fail(
                    path,
                    var,
                    f"unknown parent '{shown(p, 60, quote=False)}'",
                )
            if p == var.name:
                raise fail(path, var, "a node cannot be its own parent")
        if len(set(var.parents)) != len(var.parents):
            raise fail(path, var, "a parent is listed twice")
    order = _order(path, by_name)
    kept_notes = list(notes)
    nodes: dict[str, NodeSpec] = {}
    for name in order:
        var = by_name[name]
        states = {p: by_name[p].states for p in var.parents}
        cards = [len(by_name[p].states) for p in var.parents]
        check_table_size(cards, len(var.states), f"{path}: node '{shown(name, quote=False)}'")
        if var.table is None:
            raise fail(path, var, "no probability table")
        table = np.asarray(var.table, dtype=float)
        expected = (*cards, len(var.states))
        if table.shape != expected:
            raise fail(
                path,
                var,
                f"the table has {table.size} values, expected {math.prod(expected)} "
                f"({' x '.join(str(c) for c in expected)})",
            )
        if var.normalise:
            table = normalise_rows(path, var, table, kept_notes, var.normalise, states)
        table = _check_rows(path, var, table, kept_notes, states)
        parents = tuple(var.parents)
        nodes[name] = NodeSpec(
            id=name,
            states=tuple(var.states),
            parents=parents,
            cpt=FixedCPT(values=table, parents=parents, origin=path),
            label=var.label or name,
        )
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    description = f"Imported from {path} ({fmt.upper()}); no roles, sources or uncertainty."
    if kept_notes:
        description += " " + "; ".join(kept_notes) + "."
    return NetworkSpec(
        id=net_id or stem,
        title=title or net_id or f"{stem} (imported from {fmt.upper()})",
        description=description,
        nodes=nodes,
        sources={"expert": Source("expert", "none", "expert")},
        path=path,
    )
