"""What the store hands out besides the core's chats and subscriptions: the outbox and its log.

Every record is a frozen dataclass of plain values, the same whichever engine keeps them, so
nothing of SQLite (or PostgreSQL) travels past the `Store` protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bot.core.audience import ChatRef

__all__ = [
    "Delivery",
    "DeliveryMark",
    "DeliveryStatus",
    "MarkFailed",
    "MarkPartSent",
    "MarkRetry",
    "MarkSent",
    "MarkSkipped",
    "OutboxItem",
    "RecentError",
    "as_utc",
]


def as_utc(moment: datetime, what: str = "time") -> datetime:
    """`moment` in UTC. A naive datetime is refused: the store cannot guess its zone, and a
    guess would move a reminder by hours without anyone noticing."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} {moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class OutboxItem:
    """One announcement, posted once per recipient.

    `key` is the announcement's stable idempotency key, e.g.
    "tcr-germany-2022/oschersleben/race-1|reminder|15|2022-04-23T10:00:00+00:00": planning the
    same announcement again after a reload or a restart yields the same key, and the store
    refuses a key it already has. `payload` must be JSON-able; it comes back as plain JSON
    (a tuple returns as a list).
    """

    key: str
    kind: str  # "preview" | "reminder" | "start" | "results" | ...
    subject: str  # the id the announcement is about: a session, event or series id
    due_at: datetime
    payload: Mapping[str, Any]

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("an outbox item needs a key")
        # Frozen: normalising to UTC has to go around the dataclass's own __setattr__.
        object.__setattr__(self, "due_at", as_utc(self.due_at, f"due_at of {self.key}"))


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for next_attempt_at
    SENDING = "sending"  # claimed by a worker, in flight
    SENT = "sent"
    FAILED = "failed"  # permanently: the platform refused it or retries ran out
    SKIPPED = "skipped"  # not sent on purpose: the chat is inactive or no longer wants it

    @property
    def is_final(self) -> bool:
        """Nothing will happen to a delivery in a final state any more."""
        return self in (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)


@dataclass(frozen=True)
class Delivery:
    """One outbox item for one chat, and how its sending went."""

    id: int
    item: OutboxItem
    chat: ChatRef
    status: DeliveryStatus
    attempts: int  # claims so far, the current one included
    last_error: str | None
    next_attempt_at: datetime
    sent_at: datetime | None
    message_id: str | None
    priority: int  # higher goes first
    # Messages of the post already sent: a post can run to several (a long announcement on
    # Telegram), and a retry or a restart sends only those after them.
    parts_sent: int = 0


@dataclass(frozen=True)
class RecentError:
    """An error a send attempt produced, for /status."""

    chat: ChatRef
    key: str
    error: str
    at: datetime  # when the attempt that produced it was claimed


# --- what became of a delivery, for `Store.record_marks` -------------------------------------
# One record per `Store.mark_*` method, with the same meaning, so that a whole batch of outcomes
# can be written in one transaction.


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
