"""The network as data: the file format, tables, uncertainty, cut-points, evidence, hypotheses.

A case enters here: :func:`normalise` turns raw values into states (an :class:`Evidence`)."""

from __future__ import annotations

from bayesdx.model._cpt import (
    CPT,
    DeterministicCPT,
    Entry,
    FixedCPT,
    NoisyMaxCPT,
    TableCPT,
    check_table_size,
)
from bayesdx.model._decision_spec import (
    GUIDELINE_VERDICTS,
    VERDICTS,
    Condition,
    DecisionSpec,
    Guideline,
    GuidelineVerdict,
    HarmBenefit,
    PlanItem,
    Rule,
    Verdict,
    WorkupItem,
    parse_decision,
)
from bayesdx.model._evidence import (
    Evidence,
    implied_states,
    normalise,
    parse_assignment,
    state_of,
)
from bayesdx.model._hypothesis import (
    Hypothesis,
    ratio,
    resolve_hypothesis,
)
from bayesdx.model._measure import (
    Measure,
)
from bayesdx.model._network import (
    Network,
    as_network,
)
from bayesdx.model._parameters import (
    Parameter,
    covary,
    find_parameter,
    network_parameters,
    table_with,
)
from bayesdx.model._sampling import (
    sample_entry,
    sample_tables,
    uncertain_nodes,
)
from bayesdx.model._spec import (
    FORMAT,
    HOW_SURE,
    ROLES,
    HowSure,
    LegacyRule,
    NetworkSpec,
    NodeSpec,
    Role,
    Source,
    parse_spec,
)
from bayesdx.model._textnum import (
    DECIMAL,
    FIRST_CHARS,
    INTEGER,
    NUMBER,
    is_finite_number,
    parse_number,
    shown,
    too_long,
)
from bayesdx.model._uncertainty import (
    JEFFREYS,
    Uncertainty,
    UncertaintyKind,
    beta_cdf,
    beta_interval,
)

__all__ = [
    "CPT",
    "DECIMAL",
    "FIRST_CHARS",
    "FORMAT",
    "GUIDELINE_VERDICTS",
    "HOW_SURE",
    "INTEGER",
    "JEFFREYS",
    "NUMBER",
    "ROLES",
    "VERDICTS",
    "Condition",
    "DecisionSpec",
    "DeterministicCPT",
    "Entry",
    "Evidence",
    "FixedCPT",
    "Guideline",
    "GuidelineVerdict",
    "HarmBenefit",
    "HowSure",
    "Hypothesis",
    "LegacyRule",
    "Measure",
    "Network",
    "NetworkSpec",
    "NodeSpec",
    "NoisyMaxCPT",
    "Parameter",
    "PlanItem",
    "Role",
    "Rule",
    "Source",
    "TableCPT",
    "Uncertainty",
    "UncertaintyKind",
    "Verdict",
    "WorkupItem",
    "as_network",
    "beta_cdf",
    "beta_interval",
    "check_table_size",
    "covary",
    "find_parameter",
    "implied_states",
    "is_finite_number",
    "network_parameters",
    "normalise",
    "parse_assignment",
    "parse_decision",
    "parse_number",
    "parse_spec",
    "ratio",
    "resolve_hypothesis",
    "sample_entry",
    "sample_tables",
    "shown",
    "state_of",
    "table_with",
    "too_long",
    "uncertain_nodes",
]
