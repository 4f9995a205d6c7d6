"""FakeDiscord's REST routes for identity, the gateway URL, channels, messages and guilds, and the
messages the bot made (stored, edited, and answered as Discord's message payloads)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from tests.fakes import discord_gateway as gw
from tests.fakes.discord_model import NO_CONTENT, ApiError, Ctx, SentMessage
from tests.fakes.discord_world import DiscordWorld

# Discord checks an enforced nonce "in the past few minutes".
NONCE_WINDOW_SECONDS = 300.0
CROSSPOSTED = 1 << 0  # message flag: published to the channels following this one


class DiscordChannels(DiscordWorld):
    """Handlers for the bot's, channels' and guilds' routes (FakeDiscord._routes lists them), and
    the store of the bot's messages."""

    _nonces: dict[tuple[str, str], tuple[str, float]]  # (channel, nonce) -> (message, when)

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
        earlier = self._same_nonce(channel.id, ctx.body)
        if earlier is not None:
            return self.message_payload(earlier)
        sent = self.store_message(channel.id, channel.guild_id, ctx.body, ctx.record.files)
        self._remember_nonce(sent)
        payload = self.message_payload(sent)
        channel.last_message_id = sent.id
        member = self.guilds[channel.guild_id].members[self.bot_user["id"]].payload()
        member.pop("user")
        event = {**payload, "guild_id": channel.guild_id, "member": member}
        self._spawn(self.gateway.dispatch("MESSAGE_CREATE", event, intent=gw.GUILD_MESSAGES))
        return payload

    def _same_nonce(self, channel_id: str, body: Mapping[str, Any]) -> SentMessage | None:
        """Discord's `enforce_nonce`: a message the bot already made in the channel with this
        nonce in the past few minutes is answered again instead of being made twice."""
        nonce = body.get("nonce")
        if nonce is None or not body.get("enforce_nonce"):
            return None
        found = self._nonces.get((channel_id, str(nonce)))
        if found is None:
            return None
        message_id, at = found
        if self.clock() - at > NONCE_WINDOW_SECONDS:
            return None
        return self._messages[message_id]

    def _remember_nonce(self, sent: SentMessage) -> None:
        nonce = sent.body.get("nonce")
        if nonce is not None and sent.body.get("enforce_nonce"):
            self._nonces[(sent.channel_id, str(nonce))] = (sent.id, self.clock())

    async def _crosspost(self, ctx: Ctx) -> Any:
        """Publish a message of an announcement channel to the channels following it."""
        channel = self.channel_for(ctx)
        sent = self._own_message(ctx)
        if channel.type != 5:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        if sent.flags & CROSSPOSTED:
            raise ApiError(400, 40033, "This message has already been crossposted.")
        perms = self.guilds[channel.guild_id].permissions(self.bot_user["id"], channel)
        if not perms & gw.SEND_MESSAGES:  # its own message; another's needs MANAGE_MESSAGES
            raise ApiError(403, 50013, "Missing Permissions")
        sent.flags |= CROSSPOSTED
        return self.message_payload(sent)

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
                {
                    "id": str(i),
                    "filename": f,
                    "size": 1,
                    "url": f"https://cdn.invalid/{f}",
                    "proxy_url": f"https://media.invalid/{f}",
                }
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


def _numbered(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Components as Discord answers them: each with a numeric id, depth first from 1."""
    counter = iter(range(1, 10_000))

    def number(component: dict[str, Any]) -> dict[str, Any]:
        out = {**component, "id": component.get("id") or next(counter)}
        if "components" in component:
            out["components"] = [number(c) for c in component["components"]]
        return out

    return [number(c) for c in components]
