"""The Discord front-end: a discord.py client whose slash commands are the command table's.

Each slash command becomes a chat command line ("/standings tcr-germany-2022 teams") for the
router, so Discord answers exactly what Telegram and the terminal answer. Interactions are
acknowledged within Discord's 3 seconds: an answer that is not ready in 2 s is deferred and sent
as a follow-up. Buttons re-run the command they carry. Posts to channels go through the
delivery engine (`DiscordSender`).

Discord's conventions: what only the asker cares about is answered ephemerally (seen only by
them): settings, follows, the operators' commands, and every problem (a typo, a refusal). The
management and operators' commands are hidden from members without Manage Server (default
member permissions; the router still checks, since a server may give them to anyone). The
command table is synced only when it changed (`sync.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import discord
import yarl
from discord import InteractionResponseType, app_commands

from bot.chats import Caller, Router
from bot.chats.connection import ConnectionState
from bot.chats.health import ChannelHealth
from bot.config import DiscordConfig
from bot.core.audience import Chat, ChatKind, ChatRef
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock, SystemClock
from bot.core.commands import find_command, split_command_line
from bot.core.reply import Reply
from bot.editing import Editor
from bot.frontends.discord.edit_commands import register_edit_commands
from bot.frontends.discord.edit_flow import DiscordEdits
from bot.frontends.discord.edit_views import is_dialogue
from bot.frontends.discord.files import to_file, with_attachment
from bot.frontends.discord.gateway_watch import GatewayWatch
from bot.frontends.discord.render import render_once
from bot.frontends.discord.sender import (
    BUTTON_PREFIX,
    PLATFORM,
    DiscordSender,
    to_embed,
    to_view,
)
from bot.frontends.discord.slash import register_commands
from bot.frontends.discord.sync import sync_if_changed
from bot.frontends.discord.translate import CatalogTranslator
from bot.store.protocol import Store

log = logging.getLogger("pitboard.discord")

ANSWER_BEFORE_DEFER = 2.0  # seconds: Discord wants an acknowledgement within 3
READY_TIMEOUT = 30.0
READY_POLL = 0.05
# Answers only the member who asked should see: changing what the channel follows, settings,
# the operators' commands (Discord's convention; problems are private too, see `respond`).
PRIVATE_SCOPES = frozenset({"chat", "admin"})


def is_private_command(line: str) -> bool:
    command = find_command(split_command_line(line)[0])
    return command is not None and command.scope in PRIVATE_SCOPES


class PitboardClient(discord.Client):
    def __init__(self, frontend: DiscordFrontend, **options: Any) -> None:
        intents = discord.Intents.default()
        intents.message_content = False  # slash commands only: no privileged intent needed
        super().__init__(
            intents=intents, guild_ready_timeout=frontend.guild_ready_timeout, **options
        )
        self.tree = app_commands.CommandTree(self)
        self.frontend = frontend
        # Our own signal: discord.py's wait_until_ready() needs login to have happened first.
        self.connected = asyncio.Event()

    async def on_ready(self) -> None:
        self.frontend.gateway.connected_now()
        self.connected.set()

    # The gateway's live state, for /healthz (bot.frontends.discord.gateway_watch).
    async def on_connect(self) -> None:
        self.frontend.gateway.connected_now()

    async def on_resumed(self) -> None:
        self.frontend.gateway.connected_now()

    async def on_disconnect(self) -> None:
        self.frontend.gateway.disconnected_now()

    async def setup_hook(self) -> None:
        # Command names and descriptions in Swedish and German clients' languages too.
        await self.tree.set_translator(CatalogTranslator())
        register_commands(self.tree, self.frontend)
        register_edit_commands(self.tree, self.frontend, self.frontend.edits)
        await sync_if_changed(self.tree, self.frontend.store, self.frontend.config.sync_guild)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        # Slash commands are the tree's; a button press carries the command it re-runs; the
        # edit dialogue's modals and buttons are answered by its `Dialogues` (edit_views).
        kinds = (discord.InteractionType.component, discord.InteractionType.modal_submit)
        if interaction.type not in kinds:
            return
        data: dict[str, object] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if is_dialogue(custom_id):
            await self.frontend.edits.dialogues.dispatch(interaction, custom_id)
            return
        if interaction.type is not discord.InteractionType.component:
            return
        if custom_id.startswith(BUTTON_PREFIX):
            await self.frontend.answer(interaction, custom_id.removeprefix(BUTTON_PREFIX))


class ShardedPitboardClient(PitboardClient, discord.AutoShardedClient):
    """The same client on shards `shard_ids` of `shard_count` (discord.shard_count/shard_ids):
    Discord sends each guild's events to one shard only, `(guild_id >> 22) % shard_count`, so
    each process answers the guilds of its own shards."""


def make_client(frontend: DiscordFrontend, config: DiscordConfig) -> PitboardClient:
    if config.shard_count == 0:
        return PitboardClient(frontend)
    return ShardedPitboardClient(
        frontend,
        shard_count=config.shard_count,
        shard_ids=list(config.shard_ids) or None,
    )


class DiscordFrontend:
    def __init__(
        self,
        config: DiscordConfig,
        token: str,
        router: Router,
        store: Store,
        catalogs: CatalogHolder,
        health: ChannelHealth,
        *,
        guild_ready_timeout: float = 0.05,
        clock: Clock | None = None,
        editor: Editor,
    ) -> None:
        self.config = config
        self._token = token
        self.router = router
        self.store = store
        self.catalogs = catalogs
        self.guild_ready_timeout = guild_ready_timeout
        self._admins = {str(admin) for admin in config.admins}
        _point_discord_py_at(config)
        self.gateway = GatewayWatch(clock or SystemClock())
        self.client = make_client(self, config)
        self.sender = DiscordSender(self.client, health)
        # The admins' /edit dialogue (edit_flow) on the runtime's one Editor.
        self.edits = DiscordEdits(self, editor)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.client.is_closed():
            self.client.clear()  # a retry after a failed start: closed clients do not connect
        # Down until discord.py says it connected: a gateway that never answers counts too.
        self.gateway.disconnected_now()
        self._task = asyncio.create_task(self.client.start(self._token))
        # Polled rather than awaited together with the client task: asyncio.wait() on the
        # two was seen to miss the ready signal and sit out its whole timeout.
        for _ in range(int(READY_TIMEOUT / READY_POLL)):
            if self.client.connected.is_set() or self._task.done():
                break
            await asyncio.sleep(READY_POLL)
        if self._task.done():
            self._task.result()  # login failed: let the error say why (never the token)
        elif not self.client.connected.is_set():
            log.warning("discord: not ready after %.0f s; still trying to connect", READY_TIMEOUT)
        else:
            log.info("discord front-end started as %s", self.client.user)

    @staticmethod
    def token_rejected(error: BaseException) -> bool:
        """Whether a failed start means the token is wrong (retrying cannot help)."""
        return isinstance(error, discord.LoginFailure)

    def connection_state(self) -> ConnectionState:
        """The gateway now (for /healthz; meaningful once `start` succeeded)."""
        return self.gateway.state(self.client)

    async def stop(self) -> None:
        await self.client.close()
        if self._task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._task

    # -- answering --------------------------------------------------------------------------

    def caller(self, interaction: discord.Interaction, channel_id: int | None = None) -> Caller:
        target = channel_id or interaction.channel_id or 0
        in_guild = interaction.guild_id is not None
        user_id = str(interaction.user.id)
        is_admin = user_id in self._admins
        can_manage = not in_guild or is_admin or interaction.permissions.manage_guild
        # A new channel starts in its server's preferred language; a DM in the user's.
        locale = interaction.guild_locale if in_guild else interaction.locale
        return Caller(
            ChatRef(PLATFORM, str(target)),
            ChatKind.CHANNEL if in_guild else ChatKind.PRIVATE,
            user_id=user_id,
            is_admin=is_admin,
            display=f"{interaction.user.name}#{interaction.user.discriminator}",
            can_manage=can_manage,
            language=locale.value if locale is not None else None,
        )

    async def answer(
        self, interaction: discord.Interaction, line: str, *, caller: Caller | None = None
    ) -> Reply:
        """Run `line` for the interaction and respond in time (deferring when it is slow)."""
        who = caller or self.caller(interaction)
        private = is_private_command(line)
        work = asyncio.ensure_future(self.router.answer(line, who))
        done, _ = await asyncio.wait({work}, timeout=ANSWER_BEFORE_DEFER)
        if not done:
            await interaction.response.defer(thinking=True, ephemeral=private)
        answer = await work
        await self.respond(interaction, answer.reply, who.chat, ephemeral=private, chat=answer.chat)
        return answer.reply

    async def respond(
        self,
        interaction: discord.Interaction,
        reply: Reply,
        ref: ChatRef,
        *,
        ephemeral: bool = False,
        chat: Chat | None = None,
    ) -> None:
        """Send the reply as the interaction's answer: seen only by the member who asked
        when `ephemeral` (the answer was deferred so), when it is a problem (a typo, a
        refusal) or when it is a throttled member's acknowledgement; in the channel
        otherwise. `chat` is the channel's row as the router left it (read here if not)."""
        if chat is None:
            chat = await self.store.get_chat(ref)
        spoiler_safe = chat.spoiler_safe if chat else False
        messages = render_once(reply, spoiler_safe=spoiler_safe)
        if reply.attachment is not None:
            messages = with_attachment(messages, reply.attachment)
        private = ephemeral or not reply.ok or reply.silent
        try:
            if private and not ephemeral and _deferred(interaction):
                # A slow answer was deferred in public ("Pitboard is thinking..." for
                # everyone) and turned out to be a problem: remove the public placeholder,
                # which the first followup would otherwise fill in whatever its own flags.
                await interaction.delete_original_response()
            for number, message in enumerate(messages):
                view = to_view(message.buttons) or discord.utils.MISSING
                embeds = [to_embed(e) for e in message.embeds]
                mentions = discord.AllowedMentions.none()
                files = [to_file(message.attachment)] if message.attachment else []
                if number == 0 and not interaction.response.is_done():
                    await interaction.response.send_message(
                        embeds=embeds,
                        allowed_mentions=mentions,
                        view=view,
                        ephemeral=private,
                        files=files or discord.utils.MISSING,
                    )
                else:
                    await interaction.followup.send(
                        embeds=embeds,
                        allowed_mentions=mentions,
                        view=view,
                        ephemeral=private,
                        files=files or discord.utils.MISSING,
                    )
        except discord.HTTPException as error:
            # The fan misses this answer; the bot goes on serving everyone else.
            log.warning("discord: answering an interaction failed: %s %s", error.status, error.code)


def _deferred(interaction: discord.Interaction) -> bool:
    return interaction.response.type is InteractionResponseType.deferred_channel_message


def _point_discord_py_at(config: DiscordConfig) -> None:
    """discord.py reads its REST base and gateway from class attributes; config may move them
    (a local Discord-compatible server, or the tests' fake)."""
    discord.http.Route.BASE = config.api_base_url.rstrip("/")
    if config.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)
