"""PostgresStore's shared send slots and pauses (bot.store.pace), between two handles.

Slots are a minute apart here, so that "the second reservation starts where the first ended"
holds however slow the machine: only the server's clock moves between the two.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.store.pace import EVERY_CHAT, SharedPace

MINUTE = 60.0


async def test_slots_reserved_by_two_processes_never_overlap(handles) -> None:
    one, two = handles
    assert isinstance(one, SharedPace)
    first = await one.reserve_send_slots("telegram", 3, MINUTE)
    assert first.first_in < 1 and first.count == 3 and first.spacing == MINUTE
    second = await two.reserve_send_slots("telegram", 2, MINUTE)
    # It starts where the first three ended: three minutes on, less the moment since.
    assert 3 * MINUTE - 30 < second.first_in <= 3 * MINUTE
    third = await one.reserve_send_slots("telegram", 1, MINUTE)
    assert 5 * MINUTE - 30 < third.first_in <= 5 * MINUTE
    # Another bucket (another platform) has slots of its own.
    assert (await two.reserve_send_slots("discord", 1, MINUTE)).first_in < 1


async def test_concurrent_reservations_each_get_their_own_slots(handles) -> None:
    one, two = handles
    grants = await asyncio.gather(
        *(store.reserve_send_slots("telegram", 1, MINUTE) for store in (one, two) * 3)
    )
    starts = sorted(round(g.first_in / MINUTE) for g in grants)
    assert starts == [0, 1, 2, 3, 4, 5]


async def test_a_pause_noted_by_one_process_comes_back_to_the_other(handles) -> None:
    one, two = handles
    await one.note_send_pause("telegram", "42", 600)
    await one.note_send_pause("telegram", "42", 5)  # a shorter one does not shorten it
    await one.note_send_pause("telegram", EVERY_CHAT, 30)
    await one.note_send_pause("discord", "7", 600)
    grant = await two.reserve_send_slots("telegram", 1, 0.05)
    pauses = dict(grant.pauses)
    assert set(pauses) == {"42", EVERY_CHAT}
    assert 500 < pauses["42"] <= 600 and 0 < pauses[EVERY_CHAT] <= 30


async def test_a_reservation_needs_a_slot_and_a_spacing(handles) -> None:
    one, _ = handles
    with pytest.raises(ValueError):
        await one.reserve_send_slots("telegram", 0, 1.0)
    with pytest.raises(ValueError):
        await one.reserve_send_slots("telegram", 1, 0.0)
