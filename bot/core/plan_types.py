"""The announcement as the plan makes it and the outbox stores it: its key and its payload.

Kept apart from `bot.core.plan` (which re-exports it) so that the planning rules stay short.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from bot.core.model import SessionKind

__all__ = ["Announcement", "AnnouncementKind", "ParsedKey", "Payload", "make_key", "parse_key"]


class AnnouncementKind(StrEnum):
    PREVIEW = "preview"
    REMINDER = "reminder"
    START = "start"
    RESULTS = "results"
    CHANGED = "changed"
    # Never posted: a marker in the outbox that a preview told fans a session's start, so a
    # later move of any session in that preview gets its "time changed" post.
    TOLD = "told"


Payload = dict[str, str | int | list[str] | None]


@dataclass(frozen=True, kw_only=True)
class Announcement:
    """One post to make, before knowing who gets it.

    `subject` is a session id, or an event id for PREVIEW (and for the CHANGED post that a
    previewed weekend's move calls for). `planned_start` is the start it was planned for:
    the session's start; for PREVIEW the event's first session start, else its first day's
    midnight; for CHANGED the new start (None: cancelled or time to be announced); for RESULTS
    None, since results belong to the session and not to one of its times (a corrected start
    of a finished session must not post its results twice).
    """

    kind: AnnouncementKind
    subject: str
    due: datetime
    planned_start: datetime | None
    offset_minutes: int | None = None  # REMINDER only
    series_id: str
    event_id: str
    session_kind: SessionKind | None  # None for PREVIEW and event-wide CHANGED
    drivers: frozenset[str] = field(default_factory=frozenset)  # entered in the event
    previous_start: datetime | None = None  # CHANGED: the start fans were told before
    # CHANGED: how many CHANGED posts went out for the subject before this one (None: none).
    # Part of the key, so a change that reverts an earlier one (cancelled, back on, cancelled
    # again) is a new post rather than a key the outbox already has.
    revision: int | None = None

    def __post_init__(self) -> None:
        # Keys compare instants as text, so every instant is held in UTC.
        for name in ("due", "planned_start", "previous_start"):
            value = getattr(self, name)
            if value is None:
                continue
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"{name} must be an aware datetime, got {value!r}")
            object.__setattr__(self, name, value.astimezone(UTC))

    @property
    def key(self) -> str:
        """'subject|kind|offset|planned start', the outbox's idempotency key."""
        # The key's number slot: a reminder's offset, or a CHANGED post's revision.
        number = self.revision if self.kind is AnnouncementKind.CHANGED else self.offset_minutes
        return make_key(self.subject, self.kind, number, self.planned_start)

    def to_payload(self) -> Payload:
        return {
            "kind": self.kind.value,
            "subject": self.subject,
            "due": self.due.isoformat(),
            "planned_start": _iso(self.planned_start),
            "offset_minutes": self.offset_minutes,
            "series_id": self.series_id,
            "event_id": self.event_id,
            "session_kind": None if self.session_kind is None else self.session_kind.value,
            "drivers": sorted(self.drivers),
            "previous_start": _iso(self.previous_start),
            "revision": self.revision,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, object]) -> Announcement:
        """The inverse of `to_payload`; ValueError names the first field that is wrong."""
        session_kind = _optional_text(payload, "session_kind")
        drivers = payload.get("drivers", [])
        if not isinstance(drivers, list) or not all(isinstance(d, str) for d in drivers):
            raise ValueError("payload field 'drivers' must be a list of driver ids")
        offset = payload.get("offset_minutes")
        if offset is not None and (not isinstance(offset, int) or isinstance(offset, bool)):
            raise ValueError("payload field 'offset_minutes' must be an integer or null")
        revision = payload.get("revision")  # absent in payloads stored before it existed
        if revision is not None and (not isinstance(revision, int) or isinstance(revision, bool)):
            raise ValueError("payload field 'revision' must be an integer or null")
        due = _parse_instant(_text(payload, "due"), "due")
        try:
            return cls(
                kind=AnnouncementKind(_text(payload, "kind")),
                subject=_text(payload, "subject"),
                due=due,
                planned_start=_optional_instant(payload, "planned_start"),
                offset_minutes=offset,
                series_id=_text(payload, "series_id"),
                event_id=_text(payload, "event_id"),
                session_kind=None if session_kind is None else SessionKind(session_kind),
                drivers=frozenset(drivers),
                previous_start=_optional_instant(payload, "previous_start"),
                revision=revision,
            )
        except ValueError as error:  # an unknown kind or session kind
            raise ValueError(f"bad announcement payload: {error}") from error


@dataclass(frozen=True)
class ParsedKey:
    subject: str
    kind: AnnouncementKind
    offset_minutes: int | None  # a REMINDER's offset; a CHANGED post's revision
    planned_start: datetime | None


def make_key(
    subject: str, kind: AnnouncementKind, offset_minutes: int | None, planned_start: datetime | None
) -> str:
    offset = "" if offset_minutes is None else str(offset_minutes)
    start = "" if planned_start is None else planned_start.astimezone(UTC).isoformat()
    return f"{subject}|{kind.value}|{offset}|{start}"


def parse_key(key: str) -> ParsedKey | None:
    """The parts of an `Announcement.key`, or None for a key this module did not make."""
    parts = key.rsplit("|", 3)
    if len(parts) != 4:
        return None
    subject, kind, offset, start = parts
    try:
        return ParsedKey(
            subject=subject,
            kind=AnnouncementKind(kind),
            offset_minutes=int(offset) if offset else None,
            # i18n: not user text (names the field in a parse error)
            planned_start=_parse_instant(start, "planned start") if start else None,
        )
    except ValueError:
        return None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _text(payload: Mapping[str, object], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str):
        raise ValueError(f"payload field {name!r} must be text, got {value!r}")
    return value


def _optional_text(payload: Mapping[str, object], name: str) -> str | None:
    return None if payload.get(name) is None else _text(payload, name)


def _optional_instant(payload: Mapping[str, object], name: str) -> datetime | None:
    value = _optional_text(payload, name)
    return None if value is None else _parse_instant(value, name)


def _parse_instant(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{name} is not an ISO instant: {value!r}") from error
    if parsed.tzinfo is None:
        raise ValueError(f"{name} has no UTC offset: {value!r}")
    return parsed.astimezone(UTC)
