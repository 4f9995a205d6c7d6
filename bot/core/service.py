"""The service: one async method per command, each returning a platform-neutral Reply.

Every front-end calls these methods (or `handle` with a chat command line). The catalog is read
once per call from the holder, so a reload mid-call never mixes two catalogs.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core import lookup, queries, views
from bot.core.ahead import Scope, nothing_ahead_reply
from bot.core.catalog import Catalog, CatalogHolder
from bot.core.clock import Clock
from bot.core.commands import (
    COMMANDS,
    Command,
    command_names,
    find_command,
    parse_arguments,
    split_command_line,
)
from bot.core.cut import finished_at, last_to_finish
from bot.core.progression import Progression, chart_caption, no_chart_reply, progression
from bot.core.recap_lookup import recap_reply
from bot.core.reply import Choice, Reply, ReplyStatus, bold, line, paragraph, problem
from bot.core.standings import TableKind, driver_total, standings
from bot.core.zones import find_zone

DEFAULT_ZONE = "Europe/Stockholm"


@dataclass(frozen=True)
class ChatContext:
    """Who is asking: their time zone and language."""

    zone: str = DEFAULT_ZONE
    language: str = "en"


class Service:
    def __init__(
        self, catalogs: CatalogHolder, clock: Clock, *, default_zone: str = DEFAULT_ZONE
    ) -> None:
        self._catalogs = catalogs
        self._clock = clock
        self.default_zone = default_zone

    @property
    def catalog(self) -> Catalog:
        return self._catalogs.current

    # -- chat entry point -------------------------------------------------------------------

    async def handle(self, text: str, context: ChatContext | None = None) -> Reply:
        """Answer a chat command line such as '/standings tcr-germany-2022 teams'."""
        ctx = context or ChatContext(zone=self.default_zone)
        name, rest = split_command_line(text)
        command = find_command(name)
        if command is None:
            return unknown_command(name)
        if command.scope != "query":
            return problem(
                ReplyStatus.INVALID,
                f"/{command.name} works in a chat: Telegram, Discord or `pitboard run`.",
            )
        args = parse_arguments(command, rest)
        missing = [a for a in command.arguments if a.required and a.name not in args]
        if missing:
            return self.ask_for(command, missing[0].name)
        return await self.invoke(command, args, ctx)

    async def invoke(self, command: Command, args: dict[str, str], ctx: ChatContext) -> Reply:
        zone = ctx.zone
        match command.name:
            case "start":
                return await self.start()
            case "help":
                return await self.help(args.get("command"))
            case "next":
                return await self.next(args.get("filter"), zone=zone)
            case "schedule":
                return await self.schedule(args["event"], zone=zone)
            case "watch":
                return await self.watch(args.get("event"), zone=zone)
            case "standings":
                return await self.standings(args["series"], args.get("table", "drivers"))
            case "results":
                return await self.results(args["session"], zone=zone)
            case "driver":
                return await self.driver(args["name"], args.get("event"), zone=zone)
            case "track":
                return await self.track(args["name"])
            case "recap":
                return await self.recap(args["what"], args.get("event"))
            case "chart":
                # Core draws no pictures: this is the chart's caption. The chats and the CLI
                # answer /chart with the image (bot.charts) and this text beside it.
                found = await self.chart(args["series"])
                return found if isinstance(found, Reply) else chart_caption(found[1])
        raise AssertionError(f"command /{command.name} is in the table but has no handler")

    def ask_for(self, command: Command, argument: str) -> Reply:
        """A missing argument gets a question with choices, not an error."""
        catalog = self.catalog
        kind_choices = {
            "series": lookup.series_candidates(catalog),
            "event": lookup.event_candidates(catalog),
            "session": lookup.session_candidates(catalog),
            "name": lookup.driver_candidates(catalog)
            if command.name == "driver"
            else lookup.track_candidates(catalog),
        }
        if argument == "what":  # /recap: a driver, or a series
            kind_choices["what"] = lookup.driver_candidates(catalog) + lookup.series_candidates(
                catalog
            )
        candidates = kind_choices.get(argument, [])
        what = {
            "name": "driver" if command.name == "driver" else "track",
            "what": "driver or series",
        }.get(argument, argument)
        return lookup.choose(
            ReplyStatus.AMBIGUOUS,
            f"Which {what}? Usage: {command.usage}",
            candidates,
            lambda cid: f"/{command.name} {cid}",
            narrow=command.example or command.usage,
        )

    # -- commands --------------------------------------------------------------------------

    async def start(self) -> Reply:
        body = paragraph(
            "Pitboard follows touring-car and endurance racing: TCR, the 24H Series, STCC.",
            "Timetables in your time zone, reminders before every broadcast with the stream and",
            "live-timing links, results and championship standings.",
            line(
                "Try ",
                bold("/next"),
                ", ",
                bold("/standings tcr-germany-2022"),
                " or ",
                bold("/driver jessica"),
                ".",
            ),
        )
        choices = (Choice("Subscribe", "/subscribe"), Choice("Commands", "/help"))
        return Reply(title="Welcome to Pitboard", blocks=(body,), choices=choices)

    async def help(self, command_name: str | None = None, *, admin: bool = False) -> Reply:
        if command_name:
            command = find_command(command_name)
            if command is None:
                return unknown_command(command_name.lstrip("/"))
            lines = [line(command.summary), line(bold("Usage: "), command.usage)]
            lines += [
                line(f"  {a.name}: {a.help}" + ("" if a.required else " (optional)"))
                for a in command.arguments
            ]
            if command.example:
                lines.append(line(bold("Example: "), command.example))
            return Reply(title=f"/{command.name}", blocks=(paragraph(*lines),))
        rows = [
            line(bold(c.usage), f" — {c.summary}") for c in COMMANDS if admin or not c.admin_only
        ]
        return Reply(title="Pitboard commands", blocks=(paragraph(*rows),))

    async def next(
        self,
        filter_text: str | None = None,
        *,
        series: str | None = None,
        driver: str | None = None,
        zone: str | None = None,
    ) -> Reply:
        catalog, now = self.catalog, self._clock.now()
        zone_or_reply = self._zone(zone)
        if isinstance(zone_or_reply, Reply):
            return zone_or_reply
        if filter_text:
            found = self.find_series_or_driver(filter_text)
            if isinstance(found, Reply):
                return found
            kind, value = found
            series, driver = (value, driver) if kind == "series" else (series, value)
        else:
            for query, kind in ((series, "series"), (driver, "driver")):
                if query:
                    resolved = self._find(kind, query, "next")
                    if isinstance(resolved, Reply):
                        return resolved
                    series, driver = (resolved, driver) if kind == "series" else (series, resolved)
        sessions = queries.upcoming_sessions(catalog, now, series_id=series, driver_id=driver)
        untimed = queries.upcoming_events_without_times(
            catalog, now, series_id=series, driver_id=driver
        )
        who = catalog.drivers[driver].name if driver else None
        if series and not driver:
            who = views.series_label(catalog, series)
        if not sessions and not untimed:
            return nothing_ahead_reply(catalog, now, Scope(series, driver), who)
        title = f"Next for {who}" if who else "Next up"
        return views.next_reply(catalog, sessions, untimed, zone_or_reply, now, title)

    async def schedule(self, event: str, *, zone: str | None = None) -> Reply:
        zone_or_reply = self._zone(zone)
        if isinstance(zone_or_reply, Reply):
            return zone_or_reply
        found = self._find("event", event, "schedule")
        if isinstance(found, Reply):
            return found
        return views.timetable_reply(
            self.catalog, self.catalog.events[found], zone_or_reply, self._clock.now()
        )

    async def watch(self, event: str | None = None, *, zone: str | None = None) -> Reply:
        zone_or_reply = self._zone(zone)
        if isinstance(zone_or_reply, Reply):
            return zone_or_reply
        catalog, now = self.catalog, self._clock.now()
        if event:
            found = self._find("event", event, "watch")
            if isinstance(found, Reply):
                return found
            chosen = catalog.events[found]
        else:
            upcoming = queries.next_event_to_watch(catalog, now)
            if upcoming is None:
                return nothing_ahead_reply(catalog, now, Scope(), None)
            chosen = upcoming
        return views.watch_reply(catalog, chosen, zone_or_reply, now)

    async def standings(self, series: str, table: str = "drivers") -> Reply:
        if table not in {k.value for k in TableKind}:
            return problem(
                ReplyStatus.INVALID, f"“{table}” is not a table: choose drivers, teams or classes."
            )
        found = self._find("series", series, "standings")
        if isinstance(found, Reply):
            return found
        result = standings(self.catalog, found, TableKind(table), until=self._clock.now())
        return views.standings_reply(self.catalog, result)

    async def chart(
        self, series: str, highlight: Iterable[str] = ()
    ) -> tuple[Catalog, Progression] | Reply:
        """The championship's progression as the clock's now has it, with the catalog it was
        made from (a chart drawn from it is kept with that catalog); a reply when there is
        nothing to draw."""
        found = self._find("series", series, "chart")
        if isinstance(found, Reply):
            return found
        catalog = self.catalog
        # A table per round: for a long season, work worth keeping off the event loop (the
        # catalog is immutable; its memo tolerates a value computed twice).
        result = await asyncio.to_thread(
            progression, catalog, found, until=self._clock.now(), highlight=tuple(highlight)
        )
        if result.empty:
            return no_chart_reply(catalog, found)
        return catalog, result

    async def results(self, session: str, *, zone: str | None = None) -> Reply:
        zone_or_reply = self._zone(zone)
        if isinstance(zone_or_reply, Reply):
            return zone_or_reply
        found = self._find("session", session, "results")
        if isinstance(found, Reply):
            return found
        return views.results_reply(
            self.catalog, self.catalog.sessions[found], zone_or_reply, self._clock.now()
        )

    async def driver(
        self, name: str, event: str | None = None, *, zone: str | None = None
    ) -> Reply:
        catalog, now = self.catalog, self._clock.now()
        if event is None:
            # "/driver jessica oschersleben": a chat has no --event to mark where the name ends.
            name, event = lookup.split_driver_and_event(catalog, name)
        found = self._find("driver", name, "driver")
        if isinstance(found, Reply):
            return lookup.keep_event_in_choices(catalog, found, event)
        event_id: str | None
        if event:
            resolved = self._find("event", event, f"driver {found}")
            if isinstance(resolved, Reply):
                return resolved
            event_id = resolved
        else:
            event_id = queries.default_weekend_event(catalog, found, now)
        weekend = queries.driver_weekend(catalog, found, event_id, now) if event_id else None
        if event and weekend is None:
            event_name = catalog.events[event_id or ""].name
            message = f"{catalog.drivers[found].name} is not entered in {event_name}."
            return problem(ReplyStatus.NOT_FOUND, message)
        championship = None
        if weekend is not None:
            # A chosen weekend shows the championship as it stood after it, once it is over.
            last = last_to_finish(catalog, weekend.event) if event else None
            through = last.id if last is not None and finished_at(last) <= now else None
            championship = self._championship_text(found, weekend.event.series_id, through)
        return views.driver_reply(catalog, catalog.drivers[found], weekend, championship)

    async def track(self, name: str) -> Reply:
        found = self._find("track", name, "track")
        if isinstance(found, Reply):
            return found
        return views.track_reply(
            self.catalog, self.catalog.tracks[found], queries.events_at_track(self.catalog, found)
        )

    async def recap(self, what: str, event: str | None = None) -> Reply:
        """A press recap of a driver's weekend or of an event (bot.core.recap)."""
        return recap_reply(self.catalog, self._clock.now(), what, event)

    # -- helpers ---------------------------------------------------------------------------

    def _championship_text(
        self, driver_id: str, series_id: str, through: str | None = None
    ) -> str | None:
        """The driver's place now, or after the session `through` when it is given."""
        now = None if through else self._clock.now()
        total = driver_total(self.catalog, series_id, driver_id, until=now, through=through)
        table = standings(self.catalog, series_id, TableKind.DRIVERS, until=now, through=through)
        return views.championship_text(total, table)

    def _zone(self, zone: str | None) -> str | Reply:
        if zone is None:
            return self.default_zone
        found, suggestions = find_zone(zone)
        if found:
            return found
        hint = (
            f" Did you mean {', '.join(suggestions)}?"
            if suggestions
            else " Use an IANA name such as Europe/Stockholm."
        )
        return problem(ReplyStatus.INVALID, f"Unknown time zone “{zone}”.{hint}")

    def _find(self, kind: str, query: str, command: str) -> lookup.LookupResult:
        catalog = self.catalog
        # An exact id always wins (`lookup.lookup`), and choice buttons send ids: answer those
        # without building and scanning the candidate list (4,000 sessions on a big catalog).
        ids: Mapping[str, object] = {
            "series": catalog.series,
            "event": catalog.events,
            "session": catalog.sessions,
            "driver": catalog.drivers,
            "track": catalog.tracks,
        }[kind]
        if (exact := query.strip()) in ids:
            return exact
        candidates = {
            "series": lookup.series_candidates,
            "event": lookup.event_candidates,
            "session": lookup.session_candidates,
            "driver": lookup.driver_candidates,
            "track": lookup.track_candidates,
        }[kind](catalog)
        return lookup.lookup(query, candidates, what=kind, command=lambda cid: f"/{command} {cid}")

    def find_series_or_driver(self, query: str, command: str = "next") -> tuple[str, str] | Reply:
        """("series", id) or ("driver", id) for what `query` names, else a reply that asks."""
        as_series = self._find("series", query, command)
        if isinstance(as_series, str):
            return ("series", as_series)
        as_driver = self._find("driver", query, command)
        if isinstance(as_driver, str):
            return ("driver", as_driver)
        # Neither fits: offer both kinds of suggestion at once.
        choices = (*as_series.choices, *as_driver.choices)
        if as_driver.status is ReplyStatus.AMBIGUOUS:
            return as_driver
        if as_series.status is ReplyStatus.AMBIGUOUS:
            return as_series
        return problem(ReplyStatus.NOT_FOUND, f"No series or driver called “{query}”.", choices)


def unknown_command(name: str) -> Reply:
    close = difflib.get_close_matches(name, command_names(), n=3, cutoff=0.5)
    hint = (
        f" Did you mean {', '.join('/' + c for c in close)}?"
        if close
        else " Send /help for the list."
    )
    return problem(
        ReplyStatus.INVALID,
        f"Unknown command /{name}.{hint}",
        [Choice(f"/{c}", f"/{c}") for c in close],
    )
