"""How a send can fail: the one exception tree every `Sender` raises.

A front-end's sender translates its platform's errors into exactly one of these, and the engine
decides from the class alone what happens next. Nothing else about a failure matters to it, so
a new front-end only has to answer "which of these is it?"

    SendError                 base: never raised itself
    ├── RetryAfter(seconds)   the platform rate-limited us (HTTP 429): that chat waits, then
    │                         the rest of the post is retried; every send waits only when the
    │                         platform says the limit was global (`platform_wide`). Counts
    │                         toward `max_attempts` like a transient error: never forever.
    ├── TransientError        network trouble, timeouts, 5xx: retry with exponential backoff
    │                         and jitter, up to `max_attempts`, then FAILED.
    ├── ChatBlocked           the bot was blocked, kicked or lost its permission, or the chat
    │                         is gone: deactivate the chat; never retry (it would only fail).
    ├── ChatMigrated(new_id)  the chat has a new id (a Telegram group became a supergroup):
    │                         rewrite the chat everywhere and resend at once to the new id.
    └── PermanentError        the platform refused this request as it is (bad request, too
                              long): record it and move on; sending it again would not help.

Any other exception escaping a sender is a bug in that sender; the engine treats it as a
TransientError (so a delivery is not lost to it) and logs its type.

Messages on these exceptions end up in logs and in the delivery log. Senders must not put
message bodies or credentials in them; `describe()` also redacts anything token-shaped.
"""

from __future__ import annotations

import re

__all__ = [
    "ChatBlocked",
    "ChatMigrated",
    "PermanentError",
    "RetryAfter",
    "SendError",
    "TransientError",
    "describe",
]


class SendError(Exception):
    """Base class: a send failed. Raise one of the subclasses."""


class RetryAfter(SendError):
    """The platform asks us to wait `seconds` before sending to this chat again.

    `platform_wide`: the platform said the limit hit was its global one (Discord's
    "global": true), so every send waits. Without that, only the chat waits."""

    def __init__(self, seconds: float, message: str = "", *, platform_wide: bool = False) -> None:
        # i18n: not user text (an error's reason, for the log)
        super().__init__(message or f"rate limited: retry after {seconds:g} s")
        self.seconds = max(0.0, float(seconds))
        self.platform_wide = platform_wide


class TransientError(SendError):
    """Worth retrying later: the request may well succeed next time."""


class ChatBlocked(SendError):
    """The chat cannot receive from us any more (blocked, kicked, deleted, no permission)."""


class ChatMigrated(SendError):
    """The chat moved to `new_id` on the same platform; the message was not delivered."""

    def __init__(self, new_id: str, message: str = "") -> None:
        # i18n: not user text (an error's reason, for the log)
        super().__init__(message or f"chat migrated to {new_id}")
        self.new_id = str(new_id)


class PermanentError(SendError):
    """The platform refused this message for good; retrying would fail the same way."""


# Bot tokens: Telegram's "123456789:AA…" and Discord's three dot-separated base64 parts.
_TOKEN_SHAPES = re.compile(
    r"\d{6,}:[A-Za-z0-9_-]{30,}|[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{20,}"
)
_MAX_DESCRIPTION = 200


def describe(error: BaseException) -> str:
    """A short, safe one-line description of `error` for logs and the delivery log."""
    detail = " ".join(str(error).split())
    detail = _TOKEN_SHAPES.sub("<redacted>", detail)
    if len(detail) > _MAX_DESCRIPTION:
        detail = detail[: _MAX_DESCRIPTION - 1] + "…"
    name = type(error).__name__
    return f"{name}: {detail}" if detail else name
