"""The Store contract, continued: the audience stays true after every change, many
subscriptions at once, and announcements to many chats (issue 11). Written against the
protocol only; the fixtures run each test once per engine.

An engine may keep the audience in memory (the SQLite one does): each check here compares
it, after one change, with what a second handle on the same database reads, so a change the
copy in memory missed shows up as a difference.
"""

from datetime import UTC, datetime

import pytest

from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.model import SessionKind
from bot.store import DeliveryStatus, OutboxItem, Store, UnknownChat

from .conftest import OpenStore

T0 = datetime(2022, 4, 23, 10, 0, tzinfo=UTC)
KEY = "tcr-germany-2022/oschersleben/race-1|start|0|2022-04-23T10:00:00+00:00"
TCR = frozenset({"tcr-germany-2022"})
STCC = frozenset({"stcc-2022"})
MANY = 2_500  # more recipients than any engine writes in one go, so chunking is exercised


def tg(n: int) -> ChatRef:
    return ChatRef("telegram", str(n))


def refs(audience: list[tuple[Chat, Subscription]]) -> list[ChatRef]:
    return [chat.ref for chat, _ in audience]


async def same_as_stored(store: Store, open_store: OpenStore) -> list[tuple[Chat, Subscription]]:
    """The store's audience, checked against what another handle reads from the database."""
    audience = await store.audience()
    assert audience == await (await open_store()).audience()
    for chat, sub in audience:
        assert store.audience_subscription(chat.ref) == sub
    return audience


async def test_the_audience_follows_subscribing_settings_and_moves(
    store: Store, open_store: OpenStore
) -> None:
    for n in (1, 2, 3):
        await store.set_subscription(Subscription(tg(n), series=TCR))
    assert refs(await same_as_stored(store, open_store)) == [tg(1), tg(2), tg(3)]

    await store.set_subscription(Subscription(tg(4), series=STCC))  # subscribe
    assert refs(await same_as_stored(store, open_store)) == [tg(1), tg(2), tg(3), tg(4)]

    changed = Subscription(tg(1), drivers=frozenset({"bäckman"}))  # change what one follows
    await store.set_subscription(changed)
    await same_as_stored(store, open_store)
    assert store.audience_subscription(tg(1)) == changed

    assert await store.remove_subscription(tg(2))  # unsubscribe
    assert refs(await same_as_stored(store, open_store)) == [tg(1), tg(3), tg(4)]
    assert store.audience_subscription(tg(2)) is None

    await store.upsert_chat(Chat(tg(3), zone="Europe/Berlin", reminder_minutes=(30,)))  # settings
    audience = await same_as_stored(store, open_store)
    assert audience[1][0] == Chat(tg(3), zone="Europe/Berlin", reminder_minutes=(30,))

    await store.set_active(tg(3), False, "bot was blocked by the user")  # blocked
    assert refs(await same_as_stored(store, open_store)) == [tg(1), tg(4)]
    await store.set_active(tg(3), True)  # back
    assert refs(await same_as_stored(store, open_store)) == [tg(1), tg(3), tg(4)]


async def test_the_audience_follows_a_chat_that_moves_or_merges(
    store: Store, open_store: OpenStore
) -> None:
    await store.set_subscription(Subscription(tg(4), series=STCC))
    await store.set_subscription(Subscription(tg(5), series=TCR))
    await store.upsert_chat(Chat(tg(-50)))  # the new id wrote first, and follows nothing
    await same_as_stored(store, open_store)

    await store.rewrite_chat(tg(4), tg(-40))  # a group became a supergroup
    audience = await same_as_stored(store, open_store)
    assert refs(audience) == [tg(-40), tg(5)]
    assert store.audience_subscription(tg(-40)) == Subscription(tg(-40), series=STCC)

    await store.rewrite_chat(tg(5), tg(-50))  # a move onto a chat stored already: merged
    audience = await same_as_stored(store, open_store)
    assert refs(audience) == [tg(-40), tg(-50)]
    assert store.audience_subscription(tg(-50)) == Subscription(tg(-50), series=TCR)
    assert store.audience_subscription(tg(5)) is None


async def test_many_subscriptions_at_once_are_as_many_set_one_by_one(
    store: Store, open_store: OpenStore
) -> None:
    await store.upsert_chat(Chat(tg(2), zone="Europe/Berlin"))  # an existing chat keeps these
    await store.audience()  # read before: the write must reach an audience already kept
    subs = [Subscription(tg(n), series=TCR) for n in range(MANY)]
    last = Subscription(tg(7), series=STCC, session_kinds=frozenset({SessionKind.RACE}))
    await store.set_subscriptions([*subs, last])  # a chat given twice ends with the last

    audience = await same_as_stored(store, open_store)
    assert len(audience) == MANY
    by_ref = dict(audience)
    assert by_ref[Chat(tg(2), zone="Europe/Berlin")] == subs[2]
    assert by_ref[Chat(tg(7))] == last
    await store.set_subscriptions([])  # nothing to do, and no error
    assert len(await store.audience()) == MANY


async def test_an_announcement_to_many_chats_reaches_each_once(store: Store) -> None:
    chats = [tg(n) for n in range(MANY)]
    await store.set_subscriptions([Subscription(ref, series=TCR) for ref in chats])
    await store.set_active(tg(3), False, "bot was blocked by the user")
    item = OutboxItem(KEY, "start", "race-1", T0, {})

    assert await store.enqueue(item, [*chats, tg(1)])
    assert await store.enqueue(item, chats) is False
    deliveries = await store.deliveries(KEY)
    assert [d.chat for d in deliveries] == chats  # in the recipients' order, each once
    counts = await store.delivery_counts(KEY)
    assert (counts[DeliveryStatus.PENDING], counts[DeliveryStatus.SKIPPED]) == (MANY - 1, 1)
    assert await store.unfinished_announcements() == []


async def test_an_unknown_chat_among_many_fails_the_whole_enqueue(store: Store) -> None:
    chats = [tg(n) for n in range(MANY)]
    await store.set_subscriptions([Subscription(ref, series=TCR) for ref in chats])
    item = OutboxItem(KEY, "start", "race-1", T0, {})

    with pytest.raises(UnknownChat) as raised:
        await store.enqueue(item, [*chats, tg(MANY + 404)])  # the unknown one is in the last chunk
    assert raised.value.refs == (tg(MANY + 404),)
    assert not await store.has_announcement(KEY)
    assert await store.deliveries(KEY) == []
    assert await store.unfinished_announcements() == []
