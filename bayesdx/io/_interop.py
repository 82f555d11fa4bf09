"""A network to and from pyAgrum's ``BayesNet`` (the optional extra ``pyagrum``), and to a
networkx ``DiGraph``. The libraries are imported only when these functions are called."""

from __future__ import annotations

from typing import Any

import numpy as np

from bayesdx.errors import ArgumentError
from bayesdx.io._foreign import ForeignVariable, build_spec
from bayesdx.model import Network, as_network

__all__ = ["from_pyagrum", "to_networkx", "to_pyagrum"]


def _gum() -> Any:
    try:
        import pyagrum
    except ImportError:  # pragma: no cover - depends on the install
        raise ArgumentError(
            "pyAgrum is not installed; install it with: pip install 'bayesdx[pyagrum]'"
        ) from None
    return pyagrum


def to_pyagrum(network: Network) -> Any:
    """The network as a ``pyagrum.BayesNet``, tables in full (double) precision.

    Variable names are the node ids; their descriptions are the labels.

    Examples
    --------
    >>> import bayesdx
    >>> bn = to_pyagrum(bayesdx.load_network("marrow_signal"))  # doctest: +SKIP
    """
    network = as_network(network)
    gum = _gum()
    bn = gum.BayesNet(network.id)
    for v in network.variables:
        label = network.spec.nodes[v].label or v
        bn.add(gum.LabelizedVariable(v, label, list(network.states[v])))
    for v in network.variables:
        for p in network.parents[v]:
            bn.addArc(p, v)
    for v in network.variables:
        pot = bn.cpt(v)
        names = [pot.variable(k).name() for k in reversed(range(pot.nbrDim()))]
        order = [*network.parents[v], v]
        table = np.transpose(np.asarray(network.cpts[v]), [order.index(n) for n in names])
        pot.fillWith(table.reshape(-1).tolist())
    return bn


def from_pyagrum(bn: Any, path: str = "<pyagrum>") -> Network:
    """A network from a ``pyagrum.BayesNet`` (discrete chance nodes only).

    Node ids are pyAgrum's variable names, labels their descriptions; each node's parents
    are in the order of its table's variables.
    """
    variables = []
    for i in bn.topologicalOrder():
        var = bn.variable(i)
        pot = bn.cpt(i)
        names = [pot.variable(k).name() for k in range(pot.nbrDim())]
        parents = names[1:]
        axes = list(reversed(names))
        order = [*parents, var.name()]
        table = np.transpose(np.asarray(pot.toarray()), [axes.index(n) for n in order])
        states = [var.label(k) for k in range(var.domainSize())]
        variables.append(
            ForeignVariable(
                var.name(), states, parents, table.astype(float), label=var.description()
            )
        )
    name = ""
    try:
        name = str(bn.property("name"))
    except Exception:
        name = ""
    return Network(build_spec(path, "pyagrum", variables, net_id=name))


def to_networkx(network: Network) -> Any:
    """The network's graph as a ``networkx.DiGraph``; nodes carry ``states`` and ``label``.

    Examples
    --------
    >>> import bayesdx
    >>> g = to_networkx(bayesdx.load_network("marrow_signal"))
    >>> g.nodes["hb"]["states"]
    ('ge_12', 'lt_12')
    """
    import networkx as nx  # lazy: networkx is only needed here

    network = as_network(network)
    graph = nx.DiGraph(name=network.id)
    for v in network.variables:
        graph.add_node(v, states=network.states[v], label=network.spec.nodes[v].label or v)
    graph.add_edges_from((p, v) for v in network.variables for p in network.parents[v])
    return graph
