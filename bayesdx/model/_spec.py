"""Load and validate a network file (format ``bayesdx/1``, see ``networks/FORMAT.md``).

The result is a :class:`NetworkSpec`: plain, immutable data describing nodes, states,
parents, conditional probability tables (as written: tables or noisy-OR / noisy-MAX), groups,
defaults, measurement cut-points and the bibliography. Every validation error is a
:class:`~bayesdx.errors.NetworkFileError` naming the file, the node and the field.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

# what only a YAML document needs (the literature's table kinds, cut-points, uncertainty,
# the decision section) loads with the first such document, through the package's lazy
# names: a network read from BIF or NET never pays for it
from bayesdx import model as _model
from bayesdx._record import DICT, Record
from bayesdx.errors import NetworkFileError
from bayesdx.model._fixed import check_table_size
from bayesdx.model._textnum import is_finite_number, shown

if TYPE_CHECKING:
    from pathlib import Path

    from bayesdx.model._cpt import CPT, DeterministicCPT, Entry, NoisyMaxCPT, TableCPT
    from bayesdx.model._decision_spec import DecisionSpec
    from bayesdx.model._measure import Measure
    from bayesdx.model._uncertainty import Uncertainty

__all__ = [
    "FORMAT",
    "HOW_SURE",
    "ROLES",
    "HowSure",
    "LegacyRule",
    "NetworkSpec",
    "NodeSpec",
    "Role",
    "Source",
    "parse_spec",
]

FORMAT = "bayesdx/1"
#: What a node is for: a case's context, the differential, a hidden process, a finding.
Role = Literal["context", "diagnosis", "intermediate", "finding"]
ROLES: tuple[Role, ...] = ("context", "diagnosis", "intermediate", "finding")
#: How sure a source's figure is, from read in the paper to an expert estimate.
HowSure = Literal["read", "secondary", "derived", "unverified", "expert"]
HOW_SURE: tuple[HowSure, ...] = ("read", "secondary", "derived", "unverified", "expert")
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_TOP_KEYS = {
    "format": True,
    "id": True,
    "title": True,
    "description": True,
    "population": False,
    "bibliography": False,
    "sources": False,
    "groups": False,
    "nodes": True,
    "decision": False,
    "legacy": False,
}
_NODE_KEYS = {
    "id": True,
    "label": True,
    "role": True,
    "states": True,
    "description": True,
    "parents": False,
    "default": False,
    "measure": False,
    "raw_to": False,
    "cpt": True,
}
_SOURCE_KEYS = {"citation": True, "how_sure": True, "doi": False, "url": False, "notes": False}
_ENTRY_KEYS = {"p", "source", "counts", "range", "ess", "note"}
_SUM_TOL = 1e-9


class Source(Record):
    """One bibliography entry."""

    _fields = ("id", "citation", "how_sure", "doi", "url", "notes")
    id: str
    citation: str
    how_sure: HowSure
    doi: str
    url: str
    notes: str

    def __init__(
        self,
        id: str,
        citation: str,
        how_sure: HowSure,
        doi: str = "",
        url: str = "",
        notes: str = "",
    ) -> None:
        vars(self).update(
            id=id, citation=citation, how_sure=how_sure, doi=doi, url=url, notes=notes
        )


class NodeSpec(Record):
    """One node as written in the network file (or imported from BIF/XMLBIF)."""

    _fields = (
        "id", "states", "parents", "cpt", "label", "role", "description", "default",
        "measure", "raw_to",
    )  # fmt: skip
    id: str
    states: tuple[str, ...]
    parents: tuple[str, ...]
    cpt: CPT
    label: str
    role: Role | None
    description: str
    default: str | None
    measure: Measure | None
    raw_to: str | None

    def __init__(
        self,
        id: str,
        states: tuple[str, ...],
        parents: tuple[str, ...],
        cpt: CPT,
        label: str = "",
        role: Role | None = None,
        description: str = "",
        default: str | None = None,
        measure: Measure | None = None,
        raw_to: str | None = None,
    ) -> None:
        vars(self).update(
            id=id,
            states=states,
            parents=parents,
            cpt=cpt,
            label=label,
            role=role,
            description=description,
            default=default,
            measure=measure,
            raw_to=raw_to,
        )


class LegacyRule(Record):
    """How an input of an earlier edition of the network is read by this one.

    ``given`` is matched against the case (every item must be there, with that value);
    ``read_as`` is the evidence it stands for. An item of ``given`` that this network reads
    as ordinary evidence (``sex: female``) is a condition and is kept; the others are
    consumed by the rule.
    """

    _fields = ("given", "read_as", "note")
    given: dict[str, str]
    read_as: dict[str, str]
    note: str

    def __init__(self, given: dict[str, str], read_as: dict[str, str], note: str = "") -> None:
        vars(self).update(given=given, read_as=read_as, note=note)


class NetworkSpec(Record):
    """A validated network: nodes in topological order, groups, sources."""

    _fields = (
        "id", "title", "description", "nodes", "groups", "sources", "population", "path",
        "decision", "files", "legacy",
    )  # fmt: skip
    id: str
    title: str
    description: str
    nodes: dict[str, NodeSpec]
    groups: dict[str, dict[str, tuple[str, ...]]]
    sources: dict[str, Source]
    population: str
    path: str
    decision: DecisionSpec | None
    files: tuple[str, ...]
    legacy: tuple[LegacyRule, ...]

    def __init__(
        self,
        id: str,
        title: str,
        description: str,
        nodes: dict[str, NodeSpec],
        groups: dict[str, dict[str, tuple[str, ...]]] = DICT,
        sources: dict[str, Source] = DICT,
        population: str = "",
        path: str = "",
        decision: DecisionSpec | None = None,
        files: tuple[str, ...] = (),
        legacy: tuple[LegacyRule, ...] = (),
    ) -> None:
        vars(self).update(
            id=id,
            title=title,
            description=description,
            nodes=nodes,
            groups={} if groups is DICT else groups,
            sources={} if sources is DICT else sources,
            population=population,
            path=path,
            decision=decision,
            files=files,
            legacy=legacy,
        )


class _Ctx:
    """Where we are in the file, for error messages."""

    def __init__(self, path: str, node: str | None = None):
        self.path, self.node = path, node

    def fail(self, message: str, field: str | None = None) -> NetworkFileError:
        return NetworkFileError(self.path, message, node=self.node, field=field)

    def at(self, node: str) -> _Ctx:
        return _Ctx(self.path, node)


def parse_spec(
    data: Any, path: str = "<network>", bibliographies: Mapping[str, Any] | None = None
) -> NetworkSpec:
    """Validate an already parsed network document.

    ``bibliographies`` maps the path of the file named by the document's ``bibliography``
    field to its parsed content; :func:`bayesdx.io.load_spec` reads it for you.
    """
    ctx = _Ctx(path)
    _check_keys(ctx, data, _TOP_KEYS, "top level")
    if data["format"] != FORMAT:
        raise ctx.fail(f"unsupported format {shown(data['format'])}; expected '{FORMAT}'", "format")
    net_id = _ident(ctx, data["id"], "id")
    from pathlib import Path  # here, not at the top: a network read from BIF never needs it

    sources, bib_files = _sources(ctx, data, Path(path).parent, bibliographies or {})
    raw_nodes = data["nodes"]
    if not isinstance(raw_nodes, list) or not raw_nodes:
        raise ctx.fail("expected a non-empty list of nodes", "nodes")

    heads: dict[str, Mapping[str, Any]] = {}
    for i, raw in enumerate(raw_nodes):
        if not isinstance(raw, Mapping):
            raise ctx.fail("expected a mapping with id, label, role, states, ...", f"nodes[{i}]")
        node_id = _ident(ctx, raw.get("id"), f"nodes[{i}].id")
        if node_id in heads:
            raise ctx.at(node_id).fail("duplicate node id", "id")
        nctx = ctx.at(node_id)
        _check_keys(nctx, raw, _NODE_KEYS, "node")
        heads[node_id] = raw

    states = {nid: _states(ctx.at(nid), raw["states"]) for nid, raw in heads.items()}
    parents: dict[str, tuple[str, ...]] = {}
    for nid, raw in heads.items():
        nctx = ctx.at(nid)
        plist = raw.get("parents")
        plist = [] if plist is None else plist
        if not isinstance(plist, list) or not all(isinstance(p, str) for p in plist):
            raise nctx.fail("expected a list of node ids", "parents")
        for p in plist:
            if p not in heads:
                raise nctx.fail(f"unknown parent '{p}'; valid nodes: {', '.join(heads)}", "parents")
            if p == nid:
                raise nctx.fail("a node cannot be its own parent", "parents")
        if len(set(plist)) != len(plist):
            raise nctx.fail("a parent is listed twice", "parents")
        parents[nid] = tuple(plist)
    order = _topological(ctx, parents)

    nodes: dict[str, NodeSpec] = {}
    for nid in order:
        raw, nctx = heads[nid], ctx.at(nid)
        role = raw["role"]
        if role not in ROLES:
            raise nctx.fail(f"unknown role {shown(role)}; valid roles: {', '.join(ROLES)}", "role")
        for key in ("label", "description"):
            if not isinstance(raw[key], str) or not raw[key].strip():
                raise nctx.fail("expected non-empty text", key)
        default = raw.get("default")
        if default is not None and (not isinstance(default, str) or default not in states[nid]):
            raise nctx.fail(
                f"default {shown(default)} is not a state; valid states: {', '.join(states[nid])}",
                "default",
            )
        measure = None
        if raw.get("measure") is not None:
            measure = _measure(nctx, raw["measure"], states[nid], sources)
        cpt = _cpt(nctx, raw["cpt"], states[nid], {p: states[p] for p in parents[nid]}, sources)
        raw_to = raw.get("raw_to")
        if raw_to is not None:
            raw_to = _raw_to(nctx, raw_to, heads, measure)
        nodes[nid] = NodeSpec(
            id=nid,
            states=states[nid],
            parents=parents[nid],
            cpt=cpt,
            label=raw["label"],
            role=role,
            description=raw["description"].strip(),
            default=default,
            measure=measure,
            raw_to=raw_to,
        )
    groups = _groups(ctx, data.get("groups"), states)
    decision = None
    if data.get("decision") is not None:
        diagnosis_nodes = [v for v, n in nodes.items() if n.role == "diagnosis"]
        decision = _model.parse_decision(
            data["decision"], path, states, groups, sources, diagnosis_nodes
        )
    for key in ("title", "description"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise ctx.fail("expected non-empty text", key)
    return NetworkSpec(
        id=net_id,
        title=data["title"].strip(),
        description=data["description"].strip(),
        nodes=nodes,
        groups=groups,
        sources=sources,
        population=_text(ctx, data.get("population"), "population"),
        path=path,
        decision=decision,
        files=(path, *bib_files),
        legacy=_legacy(ctx, data.get("legacy"), states),
    )


# --------------------------------------------------------------------------- helpers


def _raw_to(ctx: _Ctx, value: Any, heads: Mapping[str, Mapping], measure: Any) -> str:
    """``raw_to: NODE``: a raw number given for this node is read by NODE's measure."""
    if measure is not None:
        raise ctx.fail("a node with its own measure cannot send raw values elsewhere", "raw_to")
    if not isinstance(value, str) or value not in heads:
        raise ctx.fail(f"unknown node {shown(value)}; valid nodes: {', '.join(heads)}", "raw_to")
    if heads[value].get("measure") is None:
        raise ctx.fail(f"node {value} has no measure to read a raw value with", "raw_to")
    return value


def _legacy(ctx: _Ctx, raw: Any, states: Mapping[str, tuple[str, ...]]) -> tuple[LegacyRule, ...]:
    """The ``legacy`` list: inputs of an earlier edition and the evidence they stand for."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ctx.fail("expected a list of {given, read_as, note}", "legacy")
    rules = []
    for i, item in enumerate(raw):
        where = f"legacy[{i}]"
        if not isinstance(item, Mapping) or set(item) - {"given", "read_as", "note"}:
            raise ctx.fail("expected a mapping with given, read_as and note", where)
        given, read_as = item.get("given"), item.get("read_as")
        if not isinstance(given, Mapping) or not given:
            raise ctx.fail("expected {variable: value}", f"{where}.given")
        if not isinstance(read_as, Mapping):
            raise ctx.fail("expected {variable: state} (may be empty)", f"{where}.read_as")
        pairs = {}
        for var, value in given.items():
            if not isinstance(var, str) or not isinstance(value, str):
                raise ctx.fail("expected variable and value names (text)", f"{where}.given")
            pairs[var] = value
        if all(v in states and s in states[v] for v, s in pairs.items()):
            raise ctx.fail(
                "every item is ordinary evidence for this network, so the rule never applies",
                f"{where}.given",
            )
        for var, state in read_as.items():
            if var not in states:
                raise ctx.fail(f"unknown variable {shown(var)}", f"{where}.read_as")
            if state not in states[var]:
                raise ctx.fail(
                    f"{shown(state)} is not a state of {var}; valid: {', '.join(states[var])}",
                    f"{where}.read_as",
                )
        note = _text(ctx, item.get("note"), f"{where}.note")
        rules.append(LegacyRule(pairs, {str(k): str(v) for k, v in read_as.items()}, note))
    return tuple(rules)


def _check_keys(ctx: _Ctx, raw: Any, spec: dict[str, bool], what: str) -> None:
    if not isinstance(raw, Mapping):
        raise ctx.fail(f"expected a mapping at {what}, got {type(raw).__name__}")
    for key in raw:
        if key not in spec:
            raise ctx.fail(f"unknown key; valid keys: {', '.join(spec)}", shown(key, quote=False))
    for key, required in spec.items():
        if required and key not in raw:
            raise ctx.fail("missing required field", key)


def _ident(ctx: _Ctx, value: Any, field: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        hint = (
            " (YAML reads yes/no/on/off as true/false: quote it)" if isinstance(value, bool) else ""
        )
        raise ctx.fail(f"{shown(value)} is not a snake_case id (a-z, 0-9, _){hint}", field)
    return value


def _text(ctx: _Ctx, value: Any, field: str) -> str:
    """Optional text: absent, null or a string (stripped)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ctx.fail(f"expected text, got {shown(value)}", field)
    return value.strip()


def _states(ctx: _Ctx, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise ctx.fail("expected a list of two or more state ids", "states")
    states = tuple(_ident(ctx, s, "states") for s in raw)
    if len(set(states)) != len(states):
        raise ctx.fail("a state is listed twice", "states")
    return states


def _sources(
    ctx: _Ctx, data: Mapping, base: Path, bibliographies: Mapping[str, Any]
) -> tuple[dict[str, Source], tuple[str, ...]]:
    merged: dict[str, Any] = {}
    files: tuple[str, ...] = ()
    if data.get("bibliography") is not None:
        if not isinstance(data["bibliography"], str) or not data["bibliography"].strip():
            raise ctx.fail("expected a file name, relative to this file", "bibliography")
        bib_path = base / data["bibliography"]
        files = (str(bib_path),)
        if str(bib_path) not in bibliographies:
            raise ctx.fail(
                f"{bib_path} was not read; load the network with bayesdx.io.load_spec",
                "bibliography",
            )
        bib = bibliographies[str(bib_path)]
        if not isinstance(bib, Mapping):
            raise NetworkFileError(str(bib_path), "expected a mapping of source id to entry")
        merged.update({k: (v, str(bib_path)) for k, v in bib.items()})
    inline = data.get("sources") or {}
    if not isinstance(inline, Mapping):
        raise ctx.fail("expected a mapping of source id to entry", "sources")
    merged.update({k: (v, ctx.path) for k, v in inline.items()})
    out: dict[str, Source] = {}
    for sid, (raw, where) in merged.items():
        sctx = _Ctx(where)
        _ident(sctx, sid, "source id")
        if not isinstance(raw, Mapping):
            raise sctx.fail("expected a mapping with citation and how_sure", f"sources.{sid}")
        for key in raw:
            if key not in _SOURCE_KEYS:
                raise sctx.fail(
                    f"unknown key; valid keys: {', '.join(_SOURCE_KEYS)}",
                    f"sources.{sid}.{shown(key, quote=False)}",
                )
        text = {k: _text(sctx, raw.get(k), f"sources.{sid}.{k}") for k in _SOURCE_KEYS}
        if not text["citation"]:
            raise sctx.fail("missing required field", f"sources.{sid}.citation")
        if text["how_sure"] not in HOW_SURE:
            raise sctx.fail(f"expected one of {', '.join(HOW_SURE)}", f"sources.{sid}.how_sure")
        out[sid] = Source(
            id=sid,
            citation=text["citation"],
            how_sure=HOW_SURE[HOW_SURE.index(text["how_sure"])],  # typed as HowSure
            doi=text["doi"],
            url=text["url"],
            notes=text["notes"],
        )
    if "expert" not in out or out["expert"].how_sure != "expert":
        raise ctx.fail("the bibliography must define 'expert' with how_sure: expert", "sources")
    return out, files


def _topological(ctx: _Ctx, parents: dict[str, tuple[str, ...]]) -> list[str]:
    """Parents before children (iterative depth-first search: no recursion limit)."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    for root in parents:
        if state.get(root) == 2:
            continue
        path, iters = [root], [iter(parents[root])]
        state[root] = 1
        while path:
            nxt = next(iters[-1], None)
            if nxt is None:
                done = path.pop()
                iters.pop()
                state[done] = 2
                order.append(done)
            elif state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                raise ctx.at(nxt).fail(f"cycle {' -> '.join(reversed(cycle))}", "parents")
            elif state.get(nxt) != 2:
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(parents[nxt]))
    return order


def _measure(ctx: _Ctx, raw: Any, states: tuple[str, ...], sources: dict) -> Measure:
    keys = {
        "quantity": True,
        "unit": True,
        "cuts": True,
        "order": False,
        "range": True,
        "source": True,
    }
    if not isinstance(raw, Mapping):
        raise ctx.fail("expected a mapping with quantity, unit, cuts, range, source", "measure")
    for key in raw:
        if key not in keys:
            raise ctx.fail(f"unknown key; valid keys: {', '.join(keys)}", f"measure.{key}")
    for key, required in keys.items():
        if required and key not in raw:
            raise ctx.fail("missing required field", f"measure.{key}")
    cuts = raw["cuts"]
    if not isinstance(cuts, list) or not all(is_finite_number(c) for c in cuts):
        raise ctx.fail("expected a list of numbers", "measure.cuts")
    for key in ("quantity", "unit"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise ctx.fail("expected non-empty text", f"measure.{key}")
    order = raw.get("order", list(states))
    if not isinstance(order, list) or not all(isinstance(s, str) for s in order):
        raise ctx.fail(f"expected the states {', '.join(states)} in value order", "measure.order")
    order = tuple(order)
    if len(order) != len(states) or set(order) != set(states):
        raise ctx.fail(f"expected the states {', '.join(states)} in value order", "measure.order")
    if len(cuts) != len(states) - 1:
        raise ctx.fail(
            f"expected {len(states) - 1} cut-points for {len(states)} states", "measure.cuts"
        )
    if any(b <= a for a, b in itertools.pairwise(cuts)):
        raise ctx.fail("cut-points must be strictly ascending", "measure.cuts")
    rng = raw["range"]
    if (
        not isinstance(rng, list)
        or len(rng) != 2
        or not all(is_finite_number(v) for v in rng)
        or not rng[0] < rng[1]
    ):
        raise ctx.fail("expected [min, max] with min < max", "measure.range")
    if not (rng[0] <= cuts[0] and cuts[-1] <= rng[1]):
        raise ctx.fail("cut-points must lie inside the range", "measure.range")
    return _model.Measure(
        quantity=str(raw["quantity"]),
        unit=str(raw["unit"]),
        cuts=tuple(float(c) for c in cuts),
        order=order,
        range=(float(rng[0]), float(rng[1])),
        sources=_source_ids(ctx, raw["source"], sources, "measure.source"),
    )


def _source_ids(ctx: _Ctx, raw: Any, sources: dict, field: str) -> tuple[str, ...]:
    ids = raw if isinstance(raw, list) else [raw]
    if not ids or not all(isinstance(sid, str) for sid in ids):
        raise ctx.fail("expected a source id or a list of source ids", field)
    for sid in ids:
        if sid not in sources:
            raise ctx.fail(
                f"unknown source {shown(sid)}; define it in the bibliography "
                f"(known: {', '.join(sorted(sources))})",
                field,
            )
    return tuple(ids)


def _cpt(
    ctx: _Ctx, raw: Any, states: tuple[str, ...], parent_states: dict[str, tuple], sources: dict
) -> CPT:
    forms = ("table", "noisy_or", "noisy_max", "deterministic")
    if not isinstance(raw, Mapping) or len(raw) != 1 or next(iter(raw)) not in forms:
        raise ctx.fail(f"expected exactly one of: {', '.join(forms)}", "cpt")
    form, body = next(iter(raw.items()))
    if form == "deterministic":
        return _deterministic(ctx, body, states, parent_states)
    check_table_size(
        [len(s) for s in parent_states.values()],
        len(states),
        f"{ctx.path}: node '{ctx.node}', field 'cpt'",
    )
    if form == "table":
        return _table(ctx, body, states, parent_states, sources)
    return _noisy(ctx, form, body, states, parent_states, sources)


def _deterministic(
    ctx: _Ctx, body: Any, states: tuple[str, ...], parent_states: dict[str, tuple]
) -> DeterministicCPT:
    """``{child state: [parent states]}``: one parent, each of its states listed once."""
    where = "cpt.deterministic"
    if len(parent_states) != 1:
        raise ctx.fail("a deterministic node has exactly one parent", where)
    ((parent, pstates),) = parent_states.items()
    if not isinstance(body, Mapping) or set(body) != set(states):
        raise ctx.fail(
            f"expected {{child state: [{parent} states]}} for {', '.join(states)}", where
        )
    seen: dict[str, str] = {}
    mapping: dict[str, tuple[str, ...]] = {}
    for child in states:
        members = body[child]
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise ctx.fail(f"expected a list of {parent} states", f"{where}.{child}")
        for m in members:
            if m not in pstates:
                raise ctx.fail(
                    f"{shown(m)} is not a state of {parent}; valid: {', '.join(pstates)}",
                    f"{where}.{child}",
                )
            if m in seen:
                raise ctx.fail(f"{parent} = {m} is listed under {seen[m]} and {child}", where)
            seen[m] = child
        mapping[child] = tuple(members)
    missing = [s for s in pstates if s not in seen]
    if missing:
        raise ctx.fail(f"{parent} states {', '.join(missing)} are not listed", where)
    return _model.DeterministicCPT(mapping, (parent,))


def _table(ctx: _Ctx, body: Any, states: tuple, parent_states: dict, sources: dict) -> TableCPT:
    if not isinstance(body, list) or not body:
        raise ctx.fail("expected a list of rows (when, p, source, ...)", "cpt.table")
    names = list(parent_states)
    # which row covers each parent combination (-1: none yet); the size is checked already
    owner = np.full([len(parent_states[p]) for p in names], -1, dtype=np.int64)
    rows = []
    for i, row in enumerate(body):
        where = f"cpt.table[{i}]"
        if not isinstance(row, Mapping):
            raise ctx.fail("expected a mapping with when, p, source, ...", where)
        when_raw = row.get("when")
        when_raw = {} if when_raw is None else when_raw
        if not isinstance(when_raw, Mapping):
            raise ctx.fail("expected {parent: state or [states]}", f"{where}.when")
        when: dict[str, tuple[str, ...]] = {}
        for parent, value in when_raw.items():
            if not isinstance(parent, str) or parent not in parent_states:
                valid = ", ".join(parent_states) or "none (this node has no parents)"
                raise ctx.fail(
                    f"{shown(parent)} is not a parent; parents: {valid}", f"{where}.when"
                )
            vals = tuple(value) if isinstance(value, list) else (value,)
            if not vals:
                raise ctx.fail("expected a state or a non-empty list", f"{where}.when.{parent}")
            for v in vals:
                if not isinstance(v, str) or v not in parent_states[parent]:
                    raise ctx.fail(
                        f"{shown(v)} is not a state of {parent}; valid states: "
                        f"{', '.join(parent_states[parent])}",
                        f"{where}.when.{parent}",
                    )
            if len(set(vals)) != len(vals):
                raise ctx.fail("a state is listed twice", f"{where}.when.{parent}")
            when[parent] = vals
        missing = [p for p in parent_states if p not in when]
        if missing:
            raise ctx.fail(
                f"every parent must be named; missing: {', '.join(missing)}", f"{where}.when"
            )
        entry = _entry(ctx, {k: v for k, v in row.items() if k != "when"}, states, sources, where)
        block = np.ix_(*([parent_states[p].index(s) for s in when[p]] for p in names))
        taken = np.flatnonzero(np.asarray(owner[block]).reshape(-1) >= 0)
        if taken.size:
            at = np.unravel_index(int(taken[0]), [len(when[p]) for p in names])
            shown_combo = ", ".join(f"{p}={when[p][k]}" for p, k in zip(names, at, strict=True))
            first = int(np.asarray(owner[block]).reshape(-1)[taken[0]])
            raise ctx.fail(
                f"parent combination {shown_combo} is also given in row {first}",
                f"{where}.when",
            )
        owner[block] = i
        rows.append((when, entry))
    gaps = np.flatnonzero(owner.reshape(-1) < 0)
    if gaps.size:
        at = np.unravel_index(int(gaps[0]), owner.shape)
        shown_combo = ", ".join(
            f"{p}={parent_states[p][k]}" for p, k in zip(names, at, strict=True)
        )
        raise ctx.fail(
            f"{gaps.size} parent combination(s) have no row, for example {shown_combo}",
            "cpt.table",
        )
    return _model.TableCPT(rows=tuple(rows), parents=tuple(parent_states))


def _noisy(
    ctx: _Ctx, form: str, body: Any, states: tuple, parent_states: dict, sources: dict
) -> NoisyMaxCPT:
    where = f"cpt.{form}"
    allowed = {"leak", "causes"} | ({"state"} if form == "noisy_or" else set())
    if not isinstance(body, Mapping):
        raise ctx.fail(f"expected a mapping with {', '.join(sorted(allowed))}", where)
    for key in body:
        if key not in allowed:
            raise ctx.fail(
                f"unknown key; valid keys: {', '.join(sorted(allowed))}", f"{where}.{key}"
            )
    for key in allowed:
        if key not in body:
            raise ctx.fail("missing required field", f"{where}.{key}")
    if form == "noisy_or":
        if len(states) != 2:
            raise ctx.fail("noisy_or needs a two-state node; use noisy_max", where)
        on = body["state"]
        if on not in states:
            raise ctx.fail(f"expected one of the states: {', '.join(states)}", f"{where}.state")
        # order the child's states as (off, on) for the noisy-MAX machinery
        ordered = (states[1 - states.index(on)], on)
    else:
        ordered = states

    def entry(raw: Any, field: str) -> Entry:
        if not isinstance(raw, Mapping):
            raise ctx.fail("expected a mapping with p, source and an uncertainty", field)
        raw = dict(raw)
        if form == "noisy_or":
            if not is_finite_number(raw.get("p")):
                raise ctx.fail("expected a probability (one number) for the on state", f"{field}.p")
            raw["p"] = {ordered[1]: raw["p"]}
        elif isinstance(raw.get("p"), Mapping) and ordered[0] in raw["p"]:
            raise ctx.fail(
                f"leave out '{ordered[0]}' (no effect): it takes the remainder", f"{field}.p"
            )
        return _entry(ctx, raw, ordered, sources, field)

    leak = entry(body["leak"], f"{where}.leak")
    causes_raw = body["causes"]
    if not isinstance(causes_raw, Mapping) or not causes_raw:
        raise ctx.fail("expected {parent: {parent_state: entry}}", f"{where}.causes")
    causes: dict[str, dict[str, Entry]] = {}
    for parent, per_state in causes_raw.items():
        if parent not in parent_states:
            raise ctx.fail(
                f"{shown(parent)} is not a parent; parents: {', '.join(parent_states)}",
                f"{where}.causes",
            )
        if not isinstance(per_state, Mapping):
            raise ctx.fail("expected {parent_state: entry}", f"{where}.causes.{parent}")
        causes[parent] = {}
        for pstate, raw in per_state.items():
            if pstate not in parent_states[parent]:
                raise ctx.fail(
                    f"{shown(pstate)} is not a state of {parent}; valid states: "
                    f"{', '.join(parent_states[parent])}",
                    f"{where}.causes.{parent}",
                )
            causes[parent][pstate] = entry(raw, f"{where}.causes.{parent}.{pstate}")
    unused = [p for p in parent_states if p not in causes]
    if unused:
        raise ctx.fail(f"parent(s) {', '.join(unused)} have no causes listed", f"{where}.causes")
    return _model.NoisyMaxCPT(
        kind=form, states=ordered, leak=leak, causes=causes, parents=tuple(parent_states)
    )


def _entry(ctx: _Ctx, raw: Mapping, states: tuple[str, ...], sources: dict, where: str) -> Entry:
    for key in raw:
        if key not in _ENTRY_KEYS:
            raise ctx.fail(
                f"unknown key; valid keys: when, {', '.join(sorted(_ENTRY_KEYS))}", f"{where}.{key}"
            )
    if "p" not in raw:
        raise ctx.fail("missing required field", f"{where}.p")
    if "source" not in raw:
        raise ctx.fail("missing required field (a source id, or 'expert')", f"{where}.source")
    p = _probabilities(ctx, raw["p"], states, where)
    src = _source_ids(ctx, raw["source"], sources, f"{where}.source")
    expert = all(sources[s].how_sure in ("expert", "unverified") for s in src)
    listed = [s for s in states if s in raw["p"]]
    focus = states.index(listed[0]) if len(listed) == 1 else 1
    return _model.Entry(
        states=states,
        p=p,
        sources=src,
        uncertainty=_entry_uncertainty(ctx, raw, states, p, focus, expert, where),
        note=_text(ctx, raw.get("note"), f"{where}.note"),
        field=where,
        expert=expert,
    )


def _probabilities(ctx: _Ctx, praw: Any, states: tuple[str, ...], where: str) -> tuple[float, ...]:
    """An entry's ``p``: every state in [0, 1], summing to 1; one state may take the rest."""
    if not isinstance(praw, Mapping) or not praw:
        raise ctx.fail("expected {state: probability}", f"{where}.p")
    for s, v in praw.items():
        if s not in states:
            raise ctx.fail(
                f"{shown(s)} is not a state; valid states: {', '.join(states)}", f"{where}.p"
            )
        if not is_finite_number(v) or not 0.0 <= v <= 1.0:
            raise ctx.fail(
                f"probability of {s} is {shown(v)}; expected a number in [0, 1]", f"{where}.p"
            )
    missing = [s for s in states if s not in praw]
    total = float(sum(praw.values()))
    if len(missing) > 1:
        raise ctx.fail(
            f"states {', '.join(missing)} have no probability; at most one state "
            "may be left out (it takes the remainder)",
            f"{where}.p",
        )
    if missing:
        if total > 1.0 + _SUM_TOL:
            raise ctx.fail(
                f"probabilities sum to {total:.6g} > 1, leaving nothing for {missing[0]}",
                f"{where}.p",
            )
        p = tuple(max(0.0, 1.0 - total) if s == missing[0] else float(praw[s]) for s in states)
    else:
        if abs(total - 1.0) > _SUM_TOL:
            raise ctx.fail(
                f"probabilities sum to {total:.12g}; expected 1 (within {_SUM_TOL:g})", f"{where}.p"
            )
        p = tuple(float(praw[s]) for s in states)
    return p


def _entry_uncertainty(
    ctx: _Ctx,
    raw: Mapping,
    states: tuple[str, ...],
    p: tuple[float, ...],
    focus: int,
    expert: bool,
    where: str,
) -> Uncertainty:
    """Exactly one of study counts, an expert range or an effective sample size."""
    kinds = [k for k in ("counts", "range", "ess") if k in raw]
    if len(kinds) != 1:
        raise ctx.fail(
            "expected exactly one uncertainty: counts, range or ess",
            f"{where}" if not kinds else f"{where}.{kinds[1]}",
        )
    kind = kinds[0]
    value = raw[kind]
    ufield = f"{where}.{kind}"
    if kind == "counts":
        if expert:
            raise ctx.fail(
                "an expert or unverified estimate cannot give study counts; use range or ess",
                ufield,
            )
        return _counts(ctx, value, states, p, focus, ufield)
    if kind == "range":
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(is_finite_number(v) for v in value)
            or not 0 <= value[0] < value[1] <= 1
        ):
            raise ctx.fail("expected [lo, hi] with 0 <= lo < hi <= 1", ufield)
        if not value[0] <= p[focus] <= value[1]:
            raise ctx.fail(
                f"range [{value[0]}, {value[1]}] does not contain "
                f"p({states[focus]}) = {p[focus]:g}",
                ufield,
            )
        return _model.Uncertainty(
            "range", p=p, focus=focus, bounds=(float(value[0]), float(value[1]))
        )
    if not is_finite_number(value) or value <= 0:
        raise ctx.fail("expected a positive effective sample size", ufield)
    return _model.Uncertainty("ess", p=p, focus=focus, ess=float(value))


def _counts(
    ctx: _Ctx, value: Any, states: tuple[str, ...], p: tuple[float, ...], focus: int, ufield: str
) -> Uncertainty:
    """Study counts, [k, n] or {state: count}, whose 95% interval must hold the entry's p."""
    if isinstance(value, list):
        if len(states) != 2:
            raise ctx.fail(
                "counts [k, n] need a two-state distribution; give {state: count} for every state",
                ufield,
            )
        if (
            len(value) != 2
            or not all(is_finite_number(v) for v in value)
            or not 0 <= value[0] <= value[1]
            or value[1] <= 0
        ):
            raise ctx.fail("expected [k, n] with 0 <= k <= n and n > 0", ufield)
        k, n = float(value[0]), float(value[1])
        counts = tuple(k if i == focus else n - k for i in range(2))
    elif isinstance(value, Mapping):
        if set(value) != set(states) or not all(
            is_finite_number(v) and v >= 0 for v in value.values()
        ):
            raise ctx.fail(f"expected a count >= 0 for every state: {', '.join(states)}", ufield)
        counts = tuple(float(value[s]) for s in states)
    else:
        raise ctx.fail("expected [k, n] or {state: count}", ufield)
    unc = _model.Uncertainty("counts", p=p, focus=focus, counts=counts)
    for i, s in enumerate(states):
        a, b = float(unc.alpha[i]), float(unc.alpha.sum() - unc.alpha[i])
        tail = _model.beta_cdf(p[i], a, b)  # no SciPy on the load path
        if not 0.025 - 1e-9 <= tail <= 0.975 + 1e-9:
            lo, hi = _model.beta_interval(a, b)
            raise ctx.fail(
                f"p({s}) = {p[i]:g} lies outside the 95% interval "
                f"[{lo:.3f}, {hi:.3f}] that the counts support",
                ufield,
            )
    return unc


def _groups(ctx: _Ctx, raw: Any, states: dict[str, tuple]) -> dict[str, dict[str, tuple]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ctx.fail("expected {node: {group: [states]}}", "groups")
    out: dict[str, dict[str, tuple]] = {}
    seen: set[str] = set()
    for node, groups in raw.items():
        if node not in states:
            raise ctx.fail(
                f"unknown node {shown(node)}; valid nodes: {', '.join(states)}", "groups"
            )
        if not isinstance(groups, Mapping):
            raise ctx.fail("expected {group: [states]}", f"groups.{node}")
        out[node] = {}
        for name, members in groups.items():
            _ident(ctx, name, f"groups.{node}")
            if name in seen:
                raise ctx.fail(f"group name {name!r} is used twice", f"groups.{node}")
            seen.add(name)
            if (
                not isinstance(members, list)
                or not members
                or not all(isinstance(s, str) for s in members)
            ):
                raise ctx.fail("expected a non-empty list of states", f"groups.{node}.{name}")
            if len(set(members)) != len(members):
                raise ctx.fail("a state is listed twice", f"groups.{node}.{name}")
            for s in members:
                if s not in states[node]:
                    raise ctx.fail(
                        f"{shown(s)} is not a state of {node}; valid states: "
                        f"{', '.join(states[node])}",
                        f"groups.{node}.{name}",
                    )
            out[node][name] = tuple(members)
    return out
