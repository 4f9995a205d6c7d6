"""A chat front-end's live connection, as it reports it for /healthz.

A front-end that started can still lose its platform later (Telegram's long polling failing,
Discord's gateway dropped): the start-up supervisor (bot.frontend_startup) cannot see that, so
each front-end says itself what its connection is doing now.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ConnectionState:
    """`problem` is None while the connection is fine; `details` are shown as they are (JSON)."""

    problem: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)
