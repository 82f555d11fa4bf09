"""The :class:`Posterior` result object."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bayesdx import display  # its plot helpers load when a plot is drawn (not for a query)
from bayesdx._record import DICT, Record
from bayesdx.display import DISCLAIMER, Column, Lines, Report, Table
from bayesdx.errors import UnknownStateError, UnknownVariableError
from bayesdx.model import Evidence

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["Posterior"]


class Posterior(Record):
    """Posterior distributions of the targets given a case.

    Attributes
    ----------
    network : str
        The network id.
    evidence : Evidence
        The case as normalised (given, assumed, raw values).
    distributions : dict
        ``{target: {state: probability}}``.
    groups : dict
        ``{group: probability}`` for each group of a target node (``neoplasm``).
    p_evidence : float
        Probability of the evidence (given and assumed) under the model.
    group_members : dict
        ``{group: (node, states)}``.

    Examples
    --------
    >>> import bayesdx
    >>> post = bayesdx.query(bayesdx.load_network("marrow_signal"), {"m_protein": "present"})
    >>> sorted(post.to_dict())
    ['assumed', 'disclaimer', 'evidence', 'groups', 'network', 'posterior']
    >>> post.to_frame().columns.tolist()
    ['target', 'state', 'probability', 'kind']
    """

    _fields = ("network", "evidence", "distributions", "groups", "p_evidence", "group_members")
    network: str
    evidence: Evidence
    distributions: dict[str, dict[str, float]]
    groups: dict[str, float]
    p_evidence: float
    group_members: dict[str, tuple[str, tuple[str, ...]]]

    def __init__(
        self,
        network: str,
        evidence: Evidence,
        distributions: dict[str, dict[str, float]],
        groups: dict[str, float] = DICT,
        p_evidence: float = 1.0,
        group_members: dict[str, tuple[str, tuple[str, ...]]] = DICT,
    ) -> None:
        vars(self).update(
            network=network,
            evidence=evidence,
            distributions=distributions,
            groups={} if groups is DICT else groups,
            p_evidence=p_evidence,
            group_members={} if group_members is DICT else group_members,
        )

    @property
    def targets(self) -> list[str]:
        """The queried variables."""
        return list(self.distributions)

    def __getitem__(self, target: str) -> dict[str, float]:
        try:
            return self.distributions[target]
        except KeyError:
            raise UnknownVariableError(target, self.targets, self.network) from None

    def probability(self, state: str, target: str | None = None) -> float:
        """P(target = state | evidence), or the probability of a group by its name.

        Examples
        --------
        >>> import bayesdx
        >>> post = bayesdx.query(bayesdx.load_network("marrow_signal"))
        >>> post.probability("neoplasm") == post.groups["neoplasm"]
        True
        """
        if state in self.groups and (target is None or self.group_members[state][0] == target):
            return self.groups[state]
        targets = [target] if target else self.targets
        for t in targets:
            if state in self.distributions.get(t, {}):
                return self.distributions[t][state]

        valid = [s for t in targets for s in self.distributions.get(t, {})]
        raise UnknownStateError(target or "/".join(targets), state, [*valid, *self.groups])

    def ranked(self, target: str | None = None) -> list[tuple[str, float]]:
        """States of a target from most to least probable."""
        dist = self[target or self.targets[0]]
        return sorted(dist.items(), key=lambda kv: -kv[1])

    # ------------------------------------------------------------------ views
    def to_dict(self) -> dict[str, Any]:
        """What ``bayesdx query --json`` prints."""
        return {
            "network": self.network,
            "evidence": dict(self.evidence.given),
            "assumed": dict(self.evidence.assumed),
            "posterior": {t: dict(d) for t, d in self.distributions.items()},
            "groups": dict(self.groups),
            "disclaimer": DISCLAIMER,
        }

    def _members(self, target: str) -> list[tuple[str, float]]:
        """The groups of ``target`` with their probabilities."""
        return [
            (g, p) for g, p in self.groups.items() if self.group_members.get(g, ("",))[0] == target
        ]

    def _report(self) -> Report:
        tables = [
            Table(
                (
                    Column("state", width=28),
                    Column("probability", "6.3f", sep=" "),
                    Column("bar", label="", bar=True),
                ),
                [(s, p, p) for s, p in self.ranked(t)]
                + [(f"group {g}", p, None) for g, p in self._members(t)],
                caption=f"P({t} | evidence)",
                header=False,
            )
            for t in self.targets
        ]
        rows = [(t, s, p, "state") for t, d in self.distributions.items() for s, p in d.items()]
        rows += [
            (self.group_members.get(g, ("",))[0], g, p, "group") for g, p in self.groups.items()
        ]
        data = Table(
            (Column("target"), Column("state"), Column("probability"), Column("kind")), rows
        )
        head = Lines([f"Network: {self.network}", *str(self.evidence).split("\n")])
        return Report([head, *tables], data=data)

    def to_frame(self) -> pd.DataFrame:
        """One row per target state and per group: target, state, probability, kind."""
        return self._report().frame()

    def __str__(self) -> str:
        return self._report().text()

    def __repr__(self) -> str:
        top = ", ".join(f"{s}={p:.3f}" for s, p in self.ranked()[:3])
        return f"<Posterior {self.network}: {top}>"

    def _repr_html_(self) -> str:
        return self._report().html()

    def plot(self, *, target: str | None = None, ax: Axes | None = None) -> Axes:
        """Horizontal bar chart of a target's posterior (members of the first group in red).

        Parameters
        ----------
        target : str, optional
            The node to show (default: the first target).
        ax : matplotlib.axes.Axes, optional
            Draw here; by default on a new figure.

        Returns
        -------
        matplotlib.axes.Axes
        """
        target = target or self.targets[0]
        self[target]  # an unknown target raises UnknownVariableError before a figure exists
        ranked = self.ranked(target)[::-1]
        # matplotlib itself is imported lazily, inside figure_axes, only when a plot is drawn
        _, ax = display.figure_axes(ax, (6, 0.35 * len(ranked) + 1.2))
        groups = [(g, m) for g, m in self.group_members.items() if m[0] == target]
        first = groups[0] if groups else None
        colors = ["#c44e52" if first and s in first[1][1] else "#4c72b0" for s, _ in ranked]
        ax.barh([s for s, _ in ranked], [p for _, p in ranked], color=colors)
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"P({target} | evidence)")
        title = f"{self.network}"
        if first:
            title += f": P({first[0]}) = {self.groups[first[0]]:.2f} (red)"
        return display.finish(ax, title, fontsize=10)
