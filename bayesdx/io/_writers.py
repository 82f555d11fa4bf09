"""Write a network as BIF, XMLBIF, XDSL, Hugin NET, GeNIe DSL or UAI, faithfully and in full
precision.

Every number is written with ``repr`` (the shortest text that reads back as the same
double), so bayesdx's readers get the same tables back exactly. The network's id and title
and the nodes' labels are kept where the format can hold them (XMLBIF: as ``<PROPERTY>``
entries ``title = ...`` and ``label = ...``). Names that break a format's rules are rewritten
(and said so): XDSL and DSL ids must start with a letter and hold only letters, digits and
underscores (node and state ids alike; DSL ids are also kept off the format's keywords);
Hugin NET node names are C identifiers; BIF names and states are written as words of
letters, digits and underscores, which every BIF reader accepts. UAI has no names at all:
nodes are numbered in the order written (bayesdx reads them back as ``X0``, ``X1``, ...) and
states by position (``0``, ``1``, ...); every such renaming is listed. :func:`export_notes`
lists what a format cannot hold (labels, roles, sources and uncertainty, defaults, groups,
cut-points, the decision section).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from bayesdx.errors import ArgumentError, OutputFileError
from bayesdx.model import Network

__all__ = [
    "EXPORT_SUFFIXES",
    "ExportResult",
    "check_export_suffix",
    "export_notes",
    "export_text",
]

#: format -> the suffixes its files may have (the first is the one to use)
EXPORT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "bif": (".bif",),
    "xmlbif": (".xml", ".xmlbif", ".bifxml"),
    "xdsl": (".xdsl",),
    "net": (".net",),
    "dsl": (".dsl",),
    "uai": (".uai",),
}

_WORD = re.compile(r"[^A-Za-z0-9_]")
_FORMAT_NAMES = {
    "bif": "BIF",
    "xmlbif": "XMLBIF",
    "xdsl": "XDSL",
    "net": "Hugin NET",
    "dsl": "GeNIe DSL",
    "uai": "UAI",
}
#: words of GeNIe's DSL (as read by GeNIe and by aGrUM's parser) that an id must not be
_DSL_KEYWORDS = frozenset(
    word.lower()
    for word in (
        "net node submodel TYPE HEADER ID NAME PARENTS DEFINITION NAMESTATES PROBABILITIES "
        "SCREEN USER_PROPERTIES DOCUMENTATION EXTRA_DEFINITION OBSERVATION_COST CREATION "
        "WINDOWPOSITION NUMSAMPLES BKCOLOR SHOWAS STRENGTHS RESULTINGSTATES"
    ).split()
)


@dataclass
class ExportResult:
    """A written network: its text, what was renamed, and what the format could not hold.

    Attributes
    ----------
    text : str
        The file's content.
    renamed : list of str
        ``node 'a b' -> 'a_b'``, ``state 'x' of node 'n' -> ...``: every name rewritten to
        the format's rules.
    not_exported : list of str
        What the network has that the file does not keep.
    """

    text: str
    renamed: list[str] = field(default_factory=list)
    not_exported: list[str] = field(default_factory=list)

    def note(self) -> str:
        """One line for the user: what was renamed and what was not exported."""
        parts = []
        if self.renamed:
            shown = "; ".join(self.renamed[:8])
            more = f"; ... ({len(self.renamed)} in all)" if len(self.renamed) > 8 else ""
            parts.append(f"renamed to the format's rules: {shown}{more}")
        if self.not_exported:
            parts.append("not exported: " + "; ".join(self.not_exported))
        return ". ".join(parts)


def check_export_suffix(path: str | Path, fmt: str) -> None:
    """Refuse an output whose suffix is not one of the format's.

    Examples
    --------
    >>> check_export_suffix("out.xdsl", "xdsl")
    >>> check_export_suffix("out.bif", "xdsl")
    Traceback (most recent call last):
    ...
    bayesdx.errors.OutputFileError: out.bif: an XDSL file must end in .xdsl, not '.bif'
    """
    if fmt not in EXPORT_SUFFIXES:
        raise ArgumentError(f"unknown format {fmt!r}; formats: {', '.join(EXPORT_SUFFIXES)}")
    suffix = Path(str(path)).suffix.lower()
    if str(path) == "-" or suffix in EXPORT_SUFFIXES[fmt]:
        return
    article = "an" if fmt in {"xmlbif", "xdsl"} else "a"
    raise OutputFileError(
        f"{path}: {article} {_FORMAT_NAMES[fmt]} file must end in "
        f"{' or '.join(EXPORT_SUFFIXES[fmt])}, not {suffix or '(no suffix)'!r}"
    )


def _labelled(network: Network) -> list[str]:
    """The nodes whose label says more than their id."""
    return [v for v, n in network.spec.nodes.items() if n.label and n.label != v]


def _xmlbif_label_ok(label: str) -> bool:
    """pgmpy splits a variable's ``<PROPERTY>`` at every ``=`` into exactly two parts."""
    return "=" not in label


def export_notes(network: Network, fmt: str) -> list[str]:
    """What the network has that a file of this format does not keep.

    Examples
    --------
    >>> import bayesdx
    >>> notes = export_notes(bayesdx.load_network("marrow_signal"), "uai")
    >>> notes[0].startswith("node and state names"), "node labels" in notes[2]
    (True, True)
    """
    spec = network.spec
    lost: list[str] = []
    if fmt == "uai":
        lost.append(
            "node and state names (UAI numbers them: nodes are read back as X0, X1, ... in "
            "the order written, states as 0, 1, ...; the renamed list maps them)"
        )
        lost.append("the network's id and title")
    elif fmt == "bif" and network.title and network.title != network.id:
        lost.append("the title (the format keeps the network's id only)")
    labelled = _labelled(network)
    if labelled and fmt in {"bif", "uai"}:
        lost.append("node labels (the format has no place for them)")
    if fmt == "xmlbif":
        bad = [v for v in labelled if not _xmlbif_label_ok(spec.nodes[v].label)]
        if bad:
            lost.append(
                "the labels of "
                + ", ".join(repr(v) for v in bad)
                + " (a label holding '=' breaks pgmpy's reading of an XMLBIF <PROPERTY>)"
            )
    if any(n.role for n in spec.nodes.values()):
        lost.append("roles")
    if any(n.description for n in spec.nodes.values()):
        lost.append("node descriptions")
    if any(True for n in spec.nodes.values() for _ in n.cpt.entries()):
        lost.append("sources and uncertainty of the probabilities (the tables are kept)")
    if any(n.measure is not None for n in spec.nodes.values()):
        lost.append("measurement cut-points (raw values to states)")
    if network.defaults:
        lost.append("defaults (" + ", ".join(f"{v}={s}" for v, s in network.defaults.items()) + ")")
    if network.groups:
        lost.append("groups (" + ", ".join(network.groups) + ")")
    if spec.decision is not None:
        lost.append("the decision section")
    if spec.legacy:
        lost.append("the rules for an earlier edition's inputs")
    return lost


class _Names:
    """Rewrite names to a format's rules, keeping them unique, and record each change."""

    def __init__(self, rule: str, renamed: list[str]):
        self.rule, self.renamed = rule, renamed

    def fix(self, name: str) -> str:
        if self.rule == "identifier":  # C identifier: letter or _ first (Hugin)
            out = _WORD.sub("_", name) or "_"
            return out if not out[0].isdigit() else "_" + out
        if self.rule in {"xdsl", "dsl"}:  # a letter first, then letters, digits, _
            out = _WORD.sub("_", name) or "x"
            out = out if out[0].isalpha() else "x" + out
            if self.rule == "dsl" and out.lower() in _DSL_KEYWORDS:
                out += "_"
            return out
        return _WORD.sub("_", name) or "_"  # BIF word

    def map(self, names: tuple[str, ...] | list[str], what: str) -> dict[str, str]:
        out: dict[str, str] = {}
        used: set[str] = set()
        for name in names:
            new = self.fix(name)
            base, k = new, 2
            while new in used:
                new = f"{base}_{k}"
                k += 1
            used.add(new)
            out[name] = new
            if new != name:
                self.renamed.append(f"{what} {name!r} -> {new!r}")
        return out


@dataclass
class _Target:
    """The names a writer writes: node ids, states, the network's id, the order of nodes."""

    ids: dict[str, str]
    states: dict[str, dict[str, str]]
    net_id: str
    order: tuple[str, ...]
    renamed: list[str]


def _num(x: float) -> str:
    return repr(float(x))


def _topological(network: Network) -> tuple[str, ...]:
    """The nodes with every parent before its children, keeping the network's order."""
    done: dict[str, None] = {}

    def visit(v: str) -> None:
        if v not in done:
            for p in network.parents[v]:
                visit(p)
            done[v] = None

    for v in network.variables:
        visit(v)
    return tuple(done)


def export_text(network: Network, fmt: str) -> ExportResult:
    """The network as the text of a BIF, XMLBIF, XDSL, NET, DSL or UAI file.

    Examples
    --------
    >>> import bayesdx
    >>> result = export_text(bayesdx.load_network("marrow_signal"), "xdsl")
    >>> result.text.startswith('<?xml'), any("'40_to_59'" in r for r in result.renamed)
    (True, True)
    >>> uai = export_text(bayesdx.load_network("marrow_signal"), "uai")
    >>> uai.text.split()[0], uai.renamed[0]
    ('BAYES', "node 'setting' -> 'X0'")
    """
    if fmt not in EXPORT_SUFFIXES:
        raise ArgumentError(f"unknown format {fmt!r}; formats: {', '.join(EXPORT_SUFFIXES)}")
    renamed: list[str] = []
    order = _topological(network) if fmt in {"dsl", "uai"} else network.variables
    net_id = network.id
    if fmt == "uai":  # no names at all: nodes by position, states by index
        ids = {v: f"X{i}" for i, v in enumerate(order)}
        states = {v: {s: str(k) for k, s in enumerate(network.states[v])} for v in order}
        for v in order:
            if ids[v] != v:
                renamed.append(f"node {v!r} -> {ids[v]!r}")
        for v in order:
            renamed += [
                f"a state of node {v!r}: {s!r} -> {new!r}"
                for s, new in states[v].items()
                if new != s
            ]
    elif fmt == "xmlbif":  # XMLBIF holds any text
        ids = {v: v for v in network.variables}
        states = {v: {s: s for s in network.states[v]} for v in network.variables}
    else:
        rule = {"bif": "word", "xdsl": "xdsl", "dsl": "dsl", "net": "identifier"}[fmt]
        names = _Names(rule, renamed)
        if fmt != "net":  # Hugin NET keeps the id as a quoted name
            if fmt == "bif":
                net_id = _WORD.sub("_", network.id) or "network"
            else:
                net_id = names.fix(network.id)
            if net_id != network.id:
                renamed.append(f"the network's id {network.id!r} -> {net_id!r}")
        ids = names.map(list(order), "node")
        states = {
            v: (
                names.map(network.states[v], f"a state of node {v!r}:")
                if fmt != "net"  # Hugin NET quotes states
                else {s: s for s in network.states[v]}
            )
            for v in order
        }
    writer = {"bif": _bif, "xmlbif": _xmlbif, "xdsl": _xdsl, "net": _net, "dsl": _dsl, "uai": _uai}
    text = writer[fmt](network, _Target(ids, states, net_id, tuple(order), renamed))
    return ExportResult(text, renamed, export_notes(network, fmt))


def _rows(network: Network, v: str) -> np.ndarray:
    table = np.asarray(network.cpts[v], dtype=float)
    return table.reshape(-1, table.shape[-1])


def _bif(network: Network, t: _Target) -> str:
    ids, states = t.ids, t.states
    lines = [f"network {t.net_id} {{", "}"]
    for v in network.variables:
        st = ", ".join(states[v][s] for s in network.states[v])
        lines += [
            f"variable {ids[v]} {{",
            f"  type discrete [ {len(network.states[v])} ] {{ {st} }};",
            "}",
        ]
    for v in network.variables:
        parents = network.parents[v]
        rows = _rows(network, v)
        if not parents:
            lines += [
                f"probability ( {ids[v]} ) {{",
                "  table " + ", ".join(map(_num, rows[0])) + ";",
                "}",
            ]
            continue
        lines.append(f"probability ( {ids[v]} | {', '.join(ids[p] for p in parents)} ) {{")
        combos = np.ndindex(*(len(network.states[p]) for p in parents))
        for combo, row in zip(combos, rows, strict=True):
            key = ", ".join(
                states[p][network.states[p][i]] for p, i in zip(parents, combo, strict=True)
            )
            lines.append(f"  ({key}) " + ", ".join(map(_num, row)) + ";")
        lines.append("}")
    return "\n".join(lines) + "\n"


def _xmlbif(network: Network, t: _Target) -> str:
    """XMLBIF 0.3; the title and labels as ``<PROPERTY>`` ``title = ...``, ``label = ...``."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<BIF VERSION="0.3">', "<NETWORK>"]
    out.append(f"<NAME>{escape(network.id)}</NAME>")
    if network.title and network.title != network.id:
        out.append(f"<PROPERTY>title = {escape(network.title)}</PROPERTY>")
    for v in network.variables:
        out.append('<VARIABLE TYPE="nature">')
        out.append(f"  <NAME>{escape(v)}</NAME>")
        label = network.spec.nodes[v].label
        if label and label != v and _xmlbif_label_ok(label):
            out.append(f"  <PROPERTY>label = {escape(label)}</PROPERTY>")
        out += [f"  <OUTCOME>{escape(s)}</OUTCOME>" for s in network.states[v]]
        out.append("</VARIABLE>")
    for v in network.variables:
        out.append("<DEFINITION>")
        out.append(f"  <FOR>{escape(v)}</FOR>")
        out += [f"  <GIVEN>{escape(p)}</GIVEN>" for p in network.parents[v]]
        values = " ".join(map(_num, np.asarray(network.cpts[v]).reshape(-1)))
        out.append(f"  <TABLE>{values}</TABLE>")
        out.append("</DEFINITION>")
    out += ["</NETWORK>", "</BIF>"]
    return "\n".join(out) + "\n"


def _xdsl(network: Network, t: _Target) -> str:
    ids, states = t.ids, t.states
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<smile version="1.0" id={quoteattr(t.net_id)} numsamples="10000" discsamples="10000">',
        "\t<nodes>",
    ]
    for v in network.variables:
        out.append(f"\t\t<cpt id={quoteattr(ids[v])}>")
        out += [f"\t\t\t<state id={quoteattr(states[v][s])} />" for s in network.states[v]]
        if network.parents[v]:
            out.append(f"\t\t\t<parents>{' '.join(ids[p] for p in network.parents[v])}</parents>")
        values = " ".join(map(_num, np.asarray(network.cpts[v]).reshape(-1)))
        out.append(f"\t\t\t<probabilities>{values}</probabilities>")
        out.append("\t\t</cpt>")
    out += ["\t</nodes>", "\t<extensions>"]
    out.append(
        f'\t\t<genie version="1.0" app="bayesdx" name={quoteattr(network.title or network.id)}>'
    )
    for i, v in enumerate(network.variables):
        label = network.spec.nodes[v].label or v
        x, y = 40 + 160 * (i % 6), 40 + 90 * (i // 6)
        out += [
            f"\t\t\t<node id={quoteattr(ids[v])}>",
            f"\t\t\t\t<name>{escape(label)}</name>",
            '\t\t\t\t<interior color="e5f6f7" />',
            '\t\t\t\t<outline color="000080" />',
            '\t\t\t\t<font color="000000" name="Arial" size="8" />',
            f"\t\t\t\t<position>{x} {y} {x + 120} {y + 50}</position>",
            "\t\t\t</node>",
        ]
    out += ["\t\t</genie>", "\t</extensions>", "</smile>"]
    return "\n".join(out) + "\n"


def _nested(table: np.ndarray) -> str:
    """Hugin's nested parentheses: the first parent outermost, the node's states innermost."""
    if table.ndim == 1:
        return "(" + " ".join(map(_num, table)) + ")"
    return "(" + "\n     ".join(_nested(sub) for sub in table) + ")"


def _net_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _net(network: Network, t: _Target) -> str:
    ids = t.ids
    out = [
        "net",
        "{",
        f"    name = {_net_string(network.id)};",
        f"    label = {_net_string(network.title or network.id)};",
        "}",
        "",
    ]
    for v in network.variables:
        label = network.spec.nodes[v].label or v
        st = " ".join(_net_string(s) for s in network.states[v])
        out += [
            f"node {ids[v]}",
            "{",
            f"    label = {_net_string(label)};",
            f"    states = ({st});",
            "}",
            "",
        ]
    for v in network.variables:
        parents = network.parents[v]
        head = ids[v] + (" | " + " ".join(ids[p] for p in parents) if parents else "")
        table = np.asarray(network.cpts[v], dtype=float)
        out += [f"potential ( {head} )", "{", f"    data = {_nested(table)};", "}", ""]
    return "\n".join(out)


def _dsl_string(text: str, what: str, renamed: list[str]) -> str:
    """A DSL string: GeNIe's and aGrUM's have no escapes, so ``"`` and ``\\`` are replaced."""
    fixed = text.replace('"', "'").replace("\\", "/")
    if fixed != text:
        renamed.append(f"{what} {text!r} -> {fixed!r}")
    return f'"{fixed}"'


def _dsl(network: Network, t: _Target) -> str:
    """GeNIe's DSL, nodes after their parents.

    The network's and each node's ``HEADER`` (``ID``, and ``NAME``: the title, the labels),
    ``TYPE = CPT``, ``PARENTS``, ``NAMESTATES`` and ``PROBABILITIES`` (the node's states
    fastest, the first parent slowest, as GeNIe writes them).
    """
    ids, states = t.ids, t.states
    title = _dsl_string(network.title or network.id, "the title", t.renamed)
    out = [f"net {t.net_id}", "{", " HEADER = ", "  {", f"   ID = {t.net_id};"]
    out += [f"   NAME = {title};", "  };"]
    for v in t.order:
        label = network.spec.nodes[v].label or v
        name = _dsl_string(label, f"the label of node {v!r}:", t.renamed)
        rows = _rows(network, v)
        probabilities = ",\n      ".join(", ".join(map(_num, row)) for row in rows)
        out += [
            "",
            f" node {ids[v]}",
            "  {",
            "   TYPE = CPT;",
            "   HEADER = ",
            "    {",
            f"     ID = {ids[v]};",
            f"     NAME = {name};",
            "    };",
            f"   PARENTS = ({', '.join(ids[p] for p in network.parents[v])});",
            "   DEFINITION = ",
            "    {",
            f"     NAMESTATES = ({', '.join(states[v][s] for s in network.states[v])});",
            f"     PROBABILITIES = ({probabilities});",
            "    };",
            "  };",
        ]
    out.append("};")
    return "\n".join(out) + "\n"


def _uai(network: Network, t: _Target) -> str:
    """UAI ``BAYES``, nodes in the order of ``t.order``.

    The cardinalities, each node's scope (its parents, then itself) and its table, the
    scope's last variable fastest as the format says (pyAgrum 3.3.1 reads a table with two
    or more parents in the reverse parent order).
    """
    index = {v: i for i, v in enumerate(t.order)}
    out = ["BAYES", str(len(t.order))]
    out.append(" ".join(str(len(network.states[v])) for v in t.order))
    out.append(str(len(t.order)))
    for v in t.order:
        scope = [index[p] for p in network.parents[v]] + [index[v]]
        out.append(" ".join(map(str, [len(scope), *scope])))
    for v in t.order:
        rows = _rows(network, v)
        out += ["", str(rows.size)]
        out += [" " + " ".join(map(_num, row)) for row in rows]
    return "\n".join(out) + "\n"
