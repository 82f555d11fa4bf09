"""Threshold policies for the biopsy decision.

Three policies, one verdict rule: ``recommended`` when P(target) is at or above the upper
edge, ``borderline`` inside the band, ``not_recommended`` below the lower edge.

- ``band`` (default, from the network file): the 40-47% biopsy-yield band of the referral
  series. A single threshold has no band: low equals high.
- ``threshold``: one number chosen by the user.
- ``harm_benefit``: the Pauker-Kassirer treatment threshold, harm / (harm + benefit), where
  harm is the net cost of biopsying a patient without a neoplasm and benefit the net gain of
  biopsying a patient with one.

References
----------
Pauker SG, Kassirer JP. The threshold approach to clinical decision making. N Engl J Med
1980;302:1109-17.
"""

from __future__ import annotations

import math
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
    "resolve_policy",
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
    """

    kind: PolicyKind
    low: float
    high: float
    inputs: dict[str, float] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def band(cls, low: float, high: float, source: str = "") -> Policy:
        """The default band policy."""
        return cls(
            "band", float(low), float(high), {"low": float(low), "high": float(high)}, source
        )

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
        """``recommended``, ``borderline`` or ``not_recommended`` for a posterior."""
        if p >= self.high:
            return "recommended"
        if p >= self.low:
            return "borderline"
        return "not_recommended"

    def margin(self, p: float) -> float:
        """Distance from ``p`` to the nearest edge that would change the verdict (>= 0)."""
        verdict = self.verdict(p)
        if verdict == "recommended":
            return p - self.high
        if verdict == "not_recommended":
            return self.low - p
        return min(p - self.low, self.high - p)

    def describe(self) -> str:
        """One line: which policy and with what inputs."""
        if self.kind == "band":
            return (
                f"band policy: recommended at or above {self.high:.2f}, borderline from "
                f"{self.low:.2f}, not recommended below"
            )
        if self.kind == "threshold":
            return f"single threshold {self.high:.3g} (set by the user)"
        return (
            f"harm/benefit policy: threshold = {self.inputs['harm']:g} / "
            f"({self.inputs['harm']:g} + {self.inputs['benefit']:g}) = {self.high:.3g}"
        )

    def to_dict(self) -> dict[str, Any]:
        """``{"policy", "low", "high", "inputs"}``."""
        return {
            "policy": self.kind,
            "low": self.low,
            "high": self.high,
            "inputs": dict(self.inputs),
        }


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
        raise PolicyError(
            "this network has no decision section; give a threshold "
            "(--threshold T) or harm and benefit (--harm H --benefit B)"
        )
    low, high = decision.band
    return Policy.band(low, high, ", ".join(decision.band_sources))


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
