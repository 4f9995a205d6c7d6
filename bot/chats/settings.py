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
from bot.chats.settings_locale import clock_name, clock_reply, language_reply
from bot.chats.settings_text import mark, minutes_short, on_off, parse_minutes
from bot.core.audience import Chat, ChatKind, ChatRef, Subscription
from bot.core.clock import Clock
from bot.core.i18n import N_, _, format_time_of_day, language_from_tag, language_name
from bot.core.lookup import split_session_kinds
from bot.core.model import zone_info
from bot.core.reply import Choice, Reply, ReplyStatus, bold, line, paragraph, problem
from bot.core.service import Service
from bot.core.zones import find_zone
from bot.store.protocol import Store

COMMON_ZONES = (
    "Europe/Stockholm",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",  # i18n: not user text (a zone's name)
)
# (label, value): the label is translated where the menu is built.
REMINDER_PRESETS = (
    (N_("60 and 15 min"), "60 15"),
    (N_("30 min"), "30"),
    (N_("15 min"), "15"),
    (N_("Off"), "off"),
)
SETTING_NAMES = ("zone", "reminders", "spoilers", "chart", "language", "clock")


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

    async def chat(self, ref: ChatRef, kind: ChatKind, language: str | None = None) -> Chat:
        """The stored chat, created with the defaults on first contact, in `language` (the
        platform's tag for the asker's language, e.g. Telegram's "sv-SE") when it is one
        Pitboard speaks."""
        chat = await self._store.get_chat(ref)
        if chat is None:
            chat = Chat(
                ref,
                kind=kind,
                zone=self._default_zone,
                reminder_minutes=self._default_reminders,
                language=language_from_tag(language),
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
                    _("Only {kinds} from now on.").format(kinds=kinds_text(kinds_now))
                    if kinds_now
                    else _("Every session again.")
                )
                return following(catalog, current, chat, head)
            question = _("What would you like to follow here?")
            if kinds:
                question += " " + _("(only {kinds}: name a series or driver)").format(
                    kinds=kinds_text(current.session_kinds)
                )
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
        head = (_("You already follow {name}.") if already else _("Following {name}.")).format(
            name=name
        )
        if updated.session_kinds != stored.session_kinds:
            kinds_now = updated.session_kinds
            head += " " + (
                _("Only {kinds} from now on.").format(kinds=kinds_text(kinds_now))
                if kinds_now
                else _("Every session again.")
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
                blocks=(paragraph(_("This chat follows nothing yet. Try /subscribe.")),),
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
            choices.append(Choice(_("Everything"), "/unsubscribe all"))
            return problem(ReplyStatus.AMBIGUOUS, _("Stop following what?"), choices)
        if what.strip().casefold() in {"all", "everything"}:
            await self._store.remove_subscription(ref)
            done = _("Done: this chat follows nothing now.")
            return Reply(title=None, blocks=(paragraph(done),))
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
            head = _("This chat was not following {name}.").format(name=name)
            return following(catalog, current, chat, head)
        if updated.series or updated.drivers:
            await self._store.set_subscription(updated)
        else:
            await self._store.remove_subscription(ref)
        stopped = _("Stopped following {name}.").format(name=name)
        return following(catalog, updated, chat, stopped)

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
                return await language_reply(self._store, chat, value)
            case "clock":
                return await clock_reply(self._store, chat, value)
            case "chart" | "charts":
                return await self._chart(chat, value)
        choices = [Choice(name, f"/settings {name}") for name in SETTING_NAMES]
        return problem(
            ReplyStatus.INVALID,
            _(
                "No setting called “{setting}”: choose zone, reminders, spoilers, chart, "
                "language or clock."
            ).format(setting=setting),
            choices,
        )

    def _overview(self, chat: Chat) -> Reply:
        now = self._local_now(chat.zone)
        reminders = minutes_text(chat.reminder_minutes)
        language = language_name(chat.language)
        lines = [
            line(
                bold(_("Time zone: ")),
                _("{zone} (it is {time} there now)").format(
                    zone=chat.zone, time=format_time_of_day(now)
                ),
            ),
            line(bold(_("Reminders: ")), reminders),
            line(
                bold(_("Results: ")),
                _("hidden behind a spoiler") if chat.spoiler_safe else _("shown"),
            ),
            line(
                bold(_("Standings chart with results: ")),
                _("yes, after races") if chat.chart_with_results else _("no"),
            ),
            line(bold(_("Language: ")), language),
            line(bold(_("Clock: ")), clock_name(chat.clock_24h)),
        ]
        # Each button says the setting's current value and opens its own menu, where the
        # chosen option carries a check mark.
        choices = (
            Choice(_("Time zone: {zone}").format(zone=chat.zone), "/settings zone"),
            Choice(
                _("Reminders: {minutes}").format(minutes=minutes_short(chat.reminder_minutes)),
                "/settings reminders",
            ),
            Choice(
                _("Spoiler-safe results: {state}").format(state=on_off(chat.spoiler_safe)),
                "/settings spoilers",
            ),
            Choice(
                _("Chart with results: {state}").format(state=on_off(chat.chart_with_results)),
                "/settings chart",
            ),
            Choice(_("Language: {language}").format(language=language), "/settings language"),
            Choice(_("Clock: {clock}").format(clock=clock_name(chat.clock_24h)), "/settings clock"),
        )
        return Reply(
            title=_("Settings for this chat"), blocks=(paragraph(*lines),), choices=choices
        )

    async def _zone(self, chat: Chat, value: str | None) -> Reply:
        if not value:
            zones = COMMON_ZONES if chat.zone in COMMON_ZONES else (chat.zone, *COMMON_ZONES)
            choices = [
                Choice(mark(zone, zone == chat.zone), f"/settings zone {zone}") for zone in zones
            ]
            return problem(
                ReplyStatus.AMBIGUOUS,
                _(
                    "Which time zone? Send /settings zone followed by a city or an IANA name, "
                    "e.g. /settings zone new york — or pick one:"
                ),
                choices,
            )
        zone, suggestions = find_zone(value)
        if zone is None:
            hint = (
                " " + _("Did you mean {zones}?").format(zones=", ".join(suggestions))
                if suggestions
                else ""
            )
            return problem(
                ReplyStatus.NOT_FOUND,
                _("Unknown time zone “{zone}”.").format(zone=value) + hint,
                [Choice(s, f"/settings zone {s}") for s in suggestions],
            )
        await self._store.upsert_chat(replace(chat, zone=zone))
        now = self._local_now(zone)
        return Reply(
            title=None,
            blocks=(
                paragraph(
                    _("Time zone set to {zone}: it is {time} ({abbreviation}) there now.").format(
                        zone=zone, time=format_time_of_day(now), abbreviation=f"{now:%Z}"
                    )
                ),
            ),
        )

    async def _reminders(self, chat: Chat, value: str | None) -> Reply:
        if not value:
            chosen = " ".join(str(m) for m in chat.reminder_minutes) or "off"
            choices = [
                Choice(mark(_(label), spec == chosen), f"/settings reminders {spec}")
                for label, spec in REMINDER_PRESETS
            ]
            current = minutes_text(chat.reminder_minutes)
            return problem(
                ReplyStatus.AMBIGUOUS,
                _(
                    "Reminders now: {current}. How many minutes before a session? "
                    "E.g. /settings reminders 60 15, or off."
                ).format(current=current),
                choices,
            )
        minutes = parse_minutes(value)
        if isinstance(minutes, str):
            return problem(ReplyStatus.INVALID, minutes)
        await self._store.upsert_chat(replace(chat, reminder_minutes=minutes))
        if self._on_reminders_changed is not None and set(minutes) - set(chat.reminder_minutes):
            await self._on_reminders_changed()
        done = _("Reminders: {minutes}.").format(minutes=minutes_text(minutes))
        return Reply(title=None, blocks=(paragraph(done),))

    async def _spoilers(self, chat: Chat, value: str | None) -> Reply:
        return await self._switch(
            value,
            "spoilers",
            chat.spoiler_safe,
            lambda on: replace(chat, spoiler_safe=on),
            _("Hide results behind a spoiler in this chat?"),
            _("Results will be hidden behind a spoiler."),
            _("Results will be shown as they come."),
        )

    async def _chart(self, chat: Chat, value: str | None) -> Reply:
        return await self._switch(
            value,
            "chart",
            chat.chart_with_results,
            lambda on: replace(chat, chart_with_results=on),
            _("Add the standings chart to results posts after a race?"),
            _("Results posts after a race will carry the standings chart."),
            _("Results posts after a race will come without the chart."),
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
                _("{question} Now: {state}.").format(question=question, state=on_off(current)),
                [
                    Choice(mark(_("On"), current), f"/settings {setting} on"),
                    Choice(mark(_("Off"), not current), f"/settings {setting} off"),
                ],
            )
        await self._store.upsert_chat(switched(wanted == "on"))
        return Reply(title=None, blocks=(paragraph(when_on if wanted == "on" else when_off),))

    def _local_now(self, zone: str) -> datetime:
        return self._clock.now().astimezone(zone_info(zone))
