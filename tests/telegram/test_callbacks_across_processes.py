"""A button one process sent is answered by any other (issue 14): its hash is in the store.

Two processes on one PostgreSQL database, each with its own store handle and its own
`CallbackRegistry` (which keeps, in memory, only which pairs it wrote lately): a fan presses a
button of a post the first one sent, and the press reaches the second (another webhook
worker, or the process that took over).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from bot.core.clock import FixedClock
from bot.frontends.telegram.callbacks import CallbackRegistry
from bot.frontends.telegram.render import Button, TelegramMessage, command_callback
from bot.store.postgres import PostgresStore

NOW = datetime(2022, 5, 12, 9, 0, tzinfo=UTC)
LONG = "/driver " + "jessica-backman " * 6  # over Telegram's 64 bytes: sent as a hash


async def test_a_button_sent_by_one_process_is_answered_by_another(postgres_url: str) -> None:
    schema = f"test_{uuid.uuid4().hex[:16]}"
    async with (
        PostgresStore(postgres_url, schema=schema, process_name="a") as sending,
        PostgresStore(postgres_url, schema=schema, process_name="b") as answering,
    ):
        data = command_callback(LONG)
        assert data != LONG  # a hash, not the command
        message = TelegramMessage("Results", ((Button("Backman", data, command=LONG),),))
        await CallbackRegistry(sending, FixedClock(NOW)).remember([message])

        assert await CallbackRegistry(answering, FixedClock(NOW)).resolve(data) == LONG
