"""The fake Discord's gateway websocket.

The world it describes (guilds, channels, roles, members, permission bits) is in
:mod:`tests.fakes.discord_guilds`; those names are re-exported here.

The gateway speaks JSON, optionally ``zlib-stream`` compressed (one zlib context per
connection, each frame ending in a Z_SYNC_FLUSH: what discord.py asks for unless a zstd library
is importable, in which case it asks for ``zstd-stream`` and this fake closes with 4002).
It sends HELLO, accepts IDENTIFY (token, intents, properties), answers READY then one
GUILD_CREATE per guild, ACKs heartbeats, replays missed events on RESUME and answers
REQUEST_GUILD_MEMBERS with one GUILD_MEMBERS_CHUNK. Close codes follow Discord's table.

Sharding: an IDENTIFY may carry ``shard: [shard_id, num_shards]`` (id below the count, else
4010 "Invalid shard"). A sharded session hears only of the guilds on its shard,
``(guild_id >> 22) % num_shards``, in READY, its GUILD_CREATEs and every dispatched event
of a guild; events of no guild (DMs) go to shard 0, as Discord sends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from tests.fakes.discord_guilds import ADD_REACTIONS as ADD_REACTIONS
from tests.fakes.discord_guilds import ADMINISTRATOR as ADMINISTRATOR
from tests.fakes.discord_guilds import ALL_PERMISSIONS as ALL_PERMISSIONS
from tests.fakes.discord_guilds import ATTACH_FILES as ATTACH_FILES
from tests.fakes.discord_guilds import DEFAULT_BOT_PERMISSIONS as DEFAULT_BOT_PERMISSIONS
from tests.fakes.discord_guilds import DEFAULT_EVERYONE_PERMISSIONS as DEFAULT_EVERYONE_PERMISSIONS
from tests.fakes.discord_guilds import EMBED_LINKS as EMBED_LINKS
from tests.fakes.discord_guilds import MANAGE_GUILD as MANAGE_GUILD
from tests.fakes.discord_guilds import MENTION_EVERYONE as MENTION_EVERYONE
from tests.fakes.discord_guilds import READ_MESSAGE_HISTORY as READ_MESSAGE_HISTORY
from tests.fakes.discord_guilds import SEND_MESSAGES as SEND_MESSAGES
from tests.fakes.discord_guilds import USE_APPLICATION_COMMANDS as USE_APPLICATION_COMMANDS
from tests.fakes.discord_guilds import VIEW_CHANNEL as VIEW_CHANNEL
from tests.fakes.discord_guilds import Channel as Channel
from tests.fakes.discord_guilds import Guild as Guild
from tests.fakes.discord_guilds import Member as Member
from tests.fakes.discord_guilds import Role as Role
from tests.fakes.discord_guilds import user_payload as user_payload

# Intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
# Opcodes.
DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE_UPDATE, RESUME = 0, 1, 2, 3, 6
RECONNECT, REQUEST_GUILD_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 7, 8, 9, 10, 11
_CLIENT_OPS = frozenset({HEARTBEAT, IDENTIFY, PRESENCE_UPDATE, 4, RESUME, REQUEST_GUILD_MEMBERS})


class GatewayHost(Protocol):
    """What the gateway needs from the fake that owns it."""

    token: str
    bot_user: dict[str, Any]
    application_id: str
    application_flags: int
    guilds: dict[str, Guild]
    privileged_intents: int

    @property
    def resume_gateway_url(self) -> str: ...

    def gateway_violation(self, what: str, *problems: str) -> None: ...
    def notify(self) -> None: ...


@dataclass
class GatewaySession:
    session_id: str
    identify: dict[str, Any]
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    connection: GatewayConnection | None = None

    @property
    def intents(self) -> int:
        return int(self.identify.get("intents", 0))

    @property
    def shard(self) -> tuple[int, int] | None:
        shard = self.identify.get("shard")
        return None if shard is None else (int(shard[0]), int(shard[1]))

    def serves(self, guild_id: str | None) -> bool:
        """Whether this session hears of `guild_id`'s events (None: events of no guild)."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return shard_id == (0 if guild_id is None else shard_of(guild_id, count))


def shard_of(guild_id: str | int, shard_count: int) -> int:
    """The shard Discord sends a guild's events to."""
    return (int(guild_id) >> 22) % shard_count


def _guild_of(event: str, data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    if data.get("guild_id") is not None:
        return str(data["guild_id"])
    if event.startswith("GUILD_") and data.get("id") is not None:
        return str(data["id"])  # GUILD_CREATE, GUILD_UPDATE, GUILD_DELETE carry the guild
    return None


def _shard_problem(shard: Any) -> str | None:
    if shard is None:
        return None
    valid = (
        isinstance(shard, list)
        and len(shard) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in shard)
    )
    if not valid:
        return f"shard must be [shard_id, num_shards], got {shard!r}"
    shard_id, count = shard
    if count < 1 or not 0 <= shard_id < count:
        return f"shard id must be at least 0 and below num_shards, got {shard!r}"
    return None


@dataclass
class GatewayConnection:
    ws: web.WebSocketResponse
    path: str
    query: dict[str, str]
    compress: str | None
    session: GatewaySession | None = None
    heartbeats: int = 0
    close_code: int | None = None
    _zlib: Any = field(default=None, repr=False)

    async def send(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        if self.compress == "zlib-stream":
            if self._zlib is None:
                self._zlib = zlib.compressobj()
            data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
            await self.ws.send_bytes(data)
        else:
            await self.ws.send_str(text)

    async def close(self, code: int, reason: str) -> None:
        self.close_code = code
        await self.ws.close(code=code, message=reason.encode())


class Gateway:
    def __init__(self, host: GatewayHost, heartbeat_interval: float) -> None:
        self.host = host
        self.heartbeat_interval = heartbeat_interval
        self.connections: list[GatewayConnection] = []
        self.sessions: dict[str, GatewaySession] = {}
        self.identifies: list[dict[str, Any]] = []
        self.resumes = 0
        self.heartbeats = 0
        self.presence_updates: list[dict[str, Any]] = []
        # While True, new connections (and resumes) are refused with 503: a gateway outage.
        self.refusing = False

    @property
    def live(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.connection and not s.connection.ws.closed]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.refusing:
            return web.Response(status=503, text="fake: gateway unavailable")
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        query = dict(request.query)
        conn = GatewayConnection(ws, request.path, query, query.get("compress"))
        self.connections.append(conn)
        try:
            await self._serve(conn)
        finally:
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            self.host.notify()
        return ws

    async def _serve(self, conn: GatewayConnection) -> None:
        if conn.query.get("v") != "10":
            return await conn.close(4012, "Invalid API version.")
        if conn.query.get("encoding", "json") != "json" or conn.compress not in (
            None,
            "zlib-stream",
        ):
            # etf and zstd-stream are real options; this fake speaks only JSON and zlib.
            return await conn.close(4002, "Decode error (fake: unsupported encoding).")
        interval_ms = round(self.heartbeat_interval * 1000)
        await conn.send(
            {"op": HELLO, "d": {"heartbeat_interval": interval_ms}, "s": None, "t": None}
        )
        async for msg in conn.ws:
            if msg.type is not WSMsgType.TEXT:
                return await conn.close(4002, "Decode error.")
            try:
                payload = json.loads(msg.data)
                op = payload["op"]
            except (ValueError, KeyError, TypeError):
                return await conn.close(4002, "Decode error.")
            if op not in _CLIENT_OPS:
                return await conn.close(4001, "Unknown opcode.")
            if not await self._receive(conn, op, payload.get("d")):
                return None
            self.host.notify()
        return None

    async def _receive(self, conn: GatewayConnection, op: int, data: Any) -> bool:
        """Handle one client payload; False when the connection was closed."""
        if op == HEARTBEAT:
            conn.heartbeats += 1
            self.heartbeats += 1
            await conn.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
            return True
        if op == IDENTIFY:
            return await self._identify(conn, data)
        if op == RESUME:
            return await self._resume(conn, data)
        if conn.session is None:
            await conn.close(4003, "Not authenticated.")
            return False
        if op == REQUEST_GUILD_MEMBERS:
            await self._members_chunk(conn.session, data)
        elif op == PRESENCE_UPDATE:
            self.presence_updates.append(data)
        return True

    async def _identify(self, conn: GatewayConnection, data: Any) -> bool:
        if conn.session is not None:
            await conn.close(4005, "Already authenticated.")
            return False
        if not isinstance(data, dict) or data.get("token") != self.host.token:
            self.host.gateway_violation("IDENTIFY", "wrong or missing token")
            await conn.close(4004, "Authentication failed.")
            return False
        problems = []
        if not isinstance(data.get("properties"), dict):
            problems.append("properties (os, browser, device) missing")
        intents = data.get("intents")
        if not isinstance(intents, int) or isinstance(intents, bool) or intents < 0:
            problems.append(f"intents must be a non-negative integer, got {intents!r}")
        if problems:
            self.host.gateway_violation("IDENTIFY", *problems)
            await conn.close(4013, "Invalid intent(s).")
            return False
        shard_problem = _shard_problem(data.get("shard"))
        if shard_problem is not None:
            self.host.gateway_violation("IDENTIFY", shard_problem)
            await conn.close(4010, "Invalid shard.")
            return False
        assert isinstance(intents, int)
        if intents & PRIVILEGED_INTENTS & ~self.host.privileged_intents:
            await conn.close(4014, "Disallowed intent(s).")
            return False
        self.identifies.append(data)
        session = GatewaySession(uuid.uuid4().hex, data)
        self.sessions[session.session_id] = session
        conn.session, session.connection = session, conn
        await self._send_event(session, "READY", self._ready(session))
        if session.intents & GUILDS:
            for guild in self.host.guilds.values():
                if session.serves(guild.id):
                    await self._send_event(session, "GUILD_CREATE", guild.gateway_payload())
        return True

    def _ready(self, session: GatewaySession) -> dict[str, Any]:
        ready: dict[str, Any] = {
            "v": 10,
            "user": dict(self.host.bot_user),
            "user_settings": {},
            "guilds": [
                {"id": g, "unavailable": True} for g in self.host.guilds if session.serves(g)
            ],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.host.resume_gateway_url,
            "application": {"id": self.host.application_id, "flags": self.host.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ['["pitboard-fake-gateway",{"micros":0}]'],
        }
        if "shard" in session.identify:
            ready["shard"] = session.identify["shard"]
        return ready

    async def _resume(self, conn: GatewayConnection, data: Any) -> bool:
        session = self.sessions.get(data.get("session_id", "")) if isinstance(data, dict) else None
        if session is None or not isinstance(data, dict) or data.get("token") != self.host.token:
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return True
        old = session.connection
        if old is not None and old is not conn and not old.ws.closed:
            await old.close(4000, "Session resumed elsewhere.")
        conn.session, session.connection = session, conn
        self.resumes += 1
        seen = data.get("seq") or 0
        for event in session.events:
            if event["s"] > seen:
                await conn.send(event)
        await self._send_event(session, "RESUMED", {"_trace": ["pitboard-fake-gateway"]})
        return True

    async def _members_chunk(self, session: GatewaySession, data: Any) -> None:
        guild = self.host.guilds.get(str(data.get("guild_id"))) if isinstance(data, dict) else None
        if guild is None:
            return
        members = [m.payload() for m in guild.members.values()]
        chunk = {
            "guild_id": guild.id,
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self._send_event(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _send_event(self, session: GatewaySession, name: str, data: Any) -> bool:
        session.seq += 1
        event = {"op": DISPATCH, "t": name, "s": session.seq, "d": data}
        session.events.append(event)
        conn = session.connection
        if conn is None or conn.ws.closed:
            return False  # kept for a RESUME, as Discord does
        try:
            await conn.send(event)
        except ConnectionError:
            return False
        return True

    async def dispatch(self, name: str, data: Any, *, intent: int | None = None) -> int:
        """Send an event to every identified session (that asked for `intent`, on the event's
        guild's shard); how many got it."""
        delivered = 0
        guild_id = _guild_of(name, data)
        for session in list(self.sessions.values()):
            if (intent is None or session.intents & intent) and session.serves(guild_id):
                delivered += await self._send_event(session, name, data)
        return delivered

    async def send_op(self, op: int, data: Any = None) -> None:
        for session in self.live:
            assert session.connection is not None
            await session.connection.send({"op": op, "d": data, "s": None, "t": None})

    async def outage(self) -> None:
        """Drop every connection and refuse new ones until `refusing` is set False again."""
        self.refusing = True
        await self.drop()

    async def drop(self, code: int = 4000, reason: str = "fake: connection dropped") -> None:
        for session in self.live:
            assert session.connection is not None
            await session.connection.close(code, reason)

    async def close_all(self) -> None:
        for conn in self.connections:
            if not conn.ws.closed:
                with contextlib.suppress(TimeoutError, ConnectionError):
                    await asyncio.wait_for(conn.close(1001, "fake Discord shutting down"), 1.0)
