"""FakeDiscord's REST side: it serves ``/api/v10`` (and hands ``/gateway`` to the gateway) on
127.0.0.1, checks every request against the spec, applies faults and rate limits, routes what
passes to its handler, and checks the answer against the response schema."""

from __future__ import annotations

import contextlib
import json
from types import TracebackType
from typing import Any, Self

import discord.gateway
import discord.http
import yarl
from aiohttp import web

from tests.fakes.discord_faults import DiscordFaults
from tests.fakes.discord_forms import CDN_PREFIX
from tests.fakes.discord_interactions import DiscordInteractions
from tests.fakes.discord_model import (
    NO_CONTENT,
    ApiError,
    Ctx,
    Handler,
    RecordedRequest,
    Upload,
    Violation,
)
from tests.fakes.discord_spec import (
    DiscordSpec,
    Operation,
    Problem,
    command_problems,
    error_tree,
    is_empty_message,
    message_problems,
    parse_query_value,
)
from tests.fakes.discord_uploads import upload_problems

_MESSAGE_CREATES = {
    "POST /channels/{channel_id}/messages",
    "POST /webhooks/{webhook_id}/{webhook_token}",
}
_MESSAGE_EDITS = {
    "PATCH /channels/{channel_id}/messages/{message_id}",
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original",
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
}


class DiscordRest(DiscordFaults, DiscordInteractions):
    """Lifecycle and request pipeline; FakeDiscord.__init__ sets the attributes declared here."""

    spec: DiscordSpec
    allow_violations: bool
    redirect_discord_py: bool
    self_check_failures: list[str]
    unhandled: list[RecordedRequest]
    _runner: web.AppRunner | None
    _saved_urls: tuple[str, yarl.URL] | None
    _routes: dict[str, Handler]

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/resume", self.gateway.handle)
        app.router.add_get(f"{CDN_PREFIX}/{{attachment_id}}/{{filename}}", self.serve_attachment)
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        if self.redirect_discord_py:
            route, ws = discord.http.Route, discord.gateway.DiscordWebSocket
            self._saved_urls = (route.BASE, ws.DEFAULT_GATEWAY)
            route.BASE = self.api_base
            ws.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

    async def stop(self) -> None:
        if self._saved_urls is not None:
            discord.http.Route.BASE = self._saved_urls[0]
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved_urls[1]
            self._saved_urls = None
        for task in list(self._tasks):
            with contextlib.suppress(Exception):
                await task
        await self.gateway.close_all()
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
        lines = [f"  fake answered wrongly: {p}" for p in self.self_check_failures]
        if not self.allow_violations:
            lines += [f"  {v}" for v in self.violations]
        if lines and exc is not None:
            exc.add_note("FakeDiscord also saw:\n" + "\n".join(lines))
        elif lines:
            raise AssertionError("FakeDiscord saw contract violations:\n" + "\n".join(lines))

    # --- the HTTP pipeline -----------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        record = RecordedRequest(request.method, request.path, query=dict(request.query))
        self.requests.append(record)
        headers: dict[str, str] = {}
        try:
            result = await self._process(request, record, headers)
            record.status = 204 if result is NO_CONTENT else 200
            if isinstance(result, tuple):
                record.status, result = result
        except ApiError as err:
            record.status, record.code = err.status, err.code
            headers.update(err.headers)
            result = err.body
        finally:
            self.stats.statuses[record.status] += 1
            self.notify()
        if record.status == 429:
            self.stats.too_many_requests += 1
        if record.answer_lost and request.transport is not None:
            request.transport.abort()  # the work is done; the bot never hears the answer
            return web.Response(status=500)
        if record.status == 502:
            html = "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>"
            return web.Response(status=502, text=html, content_type="text/html", headers=headers)
        if result is NO_CONTENT:
            return web.Response(status=204, headers=headers)
        # Exactly "application/json": discord.py compares the header with == (no charset).
        headers["Content-Type"] = "application/json"
        return web.Response(status=record.status, body=json.dumps(result).encode(), headers=headers)

    async def _process(
        self, request: web.Request, record: RecordedRequest, headers: dict[str, str]
    ) -> Any:
        prefix = "/api/v10"
        if not request.path.startswith(prefix + "/"):
            raise self._violation(record, 404, 0, "404: Not Found", f"not under {prefix}")
        record.path = request.path[len(prefix) :]
        match = self.spec.match(request.method, record.path)
        if match is None:
            raise self._violation(record, 404, 0, "404: Not Found", "no such route in the spec")
        record.params = match.params
        if match.operation is None:
            why = f"{request.method} not allowed; the route has {list(match.methods)}"
            raise self._violation(record, 405, 0, "405: Method Not Allowed", why)
        op = match.operation
        record.route = op.route
        self.stats.calls[op.route] += 1
        self._check_auth(request, record, op)
        body = await self._read_body(request, record)
        problems = self._check_params(op, record) + self._check_body(op, record, body)
        if problems:
            raise self._invalid(record, problems)
        self._inject_faults(record)
        self._enforce_global_limit(record)
        bucket_headers = self._enforce_bucket(op, record)
        headers.update(bucket_headers)
        handler = self._routes.get(op.route)
        if handler is None:
            self.unhandled.append(record)
            return self._empty_answer(op)
        result = await handler(Ctx(record, op, body))
        status, payload = result if isinstance(result, tuple) else (200, result)
        if payload is not NO_CONTENT:
            self._self_check(op, status, payload)
        return result

    def _invalid(self, record: RecordedRequest, problems: list[Problem]) -> ApiError:
        unique = list(dict.fromkeys(problems))
        self.violations.append(
            Violation(record.route or record.path, [str(p) for p in unique], record.body)
        )
        if unique and unique[0].code == "EMPTY_MESSAGE":
            return ApiError(400, 50006, "Cannot send an empty message")
        return ApiError(400, 50035, "Invalid Form Body", errors=error_tree(unique))

    def _check_auth(self, request: web.Request, record: RecordedRequest, op: Operation) -> None:
        bot_ok, anonymous_ok = op.auth
        header = request.headers.get("Authorization")
        if header is None and anonymous_ok:
            return
        if header != f"Bot {self.token}" or not bot_ok:
            shown = (header or "")[:12] + "..." if header else "no Authorization header"
            why = f"Authorization must be 'Bot <token>' with the bot's token; got {shown}"
            raise self._violation(record, 401, 0, "401: Unauthorized", why)

    async def _read_body(self, request: web.Request, record: RecordedRequest) -> Any:
        if not request.can_read_body:
            return None
        if request.content_type == "multipart/form-data":
            payload: Any = {}
            reader = await request.multipart()
            async for part in reader:
                name = getattr(part, "name", None) or ""
                if name == "payload_json":
                    payload = await self._parse_json(record, await part.text())  # type: ignore[union-attr]
                    continue
                filename = getattr(part, "filename", None) or name
                record.files.append(filename)
                data = bytes(await part.read())  # type: ignore[union-attr]
                kind = part.headers.get("Content-Type", "application/octet-stream")
                record.uploads.append(Upload(name, filename, kind, data))
            record.body = payload
            problems = upload_problems(record.uploads, payload)
            if problems:
                self.violations.append(Violation(record.path, problems, payload))
                raise ApiError(400, 50035, "Invalid Form Body")
            return payload
        text = await request.text()
        if not text:
            return None
        if request.content_type != "application/json":
            why = f"body sent as {request.content_type}, not application/json"
            raise self._violation(record, 400, 50035, "Invalid Form Body", why)
        record.body = await self._parse_json(record, text)
        return record.body

    async def _parse_json(self, record: RecordedRequest, text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError:
            raise self._violation(
                record, 400, 50109, "The request body contains invalid JSON.", "invalid JSON"
            ) from None

    def _check_params(self, op: Operation, record: RecordedRequest) -> list[Problem]:
        problems: list[Problem] = []
        for name, value in record.params.items():
            if name in op.path_params:
                problems += self.spec.validate(op.path_params[name], value, (name,))
        for name, schema in op.query_params.items():
            raw = record.query.get(name)
            if raw is not None and not parse_query_value(schema, raw):
                problems.append(Problem((name,), "BASE_TYPE_BAD_TYPE", f"Bad value {raw!r}."))
        return problems

    def _check_body(self, op: Operation, record: RecordedRequest, body: Any) -> list[Problem]:
        schema = op.body_schema
        if schema is None:
            return [Problem((), "UNEXPECTED_BODY", "This route takes no body.")] if body else []
        if body is None:
            if op.body_required and not record.files:
                return [Problem((), "BASE_TYPE_REQUIRED", "A body is required.")]
            return []
        return self.spec.validate(schema, body) + self._extra_body_problems(op, record, body)

    def _empty_answer(self, op: Operation) -> Any:
        schema = op.response_schema(200)
        if schema is None:
            return NO_CONTENT
        resolved, _ = self.spec.resolve(schema)
        kind = resolved.get("type")
        return [] if kind == "array" or (isinstance(kind, list) and "array" in kind) else {}

    def _self_check(self, op: Operation, status: int, payload: Any) -> None:
        schema = op.response_schema(status)
        if schema is None:
            return
        for problem in self.spec.validate(schema, payload, closed=False):
            self.self_check_failures.append(f"{op.route}: {problem}")

    def _extra_body_problems(
        self, op: Operation, record: RecordedRequest, body: Any
    ) -> list[Problem]:
        """The limits the spec leaves out, for the routes that carry messages or commands."""
        route = op.route
        if route in _MESSAGE_CREATES and isinstance(body, dict):
            if is_empty_message(body, bool(record.files)):
                return [Problem((), "EMPTY_MESSAGE", "Cannot send an empty message.")]
            return message_problems(body)
        if route in _MESSAGE_EDITS and isinstance(body, dict):
            return message_problems(body)
        if route.endswith("/callback") and isinstance(body, dict):
            raw = body.get("data")
            data: dict[str, Any] = raw if isinstance(raw, dict) else {}
            if body.get("type") == 4 and is_empty_message(data, bool(record.files)):
                return [Problem(("data",), "EMPTY_MESSAGE", "Cannot send an empty message.")]
            if body.get("type") in (4, 7):
                return message_problems(data, ("data",))
        if route.startswith(("PUT", "POST", "PATCH")) and "/commands" in route:
            return command_problems(body if isinstance(body, list) else [body])
        return []
