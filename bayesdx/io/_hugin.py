"""Read Hugin's NET format (as Hugin, UnBBayes, pgmpy and pyAgrum write it).

A ``net { ... }`` block of attributes (``HR_*`` and others, all skipped but ``name`` and
``label``), ``node`` blocks (``label``, ``states``; every other attribute skipped) and
``potential ( child | parents ) { data = ( ... ); }`` blocks. ``%`` starts a comment
anywhere outside a string. ``data`` may nest its numbers in any grouping; they are read
with the child's states fastest and the first parent slowest. Hugin does not require a
table's rows to sum to 1 (it normalises them); neither does this reader, and the spec's
description says which nodes were normalised. Decision, utility, continuous and function
nodes, classes (OOBN) and expression tables without ``data`` are refused.
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

__all__ = ["parse_net", "read_net"]

NET_TOKEN = re.compile(
    r"\s*(?:(?P<comment>%[^\n]*)"
    r'|"(?P<string>(?:[^"\\]|\\.)*)"'
    r"|(?P<punct>[{}();=|,])"
    r'|(?P<word>[^\s{}();=|,"%]+))'
)
_KINDS = {"discrete", "continuous"}
_NODE_WORDS = {"node", "decision", "utility", "function"}
_NORMALISED = "its potential's rows did not sum to 1 and were normalised, as Hugin does"


def read_net(path: str) -> NetworkSpec:
    """Read a Hugin ``.net`` file."""
    return parse_net(read_network_text(path, "net"), path)


_Value = str | list["_Value"]


def _value(toks: Tokens) -> tuple[_Value, bool]:
    """One attribute value: a word, a string or a nested list. Returns (value, is_string)."""
    tok = toks.next()
    if tok.kind == "punct":
        if tok.text != "(":
            raise toks.error(f"expected a value, found {shown(tok.text)}", tok.index)
        items: list[_Value] = []
        while not toks.accept(")"):
            if toks.accept(","):
                continue
            item, _ = _value(toks)
            items.append(item)
        return items, False
    return tok.text, tok.kind == "string"


def _attributes(toks: Tokens, node: str | None = None) -> dict[str, tuple[_Value, int]]:
    """``key = value;`` pairs up to the closing ``}`` (already past ``{``)."""
    out: dict[str, tuple[_Value, int]] = {}
    while not toks.accept("}"):
        key = toks.next()
        if key.kind != "word":
            raise toks.error(
                f"expected an attribute name, found {shown(key.text)}", key.index, node
            )
        toks.expect("=")
        line = toks.line()
        value, _ = _value(toks)
        toks.expect(";")
        out[key.text] = (value, line)
    return out


def _flat(value: _Value) -> list[str]:
    if isinstance(value, str):
        return [value]
    out: list[str] = []
    stack = [iter(value)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, str):
                out.append(item)
            else:
                stack.append(iter(item))
                break
        else:
            stack.pop()
    return out


def parse_net(text: str, path: str = "<net>") -> NetworkSpec:
    """Parse Hugin NET text.

    Examples
    --------
    >>> spec = parse_net('''net { name = "coin"; }
    ... node side { label = "Side up"; states = ("heads" "tails"); }
    ... potential (side) { data = ( 1 3 ); }  % not normalised: Hugin normalises''', "c.net")
    >>> spec.id, spec.nodes["side"].label, spec.nodes["side"].cpt.values.tolist()
    ('coin', 'Side up', [0.25, 0.75])
    """
    toks = Tokens(path, text, NET_TOKEN)
    net_id = title = ""
    variables: dict[str, ForeignVariable] = {}
    while not toks.at_end():
        tok = toks.next()
        word = tok.text.lower() if tok.kind == "word" else ""
        if word == "net":
            toks.expect("{")
            attrs = _attributes(toks)
            net_id = _text(attrs.get("name"))
            title = _text(attrs.get("label"))
        elif word == "class":
            raise toks.error("an object-oriented (class) network is not supported", tok.index)
        elif word in _KINDS or word in _NODE_WORDS:
            kind = word
            if word in _KINDS:
                kind = toks.name("'node'").text.lower()
                if word == "continuous":
                    raise toks.error("continuous nodes are not supported", tok.index)
            if kind in {"decision", "utility"}:
                raise toks.error(
                    f"a {kind} node: influence diagrams are not supported (only chance nodes)",
                    tok.index,
                )
            if kind == "function":
                raise toks.error("function nodes are not supported", tok.index)
            if kind != "node":
                raise toks.error(f"expected 'node', found {shown(kind)}", tok.index)
            line = toks.line()
            name = toks.name("the node's name").text
            toks.expect("{")
            attrs = _attributes(toks, name)
            if name in variables:
                raise format_error(path, "the node is defined twice", line=line, node=name)
            if "states" not in attrs:
                raise format_error(path, "the node has no 'states'", line=line, node=name)
            states = _flat(attrs["states"][0])
            variables[name] = ForeignVariable(
                name, states, label=_text(attrs.get("label")), line=line
            )
        elif word == "potential":
            _potential(toks, variables)
        else:
            raise toks.error(
                f"expected 'net', 'node' or 'potential', found {shown(tok.text, 40)}", tok.index
            )
    return build_spec(path, "net", list(variables.values()), net_id=net_id, title=title)


def _text(item: tuple[_Value, int] | None) -> str:
    if item is None or not isinstance(item[0], str):
        return ""
    return item[0].strip()


def _potential(toks: Tokens, variables: dict[str, ForeignVariable]) -> None:
    line = toks.line()
    toks.expect("(")
    names: list[str] = []
    bar = -1
    while not toks.accept(")"):
        tok = toks.next()
        if tok.kind == "punct":
            if tok.text == "|" and bar < 0:
                bar = len(names)
                continue
            if tok.text == ",":
                continue
            raise toks.error(f"unexpected {shown(tok.text)} in 'potential ( ... )'", tok.index)
        names.append(tok.text)
    if not names or bar not in (-1, 1):
        raise format_error(toks.path, "expected 'potential ( child | parents )'", line=line)
    child, parents = names[0], names[1:]
    for n in names:
        if n not in variables:
            raise format_error(
                toks.path,
                f"the potential names {shown(n, 60)}, which no 'node' block defines",
                line=line,
            )
    var = variables[child]
    if var.table is not None:
        raise format_error(toks.path, "a second potential", line=line, node=child)
    toks.expect("{")
    attrs = _attributes(toks, child)
    var.parents, var.line = parents, line
    if "data" not in attrs:
        what = (
            "an expression table (model_data) without 'data' is not supported"
            if "model_data" in attrs or "model_nodes" in attrs
            else "the potential has no 'data'"
        )
        raise format_error(toks.path, what, line=line, node=child)
    raw, data_line = attrs["data"]
    texts = _flat(raw)
    try:
        values = [float(x) for x in texts]
    except ValueError:
        for x in texts:
            parse_float(x, toks.path, line=data_line)
        raise
    if not all(math.isfinite(v) for v in values):
        bad = next(x for x, v in zip(texts, values, strict=True) if not math.isfinite(v))
        parse_float(bad, toks.path, line=data_line)
    cards = [len(variables[p].states) for p in parents]
    expected = math.prod(cards) * len(var.states)
    if len(values) != expected:
        raise format_error(
            toks.path,
            f"'data' has {len(values)} values, expected {expected}",
            line=data_line,
            node=child,
        )
    var.table = np.asarray(values, dtype=float).reshape((*cards, len(var.states)))
    var.normalise = _NORMALISED
