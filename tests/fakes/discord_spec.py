"""Discord's HTTP API contract, read from its published OpenAPI 3.1 spec, and a checker for it.

The fake Discord refuses what the real one refuses (and a little more, see below), so a front-end
that passes its tests does not meet its first "50035 Invalid Form Body" in production.

What is checked, for every request:

- the path against the spec's path templates (literal segments win over parameters, so
  ``/applications/@me`` is not ``/applications/{application_id}``) and the method against the
  operations of that path; path and declared query parameters against their schemas;
- the JSON body (or a multipart body's ``payload_json``) against the operation's requestBody
  schema: ``$ref``, ``type`` (arrays of types give nullability), ``enum``, ``properties``,
  ``required``, ``additionalProperties``, ``min/maxProperties``, ``items``, ``min/maxItems``,
  ``uniqueItems``, ``min/maxLength``, ``pattern``, ``minimum``/``maximum``, ``format`` (int32,
  int64, date-time, uri), ``allOf``/``anyOf``/``oneOf``;
- Discord's message limits, which the spec does not fully encode (:func:`message_problems`), and
  its rules for command definitions (:func:`command_problems`).

The schema checker is :mod:`tests.fakes.discord_schema` and the limits the spec leaves out are
:mod:`tests.fakes.discord_rules`; every name they took from here is re-exported here.

Where the real API is lenient and the documentation is not, the checker follows the
documentation, so that it catches bugs: an object with declared ``properties`` and no
``additionalProperties`` is *closed* (Discord silently drops an unknown field such as ``colour``,
which would ship a silently broken embed). A few fields Discord documents but this preview spec
omits are allowed by name (``SPEC_GAPS``). Where the documentation itself says Discord coerces,
the checker does too: a snowflake may be a JSON integer, and a 64-bit bitfield (an integer whose
maximum exceeds 2**53, such as ``default_member_permissions``) may be a decimal string.

A union (``oneOf``/``anyOf``) passes when at least one branch passes: the spec uses ``oneOf`` for
unions Discord parses leniently, not for JSON Schema's "exactly one".
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tests.fakes.discord_rules import _COMMAND_NAME as _COMMAND_NAME
from tests.fakes.discord_rules import _EMBED_CHILD_LIMITS as _EMBED_CHILD_LIMITS
from tests.fakes.discord_rules import _EMBED_LIMITS as _EMBED_LIMITS
from tests.fakes.discord_rules import COMMAND_CHARS_MAX as COMMAND_CHARS_MAX
from tests.fakes.discord_rules import EMBED_TOTAL_MAX as EMBED_TOTAL_MAX
from tests.fakes.discord_rules import EMBEDS_MAX as EMBEDS_MAX
from tests.fakes.discord_rules import EPHEMERAL as EPHEMERAL
from tests.fakes.discord_rules import FIELD_NAME_MAX as FIELD_NAME_MAX
from tests.fakes.discord_rules import FIELD_VALUE_MAX as FIELD_VALUE_MAX
from tests.fakes.discord_rules import FIELDS_MAX as FIELDS_MAX
from tests.fakes.discord_rules import MESSAGE_CONTENT_MAX as MESSAGE_CONTENT_MAX
from tests.fakes.discord_rules import _chat_input_problems as _chat_input_problems
from tests.fakes.discord_rules import _command_strings as _command_strings
from tests.fakes.discord_rules import _embed_problems as _embed_problems
from tests.fakes.discord_rules import _too_long as _too_long
from tests.fakes.discord_rules import command_problems as command_problems
from tests.fakes.discord_rules import is_empty_message as is_empty_message
from tests.fakes.discord_rules import message_problems as message_problems
from tests.fakes.discord_schema import _BITFIELD_MAX as _BITFIELD_MAX
from tests.fakes.discord_schema import _INT_RANGES as _INT_RANGES
from tests.fakes.discord_schema import _JSON_TYPES as _JSON_TYPES
from tests.fakes.discord_schema import _TYPE_CODES as _TYPE_CODES
from tests.fakes.discord_schema import SPEC_GAPS as SPEC_GAPS
from tests.fakes.discord_schema import Path_ as Path_
from tests.fakes.discord_schema import Problem as Problem
from tests.fakes.discord_schema import SchemaValidator
from tests.fakes.discord_schema import _check_number as _check_number
from tests.fakes.discord_schema import _check_string as _check_string
from tests.fakes.discord_schema import _type_code as _type_code
from tests.fakes.discord_schema import error_tree as error_tree

SPEC_ENV = "PITBOARD_DISCORD_SPEC"
# ../shared/specs beside the checkout, found as the Telegram fake finds its spec; SPEC_ENV names
# the file where the specs live elsewhere.
SPEC_PATH = Path(
    os.environ.get(SPEC_ENV)
    or Path(__file__).resolve().parents[3] / "shared" / "specs" / "discord-openapi.json"
)
_METHODS = ("get", "put", "post", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    template: str  # "/channels/{channel_id}/messages"
    operation_id: str
    raw: Mapping[str, Any] = field(repr=False)
    path_params: Mapping[str, Any] = field(repr=False)

    @property
    def route(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def body_schema(self) -> Any:
        content = self.raw.get("requestBody", {}).get("content", {})
        return content.get("application/json", {}).get("schema")

    @property
    def body_required(self) -> bool:
        return bool(self.raw.get("requestBody", {}).get("required"))

    @property
    def query_params(self) -> dict[str, Any]:
        return {
            p["name"]: p["schema"] for p in self.raw.get("parameters", []) if p["in"] == "query"
        }

    @property
    def auth(self) -> tuple[bool, bool]:
        """(a bot token is accepted, no authentication is accepted)."""
        security = self.raw.get("security", [{}])
        return any("BotToken" in s for s in security), any(not s for s in security)

    def response_schema(self, status: int = 200) -> Any:
        content = self.raw.get("responses", {}).get(str(status), {}).get("content", {})
        return content.get("application/json", {}).get("schema")


@dataclass(frozen=True)
class RouteMatch:
    template: str
    params: dict[str, str]
    operation: Operation | None  # None: the path exists, the method does not
    methods: tuple[str, ...]


class DiscordSpec(SchemaValidator):
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.schemas = doc["components"]["schemas"]
        self._templates: list[tuple[tuple[str, ...], str]] = []
        self._operations: dict[tuple[str, str], Operation] = {}
        for template, item in doc["paths"].items():
            self._templates.append((tuple(template.strip("/").split("/")), template))
            shared = {p["name"]: p["schema"] for p in item.get("parameters", [])}
            for method in _METHODS:
                if method in item:
                    op = item[method]
                    params = dict(shared)
                    params.update(
                        {
                            p["name"]: p["schema"]
                            for p in op.get("parameters", [])
                            if p["in"] == "path"
                        }
                    )
                    self._operations[(method.upper(), template)] = Operation(
                        method.upper(), template, op.get("operationId", ""), op, params
                    )

    @classmethod
    def load(cls, path: str | Path | None = None) -> DiscordSpec:
        return _load(str(path or SPEC_PATH))

    def operation(self, method: str, template: str) -> Operation | None:
        return self._operations.get((method.upper(), template))

    def match(self, method: str, path: str) -> RouteMatch | None:
        """The most specific template for `path` (a path below /api/v10), or None."""
        parts = tuple(path.strip("/").split("/"))
        best: tuple[tuple[bool, ...], str] | None = None
        for segments, template in self._templates:
            if len(segments) != len(parts):
                continue
            literal = tuple(not s.startswith("{") for s in segments)
            fits = zip(segments, parts, literal, strict=True)
            if all(s == p or (not lit and p) for s, p, lit in fits) and (
                best is None or literal > best[0]
            ):
                best = (literal, template)
        if best is None:
            return None
        template = best[1]
        names = template.strip("/").split("/")
        params = {s[1:-1]: p for s, p in zip(names, parts, strict=True) if s.startswith("{")}
        methods = tuple(m for (m, t) in self._operations if t == template)
        return RouteMatch(template, params, self.operation(method, template), methods)


@cache
def _load(path: str) -> DiscordSpec:
    with open(path, encoding="utf-8") as f:
        return DiscordSpec(json.load(f))


def parse_query_value(schema: Mapping[str, Any], raw: str) -> bool:
    """Whether a query string value fits its (simple) schema."""
    types = schema.get("type", "string")
    types = types if isinstance(types, list) else [types]
    if "boolean" in types:
        return raw.lower() in ("true", "false", "1", "0")
    if "integer" in types:
        return bool(re.fullmatch(r"-?\d+", raw))
    if "$ref" in schema or schema.get("format") == "snowflake":
        return raw.isdigit()
    return True
