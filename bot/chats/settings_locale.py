"""/settings language and /settings clock: the language a chat's replies and posts are written
in, and whether its times show on a 24- or a 12-hour clock."""

from __future__ import annotations

from dataclasses import replace

from bot.chats.settings_text import mark
from bot.core.audience import Chat
from bot.core.i18n import LANGUAGES, _, language_name, use_language
from bot.core.reply import Choice, Reply, ReplyStatus, paragraph, problem
from bot.store.protocol import Store

__all__ = ["clock_name", "clock_reply", "language_reply"]

# What a fan may type for each language besides its code: its own name and its English one.
_LANGUAGE_WORDS = {
    "english": "en",
    "engelska": "en",
    "englisch": "en",
    "svenska": "sv",
    "swedish": "sv",
    "schwedisch": "sv",
    "deutsch": "de",
    "german": "de",
    "tyska": "de",
}


def clock_name(clock_24h: bool | None) -> str:
    if clock_24h is False:
        return _("12-hour")
    return _("24-hour")


async def language_reply(store: Store, chat: Chat, value: str | None) -> Reply:
    wanted = (value or "").strip().casefold()
    code = wanted if wanted in LANGUAGES else _LANGUAGE_WORDS.get(wanted)
    if code is not None:
        await store.upsert_chat(replace(chat, language=code))
        # Said in the language just chosen: the first words the chat reads in it.
        with use_language(code, chat.clock_24h):
            done = _("Language: {language}.").format(language=language_name(code))
            return Reply(title=None, blocks=(paragraph(done),))
    choices = [
        Choice(mark(name, code == chat.language), f"/settings language {code}")
        for code, name in LANGUAGES.items()
    ]
    question = _("Which language? Pitboard speaks English, Swedish and German.")
    if wanted:
        question = _("“{language}” is not one of them.").format(language=value) + " " + question
    return problem(ReplyStatus.AMBIGUOUS, question, choices)


async def clock_reply(store: Store, chat: Chat, value: str | None) -> Reply:
    wanted = (value or "").strip().casefold().removesuffix("h")
    if wanted in {"12", "24"}:
        clock_24h = wanted == "24"
        await store.upsert_chat(replace(chat, clock_24h=clock_24h))
        with use_language(chat.language, clock_24h):
            done = _("Times are now shown on a {clock} clock.").format(clock=clock_name(clock_24h))
            return Reply(title=None, blocks=(paragraph(done),))
    current = chat.clock_24h is not False
    choices = [
        Choice(mark(_("24-hour"), current), "/settings clock 24"),
        Choice(mark(_("12-hour"), not current), "/settings clock 12"),
    ]
    question = _("A 24-hour clock (16:20) or a 12-hour one (4:20 pm)?")
    return problem(ReplyStatus.AMBIGUOUS, question, choices)
