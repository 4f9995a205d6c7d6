"""The web server: one aiohttp application on `web.host`:`web.port`, started by the runtime.

Each feature is a route module with `routes(context) -> list[web.RouteDef]`; add a new one to
`ROUTE_MODULES`. The runtime starts the server through `bot.frontend_startup` like a chat
front-end: a port already in use is logged, shown on /status ("Front-ends: Web server: cannot
start …") and retried with backoff, while the chats and the announcements run on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from aiohttp import web

from bot.web import calendar, health, metrics, page
from bot.web.context import WebContext

log = logging.getLogger("pitboard.web")

RouteModule = Callable[[WebContext], list[web.RouteDef]]

# The routes every server serves, one module per feature.
ROUTE_MODULES: list[RouteModule] = [
    health.routes,
    metrics.routes,
    page.routes,
    calendar.routes,
]

# The server's name on /status and in the log (bot.frontend_startup).
# i18n: not user text (the front-end's name: a key on the status and in the log, like Telegram)
NAME = "Web server"


def build_app(
    context: WebContext, modules: Sequence[RouteModule] = ROUTE_MODULES
) -> web.Application:
    app = web.Application()
    for routes in modules:
        app.add_routes(routes(context))
    return app


class WebServer:
    def __init__(self, context: WebContext, modules: Sequence[RouteModule] = ROUTE_MODULES) -> None:
        self.context = context
        self._modules = modules
        self._runner: web.AppRunner | None = None
        self.port: int | None = None  # the port bound (the configured one, unless that was 0)

    async def start(self) -> None:
        """Listen; raises OSError when the address cannot be bound (a port in use)."""
        if self._runner is not None:
            return
        config = self.context.config.web
        # access_log None: a request per poll of /metrics or a feed would drown the bot's log.
        runner = web.AppRunner(build_app(self.context, self._modules), access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, config.host, config.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = _bound_port(runner, config.port)
        self.context.base_url = config.base_url(self.port)
        log.info("web server listening on %s (links: %s)", _shown(config.host, self.port), self.url)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
            log.info("web server stopped")

    @property
    def url(self) -> str:
        """The base URL links point at (the public URL when one is configured)."""
        return self.context.base_url or self.context.config.web.base_url()

    @property
    def local_url(self) -> str:
        """Where this machine reaches the server (tests and the benchmark)."""
        host = self.context.config.web.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        return f"http://{_shown(host, self.port or self.context.config.web.port)}"

    @staticmethod
    def token_rejected(error: BaseException) -> bool:
        """A web server has no token: no failure is final (bot.frontend_startup's question)."""
        return False


def _bound_port(runner: web.AppRunner, configured: int) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return configured


def _shown(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
