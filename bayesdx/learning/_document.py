"""The learned network as a normal network file: every updated number with its provenance.

The original file is copied (nodes, measures, groups, the decision section, legacy rules)
and the tables of the learned nodes are rewritten as ``table`` rows:

- a parent combination with local data gets its own row: ``p`` the posterior mean, ``ess``
  the posterior concentration (so the row's uncertainty is exactly the posterior Dirichlet
  ``alpha + counts``), its sources the prior's plus the local data, and a note that says
  ``literature prior plus local data (k of n)``;
- combinations without local data keep their prior, sharing one row where they shared one
  before (written as a few rows when the combinations left do not form one block).

The sources are written inline (the file does not depend on the bibliography beside the
original), with one more: the local data, whose notes record the data's content hash, the
outcome column, the prior network and the prior weight.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.errors import ArgumentError
from bayesdx.io import read_yaml
from bayesdx.model import NoisyMaxCPT, TableCPT

if TYPE_CHECKING:
    from bayesdx.learning._prior import NodePrior
    from bayesdx.model import Entry, Network, Uncertainty

__all__ = ["LOCAL_SOURCE", "learned_from", "network_document"]

#: the id of the local data's source in a learned network (a suffix when it is taken)
LOCAL_SOURCE = "local_data"
_RECORD = re.compile(r"data sha256 ([0-9a-f]{64})")
_PRIOR = re.compile(r"prior network: (.+?); prior weight")


def learned_from(network: Network) -> list[dict[str, str]]:
    """What a learned network records of the data it learned from (oldest first).

    Returns
    -------
    list of dict
        ``{"source", "sha256", "prior"}`` per local-data source in the network.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> learned_from(load_network("marrow_signal"))
    []
    """
    out = []
    for sid, source in network.spec.sources.items():
        found = _RECORD.search(source.notes)
        if sid.startswith(LOCAL_SOURCE) and found:
            prior = _PRIOR.search(source.notes)
            out.append(
                {"source": sid, "sha256": found.group(1), "prior": prior.group(1) if prior else ""}
            )
    return out


def _num(x: float) -> float:
    """A plain float (no numpy scalar) for the YAML writer."""
    return float(x)


def _uncertainty_field(u: Uncertainty, states: tuple[str, ...]) -> dict[str, Any]:
    if u.kind == "counts":
        assert u.counts is not None
        return {"counts": {s: _num(c) for s, c in zip(states, u.counts, strict=True)}}
    if u.kind == "range":
        assert u.bounds is not None
        return {"range": [_num(b) for b in u.bounds]}
    assert u.ess is not None
    return {"ess": _num(u.ess)}


def _p_field(p: np.ndarray | tuple[float, ...], states: tuple[str, ...], focus: int) -> dict:
    """``p`` listing every state, or only the focus state when it is the first of two."""
    if len(states) == 2 and focus == 0:
        return {states[0]: _num(p[0])}
    return {s: _num(v) for s, v in zip(states, p, strict=True)}


def _entry_row(entry: Entry, node_states: tuple[str, ...], weight: float) -> dict[str, Any]:
    """An entry as written, in the node's state order (scaled to ``ess`` under a weight)."""
    assert entry.uncertainty is not None
    order = [entry.states.index(s) for s in node_states]
    p = tuple(entry.p[i] for i in order)
    focus = order.index(entry.uncertainty.focus)
    row: dict[str, Any] = {"p": _p_field(p, node_states, focus), "source": list(entry.sources)}
    if weight == 1.0:
        row.update(_uncertainty_field(entry.uncertainty, entry.states))
        if entry.note:
            row["note"] = entry.note
    else:
        row["ess"] = _num(weight * entry.uncertainty.concentration)
        row["note"] = f"literature prior x prior weight {weight:g}; no local data" + (
            f". {entry.note}" if entry.note else ""
        )
    return row


def _blocks(combos: list[tuple[int, ...]]) -> list[list[set[int]]]:
    """Cover a set of parent combinations with product blocks (one set of states per parent).

    Combinations that differ in one parent only are merged, parent by parent, until nothing
    more merges; the blocks are disjoint and cover exactly the combinations.
    """
    blocks = [[{c} for c in combo] for combo in combos]
    if not combos or not combos[0]:
        return blocks[:1]
    changed = True
    while changed:
        changed = False
        for axis in range(len(blocks[0])):
            merged: dict[tuple, list[set[int]]] = {}
            for b in blocks:
                key = tuple(frozenset(s) for k, s in enumerate(b) if k != axis)
                if key in merged:
                    merged[key][axis] |= b[axis]
                    changed = True
                else:
                    merged[key] = [set(s) for s in b]
            blocks = list(merged.values())
    return blocks


def _when(network: Network, node: str, block: list[set[int]]) -> dict[str, Any]:
    when: dict[str, Any] = {}
    for p, states in zip(network.parents[node], block, strict=True):
        names = [network.states[p][i] for i in sorted(states)]
        when[p] = names[0] if len(names) == 1 else names
    return when


def _count_text(k: float, n: float) -> str:
    if float(k).is_integer() and float(n).is_integer():
        return f"{int(k)} of {int(n)}"
    return f"{k:.1f} of {n:.1f} expected"


def _data_row(
    network: Network,
    node: str,
    combo: tuple[int, ...],
    prior: NodePrior,
    counts: np.ndarray,
    source: str,
    focus: int,
    weight: float,
) -> dict[str, Any]:
    states = network.states[node]
    a0 = prior.alpha[combo]
    post = a0 + counts[combo]
    p = post / post.sum()
    n = float(counts[combo].sum())
    spec = network.spec.nodes[node]
    entries = list(spec.cpt.entries())
    used = [entries[i] for i in prior.columns[combo].entries]
    sources = [*list(dict.fromkeys(s for e in used for s in e.sources)), source]
    if len(states) == 2:
        local = _count_text(float(counts[combo][focus]), n)
    else:
        local = "k of n per state: " + ", ".join(
            f"{s} {_count_text(float(c), n)}" for s, c in zip(states, counts[combo], strict=True)
        )
    prior_mean = a0 / a0.sum()
    how = (
        "noisy-model prior moment-matched"
        if prior.columns[combo].moment_matched
        else "prior " + ", ".join(sorted({_kind(e) for e in used}))
    )
    weighted = f" x prior weight {weight:g}" if weight != 1.0 else ""
    note = (
        f"literature prior plus local data ({local}): prior {states[focus]} = "
        f"{prior_mean[focus]:.4g} ({how}, {a0.sum():.4g} pseudo-counts{weighted}); "
        f"posterior {states[focus]} = {p[focus]:.4g}"
    )
    return {
        "p": _p_field(p, states, focus),
        "source": sources,
        "ess": _num(post.sum()),
        "note": note,
    }


def _kind(entry: Entry) -> str:
    u = entry.uncertainty
    assert u is not None
    return {"counts": "study counts", "range": "expert range", "ess": "effective sample size"}[
        u.kind
    ]


def _focus(network: Network, node: str, combo: tuple[int, ...], prior: NodePrior) -> int:
    """The state the row's uncertainty speaks of: the prior entry's focus, or "on"."""
    spec = network.spec.nodes[node]
    cpt = spec.cpt
    if isinstance(cpt, TableCPT):
        entry = cpt.rows[prior.columns[combo].entries[0]][1]
        assert entry.uncertainty is not None
        return spec.states.index(entry.states[entry.uncertainty.focus])
    assert isinstance(cpt, NoisyMaxCPT)
    return spec.states.index(cpt.states[-1]) if len(spec.states) == 2 else 1


def _node_rows(
    network: Network,
    node: str,
    prior: NodePrior,
    counts: np.ndarray,
    source: str,
    weight: float,
) -> list[dict[str, Any]]:
    spec = network.spec.nodes[node]
    cpt = spec.cpt
    groups: dict[tuple, list[tuple[int, ...]]] = {}
    for combo, col in prior.columns.items():
        if counts[combo].sum() > 0:
            groups[("data", combo)] = [combo]
        elif isinstance(cpt, TableCPT):
            groups.setdefault(("prior", col.entries), []).append(combo)
        else:
            groups.setdefault(("noisy", col.entries), []).append(combo)
    rows = []
    for key, combos in groups.items():
        combo = combos[0]
        focus = _focus(network, node, combo, prior)
        if key[0] == "data":
            body = _data_row(network, node, combo, prior, counts, source, focus, weight)
        elif key[0] == "prior":
            assert isinstance(cpt, TableCPT)
            body = _entry_row(cpt.rows[key[1][0]][1], spec.states, weight)
        else:
            a = prior.alpha[combo]
            entries = list(cpt.entries())
            used = [entries[i] for i in key[1]]
            body = {
                "p": _p_field(a / a.sum(), spec.states, focus),
                "source": list(dict.fromkeys(s for e in used for s in e.sources)),
                "ess": _num(a.sum()),
                "note": f"{cpt.kind} prior (leak and the causes acting here), moment-matched; "
                "no local data",
            }
        for block in _blocks(combos):
            row = {"when": _when(network, node, block)} if spec.parents else {}
            rows.append({**row, **body})
    return rows


def _source_dict(source: Any) -> dict[str, str]:
    out = {"citation": source.citation, "how_sure": source.how_sure}
    for key in ("doi", "url", "notes"):
        if getattr(source, key):
            out[key] = getattr(source, key)
    return out


def network_document(
    network: Network,
    prior: Mapping[str, NodePrior],
    counts: Mapping[str, np.ndarray],
    *,
    data_name: str,
    digest: str,
    n_rows: int,
    outcome: str | None,
    prior_weight: float,
    prior_name: str,
    em_text: str,
) -> dict[str, Any]:
    """The learned network's document (a ``bayesdx/1`` mapping), ready to be written."""
    path = Path(network.spec.path)
    if not path.is_file() or path.suffix.lower() not in (".yaml", ".yml"):
        raise ArgumentError(
            f"learning rewrites a network's YAML file; {network.id} was not read from one "
            f"({network.spec.path})"
        )
    doc = dict(read_yaml(path))
    taken = set(network.spec.sources)
    source = LOCAL_SOURCE
    k = 2
    while source in taken:
        source, k = f"{LOCAL_SOURCE}_{k}", k + 1
    sources = {sid: _source_dict(s) for sid, s in network.spec.sources.items()}
    sources[source] = {
        "citation": f"Local cohort {Path(data_name).name}: {n_rows} patients, learned with "
        "bayesdx learn",
        "how_sure": "read",
        "notes": (
            f"data sha256 {digest}; outcome column: {outcome or '(none)'}; prior network: "
            f"{prior_name}; prior weight {prior_weight:g}; {em_text}"
        ),
    }
    doc.pop("bibliography", None)
    doc["sources"] = sources
    base = str(doc.get("id", network.id))
    doc["id"] = base if base.endswith("_local") else f"{base}_local"
    doc["title"] = f"{network.title} (updated with local data)"
    doc["description"] = (
        str(doc.get("description", "")).rstrip()
        + f"\n\nUpdated with the local cohort {Path(data_name).name} ({n_rows} patients) by "
        f"bayesdx learn: every table row with local data is the literature prior plus the "
        f"local counts (source {source}); rows without local data keep the literature's "
        "numbers.\n"
    )
    nodes = []
    for raw in doc["nodes"]:
        raw = dict(raw)
        v = raw["id"]
        if v in prior and (counts[v].sum() > 0 or prior_weight != 1.0):
            raw["cpt"] = {
                "table": _node_rows(network, v, prior[v], counts[v], source, prior_weight)
            }
        nodes.append(raw)
    doc["nodes"] = nodes
    return doc


def all_combos(network: Network, node: str) -> list[tuple[int, ...]]:
    """Every parent-state index combination of a node."""
    return list(itertools.product(*(range(len(network.states[p])) for p in network.parents[node])))
