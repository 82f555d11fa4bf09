"""Reading YAML safely: bounded size, depth and alias expansion; one number rule."""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from bayesdx.errors import LimitError, NetworkFileError
from bayesdx.io._cache import cached_document, store_document
from bayesdx.limits import MAX_DEPTH, MAX_EVIDENCE, MAX_NETWORK_BYTES, MAX_YAML_NODES, size_text
from bayesdx.model import (
    DECIMAL,
    FIRST_CHARS,
    INTEGER,
    NetworkSpec,
    parse_number,
    parse_spec,
    shown,
)

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["load_spec", "read_text", "read_yaml"]


def read_text(path: str | Path, limit: int, limit_name: str, what: str = "file") -> str:
    """A text file of at most ``limit`` bytes (``limit + 1`` bytes are read, never more).

    Newlines are read as ``\\n``, as :meth:`pathlib.Path.read_text` reads them.

    Parameters
    ----------
    path : str or Path
    limit : int
        The largest size allowed, in bytes.
    limit_name : str
        The constant in :mod:`bayesdx.limits` that sets it, for the message.
    what : str
        What the file is (``"network file"``), for the message.

    Raises
    ------
    OSError, UnicodeDecodeError
        For the caller to describe.
    LimitError
        If the file is larger than ``limit``.

    Examples
    --------
    >>> read_text("/dev/zero", 1 << 10, "MAX_CASE_BYTES", "case file")
    Traceback (most recent call last):
    ...
    bayesdx.errors.LimitError: case file /dev/zero is larger than 1 KiB, the limit \
(bayesdx.limits.MAX_CASE_BYTES)
    """
    if str(path) == "-":  # standard input
        data = sys.stdin.buffer.read(limit + 1)
        path = "(standard input)"
    else:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    if len(data) > limit:
        raise LimitError(
            f"{what} {path} is larger than {size_text(limit)}, the limit (bayesdx.limits."
            f"{limit_name})"
        )
    text = data.decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _not_utf8(exc: UnicodeDecodeError) -> str:
    return f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"


_INT_TAG = "tag:yaml.org,2002:int"


_FLOAT_TAG = "tag:yaml.org,2002:float"


@functools.cache
def _loaders() -> tuple[type, type]:
    """(the plain parser, the strict loader), built once: yaml is imported on first use."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present

    class _Strict(base):  # type: ignore[misc, valid-type]
        # YAML 1.1 numbers (octal 012, 0x0C, 1_0, sexagesimal 1:07, .inf) are not numbers
        # here: only plain decimals are, by the rule of bayesdx.textnum
        yaml_implicit_resolvers: ClassVar[dict] = {
            first: [(tag, rx) for tag, rx in rules if tag not in (_INT_TAG, _FLOAT_TAG)]
            for first, rules in base.yaml_implicit_resolvers.items()
        }
        path = "<yaml>"

    _Strict.add_implicit_resolver(_INT_TAG, INTEGER, FIRST_CHARS)
    _Strict.add_implicit_resolver(_FLOAT_TAG, DECIMAL, FIRST_CHARS)

    def _line(node: Any) -> int:
        return node.start_mark.line + 1

    def _number(loader: Any, node: Any) -> int | float:
        text = loader.construct_scalar(node)
        value = parse_number(text, f"{loader.path}, line {_line(node)}", special=False)
        is_int = node.tag == _INT_TAG
        if value is None or (is_int and not isinstance(value, int)):
            kind = "an integer" if is_int else "a number"
            raise NetworkFileError(
                loader.path,
                f"malformed YAML: {shown(text)} at line {_line(node)} is not {kind} "
                "(numbers are plain decimals such as 12, -0.5 or 1e3)",
            )
        return value if is_int else float(value)

    def _mapping(loader: Any, node: Any) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # <<: *anchor; keys written here override the merged ones
            key = loader.construct_object(key_node)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise NetworkFileError(
                    loader.path,
                    f"malformed YAML: a key must be text, not {type(key).__name__}, at line "
                    f"{_line(key_node)}",
                )
            if key in seen:
                raise NetworkFileError(
                    loader.path,
                    f"malformed YAML: duplicate key {shown(key)} at line {_line(key_node)}",
                )
            seen.add(key)
        loader.flatten_mapping(node)
        return loader.construct_mapping(node)

    _Strict.add_constructor(_INT_TAG, _number)
    _Strict.add_constructor(_FLOAT_TAG, _number)
    _Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    return base, _Strict


def _check_expansion(text: str, path: str, case: bool) -> None:
    """Refuse a YAML text whose aliases expand too far, nest too deep, or refer to themselves.

    One pass over the parser's events, keeping only the open collections and, per anchor,
    the size and height of its node: an alias counts as the node it stands for, so a
    billion-laughs bomb is refused after a few hundred events, before anything is built.
    """
    import yaml

    def line_of(event: yaml.Event) -> int:
        mark = event.start_mark
        assert mark is not None  # the parser marks every event it yields
        return mark.line + 1

    base, _ = _loaders()
    alias = yaml.AliasEvent
    leaves = (yaml.ScalarEvent, alias)
    starts = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    total = 0
    # anchor -> (nodes, nesting) of its node; keyed str | None as the stubs type an alias's anchor
    anchored: dict[str | None, tuple[int, int]] = {}
    stack: list[list] = []  # open collections: [anchor, nodes so far, nesting inside]
    for event in yaml.parse(text, Loader=base):
        # isinstance rather than type(): the same test (the parser yields these classes
        # themselves, never subclasses), and it lets the type checker see the attributes
        if isinstance(event, ends):
            anchor, nodes, height = stack.pop()
            if anchor is not None:
                anchored[anchor] = (nodes, height + 1)
            if stack:
                stack[-1][1] += nodes
                stack[-1][2] = max(stack[-1][2], height + 1)
            continue
        if isinstance(event, starts):
            stack.append([event.anchor, 1, 0])
            nodes, depth = 1, len(stack)
        elif isinstance(event, leaves):
            nodes, height = 1, 0
            if isinstance(event, alias):
                line = line_of(event)
                if case:
                    raise NetworkFileError(
                        path,
                        f"not a flat mapping: it uses the alias *{event.anchor} at line "
                        f"{line}; give each value itself",
                    )
                if any(frame[0] == event.anchor for frame in stack):
                    raise NetworkFileError(
                        path,
                        f"malformed YAML: the alias *{event.anchor} at line {line} is inside "
                        f"the node it stands for (a recursive structure)",
                    )
                nodes, height = anchored.get(event.anchor, (1, 0))
            elif event.anchor is not None:
                anchored[event.anchor] = (1, 0)
            if stack:
                stack[-1][1] += nodes
                stack[-1][2] = max(stack[-1][2], height)
            depth = len(stack) + height
        else:
            continue
        total += nodes
        if depth > MAX_DEPTH:
            raise _too_deep(path, f" at line {line_of(event)}")
        if case and total > 2 * MAX_EVIDENCE + 1:  # a key and a value per finding
            raise LimitError(
                f"case file {path} gives more than {MAX_EVIDENCE:,} findings (at line "
                f"{line_of(event)}); the limit is {MAX_EVIDENCE:,} "
                "(bayesdx.limits.MAX_EVIDENCE)"
            )
        if total > MAX_YAML_NODES:
            raise LimitError(
                f"{path}: more than {MAX_YAML_NODES:,} YAML nodes once aliases are expanded "
                f"(at line {line_of(event)}); the limit is {MAX_YAML_NODES:,} "
                "(bayesdx.limits.MAX_YAML_NODES)"
            )


def read_yaml(path: str | Path, text: str | None = None, *, case: bool = False) -> Any:
    """Parse YAML strictly and within the limits of :mod:`bayesdx.limits`.

    Duplicate keys are an error, not a silent overwrite. Numbers are plain decimals only
    (:mod:`bayesdx.textnum`: ``012`` is 12; ``0x0C``, ``1_0`` and ``1:07`` are text). Aliases
    may repeat a node, but not expand past :data:`~bayesdx.limits.MAX_YAML_NODES` nodes,
    nest past :data:`~bayesdx.limits.MAX_DEPTH` or contain themselves.

    Parameters
    ----------
    path : str or Path
        The file; read (at most :data:`~bayesdx.limits.MAX_NETWORK_BYTES`) unless ``text``
        is given, and named in every error.
    text : str, optional
        The file's text, already read.
    case : bool
        Read a case file: no aliases (``*name``), at most
        :data:`~bayesdx.limits.MAX_EVIDENCE` findings.

    Raises
    ------
    NetworkFileError
        A file that cannot be read or is not well-formed.
    LimitError
        A file beyond a limit.

    Examples
    --------
    >>> read_yaml("x.yaml", "a: 1\\nb: [2, 3]")
    {'a': 1, 'b': [2, 3]}
    >>> read_yaml("x.yaml", "hb: 012\\nx: 0x0C\\ny: 1_0\\nz: 1:07\\nw: 1e3")
    {'hb': 12, 'x': '0x0C', 'y': '1_0', 'z': '1:07', 'w': 1000.0}
    >>> read_yaml("x.yaml", "a: 1\\na: 2")
    Traceback (most recent call last):
    ...
    bayesdx.errors.NetworkFileError: x.yaml: malformed YAML: duplicate key 'a' at line 2
    """
    key = None
    try:
        if text is None:
            text = read_text(path, MAX_NETWORK_BYTES, "MAX_NETWORK_BYTES")
            if not case:  # a large file parsed before, to the byte (see bayesdx.io._cache)
                document, key = cached_document(str(path), text)
                if document is not None:
                    return document  # (PyYAML is not even imported)
    except OSError as exc:
        raise NetworkFileError(str(path), f"cannot read file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise NetworkFileError(str(path), f"cannot read file: {_not_utf8(exc)}") from None
    document = _parse(path, text, case)
    if key is not None:
        store_document(key, str(path), document)
    return document


def _parse(path: str | Path, text: str, case: bool) -> Any:
    """The YAML text parsed strictly (see :func:`read_yaml`)."""
    import yaml

    try:
        _check_expansion(text, str(path), case)
        loader = _loaders()[1](text)
        loader.path = str(path)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "nesting depth" in problem:  # libyaml's own bound, far beyond ours
            at = f" at line {mark.line + 1}" if mark else ""
            raise _too_deep(str(path), at) from None
        line = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise NetworkFileError(str(path), f"malformed YAML{line}: {problem}") from None


def _too_deep(path: str, at: str) -> LimitError:
    return LimitError(
        f"{path}: lists and mappings nested more than {MAX_DEPTH} deep{at}; the limit is "
        f"{MAX_DEPTH} (bayesdx.limits.MAX_DEPTH)"
    )


def load_spec(path: str | Path) -> NetworkSpec:
    """Read and validate a ``bayesdx/1`` network file.

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    NetworkSpec

    Raises
    ------
    NetworkFileError
        Naming the file, node and field of the first problem found.

    Examples
    --------
    >>> from bayesdx.io._registry import bundled_path
    >>> spec = load_spec(bundled_path("marrow_signal"))
    >>> spec.id, "diagnosis" in spec.nodes
    ('marrow_signal', True)
    """
    from pathlib import Path  # here, not at the top: a query of a BIF file never needs it

    path = Path(path)
    data = read_yaml(path)
    bibliographies = {}
    bib = data.get("bibliography") if isinstance(data, Mapping) else None
    if isinstance(bib, str) and bib.strip():  # parse_spec reports any other value
        bib_path = path.parent / bib
        bibliographies[str(bib_path)] = read_yaml(bib_path)
    return parse_spec(data, path=str(path), bibliographies=bibliographies)
