"""The case library: published patients with diffuse or heterogeneous marrow signal.

Each file of ``calibration/cases/`` is one published patient: the citation, the findings as
reported, and the final diagnosis (format: ``calibration/cases/README.md``). This module reads
the files; :func:`bayesdx.validation.validate_cases` measures the network on them and the
explorer's quiz (:func:`bayesdx.explore` with ``quiz=``) teaches with them.

The cases are never used to set a number in a network file: they measure the network, they
do not build it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bayesdx.errors import (
    CaseFileError,
    NetworkFileError,
    RawValueError,
    UnknownStateError,
    UnknownVariableError,
)
from bayesdx.io._registry import package_data
from bayesdx.io._yaml import read_yaml
from bayesdx.model import normalise, shown

if TYPE_CHECKING:
    from bayesdx.model import Network

__all__ = ["Case", "default_cases_path", "load_cases", "readable_findings"]

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
    presentation : str
        Why the patient was imaged, in the library's paraphrase of the source.
    mri : str
        The MRI as described (pattern and the library's paraphrase of the report).
    """

    id: str
    source: dict[str, Any]
    findings: dict[str, Any]
    final_diagnosis: str
    setting: str | None = None
    diagnosis_as_reported: str = ""
    path: str = ""
    presentation: str = ""
    mri: str = ""

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
    mri: Mapping[str, Any] = raw["mri"] if isinstance(raw.get("mri"), Mapping) else {}
    pattern, described = mri.get("pattern") or "", mri.get("description") or ""
    mri_text = f"{pattern}: {described}" if pattern and described else pattern or described
    return Case(
        id=raw["id"].strip(),
        source=dict(raw["source"]),
        findings=dict(findings),
        final_diagnosis=diagnosis.strip(),
        setting=setting,
        diagnosis_as_reported=" ".join(str(reported).split()),
        path=name,
        presentation=" ".join(str(raw.get("presentation") or "").split()),
        mri=" ".join(str(mri_text).split()),
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


def readable_findings(network: Network, case: Case) -> tuple[dict[str, Any], tuple[str, ...]]:
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
