"""Whether the bot can post where a member wants posts: checked before `/subscribe` agrees.

A subscription to a channel the bot cannot post in would fail at the first post and be
deactivated; the member who asked should hear why at once, while they can still fix it.
"""

from __future__ import annotations

import discord

from bot.core.i18n import N_, _, and_list, ngettext

# What every post needs: seeing the channel, sending, and embeds (posts are embeds).
NEEDED_TO_POST = (
    ("view_channel", N_("View Channel")),
    ("send_messages", N_("Send Messages")),
    ("embed_links", N_("Embed Links")),
)
NEEDED_IN_THREADS = (
    ("view_channel", N_("View Channel")),
    ("send_messages_in_threads", N_("Send Messages in Threads")),
    ("embed_links", N_("Embed Links")),
)


def missing_to_post(
    interaction: discord.Interaction, channel_id: int | None = None
) -> tuple[str, list[str]] | None:
    """(the channel's name, the permissions the bot lacks there), or None when it can post
    (or when it cannot tell: a direct message, a channel it has not seen)."""
    guild = interaction.guild
    if guild is None:
        return None
    if channel_id is None or channel_id == interaction.channel_id:
        # Discord computed them for the channel the command was run in.
        permissions = interaction.app_permissions
        channel = interaction.channel
    else:
        channel = guild.get_channel(channel_id)
        if channel is None:
            return None
        permissions = channel.permissions_for(guild.me)
    needed = NEEDED_IN_THREADS if isinstance(channel, discord.Thread) else NEEDED_TO_POST
    missing = [label for name, label in needed if not getattr(permissions, name)]  # msgids
    if not missing:
        return None
    name = getattr(channel, "name", None)
    return (f"#{name}" if name else _("this channel")), missing


def cannot_post_message(channel: str, missing: list[str]) -> str:
    """`missing` are the permissions' msgids (shown translated, as Discord's own client names
    them in the reader's language)."""
    needed = and_list([_(label) for _name, label in NEEDED_TO_POST])
    return ngettext(
        "I can't post in {channel}: I'm missing the {missing} permission there, so it is not"
        " subscribed. Give Pitboard {needed} in that channel (Edit Channel → Permissions),"
        " then run /subscribe again.",
        "I can't post in {channel}: I'm missing the {missing} permissions there, so it is not"
        " subscribed. Give Pitboard {needed} in that channel (Edit Channel → Permissions),"
        " then run /subscribe again.",
        len(missing),
    ).format(channel=channel, missing=and_list([_(label) for label in missing]), needed=needed)
