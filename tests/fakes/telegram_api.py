"""FakeTelegram: a local Bot API server that checks every request against the published spec.

Point python-telegram-bot at it with ``Bot(token, base_url=fake.base_url)`` (or
``ApplicationBuilder().base_url(fake.base_url)``). It speaks HTTP on 127.0.0.1, so the bot's
real request code (HTTPXRequest, encoding, error mapping) runs end to end; nothing reaches the
internet. Requests that break the contract are answered 400 (401 for a wrong token) like the
real API *and* recorded in ``violations``; leaving the ``async with`` block raises if there were
any, unless ``allow_violations=True``.

Tests drive it like users do (``push_message``, ``push_callback``/``press``, ``push_document``
for a file the bot then fetches with getFile), read what the bot sent (``sent``,
``wait_for_message``), and inject the failures delivery has to survive (``fail_next``,
``set_fault_rate``, ``block``, ``migrate``, ``RateLimitRules``).

The fake is split by job: :mod:`~tests.fakes.telegram_server` (HTTP, lifecycle),
:mod:`~tests.fakes.telegram_faults` (faults, rate limits),
:mod:`~tests.fakes.telegram_webhook` (updates pushed to a webhook),
:mod:`~tests.fakes.telegram_methods` (the modelled methods),
:mod:`~tests.fakes.telegram_files` (documents users send, getFile, the download),
:mod:`~tests.fakes.telegram_state` (chats, messages, updates) and
:mod:`~tests.fakes.telegram_model` (records); this module assembles it and re-exports every name
it defined before the split, private helpers included (bench code subclasses the fake).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal

import pytest_asyncio
from aiohttp import web

from tests.fakes.telegram_faults import ANY_METHOD as ANY_METHOD
from tests.fakes.telegram_faults import FaultKind as FaultKind
from tests.fakes.telegram_faults import ManualClock as ManualClock
from tests.fakes.telegram_faults import RateLimitRules as RateLimitRules
from tests.fakes.telegram_faults import _Fault as _Fault
from tests.fakes.telegram_faults import _forbidden as _forbidden
from tests.fakes.telegram_faults import _posts as _posts
from tests.fakes.telegram_faults import _rate_limited as _rate_limited
from tests.fakes.telegram_files import StoredFile
from tests.fakes.telegram_html import ParsedText as ParsedText
from tests.fakes.telegram_html import parse_html as parse_html
from tests.fakes.telegram_methods import render as render
from tests.fakes.telegram_model import _SHORT as _SHORT
from tests.fakes.telegram_model import ApiError as ApiError
from tests.fakes.telegram_model import Chat as Chat
from tests.fakes.telegram_model import ChatType as ChatType
from tests.fakes.telegram_model import FakeStats as FakeStats
from tests.fakes.telegram_model import RecordedRequest as RecordedRequest
from tests.fakes.telegram_model import SentMessage as SentMessage
from tests.fakes.telegram_model import Upload as Upload
from tests.fakes.telegram_model import Violation as Violation
from tests.fakes.telegram_model import _Reset as _Reset
from tests.fakes.telegram_model import _scope_key as _scope_key
from tests.fakes.telegram_model import _type_for as _type_for
from tests.fakes.telegram_server import _PATH as _PATH
from tests.fakes.telegram_server import TelegramServer
from tests.fakes.telegram_server import _read_params as _read_params
from tests.fakes.telegram_spec import BotApiSpec as BotApiSpec
from tests.fakes.telegram_state import _COMMAND as _COMMAND
from tests.fakes.telegram_state import _OPT_IN_UPDATES as _OPT_IN_UPDATES
from tests.fakes.telegram_state import T as T
from tests.fakes.telegram_state import _utf16 as _utf16

DEFAULT_TOKEN = "123456789:AAFakeTelegramTokenForPitboardTests_x"


class FakeTelegram(TelegramServer):
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
        longest_poll: float | None = None,
    ) -> None:
        self.token = token
        # The longest a getUpdates waits for an update, whatever its timeout (None: the full
        # timeout). Telegram may answer a long poll early; a test that waits for the bot's
        # polls to get through need not wait out the bot's 10 s timeout each time.
        self.longest_poll = longest_poll
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
        self.webhook_secret: str | None = None
        self.webhook_answers: list[int] = []
        self._webhook_task: asyncio.Task[None] | None = None
        self._canned: dict[str, list[Any]] = {}
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
        self._polls_answered_early = 0
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
            "sendPhoto": self._send_photo,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "deleteMessage": self._delete_message,
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
        }
        self._files: dict[str, StoredFile] = {}
        self._file_numbers = itertools.count(1)


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A running FakeTelegram; the test fails on any contract violation."""
    async with FakeTelegram() as fake:
        yield fake
