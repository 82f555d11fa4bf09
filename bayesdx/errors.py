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
    "UnknownHypothesisError",
    "UnknownNetworkError",
    "UnknownParameterError",
    "UnknownStateError",
    "UnknownVariableError",
    "close_matches",
    "did_you_mean",
]


def _listing(values: Iterable[object], limit: int = 40) -> str:
    texts = [str(v) for v in values]
    shown = ", ".join(texts[:limit])
    return shown + (f", ... ({len(texts)} in all)" if len(texts) > limit else "")


def close_matches(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """What ``word`` was probably meant to be: the choices equal to it but for case when there
    are any, otherwise close spellings (difflib's ratio of at least 0.7), at most ``n``.

    Examples
    --------
    >>> close_matches("hgb", ["age", "hb", "hb_level", "ldh"])
    ['hb']
    >>> close_matches("Present", ["absent", "present"])
    ['present']
    >>> close_matches("xyz", ["hb"])
    []
    """
    import difflib  # only when a name is unknown

    options = list(dict.fromkeys(str(c) for c in choices))
    folded = word.casefold()
    same = [c for c in options if c.casefold() == folded and c != word]
    if same:
        return same[:n]
    by_fold: dict[str, str] = {}
    for c in options:
        by_fold.setdefault(c.casefold(), c)
    close = difflib.get_close_matches(folded, list(by_fold), n=n, cutoff=0.7)
    return [by_fold[c] for c in close if by_fold[c] != word]


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """`` (did you mean X?)`` for a word with close matches (:func:`close_matches`), else "".

    Examples
    --------
    >>> did_you_mean("Present", ["absent", "present"])
    ' (did you mean present?)'
    >>> did_you_mean("hb_levl", ["hb", "hb_level", "hb_lvl"])
    ' (did you mean hb_level or hb_lvl?)'
    """
    if not isinstance(word, str) or not word:
        return ""
    found = close_matches(word, choices)
    if not found:
        return ""
    return (
        " (did you mean "
        + (" or ".join([", ".join(found[:-1]), found[-1]]) if len(found) > 1 else found[0])
        + "?)"
    )


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
            "or give the path of a .yaml, .bif, .xml/.xmlbif/.bifxml, .xdsl, .net (Hugin), .dsl "
            "or .uai file"
        )


class UnknownVariableError(BayesdxError):
    """A variable that the network does not have; close matches are named first.

    ``hint`` replaces the suggestion worked out from ``valid`` (for example a whole
    ``VAR=STATE`` when both parts differ only in case).

    Examples
    --------
    >>> str(UnknownVariableError("hgb", ["age", "hb"], "marrow"))
    "unknown variable 'hgb' in network 'marrow' (did you mean hb?); valid variables: age, hb"
    """

    def __init__(self, name: str, valid: Iterable[str], network: str = "", hint: str | None = None):
        valid = list(valid)
        where = f" in network '{network}'" if network else ""
        hint = did_you_mean(name, valid) if hint is None else hint
        super().__init__(
            f"unknown variable '{name}'{where}{hint}; valid variables: {_listing(valid)}"
        )


class UnknownStateError(BayesdxError):
    """A state that a variable does not have; close matches are named first.

    Examples
    --------
    >>> str(UnknownStateError("m_protein", "Present", ["absent", "present"]))
    "unknown state 'Present' for variable 'm_protein' (did you mean present?); valid states: \
absent, present"
    """

    def __init__(self, variable: str, state: object, valid: Iterable[str], extra: str = ""):
        valid = list(valid)
        super().__init__(
            f"unknown state '{state}' for variable '{variable}'{did_you_mean(state, valid)}; "
            f"valid states: {_listing(valid)}{extra}"
        )


class UnknownHypothesisError(UnknownStateError):
    """A hypothesis (``--hypothesis``, or ``--versus`` of a comparison) the network cannot
    read; the message starts with the argument that gave it.

    Examples
    --------
    >>> str(UnknownHypothesisError("versus", "x", "not a group or diagnosis state"))
    "--versus 'x': not a group or diagnosis state"
    """

    def __init__(self, argument: str, name: str, reason: str):
        self.argument = argument
        BayesdxError.__init__(self, f"--{argument} '{name}': {reason}")


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
