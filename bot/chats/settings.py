"""/subscribe, /unsubscribe and /settings: a chat's follows and preferences, kept in the store.

Every answer is a Reply with choices, so a front-end can offer buttons (Telegram inline
keyboards, Discord components) instead of asking the fan to type ids.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from bot.chats.follow_text import (
    following,
    kinds_text,
    kinds_words,
    label,
    minutes_text,
    offer,
)
from bot.core.audience import Chat, ChatKind, ChatRef, Subscription
from bot.core.clock import Clock
from bot.core.lookup import split_session_kinds
from bot.core.model import zone_info
from bot.core.reply import Choice, Reply, ReplyStatus, bold, line, paragraph, problem
from bot.core.service import Service
from bot.core.zones import find_zone
from bot.store.protocol import Store

MAX_REMINDERS = 5
MAX_REMINDER_MINUTES = 7 * 24 * 60
COMMON_ZONES = (
    "Europe/Stockholm",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)
REMINDER_PRESETS = (("60 and 15 min", "60 15"), ("30 min", "30"), ("15 min", "15"), ("Off", "off"))
LANGUAGES = {"en": "English"}


class ChatSettings:
    def __init__(
        self,
        store: Store,
        service: Service,
        clock: Clock,
        *,
        default_zone: str,
        default_reminders: tuple[int, ...],
        on_reminders_changed: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        # Reminders are planned for the offsets chats ask for: a new offset needs a new plan.
        self._on_reminders_changed = on_reminders_changed
        self._store = store
        self._service = service
        self._clock = clock
        self._default_zone = default_zone
        self._default_reminders = default_reminders

    async def chat(self, ref: ChatRef, kind: ChatKind) -> Chat:
        """The stored chat, created with the defaults on first contact."""
        chat = await self._store.get_chat(ref)
        if chat is None:
            chat = Chat(
                ref, kind=kind, zone=self._default_zone, reminder_minutes=self._default_reminders
            )
            await self._store.upsert_chat(chat)
        return chat

    async def stored(self, ref: ChatRef) -> Chat | None:
        """The chat's row as stored now (None: never seen)."""
        return await self._store.get_chat(ref)

    async def followed_drivers(self, ref: ChatRef) -> frozenset[str]:
        """The drivers this chat follows (highlighted in its charts)."""
        subscription = await self._store.get_subscription(ref)
        return subscription.drivers if subscription else frozenset()

    # -- /subscribe and /unsubscribe --------------------------------------------------------

    async def subscribe(self, ref: ChatRef, kind: ChatKind, what: str | None) -> Reply:
        chat = await self.chat(ref, kind)
        current = await self._store.get_subscription(ref) or Subscription(ref)
        catalog = self._service.catalog
        what, kinds = split_session_kinds(what or "")
        if kinds is not None:
            # "/subscribe tcr races": the chat's session filter, which applies to everything
            # it follows (the model keeps one per chat); kinds add up, "all sessions" clears.
            widened = current.session_kinds | kinds if kinds and current.session_kinds else kinds
            current = replace(current, session_kinds=widened)
        if not what:
            if kinds is not None and (current.series or current.drivers):
                await self._store.set_subscription(current)
                kinds_now = current.session_kinds
                head = (
                    f"Only {kinds_text(kinds_now)} from now on."
                    if kinds_now
                    else ("Every session again.")
                )
                return following(catalog, current, chat, head)
            question = "What would you like to follow here?"
            if kinds:
                question += f" (only {kinds_text(current.session_kinds)}: name a series or driver)"
            return offer(catalog, current, "subscribe", question, kinds_words(current))
        found = self._service.find_series_or_driver(what, "subscribe")
        if isinstance(found, Reply):
            return found
        kind_found, item = found
        stored = await self._store.get_subscription(ref) or Subscription(ref)
        if kind_found == "series":
            updated = replace(current, series=current.series | {item})
        else:
            updated = replace(current, drivers=current.drivers | {item})
        if not chat.active:
            # A chat that blocked the bot and came back: it wants posts again.
            await self._store.set_active(ref, True)
        await self._store.set_subscription(updated)
        name = label(catalog, kind_found, item)
        already = item in (stored.series if kind_found == "series" else stored.drivers)
        head = f"You already follow {name}." if already else f"Following {name}."
        if updated.session_kinds != stored.session_kinds:
            kinds_now = updated.session_kinds
            head += (
                f" Only {kinds_text(kinds_now)} from now on."
                if kinds_now
                else (" Every session again.")
            )
        reply = following(catalog, updated, chat, head)
        more = offer(catalog, updated, "subscribe", "")
        return replace(reply, choices=more.choices)

    async def unsubscribe(self, ref: ChatRef, kind: ChatKind, what: str | None) -> Reply:
        chat = await self.chat(ref, kind)
        current = await self._store.get_subscription(ref)
        catalog = self._service.catalog
        if current is None or not (current.series or current.drivers):
            return Reply(
                title=None,
                blocks=(paragraph("This chat follows nothing yet. Try /subscribe."),),
                status=ReplyStatus.EMPTY,
            )
        if not what:
            choices = [
                Choice(label(catalog, "series", s), f"/unsubscribe {s}")
                for s in sorted(current.series)
            ]
            choices += [
                Choice(label(catalog, "driver", d), f"/unsubscribe {d}")
                for d in sorted(current.drivers)
            ]
            choices.append(Choice("Everything", "/unsubscribe all"))
            return problem(ReplyStatus.AMBIGUOUS, "Stop following what?", choices)
        if what.strip().casefold() in {"all", "everything"}:
            await self._store.remove_subscription(ref)
            return Reply(title=None, blocks=(paragraph("Done: this chat follows nothing now."),))
        found = self._service.find_series_or_driver(what, "unsubscribe")
        if isinstance(found, Reply):
            return found
        kind_found, item = found
        updated = replace(
            current,
            series=current.series - {item} if kind_found == "series" else current.series,
            drivers=current.drivers - {item} if kind_found == "driver" else current.drivers,
        )
        name = label(catalog, kind_found, item)
        if updated == current:
            return following(catalog, current, chat, f"This chat was not following {name}.")
        if updated.series or updated.drivers:
            await self._store.set_subscription(updated)
        else:
            await self._store.remove_subscription(ref)
        return following(catalog, updated, chat, f"Stopped following {name}.")

    async def set_mention_role(self, ref: ChatRef, kind: ChatKind, role_id: str | None) -> None:
        """Discord: the role a channel's posts mention (None: mention nobody)."""
        chat = await self.chat(ref, kind)
        await self._store.upsert_chat(replace(chat, mention_role=role_id))

    # -- /settings ------------------------------------------------------------------------

    async def settings(
        self, ref: ChatRef, kind: ChatKind, setting: str | None, value: str | None
    ) -> Reply:
        chat = await self.chat(ref, kind)
        match setting:
            case None | "":
                return self._overview(chat)
            case "zone" | "timezone" | "tz" | "time":
                return await self._zone(chat, value)
            case "reminders" | "reminder":
                return await self._reminders(chat, value)
            case "spoilers" | "spoiler":
                return await self._spoilers(chat, value)
            case "language" | "lang":
                return await self._language(chat, value)
            case "chart" | "charts":
                return await self._chart(chat, value)
        choices = [
            Choice(name, f"/settings {name}")
            for name in ("zone", "reminders", "spoilers", "chart", "language")
        ]
        return problem(
            ReplyStatus.INVALID,
            f"No setting called “{setting}”: choose zone, reminders, spoilers, chart or language.",
            choices,
        )

    def _overview(self, chat: Chat) -> Reply:
        now = self._local_now(chat.zone)
        reminders = minutes_text(chat.reminder_minutes)
        lines = [
            line(bold("Time zone: "), f"{chat.zone} (it is {now:%H:%M} there now)"),
            line(bold("Reminders: "), reminders),
            line(bold("Results: "), "hidden behind a spoiler" if chat.spoiler_safe else "shown"),
            line(
                bold("Standings chart with results: "),
                "yes, after races" if chat.chart_with_results else "no",
            ),
            line(bold("Language: "), LANGUAGES.get(chat.language, chat.language)),
        ]
        # Each button says the setting's current value and opens its own menu, where the
        # chosen option carries a check mark.
        choices = (
            Choice(f"Time zone: {chat.zone}", "/settings zone"),
            Choice(f"Reminders: {_minutes_short(chat.reminder_minutes)}", "/settings reminders"),
            Choice(f"Spoiler-safe results: {_on_off(chat.spoiler_safe)}", "/settings spoilers"),
            Choice(f"Chart with results: {_on_off(chat.chart_with_results)}", "/settings chart"),
            Choice(
                f"Language: {LANGUAGES.get(chat.language, chat.language)}", "/settings language"
            ),
        )
        return Reply(title="Settings for this chat", blocks=(paragraph(*lines),), choices=choices)

    async def _zone(self, chat: Chat, value: str | None) -> Reply:
        if not value:
            zones = COMMON_ZONES if chat.zone in COMMON_ZONES else (chat.zone, *COMMON_ZONES)
            choices = [
                Choice(_mark(zone, zone == chat.zone), f"/settings zone {zone}") for zone in zones
            ]
            return problem(
                ReplyStatus.AMBIGUOUS,
                "Which time zone? Send /settings zone followed by a city or an IANA name, "
                "e.g. /settings zone new york — or pick one:",
                choices,
            )
        zone, suggestions = find_zone(value)
        if zone is None:
            hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
            return problem(
                ReplyStatus.NOT_FOUND,
                f"Unknown time zone “{value}”.{hint}",
                [Choice(s, f"/settings zone {s}") for s in suggestions],
            )
        await self._store.upsert_chat(replace(chat, zone=zone))
        now = self._local_now(zone)
        return Reply(
            title=None,
            blocks=(
                paragraph(f"Time zone set to {zone}: it is {now:%H:%M} ({now:%Z}) there now."),
            ),
        )

    async def _reminders(self, chat: Chat, value: str | None) -> Reply:
        if not value:
            chosen = " ".join(str(m) for m in chat.reminder_minutes) or "off"
            choices = [
                Choice(_mark(label, spec == chosen), f"/settings reminders {spec}")
                for label, spec in REMINDER_PRESETS
            ]
            current = minutes_text(chat.reminder_minutes)
            return problem(
                ReplyStatus.AMBIGUOUS,
                f"Reminders now: {current}. How many minutes before a session? "
                "E.g. /settings reminders 60 15, or off.",
                choices,
            )
        minutes = parse_minutes(value)
        if isinstance(minutes, str):
            return problem(ReplyStatus.INVALID, minutes)
        await self._store.upsert_chat(replace(chat, reminder_minutes=minutes))
        if self._on_reminders_changed is not None and set(minutes) - set(chat.reminder_minutes):
            await self._on_reminders_changed()
        return Reply(title=None, blocks=(paragraph(f"Reminders: {minutes_text(minutes)}."),))

    async def _spoilers(self, chat: Chat, value: str | None) -> Reply:
        return await self._switch(
            value,
            "spoilers",
            chat.spoiler_safe,
            lambda on: replace(chat, spoiler_safe=on),
            "Hide results behind a spoiler in this chat?",
            "Results will be hidden behind a spoiler.",
            "Results will be shown as they come.",
        )

    async def _chart(self, chat: Chat, value: str | None) -> Reply:
        return await self._switch(
            value,
            "chart",
            chat.chart_with_results,
            lambda on: replace(chat, chart_with_results=on),
            "Add the standings chart to results posts after a race?",
            "Results posts after a race will carry the standings chart.",
            "Results posts after a race will come without the chart.",
        )

    async def _switch(
        self,
        value: str | None,
        setting: str,
        current: bool,
        switched: Callable[[bool], Chat],
        question: str,
        when_on: str,
        when_off: str,
    ) -> Reply:
        """An on/off setting: `/settings SETTING on|off`, or the choice with the current state."""
        wanted = (value or "").strip().casefold()
        if wanted not in {"on", "off"}:
            return problem(
                ReplyStatus.AMBIGUOUS,
                f"{question} Now: {_on_off(current)}.",
                [
                    Choice(_mark("On", current), f"/settings {setting} on"),
                    Choice(_mark("Off", not current), f"/settings {setting} off"),
                ],
            )
        await self._store.upsert_chat(switched(wanted == "on"))
        return Reply(title=None, blocks=(paragraph(when_on if wanted == "on" else when_off),))

    async def _language(self, chat: Chat, value: str | None) -> Reply:
        wanted = (value or "").strip().casefold()
        if wanted in LANGUAGES:
            await self._store.upsert_chat(replace(chat, language=wanted))
            return Reply(title=None, blocks=(paragraph(f"Language: {LANGUAGES[wanted]}."),))
        choices = [
            Choice(_mark(name, code == chat.language), f"/settings language {code}")
            for code, name in LANGUAGES.items()
        ]
        asked = f"“{value}” is not available yet. " if wanted else ""
        return problem(ReplyStatus.AMBIGUOUS, f"{asked}Pitboard speaks English so far.", choices)

    def _local_now(self, zone: str) -> datetime:
        return self._clock.now().astimezone(zone_info(zone))


def parse_minutes(value: str) -> tuple[int, ...] | str:
    """'60 15' -> (60, 15); 'off' -> (); otherwise the reason it is not valid."""
    text = value.replace(",", " ").strip().casefold()
    if text in {"off", "none", "0"}:
        return ()
    parts = text.split()
    if not all(part.isdigit() for part in parts):
        return f"“{value}” is not a list of minutes: try /settings reminders 60 15, or off."
    minutes = sorted({int(part) for part in parts}, reverse=True)
    if len(minutes) > MAX_REMINDERS:
        return f"At most {MAX_REMINDERS} reminders per session, please."
    if any(m < 1 or m > MAX_REMINDER_MINUTES for m in minutes):
        return f"Reminders go from 1 minute to {MAX_REMINDER_MINUTES} minutes (a week) before."
    return tuple(minutes)


CHECK = "✓ "


def _mark(label: str, chosen: bool) -> str:
    """A menu option's label, with a check mark when it is the chat's current choice."""
    return CHECK + label if chosen else label


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def _minutes_short(minutes: tuple[int, ...]) -> str:
    """'60, 15 min' or 'off': short enough for a button."""
    return ", ".join(str(m) for m in minutes) + " min" if minutes else "off"
