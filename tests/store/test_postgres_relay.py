"""PostgresStore's hand-over of Telegram updates between webhook workers (bot.store.relay)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

import pytest
from telegram import Update

import bot.frontends.telegram.relay as relay_module
from bot.frontends.telegram.relay import RelayWorker
from bot.store.relay import UpdateRelay

PATIENCE = 60.0  # seconds: a busy 2-core machine is slow, never this slow


async def until(condition: Callable[[], bool]) -> None:
    while not condition():  # noqa: ASYNC110 (the notification comes from another connection)
        await asyncio.sleep(0.02)


async def test_each_partition_takes_its_own_updates_in_order_and_each_once(handles) -> None:
    one, two = handles
    assert isinstance(one, UpdateRelay)
    for update_id, part in ((12, 1), (10, 0), (11, 1), (13, 0)):
        assert await one.relay_update(update_id, part, f'{{"update_id": {update_id}}}')
    # Telegram pushing an update again (its answer was lost) keeps it once.
    assert not await two.relay_update(11, 1, '{"update_id": 11}')
    assert [u for u, _ in await two.take_relayed_updates(1, 10)] == [11, 12]
    assert await two.take_relayed_updates(1, 10) == []
    assert not await one.relay_update(12, 1, '{"update_id": 12}')  # taken, still known
    assert await one.take_relayed_updates(0, 1) == [(10, '{"update_id": 10}')]
    assert [u for u, _ in await one.take_relayed_updates(0, 10)] == [13]


class Application:
    """What a relay worker hands updates to: a python-telegram-bot Application's queue."""

    def __init__(self) -> None:
        self.bot = None
        self.update_queue: asyncio.Queue[Update] = asyncio.Queue()


async def test_a_worker_is_woken_by_an_update_another_worker_kept(
    handles, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiving, taking = handles
    # No poll within the test: only the store's notification can wake the worker.
    monkeypatch.setattr(relay_module, "POLL_SECONDS", 3600.0)
    application = Application()
    worker = RelayWorker(cast(Any, application), taking, worker=1, workers=2)
    assert await receiving.relay_update(21, 1, '{"update_id": 21}')
    worker.start()
    try:
        first = await asyncio.wait_for(application.update_queue.get(), PATIENCE)
        assert first.update_id == 21  # kept before it started: its first look finds it
        # Now it waits; another worker keeps an update of its partition, and one of another.
        assert await receiving.relay_update(23, 0, '{"update_id": 23}')
        assert await receiving.relay_update(22, 1, '{"update_id": 22}')
        second = await asyncio.wait_for(application.update_queue.get(), PATIENCE)
        assert second.update_id == 22
        assert worker.handed == 2
    finally:
        await worker.stop()


async def test_the_notification_wakes_only_the_watchers_of_its_partition(handles) -> None:
    receiving, taking = handles
    woken: list[int] = []
    assert await taking.watch_relayed_updates(0, lambda: woken.append(0))
    assert await taking.watch_relayed_updates(1, lambda: woken.append(1))
    assert await receiving.relay_update(31, 1, "{}")
    assert not await receiving.relay_update(31, 1, "{}")  # kept before: no one is woken
    assert await receiving.relay_update(32, 0, "{}")
    await asyncio.wait_for(until(lambda: len(woken) == 2), PATIENCE)
    assert woken == [1, 0]
