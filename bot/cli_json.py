"""`pitboard --json`: the data behind an answer (sessions, rows, points), not its text layout.

The service answers first, exactly as without `--json`: a question it cannot answer (an
unknown or ambiguous name, a bad zone) becomes `{"status", "message", "choices"}`. An answered
one is looked up again with the same lookups and given as data (`bot.core.data`).
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from bot.cli_chart import chart_data
from bot.core import data, lookup, queries
from bot.core.catalog import Catalog
from bot.core.model import Event
from bot.core.names import Candidate
from bot.core.progression import progression
from bot.core.recap import recap_sessions
from bot.core.recap_lookup import find_target
from bot.core.reply import Paragraph, Reply, ReplyStatus, plain_text
from bot.core.standings import TableKind, driver_total, standings
from bot.core.zones import find_zone

Data = dict[str, Any]


def reply_data(
    reply: Reply, args: argparse.Namespace, catalog: Catalog, zone: str, now: datetime
) -> Data:
    """What `pitboard --json COMMAND` prints for `reply`, the answer to `args` at `now`
    (`zone`: the configured one, unless `--tz` chose another)."""
    status: Data = {"status": reply.status.value}
    if not reply.ok:
        return status | _problem(reply)
    chosen = find_zone(args.tz)[0] if args.tz else None
    zone = chosen or zone
    match args.command:
        case "next":
            return status | _next(catalog, args, zone, now) | _message_if_empty(reply)
        case "schedule":
            return status | {"event": data.event(catalog, _event(catalog, args.event), zone)}
        case "watch":
            found = (
                catalog.events[_id(" ".join(args.event), lookup.event_candidates(catalog))]
                if args.event
                else queries.next_event_to_watch(catalog, now)
            )
            if found is None:
                return status | _message_if_empty(reply)
            return status | {"event": data.event(catalog, found, zone)}
        case "standings":
            series_id = _id(" ".join(args.series), lookup.series_candidates(catalog))
            table = standings(catalog, series_id, TableKind(args.table), until=now)
            return status | {"standings": data.standings(catalog, table)}
        case "results":
            picked = catalog.sessions[
                _id(" ".join(args.session), lookup.session_candidates(catalog))
            ]
            return status | {
                "session": data.session(catalog, picked, zone),
                "results": data.results(catalog, picked, now),
            }
        case "driver":
            return status | {"driver": _driver(catalog, args, zone, now)}
        case "chart":
            series_id = _id(" ".join(args.series), lookup.series_candidates(catalog))
            drawn = progression(catalog, series_id, until=now)
            return status | {"chart": chart_data(drawn, getattr(args, "chart_written", None))}
        case "recap" if reply.status is ReplyStatus.EMPTY:
            return status | _message_if_empty(reply)
        case "recap":
            return status | {"recap": _recap(catalog, args, reply, now)}
        case "track":
            track_id = _id(" ".join(args.name), lookup.track_candidates(catalog))
            events = queries.events_at_track(catalog, track_id)
            return status | {"track": data.track(catalog, catalog.tracks[track_id], events, zone)}
    raise AssertionError(f"no JSON for {args.command}")


def _problem(reply: Reply) -> Data:
    return {
        "message": _message(reply),
        "choices": [{"label": c.label, "command": c.command} for c in reply.choices],
    }


def _message(reply: Reply) -> str:
    return "\n".join(
        plain_text(line)
        for block in reply.blocks
        if isinstance(block, Paragraph)
        for line in block.lines
    )


def _message_if_empty(reply: Reply) -> Data:
    return {"message": _message(reply)} if reply.status is ReplyStatus.EMPTY else {}


def _id(query: str, candidates: list[Candidate]) -> str:
    found = lookup.lookup(query, candidates, what="item", command=str)
    # The service answered this very query, so it names exactly one item.
    assert isinstance(found, str), f"{query!r} was answered but does not resolve"
    return found


def _event(catalog: Catalog, words: list[str]) -> Event:
    return catalog.events[_id(" ".join(words), lookup.event_candidates(catalog))]


def _next(catalog: Catalog, args: argparse.Namespace, zone: str, now: datetime) -> Data:
    series_id = _id(args.series, lookup.series_candidates(catalog)) if args.series else None
    driver_id = _id(args.driver, lookup.driver_candidates(catalog)) if args.driver else None
    sessions = queries.upcoming_sessions(catalog, now, series_id=series_id, driver_id=driver_id)
    untimed = queries.upcoming_events_without_times(
        catalog, now, series_id=series_id, driver_id=driver_id
    )
    return {
        "now": now.isoformat(),
        "sessions": [data.session(catalog, s, zone) for s in sessions],
        "events_without_times": [data.event(catalog, e, zone) for e in untimed],
    }


def _recap(catalog: Catalog, args: argparse.Namespace, reply: Reply, now: datetime) -> Data:
    """Which event (and driver) the recap is of, the sessions in it, and its text."""
    target = find_target(catalog, now, " ".join(args.what), args.event)
    assert not isinstance(target, Reply), "the service answered this very query"
    event = catalog.events[target.event_id]
    return {
        "event": target.event_id,
        "driver": target.driver_id,
        "sessions": [s.id for s in recap_sessions(catalog, event, now)],
        "title": reply.title,
        "paragraphs": [
            [plain_text(line) for line in block.lines]
            for block in reply.blocks
            if isinstance(block, Paragraph)
        ],
    }


def _driver(catalog: Catalog, args: argparse.Namespace, zone: str, now: datetime) -> Data:
    name, event_query = " ".join(args.name), args.event
    if event_query is None:
        name, event_query = lookup.split_driver_and_event(catalog, name)
    driver_id = _id(name, lookup.driver_candidates(catalog))
    event_id = (
        _id(event_query, lookup.event_candidates(catalog))
        if event_query
        else queries.default_weekend_event(catalog, driver_id, now)
    )
    weekend = queries.driver_weekend(catalog, driver_id, event_id, now) if event_id else None
    total = (
        driver_total(catalog, weekend.event.series_id, driver_id, until=now) if weekend else None
    )
    return data.driver(catalog, catalog.drivers[driver_id], weekend, total, zone)
