"""The admins' edit dialogue on Discord: a modal to paste rows into, and Confirm/Cancel under a
preview.

Both check the member on every interaction (`Gate.allowed`), not only when the command ran: a
modal or a button is answered by whoever sends its custom_id, and the custom_ids are made
unguessable (`secrets`) only as a second line of defence. What a confirmed edit does is the
flow's (`bot.frontends.discord.edit_flow`); these classes only collect and forward.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Protocol

import discord

EDIT_PREFIX = "pitboard-edit:"
# The interaction token lives 15 minutes: a preview older than that cannot be answered anyway.
DIALOGUE_TIMEOUT = 15 * 60.0
ROWS_MAX = 4000  # Discord's limit on a text input
TITLE_MAX = 45  # Discord's limit on a modal's title


class Gate(Protocol):
    async def allowed(self, interaction: discord.Interaction) -> bool:
        """Whether the member may edit; answers the refusal itself when not."""
        ...


# Every custom_id this process handed out: one it never made (made before a restart, or
# forged) is answered by the client's fallback (`bot.py`) instead of failing in silence.
ISSUED: set[str] = set()


def new_custom_id(kind: str) -> str:
    custom_id = f"{EDIT_PREFIX}{kind}:{secrets.token_hex(8)}"
    ISSUED.add(custom_id)
    return custom_id


def is_stale_edit_id(custom_id: str) -> bool:
    """An edit dialogue's custom_id this process did not make."""
    return custom_id.startswith(EDIT_PREFIX) and custom_id not in ISSUED


class RowsModal(discord.ui.Modal):
    """One paragraph input for pasted rows (SPEC16 §6 lines, or a CSV with its header)."""

    def __init__(
        self,
        gate: Gate,
        title: str,
        label: str,
        placeholder: str,
        on_rows: Callable[[discord.Interaction, str], Awaitable[None]],
    ) -> None:
        super().__init__(
            title=title[:TITLE_MAX], timeout=DIALOGUE_TIMEOUT, custom_id=new_custom_id("rows")
        )
        self._gate = gate
        self._on_rows = on_rows
        self.rows: discord.ui.TextInput[RowsModal] = discord.ui.TextInput(
            label=label[:TITLE_MAX],
            style=discord.TextStyle.paragraph,
            placeholder=placeholder[:100],
            max_length=ROWS_MAX,
            custom_id=new_custom_id("rows-text"),
        )
        self.add_item(self.rows)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await self._gate.allowed(interaction)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._on_rows(interaction, self.rows.value)


class ConfirmView(discord.ui.View):
    """Confirm / Cancel under a preview; answered once, then the buttons are gone."""

    def __init__(
        self,
        gate: Gate,
        on_confirm: Callable[[discord.Interaction], Awaitable[None]],
        on_cancel: Callable[[discord.Interaction], Awaitable[None]],
    ) -> None:
        super().__init__(timeout=DIALOGUE_TIMEOUT)
        self._gate = gate
        self._on_confirm = on_confirm
        self._on_cancel = on_cancel
        confirm: discord.ui.Button[ConfirmView] = discord.ui.Button(
            label="Confirm", style=discord.ButtonStyle.success, custom_id=new_custom_id("confirm")
        )
        cancel: discord.ui.Button[ConfirmView] = discord.ui.Button(
            label="Cancel", style=discord.ButtonStyle.secondary, custom_id=new_custom_id("cancel")
        )
        confirm.callback = self._confirmed  # type: ignore[method-assign]
        cancel.callback = self._cancelled  # type: ignore[method-assign]
        self.add_item(confirm)
        self.add_item(cancel)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await self._gate.allowed(interaction)

    async def _confirmed(self, interaction: discord.Interaction) -> None:
        self.stop()  # a second press (a double click) finds no view and changes nothing
        await self._on_confirm(interaction)

    async def _cancelled(self, interaction: discord.Interaction) -> None:
        self.stop()
        await self._on_cancel(interaction)
