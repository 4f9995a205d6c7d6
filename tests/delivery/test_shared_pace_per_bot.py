"""The shared budget is the bot's, not the platform's (issue 14): two Telegram bots on one
PostgreSQL database each keep their own 30 a second, and the budget's name holds no secret.

Slots are reserved a long way ahead by one engine (ten minutes of sends); an engine sharing its
bucket would wait for all of them, one of another bot sends at once. The difference is ten
minutes against nothing, so the test's generous timeout cannot be met by chance or missed on
a busy machine.
"""

from __future__ import annotations

import asyncio

from bot.core.audience import Chat, ChatRef
from bot.core.clock import SystemClock
from bot.core.reply import Reply
from bot.delivery import DeliveryEngine, RateLimits
from bot.delivery.shared_pace import pace_bucket
from bot.store import OutboxItem
from bot.store.postgres import PostgresStore
from tests.delivery.fake_sender import FakeSender
from tests.delivery.test_engine import eventually

LIMITS = RateLimits(global_per_second=1.0)  # one slot a second: 600 slots are ten minutes
WITHIN = 60.0
FIRST_BOT = "111111:first-bot-secret"
SECOND_BOT = "222222:second-bot-secret"


def compose(item: OutboxItem, chat: Chat) -> Reply | None:
    return Reply(title="Race 1")


def _engine(store: PostgresStore, token: str) -> tuple[DeliveryEngine, FakeSender]:
    sender = FakeSender()
    engine = DeliveryEngine(
        store, {"telegram": sender}, compose, {"telegram": LIMITS}, SystemClock(),
        shared_pace=store, pace_buckets={"telegram": pace_bucket("telegram", token)},
    )  # fmt: skip
    return engine, sender


async def _fill_ten_minutes(engine: DeliveryEngine) -> None:
    """Reserve the next ten minutes of the engine's shared budget, as a big fan-out would."""
    pacer = engine.limiter("telegram").shared
    assert pacer is not None
    await pacer.store.reserve_send_slots(pacer.bucket, 600, pacer.spacing)


async def test_two_bots_of_one_platform_do_not_share_one_budget(two_stores) -> None:
    first, second = two_stores
    one, _ = _engine(first, FIRST_BOT)
    two, sent_by_two = _engine(second, SECOND_BOT)
    await _fill_ten_minutes(one)

    # The second bot's reply goes out at once: the first bot's fan-out is not its budget.
    await asyncio.wait_for(two.reply(Chat(ChatRef("telegram", "42")), Reply(title="Hi")), WITHIN)
    assert [d.chat_id for d in sent_by_two.delivered] == ["42"]


async def test_two_processes_of_one_bot_still_share_its_budget(two_stores) -> None:
    first, second = two_stores
    one, _ = _engine(first, FIRST_BOT)
    two, sent_by_two = _engine(second, FIRST_BOT)
    await _fill_ten_minutes(one)

    waiting = asyncio.create_task(two.reply(Chat(ChatRef("telegram", "42")), Reply(title="Hi")))
    # Its slot is ten minutes away: the reservation came back, the send is waiting for it.
    pacer = two.limiter("telegram").shared
    assert pacer is not None
    await eventually(lambda: pacer.stats.reservations > 0, within=WITHIN)
    await asyncio.sleep(0.2)
    assert not waiting.done() and not sent_by_two.delivered
    waiting.cancel()


def test_a_budget_is_named_after_the_bots_public_id_never_its_secret() -> None:
    assert pace_bucket("telegram", "123456:AAH-secret_part") == "telegram:123456"
    # A Discord token starts with the bot's id in base64 ("MTIzNDU2Nzg5" is "123456789").
    assert pace_bucket("discord", "MTIzNDU2Nzg5.GhIjKl.secret-part") == "discord:123456789"
    odd = pace_bucket("telegram", "not-a-real-token")
    assert odd.startswith("telegram:") and "not-a-real-token" not in odd
    assert odd == pace_bucket("telegram", "not-a-real-token")  # the same bot, the same budget
    assert pace_bucket("telegram", "odd-one") != odd
    assert pace_bucket("console", None) == "console"
