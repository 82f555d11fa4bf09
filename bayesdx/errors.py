"""Errors a user can cause, each naming what was wrong and what is valid.

Every error that bad input can raise derives from :class:`BayesdxError`, so the command
line can turn exactly these into one line on stderr and exit status 2, and a notebook user
can catch them with one ``except``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "ArgumentError",
    "BayesdxError",
    "CaseFileError",
    "ImpossibleEvidenceError",
    "LimitError",
    "NetworkFileError",
    "NoUncertaintyError",
    "OutputFileError",
    "PolicyError",
    "RawValueError",
    "RowError",
    "UnknownNetworkError",
    "UnknownParameterError",
    "UnknownStateError",
    "UnknownVariableError",
]


def _listing(values: Iterable[object], limit: int = 40) -> str:
    texts = [str(v) for v in values]
    shown = ", ".join(texts[:limit])
    return shown + (f", ... ({len(texts)} in all)" if len(texts) > limit else "")


class BayesdxError(ValueError):
    """Base class of every error caused by input (a file, a case, an argument)."""


class NetworkFileError(BayesdxError):
    """A network file that cannot be read or fails validation.

    Parameters
    ----------
    path : str
        The file.
    message : str
        What was wrong and what was expected.
    node : str, optional
        The node id, when the problem is in one node.
    field : str, optional
        The field inside the node (or at top level), for example ``cpt.table[2].p``.

    Examples
    --------
    >>> str(NetworkFileError("net.yaml", "sums to 1.05, expected 1", node="hb", field="cpt"))
    "net.yaml: node 'hb', field 'cpt': sums to 1.05, expected 1"
    """

    def __init__(
        self, path: str, message: str, *, node: str | None = None, field: str | None = None
    ):
        self.path, self.node, self.field, self.message = str(path), node, field, message
        where = [f"node '{node}'"] if node else []
        if field:
            where.append(f"field '{field}'")
        prefix = f"{self.path}: " + (", ".join(where) + ": " if where else "")
        super().__init__(prefix + message)


class UnknownNetworkError(BayesdxError):
    """A network name that is not bundled and not a readable file."""

    def __init__(self, name: str, bundled: Iterable[str]):
        super().__init__(
            f"unknown network '{name}'; bundled networks: {_listing(bundled)}; "
            "or give the path of a .yaml, .bif, .xmlbif, .xdsl or .net file"
        )


class UnknownVariableError(BayesdxError):
    """A variable that the network does not have."""

    def __init__(self, name: str, valid: Iterable[str], network: str = ""):
        where = f" in network '{network}'" if network else ""
        super().__init__(f"unknown variable '{name}'{where}; valid variables: {_listing(valid)}")


class UnknownStateError(BayesdxError):
    """A state that a variable does not have."""

    def __init__(self, variable: str, state: object, valid: Iterable[str], extra: str = ""):
        super().__init__(
            f"unknown state '{state}' for variable '{variable}'; valid states: "
            f"{_listing(valid)}{extra}"
        )


class RawValueError(BayesdxError):
    """A raw measured value that is not a number or lies outside the plausible range."""


class PolicyError(BayesdxError):
    """A decision policy that cannot be used (a threshold outside (0, 1), a harm <= 0, ...)."""


class CaseFileError(BayesdxError):
    """A case file that cannot be read or is not a mapping of variables to values."""


class ImpossibleEvidenceError(BayesdxError):
    """Evidence that has probability zero under the model, so no posterior exists."""

    def __init__(self, evidence: dict[str, str], network: str = ""):
        self.evidence = dict(evidence)
        shown = ", ".join(f"{k}={v}" for k, v in evidence.items())
        where = f" of network '{network}'" if network else ""
        super().__init__(
            f"the evidence {shown} has probability zero under the model{where}; "
            "no posterior exists (check for a contradiction, or a state the model rules out)"
        )


class ArgumentError(BayesdxError, TypeError):
    """A Python argument of the wrong type (a case that is not a mapping, a number as text).

    It is both a :class:`BayesdxError` and a :class:`TypeError`.

    Examples
    --------
    >>> err = ArgumentError("case must be a mapping of variables to values, got str")
    >>> isinstance(err, TypeError), isinstance(err, BayesdxError)
    (True, True)
    """


class LimitError(BayesdxError):
    """An input beyond one of the limits in :mod:`bayesdx.limits` (size, digits, depth, ...)."""


class OutputFileError(BayesdxError):
    """An output that cannot or must not be written (it is an input, a symlink, a device)."""


class UnknownParameterError(BayesdxError):
    """A parameter id that the network does not have."""


class NoUncertaintyError(BayesdxError):
    """A network whose numbers carry no uncertainty, asked for a probabilistic analysis."""


class RowError(BayesdxError):
    """A bad cell or an impossible row in a cohort, with its line number and column.

    Attributes
    ----------
    line : int
        The line in the CSV file (1 is the header, 2 the first case).
    column : str or None
        The column of the bad cell (None for an impossible row).
    reason : str
        What was wrong.
    """

    def __init__(self, line: int, column: str | None, reason: str, source: str = ""):
        self.line, self.column, self.reason = line, column, reason
        where = f"{source} " if source else ""
        where += f"line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {reason}")
