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
keys), so in a group another member's press is answered, never taken as a step. Those checks
live in `edit_gate`; the steps' texts and keyboards in `edit_steps`.

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

from telegram import Message, Update
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

from bot.chats.edits import outcome_reply
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock
from bot.core.edits.operations import ResultsMode
from bot.core.i18n import N_, ChatLocale, _, use_language
from bot.core.model import Session
from bot.core.reply import Reply, ReplyStatus, problem
from bot.editing import Editor
from bot.editing.editor import Edits
from bot.frontends.telegram import edit_forms as forms
from bot.frontends.telegram import edit_steps as steps
from bot.frontends.telegram.edit_gate import END, EditGate, Send, Stop
from bot.frontends.telegram.edit_input import (
    ReadResults,
    read_import_caption,
    read_typed_results,
    read_upload,
)
from bot.frontends.telegram.edit_steps import Action, Draft

log = logging.getLogger("pitboard.telegram")

# Before the fans' handlers (group 0): the flow sees its updates first and stops them there.
EDIT_GROUP = -1
Step = Callable[[Update], Awaitable[object]]
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, object]]
IMPORT_CAPTION = r"^/import(@\w+)?(\s|$)"
USE_THE_BUTTONS = N_("Please choose with the buttons above, or send /cancel.")
NO_FILE_HERE = N_("A file is only read for results: choose Enter results first.")
FAILED = N_("Sorry, the edit failed. It has been logged; check /audit before trying again.")
# The language and clock of the chat an update came from (its stored settings).
LocaleOf = Callable[[Update], Awaitable[ChatLocale]]


async def _english(update: Update) -> ChatLocale:
    return ChatLocale()


class State(IntEnum):
    SERIES = 1
    EVENT = 2
    SESSION = 3
    ACTION = 4
    INPUT = 5
    CONFIRM = 6


class EditFlow:
    def __init__(
        self,
        editor: Editor,
        catalogs: CatalogHolder,
        clock: Clock,
        admins: frozenset[str],
        send: Send,
        locale_of: LocaleOf = _english,
    ) -> None:
        self._locale_of = locale_of
        self._editor = editor
        self._catalogs = catalogs
        self._gate = EditGate(clock, admins, send)

    def handlers(self) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, object]]:
        """For `EDIT_GROUP`, in this order: the conversation, then what it leaves over (a
        press on a keyboard with no conversation behind it, a file outside one)."""
        return [
            self._conversation(),
            CallbackQueryHandler(
                self._step(self._gate.press_outside), pattern=steps.BUTTON.pattern
            ),
            MessageHandler(filters.Document.ALL, self._step(self._gate.file_outside)),
        ]

    def _conversation(self) -> ConversationHandler[ContextTypes.DEFAULT_TYPE]:
        def press(step: Step) -> CallbackQueryHandler[Any, Any]:
            return CallbackQueryHandler(self._step(step), pattern=steps.BUTTON.pattern)

        typed = filters.TEXT & ~filters.COMMAND
        import_file = filters.Document.ALL & filters.CaptionRegex(IMPORT_CAPTION)
        with warnings.catch_warnings():
            # PTB warns that with per_message=False a CallbackQueryHandler is tracked per
            # chat and user, not per message: that is the design (one edit per admin and
            # chat; presses on older messages are told apart by their token).
            # i18n: not user text (PTB's warning, matched)
            warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
            return ConversationHandler(
                entry_points=[
                    CommandHandler("edit", self._step(self._start), has_args=False),
                    MessageHandler(import_file, self._step(self._import_file)),
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

    def _step(self, step: Step) -> Callback:
        """A PTB callback for `step`: refuses non-admins first, and always stops the update
        here (ApplicationHandlerStop carries the next state), so the router never sees it."""

        async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
            # Every message and answer of the step in the chat's language and clock.
            locale = await self._locale_of(update)
            with use_language(locale.language, locale.clock_24h):
                try:
                    state = await self._guarded(step, update)
                except Stop as stop:
                    state = stop.state
                except Exception:
                    log.exception("telegram edit flow failed")
                    self._gate.drop(update)
                    await self._gate.say(update, _(FAILED))
                    state = END
            raise ApplicationHandlerStop(state)

        return callback

    async def _guarded(self, step: Step, update: Update) -> object:
        outside = (self._gate.press_outside, self._gate.file_outside)
        if step not in outside and not self._gate.is_admin(update.effective_user):
            await self._gate.say(update, steps.refused())
            return END
        return await step(update)

    # -- the steps ---------------------------------------------------------------------------

    async def _start(self, update: Update) -> object:
        draft = self._gate.start(update)
        await self._gate.reply(update, steps.series_menu(draft, self._catalogs.current))
        return State.SERIES

    async def _chose_series(self, update: Update) -> object:
        draft, choice = await self._pressed(update)
        series = self._catalogs.current.series.get(draft.chosen(choice) or "")
        if series is None:
            raise Stop(None)
        draft.series_id = series.id
        await self._gate.reply(update, steps.event_menu(draft, self._catalogs.current, series))
        return State.EVENT

    async def _chose_event(self, update: Update) -> object:
        draft, choice = await self._pressed(update)
        if choice == Action.ADD_EVENT:
            return await self._ask(update, draft, Action.ADD_EVENT)
        event = self._catalogs.current.events.get(draft.chosen(choice) or "")
        if event is None:
            raise Stop(None)
        draft.event_id = event.id
        await self._gate.reply(update, steps.session_menu(draft, event))
        return State.SESSION

    async def _chose_session(self, update: Update) -> object:
        draft, choice = await self._pressed(update)
        if choice in (Action.ADD_SESSION, Action.STANDINGS):
            return await self._ask(update, draft, Action(choice))
        catalog = self._catalogs.current
        session = catalog.sessions.get(draft.chosen(choice) or "")
        if session is None:
            raise Stop(None)
        draft.session_id = session.id
        reply = steps.action_menu(draft, session, catalog.event_of(session))
        await self._gate.reply(update, reply)
        return State.ACTION

    async def _chose_action(self, update: Update) -> object:
        draft, choice = await self._pressed(update)
        session = self._session(draft)
        try:
            action = Action(choice)
        except ValueError:
            raise Stop(None) from None
        if action in steps.TYPED:
            return await self._ask(update, draft, action)
        draft.action = action
        if action is Action.TBA:
            return await self._preview(update, draft, steps.to_tba(session))
        return await self._preview(update, draft, steps.cancellation(session, action))

    async def _typed(self, update: Update) -> object:
        draft = await self._gate.current(update)
        message = update.effective_message
        assert message is not None and message.text is not None
        edit = self._read_typed(draft, message.text)
        if isinstance(edit, str | tuple):
            problems = (edit,) if isinstance(edit, str) else edit
            await self._gate.reply(update, steps.problems_reply(draft, problems, retry=True))
            return None
        draft.source_file = None
        return await self._preview(update, draft, edit)

    async def _uploaded(self, update: Update) -> object:
        draft = await self._gate.current(update)
        message = update.effective_message
        assert message is not None
        if draft.action not in steps.ROWS:
            await self._gate.reply(
                update, steps.problems_reply(draft, (_(NO_FILE_HERE),), retry=True)
            )
            return None
        read = await read_upload(message, self._session(draft), self._catalogs.current)
        if isinstance(read, tuple):
            await self._gate.reply(update, steps.problems_reply(draft, read, retry=True))
            return None
        draft.source_file = _file_name(message)
        return await self._preview(update, draft, read)

    async def _import_file(self, update: Update) -> object:
        """A document captioned "/import SESSION": its preview at once."""
        message = update.effective_message
        assert message is not None
        catalog = self._catalogs.current
        found = read_import_caption(message.caption or "", catalog)
        if isinstance(found, Reply):
            await self._gate.reply(update, found)
            return END
        draft = self._gate.start(update)
        session = catalog.sessions[found]
        draft.series_id, draft.event_id = session.series_id, session.event_id
        draft.session_id, draft.action = session.id, Action.RESULTS
        read = await read_upload(message, session, catalog)
        if isinstance(read, tuple):
            self._gate.drop(update)
            await self._gate.reply(update, steps.problems_reply(draft, read, retry=False))
            return END
        draft.source_file = _file_name(message)
        return await self._preview(update, draft, read)

    async def _input_press(self, update: Update) -> object:
        await self._pressed(update)  # the only button here is Cancel, handled there
        raise Stop(None)

    async def _confirm(self, update: Update) -> object:
        draft, choice = await self._pressed(update)
        if choice == steps.AGAIN:
            return await self._again(update, draft)
        if choice != steps.CONFIRM or draft.edit is None:
            raise Stop(None)
        actor = self._gate.actor(update)
        outcome = await self._editor.apply(draft.edit, actor, source_file=draft.source_file)
        self._gate.drop(update)
        # As the text commands answer it: done with the audit id to undo it, or refused.
        await self._gate.reply(update, outcome_reply(outcome))
        return END

    async def _cancel(self, update: Update) -> object:
        self._gate.drop(update)
        await self._gate.reply(update, problem(ReplyStatus.OK, _(steps.CANCELLED)))
        return END

    # -- out of step -------------------------------------------------------------------------

    async def _press_out_of_step(self, update: Update) -> object:
        """A press the current step has no use for (its token is checked first)."""
        await self._pressed(update)
        raise Stop(None)

    async def _typed_out_of_step(self, update: Update) -> object:
        await self._gate.current(update)  # an expired edit ends here
        await self._gate.reply(update, problem(ReplyStatus.INVALID, _(USE_THE_BUTTONS)))
        return None

    # -- helpers -----------------------------------------------------------------------------

    async def _pressed(self, update: Update) -> tuple[Draft, str]:
        """A valid press's draft and choice; the Cancel button ends the edit here."""
        draft, choice = await self._gate.pressed(update)
        if choice == steps.STOP:
            raise Stop(await self._cancel(update))
        return draft, choice

    async def _preview(self, update: Update, draft: Draft, given: Edits | ReadResults) -> object:
        """The Editor's preview with Confirm / Edit again / Cancel; its problems otherwise."""
        edit: Edits
        matched: tuple[str, ...] = ()
        if isinstance(given, ReadResults):
            edit = given.edits[0] if len(given.edits) == 1 else list(given.edits)
            matched = given.matched
        else:
            edit = given
        actor = self._gate.actor(update)
        preview = await self._editor.preview(edit, actor, source_file=draft.source_file)
        if not preview.ok:
            typed = draft.action in steps.TYPED
            reply = steps.problems_reply(draft, preview.problems, retry=typed)
            await self._gate.reply(update, reply)
            # A typed answer may be sent again; a button's action: the menu again.
            return State.INPUT if typed else await self._again(update, draft)
        draft.edit = edit
        await self._gate.reply(update, steps.preview_reply(draft, preview, matched))
        return State.CONFIRM

    async def _again(self, update: Update, draft: Draft) -> object:
        draft.edit = None
        if draft.action in steps.TYPED:
            return await self._ask(update, draft, draft.action)
        session = self._session(draft)
        catalog = self._catalogs.current
        reply = steps.action_menu(draft, session, catalog.event_of(session))
        await self._gate.reply(update, reply)
        return State.ACTION

    async def _ask(self, update: Update, draft: Draft, action: Action) -> object:
        """Ask for what `action` needs typed (or a file, for results)."""
        draft.action = action
        await self._gate.reply(update, steps.prompt(draft, action, self._catalogs.current))
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
        mode: ResultsMode = "merge" if draft.action is Action.CORRECT else "replace"
        return read_typed_results(text, self._session(draft), catalog, mode)

    def _session(self, draft: Draft) -> Session:
        session = self._catalogs.current.sessions.get(draft.session_id or "")
        if session is None:  # renamed or removed by a reload since the menu was shown
            raise Stop(END)
        return session


def _file_name(message: Message) -> str | None:
    return message.document.file_name if message.document is not None else None
