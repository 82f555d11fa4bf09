"""bayesdx: probabilistic diagnostic reasoning with Bayesian networks.

Load a network, give a case, read the posterior:

>>> import bayesdx
>>> net = bayesdx.load_network("marrow_signal")
>>> post = bayesdx.query(net, {"hb": 10.2, "m_protein": "present"})
>>> post.ranked()[0][0]
'multiple_myeloma'

The package follows the data flow, one subpackage per step:

- :mod:`bayesdx.model`: the network as data; a case enters as :class:`Evidence`.
- :mod:`bayesdx.io`: files in and out (networks, case files, outputs).
- :mod:`bayesdx.inference`: exact posteriors, one case or many.
- :mod:`bayesdx.decision`: policy, guideline, next tests, the recommendation.
- :mod:`bayesdx.explanation`, :mod:`bayesdx.sensitivity_analysis`, :mod:`bayesdx.validation`:
  the analyses.

Every front end has one shape: ``f(network, evidence, *, hypothesis=..., policy=...)``.

Educational and research tool, not medical advice.
"""

from typing import TYPE_CHECKING

from bayesdx._lazy import attach
from bayesdx._version import __version__
from bayesdx.errors import (
    ArgumentError,
    BayesdxError,
    CaseFileError,
    ImpossibleEvidenceError,
    LimitError,
    NetworkFileError,
    NoUncertaintyError,
    OutputFileError,
    PolicyError,
    RawValueError,
    RowError,
    UnknownNetworkError,
    UnknownParameterError,
    UnknownStateError,
    UnknownVariableError,
)

if TYPE_CHECKING:  # the names below load on first use (bayesdx._lazy): a fast cold start
    from bayesdx.decision import Policy, Recommendation, recommend
    from bayesdx.display import DISCLAIMER
    from bayesdx.explanation import Explanation, Explorer, explain, explore
    from bayesdx.inference import Posterior, compile_network, query, score_csv, score_frame
    from bayesdx.io import bundled_networks, load_network, read_case
    from bayesdx.learning import Learning, learn
    from bayesdx.model import Evidence, Hypothesis, Network, normalise, resolve_hypothesis
    from bayesdx.sensitivity_analysis import (
        SensitivityReport,
        UncertaintyReport,
        sensitivity,
        uncertainty,
    )
    from bayesdx.validation import CalibrationReport, calibrate

_LAZY = {
    "Policy": "bayesdx.decision",
    "Recommendation": "bayesdx.decision",
    "recommend": "bayesdx.decision",
    "DISCLAIMER": "bayesdx.display",
    "Explanation": "bayesdx.explanation",
    "Explorer": "bayesdx.explanation",
    "explain": "bayesdx.explanation",
    "explore": "bayesdx.explanation",
    "Posterior": "bayesdx.inference",
    "compile_network": "bayesdx.inference",
    "query": "bayesdx.inference",
    "score_csv": "bayesdx.inference",
    "score_frame": "bayesdx.inference",
    "bundled_networks": "bayesdx.io",
    "load_network": "bayesdx.io",
    "read_case": "bayesdx.io",
    "Learning": "bayesdx.learning",
    "learn": "bayesdx.learning",
    "Evidence": "bayesdx.model",
    "Hypothesis": "bayesdx.model",
    "Network": "bayesdx.model",
    "normalise": "bayesdx.model",
    "resolve_hypothesis": "bayesdx.model",
    "SensitivityReport": "bayesdx.sensitivity_analysis",
    "UncertaintyReport": "bayesdx.sensitivity_analysis",
    "sensitivity": "bayesdx.sensitivity_analysis",
    "uncertainty": "bayesdx.sensitivity_analysis",
    "CalibrationReport": "bayesdx.validation",
    "calibrate": "bayesdx.validation",
}

__all__ = [
    "DISCLAIMER",
    "ArgumentError",
    "BayesdxError",
    "CalibrationReport",
    "CaseFileError",
    "Evidence",
    "Explanation",
    "Explorer",
    "Hypothesis",
    "ImpossibleEvidenceError",
    "Learning",
    "LimitError",
    "Network",
    "NetworkFileError",
    "NoUncertaintyError",
    "OutputFileError",
    "Policy",
    "PolicyError",
    "Posterior",
    "RawValueError",
    "Recommendation",
    "RowError",
    "SensitivityReport",
    "UncertaintyReport",
    "UnknownNetworkError",
    "UnknownParameterError",
    "UnknownStateError",
    "UnknownVariableError",
    "__version__",
    "bundled_networks",
    "calibrate",
    "compile_network",
    "explain",
    "explore",
    "learn",
    "load_network",
    "normalise",
    "query",
    "read_case",
    "recommend",
    "resolve_hypothesis",
    "score_csv",
    "score_frame",
    "sensitivity",
    "uncertainty",
]

__getattr__, __dir__ = attach(__name__, _LAZY)
