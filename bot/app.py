"""Running Pitboard as a process: `pitboard run`.

The process around the runtime (`bot.runtime`): logging with secrets scrubbed, the catalog
and the database, signals, the terminal prompt, and `--until`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import signal
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.chats import Caller, Router
from bot.config import Config
from bot.core.audience import Chat, ChatKind, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock, ScaledClock, SystemClock
from bot.core.reply import Reply
from bot.core.schedules import ScheduleError, load_catalog
from bot.core.zones import find_zone
from bot.frontend_startup import TokenRejected
from bot.frontends.console.repl import ConsoleWriter, run_console, should_use_colour
from bot.frontends.console.sender import CONSOLE_CHAT
from bot.frontends.console.spoilers import spoiler_safe_dispatch
from bot.logformat import LEVELS, formatter_for
from bot.logsafe import RedactSecrets, configure_logging
from bot.runtime import Runtime, lease_for
from bot.store.postgres import PostgresStore
from bot.store.protocol import Store, StoreError
from bot.store.sqlite import SQLiteStore
from bot.store.sqlite_files import remember_database

log = logging.getLogger("pitboard")

# A replay faster than this passes several due moments inside one real millisecond.
MAX_SPEED = 10_000_000.0

BANNER = (
    "Pitboard — race updates for TCR, the 24H Series and STCC.\n"
    "Type /help for the commands, /next for what's coming, exit to leave."
)


@dataclass(frozen=True)
class RunOptions:
    schedules: Path
    start: datetime | None = None  # replay from this instant (a fresh, throwaway database)
    speed: float = 1.0
    until: datetime | None = None
    zone: str | None = None
    database: Path | None = None  # kept even in a replay (restart tests resume from it)
    database_url: str | None = None  # --database postgresql://...: as database, on PostgreSQL
    new_database: bool = False  # start empty although the database's marker says it held chats


class StartupError(Exception):
    """Something the operator must fix before the bot can run: one line, exit 2."""


def startup_problems(config: Config, options: RunOptions) -> list[str]:
    """What makes this run impossible before anything starts, one line each."""
    problems = config.missing_tokens()
    if not (math.isfinite(options.speed) and 0 < options.speed <= MAX_SPEED):
        problems.append(f"--speed must be a number above 0 and at most {MAX_SPEED:g}")
    elif options.speed != 1.0 and options.start is None:
        problems.append("--speed needs --at (a replay); a live bot runs at real time")
    if options.start is not None and options.until is not None and options.until <= options.start:
        problems.append(
            f"--until ({options.until.isoformat()}) must be after --at "
            f"({options.start.isoformat()})"
        )
    return problems


def run_app(config: Config, options: RunOptions) -> int:
    secrets = config.secrets  # the tokens, the webhook secret, the database password
    scrub = RedactSecrets(secrets).scrub
    # Checked before logging is set up: a start refused here leaves nothing behind (no log
    # file, no database folder).
    if problems := startup_problems(config, options):
        for problem in problems:
            print(scrub(f"pitboard: {problem}"), file=sys.stderr)
        return 2
    level = LEVELS[config.logging.level]
    formatter = formatter_for(config.logging.format)
    if uses_console(config):
        # The terminal is the chat window: only warnings on screen, the rest in a file.
        log_file = console_log_file(config, options)
        on_screen = max(level, logging.WARNING)
        try:
            configure_logging(
                secrets, level, stream_level=on_screen, log_file=log_file, formatter=formatter
            )
        except OSError:
            # The database's folder is unusable: opening the store says so in one line.
            configure_logging(secrets, level, stream_level=on_screen, formatter=formatter)
    else:
        configure_logging(secrets, level, formatter=formatter)
    try:
        catalog = load_catalog(options.schedules)
    except ScheduleError as error:
        print(
            f"pitboard: the schedules in {options.schedules} have problems:\n{error}",
            file=sys.stderr,
        )
        return 2
    chat_zone = config.general.timezone
    if options.zone:
        found, suggestions = find_zone(options.zone)
        if found is None:
            hint = f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""
            print(f"pitboard: unknown time zone {options.zone!r}{hint}", file=sys.stderr)
            return 2
        chat_zone = found
    for platform, active in (
        ("Telegram", config.telegram_active),
        ("Discord", config.discord_active),
    ):
        log.info("%s: %s", platform, "on" if active else "off (no token in the environment)")
    # A replay's clock is started by the runtime once the bot is ready (see bot.runtime).
    clock: Clock = (
        ScaledClock(options.start, options.speed, started=False) if options.start else SystemClock()
    )
    try:
        return asyncio.run(_run(config, options, CatalogHolder(catalog), clock, chat_zone))
    except KeyboardInterrupt:
        return 0
    except (StartupError, TokenRejected, StoreError) as error:
        print(scrub(f"pitboard: {error}"), file=sys.stderr)
        return 2
    except sqlite3.Error as error:  # migrating a database SQLite opened but cannot use
        print(f"pitboard: cannot use the database: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise  # the reader went away (`| head`): bot.pipes ends quietly, it is no error
    except Exception:
        # The traceback goes through the log's token filter, never straight to stderr: a
        # library's exception may quote a token (python-telegram-bot's InvalidToken does).
        log.critical("pitboard stopped on an unexpected error", exc_info=True)
        return 1


def uses_console(config: Config) -> bool:
    """With no chat platform configured, the terminal is the front-end (and a chat of its own)."""
    return not (config.telegram_active or config.discord_active)


def console_log_file(config: Config, options: RunOptions) -> Path:
    """Beside the database (a replay's throwaway one excepted, whose log should outlive it)."""
    database = options.database or Path(config.general.database)
    return database.parent / "pitboard.log"


async def _run(
    config: Config, options: RunOptions, catalogs: CatalogHolder, clock: Clock, chat_zone: str
) -> int:
    # A replay keeps to a throwaway SQLite file unless a database is named for it.
    url = options.database_url
    if url is None and options.database is None and options.start is None:
        url = config.database_url or None
    if url is not None:
        return await _run_on_postgres(config, options, catalogs, clock, chat_zone, url)
    with contextlib.ExitStack() as stack:
        database = options.database or config.general.database
        if options.start is not None and options.database is None:
            # A replay must be repeatable: its announcements go to a throwaway database, not
            # into the real outbox where their keys would mark them as already sent.
            database = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "replay.sqlite3"
        # Opening creates the folder (0700) and the file (0600), refuses a database that
        # vanished while it held chats, and names a corrupt or unwritable one (StoreError).
        store = SQLiteStore(database, new_database=options.new_database)
        await store.open()
        try:
            await store.migrate()
            await _remember(store, database)
            try:
                return await _serve(config, options, catalogs, clock, chat_zone, store)
            finally:
                await _remember(store, database)
        finally:
            await store.close()


async def _run_on_postgres(
    config: Config,
    options: RunOptions,
    catalogs: CatalogHolder,
    clock: Clock,
    chat_zone: str,
    url: str,
) -> int:
    """database.url (or DATABASE_URL, or --database) names a PostgreSQL database: serve from
    it. There is no marker file to keep: the server keeps the tables."""
    # Opening names an unreachable server or a refused login (StoreError), never the password.
    store = PostgresStore(
        url, process_name=config.database.process_name or None, lease=lease_for(clock)
    )
    await store.open()
    try:
        return await _serve(config, options, catalogs, clock, chat_zone, store)
    finally:
        await store.close()


async def _remember(store: SQLiteStore, database: Path) -> None:
    """Keep the "this database held chats" marker next to the file in step (sqlite_files)."""
    with contextlib.suppress(StoreError):
        holds_chats = await store.count_chats(active_only=False) > 0
        await asyncio.to_thread(remember_database, database, holds_chats)


async def _serve(
    config: Config,
    options: RunOptions,
    catalogs: CatalogHolder,
    clock: Clock,
    chat_zone: str,
    store: Store,
) -> int:
    use_console = uses_console(config)
    writer = ConsoleWriter(sys.stdout, colour=should_use_colour(sys.stdout))
    # Charts asked for at the prompt go beside the log, where the operator already looks.
    writer.files_directory = console_log_file(config, options).parent / "charts"
    if use_console:
        await _prepare_console_chat(store, catalogs, chat_zone, options.zone is not None, config)
    runtime = Runtime.build(
        config,
        schedules=options.schedules,
        catalogs=catalogs,
        clock=clock,
        store=store,
        chat_zone=chat_zone,
        console=writer if use_console else None,
    )
    # Commands piped into a replay are answered at its start: its clock starts when the input
    # ends (in a terminal, or with a chat platform, as soon as the bot is ready).
    piped_replay = use_console and options.start is not None and not sys.stdin.isatty()
    runtime.replay_until = options.until
    try:
        # Inside the try: a start refused halfway (a rejected token) still stops what began.
        await runtime.start(start_clock=not piped_replay)
        banner = f"{BANNER}\nLog: {console_log_file(config, options)}"
        return await _until_done(
            runtime.router,
            writer,
            clock,
            options,
            use_console,
            banner,
            on_input_end=runtime.start_clock if piped_replay else None,
        )
    finally:
        await runtime.stop()


async def _until_done(
    router: Router,
    writer: ConsoleWriter,
    clock: Clock,
    options: RunOptions,
    use_console: bool,
    banner: str = BANNER,
    on_input_end: Callable[[], None] | None = None,
) -> int:
    """Serve until the console ends, `--until` is reached, or SIGINT/SIGTERM arrives."""
    waits: set[asyncio.Task[Any]] = set()
    console: asyncio.Task[int] | None = None
    if use_console:
        # The operator at the terminal is this bot's admin.
        caller = Caller(CONSOLE_CHAT, ChatKind.PRIVATE, user_id="operator", is_admin=True)

        async def answer(line: str) -> Reply:
            return await router.handle(line, caller)

        async def spoiler_safe() -> bool:
            return (await router.settings.chat(CONSOLE_CHAT, ChatKind.PRIVATE)).spoiler_safe

        dispatch = spoiler_safe_dispatch(answer, writer.spoilers, spoiler_safe)

        console = asyncio.create_task(
            run_console(
                dispatch,
                stdin=sys.stdin,
                writer=writer,
                interactive=sys.stdin.isatty(),
                banner=banner,
                catch_interrupt=False,
            )
        )
        if on_input_end is not None:
            console.add_done_callback(lambda task: None if task.cancelled() else on_input_end())
    if options.until is not None:
        # With --until the clock decides when to stop; input ending early does not.
        waits.add(asyncio.create_task(_wait_until(clock, options.until)))
    elif console is not None:
        waits.add(console)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    waits.add(asyncio.create_task(stop.wait()))
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waits:
            task.cancel()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
    if console is not None and console.done() and not console.cancelled():
        return console.result()
    if console is not None:
        console.cancel()
    return 0


async def _prepare_console_chat(
    store: Store, catalogs: CatalogHolder, zone: str, zone_given: bool, config: Config
) -> None:
    """The terminal is a chat. On first run it follows every series in the configured zone;
    later runs keep what the operator set with /subscribe and /settings (unless --tz)."""
    chat = await store.get_chat(CONSOLE_CHAT)
    if chat is None:
        reminders = tuple(config.announcements.reminder_minutes)
        chat = Chat(CONSOLE_CHAT, kind=ChatKind.PRIVATE, zone=zone, reminder_minutes=reminders)
        await store.upsert_chat(chat)
        await store.set_subscription(
            Subscription(CONSOLE_CHAT, series=frozenset(catalogs.current.series))
        )
    elif zone_given and chat.zone != zone:
        await store.upsert_chat(replace(chat, zone=zone))


async def _wait_until(clock: Clock, until: datetime) -> None:
    # Polling, not an Event: nothing signals the clock reaching a moment, and a re-check
    # every half second keeps a replay's end exact even if the clock is swapped or slowed.
    while (remaining := clock.real_seconds_until(until)) > 0:  # noqa: ASYNC110
        await asyncio.sleep(min(remaining, 0.5))
