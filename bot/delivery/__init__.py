"""Delivery: the outbox pushed out to every platform as fast as it allows, losing nothing.

DeliveryEngine   claims deliveries from the store and sends them; `reply()` for commands
Sender, Composer what a front-end provides / how an outbox item becomes a post
PartSender       a sender whose posts can run to several messages, sent one by one
RateLimits       a platform's limits (TELEGRAM_LIMITS, DISCORD_LIMITS)
errors           the one exception tree every Sender raises (see bot.delivery.errors)
"""

from bot.delivery.engine import DeliveryEngine
from bot.delivery.errors import (
    ChatBlocked,
    ChatMigrated,
    PermanentError,
    RetryAfter,
    SendError,
    TransientError,
)
from bot.delivery.lane import LaneStats
from bot.delivery.ratelimit import (
    DISCORD_LIMITS,
    TELEGRAM_LIMITS,
    PlatformLimiter,
    RateLimits,
    TokenBucket,
)
from bot.delivery.sender import Composer, PartSender, Sender

__all__ = [
    "DISCORD_LIMITS",
    "TELEGRAM_LIMITS",
    "ChatBlocked",
    "ChatMigrated",
    "Composer",
    "DeliveryEngine",
    "LaneStats",
    "PartSender",
    "PermanentError",
    "PlatformLimiter",
    "RateLimits",
    "RetryAfter",
    "SendError",
    "Sender",
    "TokenBucket",
    "TransientError",
]
