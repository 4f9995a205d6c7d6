"""/healthz: whether the bot is alive and keeping up (200) or not (503), as JSON."""

from __future__ import annotations

from aiohttp import web

from bot.web.context import WebContext


def routes(context: WebContext) -> list[web.RouteDef]:
    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    return [web.get("/healthz", healthz)]
