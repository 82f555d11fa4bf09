"""Read GeNIe/SMILE's XDSL.

``<cpt>`` tables list the node's states fastest and the first of ``<parents>`` slowest.
``<noisymax>`` is expanded exactly to its full table (below); ``<deterministic>`` becomes a
0/1 table from its ``<resultingstates>``. Labels come from the ``<extensions><genie>``
section (``<node id><name>``), the title from ``<genie name>``, the id from ``<smile id>``.
Decision, utility and MAU nodes are refused (influence diagrams are not supported), as are
equation (continuous) and noisy-adder nodes and dynamic (temporal) networks.

Noisy-MAX, as SMILE stores it (``DSL_noisyMAX``, Díez's parametrisation): the child's last
state is the distinguished one (no effect). ``<strengths>`` gives, for each parent, its
states from the strongest to the distinguished one (the last); ``<parameters>`` gives, for
each parent in ``<parents>`` order and each of its states in that strength order, a
distribution over the child's states (the distinguished parent state's is ``0 ... 0 1``),
and then the leak's distribution. With F the cumulative distribution from the child's last
state towards its first, ``P(Y <= y | x) = F_leak(y) * prod_i F_i,x_i(y)``, which
:class:`bayesdx.model.NoisyMaxCPT` computes.
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
from bayesdx.io._xmlbif import parse_xml, tag, text_of
from bayesdx.model import Entry, NetworkSpec, NoisyMaxCPT, shown

__all__ = ["noisy_max_table", "parse_xdsl", "read_xdsl"]

_INFLUENCE = {"decision", "utility", "mau"}
_UNSUPPORTED = {
    "equation": "equation (continuous) nodes are not supported",
    "noisyadder": "noisy-adder nodes are not supported; convert the node to a CPT in GeNIe",
}
_DISTINGUISHED_TOL = 1e-12
_BLOCK_TOL = 1e-6


def read_xdsl(path: str) -> NetworkSpec:
    """Read a GeNIe ``.xdsl`` file."""
    return parse_xdsl(read_network_text(path, "xdsl"), path)


def _numbers(el: ET.Element | None, path: str, where: str) -> list[float]:
    raw = text_of(el).split()
    out = []
    for x in raw:
        try:
            v = float(x)
        except ValueError:
            v = parse_float(x, path, element=where)
        if not math.isfinite(v):
            parse_float(x, path, element=where)
        out.append(v)
    return out


def _child(el: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in el if tag(c) == name), None)


def parse_xdsl(text: str, path: str = "<xdsl>") -> NetworkSpec:
    """Parse XDSL text.

    Examples
    --------
    A noisy-OR: the cause present gives 0.8, the leak 0.1, so P(absent | present)
    = 0.2 * 0.9.

    >>> spec = parse_xdsl('''<smile version="1.0" id="n"><nodes>
    ... <cpt id="c"><state id="present"/><state id="absent"/>
    ...   <probabilities>0.5 0.5</probabilities></cpt>
    ... <noisymax id="e"><state id="present"/><state id="absent"/><parents>c</parents>
    ...   <strengths>0 1</strengths><parameters>0.8 0.2 0 1 0.1 0.9</parameters></noisymax>
    ... </nodes></smile>''', "n.xdsl")
    >>> [round(float(x), 12) for x in spec.nodes["e"].cpt.values[0]]
    [0.82, 0.18]
    """
    root = parse_xml(text, path, "XDSL")
    if tag(root) != "smile":
        raise format_error(path, f"expected <smile>, found <{tag(root)}>; is this XDSL?")
    if _child(root, "dynamic") is not None:
        raise format_error(path, "a dynamic (temporal) network: not supported", element="<dynamic>")
    nodes_el = _child(root, "nodes")
    if nodes_el is None:
        raise format_error(path, "no <nodes> element; is this an XDSL file?")
    labels, title = _genie_extensions(root)
    variables: dict[str, ForeignVariable] = {}
    pending: list[tuple[ForeignVariable, ET.Element, str]] = []
    for el in nodes_el:
        kind = tag(el)
        node_id = el.get("id", "")
        where = f'<{kind} id="{shown(node_id, 60, quote=False)}">'
        if kind in _INFLUENCE:
            raise format_error(
                path,
                f"a {kind} node: influence diagrams are not supported (only chance nodes)",
                element=where,
            )
        if kind in _UNSUPPORTED:
            raise format_error(path, _UNSUPPORTED[kind], element=where)
        if kind not in {"cpt", "noisymax", "deterministic"}:
            raise format_error(path, f"unknown node type <{kind}>", element=where)
        if not node_id:
            raise format_error(path, "a node without an id", element=where)
        if node_id in variables:
            raise format_error(path, "the node is defined twice", element=where)
        states = [s.get("id", "") for s in el if tag(s) == "state"]
        parents = text_of(_child(el, "parents")).split()
        var = ForeignVariable(node_id, states, parents, label=labels.get(node_id, ""), where=where)
        variables[node_id] = var
        pending.append((var, el, kind))
    for var, el, kind in pending:
        for p in var.parents:
            if p not in variables:
                raise format_error(
                    path, f"unknown parent {shown(p, 60)}", element=var.where, node=var.name
                )
        cards = [len(variables[p].states) for p in var.parents]
        if kind == "cpt":
            values = _numbers(_child(el, "probabilities"), path, var.where)
            expected = math.prod(cards) * len(var.states)
            if len(values) != expected:
                raise format_error(
                    path,
                    f"<probabilities> has {len(values)} values, expected {expected}",
                    element=var.where,
                )
            var.table = np.asarray(values, dtype=float).reshape((*cards, len(var.states)))
        elif kind == "deterministic":
            var.table = _deterministic(path, var, el, cards)
        else:
            var.table = _noisy_max(path, var, el, {p: variables[p].states for p in var.parents})
    return build_spec(
        path, "xdsl", list(variables.values()), net_id=root.get("id", ""), title=title
    )


def _genie_extensions(root: ET.Element) -> tuple[dict[str, str], str]:
    """Node labels (``<node id><name>``, in submodels too) and the network's title."""
    labels: dict[str, str] = {}
    title = ""
    ext = _child(root, "extensions")
    genie = _child(ext, "genie") if ext is not None else None
    if genie is None:
        return labels, title
    title = (genie.get("name") or "").strip()
    for node in genie.iter():
        if tag(node) == "node" and node.get("id"):
            name = text_of(_child(node, "name"))
            if name:
                labels[node.get("id", "")] = name
    return labels, title


def _deterministic(path: str, var: ForeignVariable, el: ET.Element, cards: list[int]) -> np.ndarray:
    result = text_of(_child(el, "resultingstates")).split()
    combos = math.prod(cards)
    if len(result) != combos:
        raise format_error(
            path,
            f"<resultingstates> has {len(result)} states, expected {combos}",
            element=var.where,
        )
    table = np.zeros((combos, len(var.states)))
    index = {s: i for i, s in enumerate(var.states)}
    for row, state in enumerate(result):
        if state not in index:
            raise format_error(
                path,
                f"<resultingstates> names {shown(state)}, not a state of the node; its states: "
                + ", ".join(var.states),
                element=var.where,
            )
        table[row, index[state]] = 1.0
    return table.reshape((*cards, len(var.states)))


def _noisy_max(
    path: str, var: ForeignVariable, el: ET.Element, parent_states: dict[str, list[str]]
) -> np.ndarray:
    strengths_raw = text_of(_child(el, "strengths")).split()
    values = _numbers(_child(el, "parameters"), path, var.where)
    return noisy_max_table(
        path, var.where, var.states, var.parents, parent_states, strengths_raw, values
    )


def noisy_max_table(
    path: str,
    where: str,
    states: list[str],
    parents: list[str],
    parent_states: dict[str, list[str]],
    strengths: list[str],
    values: list[float],
) -> np.ndarray:
    """The full table of a SMILE noisy-MAX node, shape ``(*parent_cards, card)``.

    ``strengths`` holds, per parent in turn, the indices of its states from the strongest
    to the distinguished one; ``values`` holds the distributions in that order (per parent,
    per strength), then the leak. The node's last state is the distinguished one.
    """
    card = len(states)
    cards = [len(parent_states[p]) for p in parents]
    if len(strengths) != sum(cards):
        raise format_error(
            path, f"<strengths> has {len(strengths)} entries, expected {sum(cards)}", element=where
        )
    expected = card * (sum(cards) + 1)
    if len(values) != expected:
        raise format_error(
            path,
            f"<parameters> has {len(values)} values, expected {expected} "
            f"({card} states x ({' + '.join(map(str, cards)) or '0'} parent states + leak))",
            element=where,
        )
    blocks = [values[i * card : (i + 1) * card] for i in range(sum(cards) + 1)]
    for b, block in enumerate(blocks):
        total = sum(block)
        if abs(total - 1.0) > _BLOCK_TOL or min(block) < 0:
            raise format_error(
                path,
                f"parameter column {b + 1} ({' '.join(map(repr, block))}) is not a distribution",
                element=where,
            )
    # the project's noisy-MAX orders states from no effect (GeNIe's last) to most severe
    order = tuple(reversed(states))

    def entry(block: list[float]) -> Entry:
        return Entry(order, tuple(reversed(block)), ("expert",), None)

    causes: dict[str, dict[str, Entry]] = {}
    k = 0
    distinguished = [0.0] * (card - 1) + [1.0]
    for parent, pcard in zip(parents, cards, strict=True):
        order_raw = strengths[k : k + pcard]
        try:
            ranks = [int(x) for x in order_raw]
        except ValueError:
            raise format_error(
                path, f"<strengths> for parent '{parent}' are not state indices", element=where
            ) from None
        if sorted(ranks) != list(range(pcard)):
            raise format_error(
                path,
                f"<strengths> for parent '{parent}' ({' '.join(order_raw)}) is not an order of "
                f"its {pcard} states",
                element=where,
            )
        per_state: dict[str, Entry] = {}
        for j, state_index in enumerate(ranks):
            block = blocks[k + j]
            if j == pcard - 1:
                if any(
                    abs(a - b) > _DISTINGUISHED_TOL
                    for a, b in zip(block, distinguished, strict=True)
                ):
                    raise format_error(
                        path,
                        f"the distinguished state of parent '{parent}' has parameters "
                        f"{' '.join(map(repr, block))}; expected {' '.join(['0'] * (card - 1))} 1",
                        element=where,
                    )
                continue
            per_state[parent_states[parent][state_index]] = entry(block)
        causes[parent] = per_state
        k += pcard
    cpt = NoisyMaxCPT("noisy_max", order, entry(blocks[-1]), causes, tuple(parents))
    table = cpt.expand({p: tuple(parent_states[p]) for p in parents}, tuple(states))
    return np.asarray(table, dtype=float)
