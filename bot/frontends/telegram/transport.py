"""python-telegram-bot's requests over aiohttp instead of httpx, for the bot's sends.

PTB lets a bot bring its own networking backend (`telegram.request.BaseRequest`: one method
that posts a request and returns the status and body); everything else, from encoding the
parameters to turning Telegram's errors into `RetryAfter`, `Forbidden` and the rest, stays
PTB's. Profiled in a fan-out (bench/telegram.py), httpx with its anyio and httpcore layers cost
2 to 4 ms of CPU per message on a shared 2-core machine, aiohttp (already a dependency, through
discord.py) under 1 ms: on a single event loop that is the difference between reaching the
global limit and stalling at half of it. Long polling keeps PTB's own httpx request; it makes
one request every few seconds.
"""

from __future__ import annotations

from urllib.parse import urlencode

import aiohttp
from aiohttp.payload import BytesPayload
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

# PTB's HTTPXRequest defaults.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
MEDIA_WRITE_TIMEOUT = 20.0
FORM_URLENCODED = "application/x-www-form-urlencoded"
# Connections kept open to the Bot API: enough for every delivery worker and the replies.
CONNECTION_LIMIT = 64


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one aiohttp session, opened in `initialize()`."""

    def __init__(self, connection_limit: int = CONNECTION_LIMIT) -> None:
        self._connection_limit = connection_limit
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return READ_TIMEOUT

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connection_limit),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = bool(request_data and request_data.contains_files)
        write_default = MEDIA_WRITE_TIMEOUT if files else WRITE_TIMEOUT
        connect = _seconds(connect_timeout, CONNECT_TIMEOUT)
        read = _seconds(read_timeout, READ_TIMEOUT)
        write = _seconds(write_timeout, write_default)
        # aiohttp has no write timeout of its own: the whole request is bounded instead.
        parts = (connect, write, read)
        total = None if None in parts else sum(p for p in parts if p is not None)
        timeout = aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _seconds(given: float | object | None, default: float) -> float | None:
    if given is BaseRequest.DEFAULT_NONE or not isinstance(given, int | float | None):
        return default
    return None if given is None else float(given)


def _body(request_data: RequestData | None) -> aiohttp.FormData | BytesPayload | None:
    """Parameters form-encoded as PTB's httpx request sends them; multipart with files."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not request_data.contains_files:
        return _form_urlencoded(fields)
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form


def _form_urlencoded(fields: dict[str, str]) -> BytesPayload:
    """The bytes and content type aiohttp makes of a dict of fields, made directly: given the
    dict, aiohttp first fails a payload lookup, then builds a `FormData`, and that a multipart
    writer with a random boundary (`uuid4`) it never uses, on every send."""
    encoded = urlencode(list(fields.items()), doseq=True, encoding="utf-8").encode()
    return BytesPayload(encoded, content_type=FORM_URLENCODED)
