"""/metrics on the real server, parsed with prometheus-client's own parser: deliveries made
through the real engine (the terminal's sender and the fake Bot API) are counted per platform,
429s too, and commands' latency per platform and command."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bot.chats import Caller
from bot.config import Config, TelegramConfig
from bot.core.audience import Chat, ChatKind, ChatRef, Subscription
from bot.core.clock import FixedClock
from bot.frontends.console.sender import CONSOLE_CHAT
from tests.fakes.telegram_api import FakeTelegram
from tests.web.conftest import WebBot, eventually, running_web_bot

OPERATOR = Caller(CONSOLE_CHAT, ChatKind.PRIVATE, user_id="operator", is_admin=True)
FANS = (1001, 1002, 1003, 1004)
OFF_SEASON = datetime.fromisoformat("2022-01-10T12:00+01:00")


async def scrape(bot: WebBot) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = await bot.get("/metrics")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def on(platform: str, **labels: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({"platform": platform, **labels}.items()))


async def follow_everything(runtime, *refs: ChatRef) -> None:
    series = frozenset(runtime.catalogs.current.series)
    for ref in refs:
        await runtime.store.upsert_chat(Chat(ref, ChatKind.PRIVATE))
        await runtime.store.set_subscription(Subscription(ref, series=series))


async def test_deliveries_through_the_terminal_and_commands_are_counted(tmp_path: Path):
    async def console_follows(runtime) -> None:
        await follow_everything(runtime, CONSOLE_CHAT)

    clock = FixedClock(OFF_SEASON)  # nothing due: the operator's post is all that is sent
    async with running_web_bot(tmp_path, clock=clock, before_start=console_follows) as bot:
        sent_total = ("pitboard_deliveries_sent_total", on("console"))
        before = await scrape(bot)
        assert before[sent_total] == 0
        assert before[("pitboard_plans_total", ())] == 1  # the plan made at start
        await bot.runtime.router.handle("/announce Pit lane opens at noon", OPERATOR)

        async def sent() -> bool:
            return (await scrape(bot))[sent_total] == 1

        await eventually(sent)
        assert "Pit lane opens at noon" in bot.output.getvalue()
        await bot.runtime.router.handle("/next", OPERATOR)
        await bot.runtime.router.handle("/no-such-command", OPERATOR)
        after = await scrape(bot)
        count = "pitboard_command_duration_seconds_count"
        assert after[(count, on("console", command="next"))] == 1
        assert after[(count, on("console", command="announce"))] == 1
        # Whatever a fan types, the label is a command's name or "unknown".
        assert after[(count, on("console", command="unknown"))] == 1
        # Pending is the store's count: a sent delivery's outcome is written there in the
        # engine's next batch (a moment after the counter), so the gauge follows shortly.
        await eventually(lambda: pending_is_zero(bot, "console"))
        assert after[("pitboard_store_up", ())] == 1


async def test_sent_failed_skipped_429s_pending_and_lag_per_platform(tmp_path: Path):
    async with FakeTelegram() as fake:
        for fan in FANS:
            fake.add_chat(fan, "private")
        rate_limited, failing, gone, fine = FANS
        fake.fail_next(rate_limited, "flood", retry_after=1)  # a 429, then it goes through
        fake.fail_next(failing, "server_error", times=8)  # every attempt fails: given up
        fake.fail_next(gone, "chat_not_found")  # the chat is gone: skipped
        telegram = replace(TelegramConfig(), api_base_url=fake.base_url.removesuffix("/bot"))
        config = replace(Config(), telegram=telegram, telegram_token=fake.token)
        fans = [ChatRef("telegram", str(fan)) for fan in FANS]

        async def followers(runtime) -> None:
            await follow_everything(runtime, *fans)
            # A Discord chat in the store but no Discord front-end here: its post waits.
            await follow_everything(runtime, ChatRef("discord", "42"))

        clock = FixedClock(OFF_SEASON)  # nothing due: the operator's post is all that is sent
        async with running_web_bot(
            tmp_path, clock=clock, config=config, before_start=followers
        ) as bot:
            await bot.runtime.router.handle("/announce Safety car", OPERATOR)

            async def settled() -> bool:
                # Retries are due by the injected clock: move it on until all are decided.
                # The counters, not the store's pending count: a delivery is marked in the
                # store a moment before the engine counts it.
                found = await scrape(bot)
                outcomes = ("sent", "failed", "skipped")
                decided = sum(
                    found[(f"pitboard_deliveries_{outcome}_total", on("telegram"))]
                    for outcome in outcomes
                )
                if decided == len(FANS):
                    return True
                clock.advance(timedelta(minutes=10))
                bot.runtime.engine.wake()
                return False

            await eventually(settled, seconds=60)
            found = await scrape(bot)
            assert found[("pitboard_deliveries_sent_total", on("telegram"))] == 2
            assert found[("pitboard_deliveries_failed_total", on("telegram"))] == 1
            assert found[("pitboard_deliveries_skipped_total", on("telegram"))] == 1
            assert found[("pitboard_rate_limited_total", on("telegram"))] == 1
            assert found[("pitboard_deliveries_retried_total", on("telegram"))] == 1 + 7
            await eventually(lambda: pending_is_zero(bot, "telegram"))
            found = await scrape(bot)
            assert found[("pitboard_outbox_lag_seconds", on("telegram"))] == 0
            # The Discord post waits, due since the operator sent it.
            waited = (clock.now() - OFF_SEASON).total_seconds()
            assert waited > 0
            assert found[("pitboard_deliveries_pending", on("discord"))] == 1
            assert found[("pitboard_outbox_lag_seconds", on("discord"))] == waited
            assert fake.sent(rate_limited) and fake.sent(fine)
            assert not fake.sent(failing) and not fake.sent(gone)


async def pending_is_zero(bot: WebBot, platform: str) -> bool:
    return (await scrape(bot))[("pitboard_deliveries_pending", on(platform))] == 0
