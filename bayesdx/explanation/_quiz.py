"""The explorer's quiz: published cases revealed finding by finding.

Before each reveal the trainee estimates P(hypothesis) (for the marrow network, P(neoplasm));
at the end the page shows their estimates against the network's, a Brier score for each, and
which findings they over- or under-weighted. This module turns case-library files
(:func:`bayesdx.io.load_cases`) into the steps the page reveals, and scores a trainee's
estimates exactly as the page does, so the two can be tested against each other.

The scoring rules, shared by the page and :func:`score_quiz`:

- **Brier score**: the mean over the steps (the opening and every reveal) of
  ``(estimate - outcome)**2``, the outcome 1 when the final diagnosis is in the hypothesis and
  0 otherwise; the network's is computed the same way from its posteriors.
- **Weight of a finding**: the change in log-odds it caused, in decibans
  (``10 * log10(odds after / odds before)``), the trainee's from their own previous estimate
  and the network's from its own; both probabilities clamped to 1-99 %, the slider's range,
  so that the two are on one scale.
- **Verdict per finding**: *about right* within :data:`TOLERANCE_DB` decibans (3 dB, about a
  doubling of the odds) of the network's shift; *opposite direction* when the two shifts have
  opposite signs and each is at least 1 dB; otherwise *over-weighted* or *under-weighted* as
  the trainee's shift is larger or smaller in size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bayesdx.errors import CaseFileError, ImpossibleEvidenceError
from bayesdx.inference import query
from bayesdx.io import Case, readable_findings
from bayesdx.model import as_network, measure_of, normalise

if TYPE_CHECKING:
    from bayesdx.model import Hypothesis, Network

__all__ = ["TOLERANCE_DB", "QuizScore", "quiz_steps", "score_quiz"]

#: a trainee's shift within this many decibans of the network's counts as about right
TOLERANCE_DB = 3.0
#: shifts smaller than this (in decibans) have no direction worth contradicting
_DIRECTION_DB = 1.0
#: estimates and the network's probabilities are compared on log-odds clamped to 1-99 %
_CLAMP = (0.01, 0.99)


def _value_text(network: Network, var: str, value: Any, given: Mapping[str, str], raw: bool) -> str:
    """How a reveal reads: ``Haemoglobin: 11.4 g/dL (read as hb_level = lt_12, hb = lt_12)``.

    A measured value is named by its quantity (the node's label may name a cut-point).
    """
    measure = measure_of(network, var) if raw else None
    if measure is not None:
        quantity = measure.quantity[:1].upper() + measure.quantity[1:]
        unit = "" if measure.unit == "ratio" else f" {measure.unit}"
        shown = f"{quantity}: {value:g}{unit}"
    else:
        node = network.node(var) if var in network.states else None
        label = node.label if node is not None and node.label else var
        shown = f"{label}: {str(value).replace('_', ' ')}"
    read = [f"{v} = {s}" for v, s in given.items() if not (v == var and s == value)]
    return f"{shown} (read as {', '.join(read)})" if read else shown


def quiz_steps(
    network: Network, cases: Sequence[Case], hypothesis: Hypothesis
) -> tuple[list[dict[str, Any]], list[str]]:
    """The quiz cases as the page embeds them, and the cases left out (with the reason).

    A case is left out when its final diagnosis is not a state of the hypothesis' node, when
    none of its findings can be read by the network, or when its findings are impossible
    under the network. Findings the network cannot read are shown as reported but not used.

    Parameters
    ----------
    network : Network
    cases : sequence of Case
        Case-library cases (:func:`bayesdx.io.load_cases`).
    hypothesis : Hypothesis
        What the trainee estimates (for the marrow network, ``neoplasm``).

    Returns
    -------
    (list of dict, list of str)
        Per case: ``id``, ``citation``, ``title``, ``presentation``, ``mri``, ``opening``
        (the context revealed first, with its cumulative states), ``steps`` (one per finding,
        in the file's order: ``var``, ``value``, ``text``, ``given`` (the cumulative states),
        ``hash``), ``unread``, ``diagnosis``, ``diagnosis_as_reported``, ``outcome`` (1 or 0).

    Examples
    --------
    >>> from bayesdx import load_network, resolve_hypothesis
    >>> from bayesdx.io import load_cases
    >>> net = load_network("marrow_signal")
    >>> cases, skipped = quiz_steps(net, load_cases(), resolve_hypothesis(net, None))
    >>> len(cases) + len(skipped) == len(load_cases()), all(c["steps"] for c in cases)
    (True, True)
    """
    network = as_network(network)
    node_states = set(network.states[hypothesis.node])
    out: list[dict[str, Any]] = []
    skipped: list[str] = []
    for case in cases:
        if case.final_diagnosis not in node_states:
            skipped.append(
                f"{case.id} (its diagnosis {case.final_diagnosis} is not a state of "
                f"{hypothesis.node})"
            )
            continue
        readable, unread = readable_findings(network, case)
        opening = {k: v for k, v in readable.items() if k == "setting"}
        reveals = [(k, v) for k, v in readable.items() if k != "setting"]
        if not reveals:
            skipped.append(f"{case.id} (none of its findings is a variable of {network.id})")
            continue
        so_far: dict[str, Any] = dict(opening)
        try:
            query(network, so_far, targets=[hypothesis.node])
            opening_given = dict(normalise(network, so_far, defaults=False).given)
            steps = []
            for var, value in reveals:
                alone = normalise(network, {var: value}, defaults=False)
                raw = var in alone.raw
                so_far[var] = value
                query(network, so_far, targets=[hypothesis.node])
                steps.append(
                    {
                        "var": var,
                        "value": value,
                        "text": _value_text(network, var, value, alone.given, raw),
                        "given": dict(normalise(network, so_far, defaults=False).given),
                        # the explorer's URL fragment: hb~=11.4 for a raw value, else states
                        "hash": [f"{var}~={value:g}"]
                        if raw
                        else [f"{v}={s}" for v, s in alone.given.items()],
                    }
                )
        except ImpossibleEvidenceError:
            skipped.append(f"{case.id} (its findings are impossible under {network.id})")
            continue
        out.append(
            {
                "id": case.id,
                "citation": case.citation,
                "title": str(case.source.get("title") or ""),
                "presentation": case.presentation,
                "mri": case.mri,
                "setting": case.setting,
                "opening": {
                    "given": opening_given,
                    "text": [_value_text(network, k, v, {}, False) for k, v in opening.items()],
                    "hash": [f"{k}={v}" for k, v in opening.items()],
                },
                "steps": steps,
                "unread": list(unread),
                "diagnosis": case.final_diagnosis,
                "diagnosis_as_reported": case.diagnosis_as_reported,
                "outcome": int(case.final_diagnosis in hypothesis.members),
            }
        )
    return out, skipped


def check_quiz(cases: list[dict[str, Any]], skipped: list[str], network_id: str) -> None:
    """Refuse a quiz with no usable case, naming why each was left out."""
    if not cases:
        why = "; ".join(skipped) if skipped else "no case files were given"
        raise CaseFileError(
            f"no case can be used for the quiz on network {network_id}: {why}. Give a folder "
            "of case files written for this network (see calibration/cases/README.md)"
        )


def _logodds_db(p: float) -> float:
    p = min(max(p, _CLAMP[0]), _CLAMP[1])
    return 10.0 * math.log10(p / (1.0 - p))


def _verdict(yours: float, network: float) -> str:
    if abs(yours - network) <= TOLERANCE_DB:
        return "about right"
    if yours * network < 0 and min(abs(yours), abs(network)) >= _DIRECTION_DB:
        return "opposite direction"
    return "over-weighted" if abs(yours) > abs(network) else "under-weighted"


@dataclass(frozen=True)
class QuizScore:
    """A trainee's estimates on one quiz case, scored against the network's.

    Attributes
    ----------
    estimates, network : tuple of float
        P(hypothesis) at the opening and after each reveal: the trainee's and the network's.
    outcome : int
        1 if the final diagnosis is in the hypothesis, else 0.
    brier, network_brier : float
        Mean squared difference from the outcome over the steps.
    findings : tuple of dict
        Per reveal: ``finding``, ``yours_db``, ``network_db``, ``verdict``.
    """

    estimates: tuple[float, ...]
    network: tuple[float, ...]
    outcome: int
    brier: float
    network_brier: float
    findings: tuple[dict[str, Any], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {
            "estimates": list(self.estimates),
            "network": list(self.network),
            "outcome": self.outcome,
            "brier": self.brier,
            "network_brier": self.network_brier,
            "findings": [dict(f) for f in self.findings],
        }


def score_quiz(
    estimates: Sequence[float],
    network: Sequence[float],
    outcome: int,
    findings: Sequence[str] | None = None,
) -> QuizScore:
    """Score a trainee's estimates as the quiz page does (see the module's rules).

    Parameters
    ----------
    estimates, network : sequence of float
        P(hypothesis) at the opening and after each reveal (equal lengths, at least 2).
    outcome : int
        1 if the final diagnosis is in the hypothesis, else 0.
    findings : sequence of str, optional
        The reveals' names (default ``1, 2, ...``).

    Examples
    --------
    >>> s = score_quiz([0.3, 0.6, 0.9], [0.3, 0.4, 0.7], 1, ["hb", "m_protein"])
    >>> round(s.brier, 4), round(s.network_brier, 4)
    (0.22, 0.3133)
    >>> [f["verdict"] for f in s.findings]
    ['over-weighted', 'about right']
    """
    if len(estimates) != len(network) or len(estimates) < 2:
        raise ValueError("estimates and network need the same length, at least 2")
    if outcome not in (0, 1):
        raise ValueError(f"outcome must be 0 or 1, got {outcome!r}")
    names = list(findings) if findings is not None else [str(i) for i in range(1, len(network))]
    rows = []
    for i in range(1, len(network)):
        yours = _logodds_db(estimates[i]) - _logodds_db(estimates[i - 1])
        theirs = _logodds_db(network[i]) - _logodds_db(network[i - 1])
        rows.append(
            {
                "finding": names[i - 1],
                "yours_db": yours,
                "network_db": theirs,
                "verdict": _verdict(yours, theirs),
            }
        )
    n = len(network)
    return QuizScore(
        estimates=tuple(float(x) for x in estimates),
        network=tuple(float(x) for x in network),
        outcome=outcome,
        brier=sum((float(x) - outcome) ** 2 for x in estimates) / n,
        network_brier=sum((float(x) - outcome) ** 2 for x in network) / n,
        findings=tuple(rows),
    )
