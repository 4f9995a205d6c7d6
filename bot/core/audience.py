"""Who gets what: chats, their settings and subscriptions, and the rule that matches them.

Platform ids stay out of the domain: a chat is `ChatRef(platform, id)`, whatever the platform.
The store keeps these; the plan and the outbox decide with them which chats get a post.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.model import SessionKind

DEFAULT_REMINDER_MINUTES: tuple[int, ...] = (60, 15)


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"  # Telegram groups and supergroups: about 20 posts a minute
    CHANNEL = "channel"  # a Telegram channel or a Discord text channel


# slots: a bot keeps one ChatRef, Chat and Subscription per subscriber in memory (100,000 of
# each is the design load); without a per-instance __dict__ each is a third of the size.
@dataclass(frozen=True, order=True, slots=True)
class ChatRef:
    platform: str  # "telegram" | "discord" | "console"
    id: str  # the platform's chat or channel id, as text

    def __str__(self) -> str:
        return f"{self.platform}:{self.id}"


@dataclass(frozen=True, slots=True)
class Chat:
    ref: ChatRef
    kind: ChatKind = ChatKind.PRIVATE
    zone: str = "Europe/Stockholm"
    language: str = "en"
    reminder_minutes: tuple[int, ...] = DEFAULT_REMINDER_MINUTES
    spoiler_safe: bool = False  # results hidden behind a spoiler
    active: bool = True
    mention_role: str | None = None  # Discord: a role id to mention in posts
    chart_with_results: bool = False  # results posts after a race carry the standings chart
    clock_24h: bool | None = None  # 24- or 12-hour times; None: the language's default


@dataclass(frozen=True, slots=True)
class Subscription:
    """What one chat follows. Empty filters mean "everything" for that dimension, but a
    subscription must follow at least one series or driver (enforced by the commands)."""

    chat: ChatRef
    series: frozenset[str] = field(default_factory=frozenset)  # series ids
    drivers: frozenset[str] = field(default_factory=frozenset)  # driver ids
    session_kinds: frozenset[SessionKind] = field(default_factory=frozenset)  # empty: all kinds

    def follows(
        self, series_id: str, entered_drivers: Iterable[str], kind: SessionKind | None
    ) -> bool:
        """A chat following a series gets that series; following a driver, the sessions
        that driver is entered in. Session-kind filters narrow either."""
        if kind is not None and self.session_kinds and kind not in self.session_kinds:
            return False
        if series_id in self.series:
            return True
        return bool(self.drivers.intersection(entered_drivers))
