"""Read XMLBIF 0.3 (``.xml``, ``.xmlbif``, and pyAgrum's ``.bifxml``).

``<VARIABLE TYPE="nature">`` holds ``<NAME>`` and ``<OUTCOME>`` s; ``<DEFINITION>`` (or the
older ``<PROBABILITY>``) holds ``<FOR>``, the ``<GIVEN>`` parents and a ``<TABLE>`` in which the
child's states vary fastest and the first parent slowest. Tags are matched in any case and
without a namespace. A network without ``<NAME>`` is named after its file. ``<PROPERTY>``
entries of the form ``key = value`` give the network's title (``title = ...``, under
``<NETWORK>``) and a node's label (``label = ...``, under its ``<VARIABLE>``), as bayesdx
writes them; every other property is skipped. Decision and utility variables are refused:
influence diagrams are not supported.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np

from bayesdx.io._foreign import (
    ForeignVariable,
    build_spec,
    format_error,
    parse_float,
    read_network_text,
)
from bayesdx.model import NetworkSpec, shown

__all__ = ["parse_xml", "parse_xmlbif", "read_xmlbif", "tag", "text_of"]


def tag(el: ET.Element) -> str:
    """An element's tag in lower case, without its namespace."""
    name = el.tag if isinstance(el.tag, str) else ""
    return name.rsplit("}", 1)[-1].lower()


def text_of(el: ET.Element | None) -> str:
    """An element's text, stripped ('' for None)."""
    return (el.text or "").strip() if el is not None else ""


def parse_xml(text: str, path: str, fmt: str) -> ET.Element:
    """The document's root; a malformed document is refused with its line."""
    try:
        # the declaration may name an encoding; the text is already decoded
        if text.startswith("<?xml"):
            end = text.find("?>")
            if end > 0:
                text = text[end + 2 :]
        return ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        reason = str(exc).split(":")[0]
        raise format_error(
            path, f"not well-formed XML ({reason}); is this an {fmt} file?", line=line
        ) from None


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if tag(c) == name]


def _child(el: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in el if tag(c) == name), None)


def _property(el: ET.Element, key: str) -> str:
    """The value of the first ``<PROPERTY>key = value</PROPERTY>`` child ('' if none).

    Examples
    --------
    >>> el = ET.fromstring("<V><PROPERTY>position = (1, 2)</PROPERTY>"
    ...                    "<PROPERTY> label = Hb &lt; 12 = low</PROPERTY></V>")
    >>> _property(el, "label"), _property(el, "title")
    ('Hb < 12 = low', '')
    """
    for prop in _children(el, "property"):
        name, eq, value = text_of(prop).partition("=")
        if eq and name.strip().lower() == key:
            return value.strip()
    return ""


def read_xmlbif(path: str) -> NetworkSpec:
    """Read an XMLBIF file (``.xml``, ``.xmlbif``, ``.bifxml``)."""
    return parse_xmlbif(read_network_text(path, "xmlbif"), path)


def parse_xmlbif(text: str, path: str = "<xmlbif>") -> NetworkSpec:
    """Parse XMLBIF text.

    Examples
    --------
    >>> spec = parse_xmlbif('''<BIF VERSION="0.3"><NETWORK>
    ... <VARIABLE TYPE="nature"><NAME>a</NAME><OUTCOME>y</OUTCOME><OUTCOME>n</OUTCOME>
    ... </VARIABLE><DEFINITION><FOR>a</FOR><TABLE>0.3 0.7</TABLE></DEFINITION>
    ... </NETWORK></BIF>''', "a.xml")
    >>> spec.id, spec.nodes["a"].cpt.values.tolist()
    ('a', [0.3, 0.7])
    >>> spec = parse_xmlbif('''<BIF VERSION="0.3"><NETWORK><NAME>n</NAME>
    ... <PROPERTY>title = A coin</PROPERTY><VARIABLE TYPE="nature"><NAME>a</NAME>
    ... <PROPERTY>label = Side up</PROPERTY><OUTCOME>y</OUTCOME><OUTCOME>n</OUTCOME>
    ... </VARIABLE><DEFINITION><FOR>a</FOR><TABLE>0.3 0.7</TABLE></DEFINITION>
    ... </NETWORK></BIF>''', "a.xml")
    >>> spec.id, spec.title, spec.nodes["a"].label
    ('n', 'A coin', 'Side up')
    """
    root = parse_xml(text, path, "XMLBIF")
    if tag(root) == "network":
        network = root
    else:
        found = _child(root, "network")
        if tag(root) != "bif" or found is None:
            raise format_error(
                path, f"expected <BIF><NETWORK>, found <{tag(root)}>; is this an XMLBIF file?"
            )
        network = found
    name = text_of(_child(network, "name"))
    variables: dict[str, ForeignVariable] = {}
    for i, el in enumerate(_children(network, "variable")):
        vname = text_of(_child(el, "name"))
        where = f"<VARIABLE> #{i + 1}" + (f" '{shown(vname, 60, quote=False)}'" if vname else "")
        kind = (el.get("TYPE") or el.get("type") or "nature").strip().lower()
        if kind in {"decision", "utility"}:
            raise format_error(
                path,
                f"a {kind} variable: influence diagrams are not supported (only chance nodes)",
                element=where,
            )
        if kind != "nature":
            raise format_error(path, f"unknown variable TYPE {shown(kind)}", element=where)
        if not vname:
            raise format_error(path, "the variable has no <NAME>", element=where)
        if vname in variables:
            raise format_error(path, "the variable is defined twice", element=where)
        outcomes = [text_of(o) for o in _children(el, "outcome")]
        label = _property(el, "label")
        variables[vname] = ForeignVariable(vname, outcomes, label=label, where=where)
    definitions = _children(network, "definition") or _children(network, "probability")
    for i, el in enumerate(definitions):
        child = text_of(_child(el, "for"))
        where = f"<DEFINITION> #{i + 1}" + (
            f" for '{shown(child, 60, quote=False)}'" if child else ""
        )
        var = variables.get(child)
        if var is None:
            raise format_error(
                path,
                f"<FOR> names {shown(child, 60)}, which no <VARIABLE> defines",
                element=where,
            )
        if var.table is not None:
            raise format_error(path, "a second table for this variable", element=where)
        var.where = where
        var.parents = [text_of(g) for g in _children(el, "given")]
        for p in var.parents:
            if p not in variables:
                raise format_error(
                    path,
                    f"<GIVEN> names {shown(p, 60)}, which no <VARIABLE> defines",
                    element=where,
                )
        table_el = _child(el, "table")
        if table_el is None:
            raise format_error(path, "no <TABLE>", element=where)
        raw = "".join(table_el.itertext()).split()
        try:
            values = [float(x) for x in raw]
        except ValueError:
            bad = next(x for x in raw if not _is_float(x))
            parse_float(bad, path, element=where)
            raise
        for x, v in zip(raw, values, strict=True):
            if not math.isfinite(v):
                parse_float(x, path, element=where)
        cards = [len(variables[p].states) for p in var.parents]
        expected = math.prod(cards) * len(var.states)
        if len(values) != expected:
            raise format_error(
                path,
                f"<TABLE> has {len(values)} values, expected {expected}",
                element=where,
                node=var.name,
            )
        var.table = np.asarray(values, dtype=float).reshape((*cards, len(var.states)))
    if name.lower() == "unknown":  # pgmpy's writer's placeholder
        name = ""
    title = _property(network, "title")
    return build_spec(path, "xmlbif", list(variables.values()), net_id=name, title=title)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
