"""The uncertainty of one distribution entry, as a Dirichlet (a Beta for two states).

A network file gives each probability an uncertainty in one of three forms (see
``networks/FORMAT.md``): study counts, an expert 95% range for one state, or an effective
sample size. All three become a Dirichlet over the entry's states, which later analyses
sample. SciPy is imported only when a range has to be fitted or an interval computed.

An entry with no recorded uncertainty (every table of a network imported from BIF, XMLBIF,
XDSL or NET) gets, in the sensitivity analyses, a *default* one: a Dirichlet centred on the
entry's values with an equivalent sample size of :data:`DEFAULT_ESS` (10), as if each row of
the table had been estimated from ten cases. That number is a convention, not a measurement:
it makes the analyses run and is labelled ``default`` wherever it is used; a different one can
be given (``default_ess=``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from bayesdx.errors import ArgumentError

__all__ = [
    "DEFAULT_ESS",
    "JEFFREYS",
    "Uncertainty",
    "UncertaintyKind",
    "beta_cdf",
    "beta_interval",
    "check_ess",
    "default_uncertainty",
]

#: Where an entry's uncertainty comes from: study counts, an expert range, an effective
#: sample size, or (for an entry the file gives none) the default of the sensitivity analyses.
UncertaintyKind = Literal["counts", "range", "ess", "default"]

#: pseudo-count added to study counts (Jeffreys prior)
JEFFREYS = 0.5

#: equivalent sample size of the default uncertainty of an entry without one: Dirichlet(10 p),
#: a convention (as if the row were estimated from ten cases), not a measured figure
DEFAULT_ESS = 10.0


def beta_cdf(x: float, a: float, b: float) -> float:
    """The Beta(a, b) distribution function at x (regularized incomplete beta), without SciPy.

    Continued fraction evaluated by the modified Lentz method (Numerical Recipes, 6.4), so
    that loading a network does not import SciPy.

    Examples
    --------
    >>> round(beta_cdf(0.5, 2.0, 2.0), 12), round(beta_cdf(0.3, 1.0, 1.0), 12)
    (0.5, 0.3)
    """
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_cf(x, a, b) / a
    return 1.0 - math.exp(log_front) * _beta_cf(1.0 - x, b, a) / b


def _beta_cf(x: float, a: float, b: float) -> float:
    tiny, eps = 1e-300, 1e-15
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h


def beta_interval(a: float, b: float, level: float = 0.95) -> tuple[float, float]:
    """Central interval of a Beta(a, b) distribution.

    Examples
    --------
    >>> lo, hi = beta_interval(26.5, 34.5)
    >>> round(lo, 3), round(hi, 3)
    (0.314, 0.559)
    """
    from scipy.special import betaincinv

    tail = (1.0 - level) / 2.0
    if a <= 0:
        return 0.0, 0.0
    if b <= 0:
        return 1.0, 1.0
    return float(betaincinv(a, b, tail)), float(betaincinv(a, b, 1.0 - tail))


@dataclass(frozen=True)
class Uncertainty:
    """How uncertain a distribution entry is.

    Parameters
    ----------
    kind : {"counts", "range", "ess", "default"}
        The form given in the network file, or ``default`` when the file gives none and the
        analysis assumed Dirichlet(``ess`` * p) (see :func:`default_uncertainty`).
    p : tuple of float
        The entry's point values, one per state.
    focus : int
        Index of the state that ``counts [k, n]`` and ``range`` speak of.
    counts : tuple of float, optional
        Observed counts per state (``kind == "counts"``).
    bounds : tuple of float, optional
        The expert 95% range of the focus state (``kind == "range"``).
    ess : float, optional
        Effective sample size (``kind == "ess"`` or ``"default"``).

    Examples
    --------
    >>> u = Uncertainty("counts", p=(0.567, 0.433), focus=1, counts=(34, 26))
    >>> u.alpha.tolist()
    [34.5, 26.5]
    >>> u = Uncertainty("ess", p=(0.25, 0.75), focus=1, ess=8)
    >>> u.alpha.tolist()
    [2.0, 6.0]
    """

    kind: UncertaintyKind
    p: tuple[float, ...]
    focus: int
    counts: tuple[float, ...] | None = None
    bounds: tuple[float, float] | None = None
    ess: float | None = None

    @cached_property
    def concentration(self) -> float:
        """Total concentration of the Dirichlet (for counts: n plus the pseudo-counts)."""
        return float(self.alpha.sum())

    @cached_property
    def alpha(self) -> np.ndarray:
        """Dirichlet parameters, one per state (0 for a state whose probability is 0)."""
        p = np.asarray(self.p, dtype=float)
        if self.kind == "counts":
            return np.asarray(self.counts, dtype=float) + JEFFREYS
        if self.kind in ("ess", "default"):
            assert self.ess is not None  # kinds "ess" and "default" carry ess (see above)
            return float(self.ess) * p
        assert self.bounds is not None  # kind "range" carries bounds
        return _fit_kappa(p[self.focus], *self.bounds) * p

    @property
    def assumed(self) -> bool:
        """True for the default uncertainty an analysis gave an entry the file left without."""
        return self.kind == "default"

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """Central interval of the focus state's marginal Beta distribution."""
        a = float(self.alpha[self.focus])
        return beta_interval(a, float(self.alpha.sum()) - a, level)


def check_ess(ess: object, name: str = "default_ess") -> float:
    """A positive, finite equivalent sample size, or :class:`~bayesdx.errors.ArgumentError`.

    Examples
    --------
    >>> check_ess(10)
    10.0
    >>> check_ess(0)
    Traceback (most recent call last):
    ...
    bayesdx.errors.ArgumentError: default_ess must be a positive number (an equivalent sample \
size such as 10), got 0
    """
    if (
        isinstance(ess, bool)
        or not isinstance(ess, int | float | np.integer | np.floating)
        or not math.isfinite(float(ess))
        or not ess > 0
    ):
        raise ArgumentError(
            f"{name} must be a positive number (an equivalent sample size such as 10), "
            f"got {ess!r:.40}"
        )
    return float(ess)


def default_uncertainty(
    p: tuple[float, ...], ess: float = DEFAULT_ESS, focus: int | None = None
) -> Uncertainty:
    """The uncertainty assumed for an entry the network file gives none: Dirichlet(ess * p).

    Parameters
    ----------
    p : tuple of float
        The entry's values.
    ess : float
        The equivalent sample size (default :data:`DEFAULT_ESS`).
    focus : int, optional
        The state that an interval speaks of (default: the second of two states, else the
        most probable).

    Examples
    --------
    >>> u = default_uncertainty((0.8, 0.2))
    >>> u.kind, u.assumed, u.alpha.tolist()
    ('default', True, [8.0, 2.0])
    >>> lo, hi = u.interval()
    >>> round(lo, 3), round(hi, 3)
    (0.028, 0.482)
    """
    if focus is None:
        focus = 1 if len(p) == 2 else int(np.argmax(p))
    return Uncertainty("default", p=tuple(float(q) for q in p), focus=focus, ess=check_ess(ess))


def _fit_kappa(p: float, lo: float, hi: float) -> float:
    """Concentration whose Beta(kappa p, kappa (1-p)) 95% interval is closest to [lo, hi]."""
    if p <= 0.0 or p >= 1.0:
        return 1.0  # degenerate: the focus state is certain either way
    best, best_err = 1.0, math.inf
    # a coarse log grid, then golden-section refinement on log(kappa)
    grid = np.linspace(math.log(0.5), math.log(1e6), 60)
    errs = [_interval_error(math.exp(g), p, lo, hi) for g in grid]
    i = int(np.argmin(errs))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    phi = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        c, d = b - phi * (b - a), a + phi * (b - a)
        if _interval_error(math.exp(c), p, lo, hi) < _interval_error(math.exp(d), p, lo, hi):
            b = d
        else:
            a = c
    for g in (a, b, grid[i]):
        err = _interval_error(math.exp(g), p, lo, hi)
        if err < best_err:
            best, best_err = math.exp(g), err
    return best


def _interval_error(kappa: float, p: float, lo: float, hi: float) -> float:
    q_lo, q_hi = beta_interval(kappa * p, kappa * (1 - p))
    return (q_lo - lo) ** 2 + (q_hi - hi) ** 2
