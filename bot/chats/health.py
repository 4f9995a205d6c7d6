"""Problems a front-end found with where it posts (a channel it cannot post in), for /status."""

from __future__ import annotations


class ChannelHealth:
    def __init__(self) -> None:
        self._problems: dict[str, str] = {}

    def report(self, channel: str, problem: str) -> None:
        self._problems[channel] = problem

    def clear(self, channel: str) -> None:
        self._problems.pop(channel, None)

    def problems(self) -> dict[str, str]:
        return dict(self._problems)
