"""Records (bayesdx._record) behave as the frozen dataclasses they replaced."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import numpy as np
import pytest

from bayesdx._record import DICT, Record
from bayesdx.display import Column, Items, Lines, Report, Table
from bayesdx.inference import Posterior
from bayesdx.inference._ve import Solution
from bayesdx.model import Evidence, FixedCPT, LegacyRule, NetworkSpec, NodeSpec, Source


def _samples() -> list[Record]:
    cpt = FixedCPT(np.array([0.25, 0.75]), (), origin="x.bif")
    node = NodeSpec("a", ("yes", "no"), (), cpt, label="A")
    evidence = Evidence({"a": "yes"}, raw={"a": 1.5})
    table = Table((Column("state"), Column("p", ".2f", width=3)), [("a", 0.5)], caption="c")
    return [
        Source("s1", "A study", "expert", doi="10.1/x"),
        node,
        LegacyRule({"smear": "rouleaux"}, {"rouleaux": "present"}),
        NetworkSpec("n", "N", "d", {"a": node}, sources={"s1": Source("s1", "c", "expert")}),
        cpt,
        evidence,
        Posterior("n", evidence, {"a": {"yes": 0.5, "no": 0.5}}, p_evidence=0.5),
        Solution({"a": np.array([0.5, 0.5])}, 0.5, float(np.log(0.5))),
        Column("p", ".3f", label="P"),
        table,
        Lines(["one", "two"]),
        Items([("Work-up", ["x"])]),
        Report([Lines(["x"]), table], title="t", data=table),
    ]


def _reference(record: Record) -> object:
    """The record's value as the frozen dataclass it stands for."""
    fields = dataclasses.fields(record)  # type: ignore[arg-type]
    ref = dataclasses.make_dataclass(
        type(record).__name__,
        [(f.name, object, dataclasses.field(repr=f.repr)) for f in fields],
        frozen=True,
    )
    return ref(**{f.name: getattr(record, f.name) for f in fields})


SAMPLES = _samples()


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: type(r).__name__)
def test_a_record_is_its_frozen_dataclass(record):
    cls = type(record)
    ref = _reference(record)
    assert dataclasses.is_dataclass(record) and dataclasses.is_dataclass(cls)
    assert [f.name for f in dataclasses.fields(record)] == list(cls._fields)
    assert list(inspect.signature(cls).parameters) == list(cls._fields)
    assert cls.__match_args__ == cls._fields
    if "__repr__" not in vars(cls):  # Posterior writes its own
        assert repr(record) == repr(ref)  # the same text (the class names are the same)
    assert record == copy.copy(record)  # the same objects inside
    if "array(" not in repr(dataclasses.astuple(record)):  # arrays compare element-wise
        assert record == pickle.loads(pickle.dumps(record))
        assert record != ref and record != dataclasses.astuple(record)  # other classes
        try:
            assert hash(record) == hash(ref)
        except TypeError:  # a dict field: neither hashes
            with pytest.raises(TypeError):
                hash(ref)
    first = cls._fields[0]
    with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot assign to field '{first}'"):
        setattr(record, first, None)
    with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot delete field '{first}'"):
        delattr(record, first)
    other = dataclasses.replace(record, **{first: "changed"})
    assert type(other) is cls and getattr(other, first) == "changed"
    assert all(getattr(other, n) is getattr(record, n) for n in cls._fields[1:])


def test_defaults_are_the_dataclass_defaults():
    e, f = Evidence(), Evidence()
    assert e == f and e.given == {} and e.given is not f.given  # a new dict each time
    assert str(inspect.signature(Evidence)).startswith("(given: 'dict[str, str]' = <factory>")
    spec = NetworkSpec("n", "N", "d", {})
    assert (spec.groups, spec.sources, spec.files, spec.legacy) == ({}, {}, (), ())
    assert FixedCPT(np.zeros(2), ()).kind == "fixed"
    assert Column("x") == Column("x", "", None, 0, "", False, None, False, True)
    assert DICT is not None and repr(DICT) == "<factory>"


def test_report_repr_leaves_out_its_data():
    table = Table((Column("a"),), [(1,)])
    assert "data=" not in repr(Report([table], data=table))
    assert dataclasses.fields(Report)[-1].repr is False


def test_records_pickle_with_arrays():
    cpt = FixedCPT(np.array([[0.5, 0.5]]), ("b",), origin="f")
    again = pickle.loads(pickle.dumps(cpt))
    assert np.array_equal(again.values, cpt.values) and again.parents == ("b",)
    match cpt:
        case FixedCPT(values, parents, origin, kind):
            assert (parents, origin, kind) == (("b",), "f", "fixed") and values is cpt.values
