"""Telegram's webhook mode, secured: a secret token, a path nobody can guess, forgeries refused.

Anyone who can reach the port could otherwise POST an update carrying an admin's user id and
run /announce. So:

- Telegram sends the `secret_token` given to setWebhook in every request's
  `X-Telegram-Bot-Api-Secret-Token` header; a request without the right one is answered 403
  and logged (its address, never the header's value);
- the secret comes from the environment (TELEGRAM_WEBHOOK_SECRET) or is generated once and
  kept in the store, so every process of a deployment and every restart use the same one;
- the URL's last path segment is derived from the secret: not guessable, stable across
  restarts, and unlike the bot token (PTB's suggestion) harmless in a proxy's access log.

The server is aiohttp's (installed with discord.py) rather than PTB's, which needs tornado and
logs a refused request only at DEBUG. Accepted updates go into the Application's update queue,
exactly where PTB's own webhook server puts them.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.store.protocol import Store

log = logging.getLogger("pitboard.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_KEY = "telegram.webhook_secret"  # where a generated secret is kept in the store
# The Bot API's rule for secret_token: 1-256 characters, A-Z, a-z, 0-9, _ and -.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
MAX_UPDATE_BYTES = 1024 * 1024


async def webhook_secret(given: str | None, store: Store) -> str:
    """The secret from the environment, else the one kept in the store (made on first use)."""
    if given:
        if not SECRET_PATTERN.fullmatch(given):  # checked by the config too; never echo it
            raise ValueError("the webhook secret must be 1-256 characters of A-Z a-z 0-9 _ -")
        return given
    kept = await store.get_value(SECRET_KEY)
    if kept:
        return kept
    return await store.keep_value(SECRET_KEY, secrets.token_urlsafe(32))


def secret_path(secret: str) -> str:
    """The URL path segment for this secret: knowing it tells nothing about the secret."""
    return hashlib.sha256(b"pitboard webhook path\0" + secret.encode()).hexdigest()[:32]


def public_url(base_url: str, secret: str) -> str:
    """What setWebhook is told: the configured URL with the secret path segment added."""
    return f"{base_url.rstrip('/')}/{secret_path(secret)}"


def local_paths(base_url: str, secret: str) -> list[str]:
    """Where the server answers: the public URL's path, and the bare segment too, for a
    reverse proxy that strips its own prefix before passing the request on."""
    segment = secret_path(secret)
    prefix = urlsplit(base_url).path.strip("/")
    paths = [f"/{prefix}/{segment}"] if prefix else []
    return [*paths, f"/{segment}"]


class WebhookServer:
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        *,
        listen: str,
        port: int,
        paths: list[str],
        secret: str,
        relay: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    ) -> None:
        self._application = application
        # Webhook workers (bot.frontends.telegram.relay): an accepted update goes to the store,
        # for the worker of its chat, instead of straight into this Application.
        self._relay = relay
        self._listen = listen
        self._port = port
        self._paths = paths
        self._secret = secret.encode()
        self._runner: web.AppRunner | None = None
        self.refused = 0

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        for path in self._paths:
            app.router.add_post(path, self._receive)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._listen, self._port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("telegram webhook listening on %s:%d", self._listen, self._port)

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self.refused += 1
            why = "a wrong" if given else "no"  # i18n: not user text (a log line)
            log.warning(
                "telegram webhook: refused a request from %s with %s secret token (403)",
                request.remote,
                why,
            )
            return web.Response(status=403)
        try:
            data = await request.json()
            if self._relay is not None:
                return await self._hand_over(data)
            update = Update.de_json(data, self._application.bot)
        except Exception as error:
            log.warning("telegram webhook: an update that cannot be read: %s", type(error).__name__)
            return web.Response(status=400)
        if update is not None:
            await self._application.update_queue.put(update)
        return web.Response(status=200)

    async def _hand_over(self, data: Any) -> web.Response:
        assert self._relay is not None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            log.warning("telegram webhook: an update without an update_id")
            return web.Response(status=400)
        try:
            await self._relay(data)
        except Exception as error:  # not kept: Telegram pushes it again later
            log.warning("telegram webhook: could not keep an update: %s", type(error).__name__)
            return web.Response(status=503)
        return web.Response(status=200)
