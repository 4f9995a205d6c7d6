"""The Bot API methods FakeTelegram models; any other method in the spec answers ``true`` once
its request has passed the checks."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from tests.fakes.telegram_html import ParsedText, parse_html
from tests.fakes.telegram_model import ApiError, Chat, SentMessage, _scope_key
from tests.fakes.telegram_webhook import TelegramWebhook

MethodHandler = Callable[[dict[str, Any], Chat | None], Awaitable[Any]]


class TelegramMethods(TelegramWebhook):
    """One handler per modelled method: (decoded params, target chat or None) -> result; the
    table from method name to handler is FakeTelegram._methods."""

    bot_id: int
    callback_answers: dict[str, dict[str, Any]]
    chat_actions: list[tuple[int, str]]
    _poll_generation: int
    _polls_answered_early: int
    longest_poll: float | None
    _closing: bool

    async def _get_me(self, params: dict[str, Any], chat: Chat | None) -> Any:
        return dict(self.bot_user)

    async def _get_updates(self, params: dict[str, Any], chat: Chat | None) -> Any:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"])
        self._poll_generation += 1
        generation = self._poll_generation
        answered_early = self._polls_answered_early
        self._notify()  # a poll still waiting learns it was superseded
        loop = asyncio.get_running_loop()
        waits = max(0, params.get("timeout", 0))
        if self.longest_poll is not None:
            waits = min(waits, self.longest_poll)
        deadline = loop.time() + waits
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure "
                    "that only one bot instance is running",
                )
            updates = self._take_updates(params)
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or self._closing:
                return updates
            if answered_early != self._polls_answered_early:
                return updates  # getUpdates' faults changed: the next poll meets them
            await self._next_tick(remaining)

    async def _set_webhook(self, params: dict[str, Any], chat: Chat | None) -> Any:
        self.webhook_url = params["url"]
        self.webhook_secret = params.get("secret_token")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"])
        self._start_pushing()
        return True

    async def _delete_webhook(self, params: dict[str, Any], chat: Chat | None) -> Any:
        self.webhook_url = ""
        self.webhook_secret = None
        self._notify()  # the pushing task sees the webhook gone
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any], chat: Chat | None) -> Any:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _set_my_commands(self, params: dict[str, Any], chat: Chat | None) -> Any:
        # The spec says it in prose: "A two-letter ISO 639-1 language code", or empty.
        language = params.get("language_code", "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError(400, "Bad Request: invalid language code specified")
        key = (_scope_key(params.get("scope")), language)
        self._commands[key] = list(params["commands"])
        return True

    async def _get_my_commands(self, params: dict[str, Any], chat: Chat | None) -> Any:
        return self.commands(params.get("scope"), params.get("language_code", ""))

    async def _delete_my_commands(self, params: dict[str, Any], chat: Chat | None) -> Any:
        self._commands.pop((_scope_key(params.get("scope")), params.get("language_code", "")), None)
        return True

    async def _send_message(self, params: dict[str, Any], chat: Chat | None) -> Any:
        assert chat is not None
        reply: dict[str, Any] = params.get("reply_parameters") or {}
        strict = reply and not reply.get("allow_sending_without_reply") and "chat_id" not in reply
        if strict and not self._known_message(chat, reply["message_id"]):
            raise ApiError(400, "Bad Request: message to be replied not found")
        sent = self._store(chat, params, render(params))
        return self._message_dict(chat, sent)

    def _editable(self, params: dict[str, Any], chat: Chat | None) -> tuple[Chat, SentMessage]:
        if chat is None:  # inline_message_id: the bot sends no inline messages
            raise ApiError(400, "Bad Request: message to edit not found")
        for sent in self._sent.get(chat.id, []):
            if sent.message_id == params.get("message_id") and not sent.deleted:
                return chat, sent
        if params.get("message_id") in self._user_messages.get(chat.id, set()):
            raise ApiError(400, "Bad Request: message can't be edited")
        raise ApiError(400, "Bad Request: message to edit not found")

    def _apply_edit(
        self,
        chat: Chat,
        sent: SentMessage,
        parsed: ParsedText,
        markup: dict[str, Any] | None,
        params: dict[str, Any],
    ) -> Any:
        if (parsed.text, parsed.entities, markup) == (sent.text, sent.entities, sent.reply_markup):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current content "
                "and reply markup of the message",
            )
        sent.previous_texts.append(sent.text)
        sent.text, sent.entities, sent.reply_markup = parsed.text, parsed.entities, markup
        if "text" in params:
            sent.source, sent.parse_mode = params["text"], params.get("parse_mode")
        return self._message_dict(chat, sent)

    async def _edit_message_text(self, params: dict[str, Any], chat: Chat | None) -> Any:
        chat, sent = self._editable(params, chat)
        if "text" not in params:
            raise ApiError(400, "Bad Request: text is required (the fake has no rich messages)")
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        return self._apply_edit(chat, sent, render(params), params.get("reply_markup"), params)

    async def _edit_reply_markup(self, params: dict[str, Any], chat: Chat | None) -> Any:
        chat, sent = self._editable(params, chat)
        same = ParsedText(sent.text, sent.entities)
        return self._apply_edit(chat, sent, same, params.get("reply_markup"), params)

    async def _answer_callback_query(self, params: dict[str, Any], chat: Chat | None) -> Any:
        query_id = params["callback_query_id"]
        if query_id not in self._callbacks or query_id in self.callback_answers:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.callback_answers[query_id] = params
        return True

    async def _get_chat(self, params: dict[str, Any], chat: Chat | None) -> Any:
        assert chat is not None
        gifts = {name: False for name in self.spec.types["AcceptedGiftTypes"].fields}
        return {
            **chat.as_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    async def _get_chat_member(self, params: dict[str, Any], chat: Chat | None) -> Any:
        assert chat is not None
        user_id = params["user_id"]
        if user_id == self.bot_id:
            return chat.bot_member
        if chat.type == "private" and user_id != chat.id:
            raise ApiError(400, "Bad Request: user not found")
        status = self._members.get((chat.id, user_id), "member")
        return self._member_dict(self._user(user_id, "Fan"), status)

    async def _delete_message(self, params: dict[str, Any], chat: Chat | None) -> Any:
        assert chat is not None
        message_id = params["message_id"]
        for sent in self._sent.get(chat.id, []):
            if sent.message_id == message_id and not sent.deleted:
                sent.deleted = True
                return True
        if message_id in self._user_messages.get(chat.id, set()):
            self._user_messages[chat.id].discard(message_id)
            return True
        raise ApiError(400, "Bad Request: message to delete not found")

    async def _send_chat_action(self, params: dict[str, Any], chat: Chat | None) -> Any:
        assert chat is not None
        self.chat_actions.append((chat.id, params["action"]))
        return True


def render(params: dict[str, Any]) -> ParsedText:
    """The text a user reads; the checker has already refused malformed HTML."""
    mode = params.get("parse_mode")
    if isinstance(mode, str) and mode.lower() == "html":
        return parse_html(params["text"])
    return ParsedText(params["text"], list(params.get("entities", [])))
