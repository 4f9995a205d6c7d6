"""Everything a running Pitboard is made of, wired in one place: the composition root.

`Runtime.build` turns a config into store-backed chats, the announcer, the delivery engine and
the front-ends whose tokens are set (the terminal when none is). `bot.app` runs it as a process;
the end-to-end tests build exactly the same runtime against fake platforms.

Start order: delivery engine, Telegram's preparation (its configured channels must be known to
the first plan), announcer (plans and catches up at once: a slow platform login
must not make reminders late), schedule watch, the web server (bot.web, when enabled; before
the chats, so /healthz can tell one still starting), front-ends; a send that finds its
platform not yet connected is a transient error and retried. A replay's clock (`ScaledClock`,
made unstarted) starts last, when the bot is ready, and is paced from then on
(`bot.scheduling.pacer`): no replayed moment passes during start-up, and none passes while
posts due before it are still going out, however slow the machine. With several processes
on PostgreSQL the planning leader paces it and the others follow the clock it publishes
(`bot.scheduling.replay_driver`). Stop order: the web server
(no request is served by half-stopped parts), watch, announcer (nothing new is enqueued),
engine (sends in flight finish while the platforms' HTTP clients are still open — the soak
found posts repeated when the front-ends closed first), front-ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.charts import ChartMaker
from bot.charts.posts import with_charts
from bot.chats import Router
from bot.chats.admin import Admin
from bot.chats.edits import EditCommands
from bot.chats.health import ChannelHealth
from bot.chats.settings import ChatSettings
from bot.chats.shared_health import SharedChannelHealth
from bot.config import DISCORD_TOKEN_ENV, TELEGRAM_TOKEN_ENV, Config
from bot.core.audience import Chat
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock, ScaledClock
from bot.core.plan import PlanSettings
from bot.core.reply import Reply
from bot.core.service import Service
from bot.delivery.engine import DeliveryEngine
from bot.delivery.ratelimit import DISCORD_LIMITS, RateLimits
from bot.delivery.sender import Composer, Sender
from bot.delivery.shared_pace import pace_bucket
from bot.editing import Editor
from bot.feeds.links import CalendarLinks
from bot.frontend_startup import FrontendStartup, TokenRejected
from bot.frontends.console.repl import ConsolePoster, ConsoleWriter
from bot.frontends.console.sender import ConsoleSender
from bot.logsafe import RedactSecrets
from bot.scheduling import Announcer, ScheduleReloader
from bot.scheduling.cluster import Cluster
from bot.scheduling.replay_driver import ReplayDriver
from bot.scheduling.shared_clock import ClockSharing
from bot.store.coordination import CLOCK, Coordinator, LocalCoordinator
from bot.store.leases import DEFAULT_LEASE
from bot.store.pace import SharedPace
from bot.store.postgres import PostgresStore
from bot.store.protocol import Store
from bot.store.records import OutboxItem
from bot.store.replay_clock import SharedReplayClock
from bot.web.context import FrontendState, WebContext
from bot.web.metrics import Metrics
from bot.web.server import NAME as WEB_SERVER_NAME
from bot.web.server import WebServer

if TYPE_CHECKING:
    from bot.frontends.discord.bot import DiscordFrontend
    from bot.frontends.telegram.bot import TelegramFrontend

# The terminal has no platform limits; these only keep a replay's output readable in order.
CONSOLE_LIMITS = RateLimits(global_per_second=1000.0, per_chat_per_second=1000.0, chat_burst=50.0)


def keyed(compose: Composer) -> Composer:
    """Each delivery's post carries the delivery's own key (the announcement and the chat),
    the same on every retry: a platform that recognises repeats posts a retried send once."""

    def composed(item: OutboxItem, chat: Chat) -> Reply | None:
        reply = compose(item, chat)
        if reply is None:
            return None
        return replace(reply, idempotency_key=f"{item.key}|{chat.ref.platform}:{chat.ref.id}")

    return composed


@dataclass
class Runtime:
    config: Config
    catalogs: CatalogHolder
    clock: Clock
    store: Store
    service: Service
    announcer: Announcer
    reloader: ScheduleReloader
    router: Router
    engine: DeliveryEngine
    health: ChannelHealth
    chat_zone: str
    # Operator edits of the schedule files; each reloads through `reloader` at once.
    editor: Editor
    # This process among others on one PostgreSQL store: the planning leader and the signals
    # between processes (bot.scheduling.cluster); alone (SQLite), it always leads.
    cluster: Cluster
    telegram: TelegramFrontend | None = None
    discord: DiscordFrontend | None = None
    console: ConsoleWriter | None = None
    metrics: Metrics = field(default_factory=Metrics)
    web: WebServer | None = None  # the HTTP server (bot.web), when `web` is enabled
    # First wait before retrying a front-end that could not start (doubling up to a minute).
    frontend_retry_seconds: float = 1.0
    # A replay's --until: its clock stops there, even if it was running towards a later hold.
    replay_until: datetime | None = None
    # A replay's clock: paced while this process leads, else following the leader's
    # (bot.scheduling.replay_driver). None: the system clock.
    replay: ReplayDriver | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _startups: list[FrontendStartup] = field(default_factory=list)
    _web_startup: FrontendStartup | None = None

    @classmethod
    def build(
        cls,
        config: Config,
        *,
        schedules: Path,
        catalogs: CatalogHolder,
        clock: Clock,
        store: Store,
        chat_zone: str,
        console: ConsoleWriter | None = None,
        reload_poll_seconds: float = 0.5,
    ) -> Runtime:
        service = Service(catalogs, clock, default_zone=config.general.timezone)
        reminders = tuple(config.announcements.reminder_minutes)
        plan_settings = PlanSettings(
            preview_days=config.announcements.preview_days,
            reminder_minutes=frozenset(reminders),
            live_grace=timedelta(minutes=config.announcements.live_grace_minutes),
        )
        cluster_ref: list[Cluster] = []
        announcer = Announcer(
            catalogs,
            store,
            clock,
            plan_settings,
            on_enqueued=lambda: cluster_ref[0].enqueued() if cluster_ref else None,
        )
        reloader = ScheduleReloader(
            schedules, catalogs, announcer.replan, poll_seconds=reload_poll_seconds
        )
        editor = Editor(schedules, store, catalogs, clock, reloader.reload)
        chat_settings = ChatSettings(
            store,
            service,
            clock,
            default_zone=chat_zone,
            default_reminders=reminders,
            on_reminders_changed=announcer.replan,
        )
        # Several processes on PostgreSQL: what one finds wrong with a channel, all know.
        health = SharedChannelHealth(store) if isinstance(store, PostgresStore) else ChannelHealth()
        metrics = Metrics()
        charts = ChartMaker()
        # Links point at the web server's address, known once it is bound (port 0 in tests).
        web_ref: list[WebServer] = []
        calendar = CalendarLinks(store, service, lambda: web_ref[0].url if web_ref else None)
        router = Router(
            service,
            chat_settings,
            Admin(store, catalogs, clock, announcer, reloader, health),
            on_answered=metrics.observe_command,
            charts=charts,
            calendar=calendar,
            edits=EditCommands(editor, catalogs),
        )
        senders: dict[str, Sender] = {}
        limits: dict[str, RateLimits] = {}
        telegram = None
        if config.telegram_active and config.telegram_token:
            # Imported here: a terminal-only run never loads python-telegram-bot.
            from bot.frontends.telegram.bot import TelegramFrontend

            telegram = TelegramFrontend(
                config.telegram,
                config.telegram_token,
                router,
                store,
                catalogs,
                health,
                clock=clock,
                default_zone=chat_zone,
                default_reminders=reminders,
                webhook_secret=config.telegram_webhook_secret,
            )
            senders["telegram"] = telegram.sender
            limits["telegram"] = RateLimits(
                global_per_second=config.telegram.global_per_second,
                per_chat_per_second=config.telegram.per_chat_per_second,
                per_group_per_minute=config.telegram.per_group_per_minute,
            )
        discord = None
        if config.discord_active and config.discord_token:
            from bot.frontends.discord.bot import DiscordFrontend

            discord = DiscordFrontend(
                config.discord,
                config.discord_token,
                router,
                store,
                catalogs,
                health,
                clock=clock,
                editor=editor,
            )
            senders["discord"] = discord.sender
            limits["discord"] = replace(
                DISCORD_LIMITS, global_per_second=config.discord.global_per_second
            )
        if console is not None:
            senders["console"] = ConsoleSender(ConsolePoster(console), clock)
            limits["console"] = CONSOLE_LIMITS
        engine = DeliveryEngine(
            store,
            senders,
            keyed(with_charts(announcer.compose, charts, catalogs, announcer.followed_drivers)),
            limits,
            clock,
            # Only the terminal: one worker keeps its posts in due order.
            workers_per_platform=1 if list(senders) == ["console"] else 8,
            # PostgreSQL: the platforms' limits are shared with the bot's other processes.
            shared_pace=store if isinstance(store, SharedPace) else None,
            # Per bot, not per platform: two bots of one platform have a limit each.
            pace_buckets={
                "telegram": pace_bucket("telegram", config.telegram_token),
                "discord": pace_bucket("discord", config.discord_token),
            },
        )
        cluster = Cluster(coordinator_for(store), store, announcer, reloader, engine.wake)
        cluster_ref.append(cluster)
        replay = None
        if isinstance(clock, ScaledClock):
            sharing = None
            if isinstance(store, SharedReplayClock):  # PostgreSQL: other processes follow it
                sharing = ClockSharing(
                    clock, store, lambda: cluster.coordinator.signal(CLOCK), engine.wake
                )
            replay = ReplayDriver(
                clock, announcer, engine.earliest_unsent_due, engine.wake, cluster, sharing
            )
        metrics.watch(engine, sorted(senders), announcer)
        if telegram is not None:
            telegram.attach(engine.reply)
            telegram.enable_edits(editor)  # the admins' guided /edit and file imports
        runtime = cls(
            config=config,
            catalogs=catalogs,
            clock=clock,
            store=store,
            service=service,
            announcer=announcer,
            reloader=reloader,
            router=router,
            engine=engine,
            health=health,
            chat_zone=chat_zone,
            editor=editor,
            cluster=cluster,
            telegram=telegram,
            discord=discord,
            console=console,
            metrics=metrics,
            replay=replay,
        )
        if config.web_active:
            runtime.web = WebServer(runtime.web_context())
            web_ref.append(runtime.web)
        return runtime

    def web_context(self) -> WebContext:
        """What the web server's handlers may use: this runtime's own parts."""
        return WebContext(
            config=self.config,
            clock=self.clock,
            catalogs=self.catalogs,
            service=self.service,
            store=self.store,
            router=self.router,
            health=self.health,
            announcer=self.announcer,
            engine=self.engine,
            metrics=self.metrics,
            frontend_states=self.frontend_states,
        )

    def frontend_states(self) -> dict[str, FrontendState]:
        """Each chat front-end: running, or what keeps it from running (for /healthz)."""
        problems = self.health.frontend_problems()
        live = {"Telegram": self.telegram, "Discord": self.discord}
        states = {}
        for startup in self._startups:
            problem = problems.get(startup.platform)
            if problem is None and not startup.running:
                problem = "not started yet"
            frontend = live.get(startup.platform)
            if problem is not None or frontend is None:
                states[startup.platform] = FrontendState(False, problem)
                continue
            # Started: whether its connection still holds (it can drop at any time after).
            connection = frontend.connection_state()
            states[startup.platform] = FrontendState(
                True, connection.problem, dict(connection.details)
            )
        return states

    @property
    def frontends(self) -> list[TelegramFrontend | DiscordFrontend]:
        return [f for f in (self.telegram, self.discord) if f is not None]

    async def start(self, *, start_clock: bool = True) -> None:
        """Start everything; with `start_clock=False` a replay's clock stays at its start
        instant until `start_clock()` (a test that sets up chats first)."""
        await self.engine.start()
        await self._prepare_telegram()
        if self.replay is not None:
            # Before the announcer plans: a replay other processes run is already under way.
            await self.replay.adopt()
        # The announcer starts here if this process leads (always, alone on SQLite).
        await self.cluster.start()
        self._tasks.append(asyncio.create_task(self.reloader.watch()))
        if self.web is not None:
            # Before the chats: /healthz can tell a platform still starting. A port in use
            # is retried in the background and shown on /status, like a platform down.
            self._web_startup = web_startup(self, self.web)
            await self._web_startup.start()
        # One platform that cannot be reached must not stop the others (bot.frontend_startup).
        self._startups = frontend_startups(self)
        for startup in self._startups:
            await startup.start()
        if start_clock:
            self.start_clock()

    async def _prepare_telegram(self) -> None:
        """The configured Telegram channels go into the store before the first plan, or an
        overdue post planned at start-up would go to everyone but them."""
        if self.telegram is not None:
            try:
                await self.telegram.prepare_for_plan()
            except Exception as error:
                if self.telegram.token_rejected(error):  # one line and exit 2, as at start
                    raise TokenRejected("Telegram", TELEGRAM_TOKEN_ENV) from None
                raise

    def start_clock(self) -> None:
        """Start a replay's clock (bot.scheduling.replay_driver): paced here if this process
        leads, else following the leader's; nothing for the system clock."""
        if self.replay is not None:
            self.replay.start(self.replay_until)

    async def stop(self) -> None:
        if self.replay is not None:
            await self.replay.stop()
        if self._web_startup is not None:  # first: no request is served by half-stopped parts
            await self._web_startup.stop()
            self._web_startup = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.cluster.stop()  # the announcer first: nothing new is enqueued
        await self.engine.stop()
        for startup in reversed(self._startups):
            await startup.stop()
        self._startups.clear()


def lease_for(clock: Clock) -> timedelta:
    """How long a claimed delivery stays this process's (bot.store.leases), counted by the
    bot's clock. A lease is about processes, not about the replayed time: in a replay at speed
    S a minute of real time is S minutes of the clock, and a lease of a clock minute would run
    out in a fraction of a second while the clock runs between holds, handing another process
    a send still in flight here (a duplicate)."""
    speed = clock.speed if isinstance(clock, ScaledClock) else 1.0
    return DEFAULT_LEASE * max(1.0, speed)


def coordinator_for(store: Store) -> Coordinator:
    """PostgreSQL: an advisory lock and LISTEN/NOTIFY shared with the other processes;
    any other store serves one process, which leads alone."""
    if isinstance(store, PostgresStore):
        return store.coordinator()
    return LocalCoordinator()


def web_startup(runtime: Runtime, server: WebServer) -> FrontendStartup:
    """The web server's supervised start: retried with backoff while its port is taken."""
    return FrontendStartup(
        WEB_SERVER_NAME,
        "",  # no token: `WebServer.token_rejected` is always False
        server,
        runtime.health,
        scrub=lambda text: text,
        first_delay=runtime.frontend_retry_seconds,
    )


def frontend_startups(runtime: Runtime) -> list[FrontendStartup]:
    """A supervised start for each chat front-end, in start order (Telegram, then Discord)."""
    config = runtime.config
    secrets = (config.telegram_token, config.discord_token, config.telegram_webhook_secret)
    scrub = RedactSecrets(s for s in secrets if s).scrub
    named = (
        ("Telegram", TELEGRAM_TOKEN_ENV, runtime.telegram),
        ("Discord", DISCORD_TOKEN_ENV, runtime.discord),
    )
    return [
        FrontendStartup(
            platform,
            variable,
            frontend,
            runtime.health,
            scrub=scrub,
            first_delay=runtime.frontend_retry_seconds,
        )
        for platform, variable, frontend in named
        if frontend is not None
    ]
