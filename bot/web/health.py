"""/healthz: whether the bot is alive and keeping up — 200, or 503 with the reasons — as JSON.

Unhealthy when a chat front-end is not running (could not start, or stopped) or its connection
failed after the start (Telegram's getUpdates failing, Discord's gateway down past its grace,
a webhook server down), the store does
not answer, the scheduler is not running, or a delivery has been due for longer than
`web.max_outbox_lag_seconds` (as of the injected clock: a replay is judged at its own now).
The body names no chat and no token: it is safe behind a public address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.delivery.errors import describe
from bot.store.records import Backlog
from bot.web.context import WebContext
from bot.web.metrics import lag_seconds

log = logging.getLogger("pitboard.web")


@dataclass
class HealthReport:
    body: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems


async def check_health(context: WebContext) -> HealthReport:
    now = context.clock.now()
    report = HealthReport()
    report.body["now"] = now.isoformat()
    _frontends(context, report)
    backlog = await _store(context, report)
    _scheduler(context, report)
    _outbox(context, backlog, now, report)
    report.body = {
        "status": "ok" if report.healthy else "unhealthy",
        "problems": report.problems,
        **report.body,
    }
    return report


def _frontends(context: WebContext, report: HealthReport) -> None:
    shown: dict[str, Any] = {}
    for platform, state in sorted(context.frontend_states().items()):
        shown[platform] = {
            "running": state.running,
            "problem": state.problem,
            "healthy": state.healthy,
            "connection": dict(state.connection) if state.connection is not None else None,
        }
        if not state.healthy:
            # i18n: not user text (/healthz is read by a monitor, in the log's English)
            report.problems.append(f"{platform}: {state.problem or 'not running'}")
    report.body["frontends"] = shown


async def _store(context: WebContext, report: HealthReport) -> dict[str, Backlog] | None:
    """The store answers a real query (the outbox's backlog, needed below anyway)."""
    try:
        backlog = await context.store.backlog()
    except Exception as error:
        what = describe(error)
        log.warning("health check: the store did not answer: %s", what)
        report.body["store"] = {"ok": False, "error": what}
        report.problems.append(f"store: {what}")
        return None
    report.body["store"] = {"ok": True, "error": None}
    return backlog


def _scheduler(context: WebContext, report: HealthReport) -> None:
    announcer = context.announcer
    next_job = announcer.next_due() if announcer.running else None
    report.body["scheduler"] = {
        "running": announcer.running,
        "next_job": next_job.isoformat() if next_job else None,
        # Several processes on PostgreSQL: one plans, the others follow (healthy, not planning).
        "leader": not announcer.following,
    }
    if not announcer.running and not announcer.following:
        # i18n: not user text (/healthz is read by a monitor, in the log's English)
        report.problems.append("scheduler: not running")


def _outbox(
    context: WebContext, backlog: dict[str, Backlog] | None, now: datetime, report: HealthReport
) -> None:
    limit = context.config.web.max_outbox_lag_seconds
    if backlog is None:
        report.body["outbox"] = None  # unknown: the store problem above says why
        return
    platforms = {
        platform: {
            "unsent": found.unsent,
            "oldest_due": found.oldest_due.isoformat(),
            "lag_seconds": round(lag_seconds(found, now), 3),
        }
        for platform, found in sorted(backlog.items())
    }
    worst = max((lag_seconds(found, now) for found in backlog.values()), default=0.0)
    report.body["outbox"] = {
        "unsent": sum(found.unsent for found in backlog.values()),
        "lag_seconds": round(worst, 3),
        "max_lag_seconds": limit,
        "platforms": platforms,
    }
    if worst > limit:
        report.problems.append(
            # i18n: not user text (/healthz is read by a monitor, in the log's English)
            f"outbox: the oldest unsent delivery has been due for {worst:.0f} s "
            f"(more than web.max_outbox_lag_seconds = {limit})"
        )


def routes(context: WebContext) -> list[web.RouteDef]:
    async def healthz(request: web.Request) -> web.Response:
        report = await check_health(context)
        return web.json_response(report.body, status=200 if report.healthy else 503)

    return [web.get("/healthz", healthz)]
