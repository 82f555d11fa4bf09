"""Write a network's reference document: every node, its states, parents and sources.

``bayesdx networks --markdown marrow_signal > networks/marrow_signal.md`` regenerates the
bundled document; a test checks that the committed file matches the network.
"""

from __future__ import annotations

from collections.abc import Iterator

from bayesdx.model import DeterministicCPT, Entry, Network, NoisyMaxCPT, TableCPT

__all__ = ["entry_rows", "network_markdown"]


def _uncertainty(entry: Entry) -> str:
    u = entry.uncertainty
    if u is None:
        return ""
    lo, hi = u.interval()
    focus = entry.states[u.focus]
    if u.kind == "counts":
        assert u.counts is not None  # each kind carries its own field (Uncertainty)
        given = ", ".join(f"{s} {c:g}" for s, c in zip(entry.states, u.counts, strict=True))
        form = f"counts ({given})"
    elif u.kind == "range":
        assert u.bounds is not None
        form = f"expert range {u.bounds[0]:g}-{u.bounds[1]:g}"
    else:
        form = f"ess {u.ess:g}"
    return f"{form}; 95% {focus} {lo:.3f}-{hi:.3f}"


def entry_rows(network: Network, node_id: str) -> Iterator[tuple[str, Entry]]:
    """(which parent states, entry) for every distribution entry of a node."""
    cpt = network.spec.nodes[node_id].cpt
    if isinstance(cpt, TableCPT):
        for when, entry in cpt.rows:
            label = "; ".join(f"{p} = {', '.join(v)}" for p, v in when.items()) or "(prior)"
            yield label, entry
    elif isinstance(cpt, NoisyMaxCPT):
        yield "leak (no cause)", cpt.leak
        for parent, per_state in cpt.causes.items():
            for pstate, entry in per_state.items():
                yield f"cause {parent} = {pstate}", entry


def _p_text(entry: Entry) -> str:
    return ", ".join(f"{s} {p:.4g}" for s, p in zip(entry.states, entry.p, strict=True))


def _decision(network: Network) -> list[str]:
    d = network.spec.decision
    if d is None:
        return []
    low, high = d.band
    out = [
        "## Decision",
        "",
        f"Target `{d.target}` ({d.node}: {', '.join(d.members)}). Band policy: recommended "
        f"at P >= {high:g}, borderline from {low:g}, not recommended below; sources "
        f"{', '.join(d.band_sources)}.",
        "",
    ]
    if d.band_note:
        out += [d.band_note, ""]
    if d.guideline:
        out += [f"Guideline: {d.guideline.title} (source {', '.join(d.guideline.sources)}):", ""]
        for r in d.guideline.rules:
            cond = " or ".join(f"{v} = {'/'.join(s)}" for v, s in r.any.items())
            out.append(f"- `{r.id}`: {r.label} ({cond})")
        out.append("")
    return out


def network_markdown(network: Network) -> str:
    """The reference document of a network, as Markdown.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> text = network_markdown(load_network("marrow_signal"))
    >>> text.splitlines()[0]
    '# marrow_signal: nodes, states, parents and sources'
    """
    spec = network.spec
    out = [
        f"# {spec.id}: nodes, states, parents and sources",
        "",
        "Generated from the network file by `bayesdx networks --markdown "
        f"{spec.id}`; do not edit by hand.",
        "",
        f"**{spec.title}**",
        "",
        spec.description,
        "",
    ]
    if spec.population:
        out += ["## Population", "", spec.population, ""]
    entries = [e for v in network.variables for _, e in entry_rows(network, v)]
    expert = sum(e.expert for e in entries)
    out += [
        "## Summary",
        "",
        f"{len(network.variables)} nodes; {len(entries)} distribution entries, of which "
        f"{len(entries) - expert} cite a published (read, secondary or derived) source and "
        f"{expert} are expert estimates with a range or effective sample size.",
        "",
    ]
    if spec.groups:
        out += ["Groups:", ""]
        for node, groups in spec.groups.items():
            for name, members in groups.items():
                out.append(f"- `{name}` ({node}): {', '.join(members)}")
        out.append("")
    out += ["| node | role | states | parents | CPT form |", "|---|---|---|---|---|"]
    for v in network.variables:
        n = spec.nodes[v]
        out.append(
            f"| `{v}` | {n.role} | {', '.join(n.states)} | "
            f"{', '.join(n.parents) or '-'} | {n.cpt.kind} |"
        )
    out.append("")
    for v in network.variables:
        n = spec.nodes[v]
        out += [
            f"## `{v}`: {n.label}",
            "",
            n.description,
            "",
            f"- role: {n.role}; states: {', '.join(n.states)}; parents: "
            f"{', '.join(n.parents) or 'none'}; CPT: {n.cpt.kind}",
        ]
        if n.default:
            out.append(f"- default (assumed when not given): `{n.default}`")
        if n.measure:
            out.append(
                f"- raw values: {n.measure.describe()}; source {', '.join(n.measure.sources)}"
            )
        if n.raw_to:
            out.append(f"- raw values: read by `{n.raw_to}`'s cut-points")
        if isinstance(n.cpt, DeterministicCPT):
            (parent,) = n.cpt.parents
            out += [
                f"- defined from `{parent}`: "
                + "; ".join(
                    f"{c} = {parent} in {{{', '.join(m)}}}" for c, m in n.cpt.mapping.items()
                ),
                "",
            ]
            continue
        out += ["", "| given | p | source | uncertainty | note |", "|---|---|---|---|---|"]
        for label, e in entry_rows(network, v):
            note = e.note.replace("\n", " ").replace("|", "/")
            srcs = ", ".join(f"{s} ({spec.sources[s].how_sure})" for s in e.sources)
            out.append(f"| {label} | {_p_text(e)} | {srcs} | {_uncertainty(e)} | {note} |")
        out.append("")
    out += _decision(network)
    if spec.legacy:
        out += ["## Inputs of the earlier edition", ""]
        out += [
            f"- {', '.join(f'{k}={v}' for k, v in r.given.items())} -> "
            f"{', '.join(f'{k}={v}' for k, v in r.read_as.items()) or 'nothing'}"
            + (f" ({' '.join(r.note.split())})" if r.note else "")
            for r in spec.legacy
        ]
        out.append("")
    out += ["## Sources", ""]
    for sid, src in sorted(spec.sources.items()):
        line = f"- `{sid}` ({src.how_sure}): {src.citation}"
        if src.doi:
            line += f" doi {src.doi}"
        if src.url:
            line += f" <{src.url}>"
        out.append(line)
        if src.notes:
            out.append(f"  {' '.join(src.notes.split())}")
    return "\n".join(out).rstrip() + "\n"
