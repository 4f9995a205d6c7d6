"""The fake Discord's world: guilds, their roles, members and channels, and users.

The payloads are shaped like Discord's own (v10), complete enough that discord.py builds real
``Guild``/``TextChannel``/``Member`` objects from them and computes the same permissions the
fake enforces on REST calls (:meth:`Guild.permissions`, Discord's documented algorithm).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_APPLICATION_COMMANDS = 1 << 31
ALL_PERMISSIONS = (1 << 51) - 1
DEFAULT_EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | ADD_REACTIONS | USE_APPLICATION_COMMANDS
)
DEFAULT_BOT_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY | ADD_REACTIONS
)


def user_payload(user_id: str, username: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": username,
        "discriminator": "0",
        "global_name": None if bot else username.title(),
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "collectibles": None,
        "primary_guild": None,
    }


@dataclass
class Role:
    id: str
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    color: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": None,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": False,
            "managed": self.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass
class Member:
    user: dict[str, Any]
    roles: list[str]
    joined_at: str
    nick: str | None = None

    @property
    def id(self) -> str:
        return str(self.user["id"])

    def payload(self, permissions: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "user": dict(self.user),
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": list(self.roles),
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            out["permissions"] = str(permissions)
        return out


@dataclass
class Channel:
    id: str
    guild_id: str
    name: str
    type: int = 0  # 0 text, 2 voice, 4 category, 5 announcement, 15 forum
    position: int = 0
    topic: str | None = None
    parent_id: str | None = None
    overwrites: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    last_message_id: str | None = None

    def payload(self, *, with_guild_id: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "parent_id": self.parent_id,
            "permission_overwrites": [dict(o) for o in self.overwrites],
            "flags": 0,
            "nsfw": False,
        }
        if with_guild_id:  # channels inside GUILD_CREATE carry no guild_id
            out["guild_id"] = self.guild_id
        if self.type in (0, 5, 15):
            out.update(
                topic=self.topic, rate_limit_per_user=0, last_message_id=self.last_message_id
            )
        if self.type == 2:
            out.update(bitrate=64000, user_limit=0, rtc_region=None, last_message_id=None)
        return out


@dataclass
class Guild:
    id: str
    name: str
    owner_id: str
    joined_at: str
    roles: dict[str, Role] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    locale: str = "en-US"

    def permissions(self, user_id: str, channel: Channel | None = None) -> int:
        """Discord's permission algorithm: base from roles, then channel overwrites."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        role_ids = member.roles if member else []
        perms = self.roles[self.id].permissions
        for role_id in role_ids:
            if role_id in self.roles:
                perms |= self.roles[role_id].permissions
        if perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        if channel is None:
            return perms
        by_id = {o["id"]: o for o in channel.overwrites}
        if everyone := by_id.get(self.id):
            perms = (perms & ~int(everyone["deny"])) | int(everyone["allow"])
        allow = deny = 0
        for role_id in role_ids:
            if (o := by_id.get(role_id)) and o["type"] == 0:
                allow, deny = allow | int(o["allow"]), deny | int(o["deny"])
        perms = (perms & ~deny) | allow
        if (o := by_id.get(user_id)) and o["type"] == 1:
            perms = (perms & ~int(o["deny"])) | int(o["allow"])
        return perms if perms & VIEW_CHANNEL else 0

    def rest_payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": self.owner_id,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.locale,
            "nsfw_level": 0,
            "nsfw": False,
            "region": "deprecated",
            "home_header": None,
            "incidents_data": None,
        }

    def gateway_payload(self) -> dict[str, Any]:
        live = [c for c in self.channels.values() if not c.deleted]
        return {
            **self.rest_payload(),
            "joined_at": self.joined_at,
            "large": False,
            "unavailable": False,
            "lazy": True,
            "member_count": len(self.members),
            "members": [m.payload() for m in self.members.values()],
            "channels": [c.payload(with_guild_id=False) for c in live],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
