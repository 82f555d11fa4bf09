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


def test_every_error_class_lives_in_errors_py():
    import importlib
    import inspect
    import pkgutil

    import bayesdx
    from bayesdx.errors import BayesdxError

    found = set()
    for info in pkgutil.iter_modules(bayesdx.__path__):
        if info.name == "__main__":
            continue
        module = importlib.import_module(f"bayesdx.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BayesdxError):
                found.add(obj)
                assert obj.__module__ == "bayesdx.errors", f"{obj.__name__} in {obj.__module__}"
    assert {"RowError", "UnknownParameterError", "NoUncertaintyError"} <= {
        c.__name__ for c in found
    }


def test_bad_arguments_to_the_compiled_engine_are_bayesdx_errors(marrow):
    import numpy as np
    import pytest

    from bayesdx.errors import ArgumentError
    from bayesdx.inference import compile_network

    engine = compile_network(marrow)
    with pytest.raises(ArgumentError, match="evidence must have shape"):
        engine.evaluate(np.zeros((2, 3), dtype=np.int64), ["diagnosis"])
