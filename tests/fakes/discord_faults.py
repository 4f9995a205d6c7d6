"""The failures FakeDiscord injects (``fail_next``) and the rate limits it enforces: a global
limit and per-route buckets, answered with the headers discord.py's rate limiter reads."""

from __future__ import annotations

import hashlib
import math
from collections import deque
from dataclasses import dataclass
from typing import Literal

from tests.fakes.discord_model import ApiError, FakeStats, RecordedRequest
from tests.fakes.discord_spec import Operation
from tests.fakes.discord_world import DiscordWorld

FaultKind = Literal[
    "rate_limited",
    "global_rate_limited",
    "missing_permissions",
    "missing_access",
    "unknown_channel",
    "server_error",
    "bad_gateway",
    "lost_response",
]
_FAULTS: dict[str, tuple[int, int, str]] = {
    "missing_permissions": (403, 50013, "Missing Permissions"),
    "missing_access": (403, 50001, "Missing Access"),
    "unknown_channel": (404, 10003, "Unknown Channel"),
    "server_error": (500, 0, "500: Internal Server Error"),
    "bad_gateway": (502, 0, "502: Bad Gateway"),
}


@dataclass
class _Fault:
    target: str
    kind: FaultKind
    times: int
    retry_after: float

    def applies(self, record: RecordedRequest) -> bool:
        if self.target == "*":
            return True
        if self.target.isdigit():
            return self.target in record.params.values()
        route = record.route
        return self.target == route or self.target == route.split(" ", 1)[-1]


@dataclass
class _Bucket:
    name: str
    started: float
    used: int = 0


class DiscordFaults(DiscordWorld):
    """Fault injection and rate limits; FakeDiscord.__init__ sets the attributes declared here."""

    stats: FakeStats
    global_per_second: int | None
    bucket_limit: int
    bucket_reset_after: float
    _faults: list[_Fault]
    _global: deque[float]
    _buckets: dict[tuple[str, str], _Bucket]

    def fail_next(
        self, target: str, kind: FaultKind, times: int = 1, *, retry_after: float = 0.05
    ) -> None:
        """Answer the next `times` matching requests with `kind` instead of serving them.

        `target`: a snowflake (any request naming it: channel, guild, interaction, ...), a route
        ("POST /channels/{channel_id}/messages", or without the method for any method), or "*".
        "lost_response" serves the request and then closes the connection unanswered.
        """
        self._faults.append(_Fault(str(target), kind, times, retry_after))

    # --- while serving a request ------------------------------------------------------------

    def _inject_faults(self, record: RecordedRequest) -> None:
        for fault in self._faults:
            if fault.times <= 0 or not fault.applies(record):
                continue
            fault.times -= 1
            self.stats.faults[fault.kind] += 1
            if fault.kind == "lost_response":
                # Served (a message is stored), then the connection is cut before the answer:
                # what a timeout is to the bot. Discord's answer is lost, not its work.
                record.answer_lost = True
                continue
            if fault.kind in ("rate_limited", "global_rate_limited"):
                is_global = fault.kind == "global_rate_limited"
                raise self._too_many(record, fault.retry_after, is_global=is_global)
            status, code, message = _FAULTS[fault.kind]
            raise ApiError(status, code, message)
        self._faults = [f for f in self._faults if f.times > 0]

    def _exempt_from_global(self, record: RecordedRequest) -> bool:
        # Discord: interaction endpoints are not bound to the bot's global rate limit.
        return record.path.startswith("/interactions/") or (
            record.path.startswith("/webhooks/")
            and record.params.get("webhook_id") == self.application_id
        )

    def _enforce_global_limit(self, record: RecordedRequest) -> None:
        if self.global_per_second is None or self._exempt_from_global(record):
            return
        now = self.clock()
        while self._global and self._global[0] <= now - 1.0:
            self._global.popleft()
        if len(self._global) >= self.global_per_second:
            self.stats.global_rate_limited += 1
            raise self._too_many(record, self._global[0] + 1.0 - now, is_global=True)
        self._global.append(now)

    def _bucket_key(self, op: Operation, record: RecordedRequest) -> tuple[str, str]:
        name = hashlib.sha1(op.route.encode()).hexdigest()[:16]
        params = record.params
        if "webhook_id" in params or "interaction_id" in params:
            major = params.get("webhook_id") or params["interaction_id"]
            major += "/" + (params.get("webhook_token") or params.get("interaction_token") or "")
        else:
            major = params.get("channel_id") or params.get("guild_id") or ""
        return name, major

    def _enforce_bucket(self, op: Operation, record: RecordedRequest) -> dict[str, str]:
        """Count the request in its bucket; the X-RateLimit-* headers discord.py plans with."""
        key = self._bucket_key(op, record)
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None or now >= bucket.started + self.bucket_reset_after:
            bucket = self._buckets[key] = _Bucket(key[0], now)
        reset_after = bucket.started + self.bucket_reset_after - now
        if bucket.used >= self.bucket_limit:
            self.stats.bucket_rate_limited += 1
            raise self._too_many(record, reset_after, is_global=False, bucket=bucket.name)
        bucket.used += 1
        return self._limit_headers(bucket.name, self.bucket_limit - bucket.used, reset_after)

    def _limit_headers(self, bucket: str, remaining: int, reset_after: float) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.bucket_limit),
            "X-RateLimit-Remaining": str(max(0, remaining)),
            "X-RateLimit-Reset": f"{self.wall_clock() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{max(0.0, reset_after):.3f}",
            "X-RateLimit-Bucket": bucket,
        }

    def _too_many(
        self,
        record: RecordedRequest,
        retry_after: float,
        *,
        is_global: bool,
        bucket: str | None = None,
    ) -> ApiError:
        # Rounded up: a client that waits exactly retry_after must then be let through.
        retry_after = math.ceil(max(retry_after, 0.001) * 1000) / 1000
        headers = {
            # discord.py treats a 429 without a Via header as a Cloudflare ban and gives up.
            "Via": "1.1 google",
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Scope": "global" if is_global else "user",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        else:
            name = bucket or hashlib.sha1(record.route.encode()).hexdigest()[:16]
            headers.update(self._limit_headers(name, 0, retry_after))
        body = {"message": "You are being rate limited.", "retry_after": retry_after}
        body["global"] = is_global
        return ApiError(429, 0, "You are being rate limited.", headers=headers, body=body)
