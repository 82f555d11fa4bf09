"""The case library measures the network: published patients run through it as a user would.

The files are read by :mod:`bayesdx.io` (:func:`~bayesdx.io.load_cases`): one published
patient each, with the citation, the findings as reported and the final diagnosis.
:func:`validate_cases` runs every case through
the network, as a user would, and reports where the true diagnosis ranks, P(neoplasm) and
the biopsy verdict.

The cases are never used to set a number in a network file: they measure the network, they
do not build it. A network tuned on them would be measured against its own figures.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bayesdx.decision import recommend
from bayesdx.errors import ImpossibleEvidenceError, PolicyError
from bayesdx.io import Case, load_cases, readable_findings
from bayesdx.model import as_network
from bayesdx.validation._results import CaseResult, CaseValidation

if TYPE_CHECKING:
    from bayesdx.model import Network

__all__ = ["validate_cases"]

#: ``recommend`` without its parameter draws, where it has them: the verdict at the point
#: network is what the library measures (and the draws would cost time on every case)
_POINT: dict[str, Any] = {"draws": 0} if "draws" in inspect.signature(recommend).parameters else {}


def _rank(distribution: Mapping[str, float], state: str) -> int | None:
    """1 + the number of states strictly more probable (ties share the better rank)."""
    if state not in distribution:
        return None
    p = distribution[state]
    return 1 + sum(q > p for q in distribution.values())


def validate_cases(
    network: Network, cases: list[Case] | str | Path | None = None
) -> CaseValidation:
    """Run the case library through the network: rank of the true diagnosis, P(neoplasm), verdict.

    The cases are never used to set a number in the network: they measure it. Each case's
    findings (and its setting) are the evidence. A finding the network cannot read (an
    unknown variable or state, for example an id of a later edition of the network) is left
    out and listed with the case, never an error; a case whose evidence is impossible under
    the network is listed as such and left out of the summary.

    Parameters
    ----------
    network : Network
        A network with a ``decision`` section (its node is the diagnosis, its target group
        the neoplasms).
    cases : list of Case, or a folder, optional
        Default: the bundled library (:func:`load_cases`).

    Returns
    -------
    CaseValidation

    Raises
    ------
    PolicyError
        A network without a decision section.
    CaseFileError
        A malformed case file.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> result = validate_cases(load_network("marrow_signal"))
    >>> result.n == len(load_cases()), 0 <= result.top3 <= 1
    (True, True)
    """
    network = as_network(network)
    decision = network.spec.decision
    if decision is None:
        raise PolicyError(
            f"network '{network.id}' has no decision section (diagnosis node, target group, "
            "band); validating on cases needs one (see networks/FORMAT.md)"
        )
    if cases is None or isinstance(cases, str | Path):
        cases = load_cases(cases)
    node, members = decision.node, set(decision.members)
    states = set(network.states[node])
    band: tuple[float, float] | None = None
    results = []
    for case in cases:
        readable, unread = readable_findings(network, case)
        common: dict[str, Any] = {
            "id": case.id,
            "source": case.citation,
            "true_diagnosis": case.final_diagnosis,
            "unread": unread,
            "in_network": case.final_diagnosis in states,
            "neoplasm": case.final_diagnosis in members,
        }
        try:
            rec = recommend(network, readable, **_POINT)
        except ImpossibleEvidenceError:
            results.append(CaseResult(**common, impossible=True))
            continue
        band = band or (rec.policy.low, rec.policy.high)
        distribution = rec.posterior.distributions[node]
        results.append(
            CaseResult(
                **common,
                rank=_rank(distribution, case.final_diagnosis),
                p_neoplasm=rec.p,
                verdict=rec.verdict,
                leading=max(distribution, key=distribution.__getitem__),
                red_flags=rec.guideline.fired if rec.guideline else (),
                assumed=dict(rec.posterior.evidence.assumed),
            )
        )
    if band is None:
        low, high = decision.band
        band = (low, high)
    return CaseValidation(network=network.id, target=decision.target, band=band, cases=results)
