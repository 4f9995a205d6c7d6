"""The admins' guided edit on Telegram: python-telegram-bot's ConversationHandler with inline
keyboards, on top of the one Editor every front-end uses.

/edit (no arguments) → the series → the event → the session → the action → what to type (a
time, rows, a CSV, or a file) → a preview with Confirm / Edit again / Cancel → applied, with
the audit id to undo it. A document sent with the caption "/import SESSION" goes straight to
its preview. /cancel leaves at any step.

How it sits beside the fans' handlers: its handlers run in a group before theirs
(`EDIT_GROUP`) and every one of them ends with ApplicationHandlerStop, so an update the flow
took (its /edit, a press of its buttons, a typed answer, a file) never also reaches the
command router; everything else falls through to the fans' handlers unchanged, including
"/edit time …" with arguments (the router's text command).

Who may edit: only the bot's admins (telegram.admins). Anyone else gets REFUSED for /edit, for
a press of an edit button (a forged one too) and for a file, and nothing is read or changed.
A conversation belongs to the admin who started it in that chat (PTB's per_user and per_chat
keys), so in a group another member's press is answered, never taken as a step.

Time: a conversation left alone for `IDLE_LIMIT` by the injected clock has expired; its next
press or answer is told so. (PTB's conversation_timeout would need PTB's JobQueue, which the
bot deliberately does not run: APScheduler is the announcer's, driven by the injected clock.)
After a restart PTB remembers no conversation: a press on an old keyboard gets EXPIRED.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from enum import IntEnum
from typing import Any

from telegram import Chat as TgChat
from telegram import Message, Update, User
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.core.audience import ChatRef
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock
from bot.core.model import Session
from bot.core.reply import Reply, ReplyStatus, problem
from bot.frontends.telegram import edit_forms as forms
from bot.frontends.telegram import edit_steps as steps
from bot.frontends.telegram.edit_input import (
    ReadResults,
    read_import_caption,
    read_typed_results,
    read_upload,
)
from bot.frontends.telegram.edit_standin import Actor, Editor, Edits, ResultsMode
from bot.frontends.telegram.edit_steps import Action, Draft

log = logging.getLogger("pitboard.telegram")

# Before the fans' handlers (group 0): the flow sees its updates first and stops them there.
EDIT_GROUP = -1
Send = Callable[[TgChat, Reply], Awaitable[None]]
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, object]]
END = ConversationHandler.END
PLATFORM = "telegram"


class State(IntEnum):
    SERIES = 1
    EVENT = 2
    SESSION = 3
    ACTION = 4
    INPUT = 5
    CONFIRM = 6


class _Stop(Exception):
    """Leave the step now, in `state` (None: stay where the conversation is)."""

    def __init__(self, state: object) -> None:
        super().__init__(state)
        self.state = state


class EditFlow:
    def __init__(
        self,
        editor: Editor,
        catalogs: CatalogHolder,
        clock: Clock,
        admins: frozenset[str],
        send: Send,
    ) -> None:
        self._editor = editor
        self._catalogs = catalogs
        self._clock = clock
        self._admins = admins
        self._send = send
        self._drafts: dict[tuple[int, int], Draft] = {}  # (chat id, user id) -> the edit

    def handlers(self) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, object]]:
        """For `EDIT_GROUP`, in this order: the conversation, then what it leaves over (a
        press on a keyboard with no conversation behind it, a file outside one)."""
        return [
            self._conversation(),
            CallbackQueryHandler(self._step(self._press_outside), pattern=steps.BUTTON.pattern),
            MessageHandler(filters.Document.ALL, self._step(self._file_outside)),
        ]

    def _conversation(self) -> ConversationHandler[ContextTypes.DEFAULT_TYPE]:
        def press(method: Callable[[Update], Awaitable[object]]) -> CallbackQueryHandler[Any, Any]:
            return CallbackQueryHandler(self._step(method), pattern=steps.BUTTON.pattern)

        typed = filters.TEXT & ~filters.COMMAND
        import_caption = filters.Document.ALL & filters.CaptionRegex(r"^/import(@\w+)?(\s|$)")
        with warnings.catch_warnings():
            # PTB warns that with per_message=False a CallbackQueryHandler is tracked per
            # chat and user, not per message: that is the design (one edit per admin and
            # chat; presses on older messages are told apart by their token).
            warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
            return ConversationHandler(
                entry_points=[
                    CommandHandler("edit", self._step(self._start), has_args=False),
                    MessageHandler(import_caption, self._step(self._import_file)),
                ],
                states={
                    State.SERIES: [press(self._chose_series)],
                    State.EVENT: [press(self._chose_event)],
                    State.SESSION: [press(self._chose_session)],
                    State.ACTION: [press(self._chose_action)],
                    State.INPUT: [
                        MessageHandler(typed, self._step(self._typed)),
                        MessageHandler(filters.Document.ALL, self._step(self._uploaded)),
                        press(self._input_press),
                    ],
                    State.CONFIRM: [press(self._confirm)],
                },
                fallbacks=[
                    CommandHandler("cancel", self._step(self._cancel)),
                    press(self._press_out_of_step),
                    MessageHandler(typed, self._step(self._typed_out_of_step)),
                ],
                allow_reentry=True,
                name="edit",
            )

    # -- the steps ---------------------------------------------------------------------------

    async def _start(self, update: Update) -> object:
        chat, user = self._who(update)
        self._forget_idle()
        draft = Draft(owner=user.id, chat=_ref(chat), touched=self._clock.now())
        self._drafts[(chat.id, user.id)] = draft
        await self._send(chat, steps.series_menu(draft, self._catalogs.current))
        return State.SERIES

    async def _chose_series(self, update: Update) -> object:
        draft, choice = await self._pressed(update)
        series = self._catalogs.current.series.get(draft.chosen(choice) or "")
        if series is None:
            raise _Stop(None)
        draft.series_id = series.id
        await self._reply(update, steps.event_menu(draft, self._catalogs.current, series))
        return State.EVENT

    async def _chose_event(self, update: Update) -> object:
        draft, choice = await self._pressed(update)
        if choice == Action.ADD_EVENT:
            return await self._ask(update, draft, Action.ADD_EVENT)
        event = self._catalogs.current.events.get(draft.chosen(choice) or "")
        if event is None:
            raise _Stop(None)
        draft.event_id = event.id
        await self._reply(update, steps.session_menu(draft, event))
        return State.SESSION

    async def _chose_session(self, update: Update) -> object:
        draft, choice = await self._pressed(update)
        if choice in (Action.ADD_SESSION, Action.STANDINGS):
            return await self._ask(update, draft, Action(choice))
        catalog = self._catalogs.current
        session = catalog.sessions.get(draft.chosen(choice) or "")
        if session is None:
            raise _Stop(None)
        draft.session_id = session.id
        await self._reply(update, steps.action_menu(draft, session, catalog.event_of(session)))
        return State.ACTION

    async def _chose_action(self, update: Update) -> object:
        draft, choice = await self._pressed(update)
        session = self._session(draft)
        try:
            action = Action(choice)
        except ValueError:
            raise _Stop(None) from None
        if action in steps.TYPED:
            return await self._ask(update, draft, action)
        draft.action = action
        if action is Action.TBA:
            return await self._preview(update, draft, steps.to_tba(session))
        return await self._preview(update, draft, steps.cancellation(session, action))

    async def _typed(self, update: Update) -> object:
        draft = await self._current(update)
        message = update.effective_message
        assert message is not None and message.text is not None and draft.action is not None
        edit = self._read_typed(draft, message.text)
        if isinstance(edit, str | tuple):
            problems = (edit,) if isinstance(edit, str) else edit
            await self._reply(update, steps.problems_reply(draft, problems, retry=True))
            return None
        draft.source_file = None
        return await self._preview(update, draft, edit)

    async def _uploaded(self, update: Update) -> object:
        draft = await self._current(update)
        message = update.effective_message
        assert message is not None
        if draft.action not in steps.ROWS:
            await self._reply(update, steps.problems_reply(draft, _NO_FILE_HERE, retry=True))
            return None
        upload = await read_upload(message, self._session(draft), self._catalogs.current)
        if isinstance(upload, tuple):
            await self._reply(update, steps.problems_reply(draft, upload, retry=True))
            return None
        draft.source_file = _file_name(message)
        return await self._preview(update, draft, upload)

    async def _import_file(self, update: Update) -> object:
        """A document captioned "/import SESSION": its preview at once."""
        chat, user = self._who(update)
        message = update.effective_message
        assert message is not None
        catalog = self._catalogs.current
        found = read_import_caption(message.caption or "", catalog)
        if isinstance(found, Reply):
            await self._send(chat, found)
            raise _Stop(END)
        self._forget_idle()
        draft = Draft(owner=user.id, chat=_ref(chat), touched=self._clock.now())
        session = catalog.sessions[found]
        draft.series_id, draft.event_id = session.series_id, session.event_id
        draft.session_id, draft.action = session.id, Action.RESULTS
        self._drafts[(chat.id, user.id)] = draft
        upload = await read_upload(message, session, catalog)
        if isinstance(upload, tuple):
            await self._send(chat, steps.problems_reply(draft, upload, retry=False))
            self._drafts.pop((chat.id, user.id), None)
            return END
        draft.source_file = _file_name(message)
        return await self._preview(update, draft, upload)

    async def _input_press(self, update: Update) -> object:
        await self._pressed(update)  # the only button here is Cancel
        return await self._cancel(update)

    async def _confirm(self, update: Update) -> object:
        draft, choice = await self._pressed(update)
        if choice == steps.AGAIN:
            return await self._again(update, draft)
        if choice != steps.CONFIRM or draft.edit is None:
            raise _Stop(None)
        outcome = await self._editor.apply(
            draft.edit, self._actor(update), source_file=draft.source_file
        )
        if not outcome.ok:
            await self._reply(update, steps.problems_reply(draft, outcome.problems, retry=False))
        else:
            await self._reply(update, steps.applied_reply(outcome))
        self._drop(update)
        return END

    async def _cancel(self, update: Update) -> object:
        chat, _ = self._who(update)
        self._drop(update)
        await self._send(chat, problem(ReplyStatus.OK, steps.CANCELLED))
        return END

    # -- out of step, out of the conversation ------------------------------------------------

    async def _press_out_of_step(self, update: Update) -> object:
        """A press the current step has no use for (its token is checked first)."""
        await self._pressed(update)
        raise _Stop(None)

    async def _typed_out_of_step(self, update: Update) -> object:
        await self._current(update)  # an expired edit ends here
        await self._reply(update, problem(ReplyStatus.INVALID, _USE_THE_BUTTONS))
        return None

    async def _press_outside(self, update: Update) -> object:
        """An edit button with no conversation behind it for this admin and chat: from before
        a restart, expired, another admin's, or pressed by someone who is not an admin."""
        query = update.callback_query
        assert query is not None
        user = update.effective_user
        if user is None or not self._is_admin(user):
            await query.answer(steps.REFUSED, show_alert=True)
            return END
        parsed = steps.read_button(query.data or "")
        owner = next(
            (d.owner for d in self._drafts.values() if parsed and d.token == parsed[0]), None
        )
        await query.answer(steps.NOT_YOURS if owner not in (None, user.id) else steps.EXPIRED)
        return END

    async def _file_outside(self, update: Update) -> object:
        """A file sent to the bot outside an edit: refused to fans in a private chat; for an
        admin, how to import it. In a group a file is for the members, not for the bot."""
        chat, user = self._who(update)
        if chat.type != TgChat.PRIVATE:
            return END
        if not self._is_admin(user):
            await self._send(chat, problem(ReplyStatus.INVALID, steps.REFUSED))
            return END
        await self._send(chat, problem(ReplyStatus.INVALID, _HOW_TO_IMPORT))
        return END

    # -- helpers -----------------------------------------------------------------------------

    def _step(self, method: Callable[[Update], Awaitable[object]]) -> Callback:
        """A PTB callback for `method`: refuses non-admins first, and always stops the update
        here (ApplicationHandlerStop carries the next state), so the router never sees it."""

        async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
            try:
                state = await self._guarded(method, update)
            except _Stop as stop:
                state = stop.state
            except Exception:
                log.exception("telegram edit flow failed")
                self._drop(update)
                await self._say(
                    update,
                    "Sorry, the edit failed. It has been logged: nothing "
                    "changed unless a later /audit says so.",
                )
                state = END
            raise ApplicationHandlerStop(state)

        return callback

    async def _guarded(
        self, method: Callable[[Update], Awaitable[object]], update: Update
    ) -> object:
        user = update.effective_user
        if method not in (self._press_outside, self._file_outside) and (
            user is None or not self._is_admin(user)
        ):
            await self._say(update, steps.REFUSED)
            return END
        return await method(update)

    async def _pressed(self, update: Update) -> tuple[Draft, str]:
        """The draft and choice of a valid press on the latest message; otherwise the press
        is answered (expired, an earlier step) and the step ends (`_Stop`)."""
        query = update.callback_query
        assert query is not None
        parsed = steps.read_button(query.data or "")
        draft = self._live_draft(update)
        if draft is None or parsed is None:
            await query.answer(steps.EXPIRED, show_alert=True)
            raise _Stop(END)
        if parsed[0] != draft.token:
            await query.answer(steps.EARLIER_STEP)
            raise _Stop(None)
        await query.answer()
        if parsed[1] == steps.STOP:
            raise _Stop(await self._cancel(update))
        draft.touched = self._clock.now()
        return draft, parsed[1]

    async def _current(self, update: Update) -> Draft:
        """The draft a typed answer or a file belongs to (expired: said so, and it ends)."""
        draft = self._live_draft(update)
        if draft is None:
            await self._say(update, steps.EXPIRED)
            raise _Stop(END)
        draft.touched = self._clock.now()
        return draft

    def _live_draft(self, update: Update) -> Draft | None:
        key = _key(update)
        draft = self._drafts.get(key) if key else None
        if draft is not None and draft.idle(self._clock.now()):
            del self._drafts[key]  # type: ignore[arg-type]
            return None
        return draft

    async def _preview(self, update: Update, draft: Draft, given: Edits | ReadResults) -> object:
        """The Editor's preview with Confirm / Edit again / Cancel; its problems otherwise."""
        edit: Edits
        matched: tuple[str, ...] = ()
        if isinstance(given, ReadResults):
            edit = given.edits[0] if len(given.edits) == 1 else list(given.edits)
            matched = given.matched
        else:
            edit = given
        preview = await self._editor.preview(edit, self._actor(update))
        if not preview.ok:
            await self._reply(update, steps.problems_reply(draft, preview.problems, retry=True))
            return State.INPUT if draft.action in steps.TYPED else State.ACTION
        draft.edit = edit
        await self._reply(update, steps.preview_reply(draft, preview, matched))
        return State.CONFIRM

    async def _again(self, update: Update, draft: Draft) -> object:
        draft.edit = None
        if draft.action in steps.TYPED:
            return await self._ask(update, draft, draft.action)
        session = self._session(draft)
        catalog = self._catalogs.current
        await self._reply(update, steps.action_menu(draft, session, catalog.event_of(session)))
        return State.ACTION

    async def _ask(self, update: Update, draft: Draft, action: Action) -> object:
        """Ask for what `action` needs typed (or a file, for results)."""
        draft.action = action
        await self._reply(update, steps.prompt(draft, action, self._catalogs.current))
        return State.INPUT

    def _read_typed(self, draft: Draft, text: str) -> Edits | ReadResults | str | tuple[str, ...]:
        """The edit a typed answer means for the draft's action, or what is wrong with it."""
        catalog = self._catalogs.current
        match draft.action:
            case Action.ADD_EVENT:
                return forms.read_new_event(text, catalog.series[draft.series_id or ""], catalog)
            case Action.ADD_SESSION:
                return forms.read_new_session(text, catalog.events[draft.event_id or ""])
            case Action.STANDINGS:
                series = catalog.series[draft.series_id or ""]
                event = catalog.events[draft.event_id or ""]
                return forms.read_standings(text, series, event, catalog)
            case Action.TIME:
                return steps.read_new_time(text, self._session(draft))
            case Action.POSTPONE:
                return steps.read_postponement(text, self._session(draft))
        return self._results(draft, text)

    def _results(self, draft: Draft, text: str) -> ReadResults | tuple[str, ...]:
        mode: ResultsMode = "merge" if draft.action is Action.CORRECT else "replace"
        return read_typed_results(text, self._session(draft), self._catalogs.current, mode)

    def _session(self, draft: Draft) -> Session:
        session = self._catalogs.current.sessions.get(draft.session_id or "")
        if session is None:  # renamed or removed by a reload since the menu was shown
            raise _Stop(END)
        return session

    async def _reply(self, update: Update, reply: Reply) -> None:
        chat = update.effective_chat
        assert chat is not None
        await self._send(chat, reply)

    async def _say(self, update: Update, text: str) -> None:
        query = update.callback_query
        if query is not None:
            await query.answer(text, show_alert=True)
        elif update.effective_chat is not None:
            await self._send(update.effective_chat, problem(ReplyStatus.INVALID, text))

    def _who(self, update: Update) -> tuple[TgChat, User]:
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None and user is not None  # PTB's per_chat/per_user keys need both
        return chat, user

    def _actor(self, update: Update) -> Actor:
        _, user = self._who(update)
        name = f"@{user.username}" if user.username else user.full_name
        return Actor(PLATFORM, str(user.id), name, self._is_admin(user))

    def _is_admin(self, user: User) -> bool:
        return str(user.id) in self._admins

    def _drop(self, update: Update) -> None:
        key = _key(update)
        if key is not None:
            self._drafts.pop(key, None)

    def _forget_idle(self) -> None:
        """Drafts nobody finished: dropped when the next edit starts (bounded memory)."""
        now = self._clock.now()
        for key in [k for k, d in self._drafts.items() if d.idle(now)]:
            del self._drafts[key]


_USE_THE_BUTTONS = "Please choose with the buttons above, or send /cancel."
_NO_FILE_HERE = ("A file is only read for results: choose Enter results first.",)
_HOW_TO_IMPORT = (
    "To import a results file, send it with the caption /import SESSION "
    "(e.g. /import tcr-germany-2022/oschersleben/race-1), or choose Enter results in /edit."
)


def _key(update: Update) -> tuple[int, int] | None:
    chat, user = update.effective_chat, update.effective_user
    return (chat.id, user.id) if chat is not None and user is not None else None


def _ref(chat: TgChat) -> ChatRef:
    return ChatRef(PLATFORM, str(chat.id))


def _file_name(message: Message) -> str | None:
    return message.document.file_name if message.document is not None else None
