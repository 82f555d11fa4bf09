"""Write a network as BIF, XMLBIF, XDSL or Hugin NET, faithfully and in full precision.

Every number is written with ``repr`` (the shortest text that reads back as the same
double), so bayesdx's readers get the same tables back exactly. The network's id and title
and the nodes' labels are kept where the format can hold them. Names that break a format's
rules are rewritten (and said so): XDSL ids must start with a letter and hold only letters,
digits and underscores (node and state ids alike); Hugin NET node names are C identifiers;
BIF names and states are written as words of letters, digits and underscores, which every
BIF reader accepts. :func:`export_notes` lists what a format cannot hold (labels, roles,
sources and uncertainty, defaults, groups, cut-points, the decision section).
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
}

_WORD = re.compile(r"[^A-Za-z0-9_]")
_FORMAT_NAMES = {"bif": "BIF", "xmlbif": "XMLBIF", "xdsl": "XDSL", "net": "Hugin NET"}


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


def export_notes(network: Network, fmt: str) -> list[str]:
    """What the network has that a file of this format does not keep."""
    spec = network.spec
    lost: list[str] = []
    if fmt in {"bif", "xmlbif"} and network.title and network.title != network.id:
        lost.append("the title (the format keeps the network's id only)")
    labels = any(n.label and n.label != n.id for n in spec.nodes.values())
    if labels and fmt in {"bif", "xmlbif"}:
        lost.append("node labels (the format has no place for them)")
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
        if self.rule == "xdsl":  # a letter first, then letters, digits, _
            out = _WORD.sub("_", name) or "x"
            return out if out[0].isalpha() else "x" + out
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


def _num(x: float) -> str:
    return repr(float(x))


def export_text(network: Network, fmt: str) -> ExportResult:
    """The network as the text of a BIF, XMLBIF, XDSL or NET file.

    Examples
    --------
    >>> import bayesdx
    >>> result = export_text(bayesdx.load_network("marrow_signal"), "xdsl")
    >>> result.text.startswith('<?xml'), any("'40_to_59'" in r for r in result.renamed)
    (True, True)
    """
    if fmt not in EXPORT_SUFFIXES:
        raise ArgumentError(f"unknown format {fmt!r}; formats: {', '.join(EXPORT_SUFFIXES)}")
    renamed: list[str] = []
    rule = {"bif": "word", "xdsl": "xdsl", "net": "identifier"}.get(fmt)
    names = _Names(rule or "", renamed)
    if rule is None:  # XMLBIF holds any text
        node_ids = {v: v for v in network.variables}
        states = {v: {s: s for s in network.states[v]} for v in network.variables}
    else:
        node_ids = names.map(network.variables, "node")
        states = {
            v: (
                names.map(network.states[v], f"a state of node {v!r}:")
                if fmt != "net"
                else {s: s for s in network.states[v]}
            )
            for v in network.variables
        }
    writer = {"bif": _bif, "xmlbif": _xmlbif, "xdsl": _xdsl, "net": _net}[fmt]
    text = writer(network, node_ids, states)
    return ExportResult(text, renamed, export_notes(network, fmt))


def _rows(network: Network, v: str) -> np.ndarray:
    table = np.asarray(network.cpts[v], dtype=float)
    return table.reshape(-1, table.shape[-1])


def _bif(network: Network, ids: dict[str, str], states: dict[str, dict[str, str]]) -> str:
    net_id = _WORD.sub("_", network.id) or "network"
    lines = [f"network {net_id} {{", "}"]
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


def _xmlbif(network: Network, ids: dict[str, str], states: dict[str, dict[str, str]]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<BIF VERSION="0.3">', "<NETWORK>"]
    out.append(f"<NAME>{escape(network.id)}</NAME>")
    for v in network.variables:
        out.append('<VARIABLE TYPE="nature">')
        out.append(f"  <NAME>{escape(v)}</NAME>")
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


def _xdsl(network: Network, ids: dict[str, str], states: dict[str, dict[str, str]]) -> str:
    net_id = _Names("xdsl", []).fix(network.id)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<smile version="1.0" id={quoteattr(net_id)} numsamples="10000" discsamples="10000">',
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


def _net(network: Network, ids: dict[str, str], states: dict[str, dict[str, str]]) -> str:
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
