"""Scheduling: the one AsyncIOScheduler, planned from `core.plan`, driven by the injected clock.

Jobs only enqueue announcements into the outbox; sending is the delivery engine's job.
"""

from bot.scheduling.announcer import Announcer
from bot.scheduling.reloader import ScheduleReloader

__all__ = ["Announcer", "ScheduleReloader"]
