"""What FakeTelegram records and answers with: requests, violations, the messages the bot sent,
chats, statistics, and the Bot API's error answers."""

from __future__ import annotations

import json
import reprlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

ChatType = Literal["private", "group", "supergroup", "channel"]
_SHORT = reprlib.Repr()  # Python 3.11: no keyword arguments yet
_SHORT.maxstring = _SHORT.maxother = 80


@dataclass
class Violation:
    method: str
    problems: list[str]
    params: dict[str, Any]
    status: int = 400

    def __str__(self) -> str:
        params = _SHORT.repr(self.params)  # a 5000-character text should not flood the report
        return f"{self.method} -> {self.status}: {'; '.join(self.problems)} (params {params})"


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request, as uploaded."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    method: str
    params: dict[str, Any]
    status: int = 200
    description: str | None = None
    uploads: dict[str, Upload] = field(default_factory=dict)  # form field name -> file part


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
    # sendPhoto: `text` is then the caption (as the user reads it), these the photo itself.
    photo: Upload | None = None
    has_spoiler: bool = False

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


class ApiError(Exception):
    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


class _Reset(Exception):
    """Close the connection without an answer."""


def _type_for(chat_id: int) -> ChatType:
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= -1_000_000_000_000 else "group"


def _scope_key(scope: dict[str, Any] | None) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)
