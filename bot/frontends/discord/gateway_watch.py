"""Whether Discord's gateway is connected now, for /healthz.

discord.py reconnects (and resumes) by itself, so a dropped gateway is normal for a moment;
one that stays down longer than `GATEWAY_GRACE` means the bot hears no slash command and no
button press. discord.py's own events say when: `on_disconnect` when the websocket closes or
cannot connect, `on_connect`/`on_ready` after a new session, `on_resumed` after a resume. Time
is the injected clock's (a replay is judged at its own now).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import discord

from bot.chats.connection import ConnectionState
from bot.core.clock import Clock

# How long the gateway may be down (discord.py reconnecting) before the bot is unhealthy.
GATEWAY_GRACE = timedelta(seconds=60)


class GatewayWatch:
    def __init__(self, clock: Clock, grace: timedelta = GATEWAY_GRACE) -> None:
        self._clock = clock
        self.grace = grace
        self.connected = False
        self.disconnected_since: datetime | None = None

    def connected_now(self) -> None:
        self.connected, self.disconnected_since = True, None

    def disconnected_now(self) -> None:
        if self.connected or self.disconnected_since is None:
            self.disconnected_since = self._clock.now()
        self.connected = False

    def state(self, client: discord.Client) -> ConnectionState:
        closed = client.is_closed()
        details: dict[str, object] = {
            "ready": client.is_ready(),
            "closed": closed,
            "gateway_connected": self.connected,
            "disconnected_since": (
                self.disconnected_since.isoformat() if self.disconnected_since else None
            ),
            "grace_seconds": self.grace.total_seconds(),
        }
        if closed:
            # i18n: not user text (a health problem for /healthz and the logs, as every probe's)
            return ConnectionState("the client is closed", details)
        since = self.disconnected_since
        if not self.connected and since is not None and self._clock.now() - since > self.grace:
            # i18n: not user text (a health problem for /healthz and the logs)
            problem = f"Discord gateway disconnected since {since.isoformat()}"
            return ConnectionState(problem, details)
        return ConnectionState(None, details)
