"""Interactions FakeDiscord sends the bot as members would make them: running a synced command,
typing into an option (autocomplete), pressing a button or picking from a select."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from tests.fakes import discord_gateway as gw
from tests.fakes.discord_channels import DiscordChannels
from tests.fakes.discord_commands import DiscordCommands
from tests.fakes.discord_model import FakeInteraction

_RESOLVED_KINDS = {6: "users", 7: "channels", 8: "roles", 9: "users"}


class DiscordDispatch(DiscordCommands, DiscordChannels):
    """Interactions made and sent; FakeDiscord.__init__ sets the attributes declared here."""

    _interactions: dict[str, FakeInteraction]
    _by_token: dict[str, FakeInteraction]

    def interaction(self, interaction_id: str) -> FakeInteraction:
        try:
            return self._interactions[str(interaction_id)]
        except KeyError:
            raise AssertionError(f"no interaction {interaction_id} was dispatched") from None

    def expire_interaction(self, interaction_id: str) -> None:
        """Let the token lapse (Discord: 15 minutes): followups and edits get 401 50027."""
        self.interaction(interaction_id).expired = True

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
        permission_override: bool = False,
    ) -> FakeInteraction:
        """A member runs a synced command in a channel (or, with `focused`, types into an option).

        Only a command the member can see (`can_see`) can be run, unless `permission_override`
        (a server admin gave the command to others in the server's Integrations settings).

        `options` maps option names to values, nested for subcommands ({"sub": {"opt": 1}}); the
        types come from the synced definition, and required options and choices are enforced as
        Discord's client does. A list is sent verbatim. With `focused` the interaction is an
        APPLICATION_COMMAND_AUTOCOMPLETE (type 4) and that option carries ``focused: true``.
        """
        channel = self._channels[str(channel_id)]
        guild = self.guilds[channel.guild_id]
        command = self._synced(name, command_type, guild.id)
        uid = user_id or self.default_user_id(guild.id)
        if not permission_override and not self.can_see(command, uid, channel.id):
            raise AssertionError(
                f"Discord does not show /{name} to this member (it needs permissions "
                f"{command['default_member_permissions']}); pass permission_override=True to "
                "act as a server that granted it in its Integrations settings"
            )
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
        resolved = self._resolved(guild, channel, data.get("options", []), uid)
        if resolved:
            data["resolved"] = resolved
        kind = 4 if focused else 2
        return await self._dispatch(kind, name, data, channel, uid, locale)

    def can_see(self, command: Mapping[str, Any], user_id: str, channel_id: str) -> bool:
        """Whether Discord shows the synced command to the member in the channel: a command's
        `default_member_permissions` are the permissions a member needs ("0": only
        administrators; none: everyone), unless the server overrode them."""
        needed = command.get("default_member_permissions")
        if needed is None:
            return True
        channel = self._channels[str(channel_id)]
        guild = self.guilds[channel.guild_id]
        has = guild.permissions(user_id, channel)
        if has & gw.ADMINISTRATOR:  # the owner has every permission
            return True
        return int(needed) != 0 and has & int(needed) == int(needed)

    def command_visible(self, name: str, user_id: str, channel_id: str) -> bool:
        """`can_see` by the name of a command synced to the channel's guild (or globally)."""
        guild_id = self._channels[str(channel_id)].guild_id
        return self.can_see(self._synced(name, 1, guild_id), user_id, channel_id)

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
        self, guild: gw.Guild, channel: gw.Channel, options: list[dict[str, Any]], user_id: str
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
                # Discord: "computed permissions for the invoking user in the channel".
                perms = guild.permissions(user_id, guild.channels[key])
                target = {**guild.channels[key].payload(), "permissions": str(perms)}
                resolved.setdefault("channels", {})[key] = target
            elif key in guild.roles and option.get("type") in (8, 9):
                resolved.setdefault("roles", {})[key] = guild.roles[key].payload()
        attachments = self.resolved_attachments(options)
        if attachments:
            resolved["attachments"] = attachments
        return resolved

    def resolved_attachments(self, options: list[dict[str, Any]]) -> dict[str, Any]:
        """The `resolved.attachments` map for attachment options (`discord_forms` has files)."""
        return {}
