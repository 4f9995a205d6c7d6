"""Whether Telegram's long polling is getting through, for /healthz.

PTB's updater retries a failed getUpdates for ever (backing off up to 30 s) and only logs it:
after a successful start, Telegram answering 5xx or the connection being refused would go
unnoticed. The getUpdates requests go through `WatchedRequest`, which counts each answer; a
run of `FAILED_POLLS_UNHEALTHY` failures in a row makes polling unhealthy, and the first
answer that gets through makes it healthy again.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.core.clock import Clock

log = logging.getLogger("pitboard.telegram")

# One failure is a blip PTB retries at once; three in a row (about 2.5 s of backoff, or
# three timed-out long polls) is Telegram not answering.
FAILED_POLLS_UNHEALTHY = 3


@dataclass
class PollingRecord:
    """The outcome of the last getUpdates requests, at the injected clock's times."""

    clock: Clock
    failures_in_a_row: int = 0
    last_success: datetime | None = None
    last_failure: datetime | None = None
    last_error: str | None = None
    failing_since: datetime | None = None

    def succeeded(self) -> None:
        if self.failures_in_a_row >= FAILED_POLLS_UNHEALTHY:
            log.info("telegram: getUpdates answers again (%d failed)", self.failures_in_a_row)
        self.failures_in_a_row = 0
        self.failing_since = None
        self.last_success = self.clock.now()

    def failed(self, error: str) -> None:
        now = self.clock.now()
        if self.failures_in_a_row == 0:
            self.failing_since = now
        self.failures_in_a_row += 1
        self.last_failure, self.last_error = now, error
        if self.failures_in_a_row == FAILED_POLLS_UNHEALTHY:
            count = self.failures_in_a_row
            log.error("telegram: getUpdates failed %d times in a row: %s", count, error)

    @property
    def problem(self) -> str | None:
        if self.failures_in_a_row < FAILED_POLLS_UNHEALTHY:
            return None
        since = self.failing_since.isoformat() if self.failing_since else "?"
        return (
            # i18n: not user text (the operator's /healthz)
            f"getUpdates failing since {since} "
            f"({self.failures_in_a_row} in a row; last: {self.last_error})"
        )

    def details(self) -> dict[str, object]:
        return {
            "failed_polls_in_a_row": self.failures_in_a_row,
            "last_success": _iso(self.last_success),
            "last_failure": _iso(self.last_failure),
            "last_error": self.last_error,
        }


class WatchedRequest(BaseRequest):
    """PTB's own request for getUpdates (httpx, one connection), each answer recorded."""

    def __init__(self, record: PollingRecord, inner: BaseRequest | None = None) -> None:
        self.record = record
        self._inner = inner or HTTPXRequest(connection_pool_size=1)

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        # Handed on as PTB gave them (its own "default" markers included).
        timeouts: dict[str, Any] = {
            "read_timeout": read_timeout,
            "write_timeout": write_timeout,
            "connect_timeout": connect_timeout,
            "pool_timeout": pool_timeout,
        }
        try:
            status, body = await self._inner.do_request(url, method, request_data, **timeouts)
        except Exception as error:  # refused, reset, timed out: PTB raises it on
            self.record.failed(f"{type(error).__name__}: {error}".rstrip(": "))
            raise
        if status == 200:
            self.record.succeeded()
        else:
            self.record.failed(f"HTTP {status}{_description(body)}")  # i18n: not user text (log)
        return status, body


def _description(body: bytes) -> str:
    """The Bot API's own words for a failure ("Conflict: terminated by other getUpdates…")."""
    try:
        description = json.loads(body).get("description")
    except (ValueError, AttributeError):
        return ""
    return f" {description}" if isinstance(description, str) else ""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
