"""What became of a delivery, one record per `Store.mark_*` method with the same meaning, so
that a batch of outcomes can be written in one transaction (`Store.record_marks`): the delivery
engine records many sends with one commit instead of one each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "DeliveryMark",
    "MarkFailed",
    "MarkPartSent",
    "MarkRetry",
    "MarkSent",
    "MarkSkipped",
]


@dataclass(frozen=True, slots=True)
class MarkSent:
    """As `Store.mark_sent`: the post went out; wins over any other state."""

    delivery_id: int
    message_id: str | None
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class MarkPartSent:
    """As `Store.mark_part_sent`: the first `parts_sent` messages of a post in flight went out."""

    delivery_id: int
    parts_sent: int
    message_id: str | None

    def __post_init__(self) -> None:
        if self.parts_sent < 1:
            raise ValueError(f"parts_sent must be at least 1, not {self.parts_sent}")


@dataclass(frozen=True, slots=True)
class MarkRetry:
    """As `Store.mark_retry`: back to PENDING (SKIPPED for an inactive chat) until `retry_at`."""

    delivery_id: int
    error: str
    retry_at: datetime


@dataclass(frozen=True, slots=True)
class MarkFailed:
    """As `Store.mark_failed`: permanently failed."""

    delivery_id: int
    error: str


@dataclass(frozen=True, slots=True)
class MarkSkipped:
    """As `Store.mark_skipped`: not sent on purpose."""

    delivery_id: int
    reason: str


DeliveryMark = MarkSent | MarkPartSent | MarkRetry | MarkFailed | MarkSkipped
