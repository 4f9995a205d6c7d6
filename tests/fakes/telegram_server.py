"""FakeTelegram's HTTP side: it serves the Bot API on 127.0.0.1, checks every request against the
spec, applies faults and rate limits, and routes what passes to the method handlers."""

from __future__ import annotations

import re
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import web

from tests.fakes.telegram_faults import TelegramFaults, _rate_limited
from tests.fakes.telegram_files import FILE_ROUTE, TelegramFiles
from tests.fakes.telegram_methods import MethodHandler, TelegramMethods
from tests.fakes.telegram_model import (
    ApiError,
    Chat,
    RecordedRequest,
    Upload,
    Violation,
    _Reset,
    _type_for,
)
from tests.fakes.telegram_photos import TelegramPhotos

_PATH = re.compile(r"/bot([^/]*)/([^/]+)")


class TelegramServer(TelegramFaults, TelegramMethods, TelegramPhotos, TelegramFiles):
    """Lifecycle and request pipeline; FakeTelegram.__init__ sets the attributes declared here."""

    token: str
    port: int
    allow_violations: bool
    unknown_chats: Literal["create", "not_found"]
    violations: list[Violation]
    self_check_failures: list[str]
    _runner: web.AppRunner | None
    _methods: dict[str, MethodHandler]

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def url(self, method: str, token: str | None = None) -> str:
        return f"{self.base_url}{token or self.token}/{method}"

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        self._closing = True
        self._notify()
        await self._stop_pushing()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
        problems = self._problems()
        if problems and exc is not None:
            exc.add_note("FakeTelegram also saw:\n" + problems)
        elif problems:
            raise AssertionError("FakeTelegram saw contract violations:\n" + problems)

    def _problems(self) -> str:
        lines = [f"  fake answered wrongly: {p}" for p in self.self_check_failures]
        if not self.allow_violations:
            lines += [f"  {v}" for v in self.violations]
        return "\n".join(lines)

    def assert_no_violations(self) -> None:
        assert not self.violations, "Bot API contract violations:\n" + "\n".join(
            f"  {v}" for v in self.violations
        )

    # --- the HTTP side ----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path.startswith(FILE_ROUTE):
            record = RecordedRequest("file download", {})
            self.requests.append(record)
            response = self._serve_file(request, record)
            self.stats.statuses[record.status] += 1
            self._notify()
            return response
        match = _PATH.fullmatch(request.path)
        method_name = match.group(2) if match else request.path
        record = RecordedRequest(method_name, {})
        self.requests.append(record)
        self.stats.calls[method_name] += 1
        try:
            result = await self._dispatch(request, match, record)
            body: dict[str, Any] = {"ok": True, "result": result}
        except ApiError as err:
            record.status, record.description = err.status, err.description
            body = {"ok": False, "error_code": err.status, "description": err.description}
            if err.parameters:
                body["parameters"] = err.parameters
        except _Reset:
            record.status, record.description = 0, "connection reset"
            if request.transport is not None:
                request.transport.abort()
            raise web.HTTPInternalServerError() from None
        finally:
            self.stats.statuses[record.status] += 1
            self._notify()
        if record.status == 502:
            return web.Response(
                status=502, text="<html><h1>502 Bad Gateway</h1></html>", content_type="text/html"
            )
        return web.json_response(body, status=record.status)

    async def _dispatch(
        self, request: web.Request, match: re.Match[str] | None, record: RecordedRequest
    ) -> Any:
        if match is None:
            raise self._violation(record, 404, "Not Found", f"no Bot API route {request.path}")
        token, name = match.groups()
        if not re.fullmatch(r"\d+:[\w-]+", token):
            raise self._violation(record, 404, "Not Found", f"malformed token {token!r}")
        if token != self.token:
            raise self._violation(record, 401, "Unauthorized", f"wrong token {token!r}")
        method = self.spec.method(name)
        if method is None:
            raise self._violation(record, 404, "Not Found", f"no Bot API method {name!r}")
        record.method = method.name
        raw, form_keys, files = await _read_params(request, record.uploads)
        if raw is None:
            raise self._violation(record, 400, "Bad Request: invalid body", "body is not JSON")
        params, problems = self.spec.decode_request(method, raw, form_keys=form_keys, files=files)
        record.params = dict(raw) if problems else params
        if problems:
            raise self._violation(record, 400, "Bad Request: " + "; ".join(problems), *problems)
        chat = self._target_chat(method.name, params)
        lost_response = self._inject_faults(method.name, chat)
        if chat is not None:
            self._check_access(method.name, chat)
        if chat is not None and _rate_limited(method.name):
            self._enforce_limits(chat)
        canned = self._canned_answer(method.name)
        if canned is not None:
            return canned[0]  # malformed on purpose: not checked against the spec
        handler = self._methods.get(method.name)
        # The file parts of this request, for the handler (read before its first await).
        self._uploads = record.uploads
        result = await handler(params, chat) if handler else True
        if handler and method.returns:
            for problem in self.spec.check_types(method.returns, result, "result"):
                self.self_check_failures.append(f"{method.name}: {problem}")
        if lost_response:
            raise _Reset  # done, but the answer never reaches the bot
        return result

    def _violation(self, record: RecordedRequest, status: int, text: str, *why: str) -> ApiError:
        self.violations.append(Violation(record.method, list(why), dict(record.params), status))
        return ApiError(status, text)

    def _target_chat(self, method: str, params: dict[str, Any]) -> Chat | None:
        ref = params.get("chat_id")
        if ref is None:
            return None
        if isinstance(ref, int) and ref in self._migrated and method != "getUpdates":
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[ref]},
            )
        chat = self._find_chat(ref)
        if chat is None and isinstance(ref, int) and self.unknown_chats == "create":
            chat = self.add_chat(ref, _type_for(ref))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat


async def _read_params(
    request: web.Request, uploads: dict[str, Upload] | None = None
) -> tuple[dict[str, Any] | None, frozenset[str], frozenset[str]]:
    """(params, keys that came form-encoded, names of uploaded file parts); the file parts
    themselves go into `uploads`, so that tests can check what was uploaded."""
    raw: dict[str, Any] = dict(request.query)
    form_keys = set(raw)
    files: set[str] = set()
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            return None, frozenset(), frozenset()
        if not isinstance(body, dict):
            return None, frozenset(), frozenset()
        raw.update(body)
        form_keys -= set(body)
    elif request.can_read_body:
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files.add(key)
                if uploads is not None:
                    uploads[key] = Upload(value.filename, value.content_type, value.file.read())
                value = key
            raw[key] = value
            form_keys.add(key)
    return raw, frozenset(form_keys), frozenset(files)
