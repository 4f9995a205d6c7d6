"""Who may take a step of the guided edit, and which edit an update belongs to.

The edit flow (`edit_flow`) asks this gate before every step: is the sender one of the bot's
admins, is there a live edit of theirs in this chat (not idle past `IDLE_LIMIT` by the injected
clock), was the button pressed on the latest message of that edit. Updates that fail are
answered here, in the words every front-end uses, and the step ends (`Stop`). It also answers
the presses and files no conversation took: from before a restart, another admin's, a fan's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Chat as TgChat
from telegram import Update, User
from telegram.ext import ConversationHandler

from bot.core.audience import ChatRef
from bot.core.clock import Clock
from bot.core.i18n import N_, _
from bot.core.reply import Reply, ReplyStatus, problem
from bot.editing import Actor
from bot.frontends.telegram import edit_steps as steps
from bot.frontends.telegram.edit_steps import Draft

PLATFORM = "telegram"
END = ConversationHandler.END
Send = Callable[[TgChat, Reply], Awaitable[None]]
HOW_TO_IMPORT = N_(
    "To import a results file, send it with the caption /import SESSION "
    "(e.g. /import tcr-germany-2022/oschersleben/race-1), or choose Enter results in /edit."
)


class Stop(Exception):
    """Leave the step now, in `state` (None: stay where the conversation is)."""

    def __init__(self, state: object) -> None:
        super().__init__(state)
        self.state = state


class EditGate:
    def __init__(self, clock: Clock, admins: frozenset[str], send: Send) -> None:
        self._clock = clock
        self._admins = admins
        self.send = send
        self._drafts: dict[tuple[int, int], Draft] = {}  # (chat id, user id) -> the edit

    # -- who ---------------------------------------------------------------------------------

    def is_admin(self, user: User | None) -> bool:
        return user is not None and str(user.id) in self._admins

    def actor(self, update: Update) -> Actor:
        _chat, user = who(update)
        return Actor(PLATFORM, str(user.id), display_name(user), self.is_admin(user))

    # -- which edit --------------------------------------------------------------------------

    def start(self, update: Update) -> Draft:
        """A new edit for the sender in this chat (replacing one they had)."""
        chat, user = who(update)
        now = self._clock.now()
        for key in [k for k, d in self._drafts.items() if d.idle(now)]:
            del self._drafts[key]  # nobody finished them: bounded memory
        ref = ChatRef(PLATFORM, str(chat.id))
        draft = Draft(user.id, ref, now, in_group=chat.type != TgChat.PRIVATE)
        self._drafts[(chat.id, user.id)] = draft
        return draft

    def drop(self, update: Update) -> None:
        key = _key(update)
        if key is not None:
            self._drafts.pop(key, None)

    async def pressed(self, update: Update) -> tuple[Draft, str]:
        """The draft and choice of a press on the latest message of the sender's live edit;
        any other press is answered (expired, an earlier step) and the step ends."""
        query = update.callback_query
        assert query is not None
        parsed = steps.read_button(query.data or "")
        draft = self._live(update)
        if draft is None or parsed is None:
            await query.answer(_(steps.EXPIRED), show_alert=True)
            raise Stop(END)
        if parsed[0] != draft.token:
            await query.answer(_(steps.EARLIER_STEP))
            raise Stop(None)
        await query.answer()
        draft.touched = self._clock.now()
        return draft, parsed[1]

    async def current(self, update: Update) -> Draft:
        """The live edit a typed answer or a file belongs to (expired: said so, and it ends)."""
        draft = self._live(update)
        if draft is None:
            await self.say(update, _(steps.EXPIRED))
            raise Stop(END)
        draft.touched = self._clock.now()
        return draft

    def _live(self, update: Update) -> Draft | None:
        key = _key(update)
        if key is None:
            return None
        draft = self._drafts.get(key)
        if draft is not None and draft.idle(self._clock.now()):
            del self._drafts[key]
            return None
        return draft

    # -- what no conversation took -----------------------------------------------------------

    async def press_outside(self, update: Update) -> object:
        """An edit button with no conversation behind it for this sender and chat: from
        before a restart, expired, another admin's, or pressed by someone who is no admin."""
        query = update.callback_query
        assert query is not None
        if not self.is_admin(update.effective_user):
            await query.answer(steps.refused(), show_alert=True)
            return END
        parsed = steps.read_button(query.data or "")
        owners = {d.owner for d in self._drafts.values() if parsed and d.token == parsed[0]}
        user = update.effective_user
        theirs = bool(owners) and user is not None and user.id not in owners
        await query.answer(_(steps.NOT_YOURS if theirs else steps.EXPIRED))
        return END

    async def file_outside(self, update: Update) -> object:
        """A file sent to the bot outside an edit: refused to fans in a private chat; for an
        admin, how to import it. In a group a file is for the members, not for the bot."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or chat.type != TgChat.PRIVATE:
            return END
        said = _(HOW_TO_IMPORT) if self.is_admin(user) else steps.refused()
        await self.send(chat, problem(ReplyStatus.INVALID, said))
        return END

    # -- answering ---------------------------------------------------------------------------

    async def reply(self, update: Update, reply: Reply) -> None:
        chat = update.effective_chat
        assert chat is not None
        await self.send(chat, reply)

    async def say(self, update: Update, text: str) -> None:
        """A short answer: an alert for a press, a message otherwise."""
        query = update.callback_query
        if query is not None:
            await query.answer(text, show_alert=True)
        elif update.effective_chat is not None:
            await self.send(update.effective_chat, problem(ReplyStatus.INVALID, text))


def display_name(user: User) -> str:
    """How the audit log names a Telegram user beside their id: @username, else their name."""
    return f"@{user.username}" if user.username else user.full_name


def who(update: Update) -> tuple[TgChat, User]:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None  # PTB's per_chat/per_user keys need both
    return chat, user


def _key(update: Update) -> tuple[int, int] | None:
    chat, user = update.effective_chat, update.effective_user
    return (chat.id, user.id) if chat is not None and user is not None else None
