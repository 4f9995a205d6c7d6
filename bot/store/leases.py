"""Leases on claimed deliveries, the same for every engine: who holds a claim, and until when.

A store handle is one process's: it picks an owner name when it is made (unique per start, so
that a restarted process never mistakes a dead run's claims for its own) and claims under it.
A claim lasts `lease` past the clock's now at the claim, and each later claim, or
`renew_leases`, moves it on; the delivery engine does one or the other at least every few
seconds (bot.delivery.feeder). A lease that runs out belongs to a process that died or
stalled: any process may then take the delivery back and send it.

The default lease is a minute: long beside the feeder's few seconds between renewals, so that
a busy process never loses a claim it is working on, and short enough that the sends a crash
left in flight go out again within a minute of a restart.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta

__all__ = ["DEFAULT_LEASE", "checked_lease", "new_owner"]

DEFAULT_LEASE = timedelta(seconds=60)


def new_owner() -> str:
    """A name for this process's claims: readable in the database (host and pid), and unique
    per start (the random part: a pid is reused, in containers at once)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def checked_lease(lease: timedelta) -> timedelta:
    if lease <= timedelta(0):
        raise ValueError(f"a lease must be longer than zero, not {lease}")
    return lease
