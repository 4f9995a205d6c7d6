"""A Discord 429 that reaches the engine: only Discord's own word makes it pause every send."""

from __future__ import annotations

from dataclasses import dataclass, field

import discord
import pytest

from bot.chats.health import ChannelHealth
from bot.delivery.errors import RetryAfter
from bot.frontends.discord.sender import DiscordSender


@dataclass
class Answer:
    """What discord.py keeps of an HTTP answer: status, reason, headers."""

    headers: dict[str, str] = field(default_factory=dict)
    status: int = 429
    reason: str = "Too Many Requests"


def classify(headers: dict[str, str]) -> RetryAfter:
    sender = DiscordSender(discord.Client(intents=discord.Intents.none()), ChannelHealth())
    error = discord.HTTPException(Answer(headers), {"message": "You are being rate limited."})
    outcome = sender._classify("42", error)
    assert isinstance(outcome, RetryAfter)
    return outcome


@pytest.mark.parametrize(
    "headers",
    [{"X-RateLimit-Global": "true"}, {"X-RateLimit-Scope": "global"}],
)
def test_a_429_discord_calls_global_pauses_the_whole_platform(headers: dict[str, str]) -> None:
    assert classify(headers).platform_wide is True


@pytest.mark.parametrize("headers", [{}, {"X-RateLimit-Scope": "user"}])
def test_a_429_for_a_route_or_channel_pauses_only_that_channel(headers: dict[str, str]) -> None:
    assert classify(headers).platform_wide is False
