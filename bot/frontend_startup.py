"""Starting a chat front-end without letting its platform decide whether the bot runs.

A platform that cannot be reached at start (Telegram down, a network not up yet) must not take
the other front-ends and the announcements with it: the first attempt runs in line with the
start-up, and when it fails the front-end is retried in the background with exponential
backoff, reported on /status (`Front-ends:`) and in the log at every attempt, while everything
else runs. A token the platform rejects is different: no retry can fix it, so it stops the
start with `TokenRejected` (the operator sees one line, exit 2) — never echoing the token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.chats.health import ChannelHealth

log = logging.getLogger("pitboard.startup")


class StartableFrontend(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def token_rejected(self, error: BaseException) -> bool: ...


class TokenRejected(Exception):
    def __init__(self, platform: str, variable: str) -> None:
        super().__init__(f"{platform} rejected the bot token in {variable}; check it")
        self.platform = platform


class FrontendStartup:
    """One front-end's start: first attempt in line, then retries with backoff until it runs."""

    def __init__(
        self,
        platform: str,
        token_variable: str,
        frontend: StartableFrontend,
        health: ChannelHealth,
        *,
        scrub: Callable[[str], str],
        first_delay: float = 1.0,
        max_delay: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.platform = platform
        self._variable = token_variable
        self._frontend = frontend
        self._health = health
        self._scrub = scrub
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._sleep = sleep
        self._retrying: asyncio.Task[None] | None = None
        self.running = False

    async def start(self) -> None:
        """Try once; on failure retry in the background. Raises only `TokenRejected`."""
        if await self._attempt(1, self._first_delay):
            return
        self._retrying = asyncio.create_task(self._retry())

    async def stop(self) -> None:
        if self._retrying is not None:
            self._retrying.cancel()
            with contextlib.suppress(asyncio.CancelledError, TokenRejected):
                await self._retrying
            self._retrying = None
        await self._frontend.stop()
        self.running = False

    async def _retry(self) -> None:
        delay, attempt = self._first_delay, 1
        while True:
            await self._sleep(delay)
            attempt += 1
            delay = min(delay * 2, self._max_delay)
            try:
                if await self._attempt(attempt, delay):
                    return
            except TokenRejected as error:
                # Accepted before, rejected now (revoked meanwhile): nothing to retry.
                log.error("%s front-end stopped: %s", self.platform, error)
                self._health.report_frontend(self.platform, str(error))
                return

    async def _attempt(self, attempt: int, next_delay: float) -> bool:
        try:
            await self._frontend.start()
        except Exception as error:
            # Whatever half-started (an HTTP client, a task) is closed before the next try.
            with contextlib.suppress(Exception):
                await self._frontend.stop()
            if self._frontend.token_rejected(error):
                raise TokenRejected(self.platform, self._variable) from None
            reason = self._scrub(f"{type(error).__name__}: {error}".rstrip(": "))
            self._health.report_frontend(
                self.platform, f"cannot start ({reason}); retrying in {next_delay:g} s"
            )
            log.error(
                "%s front-end could not start (attempt %d: %s); the others run; retrying in %g s",
                self.platform,
                attempt,
                reason,
                next_delay,
            )
            return False
        self.running = True
        self._health.clear_frontend(self.platform)
        if attempt > 1:
            log.info("%s front-end started at attempt %d", self.platform, attempt)
        return True
