"""What the store hands out besides the core's chats and subscriptions: the outbox and its log.

Every record is a frozen dataclass of plain values, the same whichever engine keeps them, so
nothing of SQLite (or PostgreSQL) travels past the `Store` protocol. Where both engines
read a record from the same columns, the decoding is here once (`edit_record`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bot.core.audience import ChatRef

__all__ = [
    "EDIT_COLUMNS",
    "Delivery",
    "DeliveryStatus",
    "EditRecord",
    "OutboxItem",
    "RecentError",
    "as_utc",
    "edit_record",
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


@dataclass(frozen=True)
class Backlog:
    """One platform's deliveries still to be sent (PENDING or SENDING), for /healthz and
    /metrics: how many, and when the oldest one's announcement was due."""

    unsent: int
    oldest_due: datetime


@dataclass(frozen=True)
class EditRecord:
    """One operator edit of the schedule files, as the audit log keeps it."""

    id: int
    at: datetime  # UTC
    actor: str  # e.g. "telegram:12345 (@anna)", "cli:alice", "console"
    action: str  # e.g. "time", "results", "undo"
    target: str  # the id edited, e.g. "tcr-germany-2022/oschersleben/race-1", or "#3"
    summary: str  # one line
    # relative path -> (text before, text after); None before: the edit created the file
    files: Mapping[str, tuple[str | None, str]]
    undone_by: int | None = None


# The `edits` table's columns in the order `edit_record` reads them, for both engines' SELECTs.
EDIT_COLUMNS = "id, at, actor, action, target, summary, files, undone_by"


def edit_record(row: Sequence[Any]) -> EditRecord:
    """An `edits` row (columns as EDIT_COLUMNS) as its record, from either engine.

    The engines differ only in `at`: SQLite keeps ISO text, PostgreSQL a timestamptz that
    asyncpg hands over as a datetime. `files` is JSON text from both."""
    at = row[1] if isinstance(row[1], datetime) else datetime.fromisoformat(str(row[1]))
    files = {
        str(path): (None if pair[0] is None else str(pair[0]), str(pair[1]))
        for path, pair in json.loads(row[6]).items()
    }
    return EditRecord(
        id=int(row[0]),
        at=at.astimezone(UTC),
        actor=str(row[2]),
        action=str(row[3]),
        target=str(row[4]),
        summary=str(row[5]),
        files=files,
        undone_by=None if row[7] is None else int(row[7]),
    )
