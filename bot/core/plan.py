"""What to announce and when: a pure function of the catalog, never of the clock.

`plan()` lists every announcement the catalog implies, past ones included; the scheduling layer
keeps those still ahead and asks `catch_up()` about the ones it missed while it was down.
Each announcement has a stable `key` built from what it is about and the start it was planned
for, so a reload or a restart recomputes the same keys (the outbox refuses a key twice) while
a session that moves gets new keys. `changes()` compares the keys already announced with the
catalog and returns the "time changed" posts that a move or a cancellation calls for.

All instants here are aware UTC; arithmetic on UTC instants counts real elapsed time, so a
60-minute reminder is an hour before the start even across a summer-time change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import Catalog
from bot.core.model import Event, Session, localize
from bot.core.plan_types import (
    Announcement,
    AnnouncementKind,
    ParsedKey,
    Payload,
    make_key,
    parse_key,
)
from bot.core.queries import session_end_or_start

__all__ = [
    "Announcement",
    "AnnouncementKind",
    "Decision",
    "ParsedKey",
    "Payload",
    "PlanSettings",
    "catch_up",
    "changes",
    "entered_drivers",
    "is_session_id",
    "make_key",
    "parse_key",
    "plan",
    "preview_start",
    "recipients",
    "superseded",
]


@dataclass(frozen=True)
class PlanSettings:
    preview_days: int = 2
    # The union of every chat's reminder offsets; each chat gets only its own (`recipients`).
    reminder_minutes: frozenset[int] = frozenset({60, 15})
    live_grace: timedelta = timedelta(minutes=10)
    results_grace: timedelta = timedelta(days=3)


# -- planning ------------------------------------------------------------------------------


def plan(catalog: Catalog, settings: PlanSettings) -> list[Announcement]:
    """Every announcement the catalog implies, earliest due first.

    Announcements due at the same moment come in timetable order: two sessions whose time is
    TBA on one day both finish at its end, and their results go out as the timetable runs
    (Qualifying 2 before Race 2), whatever their ids."""
    found: list[Announcement] = []
    for event in catalog.events.values():
        drivers = entered_drivers(event)
        first = preview_start(event)
        # A weekend whose every session is called off gets its "Cancelled" posts, no preview.
        called_off = bool(event.sessions) and all(s.cancelled for s in event.sessions)
        if first is not None and not called_off:
            found.append(
                Announcement(
                    kind=AnnouncementKind.PREVIEW,
                    subject=event.id,
                    due=first - timedelta(days=settings.preview_days),
                    planned_start=first,
                    series_id=event.series_id,
                    event_id=event.id,
                    session_kind=None,
                    drivers=drivers,
                )
            )
        for session in event.sessions:
            found.extend(_session_announcements(session, drivers, settings))
    return sorted(found, key=lambda item: _order(item, catalog.timeline_index))


def _session_announcements(
    session: Session, drivers: frozenset[str], settings: PlanSettings
) -> list[Announcement]:
    def make(
        kind: AnnouncementKind, due: datetime, start: datetime | None, offset: int | None = None
    ) -> Announcement:
        return Announcement(
            kind=kind,
            subject=session.id,
            due=due,
            planned_start=start,
            offset_minutes=offset,
            series_id=session.series_id,
            event_id=session.event_id,
            session_kind=session.kind,
            drivers=drivers,
        )

    found: list[Announcement] = []
    if session.cancelled:
        return found  # nothing to remind of, start or report
    start = session.start_utc
    # A TBA session's day is known but not its time: nothing to remind of or to start.
    if start is not None:
        for offset in sorted(settings.reminder_minutes, reverse=True):
            found.append(
                make(AnnouncementKind.REMINDER, start - timedelta(minutes=offset), start, offset)
            )
        found.append(make(AnnouncementKind.START, start, start))
    if session.has_results:
        found.append(make(AnnouncementKind.RESULTS, session_end_or_start(session), None))
    return found


_KIND_ORDER = {kind: index for index, kind in enumerate(AnnouncementKind)}


def _order(item: Announcement, timetable: Mapping[str, int]) -> tuple[datetime, int, int, str, int]:
    # An event (a PREVIEW's subject) is not in the timetable: it goes before its sessions.
    place = timetable.get(item.subject, -1)
    return (item.due, _KIND_ORDER[item.kind], place, item.subject, -(item.offset_minutes or 0))


def preview_start(event: Event) -> datetime | None:
    """When the weekend starts: its first timed session, else midnight of its first day."""
    starts = [s.start_utc for s in event.sessions if s.start_utc is not None]
    if starts:
        return min(starts)
    if event.start_date is None:
        return None
    midnight = datetime.combine(event.start_date, time(0, 0))
    return localize(midnight, event.timezone, None).astimezone(UTC)


def entered_drivers(event: Event) -> frozenset[str]:
    return frozenset(driver for entry in event.entries for driver in entry.drivers)


# -- moves and cancellations -----------------------------------------------------------------


_TOLD_KINDS = (AnnouncementKind.REMINDER, AnnouncementKind.START, AnnouncementKind.TOLD)


@dataclass
class _Heard:
    """What fans last heard of one subject (a session, or a previewed weekend)."""

    start: datetime | None = None
    revision: int = -1  # of the latest CHANGED post; -1: none yet
    changed_to: set[datetime | None] = field(default_factory=set)  # every CHANGED post's start

    def tell(self, start: datetime | None, changed_revision: int | None) -> None:
        if changed_revision is None:
            # A reminder, start post, marker or preview tells the start the catalog had then;
            # any CHANGED post for the subject was made later (a move needs fans told first).
            if self.revision < 0:
                self.start = start
            return
        self.changed_to.add(start)
        if changed_revision > self.revision:
            self.start, self.revision = start, changed_revision


def changes(catalog: Catalog, announced_keys: Iterable[str], now: datetime) -> list[Announcement]:
    """The CHANGED posts due now: sessions announced for a start they no longer have.

    A session counts as announced at a start once a REMINDER, START or TOLD (the marker the
    scheduler writes for each session a preview showed) for it was sent or queued; a CHANGED
    post counts too (fans were told the new start). What fans heard last is the start of the
    subject's latest CHANGED post (each carries its revision, 0, 1, 2, ...), else the start its
    other posts told; so the keys' order does not matter (the store returns a set).
    A PREVIEW key records only the weekend's first start, so a previewed weekend whose
    first start moved, or that lost its dates, gets one event-wide CHANGED unless its first
    session's own CHANGED says the same.

    Cancelled means said so in the data (`Session.cancelled`). A session or weekend missing
    from the catalog is not announced at all: a schedules file can vanish for a moment (an
    editor's save, a checkout), and "Cancelled" posts for a whole weekend would be false.
    Each post's key records its new start and revision, so the same change is never posted
    twice, while a change that reverts an earlier one is posted again.
    """
    heard: dict[str, _Heard] = {}  # session id -> what its fans last heard
    previewed: dict[str, _Heard] = {}  # event id -> the first start fans last heard
    for key in announced_keys:
        parsed = parse_key(key)
        if parsed is None:
            continue
        changed = parsed.kind is AnnouncementKind.CHANGED
        revision = (parsed.offset_minutes or 0) if changed else None
        if parsed.kind in _TOLD_KINDS or (changed and is_session_id(parsed.subject)):
            heard.setdefault(parsed.subject, _Heard()).tell(parsed.planned_start, revision)
        elif parsed.kind is AnnouncementKind.PREVIEW or changed:
            previewed.setdefault(parsed.subject, _Heard()).tell(parsed.planned_start, revision)

    found: list[Announcement] = []
    for session_id, told in heard.items():
        session = catalog.sessions.get(session_id)
        if session is None:
            continue  # absent, not cancelled (see above)
        old = told.start
        new = None if session.cancelled else session.start_utc
        if new == old or not _still_ahead(old, new, now):
            continue
        found.append(_changed(catalog, session, old, new, now, told.revision + 1))
        told.changed_to.add(new)

    for event_id, told in previewed.items():
        event = catalog.events.get(event_id)
        if event is None:
            continue
        old_first, new_first = told.start, preview_start(event)
        if new_first == old_first or not _still_ahead(old_first, new_first, now):
            continue
        if _first_session_change_known(event, new_first, heard):
            continue
        found.append(_event_changed(event, old_first, new_first, now, told.revision + 1))
    return found


def is_session_id(subject: str) -> bool:
    """Session ids are 'series/event/session'; event ids, the subject of a PREVIEW, one less."""
    return subject.count("/") == 2


def _still_ahead(old: datetime | None, new: datetime | None, now: datetime) -> bool:
    return any(start is not None and start > now for start in (old, new))


def _changed(
    catalog: Catalog,
    session: Session,
    old: datetime | None,
    new: datetime | None,
    now: datetime,
    revision: int,
) -> Announcement:
    event = catalog.events.get(session.event_id)
    return Announcement(
        kind=AnnouncementKind.CHANGED,
        subject=session.id,
        due=now,
        planned_start=new,
        series_id=session.series_id,
        event_id=session.event_id,
        session_kind=session.kind,
        drivers=entered_drivers(event) if event else frozenset(),
        previous_start=old,
        revision=revision or None,
    )


def _event_changed(
    event: Event, old: datetime | None, new: datetime | None, now: datetime, revision: int
) -> Announcement:
    return Announcement(
        kind=AnnouncementKind.CHANGED,
        subject=event.id,
        due=now,
        planned_start=new,
        series_id=event.series_id,
        event_id=event.id,
        session_kind=None,
        drivers=entered_drivers(event),
        previous_start=old,
        revision=revision or None,
    )


def _first_session_change_known(
    event: Event, new_first: datetime | None, heard: dict[str, _Heard]
) -> bool:
    """Whether fans were told of the weekend's first session moving to `new_first` in its own
    CHANGED post (now or earlier)."""
    if new_first is None:
        return False
    first = next((s for s in event.sessions if s.start_utc == new_first), None)
    told = heard.get(first.id) if first is not None else None
    return told is not None and new_first in told.changed_to


def superseded(announcement: Announcement, announced_keys: Iterable[str]) -> bool:
    """A PREVIEW re-keyed by a moved first session, for a weekend previewed already.

    The first preview shows the timetable as it stands when it is sent, and `changes()`
    posts the move, so a second preview would repeat both: the scheduler drops it.
    """
    if announcement.kind is not AnnouncementKind.PREVIEW:
        return False
    prefix = f"{announcement.subject}|{AnnouncementKind.PREVIEW.value}|"
    return any(key.startswith(prefix) and key != announcement.key for key in announced_keys)


# -- after downtime ------------------------------------------------------------------------


class Decision(StrEnum):
    SEND = "send"  # due ahead: schedule it as usual (or due right now)
    LATE = "late"  # missed, still worth sending now
    SKIP = "skip"  # missed, too late to be useful


def catch_up(
    announcement: Announcement,
    now: datetime,
    settings: PlanSettings,
    current_start: datetime | None,
) -> Decision:
    """What to do with an announcement found after downtime.

    `current_start` is the subject's start in the catalog now: the session's start (None
    when it is TBA or gone), for a PREVIEW the weekend's first start (`preview_start`).
    A missed reminder or start post for a start that has since moved is skipped: the
    CHANGED post and the new start's own posts cover it. Grace periods include their end.
    """
    if announcement.due >= now:
        return Decision.SEND
    kind = announcement.kind
    if kind is AnnouncementKind.CHANGED:
        return Decision.SEND
    if kind is AnnouncementKind.RESULTS:
        return Decision.LATE if now - announcement.due <= settings.results_grace else Decision.SKIP
    if kind is AnnouncementKind.PREVIEW:
        first = current_start or announcement.planned_start
        return Decision.LATE if first is not None and now < first else Decision.SKIP
    if current_start is None or current_start != announcement.planned_start:
        return Decision.SKIP
    if kind is AnnouncementKind.REMINDER:
        return Decision.LATE if now < current_start else Decision.SKIP
    return Decision.LATE if now - current_start <= settings.live_grace else Decision.SKIP


# -- who gets it -----------------------------------------------------------------------------


def recipients(
    announcement: Announcement, audience: Iterable[tuple[Chat, Subscription]]
) -> list[ChatRef]:
    """The active chats whose subscription covers the announcement, each once, in order.

    A reminder goes only to chats that asked for reminders at its offset.
    """
    found: dict[ChatRef, None] = {}
    for chat, subscription in audience:
        if not chat.active or chat.ref in found:
            continue
        if announcement.kind is AnnouncementKind.REMINDER and (
            announcement.offset_minutes not in chat.reminder_minutes
        ):
            continue
        if subscription.follows(
            announcement.series_id, announcement.drivers, announcement.session_kind
        ):
            found[chat.ref] = None
    return list(found)
