"""The failures FakeTelegram injects (faults, blocked bots, migrated groups) and the broadcast
rate limits it enforces, so delivery code meets them in tests before it meets them live."""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Literal

from tests.fakes.telegram_model import ApiError, Chat, _Reset
from tests.fakes.telegram_state import TelegramState

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
ANY_METHOD: frozenset[str] = frozenset({"*"})


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


def _forbidden(chat: Chat | None) -> ApiError:
    reason = {
        "private": "bot was blocked by the user",
        "group": "bot was kicked from the group chat",
        "supergroup": "bot was kicked from the supergroup chat",
        "channel": "bot is not a member of the channel chat",
    }[chat.type if chat else "private"]
    return ApiError(403, f"Forbidden: {reason}")


class TelegramFaults(TelegramState):
    """Fault injection and rate limits; FakeTelegram.__init__ sets the attributes declared here."""

    limits: RateLimitRules | None
    clock: Callable[[], float]
    _rng: random.Random
    _faults: dict[int | None, list[_Fault]]
    _blocked: set[int]
    _migrated: dict[int, int]
    _windows: dict[tuple[str, int], deque[float]]
    _canned: dict[str, list[Any]]
    _polls_answered_early: int

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
        self._answer_waiting_poll(fault)

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
        fault = _Fault(kind, math.inf, methods, retry_after, None, rate)
        if rate > 0:
            faults.append(fault)
        self._answer_waiting_poll(fault)

    def _answer_waiting_poll(self, fault: _Fault) -> None:
        """A change to getUpdates' faults answers the long poll in flight (with no updates, as
        Telegram may at any time), so that the bot's next poll meets the change at once rather
        than after the poll's timeout (10 s for the bot's polling)."""
        if fault.applies("getUpdates"):
            self._polls_answered_early += 1
            self._notify()

    def answer_next(self, method: str, result: Any, times: int = 1) -> None:
        """The next `times` calls of `method` succeed with `result` as it is, however wrong
        (``answer_next("getChat", True)``): what a broken proxy or API change would send."""
        self._canned.setdefault(method, []).extend([result] * times)

    def _canned_answer(self, method: str) -> tuple[Any] | None:
        answers = self._canned.get(method)
        if not answers:
            return None
        return (answers.pop(0),)

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

    # --- while serving a request ------------------------------------------------------------

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
