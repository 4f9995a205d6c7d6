"""Leases on claimed deliveries, the same for every engine: who holds a claim, and until when.

A store handle is one process's: it claims under an owner name made when it starts, its
process name and a part unique to this run ("worker-1/9f3a0c2e"). A restart of the same
process (the same process name) knows that its previous run is dead, and takes back that
run's claims at once; another process's claims it takes back only once their lease expired.
A SQLite file has one sending process, so its process name is fixed (`SQLITE_PROCESS`); on
PostgreSQL it is the host and pid unless the operator names each process.
A claim lasts `lease` past the clock's now at the claim, and each later claim, or
`renew_leases`, moves it on; the delivery engine does one or the other at least every few
seconds (bot.delivery.feeder). A lease that runs out belongs to a process that died or
stalled: any process may then take the delivery back and send it.

The default lease is a minute: long beside the feeder's few seconds between renewals, so that
a busy process never loses a claim it is working on, and short enough that the sends a process
that died for good left in flight go out from another one within a minute.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta

__all__ = [
    "DEFAULT_LEASE",
    "SQLITE_PROCESS",
    "checked_lease",
    "default_process",
    "new_owner",
    "previous_runs",
]

DEFAULT_LEASE = timedelta(seconds=60)


SQLITE_PROCESS = "pitboard"


def default_process() -> str:
    """A process name readable in the database: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def new_owner(process: str) -> str:
    """The owner name of this run's claims: the process name, then a part unique to the run
    (random: a pid is reused, in containers at once)."""
    if not process or "/" in process:
        raise ValueError(f"a process name is not empty and has no '/': {process!r}")
    return f"{process}/{secrets.token_hex(4)}"


def previous_runs(owner: str) -> str:
    """What the owner names of this process's earlier runs start with."""
    return owner.rsplit("/", 1)[0] + "/"


def checked_lease(lease: timedelta) -> timedelta:
    if lease <= timedelta(0):
        raise ValueError(f"a lease must be longer than zero, not {lease}")
    return lease
