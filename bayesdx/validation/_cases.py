"""The case library: published patients that measure the network.

Each file of ``calibration/cases/`` is one published patient with diffuse or heterogeneous
marrow signal on MRI: the citation, the findings as reported, and the final diagnosis
(format: ``calibration/cases/README.md``). :func:`validate_cases` runs every case through
the network, as a user would, and reports where the true diagnosis ranks, P(neoplasm) and
the biopsy verdict.

The cases are never used to set a number in a network file: they measure the network, they
do not build it. A network tuned on them would be measured against its own figures.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bayesdx.decision import recommend
from bayesdx.errors import (
    CaseFileError,
    ImpossibleEvidenceError,
    NetworkFileError,
    PolicyError,
    RawValueError,
    UnknownStateError,
    UnknownVariableError,
)
from bayesdx.io import package_data, read_yaml
from bayesdx.model import as_network, normalise, shown
from bayesdx.validation._results import CaseResult, CaseValidation

if TYPE_CHECKING:
    from bayesdx.model import Network

__all__ = ["Case", "default_cases_path", "load_cases", "validate_cases"]

#: ``recommend`` without its parameter draws, where it has them: the verdict at the point
#: network is what the library measures (and the draws would cost time on every case)
_POINT: dict[str, Any] = {"draws": 0} if "draws" in inspect.signature(recommend).parameters else {}

_REQUIRED = ("id", "source", "findings", "final_diagnosis")


@dataclass(frozen=True)
class Case:
    """One published patient of the case library.

    Attributes
    ----------
    id : str
        The file name without ``.yaml``.
    source : dict
        The citation as written in the file (authors, title, journal, year, doi, url).
    findings : dict
        Variable -> state or raw value, as reported (unreported findings are absent).
    final_diagnosis : str
        An id of the diagnosis vocabulary (first or second edition).
    setting : str or None
        Why the patient was imaged, as the library reads it (``symptomatic``,
        ``biopsy_referral``, ``incidental``).
    diagnosis_as_reported : str
        The diagnosis in the source's words.
    path : str
        The file read.
    """

    id: str
    source: dict[str, Any]
    findings: dict[str, Any]
    final_diagnosis: str
    setting: str | None = None
    diagnosis_as_reported: str = ""
    path: str = ""

    @property
    def citation(self) -> str:
        """``Authors. Journal, year. doi:...`` (or the URL when there is no DOI).

        Examples
        --------
        >>> Case("x", {"authors": "Poe LB", "journal": "Radsource", "year": 2010,
        ...            "doi": None, "url": "http://radsource.us"}, {}, "cml").citation
        'Poe LB. Radsource, 2010. http://radsource.us'
        """
        s = self.source
        head = ". ".join(str(s[k]) for k in ("authors", "journal") if s.get(k))
        year = f", {s['year']}" if s.get("year") else ""
        where = f"doi:{s['doi']}" if s.get("doi") else str(s.get("url") or "")
        return f"{head}{year}. {where}".strip()


def default_cases_path() -> Path:
    """``calibration/cases/`` shipped with the package (beside the calibration targets)."""
    return package_data("bayesdx.calibration_data", "calibration") / "cases"


def _read_case(path: Path) -> Case:
    """One case file, its required fields checked (an error names the file and the field)."""
    name = str(path)
    try:
        raw = read_yaml(path)
    except NetworkFileError as exc:  # the strict YAML reader names a network file
        raise CaseFileError(f"case file {name}: {exc.message}") from None
    if not isinstance(raw, Mapping):
        raise CaseFileError(f"case file {name}: expected a mapping with {', '.join(_REQUIRED)}")
    for key in _REQUIRED:
        if key not in raw:
            raise CaseFileError(f"case file {name}: missing required field {key}")
    if not isinstance(raw["id"], str) or not raw["id"].strip():
        raise CaseFileError(f"case file {name}: id: expected text, got {shown(raw['id'])}")
    if not isinstance(raw["source"], Mapping):
        raise CaseFileError(
            f"case file {name}: source: expected a mapping (authors, title, journal, year, "
            "doi, url)"
        )
    findings = raw["findings"] if raw["findings"] is not None else {}
    if not isinstance(findings, Mapping) or not all(isinstance(k, str) for k in findings):
        raise CaseFileError(
            f"case file {name}: findings: expected a mapping of variables to values"
        )
    diagnosis = raw["final_diagnosis"]
    if not isinstance(diagnosis, str) or not diagnosis.strip():
        raise CaseFileError(
            f"case file {name}: final_diagnosis: expected a diagnosis id, got {shown(diagnosis)}"
        )
    setting = raw.get("setting")
    if setting is not None and not isinstance(setting, str):
        raise CaseFileError(f"case file {name}: setting: expected a state id, got {shown(setting)}")
    reported = raw.get("diagnosis_as_reported") or ""
    return Case(
        id=raw["id"].strip(),
        source=dict(raw["source"]),
        findings=dict(findings),
        final_diagnosis=diagnosis.strip(),
        setting=setting,
        diagnosis_as_reported=" ".join(str(reported).split()),
        path=name,
    )


def load_cases(folder: str | Path | None = None) -> list[Case]:
    """Read every case file (``*.yaml``) of a folder, sorted by file name.

    Parameters
    ----------
    folder : str or Path, optional
        Default: the bundled library, :func:`default_cases_path`.

    Returns
    -------
    list of Case

    Raises
    ------
    CaseFileError
        A missing folder, a malformed case file, or two files with the same id.

    Examples
    --------
    >>> cases = load_cases()
    >>> len(cases) >= 14 and all(c.final_diagnosis for c in cases)
    True
    """
    folder = Path(folder) if folder is not None else default_cases_path()
    if not folder.is_dir():
        raise CaseFileError(f"cannot read the case folder {folder}: not a folder")
    cases = [_read_case(p) for p in sorted(folder.glob("*.yaml"))]
    seen: dict[str, str] = {}
    for c in cases:
        if c.id in seen:
            raise CaseFileError(f"case files {seen[c.id]} and {c.path} have the same id {c.id}")
        seen[c.id] = c.path
    return cases


def _readable(network: Network, case: Case) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The findings the network can read, and the others as ``variable=value``.

    The case's ``setting`` is read as evidence on the network's ``setting`` node when the
    network has that node and state (otherwise it is unread, and the network's default is
    assumed and reported as assumed).
    """
    items = dict(case.findings)
    if case.setting is not None and "setting" not in items:
        items["setting"] = case.setting
    readable, unread = {}, []
    for var, value in items.items():
        try:
            normalise(network, {var: value}, defaults=False)
        except (UnknownVariableError, UnknownStateError, RawValueError):
            unread.append(f"{var}={value}")
            continue
        readable[var] = value
    return readable, tuple(unread)


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
        readable, unread = _readable(network, case)
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
