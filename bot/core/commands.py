"""The one command table. The CLI, the terminal, Telegram and Discord all bind to it.

A command is defined here once: its name, its arguments and its help. Front-ends build their
menus, slash commands and argument parsers from this table, so adding a command here makes it
appear everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class ArgKind(StrEnum):
    SERIES = "series"
    EVENT = "event"
    SESSION = "session"
    DRIVER = "driver"
    TRACK = "track"
    SERIES_OR_DRIVER = "series-or-driver"
    TABLE = "table"  # drivers | teams | classes
    COMMAND = "command"
    TEXT = "text"


@dataclass(frozen=True)
class Argument:
    name: str
    kind: ArgKind
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    arguments: tuple[Argument, ...] = ()
    example: str = ""
    admin_only: bool = False
    # "query": answered from the catalog (CLI too); "chat": a chat's own settings;
    # "admin": for the bot's admins only; "feed": the calendar feeds' links.
    scope: str = "query"

    @property
    def usage(self) -> str:
        parts = [f"/{self.name}"]
        for arg in self.arguments:
            label = arg.name.upper() if not arg.choices else "|".join(arg.choices)
            parts.append(label if arg.required else f"[{label}]")
        return " ".join(parts)


TABLES = ("drivers", "teams", "classes")
# "series/event", as buttons send it: the only form a trailing event argument is taken in.
EVENT_ID = re.compile(r"[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*")

COMMANDS: tuple[Command, ...] = (
    Command("start", "Welcome: what Pitboard does and how to begin", example="/start"),
    Command(
        "help",
        "List the commands, or explain one",
        (Argument("command", ArgKind.COMMAND, "a command name, e.g. standings"),),
        example="/help standings",
    ),
    Command(
        "next",
        "The next sessions, with a countdown",
        (Argument("filter", ArgKind.SERIES_OR_DRIVER, "a series or a driver to follow"),),
        example="/next 24h-series-2022",
    ),
    Command(
        "schedule",
        "An event's timetable in your time zone",
        (Argument("event", ArgKind.EVENT, "an event, e.g. hockenheim", required=True),),
        example="/schedule 24h-series-2022/hockenheim",
    ),
    Command(
        "watch",
        "Where to watch: streams and live timing",
        (Argument("event", ArgKind.EVENT, "an event (default: the next one)"),),
        example="/watch hockenheim",
    ),
    Command(
        "standings",
        "Championship standings: drivers, teams or classes",
        (
            Argument("series", ArgKind.SERIES, "a series, e.g. tcr-germany-2022", required=True),
            Argument("table", ArgKind.TABLE, "which table", choices=TABLES),
        ),
        example="/standings tcr-germany-2022",
    ),
    Command(
        "chart",
        "The championship as a chart: points round by round",
        (Argument("series", ArgKind.SERIES, "a series, e.g. tcr-germany-2022", required=True),),
        example="/chart tcr-germany-2022",
    ),
    Command(
        "results",
        "A session's results",
        (
            Argument(
                "session", ArgKind.SESSION, "a session, e.g. oschersleben race 1", required=True
            ),
        ),
        example="/results tcr-germany-2022/oschersleben/race-1",
    ),
    Command(
        "driver",
        "A driver's profile and weekend results",
        (
            Argument("name", ArgKind.DRIVER, "a driver's name, accents optional", required=True),
            Argument(
                "event", ArgKind.EVENT, "which weekend, e.g. oschersleben (default: the latest)"
            ),
        ),
        example="/driver jessica oschersleben",
    ),
    Command(
        "recap",
        "A press recap: a driver's weekend, or a whole event, ready to paste",
        (
            Argument(
                "what",
                ArgKind.SERIES_OR_DRIVER,
                "a driver, or a series and an event, e.g. jessica",
                required=True,
            ),
            Argument("event", ArgKind.EVENT, "which event (default: the latest with results)"),
        ),
        example="/recap jessica oschersleben",
    ),
    Command(
        "track",
        "Track facts: location, length, corners, lap records",
        (Argument("name", ArgKind.TRACK, "a track, e.g. hockenheim", required=True),),
        example="/track hockenheimring",
    ),
    Command(
        "subscribe",
        "Follow a series or a driver: reminders, starts and results in this chat",
        (
            Argument(
                "what",
                ArgKind.SERIES_OR_DRIVER,
                "a series or a driver, then races, qualifying or practice to get only those",
            ),
        ),
        example="/subscribe tcr-germany-2022 races",
        scope="chat",
    ),
    Command(
        "unsubscribe",
        "Stop following a series or a driver (or everything)",
        (Argument("what", ArgKind.SERIES_OR_DRIVER, "a series, a driver, or 'all'"),),
        example="/unsubscribe all",
        scope="chat",
    ),
    Command(
        "settings",
        "This chat's time zone, reminder times, spoiler-safe results and language",
        (
            Argument("setting", ArgKind.TEXT, "zone, reminders, spoilers, chart or language"),
            Argument("value", ArgKind.TEXT, "the new value"),
        ),
        example="/settings zone new york",
        scope="chat",
    ),
    Command(
        "calendar",
        "Calendar feeds to subscribe to: this chat's, or a series' or a driver's",
        (Argument("what", ArgKind.SERIES_OR_DRIVER, "a series or a driver (default: this chat)"),),
        example="/calendar tcr-germany-2022",
        # Its own scope: it reads what the chat follows (any member may ask), and answers
        # only where the web server runs (bot.feeds.links).
        scope="feed",
    ),
    Command(
        "status",
        "Admins: subscribers, next announcements, delivery errors",
        example="/status",
        admin_only=True,
        scope="admin",
    ),
    Command(
        "reload",
        "Admins: re-read the schedules and report problems or changes",
        example="/reload",
        admin_only=True,
        scope="admin",
    ),
    Command(
        "announce",
        "Admins: post a message to every channel and subscriber",
        (Argument("text", ArgKind.TEXT, "the message", required=True),),
        example="/announce Race 2 is delayed by 30 minutes",
        admin_only=True,
        scope="admin",
    ),
    Command(
        "edit",
        "Admins: change the schedules (times, cancellations, results, standings)",
        (
            Argument(
                "what",
                ArgKind.TEXT,
                "time, cancel, reinstate, postpone, add-event, add-session, results, "
                "results-replace or standings, then what it needs",
            ),
        ),
        example="/edit time oschersleben race 1 2022-04-23 10:30",
        admin_only=True,
        scope="admin",
    ),
    Command(
        "audit",
        "Admins: the last edits, who made them and when",
        (Argument("count", ArgKind.TEXT, "how many to show (default 10)"),),
        example="/audit 20",
        admin_only=True,
        scope="admin",
    ),
    Command(
        "undo",
        "Admins: undo an edit by its number (see /audit)",
        (Argument("edit", ArgKind.TEXT, "the edit's number", required=True),),
        example="/undo 3",
        admin_only=True,
        scope="admin",
    ),
)

_BY_NAME = {command.name: command for command in COMMANDS}


def find_command(name: str) -> Command | None:
    return _BY_NAME.get(name.lstrip("/").split("@", 1)[0].casefold())


def command_names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


@dataclass(frozen=True)
class Invocation:
    command: Command
    arguments: dict[str, str]


def split_command_line(line: str) -> tuple[str, str]:
    """'/standings@PitboardBot tcr-germany-2022' -> ('standings', 'tcr-germany-2022')."""
    head, _, rest = line.strip().partition(" ")
    name = head.lstrip("/").split("@", 1)[0].casefold()
    return name, rest.strip()


def parse_arguments(command: Command, text: str) -> dict[str, str]:
    """Chat-style arguments: the first argument takes the words that the others do not claim.

    Optional trailing arguments are recognised by their form, so names may have spaces:
    a table name ("/standings tcr germany teams") or a full event id ("/driver jessica
    tcr-germany-2022/oschersleben"), as the choice buttons send it.
    """
    values: dict[str, str] = {}
    if not command.arguments:
        return values
    if command.name == "settings":
        # "/settings zone new york": the first word names the setting, the rest is its value.
        setting, _, value = text.strip().partition(" ")
        if setting:
            values["setting"] = setting.casefold()
        if value.strip():
            values["value"] = value.strip()
        return values
    if command.arguments[0].kind is ArgKind.TEXT:
        return {command.arguments[0].name: text.strip()} if text.strip() else {}
    words = text.split()
    first, *rest = command.arguments
    for arg in reversed(rest):
        if not words:
            break
        last = words[-1]
        if (arg.choices and last.casefold() in arg.choices) or (
            arg.kind is ArgKind.EVENT and EVENT_ID.fullmatch(last)
        ):
            values[arg.name] = words.pop().casefold() if arg.choices else words.pop()
    if words:
        values[first.name] = " ".join(words)
    return values
