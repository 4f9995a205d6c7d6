"""SQLite rows to core records and back, for the chats and subscriptions of `SQLiteStore`."""

from __future__ import annotations

import json
from typing import Any

from bot.core.audience import Chat, ChatKind, ChatRef, Subscription
from bot.core.model import SessionKind
from bot.store.audience_cache import Member
from bot.store.sqlite_base import Row, to_json

__all__ = ["Decoder", "Encoder", "chat_params"]


def chat_params(chat: Chat) -> tuple[Any, ...]:
    return (
        chat.ref.platform,
        chat.ref.id,
        chat.kind.value,
        chat.zone,
        chat.language,
        to_json(list(chat.reminder_minutes)),
        int(chat.spoiler_safe),
        int(chat.active),
        chat.mention_role,
        int(chat.chart_with_results),
        None if chat.clock_24h is None else (24 if chat.clock_24h else 12),
    )


class Decoder:
    """Rows to records. Remembers decoded JSON lists: 100,000 subscriptions share a few
    hundred distinct ones; decoding each once makes audience() about three times faster, and
    the chats that follow the same series share one frozenset in memory."""

    def __init__(self) -> None:
        self._strings: dict[str, frozenset[str]] = {}
        self._kinds: dict[str, frozenset[SessionKind]] = {}
        self._minutes: dict[str, tuple[int, ...]] = {}
        # SQLite hands out a new str per row and column: "telegram", "Europe/Berlin" and "en"
        # 100,000 times over are kept once each instead.
        self._texts: dict[str, str] = {}

    def chat(self, row: Row) -> Chat:
        minutes = self._minutes.get(row[5])
        if minutes is None:
            minutes = self._minutes[row[5]] = tuple(json.loads(row[5]))
        texts = self._texts
        return Chat(
            ref=ChatRef(texts.setdefault(row[0], row[0]), row[1]),
            kind=ChatKind(row[2]),
            zone=texts.setdefault(row[3], row[3]),
            language=texts.setdefault(row[4], row[4]),
            reminder_minutes=minutes,
            spoiler_safe=bool(row[6]),
            active=bool(row[7]),
            mention_role=row[8],
            chart_with_results=bool(row[9]),
            clock_24h=None if row[10] is None else row[10] == 24,
        )

    def member(self, row: Row) -> Member:
        chat = self.chat(row)
        return chat, self.subscription(chat.ref, row[11], row[12], row[13])

    def subscription(self, ref: ChatRef, series: str, drivers: str, kinds: str) -> Subscription:
        session_kinds = self._kinds.get(kinds)
        if session_kinds is None:
            session_kinds = frozenset(SessionKind(k) for k in json.loads(kinds))
            self._kinds[kinds] = session_kinds
        return Subscription(ref, self._set(series), self._set(drivers), session_kinds)

    def _set(self, text: str) -> frozenset[str]:
        found = self._strings.get(text)
        if found is None:
            found = self._strings[text] = frozenset(json.loads(text))
        return found


class Encoder:
    """Subscriptions to rows. Remembers each set's JSON: a few hundred distinct ones among
    100,000 subscriptions, and encoding is most of the cost of writing a row."""

    def __init__(self) -> None:
        self._json: dict[frozenset[Any], str] = {}

    def row(self, sub: Subscription) -> tuple[str, str, str, str, str]:
        kinds = self._json.get(sub.session_kinds)
        if kinds is None:
            kinds = to_json(sorted(kind.value for kind in sub.session_kinds))
            self._json[sub.session_kinds] = kinds
        return (
            sub.chat.platform,
            sub.chat.id,
            self._set(sub.series),
            self._set(sub.drivers),
            kinds,
        )

    def _set(self, values: frozenset[str]) -> str:
        found = self._json.get(values)
        if found is None:
            found = self._json[values] = to_json(sorted(values))
        return found
