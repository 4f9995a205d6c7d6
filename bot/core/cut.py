"""Which sessions a championship table counts: those finished by a moment, or those up to and
including one session.

A session has finished at `session_end_or_start` (bot.core.queries): its end (start + duration)
when its duration is known; its start when only the start is; the end of its day while its time
is TBA. That is the moment its results count as known (`results_known`) and its results post is
due, so a table, a results page and a results post never disagree about what is in. A table as
of a session (`Cut.through`, for that session's results post) counts the sessions that finished
before it, and of those finishing at the same moment (two TBA sessions on one day) the ones
that come before it in the timetable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.core.catalog import Catalog
from bot.core.model import Event, Session, localize
from bot.core.queries import session_end_or_start

__all__ = ["Cut", "finished_at", "last_to_finish"]


def finished_at(session: Session) -> datetime:
    """When `session` counts as finished (see the module's docstring)."""
    return session_end_or_start(session)


@dataclass(frozen=True)
class Cut:
    """The limit of what counts: `until` alone, or the (finish, timetable order) of the last
    session counted. With neither, everything in the data counts."""

    until: datetime | None = None
    last: tuple[datetime, int] | None = None

    @classmethod
    def at(cls, until: datetime | None) -> Cut:
        return cls(until=until)

    @classmethod
    def through(cls, catalog: Catalog, session: Session) -> Cut:
        finish = _finish(catalog, session)
        return cls(until=finish, last=(finish, _place(catalog, session)))

    def counts(self, catalog: Catalog, session: Session) -> bool:
        if self.until is None:
            return True
        finish = _finish(catalog, session)
        if self.last is not None:
            # The timetable order only settles sessions finishing at the same moment.
            return finish < self.last[0] or (
                finish == self.last[0] and _place(catalog, session) <= self.last[1]
            )
        return finish <= self.until

    def event_over(self, catalog: Catalog, event: Event) -> bool:
        """Whether every session of `event` counts; for one without sessions, its last day."""
        if event.sessions:
            return all(self.counts(catalog, session) for session in event.sessions)
        if self.until is None:
            return True
        if event.end_date is None:
            return False
        day_after = datetime.combine(event.end_date + timedelta(days=1), time(0, 0))
        return localize(day_after, event.timezone, None).astimezone(UTC) <= self.until


def _finish(catalog: Catalog, session: Session) -> datetime:
    """`finished_at(session)` from the start the catalog worked out when it was built (its
    timeline key), sparing a time-zone conversion per session and table."""
    if session.local_time is None:  # TBA: the end of its day, which the key does not give
        return finished_at(session)
    start = catalog.timeline_keys[catalog.timeline_index[session.id]]  # == session.start_utc
    return start if session.duration is None else start + session.duration


def _place(catalog: Catalog, session: Session) -> int:
    """The session's place in the catalog's timeline (start order, TBA sessions in file order),
    to order sessions that finish at the same moment."""
    return catalog.timeline_index[session.id]


def last_to_finish(catalog: Catalog, event: Event) -> Session | None:
    """The session that closes the event: a table `Cut.through` it is the one after the event."""
    return max(
        event.sessions, key=lambda s: (_finish(catalog, s), _place(catalog, s)), default=None
    )
