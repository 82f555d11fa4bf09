"""Bayesian updating of a network's tables with a local cohort (:func:`learn`)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bayesdx.display import Column, Lines, Rendered, Report, Table, figure_axes, finish, jsonable
from bayesdx.errors import ArgumentError, NoUncertaintyError, PolicyError
from bayesdx.inference import score_frame
from bayesdx.io import (
    atomic_output,
    bundled_networks,
    bundled_path,
    read_cohort,
    read_outcome,
    read_yaml,
)
from bayesdx.learning._cohort import Cohort, encode
from bayesdx.learning._document import learned_from, network_document
from bayesdx.learning._em import EMTrace, Rows, run_em
from bayesdx.learning._prior import network_prior
from bayesdx.model import Network, as_network, beta_interval, parse_spec

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from bayesdx.learning._prior import NodePrior

__all__ = ["Change", "Learning", "cross_validate", "learn", "prior_network"]


@dataclass(frozen=True)
class Change:
    """One number of a table before and after the local data.

    Attributes
    ----------
    id : str
        ``node[parent=state,...].state``, the form of :func:`bayesdx.model.network_parameters`.
    node, given, state : str
    prior, posterior : float
        The prior mean (the literature's number) and the posterior mean.
    prior_interval, posterior_interval : tuple of float
        Central 95% intervals of the marginal Beta of each Dirichlet.
    k, n : float
        The local (expected) count of the state and of its parent combination.
    """

    id: str
    node: str
    given: str
    state: str
    prior: float
    posterior: float
    prior_interval: tuple[float, float]
    posterior_interval: tuple[float, float]
    k: float
    n: float

    @property
    def moved(self) -> float:
        """posterior - prior."""
        return self.posterior - self.prior

    @property
    def outside(self) -> bool:
        """Whether the posterior mean left the prior's 95% interval."""
        lo, hi = self.prior_interval
        return not lo <= self.posterior <= hi

    def row(self) -> tuple[Any, ...]:
        """The values under :data:`CHANGE_COLUMNS`."""
        return (
            self.id, self.node, self.given, self.state, self.prior, *self.prior_interval,
            self.posterior, *self.posterior_interval, self.moved, self.k, self.n, self.outside,
        )  # fmt: skip


def _count(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


CHANGE_COLUMNS = (
    Column("id", label="number"),
    Column("node", show=False),
    Column("given", show=False),
    Column("state", show=False),
    Column("prior", ".3f"),
    Column("prior_lo", ".3f", show=False),
    Column("prior_hi", ".3f", show=False),
    Column("posterior", ".3f"),
    Column("posterior_lo", ".3f", label="95% lo"),
    Column("posterior_hi", ".3f", label="95% hi"),
    Column("moved", "+.3f"),
    Column("k", _count),
    Column("n", _count, label="of n"),
    Column("outside", lambda b: "outside prior 95%" if b else "", label=""),
)


@dataclass(frozen=True)
class Learning(Rendered):
    """A network updated with local data, and what moved.

    Attributes
    ----------
    network : Network
        The learned network (what :meth:`write` writes; it loads as any network file does).
    prior : Network
        The network learned from (the literature).
    changes : list of Change
        Every number of a learned table with local data, most moved first.
    document : dict
        The learned network file's content.
    data : str
        The cohort's name.
    n : int
        Patients.
    digest : str
        The cohort's content hash (recorded in the learned network).
    outcome : str or None
        The outcome column.
    prior_weight : float
    trace : EMTrace
    assumed : dict
        ``VAR=state`` -> patients for whom the network's default was taken.
    """

    network: Network
    prior: Network
    changes: list[Change]
    document: dict[str, Any]
    data: str
    n: int
    digest: str
    outcome: str | None
    prior_weight: float
    trace: EMTrace
    assumed: dict[str, int]

    def text(self) -> str:
        """The network file's text (YAML)."""
        return _dump(self.document)

    def write(
        self, path: str | os.PathLike, *, inputs: Iterable[str | os.PathLike] = (), force=False
    ) -> Path:
        """Write the learned network file atomically; never over the network or the data.

        Parameters
        ----------
        path : path
        inputs : iterable of paths
            More files the output may not replace (the data file, for one).
        force : bool
            Write through a symbolic link (see :func:`bayesdx.io.atomic_output`).
        """
        protected = [*inputs, *self.prior.spec.files, self.prior.spec.path]
        with atomic_output(path, inputs=[p for p in protected if p], force=force) as fh:
            fh.write(self.text())
        return Path(path)

    def top(self, k: int = 10) -> list[Change]:
        """The ``k`` numbers that moved most."""
        return self.changes[:k]

    def to_dict(self) -> dict[str, Any]:
        """What ``bayesdx learn --json`` prints (every change, most moved first)."""
        return jsonable(
            {
                "network": self.network.id,
                "prior_network": self.prior.id,
                "data": self.data,
                "rows": self.n,
                "sha256": self.digest,
                "outcome": self.outcome,
                "prior_weight": self.prior_weight,
                "assumed": self.assumed,
                "em": {
                    "iterations": self.trace.iterations,
                    "converged": self.trace.converged,
                    "complete_data": self.trace.complete,
                    "log_likelihood": self.trace.log_likelihood,
                    "objective": self.trace.objective,
                },
                "changes": [
                    {
                        "id": c.id,
                        "prior": c.prior,
                        "prior_interval": c.prior_interval,
                        "posterior": c.posterior,
                        "posterior_interval": c.posterior_interval,
                        "moved": c.moved,
                        "k": c.k,
                        "n": c.n,
                        "outside_prior_interval": c.outside,
                    }
                    for c in self.changes
                ],
            }
        )

    def table(self, k: int | None = 10) -> Table:
        """The numbers that moved most (all with ``k=None``)."""
        shown = self.changes if k is None else self.changes[:k]
        return Table(CHANGE_COLUMNS, [c.row() for c in shown])

    def summary_lines(self) -> list[str]:
        """What was learned from what, in a few lines."""
        em = self.trace
        how = (
            "complete data: one exact update"
            if em.complete
            else f"EM: {em.iterations} steps, " + ("converged" if em.converged else "NOT converged")
        )
        lines = [
            f"Learned {self.network.id} from {self.prior.id} and {self.data} ({self.n} patients;"
            f" outcome column: {self.outcome or 'none'}; prior weight {self.prior_weight:g}).",
            f"{how}; log-likelihood {em.log_likelihood[0]:.2f} -> {em.log_likelihood[-1]:.2f}.",
            f"{len(self.changes)} numbers have local data; "
            f"{sum(c.outside for c in self.changes)} left the prior's 95% interval.",
        ]
        for default, k in self.assumed.items():
            if k:
                lines.append(f"assumed {default} for {k} patients (not counted in its own table)")
        return lines

    def _report(self) -> Report:
        return Report(
            [Lines(self.summary_lines()), self.table(10)],
            title="Learning from local data",
            disclaimer=False,
            data=self.table(None),
        )

    def report(self, top: int = 10) -> str:
        """The text report with the ``top`` numbers that moved most."""
        return Report([Lines(self.summary_lines()), self.table(top)], disclaimer=False).text()

    def to_frame(self) -> pd.DataFrame:
        """Every change: id, node, given, state, prior (and interval), posterior (and
        interval), moved, k, n, outside."""
        return self.table(None).frame()

    def plot(self, *, ax: Axes | None = None, top: int = 15) -> Axes:
        """The numbers that moved most: prior and posterior with their 95% intervals.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
        top : int
            How many numbers to draw.

        Returns
        -------
        matplotlib.axes.Axes
        """
        shown = self.changes[:top][::-1]
        _, ax = figure_axes(ax, (7, 0.35 * len(shown) + 1.6))
        for i, c in enumerate(shown):
            ax.plot(c.prior_interval, [i + 0.15] * 2, color="0.6", linewidth=3,
                    label="literature prior, 95%" if i == 0 else "_")  # fmt: skip
            ax.plot(c.posterior_interval, [i - 0.15] * 2, color="#4c72b0", linewidth=3,
                    label="posterior, 95%" if i == 0 else "_")  # fmt: skip
            ax.plot([c.prior], [i + 0.15], "o", color="0.3", markersize=4)
            ax.plot([c.posterior], [i - 0.15], "o", color="#c44e52", markersize=4)
        ax.set_yticks(range(len(shown)), [c.id for c in shown], fontsize=7)
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel("probability")
        if shown:
            ax.legend(fontsize=7, loc="lower right")
        return finish(
            ax, f"{self.network.id}: the numbers the local data moved most", disclaimer=False
        )


def _dump(document: dict[str, Any]) -> str:
    import yaml

    head = (
        "# Learned by bayesdx learn: the literature prior updated with local data.\n"
        "# Every row with local data says so in its note (k of n) and cites the local source.\n"
    )
    return head + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _rows(network: Network, cohort: Cohort) -> Rows:
    out = cohort.outcome
    decision = network.spec.decision
    hub = decision.node if decision is not None else None
    allowed = None
    if out is not None and out.kind == "group" and hub is not None:
        members = np.asarray([s in out.members for s in network.states[hub]])
        allowed = np.ones((cohort.n, len(members)), dtype=bool)
        allowed[out.in_group == 1] = members
        allowed[out.in_group == 0] = ~members
    own = {v: ~mask for v, mask in cohort.assumed.items()}
    return Rows(cohort.x, allowed, hub, own)


def _changes(
    network: Network, prior: dict[str, NodePrior], counts: dict[str, np.ndarray]
) -> list[Change]:
    out = []
    for v, p in prior.items():
        states = network.states[v]
        for combo in p.columns:
            n = float(counts[v][combo].sum())
            if n <= 0:
                continue
            a0 = p.alpha[combo]
            post = a0 + counts[v][combo]
            given = (
                ",".join(
                    f"{q}={network.states[q][i]}"
                    for q, i in zip(network.parents[v], combo, strict=True)
                )
                or "prior"
            )
            shown = [1] if len(states) == 2 else [i for i in range(len(states)) if a0[i] > 0]
            for i in shown:
                out.append(
                    Change(
                        id=f"{v}[{given}].{states[i]}",
                        node=v,
                        given=given,
                        state=states[i],
                        prior=float(a0[i] / a0.sum()),
                        posterior=float(post[i] / post.sum()),
                        prior_interval=beta_interval(float(a0[i]), float(a0.sum() - a0[i])),
                        posterior_interval=beta_interval(
                            float(post[i]), float(post.sum() - post[i])
                        ),
                        k=float(counts[v][combo][i]),
                        n=n,
                    )
                )
    out.sort(key=lambda c: (-abs(c.moved), c.id))
    return out


def learn(
    network: Network,
    data: Any,
    *,
    outcome: str | None = None,
    prior_weight: float = 1.0,
    max_iter: int = 200,
    tol: float = 1e-9,
    label: str | None = None,
) -> Learning:
    """Update every table of a network with a local cohort, the literature as the prior.

    Each entry's uncertainty (study counts, an expert range, an effective sample size)
    becomes Dirichlet pseudo-counts for every parent combination it covers (noisy-OR and
    noisy-MAX nodes: a Dirichlet moment-matched per combination; see
    :mod:`bayesdx.learning._prior`). The posterior of a column is Dirichlet(alpha + counts);
    with missing findings, a latent node or an unknown outcome the counts are the exact
    expected counts of EM (no row is dropped; see :mod:`bayesdx.learning._em`).

    Parameters
    ----------
    network : Network
        The literature network (a YAML network file with uncertain entries).
    data : path or pandas.DataFrame
        One patient per row, one column per finding (as ``bayesdx batch`` reads it), and the
        outcome column.
    outcome : str, optional
        The column holding the diagnosis (a state of the decision node) or 1/0 for the
        decision's target group; None when the diagnosis, if given, is in a column named
        after its node.
    prior_weight : float
        Multiplies the literature's pseudo-counts (its equivalent sample size).
    max_iter, tol : int, float
        EM's limits: at most ``max_iter`` steps, stopped when the objective changes by less
        than ``tol`` times its size.
    label : str, optional
        The cohort's name in messages and provenance.

    Returns
    -------
    Learning

    Raises
    ------
    CaseFileError, RowError, UnknownVariableError, UnknownStateError
        A cohort that cannot be read (naming the line and column).
    NoUncertaintyError
        A network whose tables carry no uncertainty (an imported BIF file).

    Examples
    --------
    >>> import numpy as np
    >>> from bayesdx import load_network
    >>> from bayesdx.validation import simulate
    >>> net = load_network("marrow_signal")
    >>> cohort = simulate(net, 200, np.random.default_rng(1))[["hb", "m_protein", "diagnosis"]]
    >>> res = learn(net, cohort, outcome="diagnosis")
    >>> res.network.id, res.trace.converged
    ('marrow_signal_local', True)
    >>> bool(all(np.isclose(res.network.cpts[v].sum(-1), 1).all() for v in res.network.variables))
    True
    """
    network = as_network(network)
    prior = network_prior(network, prior_weight)
    if not prior:
        raise NoUncertaintyError(
            f"network {network.id} has no table with uncertain entries to learn (an imported "
            "network has numbers only); learning needs the literature's counts or ranges"
        )
    frame, name = read_cohort(data, label)
    cohort = encode(network, frame, name, outcome=outcome)
    rows = _rows(network, cohort)
    theta, counts, trace = run_em(network, rows, prior, max_iter=max_iter, tol=tol)
    del theta  # the document's rows are alpha + counts, normalised (the same tables)
    em_text = (
        "complete data, one exact update"
        if trace.complete
        else f"EM {trace.iterations} steps" + ("" if trace.converged else " (not converged)")
    )
    record = learned_from(network)
    prior_name = record[0]["prior"] if record else _network_name(network)
    document = network_document(
        network, prior, counts, data_name=name, digest=cohort.digest, n_rows=cohort.n,
        outcome=outcome, prior_weight=float(prior_weight), prior_name=prior_name,
        em_text=em_text,
    )  # fmt: skip
    text = _dump(document)
    learned = Network(parse_spec(read_yaml("<learned network>", text), path="<learned network>"))
    assumed = {f"{v}={network.defaults[v]}": int(mask.sum()) for v, mask in cohort.assumed.items()}
    return Learning(
        network=learned,
        prior=network,
        changes=_changes(network, prior, counts),
        document=document,
        data=name,
        n=cohort.n,
        digest=cohort.digest,
        outcome=outcome,
        prior_weight=float(prior_weight),
        trace=trace,
        assumed=assumed,
    )


def _network_name(network: Network) -> str:
    """A bundled network by its name, any other by its path."""
    if network.id in bundled_networks() and str(bundled_path(network.id)) == network.spec.path:
        return network.id
    return str(Path(network.spec.path).resolve())


def prior_network(network: Network) -> str | None:
    """The literature network a learned network was learned from (name or path), or None."""
    record = learned_from(network)
    return record[0]["prior"] if record else None


def cross_validate(
    network: Network,
    data: Any,
    outcome: str,
    *,
    folds: int = 5,
    seed: int = 0,
    prior_weight: float = 1.0,
    label: str | None = None,
) -> dict[str, np.ndarray]:
    """Score every patient with the network learned from the other folds only.

    The patients are split into ``folds`` parts at random (seeded); each part is scored by
    :func:`learn` on the rest (the literature prior plus the other parts), from its findings
    alone. The scores can go to :func:`bayesdx.validation.validate_cohort` (``scores=``).

    Parameters
    ----------
    network : Network
        The literature network (the prior), not one learned from these patients.
    data : path or pandas.DataFrame
    outcome : str
        The outcome column (see :func:`learn`).
    folds : int
        At least 2, at most the number of patients.
    seed : int
    prior_weight : float
    label : str, optional

    Returns
    -------
    dict
        ``{"p": P(target) per row, "posterior": (n, card) of the decision node, "fold":
        the fold of each row}``.

    Examples
    --------
    >>> import numpy as np
    >>> from bayesdx import load_network
    >>> from bayesdx.validation import simulate
    >>> net = load_network("marrow_signal")
    >>> df = simulate(net, 60, np.random.default_rng(2))[["hb", "m_protein", "diagnosis"]]
    >>> cv = cross_validate(net, df, "diagnosis", folds=3)
    >>> cv["p"].shape, sorted(set(cv["fold"].tolist()))
    ((60,), [0, 1, 2])
    """
    import pandas as pd

    network = as_network(network)
    decision = network.spec.decision
    if decision is None:
        raise PolicyError(f"network {network.id} has no decision section: nothing to score")
    frame, name = read_cohort(data, label)
    read_outcome(network, frame, outcome, name)  # refuse a bad outcome before any work
    n = len(frame)
    if isinstance(folds, bool) or not isinstance(folds, int) or not 2 <= folds <= n:
        raise ArgumentError(f"folds must be a whole number from 2 to {n} (the patients)")
    fold = np.empty(n, dtype=np.int64)
    fold[np.random.default_rng(seed).permutation(n)] = np.arange(n) % folds
    states = network.states[decision.node]
    p = np.full(n, np.nan)
    posterior = np.full((n, len(states)), np.nan)
    cases = frame.drop(columns=[outcome])
    for k in range(folds):
        test = fold == k
        train = frame.loc[~test].reset_index(drop=True)
        fitted = learn(network, train, outcome=outcome, prior_weight=prior_weight,
                       label=f"{name} without fold {k + 1}").network  # fmt: skip
        held = cases.loc[test].reset_index(drop=True)
        scored = score_frame(fitted, pd.DataFrame(held), source=name)
        p[test] = scored[f"group:{decision.target}"].to_numpy(dtype=float)
        posterior[test] = scored[[f"{decision.node}={s}" for s in states]].to_numpy(dtype=float)
    return {"p": p, "posterior": posterior, "fold": fold}
