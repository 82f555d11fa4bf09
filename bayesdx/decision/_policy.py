"""Threshold policies for the biopsy decision, and the guideline's safety net.

One verdict rule for every policy, highest first: ``recommended`` when P(target) is at or
above the upper edge, ``borderline`` from the lower edge, ``consider`` from the harm/benefit
threshold (when the policy has one), ``not_recommended`` below.

- ``band`` (default, from the network file): the 40-47% biopsy-yield band of the referral
  series, with the network's harm/benefit threshold under it when the file gives one
  (``decision.harm_benefit``). A single threshold has no band: low equals high.
- ``threshold``: one number chosen by the user.
- ``harm_benefit``: the Pauker-Kassirer treatment threshold, harm / (harm + benefit), where
  harm is the net cost of biopsying a patient without a neoplasm and benefit the net gain of
  biopsying a patient with one.

The guideline's red flags are a safety net over every policy (:func:`safety_net`): a case in
which any guideline rule fired is never ``not_recommended``; it becomes ``consider``.

References
----------
Pauker SG, Kassirer JP. The threshold approach to clinical decision making. N Engl J Med
1980;302:1109-17.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from bayesdx.errors import ArgumentError, PolicyError
from bayesdx.limits import MAX_DIGITS
from bayesdx.model import NUMBER, Hypothesis, Network, Verdict, shown

if TYPE_CHECKING:
    from bayesdx.model import DecisionSpec

__all__ = [
    "POLICY_KINDS",
    "Policy",
    "PolicyKind",
    "as_policy",
    "default_policy",
    "no_decision_error",
    "resolve_policy",
    "safety_net",
]

#: How a policy was set.
PolicyKind = Literal["band", "threshold", "harm_benefit"]
POLICY_KINDS: tuple[PolicyKind, ...] = ("band", "threshold", "harm_benefit")


@dataclass(frozen=True)
class Policy:
    """A decision threshold (or band) and where it came from.

    Examples
    --------
    >>> band = Policy.band(0.40, 0.47)
    >>> band.verdict(0.47), band.verdict(0.43), band.verdict(0.3999)
    ('recommended', 'borderline', 'not_recommended')
    >>> Policy.harm_benefit(harm=1, benefit=3).high
    0.25
    >>> net = Policy.band(0.40, 0.47, floor=0.05)  # with a harm/benefit threshold under it
    >>> net.verdict(0.2), net.verdict(0.049)
    ('consider', 'not_recommended')
    """

    kind: PolicyKind
    low: float
    high: float
    inputs: dict[str, float] = field(default_factory=dict)
    source: str = ""
    #: The harm/benefit threshold under the band: ``consider`` from here up to ``low``
    #: (None: no ``consider`` band; below ``low`` is ``not_recommended``).
    floor: float | None = None

    @classmethod
    def band(cls, low: float, high: float, source: str = "", floor: float | None = None) -> Policy:
        """The default band policy, with an optional harm/benefit threshold ``floor`` < low."""
        lo, hi = float(low), float(high)
        inputs = {"low": lo, "high": hi}
        if floor is not None:
            f = _in_open_unit(floor, "harm/benefit threshold")
            if not f < lo:
                raise PolicyError(
                    f"harm/benefit threshold {f:g} must lie below the band's lower edge {lo:g}"
                )
            inputs["harm_benefit"] = f
            return cls("band", lo, hi, inputs, source, f)
        return cls("band", lo, hi, inputs, source)

    @classmethod
    def threshold(cls, value: float) -> Policy:
        """One user-set threshold in (0, 1)."""
        t = _in_open_unit(value, "threshold")
        return cls("threshold", t, t, {"threshold": t}, "set by the user")

    @classmethod
    def harm_benefit(cls, harm: float, benefit: float) -> Policy:
        """Pauker-Kassirer: threshold = harm / (harm + benefit)."""
        h, b = _positive(harm, "harm"), _positive(benefit, "benefit")
        t = 1.0 / (1.0 + b / h)  # = h / (h + b), without overflow for huge h and b
        if not 0.0 < t < 1.0:
            raise PolicyError(
                f"harm {h:g} and benefit {b:g} give a threshold of {t:g}, outside (0, 1); "
                "give a ratio that a biopsy decision could meet"
            )
        return cls(
            "harm_benefit",
            t,
            t,
            {"harm": h, "benefit": b, "threshold": t},
            "harm / (harm + benefit), Pauker and Kassirer 1980",
        )

    def verdict(self, p: float) -> Verdict:
        """The verdict for a posterior, before the safety net (see :func:`safety_net`)."""
        if p >= self.high:
            return "recommended"
        if p >= self.low:
            return "borderline"
        if self.floor is not None and p >= self.floor:
            return "consider"
        return "not_recommended"

    @property
    def edges(self) -> tuple[float, ...]:
        """The boundaries between verdicts, lowest first, each once."""
        lower = () if self.floor is None else (self.floor,)
        return tuple(sorted({*lower, self.low, self.high}))

    def margin(self, p: float) -> float:
        """Distance from ``p`` to the nearest edge that would change the verdict (>= 0)."""
        gaps = [p - max(e for e in self.edges if e <= p)] if p >= self.edges[0] else []
        if p < self.edges[-1]:
            gaps.append(min(e for e in self.edges if e > p) - p)
        return min(gaps)

    def describe(self) -> str:
        """One line: which policy and with what inputs."""
        if self.kind == "band":
            below = (
                f", consider from {self.floor:.2f} (harm/benefit threshold)"
                if self.floor is not None
                else ""
            )
            return (
                f"band policy: recommended at or above {self.high:.2f}, borderline from "
                f"{self.low:.2f}{below}, not recommended below"
            )
        if self.kind == "threshold":
            return f"single threshold {self.high:.3g} (set by the user)"
        return (
            f"harm/benefit policy: threshold = {self.inputs['harm']:g} / "
            f"({self.inputs['harm']:g} + {self.inputs['benefit']:g}) = {self.high:.3g}"
        )

    def to_dict(self) -> dict[str, Any]:
        """``{"policy", "low", "high", "inputs"}``; a band's harm/benefit threshold is an input."""
        return {
            "policy": self.kind,
            "low": self.low,
            "high": self.high,
            "inputs": dict(self.inputs),
        }


def safety_net(verdict: Verdict, fired: Sequence[str]) -> Verdict:
    """The guideline's red flags as a safety net: never ``not_recommended`` once one fired.

    Applies under every policy; ``fired`` holds the ids of the guideline rules that fired.

    Examples
    --------
    >>> safety_net("not_recommended", ("anaemia",)), safety_net("not_recommended", ())
    ('consider', 'not_recommended')
    >>> safety_net("borderline", ("anaemia",))
    'borderline'
    """
    return "consider" if fired and verdict == "not_recommended" else verdict


def _number(value: Any, name: str) -> float:
    if isinstance(value, str) and len(value) > MAX_DIGITS:
        raise PolicyError(f"{name} {shown(value)} is too long to be a number")
    if isinstance(value, str) and not NUMBER.match(value.strip()):
        raise PolicyError(f"{name} {value!r} is not a number (write it like 0.3 or 2e-3)")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PolicyError(f"{name} {value!r} is not a number") from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise PolicyError(f"{name} {value!r} is not a finite number")
    return number


def _in_open_unit(value: Any, name: str) -> float:
    t = _number(value, name)
    if not 0.0 < t < 1.0:
        raise PolicyError(f"{name} {t:g} is outside (0, 1); give a probability such as 0.3")
    return t


def _positive(value: Any, name: str) -> float:
    x = _number(value, name)
    if not x > 0.0:
        raise PolicyError(f"{name} {x:g} must be positive (a relative harm or benefit, > 0)")
    return x


def resolve_policy(
    decision: DecisionSpec | None,
    threshold: float | None = None,
    harm: float | None = None,
    benefit: float | None = None,
) -> Policy:
    """The policy to apply: the user's choice, else the network's band.

    Raises
    ------
    PolicyError
        For a threshold outside (0, 1), a harm or benefit that is not positive, only one of
        harm and benefit, both a threshold and harm/benefit, or no policy at all.
    """
    if threshold is not None and (harm is not None or benefit is not None):
        raise PolicyError("give either a threshold or harm and benefit, not both")
    if threshold is not None:
        return Policy.threshold(threshold)
    if harm is not None or benefit is not None:
        if harm is None or benefit is None:
            missing = "harm" if harm is None else "benefit"
            raise PolicyError(
                f"the harm/benefit policy needs both harm and benefit; {missing} is missing"
            )
        return Policy.harm_benefit(harm, benefit)
    if decision is None:
        raise no_decision_error()
    low, high = decision.band
    hb = decision.harm_benefit
    sources = ", ".join(decision.band_sources)
    return Policy.band(low, high, sources, floor=hb.threshold if hb is not None else None)


def no_decision_error(network: str = "") -> PolicyError:
    """The error for a network without a decision section: what is missing, how to add it.

    A threshold alone cannot stand in for the section: a recommendation also needs the
    target whose probability is compared with it.

    Examples
    --------
    >>> print(no_decision_error("alarm"))
    network 'alarm' has no decision section, which recommend needs: the target (a group or a \
state of a diagnosis node) whose probability decides, and the band of that probability at which \
biopsy is recommended, with its sources. Add it to a YAML network under 'decision:' (networks/\
FORMAT.md, 'The decision section'; the target's node needs 'role: diagnosis'); a BIF, XMLBIF, \
XDSL or NET file cannot hold one. For posteriors alone use bayesdx query, or bayesdx explain \
--hypothesis VAR=STATE
    """
    name = f"network '{network}'" if network else "this network"
    return PolicyError(
        f"{name} has no decision section, which recommend needs: the target (a group or a "
        "state of a diagnosis node) whose probability decides, and the band of that "
        "probability at which biopsy is recommended, with its sources. Add it to a YAML "
        "network under 'decision:' (networks/FORMAT.md, 'The decision section'; the target's "
        "node needs 'role: diagnosis'); a BIF, XMLBIF, XDSL or NET file cannot hold one. "
        "For posteriors alone use bayesdx query, or bayesdx explain --hypothesis VAR=STATE"
    )


def default_policy(network: Network, hypothesis: Hypothesis) -> Policy | None:
    """The network's band policy when ``hypothesis`` is its decision target, else None.

    Examples
    --------
    >>> from bayesdx import load_network, resolve_hypothesis
    >>> net = load_network("marrow_signal")
    >>> default_policy(net, resolve_hypothesis(net)).kind
    'band'
    >>> default_policy(net, resolve_hypothesis(net, "cmml")) is None
    True
    """
    decision = network.spec.decision
    if decision is None or decision.node != hypothesis.node:
        return None
    if set(decision.members) != set(hypothesis.members):
        return None
    return resolve_policy(decision)


def as_policy(obj: Any, argument: str = "policy") -> Policy:
    """``obj`` if it is a :class:`Policy`, else :class:`ArgumentError` saying how to make one.

    Examples
    --------
    >>> as_policy(Policy.threshold(0.3)).high
    0.3
    >>> as_policy(0.3)
    Traceback (most recent call last):
    ...
    bayesdx.errors.ArgumentError: policy must be a bayesdx Policy, got float 0.3; make one ...
    """
    if isinstance(obj, Policy):
        return obj
    raise ArgumentError(
        f"{argument} must be a bayesdx Policy, got {type(obj).__name__} {obj!r:.60}; make one "
        "with Policy.threshold(T), Policy.harm_benefit(H, B) or Policy.band(LOW, HIGH)"
    )
