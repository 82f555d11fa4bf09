"""The ``decision`` section of a network file: policy band, guideline rules, plan items.

Everything a recommendation says is data in the network file, parsed and validated here:
the threshold band for the decision target (a group such as ``neoplasm``), the optional
harm/benefit threshold below it, the rule-based guideline, the step-1 work-up, and the biopsy
protocol, management, surveillance and pitfall items, each shown when its condition holds.
See ``networks/FORMAT.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
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
    "HarmBenefit",
    "PlanItem",
    "Rule",
    "Verdict",
    "WorkupItem",
    "parse_decision",
]

#: A posterior's verdict under a policy, highest first. ``consider`` lies between the
#: harm/benefit threshold and the band's lower edge (or is where a guideline red flag lifts a
#: case that would otherwise be ``not_recommended``).
Verdict = Literal["recommended", "borderline", "consider", "not_recommended"]
VERDICTS: tuple[Verdict, ...] = ("recommended", "borderline", "consider", "not_recommended")
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
class HarmBenefit:
    """The harm/benefit threshold below the band: harm / (harm + benefit) (Pauker-Kassirer).

    Attributes
    ----------
    threshold : float
        Below it a biopsy is not recommended; from it up to the band's lower edge the verdict
        is ``consider``.
    range : tuple of float
        The plausible range of the threshold (it contains ``threshold``).
    sources : tuple of str
    note : str
        Why this value: the harms, the benefit, how they were weighed.
    """

    threshold: float
    range: tuple[float, float]
    sources: tuple[str, ...]
    note: str = ""


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
    harm_benefit: HarmBenefit | None = None


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
        "harm_benefit": False,
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
    parser = _DecisionParser(fail, states, groups, sources, diagnosis_nodes, raw["target"])
    low, high, band_sources, band_note = parser.band(raw["band"])
    harm_benefit = parser.harm_benefit(raw["harm_benefit"], low) if "harm_benefit" in raw else None
    parser.guideline = parser.parse_guideline(raw["guideline"]) if "guideline" in raw else None
    return DecisionSpec(
        node=parser.node,
        target=parser.target,
        members=parser.members,
        band=(low, high),
        band_sources=band_sources,
        band_note=band_note,
        leading_min=_prob(fail, raw.get("leading_min", 0.10), "leading_min"),
        guideline=parser.guideline,
        workup=parser.workup(raw["workup"]) if "workup" in raw else (),
        **{name: parser.plan(raw[name], name) if name in raw else () for name in _PLAN_LISTS},
        harm_benefit=harm_benefit,
    )


class _DecisionParser:
    """The checks of one ``decision`` section, against the network it belongs to."""

    def __init__(
        self,
        fail: _Fail,
        states: dict[str, tuple[str, ...]],
        groups: dict[str, dict[str, tuple[str, ...]]],
        sources: Mapping[str, Any],
        diagnosis_nodes: list[str],
        target: Any,
    ):
        self.fail, self.states, self.sources = fail, states, sources
        self.owners = {
            name: (node, members) for node, g in groups.items() for name, members in g.items()
        }
        self.guideline: Guideline | None = None
        self.target = str(_name(fail, target, "target", "a group or a diagnosis state"))
        if self.target in self.owners:
            self.node, members = self.owners[self.target]
            self.members = tuple(members)
            return
        diag = diagnosis_nodes
        found = next((n for n in states if self.target in states[n] and n in diag), None)
        if found is None:
            valid = [*self.owners, *(s for n in diag for s in states[n])]
            raise fail(f"unknown target {shown(self.target)}; valid: {', '.join(valid)}", "target")
        self.node, self.members = found, (self.target,)

    def band(self, value: Any) -> tuple[float, float, tuple[str, ...], str]:
        fail = self.fail
        band = _mapping(
            fail, value, "band", {"low": True, "high": True, "source": True, "note": False}
        )
        low = _prob(fail, band["low"], "band.low")
        high = _prob(fail, band["high"], "band.high")
        if not 0.0 < low <= high < 1.0:
            raise fail("expected 0 < low <= high < 1", "band")
        sources = self.source_ids(band["source"], "band.source")
        return low, high, sources, _note(fail, band.get("note"), "band.note")

    def harm_benefit(self, value: Any, low: float) -> HarmBenefit:
        """The harm/benefit threshold: 0 < threshold < band.low, inside its range."""
        fail = self.fail
        hb = _mapping(
            fail,
            value,
            "harm_benefit",
            {"threshold": True, "range": True, "source": True, "note": False},
        )
        t = _prob(fail, hb["threshold"], "harm_benefit.threshold")
        if not 0.0 < t < low:
            raise fail(
                f"{shown(t)} must lie above 0 and below the band's lower edge {shown(low)} "
                "(below the band the verdict is consider, down to this threshold)",
                "harm_benefit.threshold",
            )
        rng = hb["range"]
        if not isinstance(rng, list) or len(rng) != 2:
            raise fail(f"expected [low, high], got {shown(rng)}", "harm_benefit.range")
        lo = _prob(fail, rng[0], "harm_benefit.range")
        hi = _prob(fail, rng[1], "harm_benefit.range")
        if not 0.0 < lo <= t <= hi < 1.0:
            raise fail(
                f"[{shown(lo)}, {shown(hi)}] must contain the threshold {shown(t)} "
                "(0 < low <= threshold <= high < 1)",
                "harm_benefit.range",
            )
        return HarmBenefit(
            threshold=t,
            range=(lo, hi),
            sources=self.source_ids(hb["source"], "harm_benefit.source"),
            note=_note(fail, hb.get("note"), "harm_benefit.note"),
        )

    def source_ids(self, value: Any, field: str) -> tuple[str, ...]:
        ids = _names(self.fail, value, field, "a source id")
        for sid in ids:
            if sid not in self.sources:
                raise self.fail(f"unknown source {shown(sid)}", field)
        return ids

    def variable_states(self, value: Any, field: str) -> dict[str, tuple[str, ...]]:
        fail, states = self.fail, self.states
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

    def variables(self, value: Any, field: str) -> tuple[str, ...]:
        out = _names(self.fail, _list(self.fail, value, field), field, "a variable")
        for var in out:
            if var not in self.states:
                raise self.fail(
                    f"unknown variable {shown(var)}; valid: {', '.join(self.states)}", field
                )
        return out

    def probabilities(self, value: Any, field: str) -> dict[str, float]:
        fail, node = self.fail, self.node
        if not isinstance(value, Mapping) or not value:
            raise fail("expected {group or state: probability}", field)
        for name in value:
            if not isinstance(name, str) or (
                name not in self.owners and name not in self.states[node]
            ):
                raise fail(f"unknown group or {node} state {shown(name)}", field)
        return {name: _prob(fail, p, f"{field}.{name}") for name, p in value.items()}

    def choices(self, value: Any, valid: tuple[str, ...], field: str) -> tuple[str, ...]:
        out = _names(self.fail, _list(self.fail, value, field), field, "a value")
        for v in out:
            if v not in valid:
                raise self.fail(f"unknown value {shown(v)}; valid: {', '.join(valid)}", field)
        return out

    def conditions(self, value: Any, field: str) -> tuple[Condition, ...]:
        if isinstance(value, list):  # a list of conditions: any of them
            return tuple(
                self.condition(v, f"{field}[{i}]")
                for i, v in enumerate(_list(self.fail, value, field))
            )
        return (self.condition(value, field),)

    def condition(self, value: Any, field: str) -> Condition:
        value = _mapping(self.fail, value, field, dict.fromkeys(_CONDITION_KEYS, False))
        if not value:
            raise self.fail(f"expected at least one of {', '.join(_CONDITION_KEYS)}", field)
        rule_ids = tuple(r.id for r in self.guideline.rules) if self.guideline else ()
        read: dict[str, Callable[[Any, str], Any]] = {  # field -> its check
            "leading": lambda v, f: self.choices(v, self.states[self.node], f),
            "observed": self.variable_states,
            "unobserved_any": self.variables,
            "assumed": self.variables,
            "p_at_least": self.probabilities,
            "p_below": self.probabilities,
            "verdict": lambda v, f: self.choices(v, VERDICTS, f),
            "guideline": lambda v, f: self.choices(v, GUIDELINE_VERDICTS, f),
            "fired": lambda v, f: self.choices(v, rule_ids, f),
        }
        return Condition(**{k: read[k](v, f"{field}.{k}") for k, v in value.items()})

    def parse_guideline(self, value: Any) -> Guideline:
        fail = self.fail
        g = _mapping(
            fail, value, "guideline", {"title": True, "rules": True, "source": True, "note": False}
        )
        rules: list[Rule] = []
        seen: set[str] = set()
        for i, r in enumerate(_list(fail, g["rules"], "guideline.rules")):
            f = f"guideline.rules[{i}]"
            r = _mapping(fail, r, f, {"id": True, "label": True, "any": True})
            rule_id = _name(fail, r["id"], f"{f}.id")
            if rule_id in seen:
                raise fail(f"duplicate rule id {shown(rule_id)}", f"{f}.id")
            seen.add(rule_id)
            label = _text(fail, r["label"], f"{f}.label")
            rules.append(
                Rule(id=rule_id, label=label, any=self.variable_states(r["any"], f"{f}.any"))
            )
        return Guideline(
            title=_text(fail, g["title"], "guideline.title"),
            rules=tuple(rules),
            sources=self.source_ids(g["source"], "guideline.source"),
            note=_note(fail, g.get("note"), "guideline.note"),
        )

    def plan(self, value: Any, name: str) -> tuple[PlanItem, ...]:
        items = []
        for i, item in enumerate(_list(self.fail, value, name)):
            f = f"{name}[{i}]"
            item = _mapping(self.fail, item, f, {"text": True, "when": False, "source": False})
            items.append(
                PlanItem(
                    text=_text(self.fail, item["text"], f"{f}.text"),
                    when=self.conditions(item["when"], f"{f}.when") if "when" in item else (),
                    sources=self.source_ids(item["source"], f"{f}.source")
                    if "source" in item
                    else (),
                )
            )
        return tuple(items)

    def workup(self, value: Any) -> tuple[WorkupItem, ...]:
        out = []
        for i, w in enumerate(_list(self.fail, value, "workup")):
            f = f"workup[{i}]"
            w = _mapping(self.fail, w, f, {"id": True, "label": True, "findings": True})
            out.append(
                WorkupItem(
                    id=_name(self.fail, w["id"], f"{f}.id"),
                    label=_text(self.fail, w["label"], f"{f}.label"),
                    findings=self.variables(w["findings"], f"{f}.findings"),
                )
            )
        return tuple(out)
