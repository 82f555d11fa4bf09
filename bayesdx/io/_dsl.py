"""Read GeNIe's older text format, DSL.

``net ID { HEADER = { ID = ..; NAME = ".."; }; ... node ID { TYPE = CPT; HEADER = {...};
PARENTS = (..); DEFINITION = { NAMESTATES = (..); PROBABILITIES = (..); }; ... }; };``.
Tables list the node's states fastest and the first parent slowest, as in XDSL. ``CPT``,
``TRUTHTABLE`` (deterministic: ``RESULTINGSTATES``) and ``NOISY_MAX`` (``STRENGTHS`` and
``PROBABILITIES`` laid out as in XDSL, expanded exactly) nodes are read; any other node
``TYPE`` (decision ``LIST``, utility ``TABLE``, ...) is refused with its line.
Every other block (``SCREEN``, ``EXTRA_DEFINITION``, ...) is skipped.
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
from bayesdx.io._xdsl import noisy_max_table
from bayesdx.model import NetworkSpec, shown

__all__ = ["parse_dsl", "read_dsl"]

DSL_TOKEN = re.compile(
    r"\s*(?:(?P<comment>//[^\n]*|/\*.*?\*/)"
    r'|"(?P<string>(?:[^"\\]|\\.)*)"'
    r"|(?P<punct>[{}()\[\];,=])"
    r'|(?P<word>(?:[^\s{}()\[\];,="/]|/(?![/*]))+))',
    re.DOTALL,
)
_INFLUENCE = {"LIST": "a decision node", "TABLE": "a utility node", "MAU": "a MAU node"}

_Value = str | list["_Value"] | dict[str, "_Value"]


def read_dsl(path: str) -> NetworkSpec:
    """Read a GeNIe ``.dsl`` file."""
    return parse_dsl(read_network_text(path, "dsl"), path)


def _list(toks: Tokens) -> list[_Value]:
    items: list[_Value] = []
    while not toks.accept(")"):
        if toks.accept(","):
            continue
        if toks.accept("("):
            items.append(_list(toks))
        else:
            items.append(toks.name("a value").text)
    return items


def _skip_value(toks: Tokens) -> None:
    if toks.accept("{"):
        toks.skip_block()
    elif toks.accept("("):
        _list(toks)
    else:
        toks.name("a value")


def _flat(value: _Value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return []
    out: list[str] = []
    for v in value:
        out.extend(_flat(v))
    return out


def parse_dsl(text: str, path: str = "<dsl>") -> NetworkSpec:
    """Parse DSL text.

    Examples
    --------
    >>> spec = parse_dsl('''net n { HEADER = { ID = n; NAME = "Coin"; };
    ... node side { TYPE = CPT; HEADER = { ID = side; NAME = "Side up"; }; PARENTS = ();
    ...   DEFINITION = { NAMESTATES = (heads, tails); PROBABILITIES = (0.25, 0.75); }; }; };
    ... ''', "n.dsl")
    >>> spec.title, spec.nodes["side"].label, spec.nodes["side"].cpt.values.tolist()
    ('Coin', 'Side up', [0.25, 0.75])
    """
    toks = Tokens(path, text, DSL_TOKEN)
    toks.expect("net")
    net_id = toks.name("the network's id").text
    toks.expect("{")
    variables: dict[str, ForeignVariable] = {}
    pending: list[tuple[ForeignVariable, str, list[str], list[str], int]] = []
    title = _body(toks, variables, pending)
    toks.accept(";")
    if not toks.at_end():
        raise toks.error(f"unexpected {shown(toks.peek() or '', 40)} after the network")
    for var, kind, values, strengths, line in pending:
        for p in var.parents:
            if p not in variables:
                raise format_error(path, f"unknown parent {shown(p, 60)}", line=line, node=var.name)
        cards = [len(variables[p].states) for p in var.parents]
        combos = math.prod(cards)
        if kind == "NOISY_MAX":
            numbers = [_number(path, x, line) for x in values]
            where = f"line {line}, node '{var.name}'"
            var.table = noisy_max_table(
                path,
                where,
                var.states,
                var.parents,
                {p: variables[p].states for p in var.parents},
                strengths,
                numbers,
            )
        elif kind == "CPT":
            numbers = [_number(path, x, line) for x in values]
            if len(numbers) != combos * len(var.states):
                raise format_error(
                    path,
                    f"PROBABILITIES has {len(numbers)} values, expected {combos * len(var.states)}",
                    line=line,
                    node=var.name,
                )
            var.table = np.asarray(numbers, dtype=float).reshape((*cards, len(var.states)))
        else:
            if len(values) != combos:
                raise format_error(
                    path,
                    f"RESULTINGSTATES has {len(values)} states, expected {combos}",
                    line=line,
                    node=var.name,
                )
            table = np.zeros((combos, len(var.states)))
            for row, state in enumerate(values):
                if state not in var.states:
                    raise format_error(
                        path,
                        f"RESULTINGSTATES names {shown(state)}, not a state",
                        line=line,
                        node=var.name,
                    )
                table[row, var.states.index(state)] = 1.0
            var.table = table.reshape((*cards, len(var.states)))
    return build_spec(path, "dsl", list(variables.values()), net_id=net_id, title=title)


def _number(path: str, text: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        return parse_float(text, path, line=line)
    if not math.isfinite(value):
        parse_float(text, path, line=line)
    return value


def _header(toks: Tokens) -> dict[str, str]:
    toks.expect("{")
    out: dict[str, str] = {}
    while not toks.accept("}"):
        key = toks.name("a field").text.upper()
        toks.expect("=")
        if toks.peek() in {"{", "("}:
            _skip_value(toks)
        else:
            out[key] = toks.name("a value").text
        toks.accept(";")
    return out


def _body(
    toks: Tokens,
    variables: dict[str, ForeignVariable],
    pending: list[tuple[ForeignVariable, str, list[str], list[str], int]],
) -> str:
    """Statements up to the closing ``}``; returns the ``HEADER``'s ``NAME`` if any."""
    title = ""
    while not toks.accept("}"):
        tok = toks.next()
        word = tok.text.lower() if tok.kind == "word" else ""
        if word == "node" and toks.peek(1) == "{":
            _node(toks, variables, pending)
        elif word == "submodel" and toks.peek(1) == "{":
            toks.name("the submodel's id")
            toks.expect("{")
            _body(toks, variables, pending)
        elif tok.kind != "punct" and toks.peek() == "=":
            toks.expect("=")
            if tok.text.upper() == "HEADER":
                title = _header(toks).get("NAME", "")
            else:
                _skip_value(toks)
        elif tok.text == ";":
            continue
        else:
            raise toks.error(f"unexpected {shown(tok.text, 40)}", tok.index)
        toks.accept(";")
    return title


def _node(
    toks: Tokens,
    variables: dict[str, ForeignVariable],
    pending: list[tuple[ForeignVariable, str, list[str], list[str], int]],
) -> None:
    line = toks.line()
    name = toks.name("the node's id").text
    toks.expect("{")
    kind = ""
    label = ""
    parents: list[str] = []
    states: list[str] = []
    values: list[str] = []
    strengths: list[str] = []
    while not toks.accept("}"):
        key_tok = toks.next()
        key = key_tok.text.upper()
        if key == ";":
            continue
        toks.expect("=")
        if key == "TYPE":
            kind = toks.name("the node's TYPE").text.upper()
        elif key == "HEADER":
            label = _header(toks).get("NAME", "")
        elif key == "PARENTS":
            toks.expect("(")
            parents = _flat(_list(toks))
        elif key == "DEFINITION":
            toks.expect("{")
            while not toks.accept("}"):
                field = toks.name("a field").text.upper()
                toks.expect("=")
                if toks.accept("("):
                    items = _flat(_list(toks))
                    if field == "NAMESTATES":
                        states = items
                    elif field in {"PROBABILITIES", "RESULTINGSTATES"}:
                        values = items
                    elif field == "STRENGTHS":
                        strengths = items
                else:
                    _skip_value(toks)
                toks.accept(";")
        else:
            _skip_value(toks)
        toks.accept(";")
    if kind in _INFLUENCE:
        raise format_error(
            toks.path,
            f"{_INFLUENCE[kind]}: influence diagrams are not supported (only chance nodes)",
            line=line,
            node=name,
        )
    if kind not in {"CPT", "TRUTHTABLE", "NOISY_MAX"}:
        raise format_error(
            toks.path,
            f"node TYPE {shown(kind or '(none)')} is not supported; "
            "only CPT, TRUTHTABLE and NOISY_MAX",
            line=line,
            node=name,
        )
    if name in variables:
        raise format_error(toks.path, "the node is defined twice", line=line, node=name)
    var = ForeignVariable(name, states, parents, label=label, line=line)
    variables[name] = var
    pending.append((var, kind, values, strengths, line))
