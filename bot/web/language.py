"""Which language an HTTP request is answered in: `?lang=sv` when given (a link to share),
else the best of the browser's Accept-Language that Pitboard speaks, else English."""

from __future__ import annotations

from aiohttp import web

from bot.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, language_from_tag

__all__ = ["request_language"]


def request_language(request: web.Request) -> str:
    asked = request.query.get("lang")
    if asked:
        return language_from_tag(asked)
    return accepted_language(request.headers.get("Accept-Language", ""))


def accepted_language(header: str) -> str:
    """'de-CH, de;q=0.9, en;q=0.5' -> 'de'. Tags with q=0 are refused, not chosen."""
    best, best_weight = DEFAULT_LANGUAGE, 0.0
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        base = tag.strip().split("-", 1)[0].casefold()
        # Earlier tags win ties: a browser lists its preferences in order.
        score = weight - position * 1e-6
        if base in LANGUAGES and weight > 0 and score > best_weight:
            best, best_weight = base, score
    return best
