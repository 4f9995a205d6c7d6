"""What `/recap WHAT [EVENT]` asks for: a driver or a series, and which event.

A chat has nothing to mark where the name ends ("/recap tcr germany oschersleben"), so the words
are split as /driver splits them: the longest leading words that name a series or a driver,
provided the rest names an event. The event is looked up among the series' events (or the
driver's), so "hockenheim" means the one the fan can mean. An event named alone
("/recap oschersleben") recaps that event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core import lookup
from bot.core.catalog import Catalog
from bot.core.names import Candidate, Resolution, resolve
from bot.core.recap import driver_recap, event_recap, latest_event
from bot.core.reply import Reply, ReplyStatus, problem

__all__ = ["RecapTarget", "find_target", "recap_reply", "split_subject_and_event"]


@dataclass(frozen=True)
class RecapTarget:
    """What a recap is of: an event, seen through one driver's weekend or as a whole."""

    event_id: str
    driver_id: str | None = None


def recap_reply(catalog: Catalog, now: datetime, what: str, event: str | None) -> Reply:
    """The recap `what` and `event` ask for, or a reply that asks which or says what is wrong."""
    target = find_target(catalog, now, what, event)
    if isinstance(target, Reply):
        return target
    chosen = catalog.events[target.event_id]
    if target.driver_id is not None:
        return driver_recap(catalog, target.driver_id, chosen, now)
    return event_recap(catalog, chosen, now)


def find_target(
    catalog: Catalog, now: datetime, what: str, event: str | None
) -> RecapTarget | Reply:
    """The driver (or none) and the event to recap; the event by default the latest with
    results known at `now`."""
    if event is None:
        what, event = split_subject_and_event(catalog, what)
    found = _subject(catalog, what, event)
    if isinstance(found, Reply):
        return found
    kind, subject = found
    if kind == "event":
        return RecapTarget(subject)
    driver_id = subject if kind == "driver" else None
    if event:
        chosen = _event(catalog, event, kind, subject)
        if isinstance(chosen, Reply):
            return chosen
        return RecapTarget(chosen, driver_id)
    options = {"series_id": subject} if kind == "series" else {"driver_id": subject}
    latest = latest_event(catalog, now, **options)
    if latest is None:
        who = catalog.drivers[subject].name if kind == "driver" else _series_name(catalog, subject)
        return problem(ReplyStatus.EMPTY, f"No results for {who} yet.")
    return RecapTarget(latest.id, driver_id)


def split_subject_and_event(catalog: Catalog, text: str) -> tuple[str, str | None]:
    """'tcr germany oschersleben' -> ('tcr germany', 'oschersleben'); text that names a series
    or a driver as a whole stays whole, and so does text with no such split."""
    words = text.split()
    subjects = _subject_candidates(catalog)
    if len(words) < 2 or resolve(text, subjects).found:
        return text, None
    events = lookup.event_candidates(catalog)
    for cut in range(len(words) - 1, 0, -1):
        name, event = " ".join(words[:cut]), " ".join(words[cut:])
        if _names_some(resolve(name, subjects)) and _names_some(resolve(event, events)):
            return name, event
    return text, None


def _subject(catalog: Catalog, what: str, event: str | None) -> tuple[str, str] | Reply:
    """('series' | 'driver' | 'event', id), or a reply that asks which one."""
    if (exact := what.strip()) in catalog.series:
        return "series", exact
    if exact in catalog.drivers:
        return "driver", exact
    as_series = lookup.lookup(
        what, lookup.series_candidates(catalog), what="series", command=_command
    )
    if isinstance(as_series, str):
        return "series", as_series
    as_driver = lookup.lookup(
        what, lookup.driver_candidates(catalog), what="driver", command=_command
    )
    if isinstance(as_driver, str):
        return "driver", as_driver
    if as_driver.status is ReplyStatus.AMBIGUOUS:
        return lookup.keep_event_in_choices(catalog, as_driver, event)
    if as_series.status is ReplyStatus.AMBIGUOUS:
        return lookup.keep_event_in_choices(catalog, as_series, event)
    if event is None:  # "/recap oschersleben": an event named alone
        as_event = lookup.lookup(
            what, lookup.event_candidates(catalog), what="event", command=_command
        )
        if isinstance(as_event, str):
            return "event", as_event
        if as_event.status is ReplyStatus.AMBIGUOUS:
            return as_event
    choices = (*as_series.choices, *as_driver.choices)
    message = f"No series, driver or event called “{what.strip()}”."
    return problem(ReplyStatus.NOT_FOUND, message, choices)


def _command(subject_id: str) -> str:
    return f"/recap {subject_id}"


def _event(catalog: Catalog, query: str, kind: str, subject: str) -> str | Reply:
    """The event `query` names among the series' events, or among the driver's."""
    if kind == "series":
        allowed = {e.id for e in catalog.series[subject].events}
        whose = _series_name(catalog, subject)
    else:
        allowed = {eid for eid, _ in catalog.entries_by_driver.get(subject, ())}
        whose = catalog.drivers[subject].name
    candidates = [c for c in lookup.event_candidates(catalog) if c.id in allowed]
    if not candidates:
        return problem(ReplyStatus.NOT_FOUND, f"{whose} has no events in the data.")
    return lookup.lookup(
        query,
        candidates,
        what=f"event of {whose}",
        command=lambda eid: f"/recap {subject} {eid}",
    )


def _subject_candidates(catalog: Catalog) -> list[Candidate]:
    return lookup.series_candidates(catalog) + lookup.driver_candidates(catalog)


def _names_some(found: Resolution) -> bool:
    return found.found or bool(found.ambiguous)


def _series_name(catalog: Catalog, series_id: str) -> str:
    series = catalog.series[series_id]
    return f"{series.name} {series.season}"
