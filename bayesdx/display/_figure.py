"""The scaffolding every plot shares: an Axes to draw on, a title, the disclaimer."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from bayesdx.display._notice import stamp

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["figure_axes", "finish"]


def figure_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """The figure and Axes to draw on: ``ax`` and its figure, or a new figure when ``ax`` is None.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
        Draw here (the caller's figure, its size and layout left alone).
    figsize : tuple of float
        Size in inches of a new figure.

    Returns
    -------
    (matplotlib.figure.Figure, matplotlib.axes.Axes)

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = figure_axes(None, (4, 3))
    >>> figure_axes(ax, (9, 9))[1] is ax, fig.get_size_inches().tolist()
    (True, [4.0, 3.0])
    >>> plt.close(fig)
    """
    if ax is not None:
        return cast("Figure", ax.figure), ax  # an Axes drawn on always has a figure
    # matplotlib is imported only when a picture is drawn: importing bayesdx stays fast and
    # works without it. pyplot (not a bare Figure) so that a notebook shows the figure.
    import matplotlib.pyplot as plt

    fig, new = plt.subplots(figsize=figsize)
    return fig, new


def finish(ax: Axes, title: str = "", *, fontsize: float = 9, disclaimer: bool = True) -> Axes:
    """Set the title and stamp the disclaimer (for a picture about a patient); return ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = figure_axes(None, (4, 3))
    >>> finish(ax, "P(neoplasm)").get_title()
    'P(neoplasm)'
    >>> plt.close(fig)
    """
    if title:
        ax.set_title(title, fontsize=fontsize)
    if disclaimer:
        stamp(ax, fontsize=max(6.0, fontsize - 2))
    return ax
