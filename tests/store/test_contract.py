"""The Store contract: what every engine must do, written against the protocol only.

The `store` and `open_store` fixtures (conftest.py) run each test once per engine.
"""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.core.audience import Chat, ChatKind, ChatRef, Subscription
from bot.core.model import SessionKind
from bot.store import (
    Backlog,
    Delivery,
    DeliveryStatus,
    EditIdTaken,
    OutboxItem,
    RecentError,
    Store,
    UnknownChat,
    UnknownDelivery,
)
from bot.store.leases import DEFAULT_LEASE
from bot.store.marks import (
    DeliveryMark,
    MarkFailed,
    MarkPartSent,
    MarkRetry,
    MarkSent,
    MarkSkipped,
)

from .conftest import OpenStore

T0 = datetime(2022, 4, 23, 10, 0, tzinfo=UTC)
KEY = "tcr-germany-2022/oschersleben/race-1|reminder|15|2022-04-23T10:00:00+00:00"
NASTY = "'; DROP TABLE chats; --"
EMOJI = "🏁 Jessica Bäckman 🇸🇪"
MICROSECOND = timedelta(microseconds=1)


def tg(n: int | str) -> ChatRef:
    return ChatRef("telegram", str(n))


def announcement(key: str = KEY, due: datetime = T0, **payload: object) -> OutboxItem:
    return OutboxItem(key, "reminder", "tcr-germany-2022/oschersleben/race-1", due, payload)


async def add_chats(store: Store, *refs: ChatRef) -> None:
    for ref in refs:
        await store.upsert_chat(Chat(ref))


async def statuses(store: Store, key: str = KEY) -> dict[ChatRef, DeliveryStatus]:
    return {d.chat: d.status for d in await store.deliveries(key)}


# --- schema -------------------------------------------------------------------------------


async def test_an_opened_store_is_migrated_and_migrating_again_does_nothing(store: Store) -> None:
    version = await store.schema_version()
    assert version >= 1
    assert await store.migrate() == 0
    assert await store.schema_version() == version


# --- chats ----------------------------------------------------------------------------------


async def test_a_chat_comes_back_with_every_setting(store: Store) -> None:
    chat = Chat(
        ChatRef("discord", "987654321012345678"),
        kind=ChatKind.CHANNEL,
        zone="America/Sao_Paulo",
        language="pt",
        reminder_minutes=(5, 60, 15),  # order kept as the chat chose it
        spoiler_safe=True,
        mention_role="112233",
        chart_with_results=True,
        clock_24h=False,
    )
    await store.upsert_chat(chat)
    assert await store.get_chat(chat.ref) == chat
    assert await store.get_chat(ChatRef("discord", "1")) is None


async def test_a_chats_clock_is_unset_12_or_24_hours(store: Store) -> None:
    for clock in (None, True, False, None):
        await store.upsert_chat(Chat(tg(7), clock_24h=clock))
        stored = await store.get_chat(tg(7))
        assert stored is not None and stored.clock_24h is clock


async def test_upserting_a_chat_again_replaces_its_settings(store: Store) -> None:
    await store.upsert_chat(Chat(tg(1), zone="Europe/Berlin"))
    await store.upsert_chat(Chat(tg(1), zone="Asia/Tokyo", reminder_minutes=()))
    assert await store.get_chat(tg(1)) == Chat(tg(1), zone="Asia/Tokyo", reminder_minutes=())
    assert await store.count_chats() == 1


async def test_hostile_and_emoji_text_is_stored_as_text(store: Store) -> None:
    ref = ChatRef("telegram", NASTY)
    chat = Chat(ref, zone=NASTY, language="🇸🇪", mention_role=EMOJI)
    sub = Subscription(ref, series=frozenset({NASTY, EMOJI}), drivers=frozenset({"o'neill"}))
    await store.upsert_chat(chat)
    await store.set_subscription(sub)
    item = announcement(f"{NASTY}|{EMOJI}", text=f"{EMOJI} {NASTY}", quote='"')
    assert await store.enqueue(item, [ref])

    assert await store.get_chat(ref) == chat
    assert await store.get_subscription(ref) == sub
    assert await store.announcement_keys(NASTY) == {item.key}
    (delivery,) = await store.deliveries(item.key)
    assert delivery.item == item
    assert delivery.chat == ref
    assert await store.count_chats() == 1  # the table is still there


async def test_chats_lists_by_platform_and_activity_in_a_stable_order(store: Store) -> None:
    refs = [tg(2), ChatRef("discord", "5"), tg(1), ChatRef("console", "me")]
    await add_chats(store, *refs)
    await store.set_active(tg(2), False, "blocked")

    assert [c.ref for c in await store.chats()] == [
        ChatRef("console", "me"),
        ChatRef("discord", "5"),
        tg(1),
    ]
    assert [c.ref for c in await store.chats(platform="telegram")] == [tg(1)]
    everyone = await store.chats(platform="telegram", active_only=False)
    assert [(c.ref, c.active) for c in everyone] == [(tg(1), True), (tg(2), False)]
    assert await store.count_chats() == 3
    assert await store.count_chats(active_only=False) == 4


async def test_set_active_on_an_unknown_chat_is_an_error(store: Store) -> None:
    with pytest.raises(UnknownChat):
        await store.set_active(tg(404), False, "blocked")


# --- subscriptions -------------------------------------------------------------------------


async def test_a_subscription_round_trips_its_sets_and_session_kinds(store: Store) -> None:
    sub = Subscription(
        tg(1),
        series=frozenset({"tcr-germany-2022", "24h-series-2022"}),
        drivers=frozenset({"jessica-backman"}),
        session_kinds=frozenset({SessionKind.RACE, SessionKind.QUALIFYING}),
    )
    await store.set_subscription(sub)
    found = await store.get_subscription(tg(1))
    assert found == sub
    assert found is not None
    assert all(isinstance(kind, SessionKind) for kind in found.session_kinds)
    assert found.follows("tcr-germany-2022", [], SessionKind.RACE)
    assert not found.follows("tcr-germany-2022", [], SessionKind.PRACTICE)


async def test_an_empty_subscription_stays_empty(store: Store) -> None:
    await store.set_subscription(Subscription(tg(1)))
    assert await store.get_subscription(tg(1)) == Subscription(tg(1))


async def test_subscribing_creates_a_default_chat_and_keeps_an_existing_one(store: Store) -> None:
    await store.set_subscription(Subscription(tg(1), series=frozenset({"stcc-2022"})))
    assert await store.get_chat(tg(1)) == Chat(tg(1))

    await store.upsert_chat(Chat(tg(2), zone="Europe/Helsinki"))
    await store.set_subscription(Subscription(tg(2), drivers=frozenset({"robert-dahlgren"})))
    assert await store.get_chat(tg(2)) == Chat(tg(2), zone="Europe/Helsinki")


async def test_setting_a_subscription_replaces_the_old_one(store: Store) -> None:
    await store.set_subscription(Subscription(tg(1), series=frozenset({"stcc-2022"})))
    newer = Subscription(tg(1), drivers=frozenset({"jessica-backman"}))
    await store.set_subscription(newer)
    assert await store.get_subscription(tg(1)) == newer
    assert len(await store.audience()) == 1


async def test_removing_a_subscription(store: Store) -> None:
    await store.set_subscription(Subscription(tg(1), series=frozenset({"stcc-2022"})))
    assert await store.remove_subscription(tg(1)) is True
    assert await store.remove_subscription(tg(1)) is False
    assert await store.get_subscription(tg(1)) is None
    assert await store.get_chat(tg(1)) is not None  # the chat and its settings stay


async def test_the_audience_is_active_chats_with_a_subscription(store: Store) -> None:
    follows_stcc = frozenset({"stcc-2022"})
    for n in (1, 2, 3):
        await store.set_subscription(Subscription(tg(n), series=follows_stcc))
    await store.upsert_chat(Chat(tg(4)))  # a chat that follows nothing
    await store.set_active(tg(2), False, "bot was blocked by the user")

    assert await store.audience() == [
        (Chat(tg(1)), Subscription(tg(1), series=follows_stcc)),
        (Chat(tg(3)), Subscription(tg(3), series=follows_stcc)),
    ]
    await store.set_active(tg(2), True)
    assert [chat.ref for chat, _ in await store.audience()] == [tg(1), tg(2), tg(3)]


# --- enqueue ---------------------------------------------------------------------------------


async def test_enqueue_writes_one_pending_delivery_per_recipient(store: Store) -> None:
    await add_chats(store, tg(1), tg(2))
    item = announcement(title="Race 1 in 15 minutes", minutes=15)
    assert await store.enqueue(item, [tg(1), tg(2)], priority=3) is True

    found = await store.deliveries(KEY)
    assert [d.chat for d in found] == [tg(1), tg(2)]
    for d in found:
        assert (d.item, d.status, d.attempts, d.priority) == (item, DeliveryStatus.PENDING, 0, 3)
        assert (d.next_attempt_at, d.last_error, d.sent_at, d.message_id) == (T0, None, None, None)
    assert await store.has_announcement(KEY)


async def test_an_enqueue_in_chunks_says_when_its_first_chunk_is_in(store: Store) -> None:
    refs = [tg(n) for n in range(1, 6)]
    await add_chats(store, *refs)
    store.enqueue_chunk = 2  # type: ignore[attr-defined]  # both engines have one
    told: list[str] = []
    first = announcement()
    assert await store.enqueue(first, refs, on_first_chunk=lambda: told.append("first"))
    assert told == ["first"]  # once, for three chunks
    assert len(await store.deliveries(KEY)) == 5
    # One chunk is the whole enqueue: nothing to say before it is done.
    single = dataclasses.replace(first, key="race-2|start")
    assert await store.enqueue(single, refs[:2], on_first_chunk=lambda: told.append("single"))
    assert told == ["first"]


async def test_enqueueing_a_key_again_writes_nothing(store: Store) -> None:
    await add_chats(store, tg(1), tg(2), tg(3))
    assert await store.enqueue(announcement(text="first"), [tg(1), tg(2)])
    assert await store.enqueue(announcement(text="second"), [tg(2), tg(3)]) is False

    found = await store.deliveries(KEY)
    assert [d.chat for d in found] == [tg(1), tg(2)]
    assert found[0].item.payload == {"text": "first"}


async def test_a_recipient_listed_twice_gets_one_delivery(store: Store) -> None:
    await add_chats(store, tg(1))
    assert await store.enqueue(announcement(), [tg(1), tg(1)])
    assert len(await store.deliveries(KEY)) == 1


async def test_an_announcement_without_recipients_is_still_recorded(store: Store) -> None:
    assert await store.enqueue(announcement(), [])
    assert await store.has_announcement(KEY)
    assert await store.enqueue(announcement(), []) is False


async def test_an_unknown_recipient_fails_the_whole_enqueue(store: Store) -> None:
    await add_chats(store, tg(1))
    with pytest.raises(UnknownChat) as raised:
        await store.enqueue(announcement(), [tg(1), tg(404)])
    assert raised.value.refs == (tg(404),)
    assert not await store.has_announcement(KEY)
    assert await store.deliveries(KEY) == []
    await add_chats(store, tg(404))
    assert await store.enqueue(announcement(), [tg(1), tg(404)])  # nothing half-written


async def test_a_payload_that_is_not_json_is_refused_before_writing(store: Store) -> None:
    await add_chats(store, tg(1))
    with pytest.raises(TypeError):
        await store.enqueue(announcement(when=T0), [tg(1)])
    assert not await store.has_announcement(KEY)


async def test_an_inactive_recipient_is_skipped_at_once(store: Store) -> None:
    await add_chats(store, tg(1), tg(2))
    await store.set_active(tg(2), False, "kicked from the group")
    await store.enqueue(announcement(), [tg(1), tg(2)])
    skipped = (await store.deliveries(KEY))[1]
    assert (skipped.status, skipped.last_error) == (DeliveryStatus.SKIPPED, "kicked from the group")
    assert [d.chat for d in await store.claim(T0, 10)] == [tg(1)]


async def test_announcement_keys_match_a_literal_prefix(store: Store) -> None:
    keys = ["tcr/race-1|start", "tcr/race-2|start", "tcr_race|start", "stcc/race-1|start"]
    for key in keys:
        await store.enqueue(announcement(key), [])
    assert await store.announcement_keys() == set(keys)
    assert await store.announcement_keys("tcr/") == {"tcr/race-1|start", "tcr/race-2|start"}
    assert await store.announcement_keys("tcr_") == {"tcr_race|start"}  # "_" is no wildcard
    assert await store.announcement_keys("%") == set()
    assert not await store.has_announcement("tcr/race-3|start")


async def test_times_without_a_zone_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        announcement(due=datetime(2022, 4, 23, 10, 0))


async def test_times_come_back_in_utc_whatever_zone_went_in(store: Store) -> None:
    await add_chats(store, tg(1))
    berlin_summer = timezone(timedelta(hours=2))
    item = announcement(due=datetime(2022, 4, 23, 12, 0, 0, 123456, tzinfo=berlin_summer))
    await store.enqueue(item, [tg(1)])
    (delivery,) = await store.deliveries(KEY)
    assert delivery.item.due_at == datetime(2022, 4, 23, 10, 0, 0, 123456, tzinfo=UTC)
    assert delivery.item.due_at.utcoffset() == timedelta(0)
    assert await store.next_due_at() == delivery.item.due_at


# --- claim -----------------------------------------------------------------------------------


async def test_claim_takes_due_deliveries_by_priority_then_due_time(store: Store) -> None:
    await add_chats(store, tg(1), tg(2))
    await store.enqueue(announcement("late", T0 + timedelta(minutes=5)), [tg(1)])
    await store.enqueue(announcement("early", T0), [tg(1), tg(2)])
    await store.enqueue(announcement("urgent", T0 + timedelta(minutes=9)), [tg(1)], priority=5)
    await store.enqueue(announcement("future", T0 + timedelta(hours=1)), [tg(1)], priority=9)

    claimed = await store.claim(T0 + timedelta(minutes=10), 3)
    assert [(d.item.key, d.chat) for d in claimed] == [
        ("urgent", tg(1)),
        ("early", tg(1)),
        ("early", tg(2)),
    ]
    assert {(d.status, d.attempts) for d in claimed} == {(DeliveryStatus.SENDING, 1)}
    again = await store.claim(T0 + timedelta(minutes=10), 3)
    assert [(d.item.key, d.chat) for d in again] == [("late", tg(1))]
    assert await store.claim(T0 + timedelta(minutes=10), 3) == []
    assert await store.next_due_at() == T0 + timedelta(hours=1)


async def test_claim_returns_what_it_marked(store: Store) -> None:
    await add_chats(store, tg(1))
    await store.enqueue(announcement(), [tg(1)])
    (claimed,) = await store.claim(T0, 10)
    assert (await store.deliveries(KEY)) == [claimed]


async def test_claim_can_keep_to_one_platform(store: Store) -> None:
    discord = ChatRef("discord", "42")
    await add_chats(store, tg(1), discord)
    await store.enqueue(announcement(), [tg(1), discord])
    assert [d.chat for d in await store.claim(T0, 10, platform="discord")] == [discord]
    assert await store.claim(T0, 10, platform="discord") == []
    assert [d.chat for d in await store.claim(T0, 10)] == [tg(1)]


async def test_nothing_is_claimed_before_it_is_due_or_with_no_room(store: Store) -> None:
    await add_chats(store, tg(1))
    await store.enqueue(announcement(), [tg(1)])
    assert await store.claim(T0 - timedelta(microseconds=1), 10) == []
    assert await store.claim(T0, 0) == []
    assert len(await store.claim(T0, 1)) == 1


async def test_concurrent_claimers_never_share_a_delivery(open_store: OpenStore) -> None:
    first, second = await open_store(), await open_store()
    refs = [tg(n) for n in range(300)]
    await add_chats(first, *refs)
    await first.enqueue(announcement(), refs)

    async def drain(store: Store) -> list[int]:
        taken: list[int] = []
        while batch := await store.claim(T0, 7):
            taken += [d.id for d in batch]
            await asyncio.sleep(0)
        return taken

    # Two handles (two connections) and two tasks on each: four workers at once.
    results = await asyncio.gather(drain(first), drain(second), drain(first), drain(second))
    everything = [delivery_id for taken in results for delivery_id in taken]
    assert len(everything) == len(set(everything)) == 300
    assert (await first.delivery_counts(KEY))[DeliveryStatus.SENDING] == 300


# --- after a send ----------------------------------------------------------------------------


async def claimed_one(store: Store, key: str = KEY, chat: ChatRef | None = None) -> Delivery:
    chat = chat or tg(1)
    if await store.get_chat(chat) is None:
        await add_chats(store, chat)
    await store.enqueue(announcement(key), [chat])
    (delivery,) = await store.claim(T0, 1)
    return delivery


async def test_mark_sent_records_the_message(store: Store) -> None:
    delivery = await claimed_one(store)
    sent_at = T0 + timedelta(seconds=2)
    await store.mark_sent(delivery.id, "5531", sent_at)
    (found,) = await store.deliveries(KEY)
    assert (found.status, found.message_id, found.sent_at) == (DeliveryStatus.SENT, "5531", sent_at)
    assert await store.next_due_at() is None


async def test_a_retry_waits_until_its_time_and_counts_attempts(store: Store) -> None:
    delivery = await claimed_one(store)
    retry_at = T0 + timedelta(seconds=30)
    await store.mark_retry(delivery.id, "TransientError: timed out", retry_at)

    (waiting,) = await store.deliveries(KEY)
    assert (waiting.status, waiting.next_attempt_at) == (DeliveryStatus.PENDING, retry_at)
    assert waiting.last_error == "TransientError: timed out"
    assert await store.next_due_at() == retry_at
    assert await store.claim(retry_at - timedelta(seconds=1), 10) == []
    (again,) = await store.claim(retry_at, 10)
    assert (again.id, again.attempts) == (delivery.id, 2)


async def test_each_message_of_a_post_is_recorded_and_kept_through_a_retry(store: Store) -> None:
    delivery = await claimed_one(store)
    assert delivery.parts_sent == 0
    await store.mark_part_sent(delivery.id, 1, "801")
    (in_flight,) = await store.deliveries(KEY)
    assert (in_flight.status, in_flight.parts_sent) == (DeliveryStatus.SENDING, 1)
    assert in_flight.message_id == "801"
    await store.mark_retry(delivery.id, "RetryAfter: retry after 1 s", T0)
    (again,) = await store.claim(T0, 1)
    assert (again.id, again.parts_sent, again.attempts) == (delivery.id, 1, 2)
    await store.mark_part_sent(again.id, 2, "802")
    await store.mark_sent(again.id, "803", T0)
    (sent,) = await store.deliveries(KEY)
    assert (sent.status, sent.parts_sent, sent.message_id) == (DeliveryStatus.SENT, 2, "803")


async def test_a_part_count_never_goes_down_nor_changes_a_final_delivery(store: Store) -> None:
    delivery = await claimed_one(store)
    await store.mark_part_sent(delivery.id, 2, "2")
    await store.mark_part_sent(delivery.id, 1, "1")  # a stale report
    assert [d.parts_sent for d in await store.deliveries(KEY)] == [2]
    await store.mark_failed(delivery.id, "gave up")
    await store.mark_part_sent(delivery.id, 3, "3")
    (found,) = await store.deliveries(KEY)
    assert (found.status, found.parts_sent) == (DeliveryStatus.FAILED, 2)
    with pytest.raises(ValueError):
        await store.mark_part_sent(delivery.id, 0, None)
    with pytest.raises(UnknownDelivery):
        await store.mark_part_sent(999, 1, None)


async def test_earliest_unsent_counts_pending_and_claimed_on_the_platforms_asked(
    store: Store,
) -> None:
    discord = ChatRef("discord", "42")
    await add_chats(store, tg(1), tg(2), discord)
    await store.enqueue(announcement("early", T0), [tg(1), discord])
    await store.enqueue(announcement("later", T0 + timedelta(minutes=5)), [tg(2)])
    assert await store.earliest_unsent_at(["telegram"]) == T0
    assert await store.earliest_unsent_at([]) is None
    (claimed,) = await store.claim(T0, 1, platform="telegram")
    # Claimed and not yet marked: still to be sent, so still the earliest.
    assert await store.earliest_unsent_at(["telegram"]) == T0
    await store.mark_sent(claimed.id, "1", T0)
    assert await store.earliest_unsent_at(["telegram"]) == T0 + timedelta(minutes=5)
    assert await store.earliest_unsent_at(["discord", "telegram"]) == T0
    (other,) = await store.claim(T0, 1, platform="discord")
    await store.mark_failed(other.id, "PermanentError: gone")
    assert await store.earliest_unsent_at(["discord"]) is None


async def test_the_backlog_counts_unsent_deliveries_per_platform_from_their_due_time(
    store: Store,
) -> None:
    discord = ChatRef("discord", "9")
    await add_chats(store, tg(1), tg(2), tg(3), discord)
    assert await store.backlog() == {}
    await store.enqueue(announcement("early", T0), [tg(1), tg(2), discord])
    await store.enqueue(announcement("later", T0 + timedelta(minutes=5)), [tg(3)])
    assert await store.backlog() == {
        "telegram": Backlog(3, T0),
        "discord": Backlog(1, T0),
    }
    # Claimed (SENDING) still counts; a retry still counts from its announcement's due time.
    first, second = await store.claim(T0, 2, platform="telegram")
    await store.mark_retry(first.id, "TransientError: timed out", T0 + timedelta(hours=1))
    assert (await store.backlog())["telegram"] == Backlog(3, T0)
    # Sent, failed and skipped are out of it.
    await store.mark_sent(second.id, "1", T0)
    await store.mark_failed(first.id, "PermanentError: gone")
    assert (await store.backlog())["telegram"] == Backlog(1, T0 + timedelta(minutes=5))
    (last,) = await store.claim(T0 + timedelta(minutes=5), 1, platform="telegram")
    await store.mark_skipped(last.id, "unsubscribed")
    assert await store.backlog() == {"discord": Backlog(1, T0)}


async def test_failed_and_skipped_are_final(store: Store) -> None:
    await add_chats(store, tg(1), tg(2))
    await store.enqueue(announcement(), [tg(1), tg(2)])
    failed, skipped = await store.claim(T0, 2)
    await store.mark_failed(failed.id, "PermanentError: message is too long")
    await store.mark_skipped(skipped.id, "unsubscribed")
    for delivery in (failed, skipped):
        await store.mark_retry(delivery.id, "late retry", T0)
    await store.mark_failed(skipped.id, "late failure")

    found = await store.deliveries(KEY)
    assert [(d.status, d.last_error) for d in found] == [
        (DeliveryStatus.FAILED, "PermanentError: message is too long"),
        (DeliveryStatus.SKIPPED, "unsubscribed"),
    ]
    assert await store.claim(T0 + timedelta(days=1), 10) == []


async def test_a_pending_delivery_can_be_skipped_or_failed_without_a_claim(store: Store) -> None:
    await add_chats(store, tg(1), tg(2))
    await store.enqueue(announcement(), [tg(1), tg(2)])
    first, second = await store.deliveries(KEY)
    await store.mark_skipped(first.id, "session cancelled")
    await store.mark_failed(second.id, "no composer for this kind")
    assert list((await statuses(store)).values()) == [DeliveryStatus.SKIPPED, DeliveryStatus.FAILED]


async def test_marking_an_unknown_delivery_is_an_error(store: Store) -> None:
    with pytest.raises(UnknownDelivery):
        await store.mark_sent(999, None, T0)
    with pytest.raises(UnknownDelivery):
        await store.mark_retry(999, "x", T0)
    with pytest.raises(UnknownDelivery):
        await store.mark_failed(999, "x")
    with pytest.raises(UnknownDelivery):
        await store.mark_skipped(999, "x")


# --- the delivery engine's batches --------------------------------------------------------------


async def test_claim_with_chats_gives_each_claimed_delivery_its_stored_chat(store: Store) -> None:
    berlin = Chat(
        tg(1), zone="Europe/Berlin", language="de", reminder_minutes=(30,), spoiler_safe=True
    )
    group = Chat(ChatRef("discord", "55"), kind=ChatKind.CHANNEL, mention_role="99")
    await store.upsert_chat(berlin)
    await store.upsert_chat(group)
    await store.upsert_chat(Chat(tg(2)))
    await store.enqueue(announcement("early", T0), [tg(1), group.ref, tg(2)])
    await store.enqueue(announcement("urgent", T0), [tg(1)], priority=5)

    pairs = await store.claim_with_chats(T0, 3)
    assert [(d.item.key, d.chat, chat) for d, chat in pairs] == [
        ("urgent", tg(1), berlin),
        ("early", tg(1), berlin),
        ("early", group.ref, group),
    ]
    assert {(d.status, d.attempts) for d, _ in pairs} == {(DeliveryStatus.SENDING, 1)}
    assert [d for d, _ in pairs if d.item.key == "early"] == (await store.deliveries("early"))[:2]
    assert [chat for _, chat in pairs] == [await store.get_chat(d.chat) for d, _ in pairs]
    assert [(d.chat, chat) for d, chat in await store.claim_with_chats(T0, 10)] == [
        (tg(2), Chat(tg(2)))
    ]
    assert await store.claim_with_chats(T0, 10) == []


async def test_claim_with_chats_keeps_to_a_platform_and_to_what_is_due(store: Store) -> None:
    discord = ChatRef("discord", "42")
    await add_chats(store, tg(1), discord)
    await store.enqueue(announcement(), [tg(1), discord])
    assert await store.claim_with_chats(T0 - timedelta(microseconds=1), 10) == []
    assert await store.claim_with_chats(T0, 0) == []
    assert [d.chat for d, _ in await store.claim_with_chats(T0, 10, platform="discord")] == [
        discord
    ]
    with pytest.raises(ValueError):
        await store.claim_with_chats(datetime(2022, 4, 23, 10, 0), 10)  # no time zone
    assert [d.chat for d, _ in await store.claim_with_chats(T0, 10)] == [tg(1)]


# Each scenario: the marks one delivery gets, in order (what a worker may report about it).
MARK_SCENARIOS: list[list[DeliveryMark]] = [
    [MarkSent(0, "11", T0)],
    [MarkPartSent(0, 1, "21"), MarkPartSent(0, 2, "22"), MarkSent(0, "23", T0)],
    [MarkPartSent(0, 1, "31"), MarkRetry(0, "RetryAfter: retry after 3 s", T0)],
    [MarkRetry(0, "TransientError: 502", T0 + timedelta(seconds=9)), MarkPartSent(0, 1, "41")],
    [MarkFailed(0, "PermanentError: too long"), MarkRetry(0, "late", T0)],
    [MarkRetry(0, "TransientError: 502", T0), MarkFailed(0, "gave up")],
    [MarkSkipped(0, "chat inactive"), MarkFailed(0, "late failure"), MarkSent(0, "51", T0)],
    [MarkPartSent(0, 2, "61"), MarkPartSent(0, 1, "60")],
]


def for_delivery(mark: DeliveryMark, delivery_id: int) -> DeliveryMark:
    return dataclasses.replace(mark, delivery_id=delivery_id)


def outcome(delivery: Delivery) -> tuple[object, ...]:
    return (
        delivery.status,
        delivery.parts_sent,
        delivery.message_id,
        delivery.last_error,
        delivery.next_attempt_at,
        delivery.sent_at,
    )


async def test_record_marks_does_what_the_mark_methods_do_one_by_one(store: Store) -> None:
    refs = [tg(n) for n in range(len(MARK_SCENARIOS))]
    await add_chats(store, *refs)
    await store.enqueue(announcement("one-by-one"), refs)
    await store.enqueue(announcement("batched"), refs)
    claimed = {(d.item.key, d.chat): d.id for d in await store.claim(T0, 100)}

    for ref, scenario in zip(refs, MARK_SCENARIOS, strict=True):
        for mark in scenario:
            match for_delivery(mark, claimed[("one-by-one", ref)]):
                case MarkSent(delivery_id, message_id, sent_at):
                    await store.mark_sent(delivery_id, message_id, sent_at)
                case MarkPartSent(delivery_id, parts_sent, message_id):
                    await store.mark_part_sent(delivery_id, parts_sent, message_id)
                case MarkRetry(delivery_id, error, retry_at):
                    await store.mark_retry(delivery_id, error, retry_at)
                case MarkFailed(delivery_id, error):
                    await store.mark_failed(delivery_id, error)
                case MarkSkipped(delivery_id, reason):
                    await store.mark_skipped(delivery_id, reason)
    # The same marks in one batch, interleaved across deliveries as workers report them (each
    # delivery's own marks in order): first marks of every delivery, then second marks, ...
    batch = [
        for_delivery(scenario[step], claimed[("batched", ref)])
        for step in range(max(map(len, MARK_SCENARIOS)))
        for ref, scenario in zip(refs, MARK_SCENARIOS, strict=True)
        if step < len(scenario)
    ]
    await store.record_marks(batch)

    one_by_one = [outcome(d) for d in await store.deliveries("one-by-one")]
    batched = [outcome(d) for d in await store.deliveries("batched")]
    assert batched == one_by_one
    assert [status for status, *_ in batched] == [
        DeliveryStatus.SENT,
        DeliveryStatus.SENT,
        DeliveryStatus.PENDING,
        DeliveryStatus.PENDING,
        DeliveryStatus.FAILED,
        DeliveryStatus.FAILED,
        DeliveryStatus.SENT,
        DeliveryStatus.SENDING,
    ]


async def test_record_marks_with_an_unknown_or_bad_mark_writes_nothing(store: Store) -> None:
    await add_chats(store, tg(1), tg(2))
    await store.enqueue(announcement(), [tg(1), tg(2)])
    first, second = await store.claim(T0, 2)
    with pytest.raises(UnknownDelivery):
        await store.record_marks([MarkSent(first.id, "1", T0), MarkSent(999, "2", T0)])
    naive = datetime(2022, 4, 23, 10, 0)
    with pytest.raises(ValueError):
        await store.record_marks([MarkSent(first.id, "1", T0), MarkRetry(second.id, "x", naive)])
    with pytest.raises(ValueError):
        MarkPartSent(first.id, 0, None)
    await store.record_marks([])
    assert set((await statuses(store)).values()) == {DeliveryStatus.SENDING}
    # A mark its delivery's state refuses is no error: it is left alone, as by mark_*.
    await store.record_marks([MarkSent(first.id, "1", T0), MarkRetry(first.id, "late", T0)])
    assert list((await statuses(store)).values()) == [DeliveryStatus.SENT, DeliveryStatus.SENDING]


# --- restart -----------------------------------------------------------------------------------


async def test_deliveries_in_flight_at_a_crash_are_sent_again_once_their_lease_expires(
    open_store: OpenStore,
) -> None:
    before_crash = await open_store()
    await add_chats(before_crash, tg(1), tg(2), tg(3))
    await before_crash.enqueue(announcement(), [tg(1), tg(2), tg(3)])
    sent, in_flight, _ = await before_crash.claim(T0, 3)
    await before_crash.mark_sent(sent.id, "1", T0)
    # The process dies here: `in_flight` and the third were being sent, nobody marked them.

    after_restart = await open_store()
    expired = T0 + DEFAULT_LEASE
    assert await after_restart.claim(T0, 10) == []  # SENDING rows are not claimable as such
    assert await after_restart.reclaim_expired_leases(expired - MICROSECOND) == 0
    assert await after_restart.reclaim_expired_leases(expired) == 2
    assert await after_restart.reclaim_expired_leases(expired) == 0
    again = await after_restart.claim(expired, 10)
    assert [d.chat for d in again] == [tg(2), tg(3)]
    assert [d.attempts for d in again] == [2, 2]
    assert in_flight.id in {d.id for d in again}


async def test_a_post_half_sent_at_a_crash_keeps_its_sent_messages(open_store: OpenStore) -> None:
    before_crash = await open_store()
    delivery = await claimed_one(before_crash)
    await before_crash.mark_part_sent(delivery.id, 1, "41")
    # The process dies while sending the second message.

    after_restart = await open_store()
    assert await after_restart.reclaim_expired_leases(T0 + DEFAULT_LEASE) == 1
    (again,) = await after_restart.claim(T0 + DEFAULT_LEASE, 10)
    assert (again.id, again.parts_sent) == (delivery.id, 1)


async def test_a_send_reported_late_still_counts_as_sent(open_store: OpenStore) -> None:
    stalled = await open_store()
    delivery = await claimed_one(stalled)
    # The lease ran out (the process stalled) and another process took the delivery back.
    other = await open_store()
    assert await other.reclaim_expired_leases(T0 + DEFAULT_LEASE) == 1
    await stalled.mark_sent(delivery.id, "77", T0)
    assert await other.claim(T0 + DEFAULT_LEASE, 10) == []
    assert (await other.delivery_counts(KEY))[DeliveryStatus.SENT] == 1


# --- leases across processes -------------------------------------------------------------------


async def test_another_process_never_takes_back_a_lease_that_has_not_expired(
    open_store: OpenStore,
) -> None:
    working = await open_store()
    await claimed_one(working)
    starting = await open_store()  # a second process starts while the first one sends
    just_before = T0 + DEFAULT_LEASE - MICROSECOND
    assert await starting.reclaim_expired_leases(just_before) == 0
    assert await starting.claim(just_before, 10) == []
    assert await statuses(starting) == {tg(1): DeliveryStatus.SENDING}


async def test_a_restarted_process_takes_back_its_own_earlier_sends_at_once(
    open_store: OpenStore,
) -> None:
    other = await open_store("other")
    await add_chats(other, tg(1), tg(2))
    await other.enqueue(announcement(), [tg(1), tg(2)])
    (others,) = await other.claim(T0, 1)
    before_crash = await open_store("worker-1")
    (mine,) = await before_crash.claim(T0, 1)
    # worker-1 dies and starts again under the same name: its earlier run is certainly dead.
    restarted = await open_store("worker-1")
    assert await restarted.reclaim_expired_leases(T0) == 1
    (again,) = await restarted.claim(T0, 10)
    assert (again.id, again.attempts) == (mine.id, 2)
    assert others.id != mine.id
    assert (await statuses(restarted))[others.chat] is DeliveryStatus.SENDING  # not its own


async def test_a_new_run_on_the_same_handle_takes_back_the_last_runs_claims(
    store: Store,
) -> None:
    delivery = await claimed_one(store)  # claimed, then the engine stopped before sending
    first_run = store.begin_run()
    assert store.begin_run() != first_run
    assert first_run.rsplit("/", 1)[0] == store.begin_run().rsplit("/", 1)[0]  # same process
    (again,) = await store.claim(T0, 10)
    assert (again.id, again.attempts) == (delivery.id, 2)


async def test_an_expired_lease_is_taken_back_by_a_claim_of_another_process(
    open_store: OpenStore,
) -> None:
    died = await open_store()
    delivery = await claimed_one(died)
    survivor = await open_store()
    (again,) = await survivor.claim(T0 + DEFAULT_LEASE, 10)
    assert (again.id, again.attempts, again.status) == (delivery.id, 2, DeliveryStatus.SENDING)
    # Now the survivor holds it: the process that "died" cannot take it back either.
    assert await died.claim(T0 + DEFAULT_LEASE + MICROSECOND, 10) == []


async def test_claiming_renews_every_lease_the_owner_holds(open_store: OpenStore) -> None:
    working, other = await open_store(), await open_store()
    await add_chats(working, tg(1), tg(2))
    await working.enqueue(announcement("first"), [tg(1)])
    await working.enqueue(announcement("second", T0 + DEFAULT_LEASE / 2), [tg(2)])
    (first,) = await working.claim(T0, 10)
    # Half a lease later it claims again: the first claim's lease moves on with it.
    (second,) = await working.claim(T0 + DEFAULT_LEASE / 2, 10)
    renewed_until = T0 + DEFAULT_LEASE * 3 / 2
    assert await other.reclaim_expired_leases(T0 + DEFAULT_LEASE) == 0
    assert await other.claim(renewed_until - MICROSECOND, 10) == []
    assert await other.reclaim_expired_leases(renewed_until) == 2
    assert {d.id for d in await other.claim(renewed_until, 10)} == {first.id, second.id}


async def test_renewing_keeps_a_lease_without_a_claim(open_store: OpenStore) -> None:
    working, other = await open_store(), await open_store()
    await claimed_one(working)
    assert await other.renew_leases(T0 + DEFAULT_LEASE / 2) == 0  # it holds none
    assert await working.renew_leases(T0 + DEFAULT_LEASE / 2) == 1
    assert await other.reclaim_expired_leases(T0 + DEFAULT_LEASE) == 0
    assert await other.reclaim_expired_leases(T0 + DEFAULT_LEASE * 3 / 2) == 1


async def test_a_graceful_stop_gives_back_its_unsent_claims_for_another_to_take_at_once(
    open_store: OpenStore,
) -> None:
    stopping = await open_store()
    await add_chats(stopping, tg(1), tg(2), tg(3))
    await stopping.enqueue(announcement(), [tg(1), tg(2), tg(3)])
    sent, half_sent, _ = await stopping.claim(T0, 3)
    await stopping.mark_sent(sent.id, "1", T0)
    await stopping.mark_part_sent(half_sent.id, 1, "41")
    other = await open_store()
    others = await claimed_one(other, "other", tg(4))
    await stopping.set_active(tg(3), False, "blocked")

    # Its sends are over and recorded: what it holds goes back, not another process's claim.
    assert await stopping.release_leases() == 2
    assert await stopping.release_leases() == 0
    # Long before the lease runs out, another process claims the unsent one, parts kept.
    (again,) = await other.claim(T0, 10)
    assert (again.id, again.parts_sent, again.attempts) == (half_sent.id, 1, 2)
    assert (await statuses(other)) == {
        tg(1): DeliveryStatus.SENT,
        tg(2): DeliveryStatus.SENDING,
        tg(3): DeliveryStatus.SKIPPED,  # its chat is inactive: never pending again
    }
    assert (await statuses(other, "other"))[others.chat] is DeliveryStatus.SENDING


async def test_a_process_never_takes_back_its_own_sends_however_slow(store: Store) -> None:
    delivery = await claimed_one(store)
    # Long past its lease (a flood wait, a slow platform), the same process claims again:
    # its claim renews its own leases first, so the send it is still making is not repeated.
    assert await store.claim(T0 + DEFAULT_LEASE * 10, 10) == []
    assert await store.reclaim_expired_leases(T0 + DEFAULT_LEASE * 10) == 0
    assert await statuses(store) == {tg(1): DeliveryStatus.SENDING}
    assert delivery.status is DeliveryStatus.SENDING


# --- inactive chats ------------------------------------------------------------------------------


async def test_deactivating_a_chat_skips_its_pending_deliveries_for_good(store: Store) -> None:
    await add_chats(store, tg(1), tg(2))
    await store.enqueue(announcement("a"), [tg(1), tg(2)])
    await store.enqueue(announcement("b"), [tg(1)])
    (sent,) = await store.claim(T0, 1)  # a → tg(1)
    await store.mark_sent(sent.id, "1", T0)

    await store.set_active(tg(1), False, "Forbidden: bot was blocked by the user")
    assert await statuses(store, "a") == {tg(1): DeliveryStatus.SENT, tg(2): DeliveryStatus.PENDING}
    (skipped,) = await store.deliveries("b")
    assert skipped.status is DeliveryStatus.SKIPPED
    assert skipped.last_error == "Forbidden: bot was blocked by the user"

    await store.set_active(tg(1), True)
    assert (await store.deliveries("b"))[0].status is DeliveryStatus.SKIPPED
    assert [d.chat for d in await store.claim(T0, 10)] == [tg(2)]


async def test_a_chat_saved_as_inactive_keeps_nothing_pending(store: Store) -> None:
    await add_chats(store, tg(1))
    await store.enqueue(announcement(), [tg(1)])
    await store.upsert_chat(Chat(tg(1), active=False))
    assert (await statuses(store))[tg(1)] is DeliveryStatus.SKIPPED
    assert await store.next_due_at() is None


async def test_a_chat_deactivated_mid_send_is_not_retried(store: Store) -> None:
    delivery = await claimed_one(store)
    await store.set_active(tg(1), False, "kicked")
    await store.mark_retry(delivery.id, "TransientError: 502", T0)
    assert (await statuses(store))[tg(1)] is DeliveryStatus.SKIPPED


async def test_a_chat_deactivated_before_a_restart_is_not_requeued(open_store: OpenStore) -> None:
    store = await open_store()
    await claimed_one(store)
    await store.set_active(tg(1), False, "kicked")
    restarted = await open_store()
    await restarted.reclaim_expired_leases(T0 + DEFAULT_LEASE)
    assert (await statuses(restarted))[tg(1)] is DeliveryStatus.SKIPPED


# --- a chat that moves -------------------------------------------------------------------------


async def test_a_migrated_group_keeps_settings_subscription_and_deliveries(store: Store) -> None:
    old, new = tg(-4242), tg(-1001234567890)
    settings = Chat(old, kind=ChatKind.GROUP, zone="Europe/Berlin", reminder_minutes=(30,))
    sub = Subscription(old, series=frozenset({"tcr-germany-2022"}))
    await store.upsert_chat(settings)
    await store.set_subscription(sub)
    await store.enqueue(announcement("sent"), [old])
    await store.enqueue(announcement("pending", T0 + timedelta(minutes=1)), [old])
    (delivered,) = await store.claim(T0, 1)
    await store.mark_sent(delivered.id, "9", T0)

    await store.rewrite_chat(old, new)

    assert await store.get_chat(old) is None
    assert await store.get_chat(new) == Chat(
        new, kind=ChatKind.GROUP, zone="Europe/Berlin", reminder_minutes=(30,)
    )
    assert await store.get_subscription(old) is None
    assert await store.get_subscription(new) == Subscription(new, series=sub.series)
    assert await statuses(store, "pending") == {new: DeliveryStatus.PENDING}
    assert await statuses(store, "sent") == {new: DeliveryStatus.SENT}
    assert [d.chat for d in await store.claim(T0 + timedelta(minutes=1), 10)] == [new]
    assert [chat.ref for chat, _ in await store.audience()] == [new]


async def test_rewriting_a_chat_twice_or_one_never_seen(store: Store) -> None:
    old, new = tg(-1), tg(-1001)
    await add_chats(store, old)
    await store.rewrite_chat(old, new)
    await store.rewrite_chat(old, new)  # the second report of the same migration
    assert await store.count_chats() == 1
    with pytest.raises(UnknownChat):
        await store.rewrite_chat(tg(-2), tg(-1002))
    with pytest.raises(ValueError):
        await store.rewrite_chat(new, ChatRef("discord", "1"))


async def test_rewriting_onto_a_chat_already_stored_merges_them(store: Store) -> None:
    old, new = tg(-1), tg(-1001)
    await store.upsert_chat(Chat(old, kind=ChatKind.GROUP, zone="Europe/Berlin"))
    await store.set_subscription(Subscription(old, series=frozenset({"stcc-2022"})))
    # Someone already wrote in the new supergroup: /subscribe made a default chat there.
    fresh = Subscription(new, drivers=frozenset({"jessica-backman"}))
    await store.set_subscription(fresh)
    await store.enqueue(announcement("both"), [old, new])
    await store.enqueue(announcement("old only", T0 + timedelta(minutes=1)), [old])
    to_old, to_new = await store.claim(T0, 10)
    await store.mark_sent(to_new.id, "1", T0)

    # Sending to the old id failed with "migrated"; the engine rewrites, then retries.
    await store.rewrite_chat(old, new)
    await store.mark_retry(to_old.id, "ChatMigrated: chat migrated to -1001", T0)
    await store.rewrite_chat(old, new)  # reported twice: nothing more happens

    assert await store.get_chat(new) == Chat(new, kind=ChatKind.GROUP, zone="Europe/Berlin")
    assert await store.get_subscription(new) == fresh  # the newer choice wins
    assert await store.get_subscription(old) is None
    assert await statuses(store, "both") == {old: DeliveryStatus.SKIPPED, new: DeliveryStatus.SENT}
    assert await statuses(store, "old only") == {new: DeliveryStatus.PENDING}
    left_behind = await store.get_chat(old)
    assert left_behind is not None and not left_behind.active
    assert [chat.ref for chat, _ in await store.audience()] == [new]
    assert [d.chat for d in await store.claim(T0 + timedelta(minutes=1), 10)] == [new]


async def test_merging_without_a_shared_announcement_leaves_no_old_row(store: Store) -> None:
    old, new = tg(-1), tg(-1001)
    await store.set_subscription(Subscription(old, series=frozenset({"stcc-2022"})))
    await add_chats(store, new)
    await store.enqueue(announcement(), [old])
    await store.rewrite_chat(old, new)
    assert await store.count_chats(active_only=False) == 1
    assert await store.get_subscription(new) == Subscription(new, series=frozenset({"stcc-2022"}))
    assert await statuses(store) == {new: DeliveryStatus.PENDING}


# --- reporting -----------------------------------------------------------------------------------


async def test_delivery_counts_cover_every_status(store: Store) -> None:
    await add_chats(store, tg(1), tg(2), tg(3))
    assert await store.delivery_counts() == dict.fromkeys(DeliveryStatus, 0)
    await store.enqueue(announcement("a"), [tg(1), tg(2), tg(3)])
    await store.enqueue(announcement("b", T0 + timedelta(hours=1)), [tg(1)])
    first, second = await store.claim(T0, 2)
    await store.mark_sent(first.id, "1", T0)
    await store.mark_failed(second.id, "PermanentError: bad request")

    assert await store.delivery_counts("a") == {
        DeliveryStatus.PENDING: 1,
        DeliveryStatus.SENDING: 0,
        DeliveryStatus.SENT: 1,
        DeliveryStatus.FAILED: 1,
        DeliveryStatus.SKIPPED: 0,
    }
    everything = await store.delivery_counts()
    assert everything[DeliveryStatus.PENDING] == 2
    assert sum(everything.values()) == 4
    assert await store.delivery_counts("nothing") == dict.fromkeys(DeliveryStatus, 0)


async def test_recent_errors_newest_first(store: Store) -> None:
    await add_chats(store, tg(1), tg(2), tg(3))
    await store.enqueue(announcement(), [tg(1), tg(2), tg(3)])
    (first,) = await store.claim(T0, 1)
    await store.mark_retry(first.id, "TransientError: timed out", T0 + timedelta(minutes=1))
    (second,) = await store.claim(T0 + timedelta(seconds=10), 1)
    await store.mark_failed(second.id, "PermanentError: chat not found")
    (third,) = await store.claim(T0 + timedelta(seconds=20), 1)
    await store.mark_sent(third.id, "3", T0 + timedelta(seconds=20))

    assert await store.recent_errors() == [
        RecentError(tg(2), KEY, "PermanentError: chat not found", T0 + timedelta(seconds=10)),
        RecentError(tg(1), KEY, "TransientError: timed out", T0),
    ]
    assert len(await store.recent_errors(limit=1)) == 1


async def test_deliveries_of_an_unknown_key_are_none(store: Store) -> None:
    assert await store.deliveries("nothing") == []
    assert await store.next_due_at() is None


# --- button callbacks and kept values --------------------------------------------------------


async def test_a_remembered_callback_is_found_until_it_expires(store: Store) -> None:
    until = T0 + timedelta(days=30)
    await store.remember_callbacks("telegram", {"#abc": "/driver jessica-backman"}, until)
    assert await store.find_callback("telegram", "#abc", T0) == "/driver jessica-backman"
    assert await store.find_callback("discord", "#abc", T0) is None  # per platform
    assert await store.find_callback("telegram", "#nope", T0) is None
    assert await store.find_callback("telegram", "#abc", until) is None  # expired
    assert await store.forget_expired_callbacks(T0) == 0
    assert await store.forget_expired_callbacks(until) == 1
    assert await store.find_callback("telegram", "#abc", T0) is None


async def test_remembering_a_callback_again_keeps_the_later_expiry(
    open_store: OpenStore,
) -> None:
    first = await open_store()
    later, sooner = T0 + timedelta(days=30), T0 + timedelta(days=1)
    await first.remember_callbacks("telegram", {"#k": "/next", NASTY: EMOJI}, later)
    await first.remember_callbacks("telegram", {"#k": "/next"}, sooner)
    restarted = await open_store()  # what a restart reads back
    assert await restarted.find_callback("telegram", "#k", sooner + timedelta(hours=1)) == "/next"
    assert await restarted.find_callback("telegram", NASTY, T0) == EMOJI
    await restarted.remember_callbacks("telegram", {}, later)  # nothing to do, no error


async def test_a_kept_value_is_written_once_and_the_first_writer_wins(
    open_store: OpenStore,
) -> None:
    one, other = await open_store(), await open_store()
    assert await one.get_value("telegram.webhook_secret") is None
    assert await one.keep_value("telegram.webhook_secret", "first") == "first"
    assert await other.keep_value("telegram.webhook_secret", "second") == "first"
    assert await other.get_value("telegram.webhook_secret") == "first"
    assert await other.get_value(NASTY) is None


async def test_a_value_is_kept_by_name_replaced_and_survives_a_reopen(
    open_store: OpenStore,
) -> None:
    store = await open_store()
    assert await store.get_value("discord.commands") is None
    await store.set_value("discord.commands", "abc")
    await store.set_value("discord.commands", NASTY)
    await store.set_value("other", EMOJI)
    again = await open_store()
    assert await again.get_value("discord.commands") == NASTY
    assert await again.get_value("other") == EMOJI


# --- channel problems ------------------------------------------------------------------------


async def test_a_channel_problem_noted_by_one_process_is_seen_and_cleared_by_another(
    open_store: OpenStore,
) -> None:
    finding, other = await open_store(), await open_store()
    assert await other.channel_problems() == {}
    await finding.note_channel_problem("discord channel 7", "the channel was deleted")
    await finding.note_channel_problem("@pitboard_news", "the bot is not an admin")
    await finding.note_channel_problem("@pitboard_news", "cannot reach the channel")  # replaced
    assert await other.channel_problems() == {
        "@pitboard_news": "cannot reach the channel",
        "discord channel 7": "the channel was deleted",
    }
    await other.note_channel_problem("discord channel 7", None)  # it posted there fine
    await other.note_channel_problem("discord channel 8", None)  # nothing noted: no error
    assert await finding.channel_problems() == {"@pitboard_news": "cannot reach the channel"}


# --- the audit log of operator edits ----------------------------------------------------------


async def test_an_edit_is_recorded_with_who_when_what_and_each_files_texts(store: Store) -> None:
    assert await store.recent_edits(5) == []
    first = await store.next_edit_id()
    at = datetime(2022, 4, 23, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    files = {"2022/tcr.toml": (f"# {EMOJI}\ntime = 'TBA'\n", "time = '10:00'\n")}
    edit_id = await store.record_edit(
        edit_id=first,
        at=at,
        actor="telegram:1 (@anna)",
        action="time",
        target="tcr-germany-2022/oschersleben/race-1",
        summary=NASTY,
        files=files,
    )
    assert edit_id == first
    second = await store.record_edit(
        edit_id=await store.next_edit_id(),
        at=at,
        actor="cli:alice",
        action="undo",
        target=f"#{first}",
        summary="undo",
        files={"new.toml": (None, "x = 1\n")},
    )
    assert second == first + 1
    record = await store.get_edit(first)
    assert record is not None
    assert record.at == at and record.at.tzinfo is UTC
    assert (record.actor, record.action, record.summary) == ("telegram:1 (@anna)", "time", NASTY)
    assert record.files == files and record.undone_by is None
    assert [r.id for r in await store.recent_edits(5)] == [second, first]
    assert [r.id for r in await store.recent_edits(1)] == [second]
    await store.mark_undone(first, second)
    undone = await store.get_edit(first)
    assert undone is not None and undone.undone_by == second
    assert await store.get_edit(999) is None


async def test_an_edit_id_taken_meanwhile_is_refused(open_store: OpenStore) -> None:
    one, other = await open_store(), await open_store()
    reserved = await one.next_edit_id()
    assert await other.next_edit_id() == reserved
    kwargs = {"at": T0, "actor": "console", "action": "cancel", "target": "x", "summary": "s"}
    await one.record_edit(edit_id=reserved, files={}, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(EditIdTaken):
        await other.record_edit(edit_id=reserved, files={}, **kwargs)  # type: ignore[arg-type]
    assert [r.id for r in await other.recent_edits()] == [reserved]
