"""What an explanation holds, and how it is shown (text, HTML, frames, plots)."""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass, field
from typing import TYPE_CHECKING, Any

from bayesdx.display import DISCLAIMER, Column, Items, Lines, Rendered, Report, Table
from bayesdx.errors import ArgumentError
from bayesdx.explanation import _plots as explain_plots
from bayesdx.explanation._page import explanation_html
from bayesdx.model import Hypothesis, ratio

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from bayesdx.model import Network

__all__ = ["Comparison", "Contribution", "Explanation", "WhatIf", "decibans"]


def decibans(lr: float) -> float:
    """10 log10 of a likelihood ratio (inf for an infinite ratio).

    Examples
    --------
    >>> decibans(10.0), decibans(1.0)
    (10.0, 0.0)
    """
    if lr <= 0.0:
        return -math.inf
    return math.inf if math.isinf(lr) else 10.0 * math.log10(lr)


#: one finding's weight of evidence, in text, HTML and frames alike
CONTRIBUTION_COLUMNS = (
    Column("finding"),
    Column("state"),
    Column("lr", ".3g", label="LR"),
    Column("decibans", "+.1f", label="dB"),
    Column("p_without", ".3f", label="P without"),
    Column("sequential_decibans", "+.1f", label="seq dB"),
    Column("posterior_after", ".3f", label="P after"),
)
CONTRIBUTION_NOTE = (
    "LR and dB (10 log10 LR) given all the other findings; seq dB in the order entered, "
    "which add up to the change in log-odds from prior to posterior."
)


@dataclass(frozen=True)
class Contribution(Rendered):
    """One finding's weight of evidence: leave-one-out and sequential.

    Attributes
    ----------
    finding, state : str
    lr : float
        Likelihood ratio of the finding given all the others.
    decibans : float
        10 log10 of ``lr``.
    p_without : float
        The posterior without this finding.
    sequential_decibans : float
        The finding's weight in the order entered.
    p_after : float
        The posterior after this finding, in the order entered.
    """

    finding: str
    state: str
    lr: float
    decibans: float
    p_without: float
    sequential_decibans: float
    p_after: float

    def to_dict(self) -> dict[str, Any]:
        """Every field, infinite ratios as None."""
        return {
            "finding": self.finding,
            "state": self.state,
            "lr": _finite(self.lr),
            "decibans": _finite(self.decibans),
            "p_without": self.p_without,
            "sequential_decibans": _finite(self.sequential_decibans),
            "posterior_after": self.p_after,
        }

    def _report(self) -> Report:
        return Report([Table(CONTRIBUTION_COLUMNS, [astuple(self)], indent="")])


def _instead(state: str | None) -> str:
    return "not known" if state is None else state


#: one what-if row: the finding as observed, what it is changed to, and the result
WHAT_IF_COLUMNS = (
    Column("finding"),
    Column("observed"),
    Column("state", _instead, label="instead"),
    Column("p", ".3f", label="P"),
    Column("verdict", lambda v: (v or "").replace("_", " ")),
)


@dataclass(frozen=True)
class WhatIf(Rendered):
    """The hypothesis' posterior if one finding were unobserved or had another state.

    Attributes
    ----------
    finding, observed : str
        The finding and its observed state.
    state : str or None
        The state it is changed to (None: the finding removed).
    p : float
        The hypothesis' posterior then.
    verdict : str or None
        The biopsy verdict then (None without a decision section).
    """

    finding: str
    observed: str
    state: str | None  # None: the finding removed
    p: float
    verdict: str | None

    def to_dict(self) -> dict[str, Any]:
        """``{"finding", "observed", "state", "p", "verdict"}``."""
        return {
            "finding": self.finding,
            "observed": self.observed,
            "state": self.state,
            "p": self.p,
            "verdict": self.verdict,
        }

    def _report(self) -> Report:
        return Report([Table(WHAT_IF_COLUMNS, [astuple(self)], indent="")])


@dataclass(frozen=True)
class Comparison(Rendered):
    """Why A rather than B: each finding's log-likelihood ratio between them (decibans).

    Attributes
    ----------
    a, b : str
        The two diagnoses.
    p_a, p_b : float
        Their posteriors.
    weights : tuple
        ``(finding, state, decibans for A over B)`` for each finding.
    """

    a: str
    b: str
    p_a: float
    p_b: float
    weights: tuple[tuple[str, str, float], ...]  # (finding, state, decibans for A over B)

    def to_dict(self) -> dict[str, Any]:
        """``{"a", "b", "p_a", "p_b", "findings": [{"finding", "state", "decibans"}]}``."""
        return {
            "a": self.a,
            "b": self.b,
            "p_a": self.p_a,
            "p_b": self.p_b,
            "findings": [
                {"finding": f, "state": s, "decibans": _finite(d)} for f, s, d in self.weights
            ],
        }

    def table(self) -> Table:
        """The findings with their decibans for A over B."""
        return Table(
            (
                Column("finding"),
                Column("state"),
                Column("decibans", "+.1f", label=f"dB for {self.a}"),
            ),
            self.weights,
            caption=f"{self.a} ({self.p_a:.3f}) versus {self.b} ({self.p_b:.3f}):",
        )

    def _report(self) -> Report:
        return Report([self.table()])


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class Explanation(Rendered):
    """The reasoning behind a posterior, in numbers, words and pictures.

    Attributes
    ----------
    network : Network
    hypothesis : Hypothesis
    context : dict
        The prior-defining context (given or assumed), e.g. ``{"setting": "biopsy_referral"}``.
    findings : dict
        The observed findings, in the order entered.
    prior, posterior : float
        P(hypothesis | context) and P(hypothesis | context and findings).
    contributions : tuple of Contribution
    distribution : dict
        The posterior of the hypothesis' node.
    conflict : float or None
        conf(e) in natural-log units (None with fewer than two findings).
    what_if : tuple of WhatIf
    comparison : Comparison or None
    verdict : str or None
        The biopsy verdict, when the network has a decision section and the hypothesis is
        its target.
    next_test : str
        The best next test, described with its outcomes ("" if none).
    marginals : dict
        The posterior of every unobserved node (for the network picture).
    """

    network: Network = field(repr=False)
    hypothesis: Hypothesis
    context: dict[str, str]
    assumed: dict[str, str]
    findings: dict[str, str]
    prior: float
    posterior: float
    contributions: tuple[Contribution, ...]
    distribution: dict[str, float]
    conflict: float | None
    what_if: tuple[WhatIf, ...]
    comparison: Comparison | None
    verdict: str | None
    next_test: str

    # -------------------------------------------------------------- numbers
    prior_odds: float = 1.0
    posterior_odds: float = 1.0
    marginals: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    @property
    def total_decibans(self) -> float:
        """10 log10 of posterior odds over prior odds."""
        return decibans(ratio(self.posterior_odds, self.prior_odds))

    def conflict_reading(self) -> str:
        """A plain-language reading of the conflict measure."""
        if self.conflict is None:
            return "Conflict is not defined with fewer than two findings."
        if self.conflict > 0:
            return (
                f"conf = {self.conflict:.2f} > 0: the findings are less likely together "
                "than each on its own would suggest; they pull in different directions. "
                "Check for an error in the data, or a case the model does not cover "
                "well."
            )
        return (
            f"conf = {self.conflict:.2f} <= 0: the findings fit together (they are more "
            "likely together than apart), as they do when one diagnosis explains them."
        )

    def narrative(self) -> str:
        """A short text for trainees, quoting only computed numbers."""
        h = self.hypothesis.name
        ctx = (
            ", ".join(
                f"{v} = {s}" + (" (assumed)" if v in self.assumed else "")
                for v, s in self.context.items()
            )
            or "no context"
        )
        text = [f"Setting: {ctx}. Before any finding, P({h}) = {self.prior:.2f}."]
        if self.contributions:
            ranked = sorted(self.contributions, key=lambda c: -abs(c.decibans))[:3]
            moves = []
            for c in ranked:
                way = "for" if c.decibans > 0 else "against"
                moves.append(
                    f"{c.finding} = {c.state} (LR {c.lr:.2g}, {c.decibans:+.1f} dB, {way} {h})"
                )
            text.append(
                "The findings that moved it most, each given all the others: "
                + "; ".join(moves)
                + "."
            )
            text.append(
                f"With all {len(self.findings)} findings, P({h}) = "
                f"{self.posterior:.2f} ({self.total_decibans:+.1f} dB in all)."
            )
        else:
            text.append("No findings have been entered.")
        top = sorted(self.distribution.items(), key=lambda kv: -kv[1])[:3]
        text.append("Differential: " + ", ".join(f"{s} {p:.2f}" for s, p in top) + ".")
        if self.verdict:
            text.append(f"Decision: biopsy {self.verdict.replace('_', ' ')}.")
        if self.next_test:
            text.append(f"Next test: {self.next_test}.")
        if self.conflict is not None:
            text.append(
                ("The findings conflict" if self.conflict > 0 else "The findings fit together")
                + f" (conf {self.conflict:.2f})."
            )
        return " ".join(text)

    # -------------------------------------------------------------- views
    def to_dict(self) -> dict[str, Any]:
        """What ``bayesdx explain --json`` prints."""
        return {
            "network": self.network.id,
            "hypothesis": self.hypothesis.name,
            "hypothesis_note": self.hypothesis.note or None,
            "context": dict(self.context),
            "assumed": dict(self.assumed),
            "prior": self.prior,
            "posterior": self.posterior,
            "contributions": [
                {
                    "finding": c.finding,
                    "state": c.state,
                    "lr": _finite(c.lr),
                    "decibans": _finite(c.decibans),
                    "p_without": c.p_without,
                }
                for c in self.contributions
            ],
            "sequential": [
                {
                    "finding": c.finding,
                    "state": c.state,
                    "decibans": _finite(c.sequential_decibans),
                    "posterior": c.p_after,
                }
                for c in self.contributions
            ],
            "conflict": self.conflict,
            "conflict_reading": self.conflict_reading(),
            "what_if": [
                {
                    "finding": w.finding,
                    "observed": w.observed,
                    "state": w.state,
                    "p": w.p,
                    "verdict": w.verdict,
                }
                for w in self.what_if
            ],
            "comparison": self.comparison.to_dict() if self.comparison else None,
            "verdict": self.verdict,
            "narrative": self.narrative(),
            "disclaimer": DISCLAIMER,
        }

    def contribution_table(self) -> Table:
        """What each finding did: the table the text, the page and the frame show."""
        return Table(
            CONTRIBUTION_COLUMNS,
            [astuple(c) for c in self.contributions],
            note=CONTRIBUTION_NOTE,
            indent="",
        )

    def what_if_table(self) -> Table:
        """The posterior and verdict if a finding were not known or had another state."""
        return Table(WHAT_IF_COLUMNS, [astuple(w) for w in self.what_if], indent="")

    def _report(self) -> Report:
        h = self.hypothesis.name
        blocks: list[Lines | Table | Items] = [
            Lines([f"Network: {self.network.id}; hypothesis: {h}"]),
            Lines([f"Hypothesis {self.hypothesis.note}."] if self.hypothesis.note else []),
            Lines([f"Prior P({h}) = {self.prior:.3f}   posterior = {self.posterior:.3f}"]),
            self.contribution_table() if self.contributions else Lines([]),
            self.comparison.table() if self.comparison else Lines([]),
            Lines([self.conflict_reading()]),
            Lines([self.narrative()]),
        ]
        return Report(blocks, data=self.contribution_table())

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: state, LR, decibans (leave one out and sequential), posterior."""
        return self._report().frame()

    def __repr__(self) -> str:
        return f"<Explanation {self.hypothesis.name}: {self.prior:.3f} -> {self.posterior:.3f}>"

    def _repr_html_(self) -> str:
        """The page without its network picture (the waterfall and differential embedded)."""
        return explanation_html(self, standalone=False)

    def plot(self, *, kind: str = "waterfall", ax: Axes | None = None) -> Axes:
        """Draw ``waterfall`` (log-odds from prior to posterior), ``differential`` or ``network``.

        Parameters
        ----------
        kind : {"waterfall", "differential", "network"}
        ax : matplotlib.axes.Axes, optional
            Draw here; by default on a new figure.

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> import bayesdx
        >>> ex = bayesdx.explain(bayesdx.load_network("marrow_signal"), {"hb": 10.4})
        >>> ax = ex.plot(kind="differential")
        >>> ax.get_xlabel()
        'P(diagnosis | evidence)'
        >>> plt.close(ax.figure)
        """
        kinds = {
            "waterfall": explain_plots.waterfall,
            "differential": explain_plots.differential,
            "network": explain_plots.network_graph,
        }
        if kind not in kinds:
            raise ArgumentError(f"unknown plot kind {kind!r}; valid: {', '.join(kinds)}")
        return kinds[kind](self, ax=ax)

    def to_html(self) -> str:
        """One self-contained HTML page (pictures embedded) to hand out."""
        return explanation_html(self, standalone=True)
