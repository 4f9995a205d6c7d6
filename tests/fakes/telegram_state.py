"""FakeTelegram's world: chats, what the bot sent there, users' messages and button presses, the
update queue getUpdates serves, and the waits tests use to follow the bot."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from tests.fakes.telegram_html import ParsedText
from tests.fakes.telegram_model import (
    Chat,
    ChatType,
    FakeStats,
    RecordedRequest,
    SentMessage,
    _scope_key,
    _type_for,
)
from tests.fakes.telegram_spec import BotApiSpec

T = TypeVar("T")
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
# Update types that arrive only when asked for by name (Bot API: allowed_updates).
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class TelegramState:
    """Chats, messages and updates; FakeTelegram.__init__ sets every attribute declared here."""

    bot_user: dict[str, Any]
    spec: BotApiSpec
    requests: list[RecordedRequest]
    stats: FakeStats
    chats: dict[int, Chat]
    _sent: dict[int, list[SentMessage]]
    _all_sent: list[SentMessage]
    _user_messages: dict[int, set[int]]
    _next_message_id: dict[int, itertools.count[int]]
    _cursor: dict[int, int]
    _updates: list[dict[str, Any]]
    _update_ids: itertools.count[int]
    _allowed_updates: list[str]
    _callbacks: dict[str, dict[str, Any]]
    _callback_ids: itertools.count[int]
    _commands: dict[tuple[str, str], list[dict[str, Any]]]
    _members: dict[tuple[int, int], str]
    _tick: asyncio.Event

    # --- what the bot sent ----------------------------------------------------------------

    def sent(self, chat_id: int | str) -> list[SentMessage]:
        chat = self._find_chat(chat_id)
        return list(self._sent.get(chat.id if chat else 0, []))

    def all_sent(self) -> list[SentMessage]:
        return list(self._all_sent)

    def message(self, chat_id: int | str, message_id: int) -> SentMessage:
        for sent in self.sent(chat_id):
            if sent.message_id == message_id:
                return sent
        raise AssertionError(f"the bot sent no message {message_id} to {chat_id}")

    def calls(self, method: str) -> list[dict[str, Any]]:
        return [r.params for r in self.requests if r.method == method]

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[Any]:
        return list(self._commands.get((_scope_key(scope), language_code), []))

    # ASYNC109: tests want a plain `timeout` argument, as the brief for this fake specifies.
    async def wait_for(
        self,
        condition: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "",
    ) -> T:
        """Wait until `condition()` is truthy (re-checked after every request); return it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (result := condition()):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
            await self._next_tick(remaining)
        return result

    async def _next_tick(self, seconds: float) -> None:
        """Sleep until the next request or pushed update, or for `timeout` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._tick.wait(), seconds)

    async def wait_for_message(
        self,
        chat_id: int | str,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """The next message sent to the chat (matching `predicate`) that no earlier call returned.

        A per-chat cursor makes this race-free: a reply that arrived before the call is still
        "next"; messages skipped over because they did not match stay skipped.
        """

        def find() -> SentMessage | None:
            chat = self._find_chat(chat_id)
            if chat is None:
                return None
            messages = self._sent.get(chat.id, [])
            for index in range(self._cursor.get(chat.id, 0), len(messages)):
                if predicate is None or predicate(messages[index]):
                    self._cursor[chat.id] = index + 1
                    return messages[index]
            return None

        try:
            return await self.wait_for(find, timeout, f"a message to {chat_id}")
        except AssertionError as exc:
            texts = [m.text[:80] for m in self.sent(chat_id)]
            raise AssertionError(f"{exc}; sent there so far: {texts}") from None

    # --- driving the bot like users do ----------------------------------------------------

    def add_chat(
        self,
        chat_id: int,
        chat_type: ChatType = "private",
        *,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = Chat(chat_id, chat_type, title, username, first_name)
            if chat_type != "private":
                chat.title = title or f"Chat {chat_id}"
            elif first_name is None:
                chat.first_name = "Fan"
            default = "administrator" if chat_type == "channel" else "member"
            chat.bot_member = self._member_dict(self.bot_user, default, can_post_messages=True)
            self.chats[chat_id] = chat
        return chat

    def set_bot_status(self, chat_id: int, status: str, **rights: bool) -> None:
        """The bot's ChatMember in a chat: "administrator" (by default with can_post_messages),
        "member", "left", "kicked"...; rights are ChatMember fields such as can_post_messages."""
        chat = self.chats.get(chat_id) or self.add_chat(chat_id, _type_for(chat_id))
        if status == "administrator":
            rights = {"can_post_messages": True, **rights}
        chat.bot_member = self._member_dict(self.bot_user, status, **rights)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        self._members[(chat_id, user_id)] = status

    def push_update(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, kind: payload})
        self._notify()
        return update_id

    def push_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: ChatType | None = None,
        username: str | None = None,
        first_name: str = "Fan",
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """A user (or, in a channel, the channel) writes `text`; returns the Message."""
        chat_type = chat_type or (
            self.chats[chat_id].type if chat_id in self.chats else _type_for(chat_id)
        )
        if chat_type == "private":
            chat = self.add_chat(chat_id, chat_type, username=username, first_name=first_name)
        else:
            chat = self.add_chat(chat_id, chat_type)
        message = self._new_message(chat, text)
        self._user_messages.setdefault(chat.id, set()).add(message["message_id"])
        if chat_type == "channel":
            message["sender_chat"] = chat.as_dict()
        else:
            sender = user_id or (chat_id if chat_type == "private" else 424242)
            message["from"] = self._user(sender, first_name, username, language_code)
        entities = [
            {"type": "bot_command", "offset": _utf16(text[: m.start()]), "length": _utf16(m[0])}
            for m in _COMMAND.finditer(text)
        ]
        if entities:
            message["entities"] = entities
        self.push_update("channel_post" if chat_type == "channel" else "message", message)
        return message

    def push_callback(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        require_button: bool = True,
    ) -> str:
        """A user presses an inline button on a message the bot sent; returns the query id."""
        sent = self.message(chat_id, message_id)
        offered = [b.get("callback_data") for row in sent.buttons for b in row]
        if require_button and data not in offered:
            raise AssertionError(
                f"message {message_id} has no button with data {data!r}: {offered}"
            )
        query_id = str(next(self._callback_ids))
        chat = self.chats[sent.chat_id]
        user = self._user(user_id or (chat.id if chat.type == "private" else 424242), "Fan")
        message = (
            {"chat": chat.as_dict(), "message_id": message_id, "date": 0}
            if sent.deleted
            else self._message_dict(chat, sent)
        )
        query = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(abs(chat.id) * 7 + 3),
            "data": data,
        }
        self._callbacks[query_id] = query
        self.push_update("callback_query", query)
        return query_id

    def press(self, chat_id: int, message_id: int, button_text: str, **kw: Any) -> str:
        data = self.message(chat_id, message_id).button(button_text).get("callback_data")
        if not isinstance(data, str):
            raise AssertionError(f"button {button_text!r} is not a callback button")
        return self.push_callback(chat_id, message_id, data, **kw)

    # --- shared with the layers above: handlers, faults, the server ------------------------

    def _notify(self) -> None:
        self._tick.set()
        self._tick = asyncio.Event()

    def _find_chat(self, ref: int | str) -> Chat | None:
        if isinstance(ref, str) and ref.startswith("@"):
            return next((c for c in self.chats.values() if c.username == ref[1:]), None)
        return self.chats.get(int(ref))

    def _user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def _member_dict(self, user: dict[str, Any], status: str, **rights: bool) -> dict[str, Any]:
        kind = {
            "creator": "ChatMemberOwner",
            "administrator": "ChatMemberAdministrator",
            "member": "ChatMemberMember",
            "restricted": "ChatMemberRestricted",
            "left": "ChatMemberLeft",
            "kicked": "ChatMemberBanned",
        }[status]
        member: dict[str, Any] = {"status": status, "user": user}
        for name, spec in self.spec.types[kind].fields.items():
            if name in rights:
                member[name] = rights[name]
            elif spec.required and name not in member:
                member[name] = 0 if spec.types == ("Integer",) else False
        return member

    def _new_message(self, chat: Chat, text: str | None) -> dict[str, Any]:
        counter = self._next_message_id.setdefault(chat.id, itertools.count(1))
        message: dict[str, Any] = {
            "message_id": next(counter),
            "date": int(time.time()),
            "chat": chat.as_dict(),
        }
        if text is not None:
            message["text"] = text
        return message

    def _message_dict(self, chat: Chat, sent: SentMessage) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": sent.date,
            "chat": chat.as_dict(),
            "text": sent.text,
        }
        if chat.type == "channel":
            message["sender_chat"] = chat.as_dict()
        else:
            message["from"] = {
                k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")
            }
        if sent.entities:
            message["entities"] = sent.entities
        if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        if sent.previous_texts:
            message["edit_date"] = int(time.time())
        return message

    def _store(self, chat: Chat, params: dict[str, Any], parsed: ParsedText) -> SentMessage:
        number = self._new_message(chat, None)["message_id"]
        sent = SentMessage(
            chat.id,
            number,
            parsed.text,
            params["text"],
            params.get("parse_mode"),
            parsed.entities,
            params.get("reply_markup"),
            params,
            int(time.time()),
        )
        self._sent.setdefault(chat.id, []).append(sent)
        self._all_sent.append(sent)
        self.stats.sent_messages += 1
        return sent

    def _known_message(self, chat: Chat, message_id: int) -> bool:
        ids = {m.message_id for m in self._sent.get(chat.id, []) if not m.deleted}
        return message_id in ids or message_id in self._user_messages.get(chat.id, set())

    def _take_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._updates = self._updates[offset:]
        allowed = (
            set(self._allowed_updates)
            or {f.name for f in self.spec.types["Update"].fields.values()} - _OPT_IN_UPDATES
        )
        self._updates = [u for u in self._updates if set(u) - {"update_id"} <= allowed]
        return self._updates[: max(1, min(100, params.get("limit", 100)))]
