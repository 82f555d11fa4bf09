"""bayesdx: probabilistic diagnostic reasoning with Bayesian networks.

Load a network, give a case, read the posterior:

>>> import bayesdx
>>> net = bayesdx.load_network("marrow_signal")
>>> post = net.query({"hb": 10.2, "m_protein": "present"})
>>> post.ranked()[0][0]
'multiple_myeloma'

Educational and research tool, not medical advice.
"""

from bayesdx.errors import (
    BayesdxError,
    CaseFileError,
    ImpossibleEvidenceError,
    NetworkFileError,
    PolicyError,
    RawValueError,
    UnknownNetworkError,
    UnknownStateError,
    UnknownVariableError,
)
from bayesdx.evidence import Evidence, normalise, read_case
from bayesdx.inference import query
from bayesdx.network import Network, load_network
from bayesdx.notice import DISCLAIMER
from bayesdx.posterior import Posterior
from bayesdx.recommendation import Recommendation, recommend
from bayesdx.registry import bundled_networks

__version__ = "0.1.0"

__all__ = [
    "DISCLAIMER",
    "BayesdxError",
    "CaseFileError",
    "Evidence",
    "ImpossibleEvidenceError",
    "Network",
    "NetworkFileError",
    "PolicyError",
    "Posterior",
    "RawValueError",
    "Recommendation",
    "UnknownNetworkError",
    "UnknownStateError",
    "UnknownVariableError",
    "__version__",
    "bundled_networks",
    "load_network",
    "normalise",
    "query",
    "read_case",
    "recommend",
]
