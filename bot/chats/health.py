"""What is wrong with where the bot posts, for /status: a channel it cannot post in (keyed by
the channel, which is a chat id: shown to admins in private only) and a front-end that could
not start (keyed by the platform: safe to show anywhere)."""

from __future__ import annotations


class ChannelHealth:
    def __init__(self) -> None:
        self._problems: dict[str, str] = {}
        self._frontends: dict[str, str] = {}

    def report(self, channel: str, problem: str) -> None:
        self._problems[channel] = problem

    def clear(self, channel: str) -> None:
        self._problems.pop(channel, None)

    def problems(self) -> dict[str, str]:
        return dict(self._problems)

    async def refresh(self) -> None:
        """Learn what other processes found (bot.chats.shared_health); one process alone
        knows everything already."""
        return None

    def report_frontend(self, platform: str, problem: str) -> None:
        self._frontends[platform] = problem

    def clear_frontend(self, platform: str) -> None:
        self._frontends.pop(platform, None)

    def frontend_problems(self) -> dict[str, str]:
        return dict(self._frontends)
