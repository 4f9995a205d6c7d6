"""/metrics: the bot's counters in the Prometheus text format (prometheus-client).

One `CollectorRegistry` per runtime, never the library's global one: two runtimes in one
process (the tests) each count their own. Most figures are read at scrape time from what the
bot counts anyway — the delivery lanes' `LaneStats`, the announcer's `plans_made`, the store's
backlog — so the hot paths carry no extra work; only a command's latency is observed as it
happens (`Router`'s `on_answered`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.chats import Caller
from bot.core.commands import find_command, split_command_line
from bot.delivery.engine import DeliveryEngine
from bot.scheduling import Announcer
from bot.store.records import Backlog

if TYPE_CHECKING:
    from bot.web.context import WebContext

# Seconds: a command answered from memory takes milliseconds, one that reads the store or
# renders a table tens of them; past a few seconds a fan notices.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNKNOWN_COMMAND = "unknown"  # every line that names no command: fans must not mint labels


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.command_seconds = Histogram(
            "pitboard_command_duration_seconds",
            # i18n: not user text (a metric's help, for the operator's Prometheus)
            "Time from a command's line to its reply, per platform and command.",
            ["platform", "command"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._live = _LiveCollector()
        self.registry.register(self._live)

    def watch(self, engine: DeliveryEngine, platforms: Sequence[str], announcer: Announcer) -> None:
        """Count what these parts count (read at each scrape)."""
        self._live.engine, self._live.platforms = engine, tuple(platforms)
        self._live.announcer = announcer

    def observe_command(self, line: str, caller: Caller, seconds: float) -> None:
        """`Router`'s `on_answered`: one latency sample under the command's own name."""
        command = find_command(split_command_line(line)[0])
        name = command.name if command is not None else UNKNOWN_COMMAND
        self.command_seconds.labels(caller.chat.platform, name).observe(seconds)

    def update_backlog(self, backlog: Mapping[str, Backlog] | None, now: datetime) -> None:
        """The store's backlog as of `now` (the injected clock's), None when the store could
        not say: asked before each scrape, since a collector cannot wait for the store."""
        self._live.backlog = None if backlog is None else dict(backlog)
        self._live.now = now


class _LiveCollector(Collector):
    def __init__(self) -> None:
        self.engine: DeliveryEngine | None = None
        self.platforms: tuple[str, ...] = ()
        self.announcer: Announcer | None = None
        self.backlog: dict[str, Backlog] | None = {}
        self.now: datetime | None = None

    def collect(self) -> Iterable[Metric]:
        yield from self._deliveries()
        yield from self._outbox()
        if self.announcer is not None:
            plans = CounterMetricFamily(
                "pitboard_plans",
                # i18n: not user text (a metric's help, for the operator's Prometheus)
                "Announcement plans made (at start, on reloads and changes).",
            )
            plans.add_metric([], self.announcer.plans_made)
            yield plans
            scheduled = GaugeMetricFamily(
                "pitboard_announcements_scheduled",
                # i18n: not user text (a metric's help, for the operator's Prometheus)
                "Announcements the last plan scheduled.",
            )
            scheduled.add_metric([], self.announcer.last_report.scheduled)
            yield scheduled

    def _deliveries(self) -> Iterable[Metric]:
        counters = {
            # i18n: not user text (a metric's help, for the operator's Prometheus)
            "sent": ("pitboard_deliveries_sent", "Deliveries sent."),
            # i18n: not user text (a metric's help, for the operator's Prometheus)
            "failed": ("pitboard_deliveries_failed", "Deliveries that failed for good."),
            # i18n: not user text (a metric's help, for the operator's Prometheus)
            "retried": ("pitboard_deliveries_retried", "Delivery attempts to be retried."),
            # i18n: not user text (a metric's help, for the operator's Prometheus)
            "skipped": ("pitboard_deliveries_skipped", "Deliveries skipped (chat gone, …)."),
            "rate_limited": (
                "pitboard_rate_limited",
                # i18n: not user text (a metric's help, for the operator's Prometheus)
                "Sends the platform refused with a rate limit (HTTP 429, retry after).",
            ),
        }
        if self.engine is None:
            return
        for field, (name, documentation) in counters.items():
            family = CounterMetricFamily(name, documentation, labels=["platform"])
            for platform in self.platforms:
                family.add_metric([platform], getattr(self.engine.stats(platform), field))
            yield family

    def _outbox(self) -> Iterable[Metric]:
        store_up = GaugeMetricFamily(
            "pitboard_store_up",
            # i18n: not user text (a metric's help, for the operator's Prometheus)
            "1 when the store answered the last scrape's query, else 0.",
        )
        store_up.add_metric([], 0 if self.backlog is None else 1)
        yield store_up
        if self.backlog is None:
            return  # unknown, not zero: a gap in the graph says so
        pending = GaugeMetricFamily(
            "pitboard_deliveries_pending",
            # i18n: not user text (a metric's help, for the operator's Prometheus)
            "Deliveries still to be sent (waiting, or being sent now).",
            labels=["platform"],
        )
        lag = GaugeMetricFamily(
            "pitboard_outbox_lag_seconds",
            # i18n: not user text (a metric's help, for the operator's Prometheus)
            "How long the oldest delivery still to be sent has been due (0: none late).",
            labels=["platform"],
        )
        for platform in sorted({*self.platforms, *self.backlog}):
            found = self.backlog.get(platform)
            pending.add_metric([platform], found.unsent if found else 0)
            lag.add_metric([platform], lag_seconds(found, self.now))
        yield pending
        yield lag


def lag_seconds(backlog: Backlog | None, now: datetime | None) -> float:
    """How long the oldest unsent delivery has been due at `now`; 0 when none is overdue."""
    if backlog is None or now is None:
        return 0.0
    return max(0.0, (now - backlog.oldest_due).total_seconds())


def routes(context: WebContext) -> list[web.RouteDef]:
    async def metrics(request: web.Request) -> web.Response:
        backlog: dict[str, Backlog] | None
        try:
            backlog = await context.store.backlog()
        except Exception:
            # /healthz says what is wrong; the other counters are still worth having.
            backlog = None
        context.metrics.update_backlog(backlog, context.clock.now())
        body = generate_latest(context.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return [web.get("/metrics", metrics)]
