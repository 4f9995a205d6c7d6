"""What FakeDiscord records and answers with: requests, violations, the messages the bot made,
the interactions it was sent, statistics, and Discord's error answers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.fakes.discord_spec import Operation

Handler = Callable[["Ctx"], Awaitable[Any]]
NO_CONTENT = object()  # a handler's answer for 204


class ApiError(Exception):
    """An error answer, in Discord's shape."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message = status, code, message
        self.body = body or {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors
        self.headers = headers or {}


@dataclass
class Violation:
    route: str  # "POST /channels/{channel_id}/messages", or the raw path when unrouted
    problems: list[str]
    body: Any
    status: int = 400

    def __str__(self) -> str:
        return f"{self.route} -> {self.status}: {'; '.join(self.problems)} (body {self.body!r})"


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request (`files[n]`), as uploaded."""

    field: str  # "files[0]"
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    method: str
    path: str  # below /api/v10, with the real ids
    route: str = ""  # "METHOD /template" once matched
    params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    files: list[str] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)  # the file parts, bytes and all
    status: int = 0
    code: int | None = None  # Discord's JSON error code on failures
    answer_lost: bool = False  # served, then the connection was cut (a "lost_response" fault)


@dataclass
class SentMessage:
    """A message the bot made, as it stands now (edits applied, deletion flagged)."""

    id: str
    channel_id: str
    guild_id: str | None
    body: dict[str, Any]  # the latest request body that shaped it
    timestamp: str
    via: Literal["channel", "interaction", "followup"] = "channel"
    flags: int = 0
    files: list[str] = field(default_factory=list)
    interaction_id: str | None = None
    edited_timestamp: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier bodies, oldest first
    deleted: bool = False

    @property
    def content(self) -> str:
        return str(self.body.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return [dict(e, type=e.get("type") or "rich") for e in self.body.get("embeds") or []]

    @property
    def embed(self) -> dict[str, Any] | None:
        return self.embeds[0] if self.embeds else None

    @property
    def components(self) -> list[dict[str, Any]]:
        return list(self.body.get("components") or [])

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        return self.body.get("allowed_mentions")

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & (1 << 6))

    @property
    def loading(self) -> bool:
        """A deferred ("thinking") response not yet filled in."""
        return bool(self.flags & (1 << 7))

    @property
    def text(self) -> str:
        """Everything a reader sees: content, then each embed's author/title/description/fields."""
        parts = [self.content] if self.content else []
        for embed in self.embeds:
            parts += [str((embed.get("author") or {}).get("name") or "")]
            parts += [str(embed.get(k) or "") for k in ("title", "description")]
            for f in embed.get("fields") or []:
                parts += [str(f.get("name", "")), str(f.get("value", ""))]
            parts += [str((embed.get("footer") or {}).get("text") or "")]
        return "\n".join(p for p in parts if p)


@dataclass
class FakeInteraction:
    """An interaction the fake dispatched, and everything the bot did in answer."""

    id: str
    token: str
    type: int  # 2 command, 3 component, 4 autocomplete
    name: str  # the command name, or the component's custom_id
    payload: dict[str, Any]  # the INTERACTION_CREATE data as sent
    channel_id: str
    guild_id: str | None
    user_id: str
    dispatched_at: float
    message_id: str | None = None  # a component's message
    callbacks: list[dict[str, Any]] = field(default_factory=list)  # every attempt
    callback: dict[str, Any] | None = None  # the accepted one
    original: SentMessage | None = None
    followups: list[SentMessage] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None  # an autocomplete answer
    modal: dict[str, Any] | None = None
    expired: bool = False


@dataclass
class FakeStats:
    calls: Counter[str] = field(default_factory=Counter)  # per "METHOD /template"
    statuses: Counter[int] = field(default_factory=Counter)
    too_many_requests: int = 0  # every 429 answered, injected or earned
    global_rate_limited: int = 0  # 429s the global limit produced
    bucket_rate_limited: int = 0  # 429s a per-route bucket produced
    faults: Counter[str] = field(default_factory=Counter)


@dataclass
class Ctx:
    """One request on its way through the fake."""

    record: RecordedRequest
    op: Operation
    body: Any

    @property
    def params(self) -> dict[str, str]:
        return self.record.params

    def query_flag(self, name: str) -> bool:
        return self.record.query.get(name, "").lower() in ("true", "1")
