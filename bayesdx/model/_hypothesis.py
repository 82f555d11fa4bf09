"""Hypotheses: an event on one node (a group, a diagnosis state, or VAR=STATE)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from bayesdx.errors import ArgumentError, UnknownStateError
from bayesdx.model._network import Network

__all__ = ["Hypothesis", "ratio", "resolve_hypothesis"]


def ratio(a: float, b: float) -> float:
    """a / b for odds and likelihood ratios: inf / inf is 1, x / 0 is inf (0 / 0 is 1).

    Examples
    --------
    >>> ratio(3.0, 1.5), ratio(1.0, 0.0), ratio(0.0, 0.0), ratio(math.inf, math.inf)
    (2.0, inf, 1.0, 1.0)
    """
    if math.isinf(a) and math.isinf(b):
        return 1.0
    if b == 0.0:
        return math.inf if a > 0 else 1.0
    return a / b


@dataclass(frozen=True)
class Hypothesis:
    """An event on one node: ``name`` is true when ``node`` is in ``members``."""

    name: str
    node: str
    members: tuple[str, ...]

    def probability(self, dist: Mapping[str, float]) -> float:
        """P(hypothesis) from the node's distribution."""
        return float(sum(dist[s] for s in self.members))

    def odds(self, dist: Mapping[str, float]) -> float:
        """P(hypothesis) / P(not hypothesis), summed separately (accurate near 0 and 1)."""
        against = float(sum(p for s, p in dist.items() if s not in self.members))
        return ratio(self.probability(dist), against)


def resolve_hypothesis(network: Network, name: str | None = None) -> Hypothesis:
    """A group, a diagnosis state, or ``VAR=STATE``; default: the decision target.

    Raises
    ------
    UnknownStateError
        Listing the valid groups and diagnosis states.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> net = load_network("marrow_signal")
    >>> resolve_hypothesis(net).name, resolve_hypothesis(net, "cmml").members
    ('neoplasm', ('cmml',))
    >>> resolve_hypothesis(net, "hb=lt_12").node
    'hb'
    """
    if name is not None and not isinstance(name, str):
        raise ArgumentError(
            f"hypothesis must be text (a group, a diagnosis state or VAR=STATE), got {name!r}"
        )
    if name is None:
        decision = network.spec.decision
        if decision:
            name = decision.target
        else:
            name = next(iter(network.groups), None)
        if name is None:
            node = network.default_targets[0]
            name = f"{node}={network.states[node][-1]}"
    groups = network.groups
    if name in groups:
        node, members = groups[name]
        return Hypothesis(name, node, tuple(members))
    diagnosis = network.role("diagnosis")
    for node in diagnosis:
        if name in network.states[node]:
            return Hypothesis(name, node, (name,))
    if "=" in name:
        var, _, state = name.partition("=")
        spec = network.node(var.strip())
        if state.strip() in spec.states:
            return Hypothesis(name, spec.id, (state.strip(),))
        raise UnknownStateError(spec.id, state.strip(), spec.states)
    valid = [*groups, *(s for n in diagnosis for s in network.states[n])]
    raise UnknownStateError("hypothesis", name, valid, "; or VAR=STATE")
