"""How FakeDiscord takes the bot's answers to interactions: the initial callback (once, in time,
of a type that fits), followups, reading, editing and deleting ``@original`` and followups, and
the waits tests use to see them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes.discord_forms import DiscordForms
from tests.fakes.discord_model import (
    NO_CONTENT,
    ApiError,
    Ctx,
    FakeInteraction,
    Handler,
    SentMessage,
)
from tests.fakes.discord_spec import EPHEMERAL

# Callback types each interaction type may answer with (Discord's interaction docs).
_ALLOWED_CALLBACKS = {2: {4, 5, 9, 12}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
_WEBHOOK = "/webhooks/{webhook_id}/{webhook_token}"


class DiscordInteractions(DiscordForms):
    """Callback, followup and webhook-message routes; FakeDiscord.__init__ sets the attributes."""

    callback_deadline: float | None
    _followup_cursor: dict[str, int]

    def _interaction_routes(self) -> dict[str, Handler]:
        routes: dict[str, Handler] = {
            "POST /interactions/{interaction_id}/{interaction_token}/callback": self._callback,
            f"POST {_WEBHOOK}": self._followup,
        }
        for tail in ("@original", "{message_id}"):
            for method in ("GET", "PATCH", "DELETE"):
                routes[f"{method} {_WEBHOOK}/messages/{tail}"] = self._webhook_message
        return routes

    async def _callback(self, ctx: Ctx) -> Any:
        interaction = self._interactions.get(ctx.params["interaction_id"])
        if interaction is None or interaction.token != ctx.params["interaction_token"]:
            raise ApiError(404, 10062, "Unknown interaction")
        body = ctx.body
        interaction.callbacks.append(body)
        late = self.clock() - interaction.dispatched_at
        if self.callback_deadline is not None and late > self.callback_deadline:
            raise ApiError(404, 10062, "Unknown interaction")
        if interaction.callback is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        kind = body["type"]
        if kind not in _ALLOWED_CALLBACKS.get(interaction.type, set()):
            why = f"callback type {kind} cannot answer an interaction of type {interaction.type}"
            raise self._violation(ctx.record, 400, 50035, "Invalid Form Body", why)
        data = body.get("data") or {}
        interaction.callback = body
        channel, guild = interaction.channel_id, interaction.guild_id
        if kind == 4:
            interaction.original = self.store_message(
                channel,
                guild,
                data,
                ctx.record.files,
                via="interaction",
                interaction_id=interaction.id,
            )
        elif kind == 5:
            flags = (1 << 7) | (int(data.get("flags") or 0) & EPHEMERAL)
            interaction.original = self.store_message(
                channel,
                guild,
                {},
                [],
                via="interaction",
                interaction_id=interaction.id,
                flags=flags,
            )
        elif kind == 7 and interaction.message_id:
            self.apply_edit(self.message(interaction.message_id), data, ctx.record.files)
        elif kind == 8:
            interaction.choices = list(data.get("choices") or [])
        elif kind == 9:
            interaction.modal = data
        if not ctx.query_flag("with_response"):
            return NO_CONTENT
        return self._callback_response(interaction, kind)

    def _callback_response(self, interaction: FakeInteraction, kind: int) -> dict[str, Any]:
        message = self._original(interaction)
        summary: dict[str, Any] = {"id": interaction.id, "type": interaction.type}
        answer: dict[str, Any] = {"interaction": summary}
        if message is not None and kind in (4, 5, 7):
            summary["response_message_id"] = message.id
            summary["response_message_loading"] = message.loading
            summary["response_message_ephemeral"] = message.ephemeral
        if message is not None and kind in (4, 7):  # the only resources Discord returns
            answer["resource"] = {"type": kind, "message": self.message_payload(message)}
        return answer

    def _original(self, interaction: FakeInteraction) -> SentMessage | None:
        if interaction.original is not None:
            return interaction.original
        callback_type = (interaction.callback or {}).get("type")
        if interaction.message_id and callback_type in (6, 7):
            return self.message(interaction.message_id)  # "@original" is the component's message
        return None

    def _token_owner(self, ctx: Ctx) -> FakeInteraction:
        if ctx.params["webhook_id"] != self.application_id:
            raise ApiError(404, 10015, "Unknown Webhook")
        interaction = self._by_token.get(ctx.params["webhook_token"])
        if interaction is None or interaction.expired:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        if interaction.callback is None:
            # Followups and edits need the initial response (or a defer) first.
            raise ApiError(404, 10015, "Unknown Webhook")
        return interaction

    async def _followup(self, ctx: Ctx) -> Any:
        interaction = self._token_owner(ctx)
        original = interaction.original
        fillable = original is not None and not original.deleted and not original.history
        if original is not None and fillable and original.loading:
            # The first followup after a defer fills in the "thinking" message (unless the bot
            # deleted it: then the followup is a message of its own).
            self.apply_edit(original, ctx.body, ctx.record.files)
            message = original
        else:
            flags = int(ctx.body.get("flags") or 0)
            message = self.store_message(
                interaction.channel_id,
                interaction.guild_id,
                ctx.body,
                ctx.record.files,
                via="followup",
                interaction_id=interaction.id,
                flags=flags,
            )
            interaction.followups.append(message)
        return self.message_payload(message) if ctx.query_flag("wait") else NO_CONTENT

    async def _webhook_message(self, ctx: Ctx) -> Any:
        interaction = self._token_owner(ctx)
        wanted = ctx.params.get("message_id")
        if wanted is None:
            message = self._original(interaction)
        else:
            candidates = [interaction.original, *interaction.followups]
            message = next((m for m in candidates if m is not None and m.id == wanted), None)
        if message is None or message.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        if ctx.op.method == "DELETE":
            message.deleted = True
            return NO_CONTENT
        if ctx.op.method == "PATCH":
            self.apply_edit(message, ctx.body or {}, ctx.record.files)
        return self.message_payload(message)

    async def wait_for_callback(
        self,
        interaction_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """The initial response the bot accepted for the interaction: {"type": ..., "data": ...}."""
        interaction = self.interaction(interaction_id)
        try:
            return await self.wait_for(lambda: interaction.callback, timeout, "a callback")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; attempts: {interaction.callbacks}") from None

    async def wait_for_response(
        self,
        interaction_id: str,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """The original response as the user sees it: present, not "thinking", matching."""
        interaction = self.interaction(interaction_id)

        def ready() -> SentMessage | None:
            message = self._original(interaction)
            if message is None or message.loading:
                return None
            return message if predicate is None or predicate(message) else None

        return await self.wait_for(ready, timeout, f"the response to interaction {interaction_id}")

    async def wait_for_followup(
        self,
        interaction_id: str,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """The next followup (after the response) that no earlier call returned."""
        interaction = self.interaction(interaction_id)

        def find() -> SentMessage | None:
            start = self._followup_cursor.get(interaction.id, 0)
            for index in range(start, len(interaction.followups)):
                message = interaction.followups[index]
                if predicate is None or predicate(message):
                    self._followup_cursor[interaction.id] = index + 1
                    return message
            return None

        return await self.wait_for(find, timeout, f"a followup to interaction {interaction_id}")
