"""What calibration and validation return, and how they are shown."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from bayesdx.validation._targets import Target

from typing import TYPE_CHECKING

import numpy as np

from bayesdx.display import stamp

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["CalibrationReport", "DecisionCurve", "TargetResult"]


@dataclass(frozen=True)
class TargetResult:
    """A target with the network's value."""

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


@dataclass(frozen=True)
class CalibrationReport:
    """Every target with the network's value, pass or fail."""

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

    def to_frame(self) -> pd.DataFrame:
        """One row per target."""
        import pandas as pd

        return pd.DataFrame(
            [
                r.to_dict()
                | {"interval_lo": r.target.interval[0], "interval_hi": r.target.interval[1]}
                for r in self.results
            ]
        ).drop(columns=["interval"])

    def __str__(self) -> str:
        lines = [f"Calibration of {self.network}: {self.passed} passed, {self.failed} failed", ""]
        for r in self.results:
            lo, hi = r.target.interval
            mark = "n/a " if r.target.exclude else ("pass" if r.passed else "FAIL")
            lines.append(
                f"  {mark}  {r.target.id:<34} model {r.model:.3f}  published "
                f"{r.target.published:.3f}  interval {lo:.3f}-{hi:.3f}  "
                f"[{r.target.source}]"
            )
        if self.excluded:
            lines += ["", "Not counted (the network deliberately departs from these figures):"]
            lines += [f"  {r.target.id}: {r.target.exclude}" for r in self.excluded]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "".join(
            f"<tr><td>{esc(r.target.id)}</td><td>{r.model:.3f}</td><td>{r.target.published:.3f}"
            f"</td><td>{r.target.interval[0]:.3f}-{r.target.interval[1]:.3f}</td>"
            f"<td>{'pass' if r.passed else '<b>FAIL</b>'}</td><td>{esc(r.target.source)}</td>"
            "</tr>"
            for r in self.results
        )
        return (
            f"<table><caption>{self.passed} passed, {self.failed} failed</caption><tr>"
            "<th>target</th><th>model</th><th>published</th><th>interval</th><th></th>"
            f"<th>source</th></tr>{rows}</table>"
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Each target's interval with the network's value (red when it misses).

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.32 * len(self.results) + 1.2))
        for i, r in enumerate(self.results[::-1]):
            lo, hi = r.target.interval
            ax.plot([lo, hi], [i, i], color="0.5", linewidth=3)
            ax.plot([r.target.published], [i], "|", color="0.2", markersize=10)
            color = "0.6" if r.target.exclude else ("#55a868" if r.passed else "#c44e52")
            ax.plot([r.model], [i], "o", color=color)
        ax.set_yticks(
            range(len(self.results)), [r.target.id for r in self.results[::-1]], fontsize=7
        )
        ax.set_xlim(0, 1)
        ax.set_xlabel("probability: published interval (grey), published value (|), network (o)")
        ax.set_title(
            f"{self.network}: {self.passed} of {len(self.results)} targets reproduced", fontsize=9
        )
        return ax


@dataclass(frozen=True)
class DecisionCurve:
    """Net benefit of several biopsy policies over threshold probabilities."""

    thresholds: np.ndarray
    curves: dict[str, np.ndarray]

    def to_frame(self) -> pd.DataFrame:
        """One row per (policy, threshold)."""
        import pandas as pd

        return pd.DataFrame(
            [
                (name, float(t), float(nb))
                for name, values in self.curves.items()
                for t, nb in zip(self.thresholds, values, strict=True)
            ],
            columns=["policy", "threshold", "net_benefit"],
        )

    def to_dict(self) -> dict[str, Any]:
        """``{"thresholds": [...], "curves": {policy: [...]}}``."""
        return {
            "thresholds": self.thresholds.tolist(),
            "curves": {k: v.tolist() for k, v in self.curves.items()},
        }

    def plot(self, ax: Axes | None = None) -> Axes:
        """Net benefit against threshold probability, one line per policy."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        styles = {"biopsy all": ("0.5", "--"), "biopsy none": ("0.2", ":")}
        for name, values in self.curves.items():
            color, ls = styles.get(name, (None, "-"))
            ax.plot(self.thresholds, values, ls, color=color, label=name)
        top = max(float(np.max(v)) for v in self.curves.values())
        ax.set_ylim(-0.05, top + 0.05)
        ax.set_xlabel("threshold probability")
        ax.set_ylabel("net benefit")
        ax.legend(fontsize=7)
        stamp(ax)
        return ax
