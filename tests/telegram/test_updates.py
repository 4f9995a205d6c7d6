"""Updates of different chats are handled at once, each chat's in arrival order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update

from bot.frontends.telegram.updates import ChatOrderedUpdateProcessor

A, B = 1001, 1002


def update(update_id: int, chat_id: int) -> Update:
    message = {
        "message_id": update_id,
        "date": 0,
        "chat": {"id": chat_id, "type": "private", "first_name": "Fan"},
        "text": "/next",
    }
    return Update.de_json({"update_id": update_id, "message": message}, None)


class Journal:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.changed = asyncio.Event()

    def note(self, line: str) -> None:
        self.lines.append(line)
        self.changed.set()

    async def until(self, line: str) -> None:
        async with asyncio.timeout(10):
            while line not in self.lines:
                self.changed.clear()
                await self.changed.wait()

    async def handle(self, name: str, gate: asyncio.Event | None = None) -> None:
        self.note(f"{name} started")
        if gate is not None:
            await gate.wait()
        self.note(f"{name} done")


def process(processor: ChatOrderedUpdateProcessor, upd: Update, work: Awaitable[Any]) -> Any:
    return asyncio.create_task(processor.process_update(upd, work))


async def test_another_chat_is_handled_while_a_chat_waits_and_its_own_updates_queue() -> None:
    processor = ChatOrderedUpdateProcessor()
    journal = Journal()
    a_first_may_finish = asyncio.Event()  # stands for A's reply waiting on A's chat bucket
    tasks = [
        process(processor, update(1, A), journal.handle("a1", a_first_may_finish)),
        process(processor, update(2, A), journal.handle("a2")),
        process(processor, update(3, B), journal.handle("b1")),
    ]
    await journal.until("b1 done")  # B is answered while A's first update is still held
    assert "a1 done" not in journal.lines
    assert "a2 started" not in journal.lines  # A's next waits for its turn
    a_first_may_finish.set()
    await asyncio.gather(*tasks)
    a_lines = [line for line in journal.lines if line.startswith("a")]
    assert a_lines == ["a1 started", "a1 done", "a2 started", "a2 done"]
    assert processor.waiting_chats() == 0  # nothing is kept for chats that went quiet


async def test_settling_cancels_updates_still_waiting_after_the_grace() -> None:
    processor = ChatOrderedUpdateProcessor()
    journal = Journal()
    never = asyncio.Event()
    stuck = process(processor, update(1, A), journal.handle("a1", never))
    queued = process(processor, update(2, A), journal.handle("a2"))
    await journal.until("a1 started")
    await processor.settle(0.0)
    await asyncio.gather(stuck, queued, return_exceptions=True)
    assert stuck.cancelled() and queued.cancelled()
    assert "a1 done" not in journal.lines and "a2 started" not in journal.lines
