"""/healthz on the real server: 200 when all is well, 503 naming what is not (a front-end that
cannot start, a store that does not answer, a delivery waiting too long), judged at the
injected clock's now."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.config import Config, TelegramConfig, WebConfig
from bot.core.audience import Chat, ChatKind, ChatRef
from bot.store.records import OutboxItem
from tests.fakes.telegram_api import FakeTelegram
from tests.web.conftest import QUIET_DAY, eventually, running_web_bot

FAN = ChatRef("telegram", "1001")


def due(key: str, at: datetime) -> OutboxItem:
    return OutboxItem(key, "broadcast", "operator", at, {"text": "Pit lane open"})


async def test_a_healthy_bot_answers_200_with_each_part_s_state(web_bot):
    answer = await web_bot.get("/healthz")
    assert answer.status == 200
    health = answer.json()
    assert health["status"] == "ok" and health["problems"] == []
    # The injected clock, not the machine's.
    assert datetime.fromisoformat(health["now"]) == QUIET_DAY
    assert health["store"] == {"ok": True, "error": None}
    scheduler = health["scheduler"]
    assert scheduler["running"] is True
    # The next job is the Hockenheim weekend's, planned from the bundled schedules.
    assert datetime.fromisoformat(scheduler["next_job"]) > QUIET_DAY
    assert health["outbox"]["unsent"] == 0 and health["outbox"]["lag_seconds"] == 0
    assert health["frontends"] == {}  # the terminal only: no chat platform to watch


async def test_a_store_that_does_not_answer_is_503_with_the_reason(web_bot):
    await web_bot.runtime.store.close()  # the database gone from under the bot
    answer = await web_bot.get("/healthz")
    assert answer.status == 503
    health = answer.json()
    assert health["status"] == "unhealthy"
    assert health["store"]["ok"] is False
    assert any(p.startswith("store: ") and "not open" in p for p in health["problems"])
    assert health["outbox"] is None  # unknown, not "empty"


async def test_a_delivery_waiting_past_the_limit_is_503_at_the_clock_s_now(tmp_path: Path):
    web = WebConfig(max_outbox_lag_seconds=300)

    async def waiting_delivery(runtime) -> None:
        # A Telegram chat, and no Telegram front-end in this runtime: its delivery waits.
        await runtime.store.upsert_chat(Chat(FAN, ChatKind.PRIVATE))
        await runtime.store.enqueue(due("late", QUIET_DAY - timedelta(seconds=120)), [FAN])

    async with running_web_bot(tmp_path, web=web, before_start=waiting_delivery) as bot:
        # Two minutes late at the clock's now: within the limit (years by the machine's).
        answer = await bot.get("/healthz")
        assert answer.status == 200, answer.json()
        outbox = answer.json()["outbox"]
        assert outbox["unsent"] == 1 and outbox["lag_seconds"] == 120
        oldest = outbox["platforms"]["telegram"]["oldest_due"]
        assert datetime.fromisoformat(oldest) == QUIET_DAY - timedelta(seconds=120)
        # Four minutes on, the delivery has waited six: over the limit.
        bot.runtime.clock.advance(timedelta(minutes=4))
        answer = await bot.get("/healthz")
        assert answer.status == 503
        health = answer.json()
        assert health["outbox"]["lag_seconds"] == 360
        assert health["problems"] == [
            "outbox: the oldest unsent delivery has been due for 360 s "
            "(more than web.max_outbox_lag_seconds = 300)"
        ]


async def test_a_front_end_that_cannot_start_is_503_until_it_runs(tmp_path: Path):
    async with FakeTelegram(allow_violations=True) as fake:
        # Telegram unreachable for the first attempts; the retries then get through.
        fake.fail_next(None, "reset", times=4, methods={"getMe"})
        telegram = replace(TelegramConfig(), api_base_url=fake.base_url.removesuffix("/bot"))
        config = replace(Config(), telegram=telegram, telegram_token=fake.token)

        async def fast_retries(runtime) -> None:
            runtime.frontend_retry_seconds = 0.3

        async with running_web_bot(tmp_path, config=config, before_start=fast_retries) as bot:
            answer = await bot.get("/healthz")
            assert answer.status == 503
            health = answer.json()
            assert health["frontends"]["Telegram"]["running"] is False
            (problem,) = health["problems"]
            assert problem.startswith("Telegram: cannot start")
            assert fake.token not in answer.text

            async def healthy() -> bool:
                return (await bot.get("/healthz")).status == 200

            await eventually(healthy)
            health = (await bot.get("/healthz")).json()
            telegram_state = health["frontends"]["Telegram"]
            assert telegram_state["running"] is True and telegram_state["problem"] is None
            assert telegram_state["healthy"] is True
            assert telegram_state["connection"]["mode"] == "polling"
