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

from bayesdx._version import __version__
from bayesdx.decision import Policy, Recommendation, recommend
from bayesdx.display import DISCLAIMER
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
