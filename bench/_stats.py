"""Latency figures shared by every benchmark: nearest-rank percentiles and their summary."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


def percentile(values: Sequence[float], percent: float) -> float:
    """Nearest rank: always an observed value, never an interpolation (`percent` 0–100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def ms(seconds: float, digits: int = 1) -> float:
    return round(seconds * 1000, digits)


def summary(latencies: Sequence[float]) -> dict[str, float | int | None]:
    if not latencies:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    return {
        "n": len(latencies),
        "p50_ms": ms(percentile(latencies, 50)),
        "p99_ms": ms(percentile(latencies, 99)),
        "max_ms": ms(max(latencies)),
    }


@dataclass
class Latencies:
    """Timed answers, plus the ones that were wrong (unexpected text) or never came."""

    seconds: list[float] = field(default_factory=list)
    wrong: int = 0
    lost: int = 0

    def add(self, other: Latencies) -> None:
        self.seconds += other.seconds
        self.wrong += other.wrong
        self.lost += other.lost

    def figures(self) -> dict[str, Any]:
        return summary(self.seconds) | {"wrong": self.wrong, "lost": self.lost}
