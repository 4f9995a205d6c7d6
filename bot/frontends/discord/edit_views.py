"""The admins' edit dialogue on Discord: a modal to paste rows into, and Confirm/Cancel under a
preview, and what answers them.

discord.py's modal and view classes lay the components out; answering them is one place,
`Dialogues.dispatch`, called by the client for every modal submit and button press whose
custom_id is the dialogue's. It checks the member first, on every interaction: a modal or a
button is answered by whoever sends its custom_id (the ids are unguessable, `secrets`, only as
a second line of defence). Then it runs what the dialogue registered for that id, once; an id
already answered, timed out, or from before a restart is "expired". One place, because with
discord.py's own dispatch a member's press would be refused by the view while the client
could not tell an answered id from an unknown one without racing the view's task.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import discord

from bot.core.i18n import _

EDIT_PREFIX = "pitboard-edit:"
# The interaction token lives 15 minutes: a dialogue older than that cannot be answered anyway.
DIALOGUE_TIMEOUT = 15 * 60.0
ROWS_MAX = 4000  # Discord's limit on a text input
TITLE_MAX = 45  # Discord's limit on a modal's title and a text input's label
TEXT_INPUT, LABEL = 4, 18

Handler = Callable[[discord.Interaction], Awaitable[None]]


class Gate(Protocol):
    async def allowed(self, interaction: discord.Interaction) -> bool:
        """Whether the member may edit; answers the refusal itself when not."""
        ...

    async def expired(self, interaction: discord.Interaction) -> None: ...

    def speaking(self, interaction: discord.Interaction) -> AbstractAsyncContextManager[None]:
        """Inside: the dialogue's words in the chat's language."""
        ...

    async def failed(self, interaction: discord.Interaction, error: Exception) -> None: ...


def new_custom_id(kind: str) -> str:
    return f"{EDIT_PREFIX}{kind}:{secrets.token_hex(8)}"


def is_dialogue(custom_id: str) -> bool:
    return custom_id.startswith(EDIT_PREFIX)


class Dialogues:
    """What each open dialogue's custom_ids do; each id answered once."""

    def __init__(self, gate: Gate) -> None:
        self._gate = gate
        self._open: dict[str, tuple[Handler, tuple[str, ...]]] = {}

    def open(self, handlers: Mapping[str, Handler]) -> None:
        """Ids answered together: answering one (Confirm) closes the others (Cancel)."""
        together = tuple(handlers)
        for custom_id, handler in handlers.items():
            self._open[custom_id] = (handler, together)

    def close(self, custom_ids: Iterable[str]) -> None:
        for custom_id in custom_ids:
            self._open.pop(custom_id, None)

    async def dispatch(self, interaction: discord.Interaction, custom_id: str) -> None:
        async with self._gate.speaking(interaction):
            await self._dispatch(interaction, custom_id)

    async def _dispatch(self, interaction: discord.Interaction, custom_id: str) -> None:
        if not await self._gate.allowed(interaction):
            return  # refused, and the dialogue stays open for its admin
        found = self._open.get(custom_id)
        if found is None:
            await self._gate.expired(interaction)
            return
        handler, together = found
        self.close(together)
        try:
            await handler(interaction)
        except Exception as error:  # answered, logged; the client's event loop goes on
            await self._gate.failed(interaction, error)


class RowsModal(discord.ui.Modal):
    """One paragraph input for pasted rows (SPEC16 §6 lines, or a CSV with its header)."""

    def __init__(
        self,
        dialogues: Dialogues,
        title: str,
        label: str,
        placeholder: str,
        on_rows: Callable[[discord.Interaction, str], Awaitable[None]],
    ) -> None:
        super().__init__(
            title=title[:TITLE_MAX], timeout=DIALOGUE_TIMEOUT, custom_id=new_custom_id("rows")
        )
        self._dialogues = dialogues
        self.rows: discord.ui.TextInput[RowsModal] = discord.ui.TextInput(
            label=label[:TITLE_MAX],
            style=discord.TextStyle.paragraph,
            placeholder=placeholder[:100],
            max_length=ROWS_MAX,
            custom_id=new_custom_id("rows-text"),
        )
        self.add_item(self.rows)
        input_id = self.rows.custom_id

        async def submitted(interaction: discord.Interaction) -> None:
            await on_rows(interaction, submitted_text(interaction.data or {}, input_id))

        dialogues.open({self.custom_id: submitted})

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return False  # answered by `Dialogues.dispatch`, not by discord.py's modal dispatch

    async def on_timeout(self) -> None:
        self._dialogues.close([self.custom_id])


class ConfirmView(discord.ui.View):
    """Confirm / Cancel under a preview; answered once, then the buttons are gone."""

    def __init__(self, dialogues: Dialogues, on_confirm: Handler, on_cancel: Handler) -> None:
        super().__init__(timeout=DIALOGUE_TIMEOUT)
        self._dialogues = dialogues
        confirm: discord.ui.Button[ConfirmView] = discord.ui.Button(
            label=_("Confirm"),
            style=discord.ButtonStyle.success,
            custom_id=new_custom_id("confirm"),
        )
        cancel: discord.ui.Button[ConfirmView] = discord.ui.Button(
            label=_("Cancel"),
            style=discord.ButtonStyle.secondary,
            custom_id=new_custom_id("cancel"),
        )
        self.add_item(confirm)
        self.add_item(cancel)
        self._ids = (str(confirm.custom_id), str(cancel.custom_id))
        dialogues.open({self._ids[0]: on_confirm, self._ids[1]: on_cancel})

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return False  # answered by `Dialogues.dispatch`, not by discord.py's view dispatch

    async def on_timeout(self) -> None:
        self._dialogues.close(self._ids)


def submitted_text(data: Mapping[str, Any], input_id: str) -> str:
    """The value of text input `input_id` in a modal submit (in action rows or labels)."""
    stack = list(data.get("components") or [])
    while stack:
        component = stack.pop()
        if component.get("type") == TEXT_INPUT and component.get("custom_id") == input_id:
            return str(component.get("value") or "")
        stack += component.get("components") or []
        if component.get("type") == LABEL and component.get("component"):
            stack.append(component["component"])
    return ""
