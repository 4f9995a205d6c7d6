"""The `pitboard` command line: the command table's queries, `check`, and `run`.

pitboard standings tcr-germany-2022
pitboard chart tcr-germany-2022 -o chart.png
pitboard --at 2022-05-12T09:00+02:00 --tz America/New_York next --series 24h-series-2022
pitboard recap jessica oschersleben   # a press recap, plain text to paste
pitboard check schedules/
pitboard check --sources         # every fact with its source; the ones without are reported
pitboard calendar tcr-germany-2022 -o tcr.ics   # a feed, as the web server serves it
pitboard run            # the terminal front-end (or the chat bots when tokens are set)
pitboard init mybot     # a starter config.toml and schedules/ for a new operator
pitboard import results tcr-germany-2022/oschersleben/race-1 race-1.csv --dry-run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import __version__
from bot.bundled import default_schedules, example_config
from bot.cli_chart import add_chart_parser, chart_command
from bot.cli_edit import EDIT_COMMANDS, add_edit_parsers, edit_command
from bot.cli_import import add_import_parser, import_command
from bot.cli_json import reply_data
from bot.cli_sources import SOURCES_HELP, checked_catalog, run_check_sources
from bot.config import Config, ConfigError, database_url_problem, load_config
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock, FixedClock, SystemClock, require_aware
from bot.core.formatting import count
from bot.core.reply import Reply
from bot.core.schedules import ScheduleError, load_catalog
from bot.core.service import Service
from bot.frontends.console.render import render
from bot.frontends.console.repl import should_use_colour
from bot.logformat import LEVELS, formatter_for
from bot.logsafe import configure_logging
from bot.pipes import quiet_on_broken_pipe


def log_options() -> argparse.ArgumentParser:
    """--log-level and --log-format, accepted before the command and after the commands that
    log (`pitboard --log-format json run` and `pitboard run --log-format json` alike)."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--log-level",
        choices=sorted(LEVELS, key=LEVELS.__getitem__),
        default=argparse.SUPPRESS,
        help="least severe log level written (default: the config's logging.level, info)",
    )
    options.add_argument(
        "--log-format",
        choices=["text", "json"],
        default=argparse.SUPPRESS,
        help="log lines as text, or one JSON object per line for log collectors "
        "(default: the config's logging.format, text)",
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    logging_options = log_options()
    parser = argparse.ArgumentParser(
        prog="pitboard",
        description="Race updates for touring-car and endurance fans.",
        parents=[logging_options],
    )
    parser.add_argument(
        "--config",
        type=Path,
        help="config file (default: ./config.toml if present, else every setting at its default)",
    )
    parser.add_argument(
        "--schedules",
        type=Path,
        help="schedules folder (default: the config file's; with none, ./schedules if present, "
        "else the bundled season)",
    )
    parser.add_argument("--tz", help="show times in this zone, e.g. Europe/Stockholm or 'new york'")
    parser.add_argument(
        "--at", type=parse_instant, help="pretend it is then, e.g. 2022-05-12T09:00+02:00"
    )
    parser.add_argument("--json", action="store_true", help="print replies as JSON")
    parser.add_argument("--version", action="version", version=f"pitboard {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check", help="validate the schedule files", parents=[logging_options]
    )
    check.add_argument(
        "directory", nargs="?", type=Path, help="folder to check (default: the schedules folder)"
    )
    check.add_argument("--sources", action="store_true", help=SOURCES_HELP)

    nxt = commands.add_parser("next", help="the next sessions")
    nxt.add_argument("--series", help="only this series")
    nxt.add_argument("--driver", help="only sessions this driver is entered in")

    schedule = commands.add_parser("schedule", help="an event's timetable")
    schedule.add_argument("event", nargs="+")

    watch = commands.add_parser("watch", help="streams and live timing")
    watch.add_argument("event", nargs="*")

    table = commands.add_parser("standings", help="championship standings")
    table.add_argument("series", nargs="+")
    which = table.add_mutually_exclusive_group()
    which.add_argument(
        "--teams", dest="table", action="store_const", const="teams", default="drivers"
    )
    which.add_argument("--classes", dest="table", action="store_const", const="classes")

    add_chart_parser(commands)

    results = commands.add_parser("results", help="a session's results")
    results.add_argument("session", nargs="+")

    driver = commands.add_parser("driver", help="a driver's profile and weekend")
    driver.add_argument("name", nargs="+")
    driver.add_argument("--event", help="which weekend (default: the latest)")

    recap = commands.add_parser("recap", help="a press recap: a driver's weekend, or a whole event")
    recap.add_argument("what", nargs="+", metavar="DRIVER|SERIES [EVENT]")
    recap.add_argument("--event", help="which event (default: the latest with results)")

    track = commands.add_parser("track", help="track facts")
    track.add_argument("name", nargs="+")

    calendar = commands.add_parser(
        "calendar", help="a series' or a driver's calendar feed (ICS), as the web server serves it"
    )
    calendar.add_argument("what", nargs="+", metavar="SERIES|DRIVER")
    calendar.add_argument(
        "-o", "--output", type=Path, help="write it to this file (default: standard output)"
    )

    db = commands.add_parser(
        "db",
        help="the database: `pitboard db upgrade` applies migrations",
        parents=[logging_options],
    )
    db.add_argument("action", choices=["upgrade"])
    db.add_argument("--database", type=Path, help="database file (default: from the config)")

    run = commands.add_parser(
        "run",
        help="run the bot (the terminal front-end when no token is set)",
        parents=[logging_options],
    )
    run.add_argument("--speed", type=float, default=1.0, help="clock speed with --at, e.g. 3600")
    run.add_argument(
        "--database",
        type=database_option,
        help="database file, or a postgresql:// URL without its password (default: the"
        " config's; a replay with --at uses a throwaway SQLite file)",
    )
    run.add_argument("--at", dest="run_at", type=parse_moment, help="replay from this moment")
    run.add_argument(
        "--until", type=parse_moment, help="stop when the clock shows this (a date means midnight)"
    )
    run.add_argument(
        "--new-database",
        action="store_true",
        help="start with an empty database although the old one held chats and is gone",
    )

    add_import_parser(commands)
    add_edit_parsers(commands)

    init = commands.add_parser(
        "init", help="write a starter config.toml and schedules/ into a folder (never overwrites)"
    )
    init.add_argument("directory", type=Path, help="the folder (created if missing)")
    return parser


def parse_instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"not an ISO time: {text!r} (e.g. 2022-05-12T09:00+02:00)"
        ) from error
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no UTC offset (e.g. 2022-05-12T09:00+02:00)"
        )
    return require_aware(moment)


def parse_moment(text: str) -> datetime:
    """An ISO time, with or without an offset, or a date (midnight). Without an offset it is
    read in the configured time zone later (see `_in_zone`)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        message = f"not an ISO time or date: {text!r} (e.g. 2022-05-16 or 2022-05-12T09:00+02:00)"
        raise argparse.ArgumentTypeError(message) from error


def _in_zone(moment: datetime | None, zone: str) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=ZoneInfo(zone))


@quiet_on_broken_pipe
def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "init":
        from bot.init_project import run_init

        return run_init(args.directory)
    chosen_config = args.config or _default_config_path()
    try:
        config = load_config(chosen_config or example_config(), os.environ)
    except ConfigError as error:
        print(f"pitboard: {error}", file=sys.stderr)
        return 2
    config = with_log_options(config, args)
    if args.command != "run" and _log_options_given(args):
        # `run` sets up its own log (bot.app); the others log only when asked to.
        configure_logging(
            config.secrets,
            LEVELS[config.logging.level],
            formatter=formatter_for(config.logging.format),
        )
    schedules = args.schedules or default_schedules(
        Path(config.general.schedules), from_operator_config=chosen_config is not None
    )
    if args.command == "check":
        if args.sources:
            return run_check_sources(args.directory or schedules)
        return run_check(args.directory or schedules)
    if args.command == "db":
        return run_db_upgrade(args.database or Path(config.general.database))
    if args.command == "import":
        return import_command(args, config, schedules)
    if args.command in EDIT_COMMANDS:
        return edit_command(args, config, schedules)
    if args.command == "run":
        from bot.app import RunOptions, run_app

        zone = config.general.timezone
        options = RunOptions(
            schedules,
            start=_in_zone(args.run_at or args.at, zone),
            speed=args.speed,
            until=_in_zone(args.until, zone),
            zone=args.tz,
            database=args.database if isinstance(args.database, Path) else None,
            database_url=args.database if isinstance(args.database, str) else None,
            new_database=args.new_database,
        )
        return run_app(config, options)
    try:
        catalog = load_catalog(schedules)
    except ScheduleError as error:
        print(f"pitboard: the schedules in {schedules} have problems:\n{error}", file=sys.stderr)
        return 2
    clock: Clock = FixedClock(args.at) if args.at else SystemClock()
    service = Service(CatalogHolder(catalog), clock, default_zone=config.general.timezone)
    if args.command == "calendar":
        return write_calendar(service, " ".join(args.what), args.output, clock.now())
    reply = asyncio.run(answer(service, args))
    if args.json:
        found = reply_data(reply, args, catalog, service.default_zone, clock.now())
        print(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        print(render(reply, colour=should_use_colour(sys.stdout)))
    return 0 if reply.ok else 1


async def answer(service: Service, args: argparse.Namespace) -> Reply:
    zone = args.tz
    match args.command:
        case "next":
            return await service.next(series=args.series, driver=args.driver, zone=zone)
        case "schedule":
            return await service.schedule(" ".join(args.event), zone=zone)
        case "watch":
            return await service.watch(" ".join(args.event) or None, zone=zone)
        case "standings":
            return await service.standings(" ".join(args.series), args.table)
        case "results":
            return await service.results(" ".join(args.session), zone=zone)
        case "driver":
            return await service.driver(" ".join(args.name), args.event, zone=zone)
        case "track":
            return await service.track(" ".join(args.name))
        case "recap":
            return await service.recap(" ".join(args.what), args.event)
        case "chart":
            return await chart_command(service, args)
    raise AssertionError(f"no handler for {args.command}")


def write_calendar(service: Service, what: str, output: Path | None, now: datetime) -> int:
    from bot.feeds.named import named_feed

    feed = named_feed(service, what, now)
    if isinstance(feed, Reply):
        print(render(feed, colour=False), file=sys.stderr)
        return 1
    if output is None:
        sys.stdout.buffer.write(feed.body)
        sys.stdout.flush()
        return 0
    try:
        output.write_bytes(feed.body)
    except OSError as error:
        print(f"pitboard: cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"{output}: {feed.name}, {count(feed.sessions, 'session')}")
    return 0


def run_check(directory: Path) -> int:
    catalog = checked_catalog(directory)
    if catalog is None:
        return 1
    print(
        f"ok: {count(len(catalog.series), 'series', 'series')}, "
        f"{count(len(catalog.events), 'event')}, {count(len(catalog.sessions), 'session')}, "
        f"{count(len(catalog.drivers), 'driver')} in {directory}"
    )
    return 0


def database_option(text: str) -> Path | str:
    """`--database`: a SQLite file, or a PostgreSQL URL. A command line is visible to every
    user of the machine (ps), so a URL holding a password is refused here."""
    if not text.startswith(("postgresql:", "postgres:")):
        return Path(text)
    if database_url_problem(text) is not None:
        raise argparse.ArgumentTypeError(
            "not a valid postgresql:// URL, or one holding a password (give the password in"
            " PGPASSWORD, or the whole URL in DATABASE_URL)"
        )
    return text


def run_db_upgrade(database: Path) -> int:
    from bot.store.protocol import StoreError
    from bot.store.sqlite import upgrade_database

    try:
        before, after = asyncio.run(upgrade_database(database))
    except (StoreError, FileNotFoundError) as error:
        print(f"pitboard: {error}", file=sys.stderr)
        return 2
    if before == after:
        print(f"{database}: schema version {after}, up to date")
    else:
        print(f"{database}: schema upgraded from version {before} to {after}")
    return 0


def with_log_options(config: Config, args: argparse.Namespace) -> Config:
    """The config with --log-level and --log-format, where given, in place of its own."""
    chosen = {
        key: getattr(args, option)
        for key, option in (("level", "log_level"), ("format", "log_format"))
        if hasattr(args, option)
    }
    return replace(config, logging=replace(config.logging, **chosen)) if chosen else config


def _log_options_given(args: argparse.Namespace) -> bool:
    return hasattr(args, "log_level") or hasattr(args, "log_format")


def _default_config_path() -> Path | None:
    path = Path("config.toml")
    return path if path.exists() else None
