"""The ``decision`` section of a network file: policy band, guideline rules, plan items.

Everything a recommendation says is data in the network file, parsed and validated here:
the threshold band for the decision target (a group such as ``neoplasm``), the rule-based
guideline, the step-1 work-up, and the biopsy protocol, management, surveillance and pitfall
items, each shown when its condition holds. See ``networks/FORMAT.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bayesdx.errors import NetworkFileError
from bayesdx.model._textnum import shown

__all__ = [
    "GUIDELINE_VERDICTS",
    "VERDICTS",
    "Condition",
    "DecisionSpec",
    "Guideline",
    "GuidelineVerdict",
    "PlanItem",
    "Rule",
    "Verdict",
    "WorkupItem",
    "parse_decision",
]

#: A posterior's verdict under a policy.
Verdict = Literal["recommended", "borderline", "not_recommended"]
VERDICTS: tuple[Verdict, ...] = ("recommended", "borderline", "not_recommended")
#: The guideline's verdict: ``incomplete`` while step-1 results are missing.
GuidelineVerdict = Literal["recommended", "not_recommended", "incomplete"]
GUIDELINE_VERDICTS: tuple[GuidelineVerdict, ...] = ("recommended", "not_recommended", "incomplete")
_CONDITION_KEYS = (
    "leading",
    "observed",
    "unobserved_any",
    "assumed",
    "p_at_least",
    "p_below",
    "verdict",
    "guideline",
    "fired",
)
_PLAN_LISTS = ("biopsy_protocol", "management", "surveillance", "pitfalls")


@dataclass(frozen=True)
class Condition:
    """When a plan item applies; every key given must hold (AND).

    Attributes
    ----------
    leading : tuple of str
        At least one of these diagnosis states is a leading diagnosis.
    observed : dict
        Each variable is observed (given or assumed) in one of the listed states.
    unobserved_any : tuple of str
        At least one of these variables is not observed.
    assumed : tuple of str
        Each of these variables took its default (the case did not give it).
    p_at_least, p_below : dict
        Posterior of a group or diagnosis state is >= / < a value.
    verdict, guideline : tuple of str
        The biopsy verdict / the guideline verdict is one of these.
    fired : tuple of str
        At least one of these guideline rules fired.
    """

    leading: tuple[str, ...] = ()
    observed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unobserved_any: tuple[str, ...] = ()
    assumed: tuple[str, ...] = ()
    p_at_least: dict[str, float] = field(default_factory=dict)
    p_below: dict[str, float] = field(default_factory=dict)
    verdict: tuple[str, ...] = ()
    guideline: tuple[str, ...] = ()
    fired: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanItem:
    """One line of the plan, shown when any of its conditions holds (always, without one)."""

    text: str
    when: tuple[Condition, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A guideline rule: fires when any listed variable is observed in a listed state."""

    id: str
    label: str
    any: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Guideline:
    """The rule-based work-up: biopsy if ANY rule fires."""

    title: str
    rules: tuple[Rule, ...]
    sources: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class WorkupItem:
    """A step-1 test, still to order while any of its findings is unobserved."""

    id: str
    label: str
    findings: tuple[str, ...]


@dataclass(frozen=True)
class DecisionSpec:
    """The decision section of a network."""

    node: str
    target: str
    members: tuple[str, ...]
    band: tuple[float, float]
    band_sources: tuple[str, ...]
    band_note: str
    leading_min: float
    guideline: Guideline | None
    workup: tuple[WorkupItem, ...]
    biopsy_protocol: tuple[PlanItem, ...] = ()
    management: tuple[PlanItem, ...] = ()
    surveillance: tuple[PlanItem, ...] = ()
    pitfalls: tuple[PlanItem, ...] = ()


class _Fail:
    def __init__(self, path: str):
        self.path = path

    def __call__(self, message: str, field: str) -> NetworkFileError:
        return NetworkFileError(self.path, message, field=f"decision.{field}")


def _mapping(fail: _Fail, raw: Any, field: str, keys: Mapping[str, bool]) -> Mapping:
    if not isinstance(raw, Mapping):
        raise fail(f"expected a mapping with {', '.join(keys)}", field)
    for key in raw:
        if key not in keys:
            raise fail(f"unknown key; valid keys: {', '.join(keys)}", f"{field}.{key}")
    for key, required in keys.items():
        if required and key not in raw:
            raise fail("missing required field", f"{field}.{key}")
    return raw


def _text(fail: _Fail, raw: Any, field: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise fail("expected non-empty text", field)
    return " ".join(raw.split())


def _prob(fail: _Fail, raw: Any, field: str) -> float:
    if (
        isinstance(raw, bool)
        or not isinstance(raw, int | float)
        or (isinstance(raw, float) and not math.isfinite(raw))
    ):
        raise fail(f"expected a probability, got {shown(raw)}", field)
    if not 0.0 <= raw <= 1.0:
        raise fail(f"{shown(raw)} is outside [0, 1]", field)
    return float(raw)


def _list(fail: _Fail, raw: Any, field: str) -> list:
    if not isinstance(raw, list) or not raw:
        raise fail("expected a non-empty list", field)
    return raw


def _name(fail: _Fail, raw: Any, field: str, what: str = "an id") -> str:
    """A name (an id, a variable, a state): text, never a list, mapping, number or null."""
    if not isinstance(raw, str) or not raw.strip():
        hint = (
            " (YAML reads yes/no/on/off as true/false: quote it)" if isinstance(raw, bool) else ""
        )
        raise fail(f"expected {what} (text), got {shown(raw)}{hint}", field)
    return raw


def _names(fail: _Fail, raw: Any, field: str, what: str) -> tuple[str, ...]:
    """A name or a non-empty list of names, with no name twice."""
    values = _list(fail, raw, field) if isinstance(raw, list) else [raw]
    out = tuple(_name(fail, v, field, what) for v in values)
    if len(set(out)) != len(out):
        raise fail(f"{what} listed twice", field)
    return out


def _note(fail: _Fail, raw: Any, field: str) -> str:
    """Optional text: absent, null or a string."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise fail(f"expected text, got {shown(raw)}", field)
    return " ".join(raw.split())


def parse_decision(
    raw: Any,
    path: str,
    states: dict[str, tuple[str, ...]],
    groups: dict[str, dict[str, tuple[str, ...]]],
    sources: Mapping[str, Any],
    diagnosis_nodes: list[str],
) -> DecisionSpec:
    """Validate the ``decision`` section against the network's nodes, groups and sources."""
    fail = _Fail(path)
    keys = {
        "target": True,
        "band": True,
        "leading_min": False,
        "guideline": False,
        "workup": False,
        **{k: False for k in _PLAN_LISTS},
    }
    if not isinstance(raw, Mapping):
        raise NetworkFileError(path, "expected a mapping", field="decision")
    for key in raw:
        if key not in keys:
            raise fail(f"unknown key; valid keys: {', '.join(keys)}", key)
    for key, required in keys.items():
        if required and key not in raw:
            raise fail("missing required field", key)

    target = _name(fail, raw["target"], "target", "a group or a diagnosis state")
    owners = {name: (node, members) for node, g in groups.items() for name, members in g.items()}
    diag = diagnosis_nodes
    if target in owners:
        node, members = owners[target]
    else:
        found = next((n for n in states if target in states[n] and n in diag), None)
        if found is None:
            valid = [*owners, *(s for n in diag for s in states[n])]
            raise fail(f"unknown target {shown(target)}; valid: {', '.join(valid)}", "target")
        node, members = found, (target,)

    def source_ids(value: Any, field: str) -> tuple[str, ...]:
        ids = _names(fail, value, field, "a source id")
        for sid in ids:
            if sid not in sources:
                raise fail(f"unknown source {shown(sid)}", field)
        return ids

    band_raw = _mapping(
        fail, raw["band"], "band", {"low": True, "high": True, "source": True, "note": False}
    )
    low = _prob(fail, band_raw["low"], "band.low")
    high = _prob(fail, band_raw["high"], "band.high")
    if not 0.0 < low <= high < 1.0:
        raise fail("expected 0 < low <= high < 1", "band")
    band_sources = source_ids(band_raw["source"], "band.source")
    band_note = _note(fail, band_raw.get("note"), "band.note")
    leading_min = _prob(fail, raw.get("leading_min", 0.10), "leading_min")

    def variable_states(value: Any, field: str) -> dict[str, tuple[str, ...]]:
        if not isinstance(value, Mapping) or not value:
            raise fail("expected {variable: [states]}", field)
        out = {}
        for var, vals in value.items():
            if not isinstance(var, str) or var not in states:
                raise fail(f"unknown variable {shown(var)}; valid: {', '.join(states)}", field)
            vals = _names(fail, vals, f"{field}.{var}", "a state")
            for v in vals:
                if v not in states[var]:
                    raise fail(
                        f"{shown(v)} is not a state of {var}; valid states: "
                        f"{', '.join(states[var])}",
                        f"{field}.{var}",
                    )
            out[var] = vals
        return out

    def variables(value: Any, field: str) -> tuple[str, ...]:
        out = _names(fail, _list(fail, value, field), field, "a variable")
        for var in out:
            if var not in states:
                raise fail(f"unknown variable {shown(var)}; valid: {', '.join(states)}", field)
        return out

    def probabilities(value: Any, field: str) -> dict[str, float]:
        if not isinstance(value, Mapping) or not value:
            raise fail("expected {group or state: probability}", field)
        for name in value:
            if not isinstance(name, str) or (name not in owners and name not in states[node]):
                raise fail(f"unknown group or {node} state {shown(name)}", field)
        return {name: _prob(fail, p, f"{field}.{name}") for name, p in value.items()}

    def choices(value: Any, valid: tuple[str, ...], field: str) -> tuple[str, ...]:
        out = _names(fail, _list(fail, value, field), field, "a value")
        for v in out:
            if v not in valid:
                raise fail(f"unknown value {shown(v)}; valid: {', '.join(valid)}", field)
        return out

    def conditions(value: Any, field: str) -> tuple[Condition, ...]:
        if isinstance(value, list):  # a list of conditions: any of them
            return tuple(
                condition(v, f"{field}[{i}]") for i, v in enumerate(_list(fail, value, field))
            )
        return (condition(value, field),)

    def rule_ids() -> tuple[str, ...]:
        return tuple(r.id for r in guideline.rules) if guideline else ()

    def condition(value: Any, field: str) -> Condition:
        value = _mapping(fail, value, field, dict.fromkeys(_CONDITION_KEYS, False))
        if not value:
            raise fail(f"expected at least one of {', '.join(_CONDITION_KEYS)}", field)
        return Condition(
            leading=choices(value["leading"], states[node], f"{field}.leading")
            if "leading" in value
            else (),
            observed=variable_states(value["observed"], f"{field}.observed")
            if "observed" in value
            else {},
            unobserved_any=variables(value["unobserved_any"], f"{field}.unobserved_any")
            if "unobserved_any" in value
            else (),
            assumed=variables(value["assumed"], f"{field}.assumed") if "assumed" in value else (),
            p_at_least=probabilities(value["p_at_least"], f"{field}.p_at_least")
            if "p_at_least" in value
            else {},
            p_below=probabilities(value["p_below"], f"{field}.p_below")
            if "p_below" in value
            else {},
            verdict=choices(value["verdict"], VERDICTS, f"{field}.verdict")
            if "verdict" in value
            else (),
            guideline=choices(value["guideline"], GUIDELINE_VERDICTS, f"{field}.guideline")
            if "guideline" in value
            else (),
            fired=choices(value["fired"], rule_ids(), f"{field}.fired") if "fired" in value else (),
        )

    guideline = None
    if "guideline" in raw:
        g = _mapping(
            fail,
            raw["guideline"],
            "guideline",
            {"title": True, "rules": True, "source": True, "note": False},
        )
        rules, seen = [], set()
        for i, r in enumerate(_list(fail, g["rules"], "guideline.rules")):
            f = f"guideline.rules[{i}]"
            r = _mapping(fail, r, f, {"id": True, "label": True, "any": True})
            rule_id = _name(fail, r["id"], f"{f}.id")
            if rule_id in seen:
                raise fail(f"duplicate rule id {shown(rule_id)}", f"{f}.id")
            seen.add(rule_id)
            rules.append(
                Rule(
                    id=rule_id,
                    label=_text(fail, r["label"], f"{f}.label"),
                    any=variable_states(r["any"], f"{f}.any"),
                )
            )
        guideline = Guideline(
            title=_text(fail, g["title"], "guideline.title"),
            rules=tuple(rules),
            sources=source_ids(g["source"], "guideline.source"),
            note=_note(fail, g.get("note"), "guideline.note"),
        )

    def plan(name: str) -> tuple[PlanItem, ...]:
        if name not in raw:
            return ()
        items = []
        for i, item in enumerate(_list(fail, raw[name], name)):
            f = f"{name}[{i}]"
            item = _mapping(fail, item, f, {"text": True, "when": False, "source": False})
            items.append(
                PlanItem(
                    text=_text(fail, item["text"], f"{f}.text"),
                    when=conditions(item["when"], f"{f}.when") if "when" in item else (),
                    sources=source_ids(item["source"], f"{f}.source") if "source" in item else (),
                )
            )
        return tuple(items)

    workup = []
    for i, w in enumerate(_list(fail, raw["workup"], "workup") if "workup" in raw else []):
        f = f"workup[{i}]"
        w = _mapping(fail, w, f, {"id": True, "label": True, "findings": True})
        workup.append(
            WorkupItem(
                id=_name(fail, w["id"], f"{f}.id"),
                label=_text(fail, w["label"], f"{f}.label"),
                findings=variables(w["findings"], f"{f}.findings"),
            )
        )

    return DecisionSpec(
        node=node,
        target=str(target),
        members=tuple(members),
        band=(low, high),
        band_sources=band_sources,
        band_note=band_note,
        leading_min=leading_min,
        guideline=guideline,
        workup=tuple(workup),
        **{name: plan(name) for name in _PLAN_LISTS},
    )
