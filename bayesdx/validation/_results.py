"""What calibration and validation return, and how they are shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.display import Column, Lines, Rendered, Report, Table, figure_axes, finish

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from bayesdx.validation._targets import Target

__all__ = ["CalibrationReport", "DecisionCurve", "TargetResult"]


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

    def to_dict(self) -> dict[str, Any]:
        """What ``bayesdx calibrate --json`` prints."""
        return {
            "network": self.network,
            "targets": [r.to_dict() for r in self.counted],
            "passed": self.passed,
            "failed": self.failed,
            "excluded": [r.to_dict() | {"reason": r.target.exclude} for r in self.excluded],
        }

    def table(self) -> Table:
        """Every target with the network's value (text, HTML, Markdown and the frame)."""
        return Table(TARGET_COLUMNS, [r.row() for r in self.results])

    def _report(self) -> Report:
        blocks: list[Lines | Table] = [
            Lines([f"Calibration of {self.network}: {self.passed} passed, {self.failed} failed"]),
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
        """One row per target: id, quantity, model, published, interval, pass, source, excluded."""
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
