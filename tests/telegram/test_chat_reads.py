"""A command reads its chat's row once, and never answers with a row a command just changed.

The router hands the row it read to the front-end, which renders and sends the reply with it
(issue 11: every command read the same row twice). Reads are counted on the real SQLite store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.core.audience import Chat, ChatRef
from bot.core.clock import FixedClock
from bot.runtime import Runtime
from tests.telegram.harness import FAN, QUIET_DAY, containing, running_bot

FAN_REF = ChatRef("telegram", str(FAN))
RESULTS = "/results tcr-germany-2022/oschersleben/race-1"


def count_reads(runtime: Runtime, ref: ChatRef) -> list[ChatRef]:
    """Every `get_chat` of `ref` from now on, recorded; the store still answers as usual."""
    reads: list[ChatRef] = []
    store = runtime.store
    real: Callable[[ChatRef], Awaitable[Chat | None]] = store.get_chat

    async def get_chat(asked: ChatRef) -> Chat | None:
        if asked == ref:
            reads.append(asked)
        return await real(asked)

    store.get_chat = get_chat  # type: ignore[method-assign]
    return reads


async def test_a_question_reads_the_chat_once(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as (fake, runtime):
        fake.push_message(FAN, "/next")  # first contact: the chat is stored
        await fake.wait_for_message(FAN)
        reads = count_reads(runtime, FAN_REF)
        fake.push_message(FAN, "/standings tcr-germany-2022")
        reply = await fake.wait_for_message(FAN)
        assert "ADAC TCR Germany 2022" in reply.text
        assert len(reads) == 1


async def test_a_settings_change_is_seen_by_the_very_next_command(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as (fake, _):
        fake.push_message(FAN, RESULTS)
        shown = await fake.wait_for_message(FAN)
        assert not any(e["type"] == "spoiler" for e in shown.entities)
        fake.push_message(FAN, "/settings spoilers on")
        await fake.wait_for_message(FAN, containing("hidden behind a spoiler"))
        fake.push_message(FAN, RESULTS)
        hidden = await fake.wait_for_message(FAN)
        assert any(e["type"] == "spoiler" for e in hidden.entities)

        fake.push_message(FAN, "/settings zone America/New_York")
        await fake.wait_for_message(FAN, containing("America/New_York"))
        fake.push_message(FAN, "/next")
        # Free practice at Hockenheim: Fri 13 May 16:20 CEST is 10:20 in New York.
        assert "10:20" in (await fake.wait_for_message(FAN)).text
