"""The steps of the admins' guided edit on Telegram, as plain values: what each step asks, which
buttons it offers, and what an admin's typed answer means. No python-telegram-bot here: the
conversation itself (`edit_flow`) sends these replies and reads the presses.

A button's callback data is `/edit~TOKEN~CHOICE`. It starts with "/" so the renderer sends it
as it is (a chat command of at most 64 bytes, see `render.command_callback`); the edit flow
takes every press with that prefix before the fans' handlers see it. TOKEN is new for every
message the flow sends, so a press on an older message, on another admin's edit, or on a
message from before a restart is recognised as such instead of being taken for the latest
step. CHOICE is short: an index into the ids the message offered, or an action's name.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.core.audience import ChatRef
from bot.core.catalog import Catalog
from bot.core.edits.operations import CancelSession, PostponeSession, SetSessionTime
from bot.core.i18n import DEFAULT_LANGUAGE, N_, _, current_language, format_day
from bot.core.model import Event, Series, Session
from bot.core.reply import Choice, Reply, ReplyStatus, paragraph
from bot.editing import EditPreview
from bot.editing.editor import Edits
from bot.frontends.telegram.edit_forms import (
    NEW_EVENT_HELP,
    NEW_SESSION_HELP,
    STANDINGS_HELP,
    help_lines,
)

PREFIX = "/edit~"
BUTTON = re.compile(r"/edit~([A-Za-z0-9_-]{1,16})~([a-z0-9:-]{1,24})")
# An edit nobody touched for this long (by the injected clock) is dropped: its buttons answer
# EXPIRED. PTB's conversation_timeout would need PTB's JobQueue, which the bot does not run.
IDLE_LIMIT = timedelta(minutes=30)

# editing.ADMINS_ONLY ("Sorry, /edit is only for Pitboard's admins.", as every front-end says),
# in the chat's language: the router's msgid for it.
REFUSED = N_("Sorry, /{command} is only for Pitboard's admins.")


def refused() -> str:
    """REFUSED in the current language; in English exactly editing.ADMINS_ONLY."""
    return _(REFUSED).format(command="edit")


EXPIRED = N_("That edit has expired — start again with /edit.")
NOT_YOURS = N_("Only the admin who started this edit can use its buttons.")
EARLIER_STEP = N_("That button is from an earlier step: use the latest message, or /cancel.")
CANCELLED = N_("Edit cancelled: nothing changed.")
SHOWN_PROBLEMS = 15


class Action(StrEnum):
    TIME = "time"
    TBA = "tba"
    CANCEL = "cancel"
    REINSTATE = "reinstate"
    POSTPONE = "postpone"
    RESULTS = "results"
    CORRECT = "correct"
    ADD_EVENT = "new-event"
    ADD_SESSION = "new-session"
    STANDINGS = "standings"


ACTION_LABELS = {
    Action.TIME: N_("Set/move time"),
    Action.TBA: N_("Make it TBA"),
    Action.CANCEL: N_("Cancel session"),
    Action.REINSTATE: N_("Reinstate"),
    Action.POSTPONE: N_("Postpone"),
    Action.RESULTS: N_("Enter results"),
    Action.CORRECT: N_("Correct a result"),
    Action.ADD_EVENT: N_("Add an event"),
    Action.ADD_SESSION: N_("Add a session"),
    Action.STANDINGS: N_("Enter standings"),
}
# Actions that need something typed (or a file) before there is an edit to preview.
TYPED = frozenset(
    {
        Action.TIME,
        Action.POSTPONE,
        Action.RESULTS,
        Action.CORRECT,
        Action.ADD_EVENT,
        Action.ADD_SESSION,
        Action.STANDINGS,
    }
)
ROWS = frozenset({Action.RESULTS, Action.CORRECT})

# Choices that are not an index.
CONFIRM, AGAIN, STOP = "ok", "again", "stop"


def new_token() -> str:
    return secrets.token_urlsafe(6)


def button(label: str, token: str, choice: str) -> Choice:
    return Choice(label, f"{PREFIX}{token}~{choice}")


def read_button(data: str) -> tuple[str, str] | None:
    """(token, choice) of an edit button's callback data; None for anything else."""
    found = BUTTON.fullmatch(data)
    return (found[1], found[2]) if found else None


@dataclass
class Draft:
    """One admin's edit in one chat, between their /edit and the confirmation."""

    owner: int  # Telegram user id
    chat: ChatRef
    touched: datetime  # the clock's now at the last step
    # In a group the bot reads only commands and replies to it (privacy mode): typed answers
    # must be replies, and the prompts say so.
    in_group: bool = False
    token: str = field(default_factory=new_token)  # of the latest message with buttons
    options: tuple[str, ...] = ()  # the ids behind that message's numbered buttons
    series_id: str | None = None
    event_id: str | None = None
    session_id: str | None = None
    action: Action | None = None
    edit: Edits | None = None  # previewed, waiting for Confirm
    source_file: str | None = None  # the uploaded file the edit came from

    def idle(self, now: datetime) -> bool:
        return now - self.touched > IDLE_LIMIT

    def offer(self, ids: tuple[str, ...] = ()) -> str:
        """A fresh token for the next message (older buttons stop counting)."""
        self.token, self.options = new_token(), ids
        return self.token

    def chosen(self, choice: str) -> str | None:
        """The id behind a numbered choice of the latest message."""
        if not choice.isdigit() or int(choice) >= len(self.options):
            return None
        return self.options[int(choice)]


# -- what each step asks ---------------------------------------------------------------------


def series_menu(draft: Draft, catalog: Catalog) -> Reply:
    series = sorted(catalog.series.values(), key=lambda s: (-s.season, s.name))
    token = draft.offer(tuple(s.id for s in series))
    choices = [button(_series_label(s), token, str(i)) for i, s in enumerate(series)]
    return _question(_("Edit the schedule: which series?"), [*choices, _cancel(token)])


def event_menu(draft: Draft, catalog: Catalog, series: Series) -> Reply:
    token = draft.offer(tuple(e.id for e in series.events))
    choices = [button(_event_label(e), token, str(i)) for i, e in enumerate(series.events)]
    choices.append(button(_(ACTION_LABELS[Action.ADD_EVENT]), token, Action.ADD_EVENT.value))
    question = _("Which event of {series}?").format(series=_series_label(series))
    return _question(question, [*choices, _cancel(token)])


def session_menu(draft: Draft, event: Event) -> Reply:
    token = draft.offer(tuple(s.id for s in event.sessions))
    choices = [button(session_label(s), token, str(i)) for i, s in enumerate(event.sessions)]
    choices += [
        button(_(ACTION_LABELS[action]), token, action.value)
        for action in (Action.ADD_SESSION, Action.STANDINGS)
    ]
    question = (
        _("Which session of {event}?").format(event=event.name)
        if event.sessions
        else _("{event} has no sessions yet.").format(event=event.name)
    )
    return _question(question, [*choices, _cancel(token)])


def action_menu(draft: Draft, session: Session, event: Event) -> Reply:
    token = draft.offer()
    actions = [Action.TIME, Action.TBA]
    actions.append(Action.REINSTATE if session.cancelled else Action.CANCEL)
    actions += [Action.POSTPONE, Action.RESULTS, Action.CORRECT]
    choices = [button(_(ACTION_LABELS[a]), token, a.value) for a in actions]
    question = _("{session}, {event}: {when}. What would you like to do?").format(
        session=session.name, event=event.name, when=when(session)
    )
    return _question(question, [*choices, _cancel(token)])


def prompt(draft: Draft, action: Action, catalog: Catalog) -> Reply:
    """What to type for an action that needs it."""
    token = draft.offer()
    lines: tuple[str, ...]
    if action is Action.ADD_EVENT:
        lines = help_lines(NEW_EVENT_HELP)
    elif action is Action.ADD_SESSION:
        lines = help_lines(NEW_SESSION_HELP)
    elif action is Action.STANDINGS:
        event = catalog.events[draft.event_id or ""]
        lines = (
            _("Standings after {event}.").format(event=event.name),
            *help_lines(STANDINGS_HELP),
        )
    else:
        lines = _session_prompt(action, catalog.sessions[draft.session_id or ""])
    if draft.in_group:
        lines = (*lines, _("(In a group, send it as a reply to this message.)"))
    return Reply(title=None, blocks=(paragraph(*lines),), choices=(_cancel(token),))


def _session_prompt(action: Action, session: Session) -> tuple[str, ...]:
    if action is Action.TIME:
        return (
            _("Send the new start of {session} ({when}):").format(
                session=session.name, when=when(session)
            ),
            _("{day} 14:30, or 14:30 (same day), or TBA.").format(day=session.day.isoformat()),
        )
    if action is Action.POSTPONE:
        return (
            _("Postpone {session}: its time becomes TBA.").format(session=session.name),
            _("Send the new day as 2022-05-01, or 'same' to keep the day."),
        )
    if action is Action.RESULTS:
        return (
            _("Send the results of {session}, one row a line: POS WHO [extras],").format(
                session=session.name
            ),
            _("e.g. '1 #7 laps=20 fl', '2 Jessica Bäckman gap=+1.234', 'DNS jessica - fuel pump',"),
            _("or a CSV with a header (pasted, or sent as a file)."),
        )
    return (
        _("Send the rows of {session} to correct or add, one a line: POS WHO [extras],").format(
            session=session.name
        ),
        _("e.g. '3 #21', 'DSQ #7 - technical infringement'; other rows stay as they are."),
    )


def preview_reply(draft: Draft, preview: EditPreview, matched: Sequence[str] = ()) -> Reply:
    """The preview: what the edit does, how an import's rows were matched, and the lines of
    the schedule files it changes."""
    token = draft.offer()
    lines = preview.lines or (_("(nothing in the files would change)"),)
    blocks = (paragraph(*matched), paragraph(*lines)) if matched else (paragraph(*lines),)
    return Reply(
        title=_("Preview: {summary}").format(summary=preview.summary),
        blocks=blocks,
        choices=(
            button(_("Confirm"), token, CONFIRM),
            button(_("Edit again"), token, AGAIN),
            _cancel(token),
        ),
    )


def problems_reply(draft: Draft, problems: Sequence[object], *, retry: bool) -> Reply:
    """Why an input or an edit was refused (each problem with its line and column where it
    has them); with `retry`, the admin may send it again in the same step."""
    token = draft.offer(draft.options)
    said = [str(p) for p in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        said.append(_("… and {count} more").format(count=len(problems) - SHOWN_PROBLEMS))
    tail = _("Fix it and send it again, or press Cancel.") if retry else _("Nothing changed.")
    return Reply(
        title=_("That cannot be applied"),
        blocks=(paragraph(*said), paragraph(tail)),
        choices=(_cancel(token),) if retry else (),
        status=ReplyStatus.INVALID,
    )


# -- what typed answers mean -----------------------------------------------------------------

_DAY_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}))?")
_TIME = re.compile(r"\d{1,2}:\d{2}")


def read_new_time(text: str, session: Session) -> SetSessionTime | str:
    """'2022-04-23 14:30', '14:30' (the session's day) or 'TBA' (on a day: '2022-04-24 TBA')."""
    value = " ".join(text.split())
    day_part, _space, rest = value.partition(" ")
    if value.casefold() == "tba":
        return SetSessionTime(session.id, None, None)
    if rest.casefold() == "tba" and (day := _day(day_part)) is not None:
        return SetSessionTime(session.id, day, None)
    if _TIME.fullmatch(value):
        moment = _time(value)
        return moment if isinstance(moment, str) else SetSessionTime(session.id, None, moment)
    found = _DAY_TIME.fullmatch(value)
    if found is None or found[2] is None:
        return _("'{text}' is not a time: send 2022-04-23 14:30, 14:30 or TBA.").format(
            text=text.strip()
        )
    day = _day(found[1])
    moment = _time(found[2])
    if day is None:
        return _("'{text}' is not a date (YYYY-MM-DD).").format(text=found[1])
    return moment if isinstance(moment, str) else SetSessionTime(session.id, day, moment)


def read_postponement(text: str, session: Session) -> PostponeSession | str:
    value = text.strip()
    if value.casefold() in ("same", "-", "none"):
        return PostponeSession(session.id, None)
    day = _day(value)
    if day is None:
        return _("'{text}' is not a date: send it as 2022-05-01, or 'same'.").format(text=value)
    return PostponeSession(session.id, day)


def to_tba(session: Session) -> SetSessionTime:
    """The session's time becomes TBA on the day it has."""
    return SetSessionTime(session.id, None, None)


def cancellation(session: Session, action: Action) -> CancelSession:
    return CancelSession(session.id, cancelled=action is Action.CANCEL)


# -- labels ----------------------------------------------------------------------------------


def when(session: Session) -> str:
    day = _day_label(session.day)
    at = session.local_time.strftime("%H:%M") if session.local_time else _("TBA")
    if session.cancelled:
        return _("{day} {time} (cancelled)").format(day=day, time=at)
    return f"{day} {at}"


def _day_label(day: date) -> str:
    """ "Fri 13 May 2022", "fre 13 maj 2022", "Fr., 13. Mai 2022"."""
    if current_language() == DEFAULT_LANGUAGE:
        return day.strftime("%a %-d %b %Y")  # the English labels as they always were
    return f"{format_day(day)} {day.year}"


def _short_day(day: date) -> str:
    """ "13 May" in English; the reader's weekday and date otherwise ("fre 13 maj")."""
    if current_language() == DEFAULT_LANGUAGE:
        return day.strftime("%-d %b")
    return format_day(day)


def session_label(session: Session) -> str:
    return f"{session.name} · {when(session)}"


def _series_label(series: Series) -> str:
    return f"{series.short_name or series.name} {series.season}"


def _event_label(event: Event) -> str:
    number = f"R{event.round} " if event.round is not None else ""
    dates = _(" (dates TBA)")
    if event.start_date is not None:
        dates = f" ({_short_day(event.start_date)})"
    return f"{number}{event.name}{dates}"


def _question(text: str, choices: list[Choice]) -> Reply:
    return Reply(title=None, blocks=(paragraph(text),), choices=tuple(choices))


def _cancel(token: str) -> Choice:
    return button(_("Cancel"), token, STOP)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _time(text: str) -> time | str:
    hours, _colon, minutes = text.partition(":")
    if int(hours) > 23 or int(minutes) > 59:
        return _("'{text}' is not a time of day (00:00 to 23:59).").format(text=text)
    return time(int(hours), int(minutes))
