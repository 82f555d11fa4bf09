"""The local-cohort validation as one HTML page with its pictures.

``bayesdx validate --data cohort.csv --outcome dx --report DIR`` writes ``DIR/report.html``
with ``reliability.png``, ``roc.png`` and ``decision_curve.png`` beside it, each written
atomically (:func:`bayesdx.io.atomic_output`).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, cast

from bayesdx.display import DISCLAIMER
from bayesdx.errors import OutputFileError
from bayesdx.io import atomic_output
from bayesdx.validation._local import MIN_EVENTS, VERDICT_RULES, CohortValidation

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["write_cohort_report"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 62em; margin: 2em auto; color: #222;
       line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.6em 0; }
td, th { padding: 0.2em 0.7em; border-bottom: 1px solid #ddd; font-size: 0.92em; }
.warn { background: #fff3cd; border: 1px solid #e0c36a; padding: 0.6em 0.9em; }
.small { background: #f8d7da; border: 1px solid #d9a0a6; padding: 0.6em 0.9em; }
.ok { background: #e2f0e5; border: 1px solid #9cc5a6; padding: 0.6em 0.9em; }
.figs { display: flex; flex-wrap: wrap; gap: 1em; } .figs img { width: 30em; max-width: 100%; }
.note { color: #555; font-size: 0.9em; }
"""


def _save(ax: Axes, path: Path, inputs: tuple[str, ...]) -> None:
    # pyplot is imported lazily, only when a report with pictures is written
    import matplotlib.pyplot as plt

    fig = cast("Figure", ax.figure)
    fig.tight_layout()
    try:
        with atomic_output(path, binary=True, inputs=inputs) as fh:
            fig.savefig(fh, dpi=100, format="png")
    finally:
        plt.close(fig)


def write_cohort_report(
    result: CohortValidation, folder: str | Path, *, inputs: tuple[str, ...] = ()
) -> Path:
    """Write ``report.html`` and its pictures into ``folder``; returns the page's path.

    Parameters
    ----------
    result : CohortValidation
    folder : path
        Made if missing.
    inputs : tuple of str
        Files the outputs may not replace.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFileError(f"cannot make the report folder {folder}: {exc.strerror}") from None
    _save(result.plot(), folder / "reliability.png", inputs)
    _save(result.plot_roc(), folder / "roc.png", inputs)
    _save(result.plot_decision_curve(), folder / "decision_curve.png", inputs)
    esc = html.escape
    warn = "".join(f"<p class='warn'>{esc(x)}</p>" for x in result.honesty_lines())
    verdict_class = "small" if result.too_small else "ok"
    rules = "".join(
        f"<li><b>{esc(rule)}</b>: the verdict is {esc(' or '.join(v.replace('_', ' ') for v in positive))}</li>"  # noqa: E501
        for rule, positive in VERDICT_RULES.items()
    )
    kind = (
        "diagnosis ids (states of the decision node)"
        if result.kind == "diagnosis"
        else f"1/0 for {result.target}"
    )
    unknown = (
        f" {result.unknown} patients have no outcome and are not in the figures."
        if result.unknown
        else ""
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{esc(result.network)} on {esc(Path(result.data).name)}</title>
<style>{_STYLE}</style></head><body>
<h1>How {esc(result.network)} does on {esc(Path(result.data).name)}</h1>
{warn}
<p class="{verdict_class}">{esc(result.verdict_line())}</p>
<p>{result.n} patients with an outcome (column <code>{esc(result.outcome)}</code>: {esc(kind)}),
{result.events} with {esc(result.target)}.{esc(unknown)} Each patient was scored from the
findings alone (missing findings unobserved); the outcome was never evidence.
Intervals: 95% percentile bootstrap, {result.bootstrap} resamples of the patients,
seed {result.seed}.</p>
<h2>Discrimination, calibration, the biopsy verdict</h2>
{result.table().html()}
<p class="note">Calibration slope: <i>b</i> in logit P(y) = <i>a</i> + <i>b</i> logit p
(below 1: predictions too extreme). Calibration intercept (in the large): <i>a</i> in
logit P(y) = <i>a</i> + logit p (above 0: the network underestimates). Verdict rules
(network policy, band {result.band[0]:.2f} to {result.band[1]:.2f}, with the guideline's
safety net):</p><ul class="note">{rules}</ul>
<div class="figs"><img src="reliability.png" alt="reliability diagram">
<img src="roc.png" alt="ROC curve"></div>
<h2>Net benefit</h2>
{result.net_benefit_table().html()}
<div class="figs"><img src="decision_curve.png" alt="decision curve"></div>
<h2>How to read it</h2>
<p class="note">Too small for a conclusion means fewer than {MIN_EVENTS} patients with
{esc(result.target)} or fewer than {MIN_EVENTS} without (Collins GS, Ogundimu EO, Altman DG.
Stat Med 2016;35:214-26 found at least 100 events needed to validate a prediction model).
Net benefit follows Vickers and Elkin (Med Decis Making 2006;26:565-74).</p>
<p><small>{esc(DISCLAIMER)}</small></p>
</body></html>
"""
    path = folder / "report.html"
    with atomic_output(path, inputs=inputs) as fh:
        fh.write(page)
    return path
