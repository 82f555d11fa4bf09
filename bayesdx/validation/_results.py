"""What calibration and validation return, and how they are shown."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.display import (
    DISCLAIMER,
    Column,
    Lines,
    Rendered,
    Report,
    Table,
    figure_axes,
    finish,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from bayesdx.validation._targets import Target

__all__ = [
    "CalibrationReport",
    "CaseResult",
    "CaseValidation",
    "DecisionCurve",
    "TargetResult",
]


def _pass(passed: bool | None) -> str:
    return "not counted" if passed is None else ("yes" if passed else "NO")


#: a target and the network's value: text, HTML, Markdown and frame alike
TARGET_COLUMNS = (
    Column("id", label="target"),
    Column("quantity", show=False),
    Column("model", ".3f"),
    Column("published", ".3f"),
    Column("interval_lo", ".3f", label="low"),
    Column("interval_hi", ".3f", label="high"),
    Column("pass", _pass),
    Column("use", lambda u: u.replace("_", " ")),
    Column("source"),
    Column("excluded", show=False),
)


@dataclass(frozen=True)
class TargetResult(Rendered):
    """A target with the network's value.

    Attributes
    ----------
    target : Target
        The published figure, its interval and source.
    model : float
        The network's value, computed by inference.
    """

    target: Target
    model: float

    @property
    def passed(self) -> bool:
        """Whether the network's value lies in the target's interval."""
        lo, hi = self.target.interval
        return lo <= self.model <= hi

    def to_dict(self) -> dict[str, Any]:
        """One item of ``targets`` in ``bayesdx calibrate --json``."""
        t = self.target
        return {
            "id": t.id,
            "quantity": t.quantity,
            "source": t.source,
            "published": t.published,
            "model": self.model,
            "interval": list(t.interval),
            "pass": self.passed,
            "use": t.use,
        }

    def row(self) -> tuple[Any, ...]:
        """The values under :data:`TARGET_COLUMNS` (``pass`` None when not counted)."""
        t = self.target
        return (
            t.id,
            t.quantity,
            self.model,
            t.published,
            *t.interval,
            None if t.exclude else self.passed,
            t.use,
            t.source,
            t.exclude or None,
        )

    def _report(self) -> Report:
        return Report([Table(TARGET_COLUMNS, [self.row()])], disclaimer=False)


@dataclass(frozen=True)
class CalibrationReport(Rendered):
    """Every target with the network's value, pass or fail.

    Attributes
    ----------
    network : str
        The network id.
    results : list of TargetResult
        Every target, counted or not.
    """

    network: str
    results: list[TargetResult]

    @property
    def counted(self) -> list[TargetResult]:
        """The targets that count (not excluded)."""
        return [r for r in self.results if not r.target.exclude]

    @property
    def excluded(self) -> list[TargetResult]:
        """Figures the network deliberately departs from, with the reason."""
        return [r for r in self.results if r.target.exclude]

    @property
    def passed(self) -> int:
        """Number of counted targets whose interval contains the network's value."""
        return sum(r.passed for r in self.counted)

    @property
    def failed(self) -> int:
        """Number of counted targets missed."""
        return len(self.counted) - self.passed

    def by_use(self, use: str) -> dict[str, int]:
        """``{"passed", "failed"}`` among the counted targets of one use (``set``, ``held_out``).

        ``set``: a number of the network was set from the figure; ``held_out``: none was.
        """
        results = [r for r in self.counted if r.target.use == use]
        passed = sum(r.passed for r in results)
        return {"passed": passed, "failed": len(results) - passed}

    def to_dict(self) -> dict[str, Any]:
        """What ``bayesdx calibrate --json`` prints.

        ``passed`` and ``failed`` count every counted target; ``set`` and ``held_out`` count
        them apart by use.
        """
        return {
            "network": self.network,
            "targets": [r.to_dict() for r in self.counted],
            "passed": self.passed,
            "failed": self.failed,
            "set": self.by_use("set"),
            "held_out": self.by_use("held_out"),
            "excluded": [r.to_dict() | {"reason": r.target.exclude} for r in self.excluded],
        }

    def by_use_lines(self) -> list[str]:
        """The counted targets by use, one line each (text and report.md)."""
        set_, held = self.by_use("set"), self.by_use("held_out")
        return [
            f"Set from these figures: {set_['passed']} passed, {set_['failed']} failed "
            "(a check of how the tables combine, not of the network)",
            f"Held out (no number set from them): {held['passed']} passed, {held['failed']} failed",
        ]

    def table(self) -> Table:
        """Every target with the network's value (text, HTML, Markdown and the frame)."""
        return Table(TARGET_COLUMNS, [r.row() for r in self.results])

    def _report(self) -> Report:
        blocks: list[Lines | Table] = [
            Lines(
                [
                    f"Calibration of {self.network}: {self.passed} passed, {self.failed} failed",
                    *(f"  {x}" for x in self.by_use_lines()),
                ]
            ),
            self.table(),
        ]
        if self.excluded:
            blocks.append(
                Lines(
                    ["Not counted (the network deliberately departs from these figures):"]
                    + [f"  {r.target.id}: {r.target.exclude}" for r in self.excluded]
                )
            )
        return Report(blocks, disclaimer=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per target: id, quantity, model, published, interval, pass, use, source,
        excluded."""
        return self._report().frame()

    def plot(self, *, ax: Axes | None = None) -> Axes:
        """Each target's interval with the network's value (red when it misses).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw here; by default on a new figure.

        Returns
        -------
        matplotlib.axes.Axes
        """
        # matplotlib itself is imported lazily, inside figure_axes, only when a plot is drawn
        _, ax = figure_axes(ax, (7, 0.32 * len(self.results) + 1.8))
        labels = {
            "interval": "published interval",
            "published": "published value",
            "#55a868": "network, in the interval",
            "#c44e52": "network, outside it",
            "0.6": "network, not counted",
        }

        def once(key: str) -> str:  # one legend entry per kind of mark
            return labels.pop(key, "_")

        for i, r in enumerate(self.results[::-1]):
            lo, hi = r.target.interval
            ax.plot([lo, hi], [i, i], color="0.5", linewidth=3, label=once("interval"))
            ax.plot([r.target.published], [i], "|", color="0.2", markersize=10,
                    label=once("published"))  # fmt: skip
            color = "0.6" if r.target.exclude else ("#55a868" if r.passed else "#c44e52")
            ax.plot([r.model], [i], "o", color=color, label=once(color))
        ax.set_yticks(
            range(len(self.results)), [r.target.id for r in self.results[::-1]], fontsize=7
        )
        ax.set_xlim(-0.02, 1.02)  # a mark at 0 or 1 is drawn whole
        ax.set_xlabel("probability")
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.5 / len(self.results) - 0.04),
            fontsize=7, ncol=3, frameon=False,
        )  # fmt: skip
        return finish(
            ax,
            f"{self.network}: {self.passed} of {len(self.counted)} counted targets reproduced",
            disclaimer=False,  # about the network, not a patient
        )


@dataclass(frozen=True)
class DecisionCurve(Rendered):
    """Net benefit of several biopsy policies over threshold probabilities.

    Attributes
    ----------
    thresholds : numpy.ndarray
        The threshold probabilities.
    curves : dict
        ``{policy: net benefit at each threshold}``.
    """

    thresholds: np.ndarray
    curves: dict[str, np.ndarray]

    def at(self, thresholds: Sequence[float] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)) -> Table:
        """Net benefit of each policy at a few thresholds (the nearest computed ones)."""
        near = [int(np.argmin(np.abs(self.thresholds - t))) for t in thresholds]
        return Table(
            (
                Column("policy"),
                *(Column(f"t = {t:g}", ".3f") for t in thresholds),
            ),
            [(name, *(float(values[k]) for k in near)) for name, values in self.curves.items()],
        )

    def _report(self) -> Report:
        rows = [
            (name, float(t), float(nb))
            for name, values in self.curves.items()
            for t, nb in zip(self.thresholds, values, strict=True)
        ]
        data = Table((Column("policy"), Column("threshold"), Column("net_benefit")), rows)
        return Report(
            [Lines(["Net benefit, NB(t) = TP/n - FP/n * t / (1 - t):"]), self.at()],
            disclaimer=False,
            data=data,
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per (policy, threshold)."""
        return self._report().frame()

    def to_dict(self) -> dict[str, Any]:
        """``{"thresholds": [...], "curves": {policy: [...]}}``."""
        return {
            "thresholds": self.thresholds.tolist(),
            "curves": {k: v.tolist() for k, v in self.curves.items()},
        }

    def plot(self, *, ax: Axes | None = None) -> Axes:
        """Net benefit against threshold probability, one line per policy.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw here; by default on a new figure.

        Returns
        -------
        matplotlib.axes.Axes
        """
        # matplotlib itself is imported lazily, inside figure_axes, only when a plot is drawn
        _, ax = figure_axes(ax, (6, 4))
        styles = {"biopsy all": ("0.5", "--"), "biopsy none": ("0.2", ":")}
        for name, values in self.curves.items():
            color, ls = styles.get(name, (None, "-"))
            ax.plot(self.thresholds, values, ls, color=color, label=name)
        top = max(float(np.max(v)) for v in self.curves.values())
        ax.set_ylim(-0.05, top + 0.05)
        ax.set_xlabel("threshold probability")
        ax.set_ylabel("net benefit")
        ax.legend(fontsize=7)
        return finish(ax, "Decision curves")


def _verdict(verdict: str | None) -> str:
    return "" if verdict is None else verdict.replace("_", " ")


def _listed(values: Iterable[str]) -> str:
    return ", ".join(values)


#: one case of the library: text, HTML and frame alike
CASE_COLUMNS = (
    Column("id", label="case"),
    Column("source", show=False),
    Column("true_diagnosis", label="true diagnosis"),
    Column("group"),
    Column("rank", "d"),
    Column("leading"),
    Column("p_neoplasm", ".3f", label="P"),
    Column("verdict", _verdict),
    Column("red_flags", _listed, label="red flags"),
    Column("unread", _listed, show=False),
)


@dataclass(frozen=True)
class CaseResult(Rendered):
    """One published case run through the network.

    Attributes
    ----------
    id, source, true_diagnosis : str
        The case, its citation and its final diagnosis.
    unread : tuple of str
        ``variable=value`` for each finding the network cannot read (left out).
    in_network : bool
        Whether the network has the true diagnosis as a state.
    neoplasm : bool
        Whether the true diagnosis is in the decision's target group.
    impossible : bool
        The readable findings have probability zero under the network (no posterior).
    rank : int or None
        Rank of the true diagnosis in the posterior (1 = most probable; ties share the
        better rank); None when the network lacks the diagnosis or the case is impossible.
    p_neoplasm : float or None
        P(target group | findings).
    verdict : str or None
        The biopsy verdict of :func:`bayesdx.recommend`.
    leading : str or None
        The most probable diagnosis.
    red_flags : tuple of str
        The guideline rules that fired.
    assumed : dict
        Defaults the network assumed (a setting the case did not give, or gave unreadably).
    """

    id: str
    source: str
    true_diagnosis: str
    unread: tuple[str, ...]
    in_network: bool
    neoplasm: bool
    impossible: bool = False
    rank: int | None = None
    p_neoplasm: float | None = None
    verdict: str | None = None
    leading: str | None = None
    red_flags: tuple[str, ...] = ()
    assumed: dict[str, str] = field(default_factory=dict)

    @property
    def group(self) -> str:
        """``neoplasm``, ``other`` (a state outside the group) or ``not in network``."""
        if self.neoplasm:
            return "neoplasm"
        return "other" if self.in_network else "not in network"

    def to_dict(self) -> dict[str, Any]:
        """One item of ``cases`` in :meth:`CaseValidation.to_dict`."""
        return {
            "id": self.id,
            "source": self.source,
            "true_diagnosis": self.true_diagnosis,
            "rank": self.rank,
            "p_neoplasm": self.p_neoplasm,
            "verdict": self.verdict,
            "unread": list(self.unread),
        }

    def row(self) -> tuple[Any, ...]:
        """The values under :data:`CASE_COLUMNS`."""
        return (
            self.id,
            self.source,
            self.true_diagnosis,
            self.group,
            self.rank,
            self.leading,
            self.p_neoplasm,
            "impossible evidence" if self.impossible else self.verdict,
            self.red_flags,
            self.unread,
        )

    def _report(self) -> Report:
        blocks: list[Lines | Table] = [Table(CASE_COLUMNS, [self.row()])]
        if self.unread:
            blocks.append(Lines([f"Not read by the network (left out): {_listed(self.unread)}"]))
        return Report(blocks)


def _share(k: int, n: int) -> float | None:
    return k / n if n else None


@dataclass(frozen=True)
class CaseValidation(Rendered):
    """The case library run through a network: rank of the true diagnosis, P(target), verdict.

    The cases measure the network; none was used to set a number in it.

    Attributes
    ----------
    network : str
        The network id.
    target : str
        The decision's target group (``neoplasm``).
    band : tuple of float
        The policy's lower and upper edge (equal for a single threshold).
    cases : list of CaseResult
        Every case of the library, in file order.
    """

    network: str
    target: str
    band: tuple[float, float]
    cases: list[CaseResult]

    @property
    def n(self) -> int:
        """Number of cases read."""
        return len(self.cases)

    @property
    def ranked(self) -> list[CaseResult]:
        """The cases whose true diagnosis the network has (and whose evidence is possible)."""
        return [c for c in self.cases if c.rank is not None]

    @property
    def top1(self) -> float | None:
        """Share of the ranked cases whose true diagnosis is the most probable."""
        return _share(sum(c.rank == 1 for c in self.ranked), len(self.ranked))

    @property
    def top3(self) -> float | None:
        """Share of the ranked cases whose true diagnosis is among the three most probable."""
        return _share(
            sum(c.rank is not None and c.rank <= 3 for c in self.ranked), len(self.ranked)
        )

    @property
    def neoplasms(self) -> list[CaseResult]:
        """Cases whose true diagnosis is in the target group (evidence possible)."""
        return [c for c in self.cases if c.neoplasm and not c.impossible]

    @property
    def neoplasms_not_refused(self) -> float | None:
        """Share of :attr:`neoplasms` whose verdict is not ``not_recommended``."""
        ok = sum(c.verdict != "not_recommended" for c in self.neoplasms)
        return _share(ok, len(self.neoplasms))

    def summary(self) -> dict[str, Any]:
        """``summary`` of :meth:`to_dict` (shares as fractions; None with no case to count)."""
        flagged = [c for c in self.cases if c.red_flags]
        return {
            "n": self.n,
            "top1": self.top1,
            "top3": self.top3,
            "neoplasms": len(self.neoplasms),
            "neoplasms_not_refused": self.neoplasms_not_refused,
            "ranked": len(self.ranked),
            "not_in_network": [c.id for c in self.cases if not c.in_network],
            "impossible": [c.id for c in self.cases if c.impossible],
            "red_flags": len(flagged),
            "neoplasms_red_flag_refused": [
                c.id for c in flagged if c.neoplasm and c.verdict == "not_recommended"
            ],
            "unread_findings": sum(len(c.unread) for c in self.cases),
        }

    def to_dict(self) -> dict[str, Any]:
        """``{"cases": [...], "summary": {...}, "disclaimer"}`` (what ``validate --json`` prints).

        ``top1`` and ``top3`` are shares of the cases whose true diagnosis the network has
        (``ranked``); ``neoplasms_not_refused`` is a share of ``neoplasms``.
        """
        return {
            "cases": [c.to_dict() for c in self.cases],
            "summary": self.summary(),
            "disclaimer": DISCLAIMER,
        }

    def table(self) -> Table:
        """Every case (text, HTML, Markdown and the frame)."""
        return Table(CASE_COLUMNS, [c.row() for c in self.cases])

    def _report(self) -> Report:
        s = self.summary()

        def share(value: float | None, k: int) -> str:
            return "n/a" if value is None else f"{value:.2f} ({round(value * k)} of {k})"

        head = [
            f"Case library on {self.network}: {self.n} published cases. The cases measure the "
            "network; none was used to set a number in it.",
            f"True diagnosis ranked (a state of the network) in {s['ranked']} of {self.n}: "
            f"top-1 {share(self.top1, s['ranked'])}, top-3 {share(self.top3, s['ranked'])}",
            f"Neoplasms: {s['neoplasms']}; not refused biopsy (verdict not 'not recommended'): "
            f"{share(self.neoplasms_not_refused, s['neoplasms'])}",
            f"Red flag (a guideline rule fired): {s['red_flags']} cases; neoplasms with a red "
            f"flag refused biopsy: {_listed(s['neoplasms_red_flag_refused']) or 'none'}",
            f"P = P({self.target}); band {self.band[0]:.2f}-{self.band[1]:.2f}.",
        ]
        notes = []
        if s["not_in_network"]:
            notes.append(
                "True diagnosis not a state of the network (not ranked): "
                + _listed(f"{c.id} ({c.true_diagnosis})" for c in self.cases if not c.in_network)
            )
        if s["impossible"]:
            notes.append("Impossible evidence (left out): " + _listed(s["impossible"]))
        assumed: dict[str, int] = {}
        for c in self.cases:
            for var, state in c.assumed.items():
                assumed[f"{var}={state}"] = assumed.get(f"{var}={state}", 0) + 1
        if assumed:
            notes.append(
                "Assumed (the network's defaults): "
                + _listed(f"{k} in {n} cases" for k, n in assumed.items())
            )
        unread = [c for c in self.cases if c.unread]
        if unread:
            notes.append("Findings the network cannot read (left out):")
            notes += [f"  {c.id}: {_listed(c.unread)}" for c in unread]
        return Report([Lines(head), self.table(), Lines(notes)])

    def to_frame(self) -> pd.DataFrame:
        """One row per case: id, source, true diagnosis, group, rank, leading, P, verdict, ..."""
        return self._report().frame()

    def plot(self, *, ax: Axes | None = None) -> Axes:
        """P(target) of each case, neoplasms and the others apart, against the decision band.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw here; by default on a new figure.

        Returns
        -------
        matplotlib.axes.Axes
        """
        shown = [c for c in self.cases if c.p_neoplasm is not None]
        order = {"neoplasm": 0, "other": 1, "not in network": 2}
        shown.sort(key=lambda c: (order[c.group], -(c.p_neoplasm or 0.0)))
        # matplotlib itself is imported lazily, inside figure_axes, only when a plot is drawn
        _, ax = figure_axes(ax, (7, 0.28 * len(shown) + 1.8))
        low, high = self.band
        if high > low:
            ax.axvspan(low, high, color="0.85", label="decision band")
        else:
            ax.axvline(high, color="0.5", linestyle="--", label="threshold")
        colors = {"neoplasm": "#c44e52", "other": "#4c72b0", "not in network": "0.6"}
        labels = {
            "neoplasm": f"true diagnosis: {self.target}",
            "other": "true diagnosis: other",
            "not in network": "true diagnosis not in the network",
        }
        rows = shown[::-1]
        for i, c in enumerate(rows):
            marker = "x" if c.verdict == "not_recommended" else "o"
            ax.plot([c.p_neoplasm or 0.0], [i], marker, color=colors[c.group])
            if i and rows[i - 1].group != c.group:  # a line between the groups
                ax.axhline(i - 0.5, color="0.8", linewidth=0.8)
        for group in dict.fromkeys(c.group for c in shown):  # the legend: one entry per kind
            ax.plot([], [], "o", color=colors[group], label=labels[group])
        ax.plot([], [], "x", color="0.3", label="biopsy not recommended")
        ax.set_yticks(range(len(shown)), [c.id for c in shown[::-1]], fontsize=7)
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel(f"P({self.target})")
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.6 / max(len(shown), 1) - 0.06),
            fontsize=7, ncol=2, frameon=False,
        )  # fmt: skip
        return finish(ax, f"{self.network}: P({self.target}) on {self.n} published cases")
