"""Prometheus metrics, one registry per runtime (tests and several runtimes never collide)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

if TYPE_CHECKING:
    from bot.web.context import WebContext


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)


def routes(context: WebContext) -> list[web.RouteDef]:
    async def metrics(request: web.Request) -> web.Response:
        body = generate_latest(context.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return [web.get("/metrics", metrics)]
