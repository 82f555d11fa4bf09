"""Write the calibration report: targets, simulated cohorts, reliability and decision curves.

``bayesdx calibrate --report calibration`` writes ``calibration/report.md`` and its pictures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from bayesdx.decision import evaluate_guideline
from bayesdx.display import DISCLAIMER, Column, Table, figure_axes
from bayesdx.errors import OutputFileError, PolicyError
from bayesdx.io import atomic_output
from bayesdx.model import sample_tables
from bayesdx.validation._cohort import score, simulate
from bayesdx.validation._metrics import Validation, validate
from bayesdx.validation._targets import CalibrationReport, calibrate

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from bayesdx.model import Network

__all__ = ["CohortStudy", "cohort_study", "write_report"]

#: what the simulated clinician knows: the step-1 work-up, chemical shift, and context
OBSERVED = (
    "age",
    "sex",
    "smoking",
    "obesity",
    "hb",
    "cytopenia",
    "monocytosis",
    "smear",
    "constitutional",
    "organomegaly",
    "m_protein",
    "calcium",
    "renal",
    "ldh",
    "chemical_shift",
)


@dataclass(frozen=True)
class CohortStudy:
    """Validation on a cohort from the network itself and on cohorts from 'true' networks."""

    point: Validation
    misspecified: list[Validation]
    n: int
    seed: int


def cohort_study(
    network: Network,
    n: int = 4000,
    true_draws: int = 3,
    seed: int = 2026,
    observed: tuple[str, ...] = OBSERVED,
) -> CohortStudy:
    """Score P(neoplasm) on simulated cohorts; the guideline rule rides along as a policy.

    The first cohort is drawn from the network itself (the model is right by construction);
    each further cohort is drawn from a network whose tables are one joint draw from the
    parameter uncertainty, and scored with the point network (the model is misspecified).
    """
    decision = network.spec.decision
    guideline = decision.guideline if decision is not None else None
    if decision is None or guideline is None:
        raise PolicyError(
            f"network {network.id} has no decision guideline: the cohort study scores one"
        )
    rule_of = guideline  # not None here: a name the closure below can rely on (mypy 1.10)
    node, members = decision.node, decision.members
    present = [v for v in observed if v in network.states]
    rng = np.random.default_rng(seed)

    def run(label: str, tables: dict | None) -> Validation:
        cohort = simulate(network, n, rng, tables=tables)
        y = cohort[node].isin(members).to_numpy()
        p = score(network, cohort, node, members, present)
        # one record per patient: variable name -> simulated state
        records = cast("list[dict[str, str]]", cohort[present].to_dict("records"))
        rule = np.array([evaluate_guideline(rule_of, r).verdict == "recommended" for r in records])
        return validate(label, y, p, {"guideline rule": rule})

    point = run("point network", None)
    mis = []
    for i in range(true_draws):
        tables = {k: t[0] for k, t in sample_tables(network, rng, 1).items()}
        mis.append(run(f"true network draw {i + 1}", tables))
    return CohortStudy(point=point, misspecified=mis, n=n, seed=seed)


def _save(ax: Axes, path: Path) -> None:
    # pyplot is imported lazily, only when a report with pictures is written
    import matplotlib.pyplot as plt

    fig = cast("Figure", ax.figure)
    fig.tight_layout()
    try:
        with atomic_output(path, binary=True) as fh:
            fig.savefig(fh, dpi=100, format="png")
    finally:
        plt.close(fig)


def _cohort_table(study: CohortStudy) -> Table:
    rows: list[Any] = [
        (v.label, v.prevalence, v.brier, v.auc) for v in [study.point, *study.misspecified]
    ]
    return Table(
        (
            Column("cohort"),
            Column("prevalence", ".3f"),
            Column("brier", ".4f", label="Brier"),
            Column("auc", ".3f", label="AUC"),
        ),
        rows,
    )


def write_report(
    network: Network,
    folder: str | Path,
    *,
    literature: str | Path | None = None,
    n: int = 4000,
    seed: int = 2026,
) -> Path:
    """Write ``report.md`` with its pictures into ``folder``; returns the report's path.

    Its tables are the results' own (:meth:`CalibrationReport.table`,
    :meth:`DecisionCurve.at`), written out as Markdown by the shared renderer.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFileError(f"cannot make the report folder {folder}: {exc.strerror}") from None
    report: CalibrationReport = calibrate(network, literature)
    decision = network.spec.decision
    _save(report.plot(), folder / "targets.png")
    lines = _targets_lines(network, report)
    if decision is None or decision.guideline is None:  # an imported network, for one
        lines += [
            "## Simulated cohorts and decision curves",
            "",
            f"Not computed: network `{network.id}` has no decision section with a guideline "
            "(networks/FORMAT.md, 'The decision section'), so there is no target group to "
            "score and no rule to compare.",
            "",
            f"*{DISCLAIMER}*",
            "",
        ]
        return _write_lines(folder / "report.md", lines)
    study = cohort_study(network, n=n, seed=seed)
    target = decision.target
    _, ax = figure_axes(None, (5, 5))
    for v in [study.point, *study.misspecified]:
        v.plot(ax=ax)
    ax.set_xlabel(f"predicted P({target})")
    ax.set_ylabel(f"observed share with {target}")
    ax.set_title("Reliability: cohorts from the network and from misspecified truths", fontsize=8)
    _save(ax, folder / "reliability.png")
    dc = study.point.decision_curve()
    _save(dc.plot(), folder / "decision_curve.png")
    lines += [
        f"## Simulated cohorts ({study.n} patients each, seed {study.seed})",
        "",
        "Patients are drawn from the network (biopsy-referral setting) and scored with "
        f"P({target}) given what a clinician would know after step 1 (context, blood "
        "tests, smear, M-protein, calcium, creatinine, LDH, chemical shift). The "
        "misspecified cohorts come from networks whose tables are one joint draw from the "
        "parameter uncertainty and are still scored with the point network.",
        "",
        *_cohort_table(study).markdown_lines(),
        "",
        "![reliability](reliability.png)",
        "",
        "## Decision curves (cohort from the network)",
        "",
        "Net benefit, Vickers and Elkin: NB(t) = TP/n - FP/n * t / (1 - t).",
        "",
        *dc.at((0.1, 0.2, 0.3, 0.4, *_band_edge(network), 0.6)).markdown_lines(),
        "",
        "![decision curve](decision_curve.png)",
        "",
        f"*{DISCLAIMER}*",
        "",
    ]
    return _write_lines(folder / "report.md", lines)


def _targets_lines(network: Network, report: CalibrationReport) -> list[str]:
    """The report's first part: the published targets, their table and picture."""
    lines = [
        f"# Calibration of `{network.id}`",
        "",
        "Generated by `bayesdx calibrate --report calibration`; do not edit by hand.",
        "",
        f"## Published targets: {report.passed} passed, {report.failed} failed",
        "",
        "Each network value is computed by exact inference (never read back from a table).",
        "",
        *(f"- {x}" for x in report.by_use_lines()),
        "",
        *report.table().markdown_lines(),
    ]
    if report.excluded:
        lines += ["", "Not counted: published figures the network deliberately departs from.", ""]
        lines += [f"- `{r.target.id}`: {r.target.exclude}" for r in report.excluded]
    return [*lines, "", "![targets](targets.png)", ""]


def _write_lines(path: Path, lines: list[str]) -> Path:
    with atomic_output(path) as fh:
        fh.write("\n".join(lines))
    return path


def _band_edge(network: Network) -> tuple[float, ...]:
    """The policy's upper edge, as a column of the decision-curve table (0.47 for marrow)."""
    decision = network.spec.decision
    return (decision.band[1],) if decision is not None else ()
