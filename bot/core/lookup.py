"""Turning what a fan typed into catalog ids, or into a helpful question when it can't.

Each lookup returns either the id it found or a ready `Reply`: "which Bäckman?" with a choice
per driver, or "no driver 'jesica' — did you mean Jessica Bäckman?".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.core.catalog import Catalog
from bot.core.names import Candidate, Resolution, resolve
from bot.core.reply import Choice, Reply, ReplyStatus, problem

LookupResult = str | Reply


def series_candidates(catalog: Catalog) -> list[Candidate]:
    return [
        Candidate(
            s.id,
            f"{s.short_name or s.name} {s.season}",
            (s.name, s.short_name or "", s.id.rsplit("-", 1)[0]),
        )
        for s in catalog.series.values()
    ]


def event_candidates(catalog: Catalog) -> list[Candidate]:
    out = []
    for event in catalog.events_in_order():
        series = catalog.series[event.series_id]
        track = catalog.tracks.get(event.track_id or "")
        track_names = (track.name, *track.aliases) if track else ()
        names = (event.slug, event.name, *track_names)
        label = f"{event.name} ({series.short_name or series.name} {series.season})"
        out.append(Candidate(event.id, label, names))
    return out


def session_candidates(catalog: Catalog) -> list[Candidate]:
    out = []
    for session in catalog.timeline:
        event = catalog.events[session.event_id]
        series = catalog.series[session.series_id]
        label = (
            f"{session.name} – {event.name} ({series.short_name or series.name} {series.season})"
        )
        names = (
            f"{event.slug} {session.slug}",
            f"{event.slug} {session.name}",
            f"{event.name} {session.name}",
            f"{event.slug} {session.short_name}",
        )
        out.append(Candidate(session.id, label, names))
    return out


def driver_candidates(catalog: Catalog) -> list[Candidate]:
    return [Candidate(d.id, d.name, d.aliases) for d in catalog.drivers.values()]


def track_candidates(catalog: Catalog) -> list[Candidate]:
    return [
        Candidate(t.id, t.name, (*t.aliases, t.location or "")) for t in catalog.tracks.values()
    ]


def lookup(
    query: str,
    candidates: Iterable[Candidate],
    *,
    what: str,
    command: Callable[[str], str],
) -> LookupResult:
    """The id `query` names, or a reply that asks which one or suggests the nearest."""
    pool = list(candidates)
    # An exact id always wins: choice buttons send ids.
    exact = next((c for c in pool if c.id == query.strip()), None)
    if exact is not None:
        return exact.id
    found: Resolution = resolve(query, pool)
    if found.match is not None:
        return found.match.id
    if found.ambiguous:
        return problem(
            ReplyStatus.AMBIGUOUS,
            f"Which {what} do you mean by “{query}”?",
            [Choice(c.label, command(c.id)) for c in found.ambiguous],
        )
    if found.suggestions:
        names = ", ".join(c.label for c in found.suggestions[:3])
        return problem(
            ReplyStatus.NOT_FOUND,
            f"No {what} called “{query}”. Did you mean {names}?",
            [Choice(c.label, command(c.id)) for c in found.suggestions],
        )
    known = ", ".join(c.label for c in pool[:6])
    more = " …" if len(pool) > 6 else ""
    return problem(ReplyStatus.NOT_FOUND, f"No {what} called “{query}”. Known: {known}{more}")
