"""Case files: a YAML or JSON mapping of findings, read within the limits."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from bayesdx.errors import CaseFileError, LimitError, NetworkFileError
from bayesdx.io._yaml import _not_utf8, read_text, read_yaml
from bayesdx.limits import MAX_CASE_BYTES, MAX_DEPTH, MAX_EVIDENCE
from bayesdx.model import parse_number, shown

__all__ = ["read_case"]


def read_case(path: str | Path) -> dict[str, Any]:
    """Read a case file: a YAML or JSON mapping of variables to values (``-``: standard input).

    The file is read as the command line reads ``-e``: numbers are plain decimals
    (:mod:`bayesdx.textnum`), so ``hb: 012`` is 12 and ``hb: 0x0C`` is text. A case is one
    flat mapping: no aliases, no nested values, at most :data:`~bayesdx.limits.MAX_EVIDENCE`
    findings in at most :data:`~bayesdx.limits.MAX_CASE_BYTES` bytes.

    Raises
    ------
    CaseFileError
        If the file is missing, not UTF-8, malformed, or not a flat mapping.
    LimitError
        If the file is beyond a limit of :mod:`bayesdx.limits`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> case = pathlib.Path(tempfile.mkdtemp()) / "case.yaml"
    >>> _ = case.write_text("hb: 012\\nsmear: rouleaux\\n")
    >>> read_case(case)
    {'hb': 12, 'smear': 'rouleaux'}
    """

    if not str(path).strip():
        raise CaseFileError("the case file name is empty")
    stdin = str(path) == "-"
    path = Path(path)
    name = "(standard input)" if stdin else str(path)
    try:
        text = read_text(path, MAX_CASE_BYTES, "MAX_CASE_BYTES", "case file")
    except OSError as exc:
        raise CaseFileError(f"cannot read case file {name}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise CaseFileError(f"cannot read case file {name}: {_not_utf8(exc)}") from None

    if path.suffix.lower() == ".json":  # standard input is read as YAML, which takes JSON too
        data = _read_json(path, text)
    else:
        try:
            data = read_yaml(name, text, case=True)
        except NetworkFileError as exc:  # the strict YAML reader's complaint
            raise CaseFileError(f"case file {name} is {exc.message}") from None
    if not isinstance(data, dict):
        raise CaseFileError(
            f"case file {name} must map variables to values (for example hb: 11.2), "
            f"got {type(data).__name__}"
        )
    if len(data) > MAX_EVIDENCE:
        raise LimitError(
            f"case file {name} gives {len(data):,} findings; the limit is {MAX_EVIDENCE:,} "
            "(bayesdx.limits.MAX_EVIDENCE)"
        )
    for key, value in data.items():
        if isinstance(value, dict | list) or value is None:
            raise CaseFileError(
                f"case file {name}: {shown(key, quote=False)} must be a state or a number, "
                f"got {shown(value)}"
            )
    return {str(k): v for k, v in data.items()}


def _read_json(path: Path, text: str) -> Any:
    """A JSON case: duplicate keys refused, numbers by the one rule, depth bounded."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
        out = dict(pairs)
        if len(out) != len(pairs):  # linear: a set, never list.count
            counts = Counter(k for k, _ in pairs)
            twice = sorted(k for k, count in counts.items() if count > 1)
            names = ", ".join(shown(k, quote=False) for k in twice[:5])
            more = f" and {len(twice) - 5} more" if len(twice) > 5 else ""
            raise CaseFileError(f"case file {path} gives {names}{more} twice; give each once")
        return out

    def number(digits: str) -> int | float:
        value = parse_number(digits, f"case file {path}")
        return float("nan") if value is None else value  # JSON's grammar allows nothing else

    try:
        data = json.loads(
            text, object_pairs_hook=no_duplicates, parse_int=number, parse_float=number
        )
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"case file {path} is malformed: {exc}") from None
    except RecursionError:  # nested far beyond MAX_DEPTH: the decoder ran out of stack
        pass
    else:
        if _depth(data) <= MAX_DEPTH:
            return data
    raise LimitError(
        f"case file {path}: lists and mappings nested more than {MAX_DEPTH} deep; the limit "
        f"is {MAX_DEPTH} (bayesdx.limits.MAX_DEPTH)"
    )


def _depth(data: Any) -> int:
    """How deep lists and mappings nest, counted up to ``MAX_DEPTH + 1`` (iteratively).

    Examples
    --------
    >>> _depth(1), _depth({"a": [1, {"b": []}]})
    (0, 4)
    """
    deepest, stack = 0, [(data, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            level += 1
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((child, level) for child in item)
    return deepest
