"""Plans announcements from the catalog, schedules them, and enqueues them when due.

On start and on every catalog swap the plan is re-made from `core.plan`:

- an announcement already in the outbox (its stable key) is never planned again, so restarts
  and reloads cannot post twice, and a moved session (new key) gets new reminders;
- a session that moved after fans were told gets one "changed" post (`plan.changes`);
- an announcement still ahead becomes one APScheduler job on a `ClockTrigger`;
- one already due (the bot was down) is decided by `plan.catch_up`: a reminder whose session has
  not started goes out late with the true time left, a start within the grace period goes out
  as "live now", later ones are skipped and logged. A chat gets one late reminder per session:
  the 60- and 15-minute reminders both missed would otherwise both say "starts in 10 min"
  (`_one_late_reminder_per_chat`); the other's key is recorded with nobody left to post to.

A job whose enqueue fails (another process holding the database's write lock past the busy
timeout, say) is tried again with backoff on the injected clock until it succeeds or the post
is stale (`plan.catch_up` would skip it): a failed write never silently loses an announcement.

The store writes an announcement's deliveries in chunks (commands are answered in between); one
cut short by the process dying is listed by `unfinished_announcements` and finished at the next
plan, for the audience of that moment, each chat once (`_finish_unfinished`).

APScheduler's misfire handling is switched off (`misfire_grace_time=None`, no coalescing): a job
that fires late still runs, because lateness is decided here, not silently by the scheduler.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import groupby

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core import plan
from bot.core.announce import compose
from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import Catalog, CatalogHolder
from bot.core.clock import Clock
from bot.core.formatting import count
from bot.core.i18n import _, use_language
from bot.core.plan import Announcement, AnnouncementKind, Decision, PlanSettings
from bot.core.reply import Reply, paragraph
from bot.scheduling.trigger import ClockTrigger
from bot.store.protocol import Store
from bot.store.records import OutboxItem

log = logging.getLogger("pitboard.scheduling")

# An admin's /announce: an outbox item that is not a planned announcement.
FREE_POST = "free"
# A failed enqueue is tried again after 1 s, 2 s, 4 s ... of the clock, at most a minute apart.
ENQUEUE_RETRY_FIRST = timedelta(seconds=1)
ENQUEUE_RETRY_MAX = timedelta(minutes=1)


@dataclass
class PlanReport:
    scheduled: int = 0
    late: int = 0
    skipped: int = 0
    changes: int = 0


class Announcer:
    def __init__(
        self,
        catalogs: CatalogHolder,
        store: Store,
        clock: Clock,
        settings: PlanSettings,
        *,
        on_enqueued: Callable[[], None] = lambda: None,
    ) -> None:
        self._catalogs = catalogs
        self._store = store
        self._clock = clock
        self._base_settings = settings
        self._on_enqueued = on_enqueued
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": False, "max_instances": 1},
        )
        self._lock = asyncio.Lock()
        # Jobs fired and not yet done enqueueing: a paced replay waits for them (`firing`).
        self._firing = 0
        self._scheduler.add_listener(
            self._count_firing, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
        )
        self.last_report = PlanReport()
        self.plans_made = 0  # for /metrics
        # Set while another process is the planning leader (bot.scheduling.leadership): a
        # replan asked for here (a chat's new reminder offsets) is passed on to the leader.
        self._ask_leader: Callable[[], Awaitable[None]] | None = None

    def follow(self, ask_leader: Callable[[], Awaitable[None]] | None) -> None:
        """Another process plans (`ask_leader` passes a replan on to it); None: this one."""
        self._ask_leader = ask_leader

    @property
    def following(self) -> bool:
        """Whether another process is the planning leader."""
        return self._ask_leader is not None

    async def start(self) -> PlanReport:
        self._scheduler.start()
        return await self.replan()

    async def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    @property
    def running(self) -> bool:
        """Whether the scheduler runs (for /healthz)."""
        return bool(self._scheduler.running)

    def pending(self) -> list[Announcement]:
        """Announcements scheduled and not yet due, soonest first (for /status)."""
        jobs = [item for job in self._scheduler.get_jobs() for item in job.args[0]]
        return sorted(jobs, key=lambda a: a.due)

    # --- for pacing a replay (bot.scheduling.pacer) -------------------------------------------

    @property
    def firing(self) -> int:
        """Jobs that have fired and are still enqueueing their announcement."""
        return self._firing

    def _count_firing(self, event: JobEvent) -> None:
        self._firing += 1 if event.code == EVENT_JOB_SUBMITTED else -1

    def next_due(self) -> datetime | None:
        """When the earliest scheduled announcement is due (None: nothing scheduled)."""
        return min((_fires_at(job) for job in self._scheduler.get_jobs()), default=None)

    def retime(self, upto: datetime) -> None:
        """Time again, from the clock as it is now, the jobs due at or before `upto`: after a
        replay clock has started, or has been held and moves on."""
        for job in self._scheduler.get_jobs():
            due = _fires_at(job)
            if due <= upto:
                job.reschedule(ClockTrigger(self._clock, due))

    async def replan(self) -> PlanReport:
        if self._ask_leader is not None:
            await self._ask_leader()  # the leader plans; nothing is scheduled here
            return PlanReport()
        async with self._lock:
            catalog, now = self._catalogs.current, self._clock.now()
            announced = await self._store.announcement_keys()
            # A store that never announced anything was not down: what fell due before its
            # first plan was not "missed". One summary line instead of one per announcement.
            fresh = not announced
            audience = await self._load_audience()
            settings = self._settings_for(audience)
            await self._finish_unfinished(audience)
            report = PlanReport()
            for change in plan.changes(catalog, announced, now):
                await self._enqueue(change, audience)
                announced.add(change.key)
                report.changes += 1
            self._scheduler.remove_all_jobs()
            ahead: list[Announcement] = []
            late: list[Announcement] = []
            for announcement in plan.plan(catalog, settings):
                if announcement.key in announced or plan.superseded(announcement, announced):
                    continue
                if announcement.due > now:
                    ahead.append(announcement)
                    report.scheduled += 1
                    continue
                decision = plan.catch_up(
                    announcement, now, settings, _current_start(catalog, announcement)
                )
                if decision is Decision.SKIP:
                    if not fresh:
                        log.info("missed while down, skipped: %s", announcement.key)
                    report.skipped += 1
                    continue
                if decision is Decision.LATE:
                    # i18n: not user text (a log line's reason)
                    why = "due before the first plan" if fresh else "missed while down"
                    log.info("%s, sent late: %s", why, announcement.key)
                late.append(announcement)
            for announcement, refs, covered in _one_late_reminder_per_chat(late, audience):
                if covered and not refs:
                    log.info("missed while down, covered by a later reminder: %s", announcement.key)
                else:
                    report.late += 1
                try:
                    await self._enqueue(announcement, audience, refs)
                except Exception:
                    self._retry_later(announcement, 1, refs)
            # One job per moment: announcements due together are enqueued one after the other
            # in plan order (separate jobs would race, and Race 2's results could go out first).
            for _due, together in groupby(ahead, key=lambda a: a.due):
                self._schedule(list(together))
            self.last_report = report
            self.plans_made += 1
            if fresh and report.skipped:
                log.info(
                    "a new database: %s due before its first plan not sent",
                    count(report.skipped, "announcement"),
                )
            log.info(
                "plan: %d scheduled, %d sent late, %d skipped, %d changes",
                report.scheduled,
                report.late,
                report.skipped,
                report.changes,
            )
            return report

    def _schedule(
        self,
        together: list[Announcement],
        at: datetime | None = None,
        failures: int = 0,
        refs: list[ChatRef] | None = None,
    ) -> None:
        first = together[0]
        self._scheduler.add_job(
            self._fire,
            trigger=ClockTrigger(self._clock, at or first.due),
            args=[together, failures, refs],
            # A retry gets an id of its own: the job scheduling it is still running, and
            # APScheduler would skip a job whose id has an instance running (max_instances).
            id=f"{first.key}|retry {failures}" if failures else first.key,
            replace_existing=True,
        )

    async def _fire(
        self,
        together: list[Announcement],
        failures: int = 0,
        refs: list[ChatRef] | None = None,
    ) -> None:
        """Enqueue announcements due together, in plan order (for `refs`, else for everyone
        each concerns). One that fails is retried on its own; the others still go."""
        audience: list[tuple[Chat, Subscription]] | None = None
        for announcement in together:
            if failures and self._stale(announcement):
                log.error("gave up enqueueing %s: too late to be useful now", announcement.key)
                continue
            # A job must never die with an exception APScheduler would only log and drop.
            try:
                audience = audience if audience is not None else await self._load_audience()
                await self._enqueue(announcement, audience, refs)
            except Exception:
                self._retry_later(announcement, failures + 1, refs)

    def _retry_later(
        self, announcement: Announcement, failures: int, refs: list[ChatRef] | None
    ) -> None:
        """Called from an except block: logs the failure and schedules the next try."""
        doublings = min(failures - 1, 16)  # capped before multiplying: timedelta overflows
        wait = min(ENQUEUE_RETRY_MAX, ENQUEUE_RETRY_FIRST * 2**doublings)
        retry_at = self._clock.now() + wait
        log.exception(
            "could not enqueue %s (failure %d); trying again at %s",
            announcement.key, failures, retry_at.isoformat(),
        )  # fmt: skip
        self._schedule([announcement], retry_at, failures, refs)

    def _stale(self, announcement: Announcement) -> bool:
        """Whether an announcement that could not be enqueued in time is no longer worth it."""
        catalog = self._catalogs.current
        decision = plan.catch_up(
            announcement,
            self._clock.now(),
            self._base_settings,
            _current_start(catalog, announcement),
        )
        return decision is Decision.SKIP

    async def _enqueue(
        self,
        announcement: Announcement,
        audience: list[tuple[Chat, Subscription]],
        refs: list[ChatRef] | None = None,
    ) -> bool:
        if refs is None:
            refs = plan.recipients(announcement, audience)
        item = OutboxItem(
            key=announcement.key,
            kind=announcement.kind.value,
            subject=announcement.subject,
            due_at=announcement.due,
            payload=announcement.to_payload(),
        )
        # The engine is woken after the first chunk too: its posts go out during the rest.
        added = await self._store.enqueue(item, refs, on_first_chunk=self._on_enqueued)
        if added:
            log.info("enqueued %s for %s", announcement.key, count(len(refs), "chat"))
            self._on_enqueued()
            if announcement.kind is AnnouncementKind.PREVIEW:
                await self._mark_told(announcement)
        return added

    async def _finish_unfinished(self, audience: list[tuple[Chat, Subscription]]) -> None:
        """Finish writing the deliveries of announcements whose enqueue was interrupted (the
        process died between two chunks). Their keys count as announced, so planning alone
        would never come back to them; the store adds only the deliveries still missing."""
        for item in await self._store.unfinished_announcements():
            log.info("finishing the enqueue of %s, interrupted before", item.key)
            if item.kind == FREE_POST:
                try:
                    await self._store.enqueue(item, _everyone(audience))
                    self._on_enqueued()
                except Exception:
                    log.exception("could not finish %s; the next plan tries again", item.key)
                continue
            announcement = Announcement.from_payload(item.payload)
            try:
                if self._stale(announcement):
                    # Too late for the rest (the bot was down long): closed with no more chats.
                    log.info("too late to finish %s; closed as it is", item.key)
                    await self._store.enqueue(item, [])
                else:
                    await self._enqueue(announcement, audience)
            except Exception:
                self._retry_later(announcement, 1, None)

    async def _mark_told(self, preview: Announcement) -> None:
        """Record each session start the preview showed, so moving any of them later gets its
        own "time changed" post (the preview's key knows only the weekend's first start)."""
        event = self._catalogs.current.events.get(preview.subject)
        for session in event.sessions if event else ():
            if session.start_utc is None:
                continue
            told = replace(
                preview,
                kind=AnnouncementKind.TOLD,
                subject=session.id,
                planned_start=session.start_utc,
                session_kind=session.kind,
            )
            marker = OutboxItem(
                told.key, told.kind.value, told.subject, told.due, told.to_payload()
            )
            await self._store.enqueue(marker, [])

    async def _load_audience(self) -> list[tuple[Chat, Subscription]]:
        # The store keeps the audience in memory, true after every subscribe, setting and
        # move: reading it is a copy, not a query of 100,000 rows.
        return await self._store.audience()

    def _settings_for(self, audience: list[tuple[Chat, Subscription]]) -> PlanSettings:
        # Reminders are planned for every offset some chat asked for; each chat gets its own.
        offsets = set(self._base_settings.reminder_minutes)
        for chat, _followed in audience:
            offsets.update(chat.reminder_minutes)
        return replace(self._base_settings, reminder_minutes=frozenset(offsets))

    async def broadcast(self, text: str) -> int:
        """An admin's free post to every subscribed chat and channel; the number of chats."""
        now = self._clock.now()
        audience = await self._load_audience()
        refs = _everyone(audience)
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        item = OutboxItem(
            key=f"free|{now.isoformat()}|{digest}",
            kind=FREE_POST,
            subject="free",
            due_at=now,
            payload={"text": text},
        )
        if await self._store.enqueue(item, refs, on_first_chunk=self._on_enqueued):
            self._on_enqueued()
        return len(refs)

    def followed_drivers(self, ref: ChatRef) -> frozenset[str]:
        """The drivers a chat follows now (for its results posts' charts): the store's audience."""
        subscription = self._store.audience_subscription(ref)
        return subscription.drivers if subscription else frozenset()

    def compose(self, item: OutboxItem, chat: Chat) -> Reply | None:
        """The delivery engine's composer: the post for one chat, from the current catalog,
        in the chat's language."""
        if item.kind == FREE_POST:
            with use_language(chat.language, chat.clock_24h):
                title = _("From Pitboard")
                return Reply(title=title, blocks=(paragraph(str(item.payload["text"])),))
        announcement = Announcement.from_payload(item.payload)
        # Composing runs inside the delivery engine, synchronously: the store's audience in
        # memory answers without a query per message.
        subscription = self._store.audience_subscription(chat.ref)
        return compose(announcement, self._catalogs.current, chat, subscription, self._clock.now())


def _everyone(audience: list[tuple[Chat, Subscription]]) -> list[ChatRef]:
    """An admin's free post goes to every active chat with a subscription."""
    return [chat.ref for chat, _followed in audience if chat.active]


def _one_late_reminder_per_chat(
    late: list[Announcement], audience: list[tuple[Chat, Subscription]]
) -> list[tuple[Announcement, list[ChatRef], bool]]:
    """Who gets each announcement caught up after downtime: every recipient, except that of
    the reminders of one session a chat gets only the one nearest the start (composed with
    the true time left, any of them would read the same). The flag says whether chats were
    left out for that reason."""
    taken: dict[str, set[ChatRef]] = {}  # session id -> chats that get a later reminder
    found: dict[str, tuple[list[ChatRef], bool]] = {}
    for announcement in sorted(late, key=lambda a: a.due, reverse=True):
        wanted = plan.recipients(announcement, audience)
        if announcement.kind is not AnnouncementKind.REMINDER:
            found[announcement.key] = (wanted, False)
            continue
        chats = taken.setdefault(announcement.subject, set())
        refs = [ref for ref in wanted if ref not in chats]
        chats.update(refs)
        found[announcement.key] = (refs, len(refs) < len(wanted))
    return [(announcement, *found[announcement.key]) for announcement in late]


def _current_start(catalog: Catalog, announcement: Announcement) -> datetime | None:
    if announcement.kind is AnnouncementKind.PREVIEW:
        event = catalog.events.get(announcement.subject)
        return plan.preview_start(event) if event else None
    session = catalog.sessions.get(announcement.subject)
    return session.start_utc if session else None


def _fires_at(job: Job) -> datetime:
    """The moment a job fires: its announcements' due moment, or a retry's later one."""
    trigger = job.trigger
    assert isinstance(trigger, ClockTrigger)  # every job here is planned on the clock
    return trigger.due
