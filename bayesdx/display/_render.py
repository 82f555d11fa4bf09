"""One renderer for every result: text, HTML, Markdown and a pandas DataFrame.

A result describes what it shows once, as a :class:`Report` made of blocks (:class:`Lines`,
:class:`Table`, :class:`Items`), and the renderer writes it out in each format, in the spirit
of lifelines' ``Printer``. The disclaimer closes every report about a patient.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from bayesdx._record import Record
from bayesdx.display._notice import DISCLAIMER

if TYPE_CHECKING:
    import pandas as pd


def _escape(text: str) -> str:
    """``html.escape(text)``, without importing :mod:`html` and its entity table at start-up.

    >>> _escape('<b title="R&D">')
    '&lt;b title=&quot;R&amp;D&quot;&gt;'
    """
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


__all__ = [
    "Column",
    "Items",
    "Lines",
    "Rendered",
    "Report",
    "Table",
    "jsonable",
]

#: width of a text bar for a probability of 1 (characters), and of an HTML bar (pixels)
BAR_CHARS, BAR_PIXELS = 30, 200
#: text notes under a table are wrapped to this width
NOTE_WIDTH = 88
_BAR_COLOUR = "#4c72b0"


class Column(Record):
    """One column of a :class:`Table`.

    Parameters
    ----------
    name : str
        The column's name in the DataFrame.
    fmt : str or callable
        A format spec (``".3f"``) or a function from the value to its text; used in text,
        HTML and Markdown. With a spec, ``None`` is shown as an empty cell; a function is
        given every value, ``None`` included.
    label : str or None
        The header in text, HTML and Markdown (default: ``name``).
    width : int
        Text only: the narrowest the column may be (it widens to fit its cells).
    align : {"", "<", ">"}
        Text and HTML: ``""`` right-aligns numbers and left-aligns the rest.
    inline : bool
        Text only: write the label before each value (``value 0.047``), for a table
        printed without a header row.
    sep : str or None
        Text only: what goes before this column (default: the table's ``sep``).
    bar : bool
        Draw the value (a probability) as a bar: ``#`` characters in text, a coloured block
        in HTML; not a column of the DataFrame.
    show : bool
        False: only in the DataFrame, not in text, HTML or Markdown.
    """

    _fields = ("name", "fmt", "label", "width", "align", "inline", "sep", "bar", "show")
    name: str
    fmt: str | Callable[[Any], str]
    label: str | None
    width: int
    align: Literal["", "<", ">"]
    inline: bool
    sep: str | None
    bar: bool
    show: bool

    def __init__(
        self,
        name: str,
        fmt: str | Callable[[Any], str] = "",
        label: str | None = None,
        width: int = 0,
        align: Literal["", "<", ">"] = "",
        inline: bool = False,
        sep: str | None = None,
        bar: bool = False,
        show: bool = True,
    ) -> None:
        vars(self).update(
            name=name,
            fmt=fmt,
            label=label,
            width=width,
            align=align,
            inline=inline,
            sep=sep,
            bar=bar,
            show=show,
        )

    @property
    def heading(self) -> str:
        """The header shown for the column."""
        return self.name if self.label is None else self.label

    def cell(self, value: Any) -> str:
        """The value as text (no padding).

        Examples
        --------
        >>> Column("p", ".3f").cell(0.25), Column("p", lambda v: f"{v:.0%}").cell(0.25)
        ('0.250', '25%')
        """
        if callable(self.fmt):
            return self.fmt(value)
        if value is None:
            return ""
        if self.bar:
            return "#" * round(float(value) * BAR_CHARS)
        return format(value, self.fmt)

    def alignment(self, values: Iterable[Any]) -> str:
        """``<`` or ``>``: as given, else right for a column of numbers."""
        if self.align:
            return self.align
        present = [v for v in values if v is not None]
        numeric = bool(present) and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in present
        )
        return ">" if numeric and not self.bar else "<"


class Table(Record):
    """Rows under named columns, with an optional caption and note.

    Parameters
    ----------
    columns : sequence of Column
    rows : sequence of sequences
        The raw values, one per column (the DataFrame holds them as they are).
    caption, note : str
        A line above and below the table.
    header : bool
        Text only: print the header row (HTML and Markdown always have one).
    indent, sep : str
        Text only: what starts each line, and what goes between columns.

    Examples
    --------
    >>> t = Table(
    ...     (Column("finding"), Column("lr", ".2f", label="LR")),
    ...     [("hb", 2.5), ("m_protein", 12.0)],
    ...     caption="Findings:",
    ... )
    >>> print("\\n".join(t.text_lines()))
    Findings:
      finding       LR
      hb          2.50
      m_protein  12.00
    >>> t.frame().columns.tolist()
    ['finding', 'lr']
    >>> print("\\n".join(t.markdown_lines()))
    Findings:
    <BLANKLINE>
    | finding | LR |
    |---|---|
    | hb | 2.50 |
    | m_protein | 12.00 |
    """

    _fields = ("columns", "rows", "caption", "note", "header", "indent", "sep")
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    caption: str
    note: str
    header: bool
    indent: str
    sep: str

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[Any]],
        caption: str = "",
        note: str = "",
        header: bool = True,
        indent: str = "  ",
        sep: str = "  ",
    ) -> None:
        vars(self).update(
            columns=columns,
            rows=rows,
            caption=caption,
            note=note,
            header=header,
            indent=indent,
            sep=sep,
        )

    def _shown(self) -> list[tuple[int, Column]]:
        return [(k, c) for k, c in enumerate(self.columns) if c.show]

    def text_lines(self) -> list[str]:
        """The caption, the header row (if any), one line per row, the note."""
        shown = self._shown()
        cells = [
            [(c.heading + " " if c.inline and c.heading else "") + c.cell(r[k]) for k, c in shown]
            for r in self.rows
        ]
        heads = [c.heading if self.header else "" for _, c in shown]
        widths = [
            max([c.width, len(heads[j])] + [len(row[j]) for row in cells])
            for j, (_, c) in enumerate(shown)
        ]
        aligns = [c.alignment(r[k] for r in self.rows) for k, c in shown]

        def line(texts: list[str]) -> str:
            out = self.indent
            for j, ((_, c), text) in enumerate(zip(shown, texts, strict=True)):
                if j:
                    out += self.sep if c.sep is None else c.sep
                out += f"{text:{aligns[j]}{widths[j]}}"
            return out.rstrip()

        lines = [self.caption] if self.caption else []
        if self.header:
            lines.append(line(heads))
        lines += [line(row) for row in cells]
        if self.note:
            lines += textwrap.wrap(self.note, NOTE_WIDTH)
        return lines

    def html(self) -> str:
        """A ``<table>`` (escaped, inline styles only)."""
        esc = _escape
        shown = self._shown()
        aligns = [c.alignment(r[k] for r in self.rows) for k, c in shown]
        right = " style='text-align:right'"
        parts = ["<table>"]
        if self.caption:
            parts.append(f"<caption>{esc(self.caption.rstrip(':'))}</caption>")
        # HTML always has a header row (text may write labels inline instead)
        parts.append(
            "<tr>"
            + "".join(
                f"<th{right if a == '>' else ''}>{esc(c.heading)}</th>"
                for (_, c), a in zip(shown, aligns, strict=True)
            )
            + "</tr>"
        )
        for r in self.rows:
            tds = []
            for (k, c), a in zip(shown, aligns, strict=True):
                if c.bar and r[k] is not None:
                    width = float(r[k]) * BAR_PIXELS
                    inner = (
                        f"<div style='background:{_BAR_COLOUR};height:0.8em;"
                        f"width:{width:.0f}px'></div>"
                    )
                else:
                    inner = esc(c.cell(r[k]).strip())
                tds.append(f"<td{right if a == '>' else ''}>{inner}</td>")
            parts.append("<tr>" + "".join(tds) + "</tr>")
        parts.append("</table>")
        if self.note:
            parts.append(f"<p><small>{esc(self.note)}</small></p>")
        return "".join(parts)

    def markdown_lines(self) -> list[str]:
        """A pipe table, preceded by the caption and followed by the note."""
        shown = [c for _, c in self._shown() if not c.bar]
        keys = [k for k, c in self._shown() if not c.bar]
        lines = [self.caption, ""] if self.caption else []
        lines.append("| " + " | ".join(c.heading for c in shown) + " |")
        lines.append("|" + "---|" * len(shown))
        for r in self.rows:
            cells = [
                c.cell(r[k]).strip().replace("|", "\\|") for k, c in zip(keys, shown, strict=True)
            ]
            lines.append("| " + " | ".join(cells) + " |")
        if self.note:
            lines += ["", self.note]
        return lines

    def frame(self) -> pd.DataFrame:
        """The raw values, one column per :class:`Column` that is not a bar."""
        import pandas as pd  # lazily: pandas is only needed by callers who want a frame

        keep = [k for k, c in enumerate(self.columns) if not c.bar]
        return pd.DataFrame(
            [[r[k] for k in keep] for r in self.rows],
            columns=[self.columns[k].name for k in keep],
        )


class Lines(Record):
    """Lines of text: one paragraph (lines joined by ``<br>`` in HTML)."""

    _fields = ("lines",)
    lines: Sequence[str]

    def __init__(self, lines: Sequence[str]) -> None:
        vars(self).update(lines=lines)

    def text_lines(self) -> list[str]:
        """The lines as given."""
        return list(self.lines)

    def html(self) -> str:
        """A ``<p>`` (escaped)."""
        return "<p>" + "<br>".join(_escape(x) for x in self.lines) + "</p>" if self.lines else ""

    def markdown_lines(self) -> list[str]:
        """The lines, each ending a Markdown line."""
        return [x + "  " if k < len(self.lines) - 1 else x for k, x in enumerate(self.lines)]


class Items(Record):
    """Titled lists (``Work-up:`` then ``  - x``), one after another without a gap."""

    _fields = ("lists",)
    lists: Sequence[tuple[str, Sequence[str]]]

    def __init__(self, lists: Sequence[tuple[str, Sequence[str]]]) -> None:
        vars(self).update(lists=lists)

    def text_lines(self) -> list[str]:
        """``Title:`` and the items, for each non-empty list."""
        out: list[str] = []
        for title, items in self.lists:
            if items:
                out.append(f"{title}:")
                out += [f"  - {x}" for x in items]
        return out

    def html(self) -> str:
        """A bold title and a ``<ul>`` for each non-empty list."""
        esc = _escape
        return "".join(
            f"<p><b>{esc(title)}</b></p><ul>"
            + "".join(f"<li>{esc(x)}</li>" for x in items)
            + "</ul>"
            for title, items in self.lists
            if items
        )

    def markdown_lines(self) -> list[str]:
        """``**Title**`` and ``- x`` for each non-empty list."""
        out: list[str] = []
        for title, items in self.lists:
            if items:
                out += [f"**{title}**", ""] + [f"- {x}" for x in items] + [""]
        return out[:-1]


Block = Lines | Table | Items


class Report(Record):
    """What a result shows, written out as text, HTML, Markdown or a DataFrame.

    Parameters
    ----------
    blocks : sequence of Lines, Table or Items
        Shown in order; in text, one blank line between blocks (empty ones are skipped).
    title : str
        A heading (HTML and Markdown only; text starts with the blocks).
    disclaimer : bool
        Close with :data:`~bayesdx.display.DISCLAIMER` (every output about a patient).
    data : Table or None
        The raw values behind :meth:`frame`; by default the first table shown.

    Examples
    --------
    >>> r = Report(
    ...     [Lines(["Network: demo"]), Table((Column("state"), Column("p", ".2f")), [("a", 0.25)])]
    ... )
    >>> print(r.text())
    Network: demo
    <BLANKLINE>
      state     p
      a      0.25
    <BLANKLINE>
    Educational and research tool, not medical advice.
    >>> "<td style='text-align:right'>0.25</td>" in r.html()
    True
    >>> r.frame().to_dict("records")
    [{'state': 'a', 'p': 0.25}]
    """

    _fields = ("blocks", "title", "disclaimer", "data")
    _unshown = ("data",)
    blocks: Sequence[Block]
    title: str
    disclaimer: bool
    data: Table | None

    def __init__(
        self,
        blocks: Sequence[Block],
        title: str = "",
        disclaimer: bool = True,
        data: Table | None = None,
    ) -> None:
        vars(self).update(blocks=blocks, title=title, disclaimer=disclaimer, data=data)

    def text_blocks(self) -> list[str]:
        """Each non-empty block as text, without the disclaimer (to nest in another report)."""
        return [t for t in ("\n".join(b.text_lines()) for b in self.blocks) if t]

    def text(self) -> str:
        """Plain text: the blocks, a blank line between each, then the disclaimer."""
        parts = self.text_blocks()
        if self.disclaimer:
            parts.append(DISCLAIMER)
        return "\n\n".join(parts)

    def html(self) -> str:
        """One self-contained ``<div>`` (escaped, inline styles) for Jupyter."""
        parts = ["<div class='bayesdx'>"]
        if self.title:
            parts.append(f"<h4>{_escape(self.title)}</h4>")
        parts += [b.html() for b in self.blocks]
        if self.disclaimer:
            parts.append(f"<p><small>{_escape(DISCLAIMER)}</small></p>")
        parts.append("</div>")
        return "".join(parts)

    def markdown(self) -> str:
        """GitHub Markdown: the title as a heading, the blocks, then the disclaimer in italics."""
        parts = [f"## {self.title}"] if self.title else []
        parts += [t for t in ("\n".join(b.markdown_lines()) for b in self.blocks) if t]
        if self.disclaimer:
            parts.append(f"*{DISCLAIMER}*")
        return "\n\n".join(parts) + "\n"

    def frame(self) -> pd.DataFrame:
        """The raw values: :attr:`data`, or the first table shown (an empty frame if none)."""
        table = self.data or next((b for b in self.blocks if isinstance(b, Table)), None)
        if table is None:
            import pandas as pd  # lazily, as in Table.frame

            return pd.DataFrame()
        return table.frame()


class Rendered:
    """Mixin: ``__str__``, ``_repr_html_`` and ``to_frame`` from the result's one :class:`Report`.

    A result class defines ``_report()``; the three views are written out from it.

    Examples
    --------
    >>> class Demo(Rendered):
    ...     def _report(self):
    ...         return Report([Table((Column("state"), Column("p", ".2f")), [("a", 0.5)])])
    >>> print(Demo())
      state     p
      a      0.50
    <BLANKLINE>
    Educational and research tool, not medical advice.
    >>> Demo().to_frame().shape
    (1, 2)
    """

    def _report(self) -> Report:
        raise NotImplementedError

    def __str__(self) -> str:
        return self._report().text()

    def _repr_html_(self) -> str:
        return self._report().html()

    def to_frame(self) -> pd.DataFrame:
        """The result's values as a DataFrame (the table its text shows)."""
        return self._report().frame()


def jsonable(value: Any) -> Any:
    """``value`` with tuples as lists, numpy values as Python ones and inf or NaN as None.

    Examples
    --------
    >>> import numpy as np
    >>> jsonable({"a": (1, np.float64(0.5)), "b": float("inf"), "c": np.arange(2)})
    {'a': [1, 0.5], 'b': None, 'c': [0, 1]}
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, str | bytes):
        return value
    if hasattr(value, "tolist"):  # a numpy array or scalar
        return jsonable(value.tolist())
    if isinstance(value, Iterable):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
