"""PostgreSQL rows to core records and back, for the chats and subscriptions of `PostgresStore`.

Lists travel as arrays (asyncpg gives and takes Python lists). Decoding remembers the sets it
made, as the SQLite engine's does: 100,000 subscriptions share a few hundred distinct ones.
"""

from __future__ import annotations

from typing import Any

from bot.core.audience import Chat, ChatKind, ChatRef, Subscription
from bot.core.model import SessionKind
from bot.store.audience_cache import Member

__all__ = ["CHAT_COLUMNS", "Decoder", "chat_params", "decode_chat", "subscription_params"]

CHAT_COLUMNS = (
    "c.platform, c.chat_id, c.kind, c.zone, c.language, c.reminder_minutes, c.spoiler_safe,"
    " c.active, c.mention_role, c.chart_with_results, c.clock"
)


def chat_params(chat: Chat) -> tuple[Any, ...]:
    return (
        chat.ref.platform,
        chat.ref.id,
        chat.kind.value,
        chat.zone,
        chat.language,
        list(chat.reminder_minutes),
        chat.spoiler_safe,
        chat.active,
        chat.mention_role,
        chat.chart_with_results,
        None if chat.clock_24h is None else (24 if chat.clock_24h else 12),
    )


def subscription_params(sub: Subscription) -> tuple[Any, ...]:
    return (
        sub.chat.platform,
        sub.chat.id,
        sorted(sub.series),
        sorted(sub.drivers),
        sorted(kind.value for kind in sub.session_kinds),
    )


def decode_chat(row: Any) -> Chat:
    return Decoder().chat(row)


class Decoder:
    def __init__(self) -> None:
        self._strings: dict[tuple[str, ...], frozenset[str]] = {}
        self._kinds: dict[tuple[str, ...], frozenset[SessionKind]] = {}
        self._texts: dict[str, str] = {}

    def chat(self, row: Any) -> Chat:
        texts = self._texts
        return Chat(
            ref=ChatRef(texts.setdefault(row[0], row[0]), row[1]),
            kind=ChatKind(row[2]),
            zone=texts.setdefault(row[3], row[3]),
            language=texts.setdefault(row[4], row[4]),
            reminder_minutes=tuple(row[5]),
            spoiler_safe=row[6],
            active=row[7],
            mention_role=row[8],
            chart_with_results=row[9],
            clock_24h=None if row[10] is None else row[10] == 24,
        )

    def member(self, row: Any) -> Member:
        chat = self.chat(row)
        return chat, self.subscription(chat.ref, row[11], row[12], row[13])

    def subscription(
        self, ref: ChatRef, series: list[str], drivers: list[str], kinds: list[str]
    ) -> Subscription:
        key = tuple(kinds)
        session_kinds = self._kinds.get(key)
        if session_kinds is None:
            session_kinds = self._kinds[key] = frozenset(SessionKind(k) for k in kinds)
        return Subscription(ref, self._set(series), self._set(drivers), session_kinds)

    def _set(self, values: list[str]) -> frozenset[str]:
        key = tuple(values)
        found = self._strings.get(key)
        if found is None:
            found = self._strings[key] = frozenset(values)
        return found
