"""One-way parameter sensitivity, decision sensitivity and the prior (base-rate) sweep.

For any one parameter x of one node's table (its siblings co-varied proportionally), both
P(H, e) and P(e) are linear in x, so the posterior is exactly linear-fractional:

    f(x) = (a x + b) / (c x + d)

Two exact inferences give a, b, c, d; the derivative at the current value, the posterior
over the parameter's uncertainty range, and the value at which the biopsy verdict flips
(f(x) = t, solved for x) follow in closed form. This is the sensitivity function of Castillo,
Gutierrez and Hadi and of Coupe and van der Gaag, and the single-parameter constraint search
of SamIam.

The prior sweep varies the base rate P(H | context) while keeping every distribution within H
and within not-H: the posterior odds are then the prior odds times the fixed likelihood ratio
of the evidence, L = odds(H | e) / odds(H).

References
----------
Coupe VMH, van der Gaag LC. Properties of sensitivity analysis of Bayesian belief networks.
Ann Math Artif Intell 2002;36:323-56.
Chan H, Darwiche A. Sensitivity analysis in Bayesian networks: from single to multiple
parameters. UAI 2004.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.decision import as_policy, default_policy
from bayesdx.errors import (
    ArgumentError,
    BayesdxError,
    ImpossibleEvidenceError,
    NoUncertaintyError,
)
from bayesdx.inference import BatchResult, posteriors
from bayesdx.model import (
    DEFAULT_ESS,
    Hypothesis,
    Parameter,
    as_network,
    check_ess,
    find_parameter,
    network_parameters,
    normalise,
    resolve_hypothesis,
    table_with,
)
from bayesdx.sensitivity_analysis._psa import uncertainty
from bayesdx.sensitivity_analysis._results import OneWay, PriorPoint, SensitivityReport

if TYPE_CHECKING:
    from bayesdx.decision import Policy
    from bayesdx.model import Network

__all__ = ["prior_sweep", "sensitivity", "sensitivity_function", "sensitivity_functions"]

_DRAW_FLOATS = 1 << 22  # floats of replacement tables per batch of parameters (32 MB)


def _flip(f: OneWay, policy: Policy | None) -> float | None:
    """The x in [0, 1] nearest the current value at which the verdict changes."""
    if policy is None:
        return None
    current = policy.verdict(float(f(f.value)))
    best = None
    for t in {policy.low, policy.high}:
        denom = f.a - t * f.c
        if abs(denom) < 1e-15:
            continue
        x = (t * f.d - f.b) / denom
        if not 0.0 <= x <= 1.0:
            continue
        # the verdict just beyond x (away from the current value) must differ
        step = 1e-9 if x >= f.value else -1e-9
        probe = float(f(min(max(x + step, 0.0), 1.0)))
        if math.isnan(probe) or policy.verdict(probe) == current:
            continue
        if best is None or abs(x - f.value) < abs(best - f.value):
            best = float(x)
    return best


def sensitivity_function(
    network: Network,
    states: Mapping[str, str],
    h: Hypothesis,
    parameter: Parameter,
    policy: Policy | None = None,
) -> OneWay:
    """The exact linear-fractional sensitivity function of one parameter.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> from bayesdx.model import network_parameters, resolve_hypothesis
    >>> net = load_network("marrow_signal")
    >>> pid = "marrow_failure[diagnosis=cmml|other_myeloid_neoplasm].marked"
    >>> (p,) = [p for p in network_parameters(net) if p.id == pid]
    >>> h = resolve_hypothesis(net, "neoplasm")
    >>> f = sensitivity_function(net, {"hb": "lt_12", "setting": "biopsy_referral"}, h, p)
    >>> p.value, round(f(p.value), 4), round(f(0.5), 4)
    (0.4, 0.4841, 0.4858)
    """
    return sensitivity_functions(network, states, h, [parameter], policy)[0]


def sensitivity_functions(
    network: Network,
    states: Mapping[str, str],
    h: Hypothesis,
    parameters: list[Parameter],
    policy: Policy | None = None,
) -> list[OneWay]:
    """The sensitivity functions of many parameters, from one batch of exact inferences.

    Each parameter is set to two values (its own, and half a unit away); both P(H, e) and
    P(e) are linear in it, which gives the four coefficients. Every parameter's two tables
    are evaluated together on the compiled engine's axis of parameter draws (in batches that
    keep the tables within 32 MB).

    Returns
    -------
    list of OneWay
        In the order of ``parameters``.
    """
    out: list[OneWay] = []
    batch: list[Parameter] = []
    for parameter in parameters:
        nodes = {q.node for q in batch} | {parameter.node}
        floats = 2 * (len(batch) + 1) * sum(network.cpts[v].size for v in nodes)
        if batch and floats > _DRAW_FLOATS:
            out += _functions(network, states, h, batch, policy)
            batch = []
        batch.append(parameter)
    if batch:
        out += _functions(network, states, h, batch, policy)
    return out


def _functions(
    network: Network,
    states: Mapping[str, str],
    h: Hypothesis,
    parameters: list[Parameter],
    policy: Policy | None,
) -> list[OneWay]:
    """One batch of parameters: draws 2k and 2k + 1 set parameter k to x0 and x1."""
    xs = [(p.value, p.value + 0.5 if p.value < 0.5 else p.value - 0.5) for p in parameters]
    nodes = list(dict.fromkeys(p.node for p in parameters))
    tables = {v: np.repeat(network.cpts[v][None], 2 * len(parameters), axis=0) for v in nodes}
    for k, (p, pair) in enumerate(zip(parameters, xs, strict=True)):
        for j, x in enumerate(pair):
            tables[p.node][2 * k + j] = table_with(network, p, x)
    # the second value may rule the evidence out (a probability set to 0): P(H, e) = P(e) = 0
    # there is a point of the line like any other; only the network's own values must not
    res = posteriors(network, [states], [h.node], tables=tables, impossible="flag")
    if np.asarray(res.impossible).reshape(2 * len(parameters), -1)[0::2].any():
        raise ImpossibleEvidenceError(dict(states), network.id)
    members = [network.states[h.node].index(s) for s in h.members]
    out = []
    for k, (p, (x0, x1)) in enumerate(zip(parameters, xs, strict=True)):
        (n0, d0), (n1, d1) = (_joint(res, members, 2 * k + j) for j in (0, 1))
        a = (n1 - n0) / (x1 - x0)
        c = (d1 - d0) / (x1 - x0)
        f = OneWay(p, a, n0 - a * x0, c, d0 - c * x0, None)
        out.append(OneWay(p, f.a, f.b, f.c, f.d, _flip(f, policy)))
    return out


def _joint(res: BatchResult, members: list[int], draw: int) -> tuple[float, float]:
    """(P(H, e), P(e)) in one draw of a one-case batch."""
    (post,) = res.posteriors.values()
    p_e = float(res.p_evidence[draw, 0])
    return float(sum(post[draw, 0, i] for i in members)) * p_e, p_e


def prior_sweep(
    posterior: float, prior: float, rates: np.ndarray, policy: Policy | None = None
) -> list[PriorPoint]:
    """Posterior at each base rate, the likelihood ratio of the evidence held fixed.

    Examples
    --------
    >>> [round(p.posterior, 3) for p in prior_sweep(0.5, 0.2, [0.2, 0.5])]
    [0.5, 0.8]
    >>> [p.posterior for p in prior_sweep(1.0, 0.2, [0.2, 0.5])]  # evidence that decides it
    [1.0, 1.0]
    """
    certain = not (0 < posterior < 1 and 0 < prior < 1)
    lr = math.nan if certain else (posterior / (1 - posterior)) / (prior / (1 - prior))
    out = []
    for r in rates:
        p = float(posterior) if certain else float(r * lr / (r * lr + (1 - r)))
        out.append(PriorPoint(float(r), p, policy.verdict(p) if policy else None))
    return out


def _rates(base_rates: tuple[float, float], points: int) -> np.ndarray:
    if not isinstance(base_rates, tuple | list) or len(base_rates) != 2:
        raise ArgumentError(f"base_rates must be a pair (low, high), got {base_rates!r:.60}")
    if isinstance(points, bool) or not isinstance(points, int) or not 2 <= points <= 1000:
        raise ArgumentError(f"points must be a whole number from 2 to 1000, got {points!r:.60}")
    lo, hi = base_rates
    for v in (lo, hi):
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 <= v <= 1.0:
            raise BayesdxError(f"base-rate range [{lo}, {hi}] must lie within [0, 1]")
    if not lo < hi:
        raise BayesdxError(f"base-rate range [{lo}, {hi}] needs low < high")
    return np.linspace(lo, hi, points)


def sensitivity(
    network: Network,
    evidence: Mapping[str, Any] | None = None,
    *,
    hypothesis: str | None = None,
    policy: Policy | None = None,
    parameters: list[str] | None = None,
    base_rates: tuple[float, float] = (0.05, 0.60),
    points: int = 12,
    draws: int = 10_000,
    seed: int = 0,
    progress: bool | None = None,
    default_ess: float | None = DEFAULT_ESS,
) -> SensitivityReport:
    """One-way, decision and prior sensitivity of P(target | evidence).

    Parameters
    ----------
    network : Network
    evidence : mapping, optional
    hypothesis : str, optional
        A group, diagnosis state or ``VAR=STATE``; default the decision target.
    policy : Policy, optional
        Default: the network's band when the hypothesis is its decision target.
    parameters : list of str, optional
        Parameter ids to analyse (default: all).
    base_rates : (float, float)
        The range of the prior sweep, within [0, 1].
    points : int
        Points of the prior sweep.
    draws, seed : int
        The probabilistic analysis (:func:`uncertainty`): ``draws`` joint parameter draws
        from ``seed``; ``draws=0`` skips it. A network without uncertainty skips it too, and
        the report's ``psa_note`` says why.
    progress : bool, optional
        A progress bar for the draws (default: when stderr is a terminal).
    default_ess : float or None
        The uncertainty given to an entry the network file gives none (every table of an
        imported BIF, XMLBIF, XDSL or NET network): Dirichlet(``default_ess`` * p), 10 by
        default (:data:`~bayesdx.model.DEFAULT_ESS`, a convention, not a measurement). Such
        parameters are labelled ``default`` in the report. None gives them no range (the
        one-way table shows them at their value) and skips them in the probabilistic
        analysis.

    Returns
    -------
    SensitivityReport

    Examples
    --------
    >>> from bayesdx import load_network
    >>> rep = sensitivity(load_network("marrow_signal"), {"hb": 11}, parameters=[
    ...     "marrow_failure[diagnosis=multiple_myeloma].marked"])
    >>> f = rep.one_way[0]
    >>> abs(f(f.value) - rep.posterior) < 1e-12
    True
    """

    network = as_network(network)

    ess = None if default_ess is None else check_ess(default_ess)
    rates = _rates(base_rates, points)
    h = resolve_hypothesis(network, hypothesis)
    policy = default_policy(network, h) if policy is None else as_policy(policy)
    ev = normalise(network, evidence)
    states = ev.states
    context = {v: s for v, s in states.items() if v in network.defaults}
    now = posteriors(network, [states, context], [h.node], impossible="raise")
    posterior = h.probability(now.distribution(h.node, 0))
    prior = h.probability(now.distribution(h.node, 1))

    params = network_parameters(network, ess)
    assumed = sum(p.assumed for p in params)
    if parameters is not None:
        if isinstance(parameters, str) or not isinstance(parameters, list | tuple):
            raise ArgumentError(
                f"parameters must be a list of parameter ids, got {type(parameters).__name__}"
            )
        params = [find_parameter(params, pid) for pid in parameters]
    one_way = sensitivity_functions(network, states, h, params, policy)
    one_way.sort(key=lambda f: -f.swing)

    sweep = prior_sweep(posterior, prior, rates, policy)
    flip = None
    if policy is not None and 0 < posterior < 1 and 0 < prior < 1:
        lr = (posterior / (1 - posterior)) / (prior / (1 - prior))
        current = policy.verdict(posterior)
        for t in {policy.low, policy.high}:
            r = t / (t + lr * (1 - t))
            step = 1e-9 if r >= prior else -1e-9
            p = (r + step) * lr / ((r + step) * lr + 1 - r - step)
            if policy.verdict(p) != current and (
                flip is None or abs(r - prior) < abs(flip - prior)
            ):
                flip = float(r)
    psa, note = None, None
    if draws:
        try:
            psa = uncertainty(
                network,
                evidence,
                hypothesis=h.name,
                policy=policy,
                draws=draws,
                seed=seed,
                progress=progress,
                default_ess=ess,
            )
        except NoUncertaintyError as exc:  # an imported network: report what can be computed
            note = f"Probabilistic sensitivity not run: {exc}"
    return SensitivityReport(
        network=network.id,
        hypothesis=h,
        evidence=dict(states),
        posterior=posterior,
        prior=prior,
        one_way=one_way,
        prior_sweep=sweep,
        base_rate_flip=flip,
        policy=policy,
        psa=psa,
        psa_note=note,
        default_ess=ess if assumed else None,
        default_parameters=assumed,
    )
