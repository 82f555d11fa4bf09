"""Read BIF (the Bayesian network Interchange Format 0.15, as bnlearn, pgmpy, pyAgrum and
JavaBayes write it).

Two spellings of a table are read: ``probability ( child | p1, p2 )`` with rows
``(s1, s2) 0.2, 0.8;``, a ``default`` row and a ``table`` of every value, and JavaBayes'
``probability ( "child" "p1" "p2" )`` with no bar. A ``table`` lists the child's states as
the slowest-varying index (JavaBayes' convention, which bnlearn's and pgmpy's readers
share): ``table`` values ``P(c0|row0), P(c0|row1), ..., P(c1|row0), ...``. Properties are
skipped. A table that misses a parent combination with no ``default`` is refused, as is a
row given twice.
"""

from __future__ import annotations

import math

import numpy as np

from bayesdx.io._foreign import (
    BIF_TOKEN,
    ForeignVariable,
    Tokens,
    build_spec,
    format_error,
    parse_float,
    read_network_text,
)
from bayesdx.model import NetworkSpec, check_table_size, shown

__all__ = ["parse_bif", "read_bif"]

_NUMBER_END = {";", "}", "("}


def read_bif(path: str) -> NetworkSpec:
    """Read a ``.bif`` file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> text = '''network "coin" { }
    ... variable side { type discrete [ 2 ] { heads, tails }; }
    ... probability ( side ) { table 0.25, 0.75; }'''
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "coin.bif"); _ = p.write_text(text)
    ...     spec = read_bif(str(p))
    >>> spec.id, spec.nodes["side"].states, spec.nodes["side"].cpt.values.tolist()
    ('coin', ('heads', 'tails'), [0.25, 0.75])
    """
    return parse_bif(read_network_text(path, "bif"), path)


def parse_bif(text: str, path: str = "<bif>") -> NetworkSpec:
    """Parse BIF text; a :class:`~bayesdx.errors.NetworkFileError` names what is wrong."""
    toks = Tokens(path, text, BIF_TOKEN)
    name = ""
    variables: dict[str, ForeignVariable] = {}
    tables: list[tuple[str, list[str], int, int]] = []  # child, parents, start token, line
    while not toks.at_end():
        tok = toks.next()
        word = tok.text.lower() if tok.kind == "word" else ""
        if word == "network":
            if toks.peek() != "{":
                name = toks.name("the network's name").text
            toks.expect("{")
            toks.skip_block()
        elif word == "variable":
            var = _variable(toks)
            if var.name in variables:
                raise toks.error("the variable is defined twice", node=var.name)
            variables[var.name] = var
        elif word == "probability":
            line = toks.line()
            child, parents = _header(toks)
            toks.expect("{")
            tables.append((child, parents, toks.index, line))
            toks.skip_block()
        else:
            raise toks.error(
                f"expected 'network', 'variable' or 'probability', found {shown(tok.text, 40)}",
                tok.index,
            )
    notes: list[str] = []
    lookup = _Lookup(variables, notes)
    seen: set[str] = set()
    for child, parents, start, line in tables:
        var = lookup.get(path, child, line)
        if var.name in seen:
            raise format_error(path, "a second probability block", line=line, node=var.name)
        seen.add(var.name)
        var.parents = [lookup.get(path, p, line).name for p in parents]
        var.line = line
        toks._i = start
        var.table = _table(toks, var, [variables[p] for p in var.parents])
    if name.lower() == "unknown":  # pgmpy's writer's placeholder
        name = ""
    return build_spec(path, "bif", list(variables.values()), net_id=name, notes=notes)


class _Lookup:
    """Variables by name; a name written in another case is matched when that is unique."""

    def __init__(self, variables: dict[str, ForeignVariable], notes: list[str]):
        self.variables, self.notes = variables, notes
        self.folded: dict[str, list[str]] = {}
        for v in variables:
            self.folded.setdefault(v.lower(), []).append(v)

    def get(self, path: str, name: str, line: int) -> ForeignVariable:
        var = self.variables.get(name)
        if var is not None:
            return var
        matches = self.folded.get(name.lower(), [])
        if len(matches) == 1:
            self.notes.append(f"'{name}' in a probability block read as variable '{matches[0]}'")
            return self.variables[matches[0]]
        raise format_error(
            path,
            f"the probability block names {shown(name, 60)}, which no 'variable' block defines",
            line=line,
        )


def _variable(toks: Tokens) -> ForeignVariable:
    line = toks.line()
    name = toks.name("the variable's name").text
    toks.expect("{")
    states: list[str] | None = None
    while not toks.accept("}"):
        tok = toks.next()
        word = tok.text.lower()
        if word == "type":
            kind = toks.name("discrete").text
            if kind.lower() != "discrete":
                raise toks.error(
                    f"variable type {shown(kind)} is not supported; only discrete variables",
                    tok.index,
                    node=name,
                )
            toks.expect("[")
            count_tok = toks.next()
            toks.expect("]")
            toks.expect("{")
            states = _names(toks, "}", "a state name")
            toks.accept(";")
            if not count_tok.text.isdigit() or int(count_tok.text) != len(states):
                raise toks.error(
                    f"declares {shown(count_tok.text)} states but lists {len(states)}",
                    count_tok.index,
                    node=name,
                )
        elif word == "property":
            toks.skip_statement()
        elif tok.text == ";":
            continue
        else:
            raise toks.error(
                f"expected 'type' or 'property', found {shown(tok.text, 40)}", tok.index, node=name
            )
    if states is None:
        raise toks.error("the variable has no 'type discrete [n] { ... }'", node=name)
    return ForeignVariable(name=name, states=states, line=line)


def _names(toks: Tokens, close: str, what: str) -> list[str]:
    """Names up to ``close``. Between commas, unquoted words are one name (``State 1``)."""
    groups: list[list[str]] = [[]]
    commas = False
    texts, kinds = toks.texts, toks.kinds
    i = toks.index
    while True:  # the tokens are read in place: a table has a row of names per line
        if i >= len(texts):
            toks._i = i
            raise toks.error("unexpected end of file")
        text, kind = texts[i], kinds[i]
        i += 1
        if kind == "punct":
            if text == close:
                break
            if text == ",":
                commas = True
                groups.append([])
                continue
            raise toks.error(f"expected {what}, found {shown(text)}", i - 1)
        groups[-1].append(text)
    toks._i = i
    if not commas:
        return groups[0]
    if any(not g for g in groups):
        raise toks.error(f"an empty name in a list (two commas, or a comma before {close!r})")
    return [" ".join(g) for g in groups]


def _header(toks: Tokens) -> tuple[str, list[str]]:
    toks.expect("(")
    names: list[str] = []
    bar = -1
    while not toks.accept(")"):
        tok = toks.next()
        if tok.kind == "punct":
            if tok.text == ",":
                continue
            if tok.text == "|" and bar < 0 and names:
                bar = len(names)
                continue
            raise toks.error(f"unexpected {shown(tok.text)} in 'probability ( ... )'", tok.index)
        names.append(tok.text)
    if not names:
        raise toks.error("'probability ( )' names no variable")
    if bar >= 0 and bar != 1:
        raise toks.error("expected one variable before '|'")
    return names[0], names[1:]


def _numbers(toks: Tokens, node: str) -> list[float]:
    """Numbers up to the closing ``;`` (commas optional), in full precision."""
    out: list[float] = []
    texts = toks.texts
    while True:
        i = toks.index
        if i >= len(texts):
            raise toks.error("unexpected end of file in a table", node=node)
        text = texts[i]
        if text == ";":
            toks._i = i + 1
            return out
        if text == ",":
            toks._i = i + 1
            continue
        if text in _NUMBER_END or toks.kinds[i] != "word":
            raise toks.error(f"expected a number or ';', found {shown(text, 40)}", i, node=node)
        try:
            out.append(float(text))
        except ValueError:
            out.append(parse_float(text, toks.path, line=toks.line(i)))
        if not math.isfinite(out[-1]):
            parse_float(text, toks.path, line=toks.line(i))
        toks._i = i + 1


def _table(toks: Tokens, var: ForeignVariable, parents: list[ForeignVariable]) -> np.ndarray:
    cards = [len(p.states) for p in parents]
    card = len(var.states)
    check_table_size(cards, card, f"{toks.path}: node '{shown(var.name, quote=False)}'")
    combos = math.prod(cards)
    table: np.ndarray | None = None
    filled = np.zeros(combos, dtype=bool)
    out = np.zeros((combos, card))
    default: list[float] | None = None
    index = {p.name: {s: i for i, s in enumerate(p.states)} for p in parents}
    strides = [math.prod(cards[k + 1 :]) for k in range(len(cards))]
    while not toks.accept("}"):
        tok = toks.next()
        word = tok.text.lower() if tok.kind == "word" else ""
        if word == "table":
            values = _numbers(toks, var.name)
            if len(values) != combos * card:
                raise toks.error(
                    f"the table has {len(values)} values, expected {combos * card} "
                    f"({card} states x {combos} parent combinations)",
                    tok.index,
                    node=var.name,
                )
            # the child's states are the slowest-varying index
            table = np.asarray(values, dtype=float).reshape(card, combos).T
        elif word == "default":
            default = _numbers(toks, var.name)
            if len(default) != card:
                raise toks.error(
                    f"'default' has {len(default)} values, expected {card}",
                    tok.index,
                    node=var.name,
                )
        elif word == "property":
            toks.skip_statement()
        elif tok.text == "(":
            states = _names(toks, ")", "a parent state")
            if len(states) != len(parents):
                raise toks.error(
                    f"a row names {len(states)} parent states, expected {len(parents)}",
                    tok.index,
                    node=var.name,
                )
            flat = 0
            for p, s, stride in zip(parents, states, strides, strict=True):
                i = index[p.name].get(s)
                if i is None:
                    raise toks.error(
                        f"{shown(s)} is not a state of parent '{p.name}'; its states: "
                        + ", ".join(p.states),
                        tok.index,
                        node=var.name,
                    )
                flat += i * stride
            if filled[flat]:
                raise toks.error(
                    f"the row ({', '.join(states)}) is given twice", tok.index, node=var.name
                )
            values = _numbers(toks, var.name)
            if len(values) != card:
                raise toks.error(
                    f"the row ({', '.join(states)}) has {len(values)} values, expected {card}",
                    tok.index,
                    node=var.name,
                )
            out[flat] = values
            filled[flat] = True
        elif tok.text == ";":
            continue
        else:
            raise toks.error(
                f"expected 'table', 'default', '(' or 'property', found {shown(tok.text, 40)}",
                tok.index,
                node=var.name,
            )
    if table is not None:
        if filled.any():
            raise format_error(toks.path, "both a 'table' and rows", line=var.line, node=var.name)
        return table.reshape((*cards, card))
    if not filled.all():
        if default is None:
            missing = int(np.flatnonzero(~filled)[0])
            idx = np.unravel_index(missing, cards) if cards else ()
            combo = ", ".join(p.states[int(i)] for p, i in zip(parents, idx, strict=True))
            if not cards:
                raise format_error(toks.path, "no probability table", line=var.line, node=var.name)
            raise format_error(
                toks.path,
                f"no row for ({combo}) and no 'default'",
                line=var.line,
                node=var.name,
            )
        out[~filled] = default
    return out.reshape((*cards, card))
