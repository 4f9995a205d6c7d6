"""Helpers for bench/soak.py: the faulty fakes, the audience, what was due, naming what arrived,
and the pacing of the replay.

The fakes are the test suite's own (tests/fakes/), run in the benchmark's process so that they
outlive every kill of the bot. The subclasses here only add what a soak needs on top:

- fault rates on the posting requests (429 with a retry-after, 5xx, a connection reset before
  the request is served, and a *lost response*: the message is stored, then the connection is
  cut, which is what a timeout looks like to the bot);
- a record of every arrival (chat, message id, wall-clock time, the first lines of its text,
  whether its response was lost) and of every posting attempt's status, with the heavy request
  bodies dropped so that 100,000 messages fit in memory.

Retry-after values are scaled by the same factor as the rate limits (Telegram's smallest,
1 s, becomes 1/scale s): a 429 pauses the bot's whole platform lane, so unscaled pauses would
make a run that sends at `scale` times Telegram's rate spend most of its time waiting.
"""

from __future__ import annotations

import contextvars
import itertools
import random
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bench._soak_db import SoakDatabase, micros
from bench._soak_due import Expected
from bot.core.audience import Chat, ChatKind, ChatRef, Subscription
from bot.core.catalog import Catalog
from bot.core.model import SessionKind
from bot.store.protocol import Store
from tests.fakes import telegram_api as tg
from tests.fakes.discord_api import ApiError as DiscordApiError
from tests.fakes.discord_api import FakeDiscord, RecordedRequest, SentMessage

SCHEDULES = Path(__file__).resolve().parents[1] / "schedules"
_MESSAGES_PATH = re.compile(r"/api/v10/channels/(\d+)(/messages)?")
CREATE_MESSAGE = "POST /channels/{channel_id}/messages"
TEXT_LINES = 3  # lines of each arrival's text kept: title, event line, start


@dataclass(frozen=True)
class FaultRates:
    """Shares of posting requests answered with each fault (the brief's figures)."""

    flood: float = 0.05  # 429 with retry_after
    server_error: float = 0.01  # 5xx (half 500, half 502 on Telegram)
    reset: float = 0.005  # connection closed before the request is served
    lost_response: float = 0.005  # served, then the connection is closed: a timeout


@dataclass
class Arrival:
    """One message a fake stored: what a user would have received."""

    platform: str
    chat: str  # the chat id it reached (after a migration: the new id)
    message_id: str
    wall: float  # time.time() when stored
    text: str  # the first TEXT_LINES lines
    lost: bool  # the bot never got the answer (injected lost response)
    request: int = -1  # the posting request that stored it (see Observed.open)
    # The bot had gone when the answer was ready (it timed out, or it died): it never heard.
    unanswered: bool = False


@dataclass(frozen=True)
class Attempt:
    """One posting request: to which chat, when, answered with which status (0: cut off)."""

    platform: str
    chat: str
    wall: float
    status: int


@dataclass
class Observed:
    arrivals: list[Arrival] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    # Posting requests received whose handler has not returned its answer yet, by request
    # number: what was in flight at the fake when the bot was killed.
    open: set[int] = field(default_factory=set)
    by_request: dict[int, Arrival] = field(default_factory=dict)
    # Each posting request's client port: with several bot processes, which one sent it
    # (bench/_soak_processes.py reads a process's ports before killing it).
    ports: dict[int, int] = field(default_factory=dict)

    def opened(self, number: int, request: web.Request) -> None:
        self.open.add(number)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if isinstance(peer, tuple) and len(peer) >= 2:
            self.ports[number] = int(peer[1])

    def arrived(self, arrival: Arrival) -> None:
        self.arrivals.append(arrival)
        self.by_request[arrival.request] = arrival

    def answered(self, number: int, request: web.Request) -> None:
        """The answer to posting request `number` is ready: note if no one waits for it."""
        self.open.discard(number)
        arrival = self.by_request.get(number)
        if arrival is not None and (request.transport is None or request.transport.is_closing()):
            arrival.unanswered = True


_REQUEST: contextvars.ContextVar[int] = contextvars.ContextVar("request", default=-1)


# The soak's multi-part post (bench/_soak_long.py) is kept whole: its numbered lines say
# which parts arrived.
KEEP_WHOLE = "Soak long announcement, line "


def _lines(text: str) -> str:
    if KEEP_WHOLE in text:
        return text
    return "\n".join([line for line in text.splitlines() if line.strip()][:TEXT_LINES])


class SoakTelegram(tg.FakeTelegram):
    def __init__(self, rates: FaultRates, scale: float, seed: int, **kw: Any) -> None:
        super().__init__(seed=seed, allow_violations=True, **kw)
        self.observed = Observed()
        self.retry_after = 1.0 / scale
        self._losing = False
        faults: list[tuple[tg.FaultKind, float]] = [
            ("flood", rates.flood),
            ("server_error", rates.server_error / 2),
            ("bad_gateway", rates.server_error / 2),
            ("reset", rates.reset),
            ("lost_response", rates.lost_response),
        ]
        for kind, rate in faults:
            self.set_fault_rate(kind, rate)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        index = len(self.requests)  # super() appends its record before its first await
        posting = request.path.endswith("/sendMessage")
        number = _TELEGRAM_BASE + index
        if posting:
            self.observed.opened(number, request)
        token = _REQUEST.set(number)
        try:
            return await super()._handle(request)
        finally:
            _REQUEST.reset(token)
            self.observed.answered(number, request)
            record = self.requests[index]
            if record.method == "sendMessage":
                chat = str(record.params.get("chat_id", "?"))
                self.observed.attempts.append(Attempt("telegram", chat, time.time(), record.status))
                record.params = {}  # the text of 100,000 posts need not stay in memory

    def _inject_faults(self, method: str, chat: tg.Chat | None) -> bool:
        self._losing = False
        lost = super()._inject_faults(method, chat)
        self._losing = lost
        return lost

    def _raise_fault(self, fault: tg._Fault, chat: tg.Chat | None) -> None:
        if fault.kind != "flood":
            super()._raise_fault(fault, chat)
        self.stats.too_many_requests += 1
        raise tg.ApiError(
            429,
            f"Too Many Requests: retry after {self.retry_after:g}",
            {"retry_after": self.retry_after},
        )

    def _store(self, chat: tg.Chat, params: dict[str, Any], parsed: tg.ParsedText) -> Any:
        sent = super()._store(chat, params, parsed)
        lost, self._losing = self._losing, False
        text = _lines(sent.text)
        self.observed.arrived(
            Arrival(
                "telegram", str(chat.id), str(sent.message_id), time.time(), text, lost,
                _REQUEST.get(),
            )
        )  # fmt: skip
        sent.text, sent.source, sent.params, sent.entities = text, "", {}, []
        return sent


_LOST: contextvars.ContextVar[bool] = contextvars.ContextVar("lost", default=False)
_TELEGRAM_BASE = 1_000_000_000


class SoakDiscord(FakeDiscord):
    def __init__(self, rates: FaultRates, scale: float, seed: int, **kw: Any) -> None:
        super().__init__(allow_violations=True, redirect_discord_py=False, **kw)
        self.observed = Observed()
        self.rates = rates
        self.retry_after = 1.0 / scale
        self._rng = random.Random(seed)
        self.injected: dict[str, int] = {}

    def _count(self, kind: str) -> None:
        self.injected[kind] = self.injected.get(kind, 0) + 1

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        match = _MESSAGES_PATH.fullmatch(request.path)
        if match is None:
            return await super()._handle(request)
        channel = match.group(1)
        posting = request.method == "POST" and match.group(2) is not None
        draw = self._rng.random()
        if posting and draw < self.rates.reset:
            self._count("reset")
            self.observed.attempts.append(Attempt("discord", channel, time.time(), 0))
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        lost = posting and draw < self.rates.reset + self.rates.lost_response
        token = _LOST.set(lost)
        index = len(self.requests)
        number = index  # Telegram's are numbered from _TELEGRAM_BASE: never the same
        if posting:
            self.observed.opened(number, request)
        request_token = _REQUEST.set(number)
        try:
            response = await super()._handle(request)
        finally:
            self.observed.answered(number, request)
            _REQUEST.reset(request_token)
            _LOST.reset(token)
        status = self.requests[index].status
        self.observed.attempts.append(Attempt("discord", channel, time.time(), status))
        if lost and status == 200 and request.transport is not None:
            self._count("lost_response")
            request.transport.abort()  # stored, but the bot never hears so
        return response

    def _inject_faults(self, record: RecordedRequest) -> None:
        if record.route == CREATE_MESSAGE:
            draw = self._rng.random()
            if draw < self.rates.flood:
                self._count("flood")
                raise self._too_many(record, self.retry_after, is_global=False)
            if draw < self.rates.flood + self.rates.server_error:
                self._count("server_error")
                raise DiscordApiError(500, 0, "500: Internal Server Error")
        super()._inject_faults(record)

    def store_message(self, channel_id: str, *args: Any, **kw: Any) -> SentMessage:
        sent = super().store_message(channel_id, *args, **kw)
        if sent.via == "channel":
            text = _lines(sent.text)
            arrival = Arrival(
                "discord", channel_id, sent.id, time.time(), text, _LOST.get(), _REQUEST.get()
            )
            self.observed.arrived(arrival)
        return sent


# --- the audience --------------------------------------------------------------------------

ZONES = (
    "Europe/Stockholm",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)
# (reminder offsets, weight): most chats keep the default; some want none at all.
OFFSETS: tuple[tuple[tuple[int, ...], int], ...] = (
    ((60, 15), 8),
    ((15,), 3),
    ((30,), 2),
    ((60,), 2),
    ((120, 60, 15), 2),
    ((60, 15, 5), 2),
    ((), 1),
)
KIND_FILTERS: tuple[tuple[frozenset[SessionKind], int], ...] = (
    (frozenset(), 8),
    (frozenset({SessionKind.RACE}), 2),
    (frozenset({SessionKind.QUALIFYING, SessionKind.RACE}), 1),
    (frozenset({SessionKind.PRACTICE}), 1),
)


@dataclass(frozen=True)
class Audience:
    members: list[tuple[Chat, Subscription]]
    telegram_channels: list[int]  # channel ids the fake must know as channels (bot is admin)
    migrated: tuple[str, str]  # (group id, the supergroup id it becomes)
    blocked: frozenset[ChatRef]  # blocked (Telegram) or deleted (Discord) mid-season


def _weighted(rng: random.Random, table: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in table], [weight for _, weight in table])[0]


def _subscription(rng: random.Random, ref: ChatRef, catalog: Catalog) -> Subscription:
    series_ids, driver_ids = sorted(catalog.series), sorted(catalog.drivers)
    series = frozenset(rng.sample(series_ids, rng.choice((0, 1, 1, 1, 1, 2))))
    drivers = frozenset(rng.sample(driver_ids, rng.choice((0, 0, 0, 1, 2))))
    if not series and not drivers:
        series = frozenset({rng.choice(series_ids)})
    kinds: frozenset[SessionKind] = _weighted(rng, KIND_FILTERS)
    return Subscription(ref, series=series, drivers=drivers, session_kinds=kinds)


def make_audience(
    catalog: Catalog,
    telegram_chats: int,
    discord_channels: Sequence[str],
    seed: int,
    blocked_share: float = 0.005,
) -> Audience:
    """Mixed chats: 80 % private, 9 % groups, 9 % supergroups, 2 % channels on Telegram."""
    rng = random.Random(seed)
    members: list[tuple[Chat, Subscription]] = []
    channels: list[int] = []
    groups: list[str] = []
    for n in range(telegram_chats):
        draw = n % 100
        if draw < 80:
            chat_id, kind = 10_000_000 + n, ChatKind.PRIVATE
        elif draw < 89:
            chat_id, kind = -(500_000 + n), ChatKind.GROUP
            groups.append(str(chat_id))
        elif draw < 98:
            chat_id, kind = -(1_001_000_000_000 + n), ChatKind.GROUP  # a supergroup
        else:
            chat_id, kind = -(1_002_000_000_000 + n), ChatKind.CHANNEL
            channels.append(chat_id)
        members.append(_member(rng, ChatRef("telegram", str(chat_id)), kind, catalog))
    for channel_id in discord_channels:
        members.append(_member(rng, ChatRef("discord", channel_id), ChatKind.CHANNEL, catalog))
    migrated = groups[0] if groups else ""
    for n, (chat, _) in enumerate(members):
        if chat.ref.id == migrated:  # it follows everything: posts before and after its move
            members[n] = (chat, Subscription(chat.ref, series=frozenset(catalog.series)))
    candidates = [chat.ref for chat, _ in members if chat.ref.id != migrated]
    telegram = [ref for ref in candidates if ref.platform == "telegram"]
    discord = [ref for ref in candidates if ref.platform == "discord"]
    blocked = rng.sample(telegram, max(1, round(len(telegram) * blocked_share)))
    blocked += rng.sample(discord, min(len(discord), max(1, round(len(discord) * blocked_share))))
    new_id = str(-(1_009_000_000_000 + abs(int(migrated)))) if migrated else ""
    return Audience(members, channels, (migrated, new_id), frozenset(blocked))


def _member(
    rng: random.Random, ref: ChatRef, kind: ChatKind, catalog: Catalog
) -> tuple[Chat, Subscription]:
    chat = Chat(
        ref,
        kind=kind,
        zone=rng.choice(ZONES),
        reminder_minutes=_weighted(rng, OFFSETS),
        spoiler_safe=rng.random() < 0.1,
    )
    return chat, _subscription(rng, ref, catalog)


async def populate(store: Store, audience: Audience) -> None:
    """Store every chat and its subscription, as /subscribe and /settings would have."""
    for chat, subscription in audience.members:
        await store.upsert_chat(chat)
        await store.set_subscription(subscription)


# --- what was due, and what arrived ----------------------------------------------------------

Post = tuple[str, ChatRef]  # (announcement key, recipient as first stored)


def labels(
    database: SoakDatabase, migrated: tuple[str, str], moved_at: datetime
) -> dict[tuple[str, str, str], str]:
    """(platform, chat id, message id) -> announcement key, from the outbox's delivery rows.
    Used only to name what a fake received; counting is done on the arrivals. The migrated
    group's rows carry its new id, also for what reached its old id before the move (message
    ids count per chat): those are told apart by when they were sent."""
    old, new = migrated
    moved = int(moved_at.timestamp() * 1_000_000)
    rows = database.rows(
        "SELECT platform, chat_id, message_id, key, sent_at FROM deliveries"
        " WHERE message_id IS NOT NULL"
    )
    found = {}
    for platform, chat, message, key, sent_at in rows:
        if platform == "telegram" and chat == new and micros(sent_at) < moved:
            chat = old
        found[(platform, chat, message)] = key
    return found


_COUNTDOWN = re.compile(r" starts in (?:(\d+) d)? ?(?:(\d+) h)? ?(?:(\d+) min)?$")


def countdown_minutes(title: str) -> int | None:
    found = _COUNTDOWN.search(title)
    if found is None:
        return None
    days, hours, minutes = (int(part or 0) for part in found.groups())
    return days * 1440 + hours * 60 + minutes


def says(text: str, item: Expected) -> bool:
    """Whether a received text is this announcement's post (kind, session, event). A reminder
    sent in its session's last minute says "is starting now"."""
    title, _, rest = text.partition("\n")
    if item.kind == "preview":
        return title == f"Race weekend: {item.event_name}"
    if item.kind == "results":
        return title == f"Results: {item.session_name} — {item.event_name}"
    if item.event_name not in rest:
        return False
    now = f"{item.session_name} is starting now"
    if item.kind == "reminder":
        return title.startswith((f"{item.session_name} starts in ", now))
    return title.startswith((now, f"{item.session_name} is live now"))


def guess(text: str, candidates: Sequence[Expected]) -> Expected | None:
    """The announcement an unlabelled arrival is, from its text alone. Reminders of one session
    differ only in the time left they show, never more than their offset (a reminder is never
    early): the smallest offset not below it ("starting now": the start post)."""
    matching = [item for item in candidates if says(text, item)]
    if len(matching) <= 1:
        return matching[0] if matching else None
    title = text.partition("\n")[0]
    left = 0 if " is starting now" in title else countdown_minutes(title)
    if left is None:
        return None
    above = [item for item in matching if (item.offset or 0) >= left - 1]
    pool = above or matching
    return min(pool, key=lambda item: item.offset or 0)


# --- pacing: stretches of the season -----------------------------------------------------------


@dataclass(frozen=True)
class Stretch:
    """One stretch of the season the bot runs through at `speed`: from `at` until every post
    due at `moments` (due time, posts) is out, at most until `until`."""

    at: datetime
    until: datetime
    moments: tuple[tuple[datetime, int], ...]

    @property
    def last_due(self) -> datetime:
        return self.moments[-1][0]


def busy_speed(due: dict[Post, Expected], rate: float) -> float:
    """The fastest clock at which each reminder's fan-out, at `rate` posts a second, takes at
    most half of its lead time: faster, and the bot would rightly drop reminders it could
    only deliver after their session started."""
    at_moment = Counter(item.due for item in due.values())
    fits = [
        (item.offset or 0) * 60 / (2 * at_moment[item.due] / rate)
        for item in due.values()
        if item.kind == "reminder"
    ]
    return max(10.0, min(5000.0, *fits)) if fits else 5000.0


def stretches(
    due: dict[Post, Expected],
    start: datetime,
    until: datetime,
    speed: float,
    rate: float,
    restart_s: float,
) -> list[Stretch]:
    """Due moments grouped so that the bot runs through a group without stopping when the
    quiet time between them costs less real time than a restart; between groups it is off
    (nothing is due then, so nothing is missed). Each group starts `restart_s` real seconds
    of clock before its first moment, so that the bot is up by then."""
    at_moment = Counter(item.due for item in due.values())
    groups: list[list[datetime]] = []
    for moment in sorted(at_moment):
        if groups:
            # Twice the fan-outs of the group so far: a backlog may still be going out.
            busy = 2 * sum(at_moment[m] for m in groups[-1]) / rate
            if (moment - groups[-1][-1]).total_seconds() / speed < busy + 2 * restart_s:
                groups[-1].append(moment)
                continue
        groups.append([moment])
    lead = timedelta(seconds=restart_s * speed)
    ats = [max(start, group[0] - lead) for group in groups]
    ends = [*ats[1:], until]
    return [
        Stretch(at, end, tuple((m, at_moment[m]) for m in group))
        for at, end, group in zip(ats, ends, groups, strict=True)
    ]


def quiet_moment(due: dict[Post, Expected], start: datetime) -> datetime:
    """The middle of the longest stretch with nothing due: when chats get blocked."""
    edges = [start, *sorted({item.due for item in due.values()})]
    gaps = [(b - a, a + (b - a) / 2) for a, b in itertools.pairwise(edges)]
    return max(gaps)[1] if gaps else start


def write_config(
    path: Path,
    telegram: SoakTelegram,
    discord: SoakDiscord,
    scale: float,
    *,
    process: int = 0,
    processes: int = 1,
    webhook_port: int = 0,
) -> None:
    """The bot's config.toml: both platforms at the fakes, the rate limits scaled. With several
    processes (`processes` > 1), process number `process`'s: a process name of its own,
    Telegram's webhook worker `process` of `processes` (long polling allows one consumer per
    bot), and Discord's shard `process` of `processes`."""
    several = processes > 1
    # On PostgreSQL: a restart after a kill is the same process, taking back at once what the
    # killed one left in flight (bot.store.leases).
    name = f"soak-bot-{process}" if several else "soak-bot"
    # Nothing pushes updates in the soak: the webhook's address is never called.
    webhook = (
        'mode = "webhook"\nwebhook_url = "https://127.0.0.1:9/pitboard"\n'
        f"webhook_port = {webhook_port}\n"
        f"webhook_workers = {processes}\nwebhook_worker = {process}\n"
        if several
        else ""
    )
    shards = f"shard_count = {processes}\nshard_ids = [{process}]\n" if several else ""
    path.write_text(
        "[general]\n"
        f'schedules = "{SCHEDULES}"\n'
        f'database = "{path.parent / "unused.sqlite3"}"\n\n'
        f'[database]\nprocess_name = "{name}"\n\n'
        "[telegram]\n"
        f'api_base_url = "{telegram.base_url.removesuffix("/bot")}"\n'
        f"global_per_second = {30 * scale}\n"
        f"per_chat_per_second = {scale}\n"
        f"per_group_per_minute = {20 * scale}\n"
        f"{webhook}\n"
        "[discord]\n"
        f'api_base_url = "{discord.api_base}"\n'
        f'gateway_url = "{discord.gateway_url}"\n'
        f"sync_guild = {next(iter(discord.guilds))}\n"
        f"global_per_second = {50 * scale}\n"
        f"{shards}"
    )


def discord_channels(discord: SoakDiscord, count: int) -> list[str]:
    """Text channels in guilds of 250 (Discord allows 500 a guild)."""
    guilds = [discord.guild(f"Soak {n}") for n in range((count + 249) // 250)]
    return [discord.channel(guilds[n // 250].id, f"race-updates-{n}").id for n in range(count)]
