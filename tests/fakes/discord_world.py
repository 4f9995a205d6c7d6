"""FakeDiscord's world as tests set it up (users, guilds, roles, channels) and watch it: what the
bot posted, waits that follow the bot, the gateway controls, and the violations log."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from tests.fakes import discord_gateway as gw
from tests.fakes.discord_model import ApiError, RecordedRequest, SentMessage, Violation

T = TypeVar("T")
DISCORD_EPOCH_MS = 1_420_070_400_000


class DiscordWorld:
    """The world and watching it; FakeDiscord.__init__ sets every attribute declared here."""

    token: str
    application_id: str
    application_flags: int
    bot_user: dict[str, Any]
    privileged_intents: int
    clock: Callable[[], float]
    wall_clock: Callable[[], float]
    gateway: gw.Gateway
    port: int
    violations: list[Violation]
    requests: list[RecordedRequest]
    guilds: dict[str, gw.Guild]
    users: dict[str, dict[str, Any]]
    _channels: dict[str, gw.Channel]
    _sent: dict[str, list[SentMessage]]
    _messages: dict[str, SentMessage]
    _cursor: dict[str, int]
    _commands: dict[str | None, list[dict[str, Any]]]
    _last_id: int
    _tick: asyncio.Event
    _tasks: set[asyncio.Task[Any]]

    # --- where it is served -----------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway/resume"

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

    def uploaded(self, filename: str) -> bytes:
        """The bytes of the latest file uploaded under `filename` (a `files[n]` part)."""
        for record in reversed(self.requests):
            for upload in record.uploads:
                if upload.filename == filename:
                    return upload.data
        raise AssertionError(f"no file {filename!r} was uploaded")

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

    # --- the violations log -----------------------------------------------------------------

    def gateway_violation(self, what: str, *problems: str) -> None:
        self.violations.append(Violation(f"GATEWAY {what}", list(problems), None, 0))

    def _violation(
        self, record: RecordedRequest, status: int, code: int, message: str, *why: str
    ) -> ApiError:
        self.violations.append(
            Violation(record.route or record.path, list(why), record.body, status)
        )
        return ApiError(status, code, message)
