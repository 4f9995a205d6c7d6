"""Syncing the slash commands to Discord only when the command table changed.

Discord keeps the commands it was given; a bulk overwrite on every start is wasted, is rate
limited (200 command creates a day per guild) and makes clients reload the command list. So the
hash of the payload last synced is kept in the store, per application and scope (a guild or
global), and the overwrite is sent only when the payload's hash differs: a new command, another
description, other choices (a season file added a series), other permissions.

The hash is written after Discord accepted the payload, so a failed sync is tried again at the
next start. Commands changed behind the bot's back (in the developer portal, by another
deployment with the same token) are not noticed: delete the `discord.commands...` value (or
change the table) to force a sync.
"""

from __future__ import annotations

import hashlib
import json
import logging

import discord
from discord import app_commands

from bot.store.protocol import Store

log = logging.getLogger("pitboard.discord")


async def command_table_digest(
    tree: app_commands.CommandTree[discord.Client], guild: discord.abc.Snowflake | None
) -> str:
    """The SHA-256 of the payload `tree.sync(guild=guild)` would send, independent of the
    order the commands were registered in; with the translator's localizations, so that a
    changed translation is synced too."""
    commands = tree.get_commands(guild=guild)
    translator = tree.translator
    if translator is None:
        payload = [command.to_dict(tree) for command in commands]
    else:
        payload = [await command.get_translated_payload(tree, translator) for command in commands]
    payload.sort(key=lambda command: (int(command.get("type") or 1), str(command["name"])))
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def digest_key(application_id: int | None, guild_id: int) -> str:
    return f"discord.commands.{application_id or 0}.{guild_id or 'global'}"


async def sync_if_changed(
    tree: app_commands.CommandTree[discord.Client], store: Store, guild_id: int
) -> bool:
    """Sync the tree to the guild (or globally, guild_id 0) if its payload changed since the
    last sync; returns whether it synced."""
    guild = discord.Object(guild_id) if guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    digest = await command_table_digest(tree, guild)
    key = digest_key(tree.client.application_id, guild_id)
    where = guild_id or "global"
    if await store.get_value(key) == digest:
        log.info("discord: commands unchanged since the last sync (%s); not synced", where)
        return False
    synced = await tree.sync(guild=guild)
    await store.set_value(key, digest)
    log.info("discord: %d commands synced (%s)", len(synced), where)
    return True
