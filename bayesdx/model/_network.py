"""A compiled network: the validated spec plus every CPT expanded to a numpy array."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.errors import ArgumentError, NetworkFileError, UnknownVariableError
from bayesdx.model._spec import NetworkSpec, NodeSpec

if TYPE_CHECKING:
    pass

__all__ = ["Network", "as_network"]

_FIXED_TOL = 1e-6  # imported tables are often written with rounded values


class Network:
    """A discrete Bayesian network ready for inference.

    Build one with :func:`load_network`. Attributes are read-only views of the spec:

    Attributes
    ----------
    spec : NetworkSpec
        What the file says (entries, sources, uncertainty, groups, defaults).
    variables : tuple of str
        Node ids in topological order.
    states, parents : dict
        Per node, its states and its parents.
    cpts : dict of numpy.ndarray
        Per node, its table of shape ``(*parent_cards, card)``.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> net = load_network("marrow_signal")
    >>> net.states["hb"]
    ('ge_12', 'lt_12')
    >>> net.groups["neoplasm"][0]
    'diagnosis'
    """

    def __init__(self, spec: NetworkSpec):
        self.spec = spec
        self.variables: tuple[str, ...] = tuple(spec.nodes)
        # read-only views: a loaded network is cached and shared
        self.states = MappingProxyType({v: n.states for v, n in spec.nodes.items()})
        self.parents = MappingProxyType({v: n.parents for v, n in spec.nodes.items()})
        cpts: dict[str, np.ndarray] = {}
        for v, node in spec.nodes.items():
            table = node.cpt.expand({p: self.states[p] for p in node.parents}, node.states)
            table.setflags(write=False)
            _check_table(spec, node, table)
            cpts[v] = table
        self.cpts = MappingProxyType(cpts)
        self._signature: tuple = ()

    # ------------------------------------------------------------------ metadata
    @property
    def id(self) -> str:
        """The network id (``marrow_signal``)."""
        return self.spec.id

    @property
    def title(self) -> str:
        """One-line title."""
        return self.spec.title

    @property
    def groups(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Group name -> (node, member states), for example ``neoplasm``."""
        return {
            name: (node, members)
            for node, groups in self.spec.groups.items()
            for name, members in groups.items()
        }

    @property
    def defaults(self) -> dict[str, str]:
        """Node -> the state assumed when a case does not give it."""
        return {v: n.default for v, n in self.spec.nodes.items() if n.default is not None}

    def node(self, variable: str) -> NodeSpec:
        """The spec of one node; :class:`UnknownVariableError` lists the valid ones."""
        try:
            return self.spec.nodes[variable]
        except KeyError:
            raise UnknownVariableError(variable, self.variables, self.id) from None

    def role(self, role: str) -> list[str]:
        """Node ids with a given role, in topological order."""
        return [v for v, n in self.spec.nodes.items() if n.role == role]

    @property
    def default_targets(self) -> list[str]:
        """The diagnosis nodes; for a network without roles, every node."""
        return self.role("diagnosis") or list(self.variables)

    def __repr__(self) -> str:
        edges = sum(len(p) for p in self.parents.values())
        return f"<Network {self.id!r}: {len(self.variables)} nodes, {edges} edges>"


def as_network(obj: Any, argument: str = "network") -> Network:
    """``obj`` if it is a :class:`Network`, else :class:`ArgumentError` saying what to give.

    Examples
    --------
    >>> as_network(None)
    Traceback (most recent call last):
    ...
    bayesdx.errors.ArgumentError: network must be a bayesdx Network, got None; load one ...
    """
    if isinstance(obj, Network):
        return obj
    got = "None" if obj is None else f"{type(obj).__name__} {obj!r:.60}"
    raise ArgumentError(
        f"{argument} must be a bayesdx Network, got {got}; load one with "
        "bayesdx.load_network('marrow_signal') or load_network(PATH)"
    )


def _check_table(spec: NetworkSpec, node: NodeSpec, table: np.ndarray) -> None:
    expected = (*(len(spec.nodes[p].states) for p in node.parents), len(node.states))
    if table.shape != expected:
        raise NetworkFileError(
            spec.path,
            f"table has shape {table.shape}, expected {expected}",
            node=node.id,
            field="cpt",
        )
    if (table < 0).any() or not np.isfinite(table).all():
        raise NetworkFileError(
            spec.path, "probabilities must be finite and >= 0", node=node.id, field="cpt"
        )
    sums = table.sum(axis=-1).reshape(-1)  # one sum per parent combination (C order)
    tol = _FIXED_TOL if node.cpt.kind == "fixed" else 1e-9
    bad = np.flatnonzero(np.abs(sums - 1.0) > tol)
    if bad.size:
        idx = np.unravel_index(int(bad[0]), table.shape[:-1])
        combo = ", ".join(
            f"{p}={spec.nodes[p].states[int(i)]}" for p, i in zip(node.parents, idx, strict=True)
        )
        raise NetworkFileError(
            spec.path,
            f"probabilities for {combo or '(no parents)'} sum to "
            f"{float(sums[bad[0]]):.9g}; expected 1",
            node=node.id,
            field="cpt",
        )
