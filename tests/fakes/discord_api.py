"""FakeDiscord: a local Discord (REST API v10 + gateway) that checks every request against the spec.

One aiohttp server on 127.0.0.1 serves the REST API under ``/api/v10`` and the gateway websocket
at ``/gateway`` (and ``/gateway/resume``, the ``resume_gateway_url`` it hands out in READY), so
discord.py's real HTTP client, rate limiter, gateway and interaction code run end to end and
nothing reaches the internet.

Pointing discord.py at it
-------------------------
discord.py has no option for either URL; both are class attributes read at the moment of use.
``FakeDiscord`` sets them on entry and restores them on exit (``redirect_discord_py=True``)::

    async with FakeDiscord(heartbeat_interval=0.05) as fake:
        guild = fake.guild(name="Pitboard Racing")
        channel = fake.channel(guild.id, name="race-updates")
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        task = asyncio.create_task(client.start(fake.token))
        await client.wait_until_ready()
        ...
        await client.close()

which amounts to (and is what to write by hand when not using the context manager)::

    discord.http.Route.BASE = fake.api_base                        # http://127.0.0.1:PORT/api/v10
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)

A plain ``Client`` never calls ``GET /gateway/bot``; it connects to ``DEFAULT_GATEWAY`` (and on a
resume to READY's ``resume_gateway_url``). ``AutoShardedClient`` asks ``/gateway/bot``, which
answers with the fake's own URL. ``guild_ready_timeout`` (default 2 s) is how long discord.py
waits after the last GUILD_CREATE before ``on_ready``: keep it small in tests.

discord.py facts the fake relies on (and a front-end should know)
------------------------------------------------------------------
- ``tree.sync(guild=g)`` sends only commands registered *for* that guild: call
  ``tree.copy_global_to(guild=g)`` first (or register with ``guild=``) to test in one guild.
- Interaction callbacks, followups and ``@original`` edits go through the webhook adapter, not
  ``client.http``: no Authorization header, a lock per token, ``?with_response=1`` on callbacks
  (answered 200 with ``{"interaction": ..., "resource": ...}``) and ``?wait=true`` on followups.
- A 429 is retried after the body's ``retry_after`` only if the response has a ``Via`` header
  (otherwise discord.py takes it for a Cloudflare ban and raises ``HTTPException``); a global
  429 pauses every request. Per-route pacing uses ``X-RateLimit-Limit/-Remaining/-Reset-After``
  (``-Reset`` when ``assume_unsync_clock=False``) and ``X-RateLimit-Bucket``.
- 500/502/504 are retried up to 5 times after 1, 3, 5... seconds; 403/404 raise
  ``discord.Forbidden``/``discord.NotFound`` with Discord's ``code`` (50013, 50001, 10003).
- JSON bodies are parsed only when Content-Type is exactly ``application/json``.
- Every IDENTIFY after the first waits 5 s in ``Client.before_identify_hook``.
- The original response must come within 3 s (``callback_deadline``), else 404 10062; the first
  followup after a defer fills in the "thinking" message; tokens last 15 min
  (``expire_interaction``), then 401 50027.

Contract checks
---------------
Requests that break the contract (see :mod:`tests.fakes.discord_spec`) are answered like Discord
answers them (400 ``{"code": 50035, "message": "Invalid Form Body", "errors": {...}}``, 401, 404,
405) *and* recorded in ``violations``; leaving the ``async with`` block raises if there were any
(unless ``allow_violations=True``) or if the fake's own answers broke the response schemas
(``self_check_failures``). Discord errors that are not contract bugs (403 Missing Permissions,
404 Unknown Channel, 40060 already acknowledged, 10062 Unknown interaction) are not violations.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import secrets
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, TypeVar

import discord.gateway
import discord.http
import pytest_asyncio
import yarl
from aiohttp import web

from tests.fakes import discord_gateway as gw
from tests.fakes.discord_spec import (
    EPHEMERAL,
    DiscordSpec,
    Operation,
    Problem,
    command_problems,
    error_tree,
    is_empty_message,
    message_problems,
    parse_query_value,
)

T = TypeVar("T")
DEFAULT_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GfAkE1.pitboard-fake-discord-token-not-a-secret"
DISCORD_EPOCH_MS = 1_420_070_400_000
FaultKind = Literal[
    "rate_limited",
    "global_rate_limited",
    "missing_permissions",
    "missing_access",
    "unknown_channel",
    "server_error",
    "bad_gateway",
]
_FAULTS: dict[str, tuple[int, int, str]] = {
    "missing_permissions": (403, 50013, "Missing Permissions"),
    "missing_access": (403, 50001, "Missing Access"),
    "unknown_channel": (404, 10003, "Unknown Channel"),
    "server_error": (500, 0, "500: Internal Server Error"),
    "bad_gateway": (502, 0, "502: Bad Gateway"),
}
Handler = Callable[["Ctx"], Awaitable[Any]]
NO_CONTENT = object()  # a handler's answer for 204


class ApiError(Exception):
    """An error answer, in Discord's shape."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message = status, code, message
        self.body = body or {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors
        self.headers = headers or {}


@dataclass
class Violation:
    route: str  # "POST /channels/{channel_id}/messages", or the raw path when unrouted
    problems: list[str]
    body: Any
    status: int = 400

    def __str__(self) -> str:
        return f"{self.route} -> {self.status}: {'; '.join(self.problems)} (body {self.body!r})"


@dataclass
class RecordedRequest:
    method: str
    path: str  # below /api/v10, with the real ids
    route: str = ""  # "METHOD /template" once matched
    params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    files: list[str] = field(default_factory=list)
    status: int = 0
    code: int | None = None  # Discord's JSON error code on failures


@dataclass
class SentMessage:
    """A message the bot made, as it stands now (edits applied, deletion flagged)."""

    id: str
    channel_id: str
    guild_id: str | None
    body: dict[str, Any]  # the latest request body that shaped it
    timestamp: str
    via: Literal["channel", "interaction", "followup"] = "channel"
    flags: int = 0
    files: list[str] = field(default_factory=list)
    interaction_id: str | None = None
    edited_timestamp: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier bodies, oldest first
    deleted: bool = False

    @property
    def content(self) -> str:
        return str(self.body.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return [dict(e, type=e.get("type") or "rich") for e in self.body.get("embeds") or []]

    @property
    def embed(self) -> dict[str, Any] | None:
        return self.embeds[0] if self.embeds else None

    @property
    def components(self) -> list[dict[str, Any]]:
        return list(self.body.get("components") or [])

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        return self.body.get("allowed_mentions")

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & (1 << 6))

    @property
    def loading(self) -> bool:
        """A deferred ("thinking") response not yet filled in."""
        return bool(self.flags & (1 << 7))

    @property
    def text(self) -> str:
        """Everything a reader sees: content, then each embed's author/title/description/fields."""
        parts = [self.content] if self.content else []
        for embed in self.embeds:
            parts += [str((embed.get("author") or {}).get("name") or "")]
            parts += [str(embed.get(k) or "") for k in ("title", "description")]
            for f in embed.get("fields") or []:
                parts += [str(f.get("name", "")), str(f.get("value", ""))]
            parts += [str((embed.get("footer") or {}).get("text") or "")]
        return "\n".join(p for p in parts if p)


@dataclass
class FakeInteraction:
    """An interaction the fake dispatched, and everything the bot did in answer."""

    id: str
    token: str
    type: int  # 2 command, 3 component, 4 autocomplete
    name: str  # the command name, or the component's custom_id
    payload: dict[str, Any]  # the INTERACTION_CREATE data as sent
    channel_id: str
    guild_id: str | None
    user_id: str
    dispatched_at: float
    message_id: str | None = None  # a component's message
    callbacks: list[dict[str, Any]] = field(default_factory=list)  # every attempt
    callback: dict[str, Any] | None = None  # the accepted one
    original: SentMessage | None = None
    followups: list[SentMessage] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None  # an autocomplete answer
    modal: dict[str, Any] | None = None
    expired: bool = False


# Callback types each interaction type may answer with (Discord's interaction docs).
_ALLOWED_CALLBACKS = {2: {4, 5, 9, 12}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
_MESSAGE_CREATES = {
    "POST /channels/{channel_id}/messages",
    "POST /webhooks/{webhook_id}/{webhook_token}",
}
_MESSAGE_EDITS = {
    "PATCH /channels/{channel_id}/messages/{message_id}",
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original",
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
}
_COMMANDS = "/applications/{application_id}/commands"
_GUILD_COMMANDS = "/applications/{application_id}/guilds/{guild_id}/commands"
_WEBHOOK = "/webhooks/{webhook_id}/{webhook_token}"
_RESOLVED_KINDS = {6: "users", 7: "channels", 8: "roles", 9: "users"}


@dataclass
class FakeStats:
    calls: Counter[str] = field(default_factory=Counter)  # per "METHOD /template"
    statuses: Counter[int] = field(default_factory=Counter)
    too_many_requests: int = 0  # every 429 answered, injected or earned
    global_rate_limited: int = 0  # 429s the global limit produced
    bucket_rate_limited: int = 0  # 429s a per-route bucket produced
    faults: Counter[str] = field(default_factory=Counter)


@dataclass
class _Fault:
    target: str
    kind: FaultKind
    times: int
    retry_after: float

    def applies(self, record: RecordedRequest) -> bool:
        if self.target == "*":
            return True
        if self.target.isdigit():
            return self.target in record.params.values()
        route = record.route
        return self.target == route or self.target == route.split(" ", 1)[-1]


@dataclass
class _Bucket:
    name: str
    started: float
    used: int = 0


@dataclass
class Ctx:
    """One request on its way through the fake."""

    record: RecordedRequest
    op: Operation
    body: Any

    @property
    def params(self) -> dict[str, str]:
        return self.record.params

    def query_flag(self, name: str) -> bool:
        return self.record.query.get(name, "").lower() in ("true", "1")


class FakeDiscord:
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        application_id: str = "1100000000000000001",
        bot_username: str = "Pitboard",
        heartbeat_interval: float = 41.25,
        allow_violations: bool = False,
        global_per_second: int | None = None,
        bucket_limit: int = 50,
        bucket_reset_after: float = 1.0,
        callback_deadline: float | None = 3.0,
        privileged_intents: int = 0,
        redirect_discord_py: bool = True,
        spec_path: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.application_id = application_id
        self.application_flags = 0
        self.bot_user = gw.user_payload(application_id, bot_username, bot=True)
        self.allow_violations = allow_violations
        self.global_per_second = global_per_second
        self.bucket_limit, self.bucket_reset_after = bucket_limit, bucket_reset_after
        self.callback_deadline = callback_deadline
        self.privileged_intents = privileged_intents
        self.redirect_discord_py = redirect_discord_py
        self.clock, self.wall_clock = clock, wall_clock
        self.spec = DiscordSpec.load(spec_path)
        self.gateway = gw.Gateway(self, heartbeat_interval)
        self.port = 0
        self.violations: list[Violation] = []
        self.self_check_failures: list[str] = []
        self.requests: list[RecordedRequest] = []
        self.unhandled: list[RecordedRequest] = []  # valid routes the fake has no model for
        self.stats = FakeStats()
        self.guilds: dict[str, gw.Guild] = {}
        self.users: dict[str, dict[str, Any]] = {self.bot_user["id"]: self.bot_user}
        self._channels: dict[str, gw.Channel] = {}
        self._sent: dict[str, list[SentMessage]] = {}
        self._messages: dict[str, SentMessage] = {}
        self._cursor: dict[str, int] = {}
        self._commands: dict[str | None, list[dict[str, Any]]] = {}
        self._faults: list[_Fault] = []
        self._global: deque[float] = deque()
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._last_id = 0
        self._tick = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self._saved_urls: tuple[str, yarl.URL] | None = None
        self._routes: dict[str, Handler] = {
            "GET /users/@me": self._get_me,
            "GET /users/{user_id}": self._get_user,
            "GET /oauth2/applications/@me": self._get_application,
            "GET /applications/@me": self._get_application,
            "GET /gateway": self._get_gateway,
            "GET /gateway/bot": self._get_gateway,
            "POST /channels/{channel_id}/messages": self._create_message,
            "GET /channels/{channel_id}/messages": self._list_messages,
            "GET /channels/{channel_id}": self._get_channel,
            "GET /channels/{channel_id}/messages/{message_id}": self._get_message,
            "PATCH /channels/{channel_id}/messages/{message_id}": self._edit_message,
            "DELETE /channels/{channel_id}/messages/{message_id}": self._delete_message,
            "POST /channels/{channel_id}/typing": self._typing,
            "GET /guilds/{guild_id}": self._get_guild,
            "GET /guilds/{guild_id}/channels": self._get_guild_channels,
            "GET /guilds/{guild_id}/roles": self._get_guild_roles,
            "GET /guilds/{guild_id}/members/{user_id}": self._get_guild_member,
            **self._interaction_routes(),
        }
        self._interactions: dict[str, FakeInteraction] = {}
        self._by_token: dict[str, FakeInteraction] = {}
        self._followup_cursor: dict[str, int] = {}

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway/resume"

    async def start(self) -> None:
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/resume", self.gateway.handle)
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        if self.redirect_discord_py:
            route, ws = discord.http.Route, discord.gateway.DiscordWebSocket
            self._saved_urls = (route.BASE, ws.DEFAULT_GATEWAY)
            route.BASE = self.api_base
            ws.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

    async def stop(self) -> None:
        if self._saved_urls is not None:
            discord.http.Route.BASE = self._saved_urls[0]
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved_urls[1]
            self._saved_urls = None
        for task in list(self._tasks):
            with contextlib.suppress(Exception):
                await task
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
        lines = [f"  fake answered wrongly: {p}" for p in self.self_check_failures]
        if not self.allow_violations:
            lines += [f"  {v}" for v in self.violations]
        if lines and exc is not None:
            exc.add_note("FakeDiscord also saw:\n" + "\n".join(lines))
        elif lines:
            raise AssertionError("FakeDiscord saw contract violations:\n" + "\n".join(lines))

    # --- the world, set up by tests ---------------------------------------------------------

    def new_id(self) -> str:
        """A fresh snowflake: the current time in its high bits, strictly increasing."""
        now_ms = int(self.wall_clock() * 1000) - DISCORD_EPOCH_MS
        self._last_id = max(self._last_id + 1, now_ms << 22)
        return str(self._last_id)

    def now_iso(self) -> str:
        return datetime.fromtimestamp(self.wall_clock(), UTC).isoformat()

    def user(self, username: str, *, user_id: str | None = None) -> dict[str, Any]:
        data = gw.user_payload(user_id or self.new_id(), username)
        self.users[data["id"]] = data
        return data

    def guild(
        self,
        name: str = "Pitboard Racing",
        *,
        guild_id: str | None = None,
        everyone_permissions: int = gw.DEFAULT_EVERYONE_PERMISSIONS,
        bot_permissions: int = gw.DEFAULT_BOT_PERMISSIONS,
        locale: str = "en-US",
    ) -> gw.Guild:
        """A guild the bot is in: @everyone, a managed bot role, the bot, an owner and a fan.

        Configure guilds before the client connects: they go out in the GUILD_CREATEs.
        """
        gid = guild_id or self.new_id()
        owner = self.user("owner")
        guild = gw.Guild(gid, name, owner["id"], self.now_iso(), locale=locale)
        guild.roles[gid] = gw.Role(gid, "@everyone", everyone_permissions)
        bot_role = gw.Role(self.new_id(), self.bot_user["username"], bot_permissions, 1, True)
        guild.roles[bot_role.id] = bot_role
        guild.members[self.bot_user["id"]] = gw.Member(
            dict(self.bot_user), [bot_role.id], self.now_iso()
        )
        guild.members[owner["id"]] = gw.Member(owner, [], self.now_iso())
        self.guilds[gid] = guild
        self.member(gid, "fan")
        return guild

    def default_user_id(self, guild_id: str) -> str:
        """The member `dispatch_interaction` acts as unless told otherwise: the first 'fan'."""
        guild = self.guilds[guild_id]
        return next(m.id for m in guild.members.values() if m.user["username"] == "fan")

    def member(
        self,
        guild_id: str,
        username: str,
        *,
        user_id: str | None = None,
        roles: tuple[str, ...] = (),
    ) -> gw.Member:
        user = self.users.get(user_id or "") or self.user(username, user_id=user_id)
        member = gw.Member(user, list(roles), self.now_iso())
        self.guilds[guild_id].members[member.id] = member
        return member

    def role(
        self, guild_id: str, name: str, permissions: int, *, role_id: str | None = None
    ) -> gw.Role:
        guild = self.guilds[guild_id]
        role = gw.Role(role_id or self.new_id(), name, permissions, len(guild.roles))
        guild.roles[role.id] = role
        return role

    def channel(
        self,
        guild_id: str,
        name: str = "general",
        *,
        channel_id: str | None = None,
        type: int = 0,
        topic: str | None = None,
        parent_id: str | None = None,
        overwrites: tuple[dict[str, Any], ...] = (),
    ) -> gw.Channel:
        guild = self.guilds[guild_id]
        channel = gw.Channel(
            channel_id or self.new_id(),
            guild_id,
            name,
            type,
            len(guild.channels),
            topic,
            parent_id,
            list(overwrites),
        )
        guild.channels[channel.id] = channel
        self._channels[channel.id] = channel
        return channel

    @staticmethod
    def overwrite(
        target_id: str, *, allow: int = 0, deny: int = 0, member: bool = False
    ) -> dict[str, Any]:
        """A channel permission overwrite for a role (or, with member=True, one member)."""
        return {"id": target_id, "type": int(member), "allow": str(allow), "deny": str(deny)}

    def get_channel(self, channel_id: str) -> gw.Channel | None:
        return self._channels.get(str(channel_id))

    def delete_channel(self, channel_id: str) -> None:
        """From now on every request about the channel is 404 Unknown Channel (10003)."""
        channel = self._channels[str(channel_id)]
        channel.deleted = True
        payload = channel.payload()
        self._spawn(self.gateway.dispatch("CHANNEL_DELETE", payload, intent=gw.GUILDS))

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- fault injection -------------------------------------------------------------------

    def fail_next(
        self, target: str, kind: FaultKind, times: int = 1, *, retry_after: float = 0.05
    ) -> None:
        """Answer the next `times` matching requests with `kind` instead of serving them.

        `target`: a snowflake (any request naming it: channel, guild, interaction, ...), a route
        ("POST /channels/{channel_id}/messages", or without the method for any method), or "*".
        """
        self._faults.append(_Fault(str(target), kind, times, retry_after))

    # --- what the bot did -------------------------------------------------------------------

    def sent(self, channel_id: str) -> list[SentMessage]:
        """Messages the bot posted to the channel (POST /channels/{id}/messages), oldest first.

        Interaction replies are not here: see `interaction(id).original` and `.followups`.
        """
        return [m for m in self._sent.get(str(channel_id), []) if m.via == "channel"]

    def message(self, message_id: str) -> SentMessage:
        try:
            return self._messages[str(message_id)]
        except KeyError:
            raise AssertionError(f"the bot made no message {message_id}") from None

    def commands(self, guild_id: str | None = None) -> list[dict[str, Any]]:
        """The commands last synced globally (guild_id None) or to a guild, as stored."""
        return [dict(c) for c in self._commands.get(guild_id and str(guild_id), [])]

    def calls(self, route: str) -> list[RecordedRequest]:
        """Requests to a route ("POST /channels/{channel_id}/messages"), any outcome."""
        return [r for r in self.requests if route in (r.route, r.route.split(" ", 1)[-1])]

    # ASYNC109: tests want a plain `timeout` argument, as the brief for this fake specifies.
    async def wait_for(
        self,
        condition: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "",
    ) -> T:
        """Wait until `condition()` is truthy (re-checked after every request and event)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (result := condition()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._tick.wait(), remaining)
        return result

    def notify(self) -> None:
        self._tick.set()
        self._tick = asyncio.Event()

    async def wait_for_message(
        self,
        channel_id: str,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """The next message posted to the channel (matching `predicate`) not returned before."""
        key = str(channel_id)

        def find() -> SentMessage | None:
            messages = self.sent(key)
            for index in range(self._cursor.get(key, 0), len(messages)):
                if predicate is None or predicate(messages[index]):
                    self._cursor[key] = index + 1
                    return messages[index]
            return None

        try:
            return await self.wait_for(find, timeout, f"a message to channel {key}")
        except AssertionError as exc:
            texts = [m.text[:80] for m in self.sent(key)]
            raise AssertionError(f"{exc}; posted there so far: {texts}") from None

    async def wait_until_connected(self, timeout: float = 5.0) -> gw.GatewaySession:  # noqa: ASYNC109
        return await self.wait_for(
            lambda: next(iter(self.gateway.live), None), timeout, "a gateway session"
        )

    async def dispatch(self, event: str, data: Any, *, intent: int | None = None) -> int:
        """Send a raw gateway event to connected bots; returns how many sessions got it."""
        return await self.gateway.dispatch(event, data, intent=intent)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client should come back with a RESUME."""
        await self.gateway.send_op(gw.RECONNECT)

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway websocket(s) from the server side with `code`."""
        await self.gateway.drop(code)

    async def invalidate_session(self, resumable: bool = False) -> None:
        await self.gateway.send_op(gw.INVALID_SESSION, resumable)

    def gateway_violation(self, what: str, *problems: str) -> None:
        self.violations.append(Violation(f"GATEWAY {what}", list(problems), None, 0))

    # --- the HTTP pipeline -----------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        record = RecordedRequest(request.method, request.path, query=dict(request.query))
        self.requests.append(record)
        headers: dict[str, str] = {}
        try:
            result = await self._process(request, record, headers)
            record.status = 204 if result is NO_CONTENT else 200
            if isinstance(result, tuple):
                record.status, result = result
        except ApiError as err:
            record.status, record.code = err.status, err.code
            headers.update(err.headers)
            result = err.body
        finally:
            self.stats.statuses[record.status] += 1
            self.notify()
        if record.status == 429:
            self.stats.too_many_requests += 1
        if record.status == 502:
            html = "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>"
            return web.Response(status=502, text=html, content_type="text/html", headers=headers)
        if result is NO_CONTENT:
            return web.Response(status=204, headers=headers)
        # Exactly "application/json": discord.py compares the header with == (no charset).
        headers["Content-Type"] = "application/json"
        return web.Response(status=record.status, body=json.dumps(result).encode(), headers=headers)

    async def _process(
        self, request: web.Request, record: RecordedRequest, headers: dict[str, str]
    ) -> Any:
        prefix = "/api/v10"
        if not request.path.startswith(prefix + "/"):
            raise self._violation(record, 404, 0, "404: Not Found", f"not under {prefix}")
        record.path = request.path[len(prefix) :]
        match = self.spec.match(request.method, record.path)
        if match is None:
            raise self._violation(record, 404, 0, "404: Not Found", "no such route in the spec")
        record.params = match.params
        if match.operation is None:
            why = f"{request.method} not allowed; the route has {list(match.methods)}"
            raise self._violation(record, 405, 0, "405: Method Not Allowed", why)
        op = match.operation
        record.route = op.route
        self.stats.calls[op.route] += 1
        self._check_auth(request, record, op)
        body = await self._read_body(request, record)
        problems = self._check_params(op, record) + self._check_body(op, record, body)
        if problems:
            raise self._invalid(record, problems)
        self._inject_faults(record)
        self._enforce_global_limit(record)
        bucket_headers = self._enforce_bucket(op, record)
        headers.update(bucket_headers)
        handler = self._routes.get(op.route)
        if handler is None:
            self.unhandled.append(record)
            return self._empty_answer(op)
        result = await handler(Ctx(record, op, body))
        status, payload = result if isinstance(result, tuple) else (200, result)
        if payload is not NO_CONTENT:
            self._self_check(op, status, payload)
        return result

    def _violation(
        self, record: RecordedRequest, status: int, code: int, message: str, *why: str
    ) -> ApiError:
        self.violations.append(
            Violation(record.route or record.path, list(why), record.body, status)
        )
        return ApiError(status, code, message)

    def _invalid(self, record: RecordedRequest, problems: list[Problem]) -> ApiError:
        unique = list(dict.fromkeys(problems))
        self.violations.append(
            Violation(record.route or record.path, [str(p) for p in unique], record.body)
        )
        if unique and unique[0].code == "EMPTY_MESSAGE":
            return ApiError(400, 50006, "Cannot send an empty message")
        return ApiError(400, 50035, "Invalid Form Body", errors=error_tree(unique))

    def _check_auth(self, request: web.Request, record: RecordedRequest, op: Operation) -> None:
        bot_ok, anonymous_ok = op.auth
        header = request.headers.get("Authorization")
        if header is None and anonymous_ok:
            return
        if header != f"Bot {self.token}" or not bot_ok:
            shown = (header or "")[:12] + "..." if header else "no Authorization header"
            why = f"Authorization must be 'Bot <token>' with the bot's token; got {shown}"
            raise self._violation(record, 401, 0, "401: Unauthorized", why)

    async def _read_body(self, request: web.Request, record: RecordedRequest) -> Any:
        if not request.can_read_body:
            return None
        if request.content_type == "multipart/form-data":
            payload: Any = {}
            reader = await request.multipart()
            async for part in reader:
                name = getattr(part, "name", None) or ""
                if name == "payload_json":
                    payload = await self._parse_json(record, await part.text())  # type: ignore[union-attr]
                else:
                    record.files.append(getattr(part, "filename", None) or name)
                    await part.read()  # type: ignore[union-attr]
            record.body = payload
            return payload
        text = await request.text()
        if not text:
            return None
        if request.content_type != "application/json":
            why = f"body sent as {request.content_type}, not application/json"
            raise self._violation(record, 400, 50035, "Invalid Form Body", why)
        record.body = await self._parse_json(record, text)
        return record.body

    async def _parse_json(self, record: RecordedRequest, text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError:
            raise self._violation(
                record, 400, 50109, "The request body contains invalid JSON.", "invalid JSON"
            ) from None

    def _check_params(self, op: Operation, record: RecordedRequest) -> list[Problem]:
        problems: list[Problem] = []
        for name, value in record.params.items():
            if name in op.path_params:
                problems += self.spec.validate(op.path_params[name], value, (name,))
        for name, schema in op.query_params.items():
            raw = record.query.get(name)
            if raw is not None and not parse_query_value(schema, raw):
                problems.append(Problem((name,), "BASE_TYPE_BAD_TYPE", f"Bad value {raw!r}."))
        return problems

    def _check_body(self, op: Operation, record: RecordedRequest, body: Any) -> list[Problem]:
        schema = op.body_schema
        if schema is None:
            return [Problem((), "UNEXPECTED_BODY", "This route takes no body.")] if body else []
        if body is None:
            if op.body_required and not record.files:
                return [Problem((), "BASE_TYPE_REQUIRED", "A body is required.")]
            return []
        return self.spec.validate(schema, body) + self._extra_body_problems(op, record, body)

    def _inject_faults(self, record: RecordedRequest) -> None:
        for fault in self._faults:
            if fault.times <= 0 or not fault.applies(record):
                continue
            fault.times -= 1
            self.stats.faults[fault.kind] += 1
            if fault.kind in ("rate_limited", "global_rate_limited"):
                is_global = fault.kind == "global_rate_limited"
                raise self._too_many(record, fault.retry_after, is_global=is_global)
            status, code, message = _FAULTS[fault.kind]
            raise ApiError(status, code, message)
        self._faults = [f for f in self._faults if f.times > 0]

    def _exempt_from_global(self, record: RecordedRequest) -> bool:
        # Discord: interaction endpoints are not bound to the bot's global rate limit.
        return record.path.startswith("/interactions/") or (
            record.path.startswith("/webhooks/")
            and record.params.get("webhook_id") == self.application_id
        )

    def _enforce_global_limit(self, record: RecordedRequest) -> None:
        if self.global_per_second is None or self._exempt_from_global(record):
            return
        now = self.clock()
        while self._global and self._global[0] <= now - 1.0:
            self._global.popleft()
        if len(self._global) >= self.global_per_second:
            self.stats.global_rate_limited += 1
            raise self._too_many(record, self._global[0] + 1.0 - now, is_global=True)
        self._global.append(now)

    def _bucket_key(self, op: Operation, record: RecordedRequest) -> tuple[str, str]:
        name = hashlib.sha1(op.route.encode()).hexdigest()[:16]
        params = record.params
        if "webhook_id" in params or "interaction_id" in params:
            major = params.get("webhook_id") or params["interaction_id"]
            major += "/" + (params.get("webhook_token") or params.get("interaction_token") or "")
        else:
            major = params.get("channel_id") or params.get("guild_id") or ""
        return name, major

    def _enforce_bucket(self, op: Operation, record: RecordedRequest) -> dict[str, str]:
        """Count the request in its bucket; the X-RateLimit-* headers discord.py plans with."""
        key = self._bucket_key(op, record)
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None or now >= bucket.started + self.bucket_reset_after:
            bucket = self._buckets[key] = _Bucket(key[0], now)
        reset_after = bucket.started + self.bucket_reset_after - now
        if bucket.used >= self.bucket_limit:
            self.stats.bucket_rate_limited += 1
            raise self._too_many(record, reset_after, is_global=False, bucket=bucket.name)
        bucket.used += 1
        return self._limit_headers(bucket.name, self.bucket_limit - bucket.used, reset_after)

    def _limit_headers(self, bucket: str, remaining: int, reset_after: float) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.bucket_limit),
            "X-RateLimit-Remaining": str(max(0, remaining)),
            "X-RateLimit-Reset": f"{self.wall_clock() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{max(0.0, reset_after):.3f}",
            "X-RateLimit-Bucket": bucket,
        }

    def _too_many(
        self,
        record: RecordedRequest,
        retry_after: float,
        *,
        is_global: bool,
        bucket: str | None = None,
    ) -> ApiError:
        # Rounded up: a client that waits exactly retry_after must then be let through.
        retry_after = math.ceil(max(retry_after, 0.001) * 1000) / 1000
        headers = {
            # discord.py treats a 429 without a Via header as a Cloudflare ban and gives up.
            "Via": "1.1 google",
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Scope": "global" if is_global else "user",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        else:
            name = bucket or hashlib.sha1(record.route.encode()).hexdigest()[:16]
            headers.update(self._limit_headers(name, 0, retry_after))
        body = {"message": "You are being rate limited.", "retry_after": retry_after}
        body["global"] = is_global
        return ApiError(429, 0, "You are being rate limited.", headers=headers, body=body)

    def _empty_answer(self, op: Operation) -> Any:
        schema = op.response_schema(200)
        if schema is None:
            return NO_CONTENT
        resolved, _ = self.spec.resolve(schema)
        kind = resolved.get("type")
        return [] if kind == "array" or (isinstance(kind, list) and "array" in kind) else {}

    def _self_check(self, op: Operation, status: int, payload: Any) -> None:
        schema = op.response_schema(status)
        if schema is None:
            return
        for problem in self.spec.validate(schema, payload, closed=False):
            self.self_check_failures.append(f"{op.route}: {problem}")

    # --- routes: identity, gateway, channels, guilds --------------------------------------------

    async def _get_me(self, ctx: Ctx) -> Any:
        return {**self.bot_user, "mfa_enabled": False, "locale": "en-US", "verified": True}

    async def _get_user(self, ctx: Ctx) -> Any:
        user = self.users.get(ctx.params["user_id"])
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return user

    async def _get_application(self, ctx: Ctx) -> Any:
        owner = next((g.members[g.owner_id].user for g in self.guilds.values()), self.bot_user)
        return {
            "id": self.application_id,
            "name": self.bot_user["username"],
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot": self.bot_user,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": self.application_flags,
            "flags_new": str(self.application_flags),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "owner": owner,
            "approximate_guild_count": len(self.guilds),
            "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0,
            "explicit_content_filter": 0,
            "team": None,
            "eligible_oauth2_scopes": [],
            "rpc_origins": [],
            "tags": [],
            "integration_types_config": {"0": {}},
        }

    async def _get_gateway(self, ctx: Ctx) -> Any:
        if ctx.op.template == "/gateway":
            return {"url": self.gateway_url}
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    def channel_for(self, ctx: Ctx) -> gw.Channel:
        channel = self._channels.get(ctx.params["channel_id"])
        if channel is None or channel.deleted:
            raise ApiError(404, 10003, "Unknown Channel")
        if not self.guilds[channel.guild_id].permissions(self.bot_user["id"], channel):
            raise ApiError(403, 50001, "Missing Access")
        return channel

    async def _get_channel(self, ctx: Ctx) -> Any:
        return self.channel_for(ctx).payload()

    async def _create_message(self, ctx: Ctx) -> Any:
        channel = self.channel_for(ctx)
        if channel.type not in (0, 2, 5, 10, 11, 12):
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        perms = self.guilds[channel.guild_id].permissions(self.bot_user["id"], channel)
        needed = gw.SEND_MESSAGES
        needed |= gw.EMBED_LINKS if ctx.body.get("embeds") else 0
        needed |= gw.ATTACH_FILES if ctx.record.files else 0
        if perms & needed != needed:
            raise ApiError(403, 50013, "Missing Permissions")
        sent = self.store_message(channel.id, channel.guild_id, ctx.body, ctx.record.files)
        payload = self.message_payload(sent)
        channel.last_message_id = sent.id
        member = self.guilds[channel.guild_id].members[self.bot_user["id"]].payload()
        member.pop("user")
        event = {**payload, "guild_id": channel.guild_id, "member": member}
        self._spawn(self.gateway.dispatch("MESSAGE_CREATE", event, intent=gw.GUILD_MESSAGES))
        return payload

    async def _list_messages(self, ctx: Ctx) -> Any:
        channel = self.channel_for(ctx)
        limit = int(ctx.record.query.get("limit", "50"))
        live = [m for m in self._sent.get(channel.id, []) if not m.deleted and not m.ephemeral]
        return [self.message_payload(m) for m in reversed(live[-limit:])]

    def _own_message(self, ctx: Ctx) -> SentMessage:
        channel = self.channel_for(ctx)
        sent = self._messages.get(ctx.params["message_id"])
        if sent is None or sent.deleted or sent.channel_id != channel.id:
            raise ApiError(404, 10008, "Unknown Message")
        return sent

    async def _get_message(self, ctx: Ctx) -> Any:
        return self.message_payload(self._own_message(ctx))

    async def _edit_message(self, ctx: Ctx) -> Any:
        sent = self._own_message(ctx)
        self.apply_edit(sent, ctx.body or {}, ctx.record.files)
        return self.message_payload(sent)

    async def _delete_message(self, ctx: Ctx) -> Any:
        self._own_message(ctx).deleted = True
        return NO_CONTENT

    async def _typing(self, ctx: Ctx) -> Any:
        self.channel_for(ctx)
        return NO_CONTENT

    def _guild_for(self, ctx: Ctx) -> gw.Guild:
        guild = self.guilds.get(ctx.params["guild_id"])
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        return guild

    async def _get_guild(self, ctx: Ctx) -> Any:
        guild = self._guild_for(ctx)
        counts = {"approximate_member_count": len(guild.members), "approximate_presence_count": 0}
        return {**guild.rest_payload(), **counts}

    async def _get_guild_channels(self, ctx: Ctx) -> Any:
        return [c.payload() for c in self._guild_for(ctx).channels.values() if not c.deleted]

    async def _get_guild_roles(self, ctx: Ctx) -> Any:
        return [r.payload() for r in self._guild_for(ctx).roles.values()]

    async def _get_guild_member(self, ctx: Ctx) -> Any:
        member = self._guild_for(ctx).members.get(ctx.params["user_id"])
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return member.payload()

    # --- messages ------------------------------------------------------------------------------

    def store_message(
        self,
        channel_id: str,
        guild_id: str | None,
        body: Mapping[str, Any],
        files: list[str],
        *,
        via: Literal["channel", "interaction", "followup"] = "channel",
        interaction_id: str | None = None,
        flags: int | None = None,
    ) -> SentMessage:
        sent = SentMessage(
            self.new_id(),
            channel_id,
            guild_id,
            dict(body),
            self.now_iso(),
            via,
            int(body.get("flags") or 0) if flags is None else flags,
            list(files),
            interaction_id,
        )
        self._sent.setdefault(channel_id, []).append(sent)
        self._messages[sent.id] = sent
        return sent

    def apply_edit(self, sent: SentMessage, body: Mapping[str, Any], files: list[str]) -> None:
        sent.history.append(dict(sent.body))
        sent.body = {**sent.body, **body}
        sent.flags &= ~(1 << 7)  # an edit fills in a "thinking" message
        sent.files += files
        sent.edited_timestamp = self.now_iso()

    def message_payload(self, sent: SentMessage) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": sent.id,
            "channel_id": sent.channel_id,
            "type": 20 if sent.via == "interaction" else 0,
            "author": dict(self.bot_user),
            "content": sent.content,
            "timestamp": sent.timestamp,
            "edited_timestamp": sent.edited_timestamp,
            "tts": bool(sent.body.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [
                {"id": str(i), "filename": f, "size": 1, "url": f"https://cdn.invalid/{f}"}
                for i, f in enumerate(sent.files)
            ],
            "embeds": sent.embeds,
            "pinned": False,
            "flags": sent.flags,
            "components": _numbered(sent.components),
        }
        if sent.via != "channel":
            payload["webhook_id"] = self.application_id
            payload["application_id"] = self.application_id
        if sent.body.get("nonce") is not None:
            payload["nonce"] = sent.body["nonce"]
        return payload

    # --- commands and interactions -------------------------------------------------------------

    def _interaction_routes(self) -> dict[str, Handler]:
        routes: dict[str, Handler] = {
            "POST /interactions/{interaction_id}/{interaction_token}/callback": self._callback,
            f"POST {_WEBHOOK}": self._followup,
        }
        for base in (_COMMANDS, _GUILD_COMMANDS):
            routes[f"GET {base}"] = self._get_commands
            routes[f"PUT {base}"] = self._put_commands
            routes[f"POST {base}"] = self._post_command
            for method in ("GET", "PATCH", "DELETE"):
                routes[f"{method} {base}/{{command_id}}"] = self._one_command
        for tail in ("@original", "{message_id}"):
            for method in ("GET", "PATCH", "DELETE"):
                routes[f"{method} {_WEBHOOK}/messages/{tail}"] = self._webhook_message
        return routes

    def _extra_body_problems(
        self, op: Operation, record: RecordedRequest, body: Any
    ) -> list[Problem]:
        """The limits the spec leaves out, for the routes that carry messages or commands."""
        route = op.route
        if route in _MESSAGE_CREATES and isinstance(body, dict):
            if is_empty_message(body, bool(record.files)):
                return [Problem((), "EMPTY_MESSAGE", "Cannot send an empty message.")]
            return message_problems(body)
        if route in _MESSAGE_EDITS and isinstance(body, dict):
            return message_problems(body)
        if route.endswith("/callback") and isinstance(body, dict):
            raw = body.get("data")
            data: dict[str, Any] = raw if isinstance(raw, dict) else {}
            if body.get("type") == 4 and is_empty_message(data, bool(record.files)):
                return [Problem(("data",), "EMPTY_MESSAGE", "Cannot send an empty message.")]
            if body.get("type") in (4, 7):
                return message_problems(data, ("data",))
        if route.startswith(("PUT", "POST", "PATCH")) and "/commands" in route:
            return command_problems(body if isinstance(body, list) else [body])
        return []

    def _command_scope(self, ctx: Ctx) -> str | None:
        if ctx.params["application_id"] != self.application_id:
            why = f"application_id {ctx.params['application_id']} is not this bot's"
            raise self._violation(ctx.record, 403, 50001, "Missing Access", why)
        guild_id = ctx.params.get("guild_id")
        if guild_id is not None and guild_id not in self.guilds:
            raise ApiError(403, 50001, "Missing Access")
        return guild_id

    def _command_record(self, scope: str | None, body: Mapping[str, Any]) -> dict[str, Any]:
        kind = body.get("type") or 1
        previous = next(
            (
                c
                for c in self._commands.get(scope, [])
                if (c["type"], c["name"]) == (kind, body["name"])
            ),
            None,
        )
        perms = body.get("default_member_permissions")
        command: dict[str, Any] = {
            "id": previous["id"] if previous else self.new_id(),
            "application_id": self.application_id,
            "version": self.new_id(),
            "default_member_permissions": None if perms is None else str(perms),
            "type": kind,
            "name": body["name"],
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description") or "",
            "description_localizations": body.get("description_localizations"),
            "options": _without_nulls(body.get("options") or []),
            "nsfw": bool(body.get("nsfw")),
            "integration_types": body.get("integration_types") or [0],
            "contexts": body.get("contexts"),
        }
        if scope is None:
            command["dm_permission"] = body.get("dm_permission") is not False
        else:
            command["guild_id"] = scope
        return command

    async def _get_commands(self, ctx: Ctx) -> Any:
        return self.commands(self._command_scope(ctx))

    async def _put_commands(self, ctx: Ctx) -> Any:
        scope = self._command_scope(ctx)
        stored = [self._command_record(scope, body) for body in ctx.body or []]
        self._commands[scope] = stored
        return [dict(c) for c in stored]

    async def _post_command(self, ctx: Ctx) -> Any:
        scope = self._command_scope(ctx)
        command = self._command_record(scope, ctx.body)
        existing = self._commands.setdefault(scope, [])
        new = all(c["id"] != command["id"] for c in existing)
        self._commands[scope] = [c for c in existing if c["id"] != command["id"]] + [command]
        return (201 if new else 200), dict(command)

    async def _one_command(self, ctx: Ctx) -> Any:
        scope = self._command_scope(ctx)
        commands = self._commands.get(scope, [])
        found = next((c for c in commands if c["id"] == ctx.params["command_id"]), None)
        if found is None:
            raise ApiError(404, 10063, "Unknown application command")
        if ctx.op.method == "DELETE":
            self._commands[scope] = [c for c in commands if c is not found]
            return NO_CONTENT
        if ctx.op.method == "PATCH":
            found.update(self._command_record(scope, {**found, **ctx.body}))
        return dict(found)

    def interaction(self, interaction_id: str) -> FakeInteraction:
        try:
            return self._interactions[str(interaction_id)]
        except KeyError:
            raise AssertionError(f"no interaction {interaction_id} was dispatched") from None

    def expire_interaction(self, interaction_id: str) -> None:
        """Let the token lapse (Discord: 15 minutes): followups and edits get 401 50027."""
        self.interaction(interaction_id).expired = True

    def _synced(self, name: str, kind: int, guild_id: str | None) -> dict[str, Any]:
        for scope in ([guild_id] if guild_id else []) + [None]:
            for command in self._commands.get(scope, []):
                if (command["name"], command["type"]) == (name, kind):
                    return command
        known = [c["name"] for s in self._commands.values() for c in s]
        raise AssertionError(f"no command {name!r} (type {kind}) was synced; synced: {known}")

    async def dispatch_interaction(
        self,
        name: str,
        options: Mapping[str, Any] | list[dict[str, Any]] | None = None,
        *,
        channel_id: str,
        user_id: str | None = None,
        focused: str | None = None,
        command_type: int = 1,
        target_id: str | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """A member runs a synced command in a channel (or, with `focused`, types into an option).

        `options` maps option names to values, nested for subcommands ({"sub": {"opt": 1}}); the
        types come from the synced definition, and required options and choices are enforced as
        Discord's client does. A list is sent verbatim. With `focused` the interaction is an
        APPLICATION_COMMAND_AUTOCOMPLETE (type 4) and that option carries ``focused: true``.
        """
        channel = self._channels[str(channel_id)]
        guild = self.guilds[channel.guild_id]
        command = self._synced(name, command_type, guild.id)
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": command_type}
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        if isinstance(options, list):
            data["options"] = options
        elif options or command.get("options"):
            data["options"] = self._options(
                name, command.get("options", []), options or {}, focused
            )
        if target_id is not None:
            data["target_id"] = target_id
        resolved = self._resolved(guild, channel, data.get("options", []))
        if resolved:
            data["resolved"] = resolved
        kind = 4 if focused else 2
        return await self._dispatch(kind, name, data, channel, user_id, locale)

    async def dispatch_component(
        self,
        message_id: str,
        custom_id: str,
        *,
        user_id: str | None = None,
        values: list[str] | None = None,
        component_type: int = 2,
    ) -> FakeInteraction:
        """A member presses a button (component_type 2) or picks from a select (3) on a message."""
        message = self.message(message_id)
        channel = self._channels[message.channel_id]
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        extra = {"message": self.message_payload(message)}
        return await self._dispatch(
            3, custom_id, data, channel, user_id, "en-US", extra, message.id
        )

    async def _dispatch(
        self,
        kind: int,
        name: str,
        data: dict[str, Any],
        channel: gw.Channel,
        user_id: str | None,
        locale: str,
        extra: dict[str, Any] | None = None,
        message_id: str | None = None,
    ) -> FakeInteraction:
        guild = self.guilds[channel.guild_id]
        uid = user_id or self.default_user_id(guild.id)
        member = guild.members[uid]
        interaction_id = self.new_id()
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": self.application_id,
            "type": kind,
            "data": data,
            "guild_id": guild.id,
            "guild": {"id": guild.id, "locale": guild.locale, "features": []},
            "channel_id": channel.id,
            "channel": channel.payload(),
            "member": member.payload(permissions=guild.permissions(uid, channel)),
            "token": secrets.token_urlsafe(48),
            "version": 1,
            "app_permissions": str(guild.permissions(self.bot_user["id"], channel)),
            "locale": locale,
            "guild_locale": guild.locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": guild.id},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
            **(extra or {}),
        }
        interaction = FakeInteraction(
            interaction_id,
            payload["token"],
            kind,
            name,
            payload,
            channel.id,
            guild.id,
            uid,
            self.clock(),
            message_id,
        )
        self._interactions[interaction.id] = interaction
        self._by_token[interaction.token] = interaction
        if not await self.gateway.dispatch("INTERACTION_CREATE", payload):
            raise AssertionError(
                "no bot is connected to the fake gateway to receive the interaction"
            )
        return interaction

    def _options(
        self,
        command: str,
        defs: list[dict[str, Any]],
        values: Mapping[str, Any],
        focused: str | None,
    ) -> list[dict[str, Any]]:
        by_name = {d["name"]: d for d in defs}
        out: list[dict[str, Any]] = []
        for name, value in values.items():
            spec = by_name.get(name)
            if spec is None:
                raise AssertionError(f"/{command} has no option {name!r}; it has {list(by_name)}")
            if spec["type"] in (1, 2):
                inner = self._options(command, spec.get("options", []), value or {}, focused)
                out.append({"name": name, "type": spec["type"], "options": inner})
                continue
            option: dict[str, Any] = {"name": name, "type": spec["type"], "value": value}
            if name == focused:
                option["focused"] = True
            elif spec.get("choices") and value not in [c["value"] for c in spec["choices"]]:
                raise AssertionError(f"/{command} {name}={value!r} is not one of its choices")
            out.append(option)
        if focused is None:
            missing = [
                d["name"]
                for d in defs
                if d.get("required") and d["type"] not in (1, 2) and d["name"] not in values
            ]
            if missing:
                raise AssertionError(
                    f"/{command} needs options {missing}; Discord would not send it"
                )
        return out

    def _resolved(
        self, guild: gw.Guild, channel: gw.Channel, options: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The `resolved` map for user, channel, role and mentionable option values."""
        resolved: dict[str, dict[str, Any]] = {}
        stack = list(options)
        while stack:
            option = stack.pop()
            stack += option.get("options", [])
            key = str(option.get("value", ""))
            kind = _RESOLVED_KINDS.get(option.get("type", 0))
            if kind == "users" and key in guild.members:
                member = guild.members[key].payload(guild.permissions(key, channel))
                resolved.setdefault("users", {})[key] = member.pop("user")
                resolved.setdefault("members", {})[key] = member
            elif kind == "channels" and key in guild.channels:
                perms = guild.permissions(self.bot_user["id"], guild.channels[key])
                target = {**guild.channels[key].payload(), "permissions": str(perms)}
                resolved.setdefault("channels", {})[key] = target
            elif key in guild.roles and option.get("type") in (8, 9):
                resolved.setdefault("roles", {})[key] = guild.roles[key].payload()
        return resolved

    async def _callback(self, ctx: Ctx) -> Any:
        interaction = self._interactions.get(ctx.params["interaction_id"])
        if interaction is None or interaction.token != ctx.params["interaction_token"]:
            raise ApiError(404, 10062, "Unknown interaction")
        body = ctx.body
        interaction.callbacks.append(body)
        late = self.clock() - interaction.dispatched_at
        if self.callback_deadline is not None and late > self.callback_deadline:
            raise ApiError(404, 10062, "Unknown interaction")
        if interaction.callback is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        kind = body["type"]
        if kind not in _ALLOWED_CALLBACKS.get(interaction.type, set()):
            why = f"callback type {kind} cannot answer an interaction of type {interaction.type}"
            raise self._violation(ctx.record, 400, 50035, "Invalid Form Body", why)
        data = body.get("data") or {}
        interaction.callback = body
        channel, guild = interaction.channel_id, interaction.guild_id
        if kind == 4:
            interaction.original = self.store_message(
                channel,
                guild,
                data,
                ctx.record.files,
                via="interaction",
                interaction_id=interaction.id,
            )
        elif kind == 5:
            flags = (1 << 7) | (int(data.get("flags") or 0) & EPHEMERAL)
            interaction.original = self.store_message(
                channel,
                guild,
                {},
                [],
                via="interaction",
                interaction_id=interaction.id,
                flags=flags,
            )
        elif kind == 7 and interaction.message_id:
            self.apply_edit(self.message(interaction.message_id), data, ctx.record.files)
        elif kind == 8:
            interaction.choices = list(data.get("choices") or [])
        elif kind == 9:
            interaction.modal = data
        if not ctx.query_flag("with_response"):
            return NO_CONTENT
        return self._callback_response(interaction, kind)

    def _callback_response(self, interaction: FakeInteraction, kind: int) -> dict[str, Any]:
        message = self._original(interaction)
        summary: dict[str, Any] = {"id": interaction.id, "type": interaction.type}
        answer: dict[str, Any] = {"interaction": summary}
        if message is not None and kind in (4, 5, 7):
            summary["response_message_id"] = message.id
            summary["response_message_loading"] = message.loading
            summary["response_message_ephemeral"] = message.ephemeral
        if message is not None and kind in (4, 7):  # the only resources Discord returns
            answer["resource"] = {"type": kind, "message": self.message_payload(message)}
        return answer

    def _original(self, interaction: FakeInteraction) -> SentMessage | None:
        if interaction.original is not None:
            return interaction.original
        callback_type = (interaction.callback or {}).get("type")
        if interaction.message_id and callback_type in (6, 7):
            return self.message(interaction.message_id)  # "@original" is the component's message
        return None

    def _token_owner(self, ctx: Ctx) -> FakeInteraction:
        if ctx.params["webhook_id"] != self.application_id:
            raise ApiError(404, 10015, "Unknown Webhook")
        interaction = self._by_token.get(ctx.params["webhook_token"])
        if interaction is None or interaction.expired:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        if interaction.callback is None:
            # Followups and edits need the initial response (or a defer) first.
            raise ApiError(404, 10015, "Unknown Webhook")
        return interaction

    async def _followup(self, ctx: Ctx) -> Any:
        interaction = self._token_owner(ctx)
        original = interaction.original
        if original is not None and original.loading and not original.history:
            # The first followup after a defer fills in the "thinking" message.
            self.apply_edit(original, ctx.body, ctx.record.files)
            message = original
        else:
            flags = int(ctx.body.get("flags") or 0)
            message = self.store_message(
                interaction.channel_id,
                interaction.guild_id,
                ctx.body,
                ctx.record.files,
                via="followup",
                interaction_id=interaction.id,
                flags=flags,
            )
            interaction.followups.append(message)
        return self.message_payload(message) if ctx.query_flag("wait") else NO_CONTENT

    async def _webhook_message(self, ctx: Ctx) -> Any:
        interaction = self._token_owner(ctx)
        wanted = ctx.params.get("message_id")
        if wanted is None:
            message = self._original(interaction)
        else:
            candidates = [interaction.original, *interaction.followups]
            message = next((m for m in candidates if m is not None and m.id == wanted), None)
        if message is None or message.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        if ctx.op.method == "DELETE":
            message.deleted = True
            return NO_CONTENT
        if ctx.op.method == "PATCH":
            self.apply_edit(message, ctx.body or {}, ctx.record.files)
        return self.message_payload(message)

    async def wait_for_callback(
        self,
        interaction_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """The initial response the bot accepted for the interaction: {"type": ..., "data": ...}."""
        interaction = self.interaction(interaction_id)
        try:
            return await self.wait_for(lambda: interaction.callback, timeout, "a callback")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; attempts: {interaction.callbacks}") from None

    async def wait_for_response(
        self,
        interaction_id: str,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """The original response as the user sees it: present, not "thinking", matching."""
        interaction = self.interaction(interaction_id)

        def ready() -> SentMessage | None:
            message = self._original(interaction)
            if message is None or message.loading:
                return None
            return message if predicate is None or predicate(message) else None

        return await self.wait_for(ready, timeout, f"the response to interaction {interaction_id}")

    async def wait_for_followup(
        self,
        interaction_id: str,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """The next followup (after the response) that no earlier call returned."""
        interaction = self.interaction(interaction_id)

        def find() -> SentMessage | None:
            start = self._followup_cursor.get(interaction.id, 0)
            for index in range(start, len(interaction.followups)):
                message = interaction.followups[index]
                if predicate is None or predicate(message):
                    self._followup_cursor[interaction.id] = index + 1
                    return message
            return None

        return await self.wait_for(find, timeout, f"a followup to interaction {interaction_id}")


def _numbered(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Components as Discord answers them: each with a numeric id, depth first from 1."""
    counter = iter(range(1, 10_000))

    def number(component: dict[str, Any]) -> dict[str, Any]:
        out = {**component, "id": component.get("id") or next(counter)}
        if "components" in component:
            out["components"] = [number(c) for c in component["components"]]
        return out

    return [number(c) for c in components]


def _without_nulls(value: Any) -> Any:
    """Discord leaves unset fields out of what it stores and answers."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A running FakeDiscord with fast heartbeats; the test fails on any contract violation."""
    async with FakeDiscord(heartbeat_interval=0.05) as fake:
        yield fake


__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "FakeDiscord",
    "FakeInteraction",
    "FakeStats",
    "RecordedRequest",
    "SentMessage",
    "Violation",
    "fake_discord",
]
