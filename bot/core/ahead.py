"""What `/next` says when no session or dated event is ahead in its scope.

"The seasons it covers are over" is true only when they are: a season of this year (or later)
whose rounds are not all run, or that has events without dates, has rounds ahead whose dates
are not published yet, and a fan is told that instead. Everything named is within the
question's scope: a series, a driver's entries, or (unfiltered) every series.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.catalog import Catalog
from bot.core.i18n import _, and_list
from bot.core.model import Event, Series
from bot.core.queries import driver_event_ids, event_window
from bot.core.reply import Reply, ReplyStatus, bold, line, paragraph
from bot.core.views import event_dates, event_heading, series_label

__all__ = ["Scope", "nothing_ahead_reply"]


@dataclass(frozen=True)
class Scope:
    """What a `/next` asked about; neither set: everything."""

    series_id: str | None = None
    driver_id: str | None = None

    def series(self, catalog: Catalog) -> list[Series]:
        if self.series_id is not None:
            return [catalog.series[self.series_id]]
        if self.driver_id is not None:
            ids = {catalog.events[e].series_id for e in driver_event_ids(catalog, self.driver_id)}
            return [s for s in catalog.series.values() if s.id in ids]
        return list(catalog.series.values())

    def events(self, catalog: Catalog) -> list[Event]:
        """The scope's events in date order (events without dates by round, last)."""
        series_ids = {s.id for s in self.series(catalog)}
        entered = driver_event_ids(catalog, self.driver_id) if self.driver_id else None
        return [
            event
            for event in catalog.events_in_order()
            if event.series_id in series_ids and (entered is None or event.id in entered)
        ]


def nothing_ahead_reply(catalog: Catalog, now: datetime, scope: Scope, who: str | None) -> Reply:
    events = scope.events(catalog)
    past = [e for e in events if (window := event_window(e)) is not None and window[1] <= now]
    last = past[-1] if past else None
    current = {s.id for s in scope.series(catalog) if s.season >= now.year}
    undated = [e for e in events if e.is_tba]
    to_come = [e for e in undated if e.series_id in current]
    rounds = _rounds_to_come(catalog, scope, current, past) if scope.driver_id is None else []
    lines = []
    if to_come or rounds:
        if who:
            not_yet = _("The next rounds' dates for {who} are not published yet.")
        else:
            not_yet = _("The next rounds' dates are not published yet.")
        lines.append(line(not_yet.format(who=who)))
        lines.extend(line(text) for text in rounds)
        if to_come:
            names = and_list([_named(catalog, e) for e in to_come])
            lines.append(line(_("Without dates so far: {events}.").format(events=names)))
        title = _("Dates not published yet")
    else:
        if who:
            over = _("No sessions ahead for {who} in the data: the seasons it covers are over.")
        else:
            over = _("No sessions ahead in the data: the seasons it covers are over.")
        lines.append(line(over.format(who=who)))
        title = _("Nothing ahead")
    if last is not None:
        about = f" ({event_heading(catalog, last)}), {event_dates(last)}."
        lines.append(line(_("The last event was "), bold(last.name), about))
    never = [e for e in undated if e not in to_come]
    if never:
        names = ", ".join(f"{e.name} ({series_label(catalog, e.series_id)})" for e in never)
        lines.append(line(_("Never given dates in the data: {events}.").format(events=names)))
    return Reply(title=title, blocks=(paragraph(*lines),), status=ReplyStatus.EMPTY)


def _rounds_to_come(
    catalog: Catalog, scope: Scope, current: set[str], past: list[Event]
) -> list[str]:
    """'TCR Germany 2022: 6 of 7 rounds to come.' for each current series with rounds left."""
    found = []
    for series in scope.series(catalog):
        if series.id not in current or not series.rounds:
            continue
        run = [e.round or 0 for e in past if e.series_id == series.id]
        left = series.rounds - max(run, default=0)
        if left > 0:
            label = series_label(catalog, series.id)
            to_come = _("{series}: {left} of {rounds} rounds to come.")
            found.append(to_come.format(series=label, left=left, rounds=series.rounds))
    return found


def _named(catalog: Catalog, event: Event) -> str:
    """'Red Bull Ring (TCR Germany 2022, round 2, a little over a month after Oschersleben)'."""
    about = [event_heading(catalog, event)]
    if event.date_note:
        about.append(event.date_note)
    return f"{event.name} ({', '.join(about)})"
