"""The audience kept in memory: every active chat with a subscription, ordered by chat.

An announcement goes to the audience, and reading 100,000 of them back from the database for
each one took seconds. The audience changes only when a chat subscribes, unsubscribes, changes
a setting, is (de)activated or moves to a new id, and each of those goes through the store: the
engine reads the changed chats back inside the transaction that changed them and, once it has
committed, applies them here. Nothing else writes these rows, so the copy stays true.

Engine-neutral: it holds core records only.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter, is_, itemgetter

from bot.core.audience import Chat, ChatRef, Subscription

__all__ = ["AudienceCache", "Member"]

Member = tuple[Chat, Subscription]

_SLICE = 5_000  # look-ups between two yields to the event loop (a few ms)
_CHAT = itemgetter(0)
_REF = attrgetter("ref")


def _ref(member: Member) -> ChatRef:
    return member[0].ref


class AudienceCache:
    def __init__(self, ordered: Iterable[Member] = ()) -> None:
        """`ordered`: the members sorted by chat, as the store's query returns them."""
        self._members: list[Member] = list(ordered)
        # By chat too: composing a post looks up its chat's subscription once per delivery.
        self._by_ref: dict[ChatRef, Member] = {member[0].ref: member for member in self._members}

    def __len__(self) -> int:
        return len(self._members)

    async def holds_all(self, refs: Sequence[ChatRef]) -> bool:
        """Whether every one of `refs` is a member. A slice at a time, letting other tasks
        run in between: 100,000 look-ups in one go held the event loop for some 100 ms.

        A list of every member in order (an announcement to everyone, made from `snapshot`)
        holds the members' own ChatRef objects: comparing identities is then enough, and
        some 20 times cheaper than hashing each ChatRef (a dataclass: its hash runs Python
        code). Any other list, or slice, is looked up."""
        aligned = len(refs) == len(self._members)
        for at in range(0, len(refs), _SLICE):
            part = refs[at : at + _SLICE]
            identical = aligned and self._same_objects(part, at)
            if not identical and not all(map(self._by_ref.__contains__, part)):
                return False
            await asyncio.sleep(0)
        return True

    def _same_objects(self, refs: Sequence[ChatRef], at: int) -> bool:
        """Whether `refs` are the very ChatRef objects of the members from `at` on (an
        object that is a member's ref is a member, whatever moved in between)."""
        members = self._members[at : at + len(refs)]
        return len(members) == len(refs) and all(map(is_, refs, map(_REF, map(_CHAT, members))))

    def holds_now(self, refs: Sequence[ChatRef]) -> bool:
        """Whether every one of `refs` is a member, without yielding (for a few hundred)."""
        return all(map(self._by_ref.__contains__, refs))

    def subscription(self, ref: ChatRef) -> Subscription | None:
        member = self._by_ref.get(ref)
        return None if member is None else member[1]

    def snapshot(self) -> list[Member]:
        """The members in chat order; a copy, so callers may keep or change it."""
        return list(self._members)

    def update(self, changed: Mapping[ChatRef, Member | None]) -> None:
        """Put each changed chat's member in its place, or drop it (None: no longer in the
        audience: inactive, unsubscribed, moved away or deleted)."""
        for ref, member in changed.items():
            at = bisect_left(self._members, ref, key=_ref)
            present = at < len(self._members) and self._members[at][0].ref == ref
            if member is None:
                self._by_ref.pop(ref, None)
                if present:
                    del self._members[at]
                continue
            self._by_ref[ref] = member
            if present:
                self._members[at] = member
            else:
                self._members.insert(at, member)
