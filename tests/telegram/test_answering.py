"""Answer turns: held into a reply's first moments, handed on when the reply has to wait."""

from __future__ import annotations

import asyncio

import pytest

from bot.frontends.telegram.answering import AnswerSlots

PATIENCE_S = 10.0  # generous: nothing here waits on the machine's speed


async def question(
    slots: AnswerSlots,
    name: str,
    log: list[str],
    reply_sent: asyncio.Event | None = None,
    reply_started: asyncio.Event | None = None,
) -> None:
    async with slots.turn() as turn:
        log.append(f"work {name}")

        async def reply() -> None:
            if reply_started is not None:
                reply_started.set()
            if reply_sent is not None:
                await reply_sent.wait()
            log.append(f"sent {name}")

        await turn.send(reply())


async def test_the_next_answer_is_worked_out_after_the_last_reply_went():
    slots = AnswerSlots(1, hold_seconds=PATIENCE_S)
    log: list[str] = []
    await asyncio.wait_for(
        asyncio.gather(*(question(slots, str(n), log) for n in (1, 2, 3))), PATIENCE_S
    )
    # Before, the turn ended with the answer and the three replies went out together last.
    assert log == ["work 1", "sent 1", "work 2", "sent 2", "work 3", "sent 3"]


async def test_a_reply_that_waits_hands_the_turn_on():
    slots = AnswerSlots(1, hold_seconds=0.01)
    log: list[str] = []
    first_sent = asyncio.Event()  # the first fan's chat token, say, far off
    first = asyncio.create_task(question(slots, "1", log, first_sent))
    second = asyncio.create_task(question(slots, "2", log))
    await asyncio.wait_for(second, PATIENCE_S)
    assert log == ["work 1", "work 2", "sent 2"]
    first_sent.set()
    await asyncio.wait_for(first, PATIENCE_S)
    assert log[-1] == "sent 1"


async def test_a_question_cancelled_while_its_reply_is_under_way_takes_the_reply_along():
    slots = AnswerSlots(1, hold_seconds=PATIENCE_S)
    log: list[str] = []
    never, under_way = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(question(slots, "1", log, never, under_way))
    await asyncio.wait_for(under_way.wait(), PATIENCE_S)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    never.set()  # were the reply still under way, it would go now
    # The turn is free again and the cancelled reply never went.
    await asyncio.wait_for(question(slots, "2", log), PATIENCE_S)
    for _ in range(10):
        await asyncio.sleep(0)
    assert log == ["work 1", "work 2", "sent 2"]


async def test_a_reply_that_fails_frees_the_turn_and_the_question_hears_of_it():
    slots = AnswerSlots(1, hold_seconds=PATIENCE_S)

    async def failing_reply() -> None:
        raise ConnectionError("the platform went away")

    with pytest.raises(ConnectionError):
        async with slots.turn() as turn:
            await turn.send(failing_reply())
    log: list[str] = []
    await asyncio.wait_for(question(slots, "2", log), PATIENCE_S)
    assert log == ["work 2", "sent 2"]
