"""Cut-points: a value equal to a cut goes to the upper state."""

import pytest

from bayesdx.errors import RawValueError
from bayesdx.model import Measure

AGE = Measure("age", "years", (40.0, 60.0), ("lt_40", "40_to_59", "ge_60"), (18.0, 110.0), ())


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (18, "lt_40"),
        (39.99, "lt_40"),
        (40, "40_to_59"),
        (59.9, "40_to_59"),
        (60, "ge_60"),
        (110, "ge_60"),
    ],
)
def test_three_states(value, state):
    assert AGE.discretise(value) == state


@pytest.mark.parametrize("value", [17.9, 110.1])
def test_out_of_range(value):
    with pytest.raises(
        RawValueError,
        match=r"age = .* years is outside the plausible range "
        r"18 to 110 years",
    ):
        AGE.discretise(value, "age")


def test_not_a_number():
    with pytest.raises(RawValueError, match="is not a number"):
        AGE.discretise("x")  # type: ignore[arg-type]
