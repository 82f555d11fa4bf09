"""The case explorer: one self-contained HTML page where a trainee clicks findings and watches
the reasoning move.

The page embeds the network's tables, its cut-points, groups and decision section as JSON,
and a small exact inference engine in JavaScript (variable elimination over the ancestors of
the query and the evidence, with rescaling), so every number it shows is the number the
Python engine gives, to rounding. Nothing is fetched: no CDN, no server, works offline, can
be e-mailed. :class:`Explorer` shows the same page inline in a notebook (an ``iframe`` with
``srcdoc``), with no kernel callback.

What the page shows, updated on every change: the posterior of the diagnosis node(s) and the
groups; the decision (P(target) against the band and the harm/benefit threshold, the
guideline's red flags that fire, the verdict with the safety net, the next tests with what
each result would do); the weight of each finding (leave-one-out likelihood ratio and
decibans, and the sequential waterfall from prior to posterior); the network graph with each
node's posterior drawn inside it (a fixed layered layout computed here). Undo, reset, the case
in the URL fragment, keyboard use and a print style complete it.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bayesdx.display import DISCLAIMER
from bayesdx.explanation._quiz import TOLERANCE_DB, check_quiz, quiz_steps
from bayesdx.io import atomic_output, load_cases
from bayesdx.model import DeterministicCPT, as_network, normalise, resolve_hypothesis

if TYPE_CHECKING:
    from bayesdx.io import Case
    from bayesdx.model import Network

__all__ = [
    "Explorer",
    "explore",
    "explore_command",
    "explorer_data",
    "explorer_html",
    "write_explorer",
]

#: nodes per row of the graph; a wider layer wraps onto more rows
_PER_ROW = 7
_NODE_W, _GAP_X, _GAP_Y, _ROW_H, _HEAD_H = 164, 12, 34, 15, 20
_MAX_ROWS = 4  # states drawn inside a node; more are summarised as "+ n more"


def _layout(network: Network) -> dict[str, Any]:
    """A fixed layered layout: depth = longest path from a root, wide layers wrapped.

    Within a layer nodes are ordered by the mean position of their parents (barycentre), ties
    by topological order, so the same network always gives the same picture.
    """
    depth: dict[str, int] = {}
    for v in network.variables:  # topological order
        depth[v] = 1 + max((depth[p] for p in network.parents[v]), default=-1)
    layers: dict[int, list[str]] = {}
    for v in network.variables:
        layers.setdefault(depth[v], []).append(v)
    rank: dict[str, float] = {}
    rows: list[list[str]] = []
    topo = {v: i for i, v in enumerate(network.variables)}

    def key(v: str) -> tuple[float, int]:
        ps = [rank[p] for p in network.parents[v] if p in rank]
        return (sum(ps) / len(ps) if ps else 0.0, topo[v])

    for d in sorted(layers):
        members = sorted(layers[d], key=key)
        for i in range(0, len(members), _PER_ROW):
            row = members[i : i + _PER_ROW]
            rows.append(row)
            n = len(row)
            for j, v in enumerate(row):
                rank[v] = (j + 0.5) / n
    width = _PER_ROW * (_NODE_W + _GAP_X) + _GAP_X
    nodes: dict[str, list[float]] = {}
    y = _GAP_X
    for row in rows:
        heights = [_HEAD_H + _ROW_H * min(len(network.states[v]), _MAX_ROWS) + 6 for v in row]
        n = len(row)
        span = n * _NODE_W + (n - 1) * _GAP_X
        x0 = (width - span) / 2
        for j, v in enumerate(row):
            nodes[v] = [x0 + j * (_NODE_W + _GAP_X), y, _NODE_W, heights[j]]
        y += max(heights) + _GAP_Y
    return {"width": width, "height": y - _GAP_Y + _GAP_X, "nodes": nodes, "rows": _MAX_ROWS}


def _node_data(network: Network, v: str) -> dict[str, Any]:
    node = network.node(v)
    measure = None
    if node.measure is not None:
        m = node.measure
        measure = {
            "quantity": m.quantity,
            "unit": m.unit,
            "cuts": list(m.cuts),
            "order": list(m.order),
            "range": list(m.range),
        }
    det = None
    if isinstance(node.cpt, DeterministicCPT):
        det = {c: list(ps) for c, ps in node.cpt.mapping.items()}
    return {
        "id": v,
        "label": node.label or v,
        "role": node.role,
        "states": list(network.states[v]),
        "parents": list(network.parents[v]),
        # C order, the parents' states outermost: exactly the numbers the Python engine uses
        "cpt": [float(x) for x in network.cpts[v].reshape(-1)],
        "measure": measure,
        "raw_to": node.raw_to,
        "det": det,
        "default": node.default,
        "description": node.description or "",
    }


def explorer_data(
    network: Network,
    evidence: Mapping[str, Any] | None = None,
    *,
    hypothesis: str | None = None,
    quiz: Iterable[Case] | None = None,
) -> dict[str, Any]:
    """Everything the page embeds, as JSON-ready data.

    Parameters
    ----------
    network : Network
    evidence : mapping, optional
        The case the page opens on (states or raw values, as for :func:`bayesdx.query`).
    hypothesis : str, optional
        The hypothesis the weights of evidence are for, and the one the quiz asks about
        (default: the decision target).
    quiz : iterable of Case, optional
        Published cases for the quiz (:func:`bayesdx.io.load_cases`); ``None``: no quiz.
        The data then has ``quiz`` (the cases as :func:`quiz_steps` gives them) and
        ``quiz_skipped``.

    Raises
    ------
    CaseFileError
        A quiz none of whose cases can be used with the network.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> data = explorer_data(load_network("marrow_signal"), {"hb": 11.4})
    >>> data["initial"]["given"], data["initial"]["raw"]
    ({'hb_level': 'lt_12', 'hb': 'lt_12'}, {'hb': 11.4})
    >>> data["decision"]["target"], data["hypothesis"]["name"]
    ('neoplasm', 'neoplasm')
    """
    network = as_network(network)
    ev = normalise(network, evidence, defaults=False)
    h = resolve_hypothesis(network, hypothesis)
    roles = {network.node(v).role for v in network.variables}
    if roles & {"finding", "context"}:
        controls = [v for v in network.variables if network.node(v).role in ("context", "finding")]
    else:  # a network without roles: every node can be observed
        controls = list(network.variables)
    decision = None
    d = network.spec.decision
    if d is not None:
        decision = {
            "node": d.node,
            "target": d.target,
            "members": list(d.members),
            "low": d.band[0],
            "high": d.band[1],
            "floor": d.harm_benefit.threshold if d.harm_benefit else None,
            "band_sources": list(d.band_sources),
            "guideline": None
            if d.guideline is None
            else {
                "title": d.guideline.title,
                "rules": [
                    {"id": r.id, "label": r.label, "any": {k: list(s) for k, s in r.any.items()}}
                    for r in d.guideline.rules
                ],
            },
        }
    quiz_cases: list[dict[str, Any]] | None = None
    skipped: list[str] = []
    if quiz is not None:
        quiz_cases, skipped = quiz_steps(network, list(quiz), h)
        check_quiz(quiz_cases, skipped, network.id)
    return {
        "id": network.id,
        "title": network.title or network.id,
        "disclaimer": DISCLAIMER,
        "nodes": [_node_data(network, v) for v in network.variables],
        "targets": list(network.default_targets),
        "controls": controls,
        "groups": {name: [node, list(ms)] for name, (node, ms) in network.groups.items()},
        "decision": decision,
        "hypothesis": {"name": h.name, "node": h.node, "members": list(h.members)},
        "layout": _layout(network),
        "initial": {
            "given": dict(ev.given),
            "raw": dict(ev.raw),
            "read_as": dict(ev.read_as),
        },
        "quiz": quiz_cases,
        "quiz_skipped": skipped,
        "quiz_tolerance_db": TOLERANCE_DB,
    }


def _json_for_script(data: Any) -> str:
    """JSON safe inside a <script> element (no ``</``, no HTML comment openers)."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def explorer_html(
    network: Network,
    evidence: Mapping[str, Any] | None = None,
    *,
    hypothesis: str | None = None,
    quiz: Iterable[Case] | None = None,
) -> str:
    """The explorer as one self-contained HTML document (all script, style and data inline)."""
    return _page(explorer_data(network, evidence, hypothesis=hypothesis, quiz=quiz))


def _page(data: dict[str, Any]) -> str:
    kind = "quiz and case explorer" if data.get("quiz") else "case explorer"
    title = html.escape(f"{data['title']}: {kind}")
    return (
        _TEMPLATE.replace("__TITLE__", title)
        .replace("__STYLE__", _STYLE)
        .replace("__SCRIPT__", _SCRIPT)
        .replace("__DATA__", _json_for_script(data))
    )


def _quiz_cases(quiz: Any) -> list[Case] | None:
    if quiz is None or quiz is False:
        return None
    if quiz is True:
        return load_cases()
    if isinstance(quiz, str | os.PathLike):
        return load_cases(Path(quiz))
    return list(quiz)


class Explorer:
    """The interactive case explorer for a network and a case, with an optional quiz.

    Display it in a notebook (``_repr_html_`` embeds the page in an ``iframe``; it runs in
    the browser, no kernel callback), or save it as one HTML file to hand out.

    Parameters
    ----------
    network : Network
    evidence : mapping, optional
        The case the explorer opens on.
    hypothesis : str, optional
        The hypothesis of the weights of evidence and of the quiz (default: the decision
        target).
    quiz : bool, folder or iterable of Case, optional
        Add the quiz: ``True`` for the bundled case library, a folder of case files, or
        :class:`~bayesdx.io.Case` objects. Cases the network cannot use are left out and
        listed in :attr:`quiz_skipped`.
    height : int
        The notebook frame's height in pixels.

    Attributes
    ----------
    network : Network
    evidence : dict
        The case the page opens on.
    html : str
        The whole page.
    quiz_cases : list of str
        The ids of the quiz's cases, in order (empty without a quiz).
    quiz_skipped : list of str
        The cases left out of the quiz, each with the reason.

    Examples
    --------
    >>> from bayesdx import load_network
    >>> ex = explore(load_network("marrow_signal"), {"hb": 11.4, "m_protein": "present"})
    >>> ex.html.startswith("<!DOCTYPE html>"), "<iframe" in ex._repr_html_()
    (True, True)
    >>> quiz = explore(load_network("marrow_signal"), quiz=True)
    >>> len(quiz.quiz_cases) + len(quiz.quiz_skipped) >= 14
    True
    """

    def __init__(
        self,
        network: Network,
        evidence: Mapping[str, Any] | None = None,
        *,
        hypothesis: str | None = None,
        quiz: bool | str | os.PathLike[str] | Iterable[Case] | None = None,
        height: int = 900,
    ):
        self.network = as_network(network)
        self.evidence = dict(evidence or {})
        self.height = int(height)
        data = explorer_data(
            self.network, self.evidence, hypothesis=hypothesis, quiz=_quiz_cases(quiz)
        )
        self.quiz_cases: list[str] = [c["id"] for c in data["quiz"] or ()]
        self.quiz_skipped: list[str] = list(data["quiz_skipped"])
        self.html = _page(data)

    def save(self, path: str | os.PathLike, *, force: bool = False) -> Path:
        """Write the page atomically (``-`` for standard output); returns the path."""
        with atomic_output(path, force=force) as fh:
            fh.write(self.html)
        return Path(path)

    def _repr_html_(self) -> str:
        doc = html.escape(self.html, quote=True)
        return (
            f'<iframe srcdoc="{doc}" title="bayesdx case explorer: {html.escape(self.network.id)}"'
            f' style="width:100%;height:{self.height}px;border:1px solid #ccc" '
            'sandbox="allow-scripts allow-same-origin"></iframe>'
        )

    def __repr__(self) -> str:
        quiz = f", quiz of {len(self.quiz_cases)} cases" if self.quiz_cases else ""
        return f"<Explorer {self.network.id!r}: {len(self.evidence)} findings given{quiz}>"


def explore(
    network: Network,
    evidence: Mapping[str, Any] | None = None,
    *,
    hypothesis: str | None = None,
    quiz: bool | str | os.PathLike[str] | Iterable[Case] | None = None,
) -> Explorer:
    """The interactive case explorer, with the quiz if asked (see :class:`Explorer`)."""
    return Explorer(network, evidence, hypothesis=hypothesis, quiz=quiz)


def write_explorer(
    network: Network,
    path: str | os.PathLike,
    evidence: Mapping[str, Any] | None = None,
    *,
    hypothesis: str | None = None,
    quiz: bool | str | os.PathLike[str] | Iterable[Case] | None = None,
    force: bool = False,
) -> Path:
    """Write the explorer page for a network and a case to ``path``, atomically."""
    return Explorer(network, evidence, hypothesis=hypothesis, quiz=quiz).save(path, force=force)


def explore_command(
    network: Network,
    case: Mapping[str, Any] | None,
    output: str | os.PathLike,
    force: bool = False,
    inputs: Iterable[str | os.PathLike] = (),
    *,
    hypothesis: str | None = None,
    quiz: Iterable[Case] | None = None,
) -> Explorer:
    """What ``bayesdx explore`` runs: the page for ``case`` written to ``output`` atomically.

    ``inputs`` are the files the command read (the network, the case file, the quiz's case
    files): the output may not overwrite one of them. Returns the :class:`Explorer`.
    """
    ex = Explorer(network, case, hypothesis=hypothesis, quiz=quiz)
    with atomic_output(output, inputs=tuple(inputs), force=force) as fh:
        fh.write(ex.html)
    return ex


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>__STYLE__</style>
</head>
<body>
<noscript>This page needs JavaScript to compute the posteriors.</noscript>
<script id="bdx-data" type="application/json">__DATA__</script>
<div id="app"></div>
<script>__SCRIPT__</script>
</body>
</html>
"""

_STYLE = r"""
:root{--ink:#1d2330;--mute:#5b6476;--line:#d6dbe4;--bg:#f6f7f9;--accent:#2457a6;
--pos:#b23a2e;--neg:#2e6bb2;--yes:#b23a2e;--band:#d9822b;--consider:#e8c34a;--no:#5f9e6e}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
margin:0;background:#fff}
#app{max-width:1240px;margin:0 auto;padding:12px 18px}
header h1{font-size:1.45rem;margin:.2rem 0}
.disclaimer{color:var(--mute);margin:.2rem 0 .5rem;font-size:.9rem}
.toolbar{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap;margin-bottom:.6rem}
.toolbar button{font:inherit;padding:.3rem .9rem;border:1px solid var(--line);border-radius:4px;
background:var(--bg);cursor:pointer}
.toolbar button:disabled{opacity:.45;cursor:default}
.link{margin-left:.5rem;color:var(--accent)}
main{display:grid;grid-template-columns:minmax(300px,380px) 1fr;gap:20px;align-items:start}
#controls{border:1px solid var(--line);border-radius:6px;padding:8px 12px;background:var(--bg);
max-height:calc(100vh - 40px);overflow:auto;position:sticky;top:8px}
#controls h2{margin:.2rem 0}
#controls h3{margin:.8rem 0 .2rem;font-size:.95rem;text-transform:uppercase;letter-spacing:.04em;
color:var(--mute)}
.ctl{padding:5px 0;border-bottom:1px solid var(--line)}
.ctl.set .ctl-label{font-weight:650}
.ctl-head{display:flex;justify-content:space-between;gap:.5rem;align-items:baseline}
.ctl-label{font-size:.92rem}
.ctl-id{font-size:.75rem;color:var(--mute)}
.states{display:flex;flex-wrap:wrap;gap:4px;margin-top:3px}
button.state{font:inherit;font-size:.85rem;padding:2px 9px;border:1px solid #aab3c2;
border-radius:12px;background:#fff;color:var(--ink);cursor:pointer}
button.state:hover{border-color:var(--accent)}
button.state[aria-pressed=true]{background:var(--accent);border-color:var(--accent);color:#fff}
button.state.assumed{border-style:dashed;border-color:var(--accent);color:var(--accent)}
button:focus-visible,input:focus-visible,select:focus-visible,a:focus-visible{
outline:3px solid #f0a500;outline-offset:1px}
.rawrow{display:flex;flex-wrap:wrap;gap:.2rem .6rem;align-items:center;margin-top:4px;
font-size:.82rem}
input.raw{font:inherit;font-size:.9rem;width:6.5em;padding:1px 4px;border:1px solid #aab3c2;
border-radius:3px}
.cuts{color:var(--mute)}
.raw-note{font-weight:650;color:var(--accent);font-size:.9rem}
.hint{color:var(--mute);font-size:.85rem;margin:.3rem 0}
.msg{background:#fdecea;border:1px solid #f5c2bd;padding:.4rem .6rem;border-radius:4px}
#results h2{font-size:1.15rem;margin:.9rem 0 .3rem;border-bottom:1px solid var(--line)}
#results h3{font-size:1rem;margin:.7rem 0 .2rem}
ul.case{margin:.2rem 0;padding-left:1.2rem}
ul.case li.assumed{color:var(--mute)}
table{border-collapse:collapse}
table.bars{width:100%;max-width:640px}
table.bars th{text-align:left;font-weight:500;padding:1px 8px 1px 0;white-space:nowrap;
font-size:.9rem;width:14em}
table.bars td.barcell{width:60%;padding:1px 0}
.bar{display:block;height:12px;background:var(--accent);border-radius:2px;min-width:1px}
table.bars.big .bar{height:16px;background:#6b4aa8}
td.num{text-align:right;font-variant-numeric:tabular-nums;padding:1px 6px;white-space:nowrap}
.verdict{font-size:1.05rem;margin:.3rem 0}
.badge{display:inline-block;padding:.15rem .7rem;border-radius:4px;color:#fff;font-weight:650;
text-transform:uppercase;letter-spacing:.03em;font-size:.9rem}
.v-recommended .badge{background:var(--yes)}.v-borderline .badge{background:var(--band)}
.v-consider .badge{background:#b08a00}.v-not_recommended .badge{background:var(--no)}
svg.scale{width:100%;max-width:560px;display:block}
.z-no{fill:#cfe5d4}.z-consider{fill:#f6e7ae}.z-band{fill:#f5cfa6}.z-yes{fill:#efb7b0}
.tick{font-size:11px;fill:var(--mute)}.tickline{stroke:#555;stroke-width:1}
.pointer{fill:var(--ink)}.pointerline{stroke:var(--ink);stroke-width:2}
.legend{font-size:.8rem;color:var(--mute);margin:0}
.reason{margin:.4rem 0}
ul.flags{list-style:none;padding:0;margin:.2rem 0;columns:2;font-size:.9rem}
ul.flags li.fired{color:var(--pos);font-weight:650}
ul.flags li.quiet{color:var(--mute)}
table.next{font-size:.85rem;width:100%}
table.next th,table.next td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;
vertical-align:top}
.outcome{display:inline-block;margin:1px 6px 1px 0;padding:0 5px;border-radius:3px;
background:var(--bg)}
.outcome.v-recommended{background:#f6d5d1}.outcome.v-borderline{background:#f8e0c6}
.outcome.v-consider{background:#f8efc9}
label.hyp select{font:inherit;padding:1px 4px}
table.weights{font-size:.88rem;width:100%;margin-top:.3rem}
table.weights th,table.weights td{border-bottom:1px solid var(--line);padding:3px 6px;
text-align:left}
td.wcell{position:relative;width:30%;min-width:120px}
.axis{position:absolute;left:50%;top:2px;bottom:2px;border-left:1px solid #888}
.wbar{position:absolute;top:5px;height:12px;border-radius:2px}
.wbar.pos{background:var(--pos)}.wbar.neg{background:var(--neg)}
svg.waterfall{width:100%;max-width:620px;display:block;margin-top:.5rem}
.wtitle{font-size:12px;fill:var(--mute)}.wlab{font-size:12px;fill:var(--ink)}
.zero{stroke:#888;stroke-dasharray:3 3}
.wup{fill:var(--pos)}.wdown{fill:var(--neg)}.wprior{fill:#8a94a6}
#graph{margin-top:1rem}
#graph h2{font-size:1.15rem;border-bottom:1px solid var(--line)}
svg.graph{width:100%;height:auto;display:block}
.edges path{fill:none;stroke:#8a94a6;stroke-width:1;opacity:.55}
.gnode{cursor:pointer}
.gbox{fill:#fff;stroke:#9aa4b5;stroke-width:1}
.gnode.observed .gbox{fill:#e3ebf7;stroke:var(--accent);stroke-width:2.5}
.gnode.assumed .gbox{stroke:var(--accent);stroke-dasharray:4 3;stroke-width:1.5}
.gtitle{font-size:11.5px;font-weight:650;fill:var(--ink)}
.gstate{font-size:10px;fill:var(--ink)}.gstate.on{font-weight:700;fill:var(--accent)}
.gval{font-size:10px;fill:var(--mute);font-variant-numeric:tabular-nums}
.gbarbg{fill:#eef0f4}.gbar{fill:var(--accent)}
#glossary dl{display:grid;grid-template-columns:14em 1fr;gap:.25rem 1rem;font-size:.9rem}
#glossary dt{font-weight:650}#glossary dd{margin:0}
footer{color:var(--mute);font-size:.8rem;margin:1rem 0;border-top:1px solid var(--line);
padding-top:.4rem}
.tabs{display:inline-flex;margin-right:.8rem;border:1px solid var(--accent);border-radius:5px;
overflow:hidden}
.toolbar .tabs button.tab{border:0;border-radius:0;background:#fff;color:var(--accent);
padding:.3rem 1.1rem}
.toolbar .tabs button.tab[aria-pressed=true]{background:var(--accent);color:#fff}
.case-tools{display:inline-flex;gap:.5rem;align-items:center}
#quiz{display:none;max-width:900px}
body.mode-quiz #quiz{display:block}
body.mode-quiz main,body.mode-quiz #graph,body.mode-quiz .case-tools{display:none}
#quiz h2{font-size:1.15rem;margin:.6rem 0 .3rem;border-bottom:1px solid var(--line)}
#quiz h3{font-size:1rem;margin:.7rem 0 .2rem}
.qpick select{font:inherit;padding:1px 4px}
.qpickrow{display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap}
.qcard{border:1px solid var(--line);border-radius:6px;background:var(--bg);padding:4px 14px 8px;
margin:.6rem 0}
.qcard p{margin:.2rem 0}
ol.qsteps{margin:.2rem 0;padding-left:1.6rem}
ol.qsteps li{margin:.15rem 0}
ol.qsteps li.current{font-weight:650}
.qpair{margin-left:.7rem;font-size:.85rem;color:var(--mute);font-weight:400;white-space:nowrap}
.qestimate{border:2px solid var(--accent);border-radius:6px;padding:8px 14px;margin:.6rem 0}
.qestimate label{font-weight:650}
.qslide{display:flex;align-items:center;gap:.6rem;margin:.4rem 0;flex-wrap:wrap}
.qslide input[type=range]{flex:1;min-width:220px;accent-color:var(--accent)}
.qslide output{font-size:1.3rem;font-weight:700;min-width:3.2em;text-align:right;
font-variant-numeric:tabular-nums}
button.qbtn{font:inherit;padding:.35rem 1rem;border:1px solid var(--accent);border-radius:4px;
background:var(--accent);color:#fff;cursor:pointer;margin:.3rem .5rem .3rem 0}
.qfeedback{font-size:1.05rem;margin:.5rem 0}
.qanswer{font-size:1.05rem}
.cite{font-size:.85rem;color:var(--mute)}
.qbrier{margin:.4rem 0}
svg.qchart{width:100%;max-width:640px;display:block}
.qgrid{stroke:#e3e6ec}.qedge{stroke:var(--band);stroke-dasharray:2 3;opacity:.8}
.qoutcome{stroke:var(--ink);stroke-dasharray:6 4;stroke-width:1.2}
.qtick{font-size:11px;fill:var(--mute)}.qlab{font-size:12px;fill:var(--ink)}
.qline{fill:none;stroke-width:2.2}.qline.qnet{stroke:var(--accent)}
.qline.qyou{stroke:#d9822b}
.qdot.qnet{fill:var(--accent)}.qdot.qyou{fill:#d9822b}
.qlab.qnet{fill:var(--accent);font-weight:650}.qlab.qyou{fill:#b5651d;font-weight:650}
table.qtable{font-size:.88rem;width:100%;margin:.4rem 0}
table.qtable th,table.qtable td{border-bottom:1px solid var(--line);padding:3px 6px;
text-align:left}
.w-over-weighted,.w-opposite-direction{color:var(--pos);font-weight:650}
.w-under-weighted{color:var(--neg);font-weight:650}
.w-about-right{color:#3d7a4c}
.qsummary{font-weight:650}
@media (max-width:860px){main{grid-template-columns:1fr}#controls{position:static;
max-height:none}}
@media print{
@page{margin:10mm}
body{font-size:8.5pt}
#app{max-width:none;padding:0}
header h1{font-size:13pt}
.toolbar,#controls,.hint,label.hyp,.msg,details,.qestimate,.qactions,.qpick,button{
display:none!important}
main{display:block}
#results{display:grid;grid-template-columns:1fr 1fr;gap:0 16px;
grid-template-areas:"summary decision" "posterior decision" "weights weights"}
#summary{grid-area:summary}#posterior{grid-area:posterior}#decision{grid-area:decision}
#weights{grid-area:weights}
#results h2{margin:.3rem 0 .1rem;font-size:10.5pt}
#results h3{margin:.3rem 0 .1rem;font-size:9.5pt}
table.bars th{width:auto;font-size:8pt}
.bar{height:8px}table.bars.big .bar{height:10px}
ul.flags{columns:1;font-size:8pt}
table.next{font-size:7.5pt}
table.weights{font-size:8pt}
svg.waterfall{max-width:340px}
#graph{break-before:page}
#glossary{break-inside:avoid;font-size:8pt}
#glossary dl{grid-template-columns:11em 1fr;font-size:7.5pt;gap:0 8px}
table.next tr:nth-child(n+5){display:none}
#graph h2,#glossary h2{font-size:10.5pt;margin:.2rem 0}
#quiz p,#quiz li,#quiz td,#quiz th,#quiz span,#quiz strong,#quiz .qanswer,#quiz .qfeedback{
font-size:8.5pt}
#quiz h2{font-size:10.5pt;margin:.3rem 0 .1rem}#quiz h3{font-size:9.5pt;margin:.3rem 0 .1rem}
.qcard{padding:2px 8px;margin:.3rem 0}
svg.qchart{max-width:420px}
.bar,.wbar,.badge,.outcome,svg *{print-color-adjust:exact;-webkit-print-color-adjust:exact}
}
"""

_SCRIPT = r"""
"use strict";
(function () {
  // ------------------------------------------------------------------ the network
  var D = JSON.parse(document.getElementById("bdx-data").textContent);
  var N = D.nodes.length;
  var IDX = {};
  D.nodes.forEach(function (n, i) { IDX[n.id] = i; });
  var CARD = D.nodes.map(function (n) { return n.states.length; });
  var PAR = D.nodes.map(function (n) { return n.parents.map(function (p) { return IDX[p]; }); });
  var SIDX = D.nodes.map(function (n) {
    var m = {};
    n.states.forEach(function (s, i) { m[s] = i; });
    return m;
  });
  var CPT = D.nodes.map(function (n) { return Float64Array.from(n.cpt); });
  var NODE = {};
  D.nodes.forEach(function (n) { NODE[n.id] = n; });
  var DEFAULTS = {};
  D.nodes.forEach(function (n) { if (n.default) { DEFAULTS[n.id] = n.default; } });

  // ------------------------------------------------------------------ exact inference
  // Variable elimination over the ancestors of the query and the evidence (barren nodes
  // pruned), in a fixed min-fill order; every new factor is rescaled by its maximum and the
  // scale kept in logs, so P(evidence) never underflows.
  function strides(cards) {
    var s = new Array(cards.length), m = 1;
    for (var i = cards.length - 1; i >= 0; i--) { s[i] = m; m *= cards[i]; }
    return s;
  }

  function eliminationOrder() {
    var adj = [];
    for (var v = 0; v < N; v++) { adj.push(new Set()); }
    for (v = 0; v < N; v++) {
      var fam = PAR[v].concat([v]);
      for (var a = 0; a < fam.length; a++) {
        for (var b = 0; b < fam.length; b++) { if (a !== b) { adj[fam[a]].add(fam[b]); } }
      }
    }
    var done = new Uint8Array(N), order = [];
    for (var step = 0; step < N; step++) {
      var best = -1, bestFill = Infinity, bestW = Infinity;
      for (v = 0; v < N; v++) {
        if (done[v]) { continue; }
        var nb = Array.from(adj[v]), fill = 0, w = CARD[v];
        for (var i = 0; i < nb.length; i++) {
          w *= CARD[nb[i]];
          for (var j = i + 1; j < nb.length; j++) { if (!adj[nb[i]].has(nb[j])) { fill++; } }
        }
        if (fill < bestFill || (fill === bestFill && w < bestW)) {
          best = v; bestFill = fill; bestW = w;
        }
      }
      var nbs = Array.from(adj[best]);
      for (i = 0; i < nbs.length; i++) {
        for (j = 0; j < nbs.length; j++) { if (i !== j) { adj[nbs[i]].add(nbs[j]); } }
        adj[nbs[i]].delete(best);
      }
      done[best] = 1;
      order.push(best);
    }
    return order;
  }
  var ORDER = eliminationOrder();

  function cptFactor(i, ev) {
    var vars = PAR[i].concat([i]);
    var cards = vars.map(function (v) { return CARD[v]; });
    var st = strides(cards), base = 0, keep = [];
    for (var d = 0; d < vars.length; d++) {
      var s = ev[vars[d]];
      if (s >= 0) { base += s * st[d]; } else { keep.push(d); }
    }
    if (keep.length === vars.length) { return { vars: vars, cards: cards, vals: CPT[i] }; }
    var oc = keep.map(function (k) { return cards[k]; });
    var ost = keep.map(function (k) { return st[k]; });
    var size = 1;
    for (d = 0; d < oc.length; d++) { size *= oc[d]; }
    var out = new Float64Array(size), a = new Int32Array(keep.length), idx = base;
    var src = CPT[i], nk = keep.length;
    for (var k = 0; k < size; k++) {
      out[k] = src[idx];
      for (d = nk - 1; d >= 0; d--) {
        a[d]++; idx += ost[d];
        if (a[d] < oc[d]) { break; }
        idx -= ost[d] * oc[d]; a[d] = 0;
      }
    }
    return { vars: keep.map(function (k2) { return vars[k2]; }), cards: oc, vals: out };
  }

  function product(fs, outVars) {
    var nv = outVars.length, oc = outVars.map(function (v) { return CARD[v]; });
    var size = 1, d, f;
    for (d = 0; d < nv; d++) { size *= oc[d]; }
    var nf = fs.length, st = [], vals = [];
    for (f = 0; f < nf; f++) {
      var s = strides(fs[f].cards), m = new Int32Array(nv);
      for (d = 0; d < fs[f].vars.length; d++) { m[outVars.indexOf(fs[f].vars[d])] = s[d]; }
      st.push(m); vals.push(fs[f].vals);
    }
    var out = new Float64Array(size), idx = new Int32Array(nf), a = new Int32Array(nv);
    for (var k = 0; k < size; k++) {
      var p = 1;
      for (f = 0; f < nf; f++) { p *= vals[f][idx[f]]; }
      out[k] = p;
      for (d = nv - 1; d >= 0; d--) {
        a[d]++;
        for (f = 0; f < nf; f++) { idx[f] += st[f][d]; }
        if (a[d] < oc[d]) { break; }
        for (f = 0; f < nf; f++) { idx[f] -= st[f][d] * oc[d]; }
        a[d] = 0;
      }
    }
    return { vars: outVars.slice(), cards: oc, vals: out };
  }

  function sumOut(g, v) {
    var d = g.vars.indexOf(v), outer = 1, inner = 1, c = g.cards[d], i;
    for (i = 0; i < d; i++) { outer *= g.cards[i]; }
    for (i = d + 1; i < g.cards.length; i++) { inner *= g.cards[i]; }
    var out = new Float64Array(outer * inner), src = g.vals;
    for (var o = 0; o < outer; o++) {
      for (var s = 0; s < c; s++) {
        var off = (o * c + s) * inner, to = o * inner;
        for (i = 0; i < inner; i++) { out[to + i] += src[off + i]; }
      }
    }
    var vars = g.vars.slice(), cards = g.cards.slice();
    vars.splice(d, 1); cards.splice(d, 1);
    return { vars: vars, cards: cards, vals: out };
  }

  // ev: Int32Array(N), a state index or -1; query: node indices (unobserved).
  // Returns the normalised joint over query (C order, in query order) and log P(evidence).
  function infer(ev, query) {
    var rel = new Uint8Array(N), stack = [], v, i, fixed = [];
    for (i = 0; i < query.length; i++) {  // an observed query node: an indicator factor
      if (ev[query[i]] >= 0) {
        if (!fixed.length) { ev = Int32Array.from(ev); }
        var ind = new Float64Array(CARD[query[i]]);
        ind[ev[query[i]]] = 1;
        fixed.push({ vars: [query[i]], cards: [CARD[query[i]]], vals: ind });
        ev[query[i]] = -1;
      }
    }
    for (v = 0; v < N; v++) { if (ev[v] >= 0) { stack.push(v); } }
    for (i = 0; i < query.length; i++) { stack.push(query[i]); }
    while (stack.length) {
      v = stack.pop();
      if (rel[v]) { continue; }
      rel[v] = 1;
      for (i = 0; i < PAR[v].length; i++) { if (!rel[PAR[v][i]]) { stack.push(PAR[v][i]); } }
    }
    var isQ = new Uint8Array(N);
    for (i = 0; i < query.length; i++) { isQ[query[i]] = 1; }
    var fs = [], logScale = 0;
    for (v = 0; v < N; v++) { if (rel[v]) { fs.push(cptFactor(v, ev)); } }
    fs = fs.concat(fixed);
    for (var o = 0; o < N; o++) {
      v = ORDER[o];
      if (!rel[v] || ev[v] >= 0 || isQ[v]) { continue; }
      var inv = [], rest = [], vars = [];
      for (i = 0; i < fs.length; i++) {
        var f = fs[i];
        if (f.vars.indexOf(v) >= 0) {
          inv.push(f);
          for (var j = 0; j < f.vars.length; j++) {
            if (vars.indexOf(f.vars[j]) < 0) { vars.push(f.vars[j]); }
          }
        } else { rest.push(f); }
      }
      var g = sumOut(product(inv, vars), v), m = 0;
      for (i = 0; i < g.vals.length; i++) { if (g.vals[i] > m) { m = g.vals[i]; } }
      if (m > 0 && m !== 1) {
        for (i = 0; i < g.vals.length; i++) { g.vals[i] /= m; }
        logScale += Math.log(m);
      }
      rest.push(g);
      fs = rest;
    }
    var joint = product(fs, query).vals, z = 0;
    for (i = 0; i < joint.length; i++) { z += joint[i]; }
    var out = new Float64Array(joint.length);
    if (z > 0) { for (i = 0; i < joint.length; i++) { out[i] = joint[i] / z; } }
    return { joint: out, logPe: z > 0 ? logScale + Math.log(z) : -Infinity, impossible: !(z > 0) };
  }

  function encode(states) {
    var ev = new Int32Array(N).fill(-1);
    for (var k in states) {
      if (Object.prototype.hasOwnProperty.call(states, k)) { ev[IDX[k]] = SIDX[IDX[k]][states[k]]; }
    }
    return ev;
  }

  // Posterior of each target (node ids) given states {node: state}: {node: [p...]}.
  function posteriors(states, targets) {
    var ev = encode(states), out = {}, logPe = null;
    for (var t = 0; t < targets.length; t++) {
      var v = IDX[targets[t]], p;
      if (ev[v] >= 0) {
        p = new Float64Array(CARD[v]); p[ev[v]] = 1;
        if (logPe === null) { logPe = infer(ev, []).logPe; }
        if (logPe === -Infinity) { p[ev[v]] = 0; }
      } else {
        var r = infer(ev, [v]);
        p = r.joint; logPe = r.logPe;
      }
      out[targets[t]] = Array.from(p);
    }
    if (logPe === null) { logPe = infer(ev, []).logPe; }
    return { posteriors: out, logPe: logPe, impossible: logPe === -Infinity };
  }

  // ------------------------------------------------------------------ decision and weights
  function ratio(a, b) {
    if (!isFinite(a) && !isFinite(b)) { return 1; }
    if (b === 0) { return a > 0 ? Infinity : 1; }
    return a / b;
  }
  function hypP(dist, h) {
    var st = NODE[h.node].states, p = 0;
    for (var i = 0; i < st.length; i++) { if (h.members.indexOf(st[i]) >= 0) { p += dist[i]; } }
    return p;
  }
  function hypOdds(dist, h) {
    var st = NODE[h.node].states, p = 0, q = 0;
    for (var i = 0; i < st.length; i++) {
      if (h.members.indexOf(st[i]) >= 0) { p += dist[i]; } else { q += dist[i]; }
    }
    return ratio(p, q);
  }
  function decibans(lr) {
    if (lr <= 0) { return -Infinity; }
    return isFinite(lr) ? 10 * Math.log10(lr) : Infinity;
  }
  function withImplied(states) {
    var out = Object.assign({}, states);
    D.nodes.forEach(function (n) {
      if (n.id in out || !n.det) { return; }
      var ps = out[n.parents[0]];
      for (var c in n.det) { if (n.det[c].indexOf(ps) >= 0) { out[n.id] = c; return; } }
    });
    return out;
  }
  function evaluateGuideline(states) {
    var g = D.decision && D.decision.guideline;
    if (!g) { return null; }
    var fired = [], watched = [], labels = {};
    g.rules.forEach(function (r) {
      labels[r.id] = r.label;
      var hit = false;
      for (var v in r.any) {
        if (watched.indexOf(v) < 0) { watched.push(v); }
        if (v in states && r.any[v].indexOf(states[v]) >= 0) { hit = true; }
      }
      if (hit) { fired.push(r.id); }
    });
    var missing = watched.filter(function (v) { return !(v in states); });
    var verdict = fired.length ? "recommended"
      : (missing.length ? "incomplete" : "not_recommended");
    return { fired: fired, missing: missing, verdict: verdict, labels: labels };
  }
  function policyVerdict(p) {
    var d = D.decision;
    if (p >= d.high) { return "recommended"; }
    if (p >= d.low) { return "borderline"; }
    if (d.floor !== null && p >= d.floor) { return "consider"; }
    return "not_recommended";
  }
  function safetyNet(verdict, fired) {
    return fired.length && verdict === "not_recommended" ? "consider" : verdict;
  }
  function edges() {
    var d = D.decision, e = [d.low, d.high];
    if (d.floor !== null) { e.push(d.floor); }
    return Array.from(new Set(e)).sort(function (a, b) { return a - b; });
  }
  function reasonText(p, verdict, guide) {
    var d = D.decision, fired = guide ? guide.fired : [];
    var flags = fired.map(function (r) { return guide.labels[r]; }).join(", ");
    var lifted = fired.length > 0 && policyVerdict(p) === "not_recommended";
    var P = "P(" + d.target + ") = " + p.toFixed(2);
    var band = d.low < d.high;
    if (verdict === "recommended") {
      return P + " is at or above " +
        (band ? "the upper edge of the yield band" : "the threshold") +
        " (" + d.high.toFixed(2) + ").";
    }
    if (verdict === "borderline") {
      return P + " is inside the yield band (" + d.low.toFixed(2) + "-" + d.high.toFixed(2) + ").";
    }
    if (lifted) {
      return P + " is below " + edges()[0].toFixed(2) + ", where the probability alone says not " +
        "recommended, but a red flag fired (" + flags + "): the guideline's red flags are a " +
        "safety net, so the verdict is consider.";
    }
    if (verdict === "consider") {
      return P + " lies between the harm/benefit threshold (" + d.floor.toFixed(2) + ") and the " +
        "yield band (" + d.low.toFixed(2) + "): a biopsy's expected benefit outweighs its harm, " +
        "but the probability is below the yield among patients who were biopsied." +
        (fired.length ? " A red flag fired too (" + flags + ")." : "");
    }
    var edge = d.floor !== null ? "the harm/benefit threshold (" + d.floor.toFixed(2) + ")"
      : d.low.toFixed(2);
    return P + " is below " + edge + " and no guideline red flag fired.";
  }

  function entropy(dist) {
    var h = 0;
    for (var i = 0; i < dist.length; i++) {
      if (dist[i] > 0) { h -= dist[i] * Math.log2(dist[i]); }
    }
    return h;
  }

  // The next tests, as rank_next_tests in Python: value of information against the policy's
  // edges (the harm/benefit threshold left out once a red flag fired), then entropy.
  function nextTests(states) {
    var d = D.decision, node = d.node, h = { node: node, members: d.members };
    var ev = encode(states), v0 = IDX[node];
    var base = infer(ev, [v0]).joint, p0 = hypP(base, h), h0 = entropy(base);
    var guide = evaluateGuideline(withImplied(states));
    var firedNow = guide ? guide.fired : [];
    var es = edges().filter(function (e) { return !(firedNow.length && e === d.floor); });
    function utility(p) {
      var u = 0;
      for (var i = 0; i < es.length; i++) { u += Math.max(p - es[i], 0); }
      return u;
    }
    var out = [];
    D.nodes.forEach(function (n) {
      if (n.role !== "finding" || n.id in states) { return; }
      var f = IDX[n.id], r = infer(ev, [v0, f]).joint, cn = CARD[v0], cf = CARD[f];
      var outcomes = [], value = -utility(p0), change = 0, hh = 0;
      for (var s = 0; s < cf; s++) {
        var q = 0, post = new Float64Array(cn), i;
        for (i = 0; i < cn; i++) { q += r[i * cf + s]; }
        if (!(q > 0)) { continue; }
        for (i = 0; i < cn; i++) { post[i] = r[i * cf + s] / q; }
        var p = hypP(post, h), res = Object.assign({}, states);
        res[n.id] = n.states[s];
        var g2 = evaluateGuideline(withImplied(res));
        var verdict = safetyNet(policyVerdict(p), g2 ? g2.fired : []);
        outcomes.push({ state: n.states[s], q: q, p: p, verdict: verdict });
        value += q * utility(p); change += q * Math.abs(p - p0); hh += q * entropy(post);
      }
      value = value > 1e-12 ? value : 0;
      out.push({ finding: n.id, value: value, change: change,
        entropy: Math.max(h0 - hh, 0), outcomes: outcomes });
    });
    out.sort(function (a, b) {
      var va = Math.round(a.value * 1e12), vb = Math.round(b.value * 1e12);
      return vb - va || b.entropy - a.entropy;
    });
    return out;
  }

  // Weights of evidence for hypothesis h: leave one out and sequential, as explain() does.
  function weights(given, assumed, h) {
    var context = {}, findings = [], k;
    for (k in assumed) { context[k] = assumed[k]; }
    given.forEach(function (s, v) {
      var n = NODE[v];
      if (v in DEFAULTS) { context[v] = s; return; }
      // a finding defined from another given finding (hb from hb_level) is that finding
      // again: counted once, as explain() does
      if (n.det && given.has(n.parents[0])) { return; }
      findings.push([v, s]);
    });
    var hv = IDX[h.node];
    function dist(states) {
      var ev = encode(states);
      if (ev[hv] >= 0) { var p = new Float64Array(CARD[hv]); p[ev[hv]] = 1; return p; }
      return infer(ev, [hv]).joint;
    }
    var all = Object.assign({}, context);
    findings.forEach(function (f) { all[f[0]] = f[1]; });
    var full = dist(all), prior = dist(context), prev = prior, sofar = Object.assign({}, context);
    var rows = findings.map(function (f) {
      var rest = Object.assign({}, all);
      delete rest[f[0]];
      var loo = dist(rest);
      sofar[f[0]] = f[1];
      var after = dist(sofar);
      var lr = ratio(hypOdds(full, h), hypOdds(loo, h));
      var seq = decibans(ratio(hypOdds(after, h), hypOdds(prev, h)));
      prev = after;
      return { finding: f[0], state: f[1], lr: lr, db: decibans(lr), without: hypP(loo, h),
        seq: seq, after: hypP(after, h) };
    });
    return { prior: hypP(prior, h), posterior: hypP(full, h), rows: rows,
      priorOdds: hypOdds(prior, h), posteriorOdds: hypOdds(full, h) };
  }

  // ------------------------------------------------------------------ the case
  var S = { given: new Map(), raw: new Map(), rawSets: new Map() };
  var HYP = D.hypothesis;
  var history = [];
  var lastTag = null;
  var message = "";

  function snapshot() {
    return { given: new Map(S.given), raw: new Map(S.raw), rawSets: new Map(S.rawSets) };
  }
  function statesOf(st) {
    var out = {};
    st.given.forEach(function (s, v) { out[v] = s; });
    for (var v in DEFAULTS) { if (!(v in out)) { out[v] = DEFAULTS[v]; } }
    return out;
  }
  function assumedOf(st) {
    var out = {};
    for (var v in DEFAULTS) { if (!st.given.has(v)) { out[v] = DEFAULTS[v]; } }
    return out;
  }
  function possible(st) { return infer(encode(statesOf(st)), []).logPe > -Infinity; }

  // Apply a change (a function editing a copy of the case); refused if the model rules it out.
  function change(edit, tag) {
    var next = snapshot();
    edit(next);
    if (!possible(next)) {
      message = "That finding is impossible together with the others under this model " +
        "(P(evidence) = 0); the case was not changed.";
      render();
      return false;
    }
    if (!(tag && tag === lastTag)) { history.push(snapshot()); }
    lastTag = tag || null;
    S = next;
    message = "";
    render();
    return true;
  }
  function clearRaw(st, v) {
    (st.rawSets.get(v) || []).forEach(function (u) { st.given.delete(u); });
    st.raw.delete(v); st.rawSets.delete(v);
  }
  function setState(v, s) {
    return change(function (st) {
      var had = st.given.get(v) === s && !st.raw.has(v);
      clearRaw(st, v);
      st.rawSets.forEach(function (set, w) { if (set.indexOf(v) >= 0) { clearRaw(st, w); } });
      if (had) { st.given.delete(v); } else { st.given.delete(v); st.given.set(v, s); }
    });
  }
  function discretise(m, x) {
    var k = 0;
    for (var i = 0; i < m.cuts.length; i++) { if (x >= m.cuts[i]) { k++; } }
    return m.order[k];
  }
  function cutNote(m, x) {
    var above = m.cuts.filter(function (c) { return x >= c; });
    if (above.length) { return " >= " + fmtNum(above[above.length - 1]); }
    return " < " + fmtNum(m.cuts.filter(function (c) { return x < c; })[0]);
  }
  function fmtNum(x) { return String(Number(x.toPrecision(6))); }
  function measureOf(v) {
    var n = NODE[v];
    return n.measure ? [v, n.measure] : (n.raw_to ? [n.raw_to, NODE[n.raw_to].measure] : null);
  }
  // A raw value typed for v: its state (and its coarser node's), or an error text.
  function readRaw(v, text) {
    var mt = measureOf(v), target = mt[0], m = mt[1];
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
      return { error: v + ": " + JSON.stringify(text) + " is not a number" };
    }
    var x = Number(text);
    if (!isFinite(x)) { return { error: v + ": " + text + " is not a finite number" }; }
    if (x < m.range[0] || x > m.range[1]) {
      return { error: v + " = " + fmtNum(x) + " " + m.unit + " is outside the plausible range " +
        fmtNum(m.range[0]) + " to " + fmtNum(m.range[1]) + " " + m.unit };
    }
    var s = discretise(m, x), set = {};
    set[target] = s;
    var n = NODE[v];
    if (target !== v && n.det && n.parents[0] === target) {
      for (var c in n.det) { if (n.det[c].indexOf(s) >= 0) { set[v] = c; } }
    }
    return { x: x, set: set };
  }
  function setRaw(v, text) {
    text = text.trim();
    if (text === "") {
      if (!S.raw.has(v)) { return true; }
      return change(function (st) { clearRaw(st, v); }, "raw:" + v);
    }
    var r = readRaw(v, text);
    if (r.error) { message = r.error; render(); return false; }
    return change(function (st) {
      clearRaw(st, v);
      for (var u in r.set) {
        st.rawSets.forEach(function (set, w) { if (set.indexOf(u) >= 0) { clearRaw(st, w); } });
        st.given.delete(u); st.given.set(u, r.set[u]);
      }
      st.raw.set(v, r.x); st.rawSets.set(v, Object.keys(r.set));
    }, "raw:" + v);
  }
  function rawNote(v) {
    var x = S.raw.get(v), m = measureOf(v)[1];
    return v + " " + fmtNum(x) + " " + m.unit + cutNote(m, x);
  }
  function undo() {
    if (!history.length) { return; }
    S = history.pop(); lastTag = null; message = ""; render();
  }
  function reset() {
    if (!S.given.size) { return; }
    history.push(snapshot());
    S = { given: new Map(), raw: new Map(), rawSets: new Map() };
    lastTag = null; message = ""; render();
  }

  // ------------------------------------------------------------------ URL fragment
  // #v=state&w~=12.5 (a raw value)&h=hypothesis; parameters in the order entered.
  function toHash() {
    var parts = [], done = {};
    S.given.forEach(function (s, v) {
      var fromRaw = null;
      S.rawSets.forEach(function (set, w) { if (set.indexOf(v) >= 0) { fromRaw = w; } });
      if (fromRaw === null) {
        parts.push(encodeURIComponent(v) + "=" + encodeURIComponent(s));
      } else if (!done[fromRaw]) {  // a raw value, where its first state was entered
        done[fromRaw] = 1;
        parts.push(encodeURIComponent(fromRaw) + "~=" + String(S.raw.get(fromRaw)));
      }
    });
    if (HYP.name !== D.hypothesis.name) { parts.push("!h=" + encodeURIComponent(HYP.name)); }
    return parts.join("&");
  }
  function fromHash(hash) {
    var st = { given: new Map(), raw: new Map(), rawSets: new Map() }, hyp = D.hypothesis;
    hash.replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) { return; }
      var eq = part.indexOf("=");
      if (eq < 0) { return; }
      var k = decodeURIComponent(part.slice(0, eq)), val = decodeURIComponent(part.slice(eq + 1));
      if (k === "!h") {
        hypotheses().forEach(function (h) { if (h.name === val) { hyp = h; } });
      } else if (k.slice(-1) === "~" && NODE[k.slice(0, -1)] && measureOf(k.slice(0, -1))) {
        var v = k.slice(0, -1), r = readRaw(v, val);
        if (r.error) { return; }
        for (var u in r.set) { st.given.delete(u); st.given.set(u, r.set[u]); }
        st.raw.set(v, r.x); st.rawSets.set(v, Object.keys(r.set));
      } else if (NODE[k] && SIDX[IDX[k]][val] !== undefined) {
        st.given.set(k, val);
      }
    });
    return { st: possible(st) ? st : null, hyp: hyp };
  }
  function initial() {
    var st = { given: new Map(), raw: new Map(), rawSets: new Map() }, v;
    for (v in D.initial.given) { st.given.set(v, D.initial.given[v]); }
    for (v in D.initial.raw) {
      var r = readRaw(v, String(D.initial.raw[v]));
      if (!r.error) { st.raw.set(v, r.x); st.rawSets.set(v, Object.keys(r.set)); }
    }
    return st;
  }

  // ------------------------------------------------------------------ rendering helpers
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") { e.textContent = attrs[k]; } else if (attrs[k] !== null) {
        e.setAttribute(k, attrs[k]);
      }
    }
    (children || []).forEach(function (c) {
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }
  var SVGNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs || {}) { e.setAttribute(k, attrs[k]); }
    return e;
  }
  function pct(p) {
    if (p > 0 && p < 0.0005) { return "<0.1%"; }
    if (p < 1 && p > 0.9995) { return ">99.9%"; }
    return (100 * p).toFixed(1) + "%";
  }
  function fmtLR(lr) {
    if (!isFinite(lr)) { return "∞"; }
    if (lr >= 100 || lr < 0.01) { return lr.toExponential(1); }
    return lr.toPrecision(3);
  }
  function fmtDb(db) {
    if (!isFinite(db)) { return db > 0 ? "+∞" : "−∞"; }
    return (db >= 0 ? "+" : "−") + Math.abs(db).toFixed(1);
  }
  function words(s) { return String(s).replace(/_/g, " "); }
  function hypotheses() {
    var out = [], seen = {};
    for (var g in D.groups) {
      out.push({ name: g, node: D.groups[g][0], members: D.groups[g][1] });
      seen[g] = 1;
    }
    var h0 = D.hypothesis;
    if (!seen[h0.name]) { out.push(h0); seen[h0.name] = 1; }
    NODE[h0.node].states.forEach(function (s) {
      var name = D.groups[s] || seen[s] ? h0.node + "=" + s : s;
      if (NODE[h0.node].role !== "diagnosis") { name = h0.node + "=" + s; }
      if (!seen[name]) { out.push({ name: name, node: h0.node, members: [s] }); seen[name] = 1; }
    });
    return out;
  }

  // ------------------------------------------------------------------ the page
  var app = document.getElementById("app");
  var R = {};

  function buildControls() {
    var box = el("section", { id: "controls", "aria-label": "Findings" });
    box.appendChild(el("h2", { text: "Findings" }));
    box.appendChild(el("p", { class: "hint", text: "Click a state to set it, click it again to " +
      "clear it; type a measured value to have it cut at the network's cut-points." }));
    var byRole = {};
    D.controls.forEach(function (v) {
      var r = NODE[v].role || "node";
      (byRole[r] = byRole[r] || []).push(v);
    });
    R.controls = {};
    ["context", "finding", "node"].forEach(function (role) {
      if (!byRole[role]) { return; }
      if (role !== "node") {
        box.appendChild(el("h3", { text: role === "context" ? "Context" : "Findings" }));
      }
      byRole[role].forEach(function (v) {
        var n = NODE[v];
        var head = el("div", { class: "ctl-head" }, [
          el("span", { class: "ctl-label", id: "lbl-" + v, text: n.label }),
          el("code", { class: "ctl-id", text: v }),
        ]);
        if (n.description) { head.title = n.description; }
        var buttons = el("div", { class: "states", role: "group", "aria-labelledby": "lbl-" + v });
        var btns = {};
        n.states.forEach(function (s) {
          var b = el("button", { type: "button", class: "state", "data-var": v, "data-state": s,
            "aria-pressed": "false", text: words(s) });
          b.addEventListener("click", function () { setState(v, s); });
          btns[s] = b; buttons.appendChild(b);
        });
        var row = el("div", { class: "ctl", id: "ctl-" + v, "data-var": v }, [head, buttons]);
        var mt = measureOf(v), input = null, note = null;
        if (mt) {
          var m = mt[1], cuts = m.order[0];
          m.cuts.forEach(function (c, i) {
            cuts += " < " + fmtNum(c) + " ≤ " + m.order[i + 1];
          });
          input = el("input", { type: "text", inputmode: "decimal", class: "raw", "data-var": v,
            "aria-label": n.label + " in " + m.unit, placeholder: m.quantity, size: "8" });
          input.addEventListener("input", function () { setRaw(v, input.value); });
          input.addEventListener("change", function () { lastTag = null; });
          note = el("span", { class: "raw-note", "aria-live": "polite" });
          row.appendChild(el("div", { class: "rawrow" }, [
            el("label", {}, [input, " " + m.unit]),
            el("span", { class: "cuts", text: "cut-points: " + cuts }), note]));
        }
        R.controls[v] = { row: row, btns: btns, input: input, note: note };
        box.appendChild(row);
      });
    });
    return box;
  }

  function buildGraph() {
    var L = D.layout;
    var s = svg("svg", { viewBox: "0 0 " + L.width + " " + L.height, class: "graph",
      role: "img", "aria-label": "The network, each node with its posterior" });
    var defs = svg("defs");
    var mk = svg("marker", { id: "arr", viewBox: "0 0 10 10", refX: "10", refY: "5",
      markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
    mk.appendChild(svg("path", { d: "M0,0L10,5L0,10z", fill: "#8a94a6" }));
    defs.appendChild(mk); s.appendChild(defs);
    var eg = svg("g", { class: "edges" });
    D.nodes.forEach(function (n) {
      var c = L.nodes[n.id];
      n.parents.forEach(function (p) {
        var a = L.nodes[p];
        var x1 = a[0] + a[2] / 2, y1 = a[1] + a[3], x2 = c[0] + c[2] / 2, y2 = c[1];
        if (y2 <= y1) { y1 = a[1] + a[3] / 2; x1 = a[0] + (x2 > x1 ? a[2] : 0); }
        var my = (y1 + y2) / 2;
        eg.appendChild(svg("path", { d: "M" + x1 + "," + y1 + " C" + x1 + "," + my + " " + x2 +
          "," + my + " " + x2 + "," + y2, "marker-end": "url(#arr)" }));
      });
    });
    s.appendChild(eg);
    R.gnodes = {};
    D.nodes.forEach(function (n) {
      var c = L.nodes[n.id], g = svg("g", { class: "gnode", "data-node": n.id,
        transform: "translate(" + c[0] + "," + c[1] + ")" });
      var box = svg("rect", { width: c[2], height: c[3], rx: 5, class: "gbox" });
      var t = svg("text", { x: 6, y: 14, class: "gtitle" });
      t.textContent = n.id.length > 22 ? n.id.slice(0, 21) + "…" : n.id;
      var tt = svg("title");
      tt.textContent = n.label + " (" + n.id + ")";
      g.appendChild(tt); g.appendChild(box); g.appendChild(t);
      var rows = [];
      for (var i = 0; i < Math.min(CARD[IDX[n.id]], L.rows); i++) {
        var y = 20 + 15 * i;
        var lab = svg("text", { x: 6, y: y + 10, class: "gstate" });
        var bg = svg("rect", { x: 70, y: y + 2, width: 46, height: 9, class: "gbarbg" });
        var bar = svg("rect", { x: 70, y: y + 2, width: 0, height: 9, class: "gbar" });
        var val = svg("text", { x: c[2] - 4, y: y + 10, class: "gval", "text-anchor": "end" });
        g.appendChild(lab); g.appendChild(bg); g.appendChild(bar); g.appendChild(val);
        rows.push({ lab: lab, bar: bar, val: val });
      }
      g.addEventListener("click", function () {
        var ctl = R.controls[n.id];
        if (ctl) { ctl.row.scrollIntoView({ block: "center" }); ctl.btns[n.states[0]].focus(); }
      });
      s.appendChild(g);
      R.gnodes[n.id] = { g: g, rows: rows };
    });
    return s;
  }

  var GLOSSARY = [
    ["Prior", "P(hypothesis) given only the context that defines the population (for example " +
      "the clinical setting), before any finding."],
    ["Posterior", "P(hypothesis) given every finding entered, computed exactly from the " +
      "network's tables."],
    ["Odds", "P / (1 − P): a probability of 0.2 is odds of 1 to 4 (0.25)."],
    ["Likelihood ratio (LR)", "How many times more likely the finding is if the hypothesis is " +
      "true than if it is false, given the other findings. Posterior odds = prior odds × LR. " +
      "Here leave one out: the odds with every finding divided by the odds without this one."],
    ["Deciban (dB)", "10 × log10(LR): +10 dB multiplies the odds by 10, +3 dB about doubles " +
      "them, 0 dB leaves them unchanged, −10 dB divides them by 10. Sequential decibans, in " +
      "the order the findings were entered, add up to the change from prior to posterior."],
    ["Yield band", "The range of P(target) in which a biopsy is borderline: the yield of " +
      "biopsy among referred patients; at or above its upper edge, recommended."],
    ["Harm/benefit threshold", "harm / (harm + benefit) (Pauker and Kassirer): from it up to " +
      "the band a biopsy is worth considering; below it, not recommended."],
    ["Red flag (guideline rule)", "A rule of the work-up guideline; if any fires, the " +
      "guideline says biopsy."],
    ["Safety net", "A case in which a red flag fired is never 'not recommended': it becomes " +
      "'consider' at least."],
    ["Value of a test", "How much the expected result of a test could change the decision " +
      "(expected gain in decision utility over the band edges); 0 when no result can move " +
      "P(target) across an edge."],
  ];

  function build() {
    app.innerHTML = "";
    var tb = el("div", { class: "toolbar", role: "toolbar", "aria-label": "Case" });
    R.undo = el("button", { type: "button", text: "Undo", title: "Undo (Ctrl+Z)" });
    R.reset = el("button", { type: "button", text: "Reset", title: "Clear every finding" });
    R.link = el("a", { href: "#", class: "link", text: "Link to this case" });
    R.undo.addEventListener("click", undo);
    R.reset.addEventListener("click", reset);
    if (D.quiz) {
      R.tabQuiz = el("button", { type: "button", class: "tab", text: "Quiz",
        "aria-pressed": "true" });
      R.tabExplore = el("button", { type: "button", class: "tab", text: "Explorer",
        "aria-pressed": "false" });
      R.tabQuiz.addEventListener("click", function () { setMode("quiz"); });
      R.tabExplore.addEventListener("click", function () { setMode("explore"); });
      tb.appendChild(el("span", { class: "tabs", role: "group", "aria-label": "Mode" },
        [R.tabQuiz, R.tabExplore]));
    }
    tb.appendChild(el("span", { class: "case-tools" }, [R.undo, R.reset, R.link]));
    var header = el("header", {}, [
      el("h1", { text: D.title }),
      el("p", { class: "disclaimer", text: D.disclaimer + " Every number on this page is " +
        "computed in your browser, exactly, from the network's tables; nothing is sent " +
        "anywhere." }),
      tb,
    ]);
    R.msg = el("p", { class: "msg", role: "alert" });
    R.summary = el("section", { id: "summary", "aria-label": "The case" });
    R.post = el("section", { id: "posterior", "aria-label": "Posterior" });
    R.decision = el("section", { id: "decision", "aria-label": "Decision" });
    R.weights = el("section", { id: "weights", "aria-label": "Weight of each finding" });
    R.graphBox = el("section", { id: "graph", "aria-label": "Network" }, [
      el("h2", { text: "The network" }),
      el("p", { class: "hint", text: "Each node shows its posterior (the most probable " +
        "states when it has many); observed nodes are dark, with the observed state marked. " +
        "Click a node to go to its control." }),
      buildGraph(),
    ]);
    var gl = el("dl", {});
    GLOSSARY.forEach(function (g) {
      gl.appendChild(el("dt", { text: g[0] })); gl.appendChild(el("dd", { text: g[1] }));
    });
    var glossary = el("section", { id: "glossary" }, [el("h2", { text: "Glossary" }), gl]);
    var results = el("div", { id: "results" }, [R.msg, R.summary, R.post, R.decision, R.weights]);
    app.appendChild(header);
    if (D.quiz) {
      R.quiz = el("section", { id: "quiz", "aria-label": "Quiz", "aria-live": "polite" });
      app.appendChild(R.quiz);
    }
    app.appendChild(el("main", {}, [buildControls(), results]));
    app.appendChild(R.graphBox);
    app.appendChild(glossary);
    app.appendChild(el("footer", { text: D.disclaimer + " Network: " + D.id + "." }));
  }

  function bars(container, items, opts) {
    // items: [label, p, extra attrs]
    var tbl = el("table", { class: "bars" + (opts && opts.cls ? " " + opts.cls : "") });
    items.forEach(function (it) {
      var w = Math.max(0, Math.min(1, it[1])) * 100;
      var tr = el("tr", it[2] || {}, [
        el("th", { scope: "row", text: it[0] }),
        el("td", { class: "barcell" }, [el("span", { class: "bar", style: "width:" + w + "%" })]),
        el("td", { class: "num", text: pct(it[1]) }),
      ]);
      tbl.appendChild(tr);
    });
    container.appendChild(tbl);
  }

  function renderSummary(states) {
    var box = R.summary;
    box.innerHTML = "";
    box.appendChild(el("h2", { text: "The case" }));
    var ul = el("ul", { class: "case" });
    var shown = {};
    S.raw.forEach(function (x, v) {
      var read = S.rawSets.get(v).map(function (u) { return u + " = " + words(S.given.get(u)); });
      ul.appendChild(el("li", {}, [el("strong", { text: rawNote(v) }), " → " + read.join(", ")]));
      S.rawSets.get(v).forEach(function (u) { shown[u] = 1; });
    });
    S.given.forEach(function (s, v) {
      if (!shown[v]) { ul.appendChild(el("li", { text: NODE[v].label + ": " + words(s) })); }
    });
    var assumed = assumedOf(S);
    for (var v in assumed) {
      ul.appendChild(el("li", { class: "assumed", text: NODE[v].label + ": " + words(assumed[v]) +
        " (assumed: the default)" }));
    }
    if (!ul.childNodes.length) { ul.appendChild(el("li", { text: "No findings yet." })); }
    box.appendChild(ul);
    var ra = D.initial.read_as;
    if (Object.keys(ra).length && history.length === 0) {
      box.appendChild(el("p", { class: "hint", text: "Read as (earlier edition's input): " +
        Object.keys(ra).map(function (k) { return k + " → " + ra[k]; }).join("; ") }));
    }
  }

  function renderPosterior(marg) {
    var box = R.post;
    box.innerHTML = "";
    var targets = D.targets.length <= 3 ? D.targets : [HYP.node];
    targets.forEach(function (t) {
      var n = NODE[t], p = marg[t];
      var order = n.states.map(function (s, i) { return i; });
      order.sort(function (a, b) { return p[b] - p[a] || a - b; });
      box.appendChild(el("h2", { text: "Posterior: " + n.label }));
      var wrap = el("div", { class: "post", "data-post-node": t });
      var row = function (i) {
        return [words(n.states[i]), p[i], { "data-state": n.states[i], "data-p": String(p[i]) }];
      };
      var top = order.length > 12 ? 10 : order.length;
      bars(wrap, order.slice(0, top).map(row));
      if (top < order.length) {
        var rest = order.slice(top), sum = 0;
        rest.forEach(function (i) { sum += p[i]; });
        var det = el("details", {}, [el("summary", { text: rest.length + " more states (" +
          pct(sum) + " together)" })]);
        bars(det, rest.map(row));
        wrap.appendChild(det);
      }
      box.appendChild(wrap);
      var gs = Object.keys(D.groups).filter(function (g) { return D.groups[g][0] === t; });
      if (gs.length) {
        box.appendChild(el("h3", { text: "Groups" }));
        var gw = el("div", { class: "post groups", "data-groups-node": t });
        bars(gw, gs.map(function (g) {
          var q = hypP(p, { node: t, members: D.groups[g][1] });
          return [words(g), q, { "data-group": g, "data-p": String(q) }];
        }), { cls: "big" });
        box.appendChild(gw);
      }
    });
    if (D.targets.length > 3) {
      box.appendChild(el("p", { class: "hint", text: "This network has " + D.targets.length +
        " query nodes; the one shown is the hypothesis' node (choose it under Weight of each " +
        "finding). Every node's posterior is drawn in the network below." }));
    }
  }

  function scale(p, d) {
    var W = 560, H = 54, x = function (q) { return 10 + q * (W - 20); };
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "scale", role: "img",
      "aria-label": "P(" + d.target + ") = " + p.toFixed(3) + " against the thresholds" });
    var zones = [[0, d.floor !== null ? d.floor : d.low, "z-no"]];
    if (d.floor !== null) { zones.push([d.floor, d.low, "z-consider"]); }
    zones.push([d.low, d.high, "z-band"]); zones.push([d.high, 1, "z-yes"]);
    zones.forEach(function (z) {
      s.appendChild(svg("rect", { x: x(z[0]), y: 14, width: Math.max(0, x(z[1]) - x(z[0])),
        height: 14, class: z[2] }));
    });
    edges().forEach(function (e) {
      var t = svg("text", { x: x(e), y: 42, "text-anchor": "middle", class: "tick" });
      t.textContent = e.toFixed(2);
      s.appendChild(svg("line", { x1: x(e), x2: x(e), y1: 12, y2: 31, class: "tickline" }));
      s.appendChild(t);
    });
    s.appendChild(svg("path", { d: "M" + x(p) + ",12 l-6,-10 h12 z", class: "pointer" }));
    s.appendChild(svg("line", { x1: x(p), x2: x(p), y1: 12, y2: 30, class: "pointerline" }));
    return s;
  }

  function renderDecision(states, marg) {
    var box = R.decision, d = D.decision;
    box.innerHTML = "";
    if (!d) { box.style.display = "none"; return; }
    var p = hypP(marg[d.node], { node: d.node, members: d.members });
    var implied = withImplied(states), guide = evaluateGuideline(implied);
    var fired = guide ? guide.fired : [];
    var verdict = safetyNet(policyVerdict(p), fired);
    box.appendChild(el("h2", { text: "Decision: biopsy?" }));
    box.appendChild(el("p", { class: "verdict v-" + verdict, "data-verdict": verdict,
      "data-p": String(p) }, [
      el("span", { class: "badge", text: words(verdict) }),
      " P(" + words(d.target) + ") = " + p.toFixed(3)]));
    box.appendChild(scale(p, d));
    box.appendChild(el("p", { class: "legend", text: (d.floor !== null ? "not recommended < " +
      d.floor.toFixed(2) + " ≤ consider < " : "not recommended < ") + d.low.toFixed(2) +
      " ≤ borderline < " + d.high.toFixed(2) + " ≤ recommended" }));
    box.appendChild(el("p", { class: "reason", text: reasonText(p, verdict, guide) }));
    if (guide) {
      box.appendChild(el("h3", { text: D.decision.guideline.title }));
      var ul = el("ul", { class: "flags" });
      D.decision.guideline.rules.forEach(function (r) {
        var on = fired.indexOf(r.id) >= 0;
        ul.appendChild(el("li", { class: on ? "fired" : "quiet", "data-rule": r.id,
          "data-fired": String(on) }, [on ? "● fired: " : "○ ", r.label]));
      });
      box.appendChild(ul);
      var missing = guide.verdict === "incomplete" ? " (not known: " +
        guide.missing.join(", ") + ")" : "";
      box.appendChild(el("p", { class: "hint", text: "Guideline verdict: " +
        words(guide.verdict) + missing }));
    }
    var nt = nextTests(implied).slice(0, 6);
    if (nt.length) {
      box.appendChild(el("h3", { text: "Next tests" }));
      var tbl = el("table", { class: "next" }, [el("tr", {}, [
        el("th", { text: "test" }), el("th", { text: "value", title: "value of information " +
          "for the decision (0: no result crosses an edge)" }),
        el("th", { text: "bits", title: "expected fall in the entropy of the diagnosis" }),
        el("th", { text: "what each result would do" })])]);
      nt.forEach(function (t) {
        tbl.appendChild(el("tr", { "data-test": t.finding }, [
          el("td", { text: NODE[t.finding].label }),
          el("td", { class: "num", text: t.value > 0 ? t.value.toPrecision(2) : "0" }),
          el("td", { class: "num", text: t.entropy.toFixed(2) }),
          el("td", {}, t.outcomes.map(function (o) {
            return el("span", { class: "outcome v-" + o.verdict, text: words(o.state) + " (" +
              pct(o.q) + "): P = " + o.p.toFixed(2) + ", " + words(o.verdict) });
          })),
        ]));
      });
      box.appendChild(tbl);
    }
  }

  function renderWeights() {
    var box = R.weights;
    box.innerHTML = "";
    box.appendChild(el("h2", { text: "Weight of each finding" }));
    var sel = el("select", { id: "hyp", "aria-label": "Hypothesis" });
    hypotheses().forEach(function (h) {
      var o = el("option", { value: h.name, text: words(h.name) });
      if (h.name === HYP.name) { o.selected = true; }
      sel.appendChild(o);
    });
    sel.addEventListener("change", function () {
      hypotheses().forEach(function (h) { if (h.name === sel.value) { HYP = h; } });
      render();
      document.getElementById("hyp").focus();
    });
    box.appendChild(el("label", { class: "hyp" }, ["Hypothesis: ", sel]));
    var w = weights(S.given, assumedOf(S), HYP);
    box.appendChild(el("p", { "data-prior": String(w.prior),
      "data-posterior": String(w.posterior),
      text: "P(" + words(HYP.name) + "): prior " + pct(w.prior) + " → posterior " +
        pct(w.posterior) + " (odds " + fmtLR(w.priorOdds) + " → " + fmtLR(w.posteriorOdds) +
        ")" }));
    if (!w.rows.length) {
      box.appendChild(el("p", { class: "hint", text: "Enter a finding to see its weight." }));
      return;
    }
    var tbl = el("table", { class: "weights" }, [el("tr", {}, [
      el("th", { text: "finding" }), el("th", { text: "LR" }), el("th", { text: "dB" }),
      el("th", { text: "leave one out" }), el("th", { text: "P without it" }),
      el("th", { text: "sequential dB" })])]);
    var maxAbs = 10;
    w.rows.forEach(function (r) {
      if (isFinite(r.db)) { maxAbs = Math.max(maxAbs, Math.abs(r.db)); }
    });
    w.rows.forEach(function (r) {
      var f = Math.min(Math.abs(r.db) / maxAbs, 1) * 50;
      var bar = el("span", { class: "wbar " + (r.db >= 0 ? "pos" : "neg"),
        style: (r.db >= 0 ? "left:50%;" : "right:50%;") + "width:" + f + "%" });
      tbl.appendChild(el("tr", { "data-finding": r.finding, "data-lr": String(r.lr),
        "data-db": String(r.db) }, [
        el("td", { text: r.finding + " = " + words(r.state) }),
        el("td", { class: "num", text: fmtLR(r.lr) }),
        el("td", { class: "num", text: fmtDb(r.db) }),
        el("td", { class: "wcell" }, [el("span", { class: "axis" }), bar]),
        el("td", { class: "num", text: pct(r.without) }),
        el("td", { class: "num", text: fmtDb(r.seq) }),
      ]));
    });
    box.appendChild(tbl);
    var pairs = [];
    S.given.forEach(function (s, v) {
      var n = NODE[v];
      if (n.det && S.given.has(n.parents[0])) {
        pairs.push(v + " (defined from " + n.parents[0] + ")");
      }
    });
    if (pairs.length) {
      box.appendChild(el("p", { class: "hint", text: "Counted once with the finding it is " +
        "defined from: " + pairs.join("; ") + "." }));
    }
    box.appendChild(waterfall(w));
  }

  function waterfall(w) {
    var rows = w.rows, n = rows.length + 2, W = 560, rowH = 22, H = n * rowH + 30;
    var lo = function (p) { return 10 * Math.log10(Math.max(Math.min(p, 1 - 1e-12), 1e-12) /
      Math.max(1 - p, 1e-12)); };
    var pts = [lo(w.prior)];
    rows.forEach(function (r) { pts.push(lo(r.after)); });
    var mn = Math.min.apply(null, pts.concat([-10])), mx = Math.max.apply(null, pts.concat([10]));
    var x = function (v) { return 170 + (v - mn) / (mx - mn) * (W - 190); };
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "waterfall", role: "img",
      "aria-label": "Waterfall of log-odds from prior to posterior" });
    var t0 = svg("text", { x: 4, y: 14, class: "wtitle" });
    t0.textContent = "log-odds of " + words(HYP.name) + " (dB), findings in the order entered";
    s.appendChild(t0);
    s.appendChild(svg("line", { x1: x(0), x2: x(0), y1: 20, y2: H - 4, class: "zero" }));
    function label(i, txt) {
      var t = svg("text", { x: 4, y: 30 + i * rowH + 12, class: "wlab" });
      t.textContent = txt.length > 26 ? txt.slice(0, 25) + "…" : txt;
      s.appendChild(t);
    }
    label(0, "prior " + pct(w.prior));
    s.appendChild(svg("rect", { x: Math.min(x(0), x(pts[0])), y: 30 + 3, height: rowH - 8,
      width: Math.abs(x(pts[0]) - x(0)), class: "wprior" }));
    rows.forEach(function (r, i) {
      var a = pts[i], b = pts[i + 1];
      label(i + 1, r.finding + " = " + words(r.state));
      s.appendChild(svg("rect", { x: Math.min(x(a), x(b)), y: 30 + (i + 1) * rowH + 3,
        width: Math.max(Math.abs(x(b) - x(a)), 1), height: rowH - 8,
        class: b >= a ? "wup" : "wdown" }));
    });
    label(n - 1, "posterior " + pct(w.posterior));
    s.appendChild(svg("rect", { x: Math.min(x(0), x(pts[pts.length - 1])), y: 30 +
      (n - 1) * rowH + 3, height: rowH - 8, width: Math.abs(x(pts[pts.length - 1]) - x(0)),
    class: "wprior" }));
    return s;
  }

  function renderGraph(marg, states) {
    D.nodes.forEach(function (n) {
      var G = R.gnodes[n.id], p = marg[n.id], obs = S.given.has(n.id);
      var assumed = !obs && n.id in states;
      G.g.setAttribute("class", "gnode" + (obs ? " observed" : "") + (assumed ? " assumed" : ""));
      var order = n.states.map(function (s, i) { return i; });
      var many = n.states.length > G.rows.length;
      if (many) { order.sort(function (a, b) { return p[b] - p[a] || a - b; }); }
      G.rows.forEach(function (row, i) {
        if (many && i === G.rows.length - 1) {
          row.lab.textContent = "+ " + (n.states.length - i) + " more";
          row.bar.setAttribute("width", 0); row.val.textContent = "";
          return;
        }
        var k = order[i], s = n.states[k];
        row.lab.textContent = s.length > 11 ? s.slice(0, 10) + "…" : s;
        row.bar.setAttribute("width", 46 * Math.max(0, Math.min(1, p[k])));
        row.val.textContent = pct(p[k]);
        var on = (obs || assumed) && states[n.id] === s;
        row.lab.setAttribute("class", "gstate" + (on ? " on" : ""));
      });
    });
  }

  function renderControls(states) {
    D.controls.forEach(function (v) {
      var C = R.controls[v], given = S.given.get(v), assumed = !S.given.has(v) && v in states;
      C.row.classList.toggle("set", S.given.has(v));
      for (var s in C.btns) {
        var on = given === s;
        C.btns[s].setAttribute("aria-pressed", String(on));
        C.btns[s].classList.toggle("assumed", assumed && states[v] === s);
        C.btns[s].title = assumed && states[v] === s
          ? "assumed (the default); click to give it" : "";
      }
      if (C.input) {
        if (S.raw.has(v)) {
          if (document.activeElement !== C.input) { C.input.value = String(S.raw.get(v)); }
          C.note.textContent = rawNote(v);
        } else {
          if (document.activeElement !== C.input || !message) { C.input.value = ""; }
          C.note.textContent = "";
        }
      }
    });
  }

  function render() {
    var states = statesOf(S);
    var all = D.nodes.map(function (n) { return n.id; });
    var res = posteriors(states, all);
    var marg = res.posteriors;
    R.msg.textContent = message;
    R.msg.style.display = message ? "" : "none";
    R.undo.disabled = !history.length;
    renderControls(states);
    renderSummary(states);
    renderPosterior(marg);
    renderDecision(states, marg);
    renderWeights();
    renderGraph(marg, states);
    var h = toHash();
    var url = location.href.split("#")[0] + (h ? "#" + h : "");
    R.link.setAttribute("href", h ? "#" + h : "#");
    if (location.hash.replace(/^#/, "") !== h) {
      try { history_replace(url); } catch (e) { /* a sandboxed frame may refuse */ }
    }
    window.bdx.renders++;
  }
  function history_replace(url) { window.history.replaceState(null, "", url); }

  document.addEventListener("keydown", function (e) {
    var tag = (e.target && e.target.tagName) || "";
    if ((e.ctrlKey || e.metaKey) && e.key === "z" && tag !== "INPUT") {
      e.preventDefault(); undo();
    }
  });
  window.addEventListener("hashchange", function () {
    var qi = quizFromHash(location.hash);
    if (qi !== null) {  // a link to a quiz case: open it (unless it is the one in progress)
      setMode("quiz");
      if (qi !== Q.ci) { quizStart(qi); }
      return;
    }
    if (location.hash.replace(/^#/, "") === toHash()) { return; }
    var r = fromHash(location.hash);
    if (r.st) { history.push(snapshot()); S = r.st; HYP = r.hyp; lastTag = null; render(); }
  });

  // ------------------------------------------------------------------ the quiz
  // A published case revealed finding by finding; before each reveal the trainee estimates
  // P(hypothesis); at the end their estimates against the network's, Brier scores and the
  // weight they gave each finding (bayesdx/explanation/_quiz.py has the same rules in Python).
  var QH = D.hypothesis;  // the quiz asks about the page's hypothesis (the decision target)
  var Q = { ci: 0, k: 0, est: [], net: [], locked: false, slider: 50 };
  var CLAMP_LO = 0.01, CLAMP_HI = 0.99, TOL_DB = D.quiz_tolerance_db, DIR_DB = 1;

  function quizStates(qc, k) {
    var given = k === 0 ? qc.opening.given : qc.steps[k - 1].given, out = {}, v;
    for (v in given) { out[v] = given[v]; }
    for (v in DEFAULTS) { if (!(v in out)) { out[v] = DEFAULTS[v]; } }
    return out;
  }
  function quizNetworkP(qc, k) {
    var r = posteriors(quizStates(qc, k), [QH.node]);
    return hypP(r.posteriors[QH.node], QH);
  }
  function lodb(p) {
    p = Math.min(Math.max(p, CLAMP_LO), CLAMP_HI);
    return 10 * Math.log10(p / (1 - p));
  }
  function quizVerdict(yours, net) {
    if (Math.abs(yours - net) <= TOL_DB) { return "about right"; }
    if (yours * net < 0 && Math.min(Math.abs(yours), Math.abs(net)) >= DIR_DB) {
      return "opposite direction";
    }
    return Math.abs(yours) > Math.abs(net) ? "over-weighted" : "under-weighted";
  }
  function quizScore() {
    var qc = D.quiz[Q.ci], y = qc.outcome, n = Q.est.length, b = 0, bn = 0, rows = [], i;
    for (i = 0; i < n; i++) {
      b += (Q.est[i] - y) * (Q.est[i] - y); bn += (Q.net[i] - y) * (Q.net[i] - y);
    }
    for (i = 1; i < n; i++) {
      var yours = lodb(Q.est[i]) - lodb(Q.est[i - 1]), net = lodb(Q.net[i]) - lodb(Q.net[i - 1]);
      rows.push({ finding: qc.steps[i - 1].var, yours_db: yours, network_db: net,
        verdict: quizVerdict(yours, net) });
    }
    return { estimates: Q.est.slice(), network: Q.net.slice(), outcome: y, brier: b / n,
      network_brier: bn / n, findings: rows };
  }

  function quizStart(i) {
    Q = { ci: i, k: 0, est: [], net: [], locked: false, slider: 50 };
    renderQuiz();
  }
  function quizLock() {
    if (Q.locked) { return; }
    var qc = D.quiz[Q.ci];
    Q.est.push(Q.slider / 100);
    Q.net.push(quizNetworkP(qc, Q.k));
    Q.locked = true;
    renderQuiz();
    var nx = document.getElementById("quiz-next");
    if (nx) { nx.focus(); }
  }
  function quizNext() {
    var qc = D.quiz[Q.ci];
    if (!Q.locked || Q.k >= qc.steps.length) { return; }
    Q.k++; Q.locked = false;
    renderQuiz();
    var sl = document.getElementById("quiz-slider");
    if (sl) { sl.focus(); }
  }
  function quizToExplorer() {
    var qc = D.quiz[Q.ci], parts = qc.opening.hash.slice();
    qc.steps.forEach(function (s) { parts = parts.concat(s.hash); });
    setMode("explore");
    location.hash = parts.map(function (p) {
      var eq = p.indexOf("=");
      return encodeURI(p.slice(0, eq)) + "=" + encodeURIComponent(p.slice(eq + 1));
    }).join("&");
  }

  // #!quiz=<case id>: the quiz on that case; null for any other fragment
  function quizFromHash(hash) {
    if (!D.quiz) { return null; }
    var m = /^#!quiz=(.+)$/.exec(hash);
    if (!m) { return null; }
    var id = decodeURIComponent(m[1]);
    for (var i = 0; i < D.quiz.length; i++) { if (D.quiz[i].id === id) { return i; } }
    return null;
  }

  function quizCaseName(qc, i) {
    return "Case " + (i + 1) + " of " + D.quiz.length +
      (qc.setting ? " (" + words(qc.setting) + ")" : "");
  }

  function renderQuiz() {
    var box = R.quiz, qc = D.quiz[Q.ci], nSteps = qc.steps.length;
    var done = Q.locked && Q.k === nSteps;
    box.innerHTML = "";
    box.appendChild(el("h2", { text: "Quiz: estimate P(" + words(QH.name) +
      ") as the findings arrive" }));
    box.appendChild(el("p", { class: "hint", text: "A published patient is revealed finding " +
      "by finding. Before each reveal, move the slider to your estimate of P(" +
      words(QH.name) + ") and lock it in; the network's exact answer then appears. At the " +
      "end: your estimates against the network's, a Brier score for each, and the findings " +
      "you over- or under-weighted." }));
    var sel = el("select", { id: "quiz-case", "aria-label": "Quiz case" });
    D.quiz.forEach(function (c, i) {
      var o = el("option", { value: String(i), text: quizCaseName(c, i) });
      if (i === Q.ci) { o.selected = true; }
      sel.appendChild(o);
    });
    sel.addEventListener("change", function () { quizStart(Number(sel.value)); });
    box.appendChild(el("div", { class: "qpickrow" }, [
      el("label", { class: "qpick" }, ["Case: ", sel]),
      el("a", { href: "#!quiz=" + encodeURIComponent(qc.id), class: "link", id: "quiz-link",
        title: "A link that opens the quiz on this case: copy it to send it", text:
        "Link to this quiz case" })]));
    var card = el("div", { class: "qcard", "data-case": qc.id });
    if (qc.presentation) {
      card.appendChild(el("h3", { text: "Presentation" }));
      card.appendChild(el("p", { text: qc.presentation }));
    }
    if (qc.mri) {
      card.appendChild(el("h3", { text: "MRI" }));
      card.appendChild(el("p", { text: qc.mri }));
    }
    card.appendChild(el("h3", { text: "Findings so far" }));
    var ol = el("ol", { class: "qsteps", start: "0" });
    for (var k = 0; k <= Q.k; k++) {
      var txt = k === 0 ? (qc.opening.text.length ? qc.opening.text.join("; ")
        : "No findings yet: the population the network describes.") : qc.steps[k - 1].text;
      var li = el("li", { "data-step": String(k), class: k === Q.k && !done ? "current" : "" },
        [k === 0 ? "Opening: " + txt : txt]);
      if (k < Q.est.length) {
        li.appendChild(el("span", { class: "qpair", "data-you": String(Q.est[k]),
          "data-network": String(Q.net[k]), text: "you " + pct(Q.est[k]) + " · network " +
          pct(Q.net[k]) }));
      }
      ol.appendChild(li);
    }
    card.appendChild(ol);
    if (!done) {
      card.appendChild(el("p", { class: "hint", text: (nSteps - Q.k) + " more finding" +
        (nSteps - Q.k === 1 ? "" : "s") + " to come." }));
    }
    box.appendChild(card);
    if (!Q.locked) {
      var slider = el("input", { type: "range", id: "quiz-slider", min: "1", max: "99",
        step: "1", value: String(Q.slider), "aria-describedby": "quiz-q" });
      var out = el("output", { id: "quiz-out", for: "quiz-slider", text: Q.slider + "%" });
      slider.addEventListener("input", function () {
        Q.slider = Number(slider.value); out.textContent = Q.slider + "%";
      });
      slider.addEventListener("keydown", function (e) {
        if (e.key === "Enter") { e.preventDefault(); quizLock(); }
      });
      var lock = el("button", { type: "button", id: "quiz-lock", class: "qbtn",
        text: "Lock in my estimate" });
      lock.addEventListener("click", quizLock);
      box.appendChild(el("div", { class: "qestimate" }, [
        el("label", { id: "quiz-q", for: "quiz-slider", text: "Your estimate of P(" +
          words(QH.name) + ") given the findings so far:" }),
        el("div", { class: "qslide" }, [el("span", { text: "1%" }), slider,
          el("span", { text: "99%" }), out, lock]),
        el("p", { class: "hint", text: "Arrow keys move the slider; Enter locks it in." })]));
      return;
    }
    var i = Q.est.length - 1;
    box.appendChild(el("p", { class: "qfeedback", "data-network": String(Q.net[i]),
      text: "The network: P(" + words(QH.name) + ") = " + pct(Q.net[i]) + "; you said " +
        pct(Q.est[i]) + "." }));
    if (!done) {
      var nx = el("button", { type: "button", id: "quiz-next", class: "qbtn",
        text: "Reveal finding " + (Q.k + 1) + " of " + nSteps });
      nx.addEventListener("click", quizNext);
      box.appendChild(nx);
      return;
    }
    box.appendChild(quizResults(qc));
  }

  function quizResults(qc) {
    var sc = quizScore(), wrap = el("div", { id: "quiz-results", "data-brier": String(sc.brier),
      "data-network-brier": String(sc.network_brier) });
    wrap.appendChild(el("h3", { text: "The answer" }));
    var member = qc.outcome ? "in" : "not in";
    wrap.appendChild(el("p", { class: "qanswer", "data-outcome": String(qc.outcome) }, [
      el("strong", { text: qc.diagnosis_as_reported || words(qc.diagnosis) }),
      " (" + words(qc.diagnosis) + ": " + member + " the group " + words(QH.name) + ")."]));
    wrap.appendChild(el("p", { class: "cite", text: "Source: " + (qc.title ? qc.title + ". " : "") +
      qc.citation }));
    if (qc.unread.length) {
      wrap.appendChild(el("p", { class: "hint", text: "Also reported, not variables of this " +
        "network: " + qc.unread.join("; ") }));
    }
    wrap.appendChild(el("h3", { text: "Your estimates and the network's" }));
    wrap.appendChild(quizChart(qc, sc));
    if (D.decision && QH.name === D.decision.target) {
      wrap.appendChild(el("p", { class: "hint", text: "Dotted orange lines: the decision's " +
        "thresholds (" + edges().map(function (e) { return pct(e); }).join(", ") + "); " +
        "dashed black: the outcome." }));
    }
    wrap.appendChild(el("p", { class: "qbrier" }, [
      "Brier score (mean over the " + sc.estimates.length + " estimates of (P − outcome)²; 0 " +
        "is perfect, 0.25 is always saying 50%): ",
      el("strong", { text: "you " + sc.brier.toFixed(3) }), ", the network " +
        sc.network_brier.toFixed(3) + "."]));
    var tbl = el("table", { class: "qtable" }, [el("tr", {}, [
      el("th", { text: "finding" }), el("th", { text: "you" }), el("th", { text: "network" }),
      el("th", { text: "your shift (dB)" }), el("th", { text: "network's shift (dB)" }),
      el("th", { text: "your weighting" })])]);
    tbl.appendChild(el("tr", { "data-step": "0" }, [el("td", { text: "opening" }),
      el("td", { class: "num", text: pct(sc.estimates[0]) }),
      el("td", { class: "num", text: pct(sc.network[0]) }),
      el("td", {}), el("td", {}), el("td", {})]));
    sc.findings.forEach(function (f, j) {
      var cls = "w-" + f.verdict.replace(/ /g, "-");
      tbl.appendChild(el("tr", { "data-step": String(j + 1), "data-finding": f.finding,
        "data-verdict": f.verdict }, [
        el("td", { text: qc.steps[j].text }),
        el("td", { class: "num", text: pct(sc.estimates[j + 1]) }),
        el("td", { class: "num", text: pct(sc.network[j + 1]) }),
        el("td", { class: "num", text: fmtDb(f.yours_db) }),
        el("td", { class: "num", text: fmtDb(f.network_db) }),
        el("td", { class: cls, text: f.verdict })]));
    });
    wrap.appendChild(tbl);
    var over = sc.findings.filter(function (f) { return f.verdict === "over-weighted"; });
    var under = sc.findings.filter(function (f) { return f.verdict === "under-weighted"; });
    var opp = sc.findings.filter(function (f) { return f.verdict === "opposite direction"; });
    var names = function (fs) { return fs.map(function (f) { return f.finding; }).join(", "); };
    var lines = [];
    if (over.length) { lines.push("over-weighted: " + names(over)); }
    if (under.length) { lines.push("under-weighted: " + names(under)); }
    if (opp.length) { lines.push("moved the wrong way on: " + names(opp)); }
    wrap.appendChild(el("p", { class: "qsummary", text: lines.length ? "Compared with the " +
      "network you " + lines.join("; ") + "." : "Every finding moved you about as much as it " +
      "moved the network (within " + TOL_DB + " dB)." }));
    wrap.appendChild(el("p", { class: "hint", text: "Shifts are changes in log-odds in " +
      "decibans (10 × log10 of the odds ratio), each from your own previous estimate and the " +
      "network's from its own, both clamped to 1-99%. About right: within " + TOL_DB +
      " dB of the network's shift (a factor of 2 in the odds). The network is a model built " +
      "from published series and expert estimates, not the truth: where it and the outcome " +
      "disagree, so may you." }));
    var open = el("button", { type: "button", id: "quiz-explore", class: "qbtn",
      text: "Open this case in the explorer" });
    open.addEventListener("click", quizToExplorer);
    var again = el("button", { type: "button", id: "quiz-again", class: "qbtn",
      text: Q.ci + 1 < D.quiz.length ? "Next case" : "First case" });
    again.addEventListener("click", function () {
      quizStart((Q.ci + 1) % D.quiz.length);
      document.getElementById("quiz-slider").focus();
    });
    wrap.appendChild(el("div", { class: "qactions" }, [open, again]));
    return wrap;
  }

  function quizChart(qc, sc) {
    var n = sc.estimates.length, W = 600, H = 230, L = 44, Rm = 70, T = 12, B = 34;
    var x = function (i) { return L + (n === 1 ? 0 : i * (W - L - Rm) / (n - 1)); };
    var y = function (p) { return T + (1 - p) * (H - T - B); };
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "qchart", role: "img",
      "aria-label": "Your estimates and the network's after each finding" });
    [0, 0.25, 0.5, 0.75, 1].forEach(function (p) {
      s.appendChild(svg("line", { x1: L, x2: W - Rm, y1: y(p), y2: y(p), class: "qgrid" }));
      var t = svg("text", { x: L - 6, y: y(p) + 4, "text-anchor": "end", class: "qtick" });
      t.textContent = Math.round(p * 100) + "%";
      s.appendChild(t);
    });
    if (D.decision && QH.name === D.decision.target) {
      edges().forEach(function (e) {
        s.appendChild(svg("line", { x1: L, x2: W - Rm, y1: y(e), y2: y(e), class: "qedge" }));
      });
    }
    var oy = y(qc.outcome);
    s.appendChild(svg("line", { x1: L, x2: W - Rm, y1: oy, y2: oy, class: "qoutcome" }));
    var ot = svg("text", { x: L + 4, y: qc.outcome ? oy + 14 : oy - 5, class: "qlab" });
    ot.textContent = "outcome: " + (qc.outcome ? "" : "not ") + words(QH.name);
    s.appendChild(ot);
    function line(ps, cls, name) {
      var d = ps.map(function (p, i) { return (i ? "L" : "M") + x(i) + "," + y(p); }).join("");
      s.appendChild(svg("path", { d: d, class: "qline " + cls }));
      ps.forEach(function (p, i) {
        s.appendChild(svg("circle", { cx: x(i), cy: y(p), r: 4, class: "qdot " + cls }));
      });
      var t = svg("text", { x: W - Rm + 6, y: y(ps[ps.length - 1]) + 4, class: "qlab " + cls });
      t.textContent = name;
      return t;
    }
    var a = line(sc.network, "qnet", "network"), b = line(sc.estimates, "qyou", "you");
    var ya = Number(a.getAttribute("y")), yb = Number(b.getAttribute("y"));
    if (Math.abs(ya - yb) < 12) {  // keep the two end labels apart
      var mid = (ya + yb) / 2;
      a.setAttribute("y", ya <= yb ? mid - 6 : mid + 6);
      b.setAttribute("y", ya <= yb ? mid + 6 : mid - 6);
    }
    s.appendChild(a); s.appendChild(b);
    for (var i = 0; i < n; i++) {
      var t = svg("text", { x: x(i), y: H - B + 16, "text-anchor": "middle", class: "qtick" });
      var name = i === 0 ? "opening" : qc.steps[i - 1].var;
      t.textContent = name.length > 12 ? name.slice(0, 11) + "…" : name;
      s.appendChild(t);
    }
    return s;
  }

  function setMode(mode) {
    if (!D.quiz) { return; }
    document.body.classList.toggle("mode-quiz", mode === "quiz");
    R.tabQuiz.setAttribute("aria-pressed", String(mode === "quiz"));
    R.tabExplore.setAttribute("aria-pressed", String(mode !== "quiz"));
  }

  // ------------------------------------------------------------------ for tests and benchmarks
  window.bdx = {
    data: D,
    renders: 0,
    posteriors: posteriors,
    nextTests: nextTests,
    weights: function (given, hypName) {
      var m = new Map(), h = D.hypothesis;
      given.forEach(function (kv) { m.set(kv[0], kv[1]); });
      hypotheses().forEach(function (x) { if (x.name === hypName) { h = x; } });
      var assumed = {};
      for (var v in DEFAULTS) { if (!m.has(v)) { assumed[v] = DEFAULTS[v]; } }
      return weights(m, assumed, h);
    },
    state: function () { return { given: Array.from(S.given), raw: Array.from(S.raw) }; },
    setState: setState,
    setRaw: setRaw,
    undo: undo,
    reset: reset,
    quiz: {
      start: quizStart,
      networkP: function (i, k) { return quizNetworkP(D.quiz[i], k); },
      score: quizScore,
      state: function () { return JSON.parse(JSON.stringify(Q)); },
    },
    // mean milliseconds per change (the whole update: inference, decision, weights, drawing)
    benchmark: function (n, seed) {
      var rnd = seed || 1;
      function next() { rnd = (rnd * 16807) % 2147483647; return rnd / 2147483647; }
      var t0 = performance.now(), done = 0;
      for (var i = 0; i < n; i++) {
        var v = D.controls[Math.floor(next() * D.controls.length)];
        var st = NODE[v].states[Math.floor(next() * CARD[IDX[v]])];
        if (S.given.size > 8) { reset(); }
        setState(v, st);
        done++;
      }
      return (performance.now() - t0) / done;
    },
  };

  build();
  var opened = location.hash, qi = quizFromHash(opened);  // render() rewrites the fragment
  var start = opened.length > 1 && qi === null ? fromHash(opened) : { st: null, hyp: HYP };
  S = start.st || initial();
  HYP = start.hyp;
  if (!possible(S)) { S = { given: new Map(), raw: new Map(), rawSets: new Map() }; }
  render();
  if (D.quiz) {  // the quiz first, unless the link is to an explorer case
    quizStart(qi === null ? 0 : qi);
    setMode(qi === null && opened.length > 1 ? "explore" : "quiz");
  }
})();
"""
