"""What the soak's ledger expects to arrive, worked out without the bot's own planning.

The ledger used to ask `bot.core.plan.plan()` and `recipients()` what was due, so a planning
bug would have been counted as "due" and never caught. This module reads the schedules' TOML
files and the audience the benchmark stored (the SQLite tables) directly, and applies the
rules as the README states them to fans:

- a weekend preview two days before the weekend's first timed session (or its first day's
  midnight at the track when no time is published yet);
- for a timed session, a reminder at each offset the chat chose, and a start post at its
  start; a TBA session has neither;
- a results post when a session has results: at its end (start + duration), else its start,
  else the end of its day at the track;
- a chat gets what its subscription follows: a series it follows, or a session (or weekend)
  a driver it follows is entered in; a session-kind filter narrows sessions, not previews.

It imports nothing from `bot`: the keys it produces follow the outbox's documented format,
'subject|kind|offset|planned start (UTC ISO)'.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench._soak_db import SoakDatabase, decoded_list

PREVIEW_DAYS = 2  # the config the soak writes keeps the default
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*min)?\s*$")


@dataclass(frozen=True)
class Expected:
    """One announcement as the schedules imply it."""

    key: str
    kind: str  # preview | reminder | start | results
    due: datetime
    series: str
    event: str  # event id
    event_name: str
    session: str | None  # session id (None for a preview)
    session_name: str | None
    session_kind: str | None
    offset: int | None
    drivers: frozenset[str]  # entered in the event
    start: datetime | None = None  # the session's start; a preview's: the weekend's first


@dataclass(frozen=True)
class Follower:
    platform: str
    chat_id: str
    offsets: frozenset[int]
    series: frozenset[str]
    drivers: frozenset[str]
    kinds: frozenset[str]

    def wants(self, item: Expected) -> bool:
        if item.kind == "reminder" and item.offset not in self.offsets:
            return False
        if item.session_kind is not None and self.kinds and item.session_kind not in self.kinds:
            return False
        return item.series in self.series or bool(self.drivers & item.drivers)


def expected_announcements(schedules: Path, offsets: frozenset[int]) -> list[Expected]:
    """Every announcement the schedules imply, with reminders at each of `offsets`."""
    found: list[Expected] = []
    for path in sorted(schedules.rglob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        series = data.get("series")
        if not isinstance(series, dict):
            continue  # tracks, drivers, scales
        for event in data.get("events", []):
            found.extend(_event(series["id"], event, offsets))
    return sorted(found, key=lambda item: (item.due, item.key))


def _event(series_id: str, event: dict[str, Any], offsets: frozenset[int]) -> Iterator[Expected]:
    event_id = f"{series_id}/{event['id']}"
    zone = ZoneInfo(event["timezone"])
    drivers = frozenset(d for entry in event.get("entries", []) for d in entry.get("drivers", []))
    common = {"series": series_id, "event": event_id, "event_name": event["name"]}
    starts: list[datetime] = []
    for session in event.get("sessions", []):
        if session.get("cancelled"):
            continue
        session_id = f"{event_id}/{session['id']}"
        start = _start(session, zone)
        named = {
            **common,
            "session": session_id,
            "session_name": session["name"],
            "session_kind": session["kind"],
            "drivers": drivers,
        }
        if start is not None:
            starts.append(start)
            for offset in sorted(offsets):
                yield Expected(
                    key=_key(session_id, "reminder", offset, start),
                    kind="reminder",
                    due=start - timedelta(minutes=offset),
                    offset=offset,
                    start=start,
                    **named,
                )
            yield Expected(
                _key(session_id, "start", None, start),
                "start",
                start,
                offset=None,
                start=start,
                **named,
            )
        if session.get("results"):
            end = _end(session, start, zone)
            yield Expected(
                _key(session_id, "results", None, None), "results", end, offset=None, **named
            )
    first = min(starts) if starts else _midnight(event.get("start_date"), zone)
    if first is not None:
        yield Expected(
            key=_key(event_id, "preview", None, first),
            kind="preview",
            due=first - timedelta(days=PREVIEW_DAYS),
            session=None,
            session_name=None,
            session_kind=None,
            offset=None,
            drivers=drivers,
            start=first,
            **common,
        )


def _start(session: dict[str, Any], zone: ZoneInfo) -> datetime | None:
    clock = str(session.get("time", "TBA"))
    if clock.upper() == "TBA":
        return None
    hours, minutes = (int(part) for part in clock.split(":"))
    local = datetime.combine(session["date"], time(hours, minutes), tzinfo=zone)
    return local.astimezone(UTC)


def _end(session: dict[str, Any], start: datetime | None, zone: ZoneInfo) -> datetime:
    if start is not None:
        found = _DURATION.match(str(session.get("duration", "")))
        if found and any(found.groups()):
            hours, minutes = (int(part or 0) for part in found.groups())
            return start + timedelta(hours=hours, minutes=minutes)
        return start
    day_end = datetime.combine(session["date"] + timedelta(days=1), time(0, 0), tzinfo=zone)
    return day_end.astimezone(UTC)


def _midnight(day: date | None, zone: ZoneInfo) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def _key(subject: str, kind: str, offset: int | None, start: datetime | None) -> str:
    when = "" if start is None else start.astimezone(UTC).isoformat()
    return f"{subject}|{kind}|{'' if offset is None else offset}|{when}"


def stored_followers(database: SoakDatabase) -> list[Follower]:
    """Every active chat and its subscription, as the benchmark stored them."""
    rows = database.rows(
        "SELECT c.platform, c.chat_id, c.reminder_minutes, s.series, s.drivers,"
        " s.session_kinds FROM chats c JOIN subscriptions s"
        " ON s.platform = c.platform AND s.chat_id = c.chat_id WHERE c.active"
    )
    return [
        Follower(
            platform,
            chat_id,
            frozenset(decoded_list(offsets)),
            frozenset(decoded_list(series)),
            frozenset(decoded_list(drivers)),
            frozenset(decoded_list(kinds)),
        )
        for platform, chat_id, offsets, series, drivers, kinds in rows
    ]


def expected_posts(
    schedules: Path,
    followers: list[Follower],
    start: datetime,
    end: datetime,
    blocked: set[tuple[str, str]],
    blocked_at: datetime,
) -> dict[tuple[str, str, str], Expected]:
    """(key, platform, chat id) -> announcement, for everything due in [start, end); a blocked
    chat is due only what fell before it was blocked."""
    due: dict[tuple[str, str, str], Expected] = {}
    offsets = frozenset().union(*(chat.offsets for chat in followers))
    for item in expected_announcements(schedules, offsets):
        if not start <= item.due < end:
            continue
        for chat in followers:
            where = (chat.platform, chat.chat_id)
            if item.due >= blocked_at and where in blocked:
                continue
            if chat.wants(item):
                due[(item.key, *where)] = item
    return due
