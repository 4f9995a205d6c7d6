"""Configuration: settings from a TOML file, secrets from the environment.

config.example.toml holds every key at its default (maubot's habit); the dataclasses below are
the same defaults in code, and a test keeps the two equal. A key the dataclasses do not know is
an error, not something to ignore: a misspelt key that silently keeps its default is a bug
found in production. Bot tokens are read from the environment only, and a file that holds one
is refused, so that a token is never committed, copied around or printed with the settings.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import tomllib
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

TELEGRAM_TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
DISCORD_TOKEN_ENV = "DISCORD_BOT_TOKEN"
# Telegram's webhook mode: the secret_token Telegram sends with every update. Optional: without
# it, one is generated and kept in the database.
TELEGRAM_WEBHOOK_SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"
# PostgreSQL instead of the SQLite file: "postgresql://user:password@host:5432/pitboard". Wins
# over database.url; the only place a database password may be given (or libpq's PGPASSWORD).
DATABASE_URL_ENV = "DATABASE_URL"
_DATABASE_SCHEMES = ("postgresql", "postgres")


# true: the front-end must run (a missing token is an error at start); false: never;
# "auto": it runs when its token is in the environment.
Enabled = bool | Literal["auto"]


@dataclass(frozen=True)
class GeneralConfig:
    timezone: str = "Europe/Stockholm"
    language: str = "en"
    schedules: Path = Path("schedules")
    database: Path = Path("data/pitboard.sqlite3")


@dataclass(frozen=True)
class DatabaseConfig:
    # Empty: the SQLite file at general.database. A postgresql:// URL: that PostgreSQL
    # database (bot.store.postgres), for several processes; its password, if any, comes from
    # the DATABASE_URL environment variable or PGPASSWORD, never from this file.
    url: str = ""
    # How this process signs the deliveries it claims, on PostgreSQL (bot.store.leases). Empty:
    # its host and pid. Name each process (worker-1, worker-2, ...) and a restarted one takes
    # back at once what it left in flight when it died, instead of after the lease (a minute).
    process_name: str = ""


@dataclass(frozen=True)
class AnnouncementsConfig:
    preview_days: int = 2
    reminder_minutes: tuple[int, ...] = (60, 15)
    live_grace_minutes: int = 10


@dataclass(frozen=True)
class TelegramConfig:
    enabled: Enabled = "auto"
    api_base_url: str = "https://api.telegram.org"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    channels: tuple[int | str, ...] = ()  # chat ids or "@channelname"
    admins: tuple[int, ...] = ()
    global_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: float = 20.0


@dataclass(frozen=True)
class DiscordConfig:
    enabled: Enabled = "auto"
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = ""  # empty: ask Discord (GET /gateway/bot)
    sync_guild: int = 0  # 0: sync commands globally
    admins: tuple[int, ...] = ()
    global_per_second: float = 50.0


@dataclass(frozen=True)
class WebConfig:
    # Off unless asked for: a listening port is the operator's choice, and an upgrade must not
    # open one. "auto": on when a chat platform runs (a token is set), off in the terminal;
    # true: always, the terminal too.
    enabled: Enabled = False
    host: str = "127.0.0.1"  # loopback: reachable only from this machine (or its proxy)
    port: int = 8080
    public_url: str = ""  # empty: http://host:port
    # /healthz answers 503 when a delivery has waited longer than this to go out.
    max_outbox_lag_seconds: int = 300
    # The public page's "Follow" buttons; empty hides a button (the Telegram one falls back to
    # the first "@channel" in telegram.channels).
    telegram_url: str = ""
    discord_url: str = ""

    def base_url(self, port: int | None = None) -> str:
        """The address links handed out point at: `public_url`, else the listening address
        (`port` overrides the configured one: the port actually bound, when it was 0)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port if port is None else port}"


LogLevel = Literal["debug", "info", "warning", "error"]
LogFormat = Literal["text", "json"]


@dataclass(frozen=True)
class LoggingConfig:
    level: LogLevel = "info"
    format: LogFormat = "text"  # "json": one object per line, for log collectors


@dataclass(frozen=True, repr=False)
class Config:
    general: GeneralConfig = field(default_factory=GeneralConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    announcements: AnnouncementsConfig = field(default_factory=AnnouncementsConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    web: WebConfig = field(default_factory=WebConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    # From the environment only; __repr__ shows whether each is set, never its value.
    telegram_token: str | None = None
    discord_token: str | None = None
    telegram_webhook_secret: str | None = None
    database_url_from_env: str | None = None  # DATABASE_URL; may hold a password

    @property
    def database_url(self) -> str:
        """The PostgreSQL database to use, or "" for the SQLite file (general.database)."""
        return self.database_url_from_env or self.database.url

    @property
    def secrets(self) -> list[str]:
        """Everything the log must never show (bot.logsafe): the tokens, the webhook secret
        and the database password."""
        values = [self.telegram_token, self.discord_token, self.telegram_webhook_secret]
        values.append(_url_password(self.database_url))
        return [value for value in values if value]

    @property
    def telegram_active(self) -> bool:
        """Whether the Telegram front-end runs: not disabled, and given a token."""
        return self.telegram.enabled is not False and self.telegram_token is not None

    @property
    def discord_active(self) -> bool:
        return self.discord.enabled is not False and self.discord_token is not None

    @property
    def web_active(self) -> bool:
        """Whether the web server runs: `auto` means beside a chat platform, not in the
        terminal (a laptop trying the bot should not open a port nobody asked for)."""
        if self.web.enabled == "auto":
            return self.telegram_active or self.discord_active
        return self.web.enabled

    def missing_tokens(self) -> list[str]:
        """One line per front-end the config requires (`enabled = true`) without its token."""
        required = (
            ("telegram", self.telegram.enabled, self.telegram_token, TELEGRAM_TOKEN_ENV),
            ("discord", self.discord.enabled, self.discord_token, DISCORD_TOKEN_ENV),
        )
        return [
            f"{section}.enabled is true but {variable} is not set (or blank) in the "
            f'environment; set it, or set {section}.enabled = "auto" to run without it'
            for section, enabled, token, variable in required
            if enabled is True and token is None
        ]

    def __repr__(self) -> str:
        def hidden(token: str | None) -> str:
            return "None" if token is None else "'<hidden>'"

        return (
            f"Config(general={self.general!r}, database={self.database!r}, "
            f"announcements={self.announcements!r}, "
            f"telegram={self.telegram!r}, discord={self.discord!r}, "
            f"web={self.web!r}, logging={self.logging!r}, "
            f"telegram_token={hidden(self.telegram_token)}, "
            f"discord_token={hidden(self.discord_token)}, "
            f"telegram_webhook_secret={hidden(self.telegram_webhook_secret)}, "
            f"database_url_from_env={hidden(self.database_url_from_env)})"
        )


@dataclass(frozen=True)
class ConfigProblem:
    source: str  # the file as given, or "environment"
    key: str | None  # dotted key, e.g. "telegram.webhook_port"; None for the file as a whole
    message: str

    def __str__(self) -> str:
        return (
            f"{self.source}: {self.message}"
            if self.key is None
            else (f"{self.source}: {self.key}: {self.message}")
        )


class ConfigError(Exception):
    """Every problem found in one go, one "<file>: <dotted.key>: <message>" line each."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def load_config(path: Path | None, env: Mapping[str, str]) -> Config:
    """Read and validate `path` and take the tokens from `env`; ConfigError lists every problem.

    `path` None means no file: the defaults. A file named but missing is an error, not the
    defaults, so that a typo in --config cannot start a bot on settings nobody chose.
    """
    problems: list[ConfigProblem] = []
    sections: dict[str, Any] = {}
    if path is not None:
        raw = _read_toml(path, problems)
        if raw is not None:
            sections = _validate(raw, str(path), problems)
    telegram_token = _token_from(env, TELEGRAM_TOKEN_ENV, problems)
    discord_token = _token_from(env, DISCORD_TOKEN_ENV, problems)
    webhook_secret = _webhook_secret_from(env, problems)
    database_url = _database_url_from(env, problems)
    if problems:
        raise ConfigError(problems)
    return Config(
        **sections,
        telegram_token=telegram_token,
        discord_token=discord_token,
        telegram_webhook_secret=webhook_secret,
        database_url_from_env=database_url,
    )


# --- reading ----------------------------------------------------------------------------------


def _read_toml(path: Path, problems: list[ConfigProblem]) -> dict[str, Any] | None:
    source = str(path)
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        problems.append(ConfigProblem(source, None, "no such file"))
    except IsADirectoryError:
        problems.append(ConfigProblem(source, None, "is a directory, not a TOML file"))
    except PermissionError:
        problems.append(ConfigProblem(source, None, "not allowed to read it"))
    except UnicodeDecodeError as exc:
        problems.append(ConfigProblem(source, None, f"not UTF-8 text (byte {exc.start})"))
    except tomllib.TOMLDecodeError as exc:
        problems.append(ConfigProblem(source, None, _describe_toml_error(exc)))
    return None


def _describe_toml_error(exc: tomllib.TOMLDecodeError) -> str:
    match = re.fullmatch(r"(?s)(.*) \(at (line \d+, column \d+|end of document)\)", str(exc))
    if match is None:
        return f"not valid TOML: {exc}"
    return f"{match.group(2)}: not valid TOML: {match.group(1)}"


def _token_from(env: Mapping[str, str], name: str, problems: list[ConfigProblem]) -> str | None:
    token = env.get(name, "").strip()
    if not token:
        return None
    if any(char.isspace() or char in "\"'" for char in token):
        # Never echo the value: this message ends up in logs.
        problems.append(
            ConfigProblem("environment", name, "contains spaces or quotes; set the token alone")
        )
        return None
    return token


def _webhook_secret_from(env: Mapping[str, str], problems: list[ConfigProblem]) -> str | None:
    secret = env.get(TELEGRAM_WEBHOOK_SECRET_ENV, "").strip()
    if not secret:
        return None
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        # Never echo the value: this message ends up in logs.
        message = "must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)"
        problems.append(ConfigProblem("environment", TELEGRAM_WEBHOOK_SECRET_ENV, message))
        return None
    return secret


def _database_url_from(env: Mapping[str, str], problems: list[ConfigProblem]) -> str | None:
    url = env.get(DATABASE_URL_ENV, "").strip()
    if not url:
        return None
    if _check_database_url(url) is not None:
        # Never echo the value: it may hold a password, and this message ends up in logs.
        message = "expected a URL starting with postgresql:// (or postgres://)"
        problems.append(ConfigProblem("environment", DATABASE_URL_ENV, message))
        return None
    return url


def _url_password(url: str) -> str | None:
    try:
        return urlsplit(url).password or None
    except ValueError:
        return None


def _check_database_url(url: str) -> str | None:
    if url == "":
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check: "host:abc" raises here
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in _DATABASE_SCHEMES:
        return "expected a URL starting with postgresql:// (or postgres://), or empty for SQLite"
    return None


def database_url_problem(url: str) -> str | None:
    """What is wrong with a database URL given outside the environment (a file, a command
    line): not a postgresql:// URL, or one holding a password. None when it is fine."""
    return _check_database_url_in_file(url)


def _check_process_name(name: str) -> str | None:
    if re.fullmatch(r"[A-Za-z0-9_.:-]{0,64}", name):
        return None
    return "expected up to 64 of A-Z, a-z, 0-9, _ . : and -"


def _check_database_url_in_file(url: str) -> str | None:
    if _url_password(url) is not None or "password=" in url:
        # Never quote the URL: it holds the password.
        return (
            "holds a password; a file never does: give the whole URL in the "
            f"{DATABASE_URL_ENV} environment variable, or the password in PGPASSWORD"
        )
    return _check_database_url(url)


# --- validating -------------------------------------------------------------------------------


def _validate(raw: Mapping[str, Any], source: str, problems: list[ConfigProblem]) -> dict[str, Any]:
    """Section name -> built section dataclass, for every section the file gives."""
    secret_keys = set(_find_secrets(raw, source, (), problems))
    known = _section_types()
    built: dict[str, Any] = {}
    for name, table in raw.items():
        if (name,) in secret_keys:
            continue
        if name not in known:
            problems.append(ConfigProblem(source, name, _unknown(name, (), known)))
        elif not isinstance(table, dict):
            problems.append(
                ConfigProblem(source, name, f"expected a table ([{name}]), got {_kind(table)}")
            )
        else:
            values = _section_values(name, table, known[name], source, secret_keys, problems)
            built[name] = known[name](**values)
    if "telegram" in built:
        _check_webhook(built["telegram"], source, problems)
    if "web" in built:
        _check_web_port(built["web"], built.get("telegram", TelegramConfig()), source, problems)
    return built


def _section_values(
    section: str,
    table: Mapping[str, Any],
    cls: type[Any],
    source: str,
    secret_keys: set[tuple[str, ...]],
    problems: list[ConfigProblem],
) -> dict[str, Any]:
    hints = _field_types(cls)
    values: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{section}.{key}"
        if (section, key) in secret_keys:
            continue
        if key not in hints:
            problems.append(ConfigProblem(source, dotted, _unknown(key, (section,), hints)))
            continue
        try:
            converted = _convert(value, hints[key], dotted)
        except _WrongType as wrong:
            problems.append(ConfigProblem(source, wrong.key, wrong.message))
            continue
        check = _CHECKS.get(dotted)
        message = check(converted) if check is not None else None
        if message is not None:
            problems.append(ConfigProblem(source, dotted, message))
            continue
        values[key] = converted
    return values


def _find_secrets(
    value: object, source: str, path: tuple[str, ...], problems: list[ConfigProblem]
) -> Iterable[tuple[str, ...]]:
    """Yield (and report) every key that holds a token, at any depth, so nothing else does."""
    if isinstance(value, list):
        for item in value:
            yield from _find_secrets(item, source, path, problems)
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        here = (*path, key)
        if "token" in key.lower() or _holds_token(item):
            message = _token_refusal(here[0])
            if "token" not in key.lower():  # never quote the value: it may be a real token
                message = f"holds something shaped like a bot token; {message}"
            problems.append(ConfigProblem(source, ".".join(here), message))
            yield here
        else:
            yield from _find_secrets(item, source, here, problems)


# A bot token's shape, found anywhere inside a value (say in an api_base_url that carries it
# as https://api.telegram.org/bot<token>/): Telegram's is "<bot id>:<35 characters>",
# Discord's three base64url parts joined by dots.
_TELEGRAM_TOKEN = re.compile(r"\d{3,}:[\w-]{20,}")
_DISCORD_TOKEN = re.compile(r"[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}")


def _holds_token(value: object) -> bool:
    """Whether a string value (or a list's string item) contains something shaped like a token."""
    if isinstance(value, list):
        return any(_holds_token(item) for item in value)
    return isinstance(value, str) and bool(
        _TELEGRAM_TOKEN.search(value) or _DISCORD_TOKEN.search(value)
    )


def _token_refusal(section: str) -> str:
    variables = {"telegram": TELEGRAM_TOKEN_ENV, "discord": DISCORD_TOKEN_ENV}
    if section in variables:
        where = f"the {variables[section]} environment variable"
    else:
        where = f"the {TELEGRAM_TOKEN_ENV} and {DISCORD_TOKEN_ENV} environment variables"
    return f"tokens are read from {where}, never from a file"


def _unknown(key: str, section: tuple[str, ...], known: Iterable[str]) -> str:
    prefix = "".join(f"{name}." for name in section)
    what = "key" if section else "section"
    nearest = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if nearest:
        return f'unknown {what}; did you mean "{prefix}{nearest[0]}"?'
    # The right key in the wrong section, e.g. [announcements] timezone = ...
    elsewhere = [
        f"{name}.{key}" for name, cls in _section_types().items() if key in _field_types(cls)
    ]
    if section and elsewhere:
        return f'unknown key; did you mean "{elsewhere[0]}"?'
    return f"unknown {what}; known: {', '.join(sorted(known))}"


class _WrongType(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def _convert(value: object, hint: object, key: str) -> object:
    """`value` as the field type `hint` wants, or _WrongType naming what was expected."""
    if get_origin(hint) is tuple:
        if not isinstance(value, list):
            raise _WrongType(key, f"expected {_expected(hint)}, got {_kind(value)}")
        item_hint = get_args(hint)[0]
        return tuple(_convert(item, item_hint, f"{key}[{i}]") for i, item in enumerate(value))
    if not _accepts(value, hint):
        got = _show(value) if isinstance(value, str) and value else _kind(value)
        raise _WrongType(key, f"expected {_expected(hint)}, got {got}")
    if hint is Path and isinstance(value, str):
        return Path(value)
    if hint is float and isinstance(value, int | float):
        return float(value)  # rate = 30 and rate = 30.0 are the same setting
    return value


def _accepts(value: object, hint: object) -> bool:
    origin = get_origin(hint)
    if origin is Literal:
        return isinstance(value, str) and value in get_args(hint)
    if origin in (Union, types.UnionType):
        return any(_accepts(value, arg) for arg in get_args(hint))
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:  # TOML's true is a boolean, not the integer 1
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is Path:
        return isinstance(value, str) and value != ""
    if hint is str:
        return isinstance(value, str)
    raise TypeError(f"no TOML conversion for field type {hint!r}")  # a new field type: add it


_SINGULAR: dict[object, str] = {
    bool: "true or false",
    int: "an integer",
    float: "a number",
    str: "a string",
    Path: "a path (a non-empty string)",
}
_PLURAL: dict[object, str] = {int: "integers", str: "strings", float: "numbers"}


def _expected(hint: object) -> str:
    origin = get_origin(hint)
    if origin is Literal:
        return "one of " + ", ".join(f'"{choice}"' for choice in get_args(hint))
    if origin is tuple:
        item_hint = get_args(hint)[0]
        item_types = get_args(item_hint) or (item_hint,)  # int | str -> (int, str)
        return "a list of " + " or ".join(_PLURAL[item] for item in item_types)
    if origin in (Union, types.UnionType):
        return " or ".join(
            " or ".join(f'"{choice}"' for choice in get_args(arg))
            if get_origin(arg) is Literal
            else _expected(arg)
            for arg in get_args(hint)
        )
    return _SINGULAR[hint]


def _show(value: str) -> str:
    """A string value quoted for a message, unless it could be a token put in the wrong place."""
    return "a string that looks like a token" if _holds_token(value) else f'"{value}"'


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    kinds = {int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a table"}
    for cls, name in kinds.items():
        if isinstance(value, cls):
            return name
    return "a date or time"


# --- checks beyond the type -------------------------------------------------------------------


def _check_zone(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        nearest = difflib.get_close_matches(name, sorted(available_timezones()), n=1)
        hint = (
            f'; did you mean "{nearest[0]}"?'
            if nearest
            else ' (an IANA name such as "Europe/Berlin")'
        )
        return f"unknown time zone {_show(name)}{hint}"
    return None


def _check_language(code: str) -> str | None:
    if re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", code):
        return None
    return f'expected a language code such as "en" or "sv", got {_show(code)}'


def _at_least(minimum: int) -> Callable[[Any], str | None]:
    def check(value: float | tuple[int, ...]) -> str | None:
        numbers = value if isinstance(value, tuple) else (value,)
        bad = [n for n in numbers if n < minimum]
        return f"must be at least {minimum}, got {bad[0]:g}" if bad else None

    return check


def _positive(value: float | tuple[int, ...]) -> str | None:
    numbers = value if isinstance(value, tuple) else (value,)
    if any(not math.isfinite(n) for n in numbers):  # TOML has inf and nan; a rate cannot be
        return f"must be a finite number, got {next(n for n in numbers if not math.isfinite(n))}"
    bad = [n for n in numbers if n <= 0]
    return f"must be more than 0, got {bad[0]:g}" if bad else None


def _check_port(port: int) -> str | None:
    return None if 1 <= port <= 65535 else f"expected a port from 1 to 65535, got {port}"


def _check_host(host: str) -> str | None:
    if re.fullmatch(r"[A-Za-z0-9.:_-]+", host):
        return None
    got = _show(host) if host else "an empty string"
    return f'expected a host name or address such as "127.0.0.1", got {got}'


def _url(*schemes: str, empty_ok: bool = False) -> Callable[[str], str | None]:
    def check(url: str) -> str | None:
        if (empty_ok and url == "") or re.fullmatch(rf"({'|'.join(schemes)})://[^\s/]+\S*", url):
            return None
        return f"expected a URL starting with {' or '.join(f'{s}://' for s in schemes)}"

    return check


def _check_channels(channels: tuple[int | str, ...]) -> str | None:
    for channel in channels:
        if isinstance(channel, str) and not re.fullmatch(r"@[A-Za-z]\w{3,31}", channel):
            return f'expected a chat id or "@channelname", got {_show(channel)}'
        if isinstance(channel, int) and channel == 0:
            return "0 is not a chat id"
    return None


def _at_most(maximum: int, check: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    """`check`, then an upper bound: a huge number would overflow a date or a rate later,
    deep inside the running bot, instead of being named here."""

    def bounded(value: float | tuple[int, ...]) -> str | None:
        message = check(value)
        if message is not None:
            return message
        numbers = value if isinstance(value, tuple) else (value,)
        bad = [n for n in numbers if n > maximum]
        return f"must be at most {maximum}, got {bad[0]:g}" if bad else None

    return bounded


# Messages per second or minute: far above any platform's limit, yet a benchmark's replay at
# thousands of times real speed scales the limits up by as much.
_RATE_MAX = 1_000_000_000
_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "database.url": _check_database_url_in_file,
    "database.process_name": _check_process_name,
    "general.timezone": _check_zone,
    "general.language": _check_language,
    "announcements.preview_days": _at_most(366, _at_least(0)),
    "announcements.reminder_minutes": _at_most(60 * 24 * 30, _positive),  # 30 days
    "announcements.live_grace_minutes": _at_most(60 * 24, _at_least(0)),
    "telegram.api_base_url": _url("https", "http"),
    "telegram.webhook_url": _url("https", empty_ok=True),
    "telegram.webhook_port": _check_port,
    "telegram.channels": _check_channels,
    "telegram.admins": _positive,
    "telegram.global_per_second": _at_most(_RATE_MAX, _positive),
    "telegram.per_chat_per_second": _at_most(_RATE_MAX, _positive),
    "telegram.per_group_per_minute": _at_most(_RATE_MAX, _positive),
    "discord.api_base_url": _url("https", "http"),
    "discord.gateway_url": _url("wss", "ws", empty_ok=True),
    "discord.sync_guild": _at_least(0),
    "discord.admins": _positive,
    "discord.global_per_second": _at_most(_RATE_MAX, _positive),
    "web.host": _check_host,
    "web.port": _check_port,
    "web.public_url": _url("https", "http", empty_ok=True),
    "web.max_outbox_lag_seconds": _at_most(60 * 60 * 24 * 7, _positive),
    "web.telegram_url": _url("https", empty_ok=True),
    "web.discord_url": _url("https", empty_ok=True),
}


def _check_webhook(telegram: TelegramConfig, source: str, problems: list[ConfigProblem]) -> None:
    if telegram.mode == "webhook" and not telegram.webhook_url:
        message = 'required when telegram.mode is "webhook"'
        problems.append(ConfigProblem(source, "telegram.webhook_url", message))


def _check_web_port(
    web: WebConfig, telegram: TelegramConfig, source: str, problems: list[ConfigProblem]
) -> None:
    # Two servers cannot listen on one port: say so now rather than fail at start.
    if telegram.mode == "webhook" and web.port == telegram.webhook_port:
        message = f"{web.port} is telegram.webhook_port too; give the web server another port"
        problems.append(ConfigProblem(source, "web.port", message))


def _section_types() -> dict[str, type[Any]]:
    hints = get_type_hints(Config)
    return {
        f.name: hints[f.name]
        for f in dataclasses.fields(Config)
        if dataclasses.is_dataclass(hints[f.name])
    }


def _field_types(cls: type[Any]) -> dict[str, Any]:
    hints = get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}
