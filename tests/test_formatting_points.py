"""Points as a table shows them: the same text for an int and for an equal Fraction."""

from fractions import Fraction

import pytest

from bot.core.formatting import format_points


@pytest.mark.parametrize(
    ("points", "shown"),
    [
        (25, "25"),
        (0, "0"),
        (Fraction(25), "25"),
        (Fraction(50, 2), "25"),
        (Fraction(35, 2), "17.5"),  # two cars sharing P2 and P3 on a 20-15 scale
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.67"),
        (Fraction(61, 3), "20.33"),
        (Fraction(-7, 2), "-3.5"),  # a penalty
        (Fraction(100001, 100000), "1"),  # rounds to two places, then drops the zeros
    ],
)
def test_points_text(points: Fraction | int, shown: str) -> None:
    assert format_points(points) == shown
