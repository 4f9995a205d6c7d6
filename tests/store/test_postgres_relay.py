"""PostgresStore's hand-over of Telegram updates between webhook workers (bot.store.relay)."""

from __future__ import annotations

from bot.store.relay import UpdateRelay


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
