"""Hypotheses: an event on one node (a group, a diagnosis state, or VAR=STATE).

Without a name, the hypothesis is the network's decision target; else its first group; else,
for a network with diagnosis nodes, a state of the first. A network with no roles (every
network imported from BIF, XMLBIF, XDSL or NET) says nothing about what is being diagnosed:
the default is then the rarer state of the root node whose prior is most uncertain (the
highest entropy relative to its number of states), which in a diagnostic network is usually
a condition rather than its absence (alarm: ``HYPOVOLEMIA=TRUE``). The hypothesis says so in
its :attr:`Hypothesis.note`, with the other candidates, so that a report can show it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from bayesdx.errors import (
    ArgumentError,
    UnknownHypothesisError,
    close_matches,
    did_you_mean,
)
from bayesdx.model._network import Network

__all__ = ["Hypothesis", "default_hypothesis", "ratio", "resolve_hypothesis"]

_LISTED = 6  # candidate roots a default hypothesis's note names


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
    """An event on one node: ``name`` is true when ``node`` is in ``members``.

    ``note`` says how a hypothesis nobody named was chosen (empty otherwise); it is not part
    of the hypothesis's identity.
    """

    name: str
    node: str
    members: tuple[str, ...]
    note: str = field(default="", compare=False)

    def probability(self, dist: Mapping[str, float]) -> float:
        """P(hypothesis) from the node's distribution."""
        return float(sum(dist[s] for s in self.members))

    def odds(self, dist: Mapping[str, float]) -> float:
        """P(hypothesis) / P(not hypothesis), summed separately (accurate near 0 and 1)."""
        against = float(sum(p for s, p in dist.items() if s not in self.members))
        return ratio(self.probability(dist), against)


def _entropy(p: np.ndarray) -> float:
    """Shannon entropy relative to its maximum (1 for a uniform distribution)."""
    q = p[p > 0]
    if len(p) < 2 or not len(q):
        return 0.0
    return float(-(q * np.log(q)).sum() / math.log(len(p)))


def default_hypothesis(network: Network) -> Hypothesis:
    """For a network without roles: the rarer state of its most uncertain root.

    The roots are the nodes without parents (a context node with a declared default left
    out); their tables are their priors. The most uncertain has the highest entropy relative
    to its number of states (ties: the first in the network's order); its least probable
    state with a probability above 0 is the hypothesis. :attr:`Hypothesis.note` says so and
    names the next candidates.

    Examples
    --------
    >>> import numpy as np
    >>> from bayesdx.model import FixedCPT, Network, NetworkSpec, NodeSpec
    >>> a = NodeSpec("a", ("yes", "no"), (), FixedCPT(np.array([0.01, 0.99]), ()))
    >>> b = NodeSpec("b", ("yes", "no"), (), FixedCPT(np.array([0.3, 0.7]), ()))
    >>> h = default_hypothesis(Network(NetworkSpec("ab", "ab", "", {"a": a, "b": b})))
    >>> h.name
    'b=yes'
    >>> print(h.note)
    chosen by default: the network names no decision target, so the hypothesis is the rarer \
state of the root whose prior is most uncertain (b: yes 0.30, no 0.70); other roots, most \
uncertain first: a; name another with --hypothesis VAR=STATE
    """
    roots = [
        v for v in network.variables if not network.parents[v] and v not in network.defaults
    ] or [v for v in network.variables if not network.parents[v]]
    scored = sorted(roots, key=lambda v: -_entropy(np.asarray(network.cpts[v], dtype=float)))
    node = scored[0]
    prior = np.asarray(network.cpts[node], dtype=float)
    live = np.flatnonzero(prior > 0)
    state = network.states[node][int(live[np.argmin(prior[live])])]
    shown = ", ".join(f"{s} {q:.2f}" for s, q in zip(network.states[node], prior, strict=True))
    others = scored[1 : 1 + _LISTED]
    more = f", ... ({len(scored) - 1} in all)" if len(scored) - 1 > _LISTED else ""
    listed = f"; other roots, most uncertain first: {', '.join(others)}{more}" if others else ""
    note = (
        "chosen by default: the network names no decision target, so the hypothesis is the "
        f"rarer state of the root whose prior is most uncertain ({node}: {shown}){listed}; "
        "name another with --hypothesis VAR=STATE"
    )
    return Hypothesis(f"{node}={state}", node, (state,), note)


def resolve_hypothesis(
    network: Network, name: str | None = None, *, argument: str = "hypothesis"
) -> Hypothesis:
    """A group, a diagnosis state, or ``VAR=STATE``; default: the decision target.

    Parameters
    ----------
    network : Network
    name : str, optional
        Without it: the decision target, else the first group, else a state of the first
        diagnosis node, else (a network without roles) :func:`default_hypothesis`.
    argument : str
        The argument that gave ``name`` (``hypothesis`` or ``versus``), which an error names
        as ``--hypothesis`` or ``--versus``.

    Raises
    ------
    UnknownHypothesisError
        Naming the argument, close matches, and the valid groups and diagnosis states.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> net = load_network("marrow_signal")
    >>> resolve_hypothesis(net).name, resolve_hypothesis(net, "cmml").members
    ('neoplasm', ('cmml',))
    >>> resolve_hypothesis(net, "hb=lt_12").node
    'hb'
    >>> resolve_hypothesis(net, "neoplasms", argument="versus")
    Traceback (most recent call last):
    ...
    bayesdx.errors.UnknownHypothesisError: --versus 'neoplasms': not a group or diagnosis \
state (did you mean neoplasm?); valid: neoplasm, benign, ...
    """
    if name is not None and not isinstance(name, str):
        raise ArgumentError(
            f"{argument} must be text (a group, a diagnosis state or VAR=STATE), got {name!r}"
        )
    if name is None:
        decision = network.spec.decision
        if decision:
            name = decision.target
        else:
            name = next(iter(network.groups), None)
        if name is None:
            if not network.role("diagnosis"):
                return default_hypothesis(network)
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
        var, state = var.strip(), state.strip()
        if var not in network.states:
            raise UnknownHypothesisError(
                argument,
                name,
                f"unknown variable '{var}'{did_you_mean(var, network.variables)}; valid "
                f"variables: {_listing(network.variables)}",
            )
        states = network.states[var]
        if state in states:
            return Hypothesis(name, var, (state,))
        raise UnknownHypothesisError(
            argument,
            name,
            f"unknown state '{state}' for variable '{var}'{did_you_mean(state, states)}; "
            f"valid states: {_listing(states)}",
        )
    valid = [*groups, *(s for n in diagnosis for s in network.states[n])]
    if not valid:
        found = close_matches(name, network.variables, n=1)
        if found:  # a variable named without a state
            var = found[0]
            hint = (
                f"{var} is a variable: give {var}=STATE, a state of {_listing(network.states[var])}"
            )
        else:
            hint = f"give VAR=STATE, for example {default_hypothesis(network).name}"
        raise UnknownHypothesisError(
            argument, name, f"this network has no groups or diagnosis states; {hint}"
        )
    raise UnknownHypothesisError(
        argument,
        name,
        f"not a group or diagnosis state{did_you_mean(name, valid)}; valid: "
        f"{_listing(valid)}; or VAR=STATE",
    )


def _listing(values: tuple[str, ...] | list[str], limit: int = 40) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")
