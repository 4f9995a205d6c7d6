"""A replay's clock shared by every process on one store: the leader publishes, the rest follow.

Only the planning leader paces a replay (bot.scheduling.pacer): it holds its clock before each
due moment while the posts due before it are still going out. Every other process sends those
posts too and answers commands, so its clock must show the leader's time and, above all, never
pass the leader's hold: a follower ahead of the leader would find a reminder's session already
started and drop the reminder as too late, or send a post before its moment.

- The leader publishes each move of its clock (its reading, hold and speed, with the server's
  wall time: bot.store.replay_clock) and signals CLOCK; publications are coalesced (one write
  at a time, always the latest state).
- A follower reads the publication at start, on every CLOCK signal, and every
  `POLL_SECONDS` as a fallback for a signal lost, and shows the published reading projected to
  now, running up to the published hold and never past it.
- A process that takes the lead reads the publication once more and continues from it, not
  from its own --at: the replay neither jumps back nor skips a due moment the dead leader's
  clock had not yet reached. A process starting reads it before its announcer plans.
- A leader that is stopped (not killed) publishes its clock held where it stands: with no
  process pacing it, the replay's clock stands still, as a one-process replay's does.

A publication whose projected reading lies before this process's --at belongs to an earlier
replay on the same database (replaying again starts from a later --at): it is ignored, and the
clock stands at --at until the leader publishes. Replaying an earlier stretch again needs a
fresh database anyway, since its outbox already holds that stretch's posts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.core.clock import ScaledClock
from bot.store.replay_clock import PublishedClock, SharedReplayClock

__all__ = ["POLL_SECONDS", "ClockSharing"]

log = logging.getLogger("pitboard.scheduling")

# Real seconds between a follower's reads when no signal comes (a lost NOTIFY): a follower
# that misses one stays at the older hold meanwhile, which delays it and passes nothing.
POLL_SECONDS = 1.0


class ClockSharing:
    def __init__(
        self,
        clock: ScaledClock,
        store: SharedReplayClock,
        signal: Callable[[], Awaitable[None]],
        on_moved: Callable[[], None] = lambda: None,
        *,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._clock = clock
        self._store = store
        self._signal = signal
        self._on_moved = on_moved  # this process's clock moved (its delivery engine looks)
        self._poll_seconds = poll_seconds
        # This process's --at: what was published before it belongs to an earlier replay.
        self._floor = clock.now()
        self._seen = 0  # the last publication taken up
        self._dirty = asyncio.Event()
        self._publisher: asyncio.Task[None] | None = None
        self._follower: asyncio.Task[None] | None = None
        self._reading = asyncio.Lock()  # one read at a time: a later one never loses to it
        self._reads: set[asyncio.Task[None]] = set()
        self.published = 0  # publications written by this process
        self.followed = 0  # publications taken up by this process

    # --- following -------------------------------------------------------------------------

    @property
    def following(self) -> bool:
        return self._follower is not None

    def follow(self) -> None:
        """Follow the published clock from now on (a process that does not lead)."""
        if self._follower is None:
            self._follower = asyncio.create_task(self._follow())

    async def stop_following(self) -> None:
        task, self._follower = self._follower, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def heard(self) -> None:
        """The leader signalled a move: read it now (a follower only)."""
        if self._follower is not None:
            task = asyncio.create_task(self._refresh_logged())
            self._reads.add(task)
            task.add_done_callback(self._reads.discard)

    async def refresh(self) -> bool:
        """Read the publication and take it up if it is new and of this replay."""
        async with self._reading:
            published = await self._store.read_replay_clock()
            if published is None or published.move <= self._seen:
                return False
            return self._take_up(published)

    def _take_up(self, published: PublishedClock) -> bool:
        shown = published.projected()
        if shown < self._floor:
            return False  # an earlier replay's clock (see the module's docstring)
        self._seen = published.move
        self._clock.follow(shown, published.hold, published.speed)
        self.followed += 1
        self._on_moved()
        return True

    async def adopt(self) -> None:
        """At start: take up the replay's clock if other processes already run it."""
        try:
            if await self.refresh():
                log.info("replay clock picked up at %s", self._clock.now().isoformat())
        except Exception:
            log.exception("reading the replay clock at start failed; starting from --at")

    async def _follow(self) -> None:
        while True:
            await self._refresh_logged()
            await asyncio.sleep(self._poll_seconds)

    async def _refresh_logged(self) -> None:
        try:
            await self.refresh()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("reading the replay clock the leader published failed")

    # --- leading ---------------------------------------------------------------------------

    async def take_over(self) -> None:
        """This process leads now: stop following and continue from the last publication."""
        await self.stop_following()
        try:
            if await self.refresh():
                log.info(
                    "replay clock continues from the published %s",
                    self._clock.now().isoformat(),
                )
        except Exception:
            # Unreadable: the clock goes on from where this process's own clock stands.
            log.exception("reading the published replay clock failed; going on from this one")

    def moved(self) -> None:
        """The leader's clock moved (the pacer): publish it, coalesced, in the background."""
        self._dirty.set()
        if self._publisher is None or self._publisher.done():
            self._publisher = asyncio.create_task(self._publish())

    async def _publish(self) -> None:
        while self._dirty.is_set():
            self._dirty.clear()
            clock = self._clock
            try:
                # Read right before the write: the publication's wall time is a little later
                # than the reading, so a follower errs behind the leader, never ahead.
                await self._store.publish_replay_clock(clock.now(), clock.hold, clock.speed)
                self.published += 1
                await self._signal()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The followers stay at the last hold they know: late, never ahead.
                log.exception("publishing the replay clock failed; trying again")
                self._dirty.set()
                await asyncio.sleep(self._poll_seconds)

    async def publish_stop(self) -> None:
        """The leader stops (not killed): its clock stands where it is, for the others and
        for whichever process leads next, instead of running on to the hold while no process
        paces it. A replay started again later, from a later --at, then begins there."""
        clock = self._clock
        clock.hold_at(clock.now())
        task, self._publisher = self._publisher, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            await self._store.publish_replay_clock(clock.now(), clock.hold, clock.speed)
            await self._signal()
        except Exception:
            log.exception("publishing the stopped replay clock failed")

    async def stop(self) -> None:
        await self.stop_following()
        for read in list(self._reads):
            read.cancel()
        task, self._publisher = self._publisher, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
