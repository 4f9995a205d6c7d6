"""FakeTelegram: a local Bot API server that checks every request against the published spec.

Point python-telegram-bot at it with ``Bot(token, base_url=fake.base_url)`` (or
``ApplicationBuilder().base_url(fake.base_url)``). It speaks HTTP on 127.0.0.1, so the bot's
real request code (HTTPXRequest, encoding, error mapping) runs end to end; nothing reaches the
internet. Requests that break the contract are answered 400 (401 for a wrong token) like the
real API *and* recorded in ``violations``; leaving the ``async with`` block raises if there were
any, unless ``allow_violations=True``.

Tests drive it like users do (``push_message``, ``push_callback``/``press``), read what the bot
sent (``sent``, ``wait_for_message``), and inject the failures delivery has to survive
(``fail_next``, ``set_fault_rate``, ``block``, ``migrate``, ``RateLimitRules``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import random
import re
import reprlib
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, TypeVar

import pytest_asyncio
from aiohttp import web

from tests.fakes.telegram_spec import BotApiSpec, ParsedText, parse_html

T = TypeVar("T")
DEFAULT_TOKEN = "123456789:AAFakeTelegramTokenForPitboardTests_x"
FaultKind = Literal[
    "flood",
    "blocked",
    "migrated",
    "chat_not_found",
    "server_error",
    "bad_gateway",
    "reset",
    "lost_response",
]
ChatType = Literal["private", "group", "supergroup", "channel"]
ANY_METHOD: frozenset[str] = frozenset({"*"})
_PATH = re.compile(r"/bot([^/]*)/([^/]+)")
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
# Update types that arrive only when asked for by name (Bot API: allowed_updates).
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_SHORT = reprlib.Repr()  # Python 3.11: no keyword arguments yet
_SHORT.maxstring = _SHORT.maxother = 80


def _posts(method: str) -> bool:
    """Methods that put something into a chat: what faults, blocks and migrations hit."""
    return method.startswith(("send", "edit", "copy", "forward")) or method == "deleteMessage"


def _rate_limited(method: str) -> bool:
    return method.startswith(("send", "copy", "forward")) and method != "sendChatAction"


@dataclass(frozen=True)
class RateLimitRules:
    """Telegram's published broadcast limits; None switches a rule off."""

    global_per_second: int | None = 30
    per_chat_per_second: int | None = 1
    per_group_per_minute: int | None = 20


class ManualClock:
    """A monotonic clock that moves only when told, for deterministic rate-limit tests."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Violation:
    method: str
    problems: list[str]
    params: dict[str, Any]
    status: int = 400

    def __str__(self) -> str:
        params = _SHORT.repr(self.params)  # a 5000-character text should not flood the report
        return f"{self.method} -> {self.status}: {'; '.join(self.problems)} (params {params})"


@dataclass
class RecordedRequest:
    method: str
    params: dict[str, Any]
    status: int = 200
    description: str | None = None


@dataclass
class SentMessage:
    """A message the bot sent, as it stands now (edits applied; deleted ones are flagged)."""

    chat_id: int
    message_id: int
    text: str  # what the user reads: the text after the parse mode is applied
    source: str  # the text parameter exactly as sent (HTML and all)
    parse_mode: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    params: dict[str, Any]
    date: int
    deleted: bool = False
    previous_texts: list[str] = field(default_factory=list)

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        return list((self.reply_markup or {}).get("inline_keyboard", []))

    def button(self, text: str) -> dict[str, Any]:
        for row in self.buttons:
            for button in row:
                if button.get("text") == text:
                    return dict(button)
        labels = [b.get("text") for row in self.buttons for b in row]
        raise AssertionError(f"no button {text!r} on message {self.message_id}; has {labels}")


@dataclass
class FakeStats:
    calls: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    sent_messages: int = 0
    too_many_requests: int = 0  # every 429, injected or from the rate limits
    too_many_requests_per_chat: Counter[int] = field(default_factory=Counter)
    rate_limited: int = 0  # the 429s the rate limits produced
    faults: Counter[str] = field(default_factory=Counter)


@dataclass
class Chat:
    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    bot_member: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass
class _Fault:
    kind: FaultKind
    times: float  # remaining; math.inf for a rate
    methods: Collection[str] | None
    retry_after: int
    migrate_to: int | None
    rate: float = 1.0

    def applies(self, method: str) -> bool:
        if self.methods is None:
            return _posts(method)
        return self.methods == ANY_METHOD or method in self.methods


class ApiError(Exception):
    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


class _Reset(Exception):
    """Close the connection without an answer."""


class FakeTelegram:
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        limits: RateLimitRules | None = None,
        clock: Callable[[], float] = time.monotonic,
        allow_violations: bool = False,
        unknown_chats: Literal["create", "not_found"] = "create",
        bot_username: str = "pitboard_test_bot",
        seed: int = 0,
        spec_path: str | None = None,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Pitboard",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.limits, self.clock, self.allow_violations = limits, clock, allow_violations
        self.unknown_chats = unknown_chats
        self.spec = BotApiSpec.load(spec_path)
        self.port = 0
        self.violations: list[Violation] = []
        self.self_check_failures: list[str] = []
        self.requests: list[RecordedRequest] = []
        self.stats = FakeStats()
        self.chats: dict[int, Chat] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.webhook_url = ""
        self._rng = random.Random(seed)
        self._sent: dict[int, list[SentMessage]] = {}
        self._all_sent: list[SentMessage] = []
        self._user_messages: dict[int, set[int]] = {}
        self._next_message_id: dict[int, itertools.count[int]] = {}
        self._cursor: dict[int, int] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._callback_ids = itertools.count(4_000_001)
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._faults: dict[int | None, list[_Fault]] = {}
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._windows: dict[tuple[str, int], deque[float]] = {}
        self._tick = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Callable[[dict[str, Any], Chat | None], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "deleteMessage": self._delete_message,
            "sendChatAction": self._send_chat_action,
        }

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def url(self, method: str, token: str | None = None) -> str:
        return f"{self.base_url}{token or self.token}/{method}"

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
        problems = self._problems()
        if problems and exc is not None:
            exc.add_note("FakeTelegram also saw:\n" + problems)
        elif problems:
            raise AssertionError("FakeTelegram saw contract violations:\n" + problems)

    def _problems(self) -> str:
        lines = [f"  fake answered wrongly: {p}" for p in self.self_check_failures]
        if not self.allow_violations:
            lines += [f"  {v}" for v in self.violations]
        return "\n".join(lines)

    def assert_no_violations(self) -> None:
        assert not self.violations, "Bot API contract violations:\n" + "\n".join(
            f"  {v}" for v in self.violations
        )

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

    # --- fault injection --------------------------------------------------------------------

    def fail_next(
        self,
        chat_id: int | None,
        kind: FaultKind,
        times: int = 1,
        *,
        methods: Collection[str] | None = None,
        retry_after: int = 5,
        migrate_to: int | None = None,
    ) -> None:
        """The next `times` matching requests for `chat_id` (None: any chat) fail with `kind`.

        `methods` None means the methods that post into a chat (send*, edit*, copy*, forward*,
        deleteMessage); pass a set of names, or ANY_METHOD, to hit others such as getUpdates.
        """
        fault = _Fault(kind, times, methods, retry_after, migrate_to)
        self._faults.setdefault(chat_id, []).append(fault)

    def set_fault_rate(
        self,
        kind: FaultKind,
        rate: float,
        *,
        chat_id: int | None = None,
        methods: Collection[str] | None = None,
        retry_after: int = 5,
    ) -> None:
        """Fail a fraction `rate` of matching requests (seeded, so runs repeat); 0 removes."""
        faults = self._faults.setdefault(chat_id, [])
        faults[:] = [f for f in faults if not (f.kind == kind and f.times == math.inf)]
        if rate > 0:
            faults.append(_Fault(kind, math.inf, methods, retry_after, None, rate))

    def block(self, chat_id: int) -> None:
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def migrate(self, chat_id: int, new_id: int, *, notify: bool = True) -> None:
        """The group becomes supergroup `new_id`; the old id answers with the migrate error."""
        old = self.chats.get(chat_id) or self.add_chat(chat_id, "group")
        new = self.add_chat(new_id, "supergroup", title=old.title)
        self._migrated[chat_id] = new_id
        if notify:
            self.push_update(
                "message",
                {
                    **self._new_message(old, None),
                    "from": self._user(424242, "Fan"),
                    "migrate_to_chat_id": new_id,
                },
            )
            self.push_update(
                "message",
                {
                    **self._new_message(new, None),
                    "sender_chat": old.as_dict(),
                    "migrate_from_chat_id": chat_id,
                },
            )

    # --- the HTTP side ----------------------------------------------------------------------

    def _notify(self) -> None:
        self._tick.set()
        self._tick = asyncio.Event()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        match = _PATH.fullmatch(request.path)
        method_name = match.group(2) if match else request.path
        record = RecordedRequest(method_name, {})
        self.requests.append(record)
        self.stats.calls[method_name] += 1
        try:
            result = await self._dispatch(request, match, record)
            body: dict[str, Any] = {"ok": True, "result": result}
        except ApiError as err:
            record.status, record.description = err.status, err.description
            body = {"ok": False, "error_code": err.status, "description": err.description}
            if err.parameters:
                body["parameters"] = err.parameters
        except _Reset:
            record.status, record.description = 0, "connection reset"
            if request.transport is not None:
                request.transport.abort()
            raise web.HTTPInternalServerError() from None
        finally:
            self.stats.statuses[record.status] += 1
            self._notify()
        if record.status == 502:
            return web.Response(
                status=502, text="<html><h1>502 Bad Gateway</h1></html>", content_type="text/html"
            )
        return web.json_response(body, status=record.status)

    async def _dispatch(
        self, request: web.Request, match: re.Match[str] | None, record: RecordedRequest
    ) -> Any:
        if match is None:
            raise self._violation(record, 404, "Not Found", f"no Bot API route {request.path}")
        token, name = match.groups()
        if not re.fullmatch(r"\d+:[\w-]+", token):
            raise self._violation(record, 404, "Not Found", f"malformed token {token!r}")
        if token != self.token:
            raise self._violation(record, 401, "Unauthorized", f"wrong token {token!r}")
        method = self.spec.method(name)
        if method is None:
            raise self._violation(record, 404, "Not Found", f"no Bot API method {name!r}")
        record.method = method.name
        raw, form_keys, files = await _read_params(request)
        if raw is None:
            raise self._violation(record, 400, "Bad Request: invalid body", "body is not JSON")
        params, problems = self.spec.decode_request(method, raw, form_keys=form_keys, files=files)
        record.params = dict(raw) if problems else params
        if problems:
            raise self._violation(record, 400, "Bad Request: " + "; ".join(problems), *problems)
        chat = self._target_chat(method.name, params)
        lost_response = self._inject_faults(method.name, chat)
        if chat is not None:
            self._check_access(method.name, chat)
        if chat is not None and _rate_limited(method.name):
            self._enforce_limits(chat)
        handler = self._methods.get(method.name)
        result = await handler(params, chat) if handler else True
        if handler and method.returns:
            for problem in self.spec.check_types(method.returns, result, "result"):
                self.self_check_failures.append(f"{method.name}: {problem}")
        if lost_response:
            raise _Reset  # done, but the answer never reaches the bot
        return result

    def _violation(self, record: RecordedRequest, status: int, text: str, *why: str) -> ApiError:
        self.violations.append(Violation(record.method, list(why), dict(record.params), status))
        return ApiError(status, text)

    def _target_chat(self, method: str, params: dict[str, Any]) -> Chat | None:
        ref = params.get("chat_id")
        if ref is None:
            return None
        if isinstance(ref, int) and ref in self._migrated and method != "getUpdates":
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[ref]},
            )
        chat = self._find_chat(ref)
        if chat is None and isinstance(ref, int) and self.unknown_chats == "create":
            chat = self.add_chat(ref, _type_for(ref))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _find_chat(self, ref: int | str) -> Chat | None:
        if isinstance(ref, str) and ref.startswith("@"):
            return next((c for c in self.chats.values() if c.username == ref[1:]), None)
        return self.chats.get(int(ref))

    def _inject_faults(self, method: str, chat: Chat | None) -> bool:
        """Raise the first due fault; True when the request must succeed but lose its answer."""
        for key in ([chat.id] if chat else []) + [None]:
            for fault in self._faults.get(key, []):
                if not fault.applies(method) or self._rng.random() >= fault.rate:
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    self._faults[key].remove(fault)
                self.stats.faults[fault.kind] += 1
                if fault.kind == "lost_response":
                    return True
                self._raise_fault(fault, chat)
        return False

    def _raise_fault(self, fault: _Fault, chat: Chat | None) -> None:
        kind = fault.kind
        if kind == "reset":
            raise _Reset
        if kind == "flood":
            raise self._flood(chat, fault.retry_after)
        if kind == "blocked":
            raise _forbidden(chat)
        if kind == "migrated":
            new_id = fault.migrate_to or -(10**12) - abs(chat.id if chat else 1)
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": new_id},
            )
        if kind == "chat_not_found":
            raise ApiError(400, "Bad Request: chat not found")
        if kind == "server_error":
            raise ApiError(500, "Internal Server Error")
        raise ApiError(502, "Bad Gateway")

    def _check_access(self, method: str, chat: Chat) -> None:
        if not _posts(method):
            return
        if chat.id in self._blocked:
            raise _forbidden(chat)
        status = chat.bot_member.get("status")
        if status in ("left", "kicked"):
            raise _forbidden(chat)
        posting = method.startswith("send") and method != "sendChatAction"
        can_post = status == "creator" or chat.bot_member.get("can_post_messages")
        if chat.type == "channel" and posting and not can_post:
            raise ApiError(400, "Bad Request: need administrator rights in the channel chat")

    def _enforce_limits(self, chat: Chat) -> None:
        if self.limits is None:
            return
        now = self.clock()
        rules = [
            ("global", 0, self.limits.global_per_second, 1.0),
            ("chat", chat.id, self.limits.per_chat_per_second, 1.0),
        ]
        if chat.type != "private":
            rules.append(("group", chat.id, self.limits.per_group_per_minute, 60.0))
        wait = 0.0
        for name, key, limit, window in rules:
            if limit is None:
                continue
            times = self._windows.setdefault((name, key), deque())
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) >= limit:
                wait = max(wait, times[0] + window - now)
        if wait > 0:
            self.stats.rate_limited += 1
            raise self._flood(chat, max(1, math.ceil(wait)))
        for name, key, limit, _ in rules:
            if limit is not None:
                self._windows[(name, key)].append(now)

    def _flood(self, chat: Chat | None, retry_after: int) -> ApiError:
        # PTB raises RetryAfter only for a truthy retry_after, and the API sends whole seconds.
        retry_after = max(1, int(retry_after))
        self.stats.too_many_requests += 1
        if chat is not None:
            self.stats.too_many_requests_per_chat[chat.id] += 1
        return ApiError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )

    # --- the methods the bot uses -----------------------------------------------------------

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
        self._notify()  # a poll still waiting learns it was superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0, params.get("timeout", 0))
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
            await self._next_tick(remaining)

    async def _set_webhook(self, params: dict[str, Any], chat: Chat | None) -> Any:
        self.webhook_url = params["url"]
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"])
        return True

    async def _delete_webhook(self, params: dict[str, Any], chat: Chat | None) -> Any:
        self.webhook_url = ""
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
        key = (_scope_key(params.get("scope")), params.get("language_code", ""))
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

    # --- shared pieces for the method handlers --------------------------------------------

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


def render(params: dict[str, Any]) -> ParsedText:
    """The text a user reads; the checker has already refused malformed HTML."""
    mode = params.get("parse_mode")
    if isinstance(mode, str) and mode.lower() == "html":
        return parse_html(params["text"])
    return ParsedText(params["text"], list(params.get("entities", [])))


def _forbidden(chat: Chat | None) -> ApiError:
    reason = {
        "private": "bot was blocked by the user",
        "group": "bot was kicked from the group chat",
        "supergroup": "bot was kicked from the supergroup chat",
        "channel": "bot is not a member of the channel chat",
    }[chat.type if chat else "private"]
    return ApiError(403, f"Forbidden: {reason}")


def _type_for(chat_id: int) -> ChatType:
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= -1_000_000_000_000 else "group"


def _scope_key(scope: dict[str, Any] | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def _read_params(
    request: web.Request,
) -> tuple[dict[str, Any] | None, frozenset[str], frozenset[str]]:
    """(params, keys that came form-encoded, names of uploaded file parts)."""
    raw: dict[str, Any] = dict(request.query)
    form_keys = set(raw)
    files: set[str] = set()
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            return None, frozenset(), frozenset()
        if not isinstance(body, dict):
            return None, frozenset(), frozenset()
        raw.update(body)
        form_keys -= set(body)
    elif request.can_read_body:
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files.add(key)
                value = key
            raw[key] = value
            form_keys.add(key)
    return raw, frozenset(form_keys), frozenset(files)


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A running FakeTelegram; the test fails on any contract violation."""
    async with FakeTelegram() as fake:
        yield fake
