"""Error messages name what was wrong and what is valid."""

from bayesdx.errors import (
    BayesdxError,
    ImpossibleEvidenceError,
    NetworkFileError,
    UnknownNetworkError,
    UnknownStateError,
)


def test_all_are_value_errors_and_bayesdx_errors():
    for err in (
        NetworkFileError("f", "m"),
        UnknownNetworkError("x", ["a"]),
        UnknownStateError("v", "s", ["a", "b"]),
        ImpossibleEvidenceError({"a": "b"}),
    ):
        assert isinstance(err, BayesdxError)
        assert isinstance(err, ValueError)


def test_network_file_error_parts():
    assert str(NetworkFileError("f.yaml", "bad")) == "f.yaml: bad"
    assert str(NetworkFileError("f.yaml", "bad", node="n")) == "f.yaml: node 'n': bad"
    assert str(NetworkFileError("f.yaml", "bad", field="x")) == "f.yaml: field 'x': bad"


def test_long_listings_are_shortened():
    err = UnknownStateError("v", "s", [f"s{i}" for i in range(100)])
    assert str(err).endswith("s39, ... (100 in all)")
