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
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path("/work/shared/specs/discord-openapi.json")
_METHODS = ("get", "put", "post", "patch", "delete")
# Fields Discord documents (and answers with) that the preview spec's request schemas lack.
SPEC_GAPS: dict[str, frozenset[str]] = {
    "ApplicationCommandUpdateRequest": frozenset({"nsfw"}),
    "ApplicationCommandCreateRequest": frozenset({"nsfw"}),
    "ApplicationCommandPatchRequestPartial": frozenset({"nsfw"}),
    # discord.py always sends these two; Discord accepts them.
    "RichEmbed": frozenset({"flags"}),
    "IncomingWebhookUpdateForInteractionCallbackRequestPartial": frozenset({"tts"}),
}
_BITFIELD_MAX = 2**53
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_JSON_TYPES = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One reason a value breaks the contract, in Discord's error vocabulary."""

    path: Path_
    code: str  # e.g. BASE_TYPE_MAX_LENGTH, as in Discord's 50035 "errors" object
    message: str

    def __str__(self) -> str:
        where = ".".join(str(p) for p in self.path) or "<body>"
        return f"{where}: {self.message} ({self.code})"


def error_tree(problems: list[Problem]) -> dict[str, Any]:
    """Discord's nested ``errors`` object: {"embeds": {"0": {"title": {"_errors": [...]}}}}."""
    tree: dict[str, Any] = {}
    for problem in problems:
        node = tree
        for part in problem.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": problem.code, "message": problem.message})
    return tree


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


class DiscordSpec:
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.schemas: Mapping[str, Any] = doc["components"]["schemas"]
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

    # --- JSON Schema ---------------------------------------------------------------------

    def resolve(self, schema: Mapping[str, Any]) -> tuple[Mapping[str, Any], str | None]:
        name = None
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            target = self.schemas[name]
            schema = {**target, **rest} if rest else target
        return schema, name

    def validate(
        self, schema: Any, value: Any, path: Path_ = (), *, closed: bool = True
    ) -> list[Problem]:
        """Problems with `value` under `schema`; `closed` refuses undeclared object fields."""
        return list(self._check(schema, value, path, closed, frozenset(), None))

    def _check(
        self,
        schema: Mapping[str, Any],
        value: Any,
        path: Path_,
        closed: bool,
        extra: frozenset[str],
        name: str | None,
    ) -> Iterator[Problem]:
        if "$ref" in schema:
            schema, name = self.resolve(schema)
        if "allOf" in schema:
            # Every branch sees the fields declared by the others: an allOf is one object.
            extra = extra | self._declared(schema)
            for branch in schema["allOf"]:
                yield from self._check(branch, value, path, closed, extra, name)
        for union in ("oneOf", "anyOf"):
            if union in schema:
                yield from self._union(schema[union], value, path, closed, extra)
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            value = self._coerce(schema, types, value)
            if not any(_JSON_TYPES[t](value) for t in types):
                yield Problem(path, _type_code(types), f"Must be of type {' or '.join(types)}.")
                return
        if "enum" in schema and value not in schema["enum"]:
            yield Problem(path, "BASE_TYPE_CHOICES", f"Value must be one of {schema['enum']}.")
        if isinstance(value, str):
            yield from _check_string(schema, value, path)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield from _check_number(schema, value, path)
        elif isinstance(value, list):
            yield from self._check_array(schema, value, path, closed)
        elif isinstance(value, dict):
            yield from self._check_object(schema, value, path, closed, extra, name)

    def _coerce(self, schema: Mapping[str, Any], types: list[str], value: Any) -> Any:
        # Discord documents 64-bit bitfields as strings and accepts integer snowflakes.
        bitfield = schema.get("maximum", 0) > _BITFIELD_MAX
        if "integer" in types and bitfield and isinstance(value, str) and value.isdigit():
            return int(value)
        snowflake = "string" in types and schema.get("format") == "snowflake"
        if snowflake and _JSON_TYPES["integer"](value) and value >= 0:
            return str(value)
        return value

    def _union(
        self, branches: list[Any], value: Any, path: Path_, closed: bool, extra: frozenset[str]
    ) -> Iterator[Problem]:
        attempts = [list(self._check(b, value, path, closed, extra, None)) for b in branches]
        if any(not a for a in attempts):
            return

        # Report the branch most likely meant: the one that got furthest into the value, and
        # among equals one whose type fitted.
        def rank(problems: list[Problem]) -> tuple[int, bool, int]:
            misfit = all(p.path == path and p.code in _TYPE_CODES for p in problems)
            return -max(len(p.path) for p in problems), misfit, len(problems)

        yield from min(attempts, key=rank)

    def _declared(self, schema: Mapping[str, Any]) -> frozenset[str]:
        schema, _ = self.resolve(schema)
        names = set(schema.get("properties", {}))
        for branch in schema.get("allOf", []):
            names |= self._declared(branch)
        return frozenset(names)

    def _check_array(
        self, schema: Mapping[str, Any], value: list[Any], path: Path_, closed: bool
    ) -> Iterator[Problem]:
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            n = schema["maxItems"]
            yield Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {n} or fewer in length.")
        if "minItems" in schema and len(value) < schema["minItems"]:
            n = schema["minItems"]
            yield Problem(path, "BASE_TYPE_MIN_LENGTH", f"Must be {n} or more in length.")
        if schema.get("uniqueItems"):
            seen = [json.dumps(v, sort_keys=True) for v in value]
            if len(set(seen)) != len(seen):
                yield Problem(path, "BASE_TYPE_UNIQUE", "Items must be unique.")
        if "items" in schema:
            for index, item in enumerate(value):
                yield from self._check(
                    schema["items"], item, (*path, index), closed, frozenset(), None
                )

    def _check_object(
        self,
        schema: Mapping[str, Any],
        value: dict[str, Any],
        path: Path_,
        closed: bool,
        extra: frozenset[str],
        name: str | None,
    ) -> Iterator[Problem]:
        props: Mapping[str, Any] = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                yield Problem((*path, key), "BASE_TYPE_REQUIRED", "This field is required")
        if len(value) > schema.get("maxProperties", len(value)):
            n = schema["maxProperties"]
            yield Problem(path, "BASE_TYPE_BAD_LENGTH", f"Must have {n} or fewer keys.")
        if len(value) < schema.get("minProperties", 0):
            n = schema["minProperties"]
            yield Problem(path, "BASE_TYPE_BAD_LENGTH", f"Must have {n} or more keys.")
        additional = schema.get("additionalProperties")
        gaps = SPEC_GAPS.get(name or "", frozenset())
        for key, item in value.items():
            if key in props:
                yield from self._check(props[key], item, (*path, key), closed, frozenset(), None)
            elif isinstance(additional, dict):
                yield from self._check(additional, item, (*path, key), closed, frozenset(), None)
            elif additional is False or (
                closed and props and additional is None and key not in extra | gaps
            ):
                yield Problem((*path, key), "UNKNOWN_FIELD", f"Unknown field {key!r}.")


_TYPE_CODES = frozenset(
    {
        "NUMBER_TYPE_COERCE",
        "BOOLEAN_TYPE_COERCE",
        "LIST_TYPE_CONVERT",
        "DICT_TYPE_CONVERT",
        "BASE_TYPE_BAD_TYPE",
    }
)


def _type_code(types: list[str]) -> str:
    main = next((t for t in types if t != "null"), "null")
    return {
        "integer": "NUMBER_TYPE_COERCE",
        "number": "NUMBER_TYPE_COERCE",
        "boolean": "BOOLEAN_TYPE_COERCE",
        "array": "LIST_TYPE_CONVERT",
        "object": "DICT_TYPE_CONVERT",
    }.get(main, "BASE_TYPE_BAD_TYPE")


def _check_string(schema: Mapping[str, Any], value: str, path: Path_) -> Iterator[Problem]:
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        n = schema["maxLength"]
        yield Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {n} or fewer in length.")
    if "minLength" in schema and len(value) < schema["minLength"]:
        n = schema["minLength"]
        yield Problem(path, "BASE_TYPE_MIN_LENGTH", f"Must be {n} or more in length.")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        yield Problem(path, "STRING_TYPE_REGEX", f"String value did not match {schema['pattern']}.")
    fmt = schema.get("format")
    if fmt == "date-time":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            yield Problem(path, "DATE_TIME_TYPE_PARSE", f"Could not parse {value!r}.")
    elif fmt == "uri" and not re.match(r"[a-z][a-z0-9+.-]*://\S+$", value):
        yield Problem(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")


def _check_number(schema: Mapping[str, Any], value: float, path: Path_) -> Iterator[Problem]:
    low, high = _INT_RANGES.get(schema.get("format", ""), (None, None))
    low = schema.get("minimum", low)
    high = schema.get("maximum", high)
    if low is not None and value < low:
        yield Problem(path, "NUMBER_TYPE_MIN", f"Value should be greater than or equal to {low}.")
    if high is not None and value > high:
        yield Problem(path, "NUMBER_TYPE_MAX", f"Value should be less than or equal to {high}.")


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


# --- limits the spec does not encode ----------------------------------------------------------

MESSAGE_CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
_EMBED_LIMITS = {"title": 256, "description": 4096}
_EMBED_CHILD_LIMITS = {("footer", "text"): 2048, ("author", "name"): 256}
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
EPHEMERAL = 1 << 6


def message_problems(body: Mapping[str, Any], path: Path_ = ()) -> list[Problem]:
    """Discord's documented message limits (content, embeds, allowed_mentions)."""
    problems: list[Problem] = []
    content = body.get("content")
    if isinstance(content, str) and len(content) > MESSAGE_CONTENT_MAX:
        problems.append(_too_long((*path, "content"), MESSAGE_CONTENT_MAX))
    embeds = body.get("embeds") or []
    if not isinstance(embeds, list):
        return problems
    if len(embeds) > EMBEDS_MAX:
        problems.append(_too_long((*path, "embeds"), EMBEDS_MAX))
    total = 0
    for index, embed in enumerate(embeds):
        if isinstance(embed, dict):
            total += _embed_problems(embed, (*path, "embeds", index), problems)
    if total > EMBED_TOTAL_MAX:
        problems.append(
            Problem(
                (*path, "embeds"),
                "MAX_EMBED_SIZE_EXCEEDED",
                f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX} ({total}).",
            )
        )
    mentions = body.get("allowed_mentions")
    if isinstance(mentions, dict):
        for kind in ("users", "roles"):
            if kind in (mentions.get("parse") or []) and mentions.get(kind):
                problems.append(
                    Problem(
                        (*path, "allowed_mentions", kind),
                        "SET_TYPE_ALREADY_CONTAINS_VALUE",
                        f"parse:[{kind!r}] and {kind} are mutually exclusive.",
                    )
                )
    return problems


def _embed_problems(embed: Mapping[str, Any], path: Path_, problems: list[Problem]) -> int:
    """Append the embed's own problems; return its size as Discord counts it."""
    size = 0
    for key, limit in _EMBED_LIMITS.items():
        text = embed.get(key)
        if isinstance(text, str):
            size += len(text)
            if len(text) > limit:
                problems.append(_too_long((*path, key), limit))
    for (parent, key), limit in _EMBED_CHILD_LIMITS.items():
        child = embed.get(parent)
        text = child.get(key) if isinstance(child, dict) else None
        if isinstance(text, str):
            size += len(text)
            if len(text) > limit:
                problems.append(_too_long((*path, parent, key), limit))
    fields = embed.get("fields") or []
    if isinstance(fields, list):
        if len(fields) > FIELDS_MAX:
            problems.append(_too_long((*path, "fields"), FIELDS_MAX))
        for index, item in enumerate(fields):
            if not isinstance(item, dict):
                continue
            for key, limit in (("name", FIELD_NAME_MAX), ("value", FIELD_VALUE_MAX)):
                text = item.get(key)
                if isinstance(text, str):
                    size += len(text)
                    where = (*path, "fields", index, key)
                    if len(text) > limit:
                        problems.append(_too_long(where, limit))
                    elif not text.strip():
                        problems.append(Problem(where, "BASE_TYPE_REQUIRED", "Must not be empty."))
    return size


def _too_long(path: Path_, limit: int) -> Problem:
    return Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def is_empty_message(body: Mapping[str, Any], has_files: bool = False) -> bool:
    keys = ("content", "embeds", "components", "sticker_ids", "poll", "attachments")
    return not has_files and not any(body.get(k) for k in keys)


_COMMAND_NAME = re.compile(r"[-_\w]{1,32}")
COMMAND_CHARS_MAX = 4000


def command_problems(commands: list[Any]) -> list[Problem]:
    """Discord's rules for command definitions beyond the schema: names, order, uniqueness."""
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    for index, command in enumerate(commands):
        if not isinstance(command, dict) or not isinstance(command.get("name"), str):
            continue
        kind = command.get("type") or 1
        if (kind, command["name"]) in seen:
            problems.append(
                Problem(
                    (index, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique ({command['name']!r}).",
                )
            )
        seen.add((kind, command["name"]))
        if kind == 1:
            problems += _chat_input_problems(command, (index,))
            size = sum(len(s) for s in _command_strings(command))
            if size > COMMAND_CHARS_MAX:
                problems.append(
                    Problem(
                        (index,),
                        "APPLICATION_COMMAND_TOO_LARGE",
                        f"Command exceeds maximum size ({COMMAND_CHARS_MAX}).",
                    )
                )
    return problems


def _chat_input_problems(item: Mapping[str, Any], path: Path_) -> list[Problem]:
    problems: list[Problem] = []
    name = item.get("name", "")
    if not (isinstance(name, str) and _COMMAND_NAME.fullmatch(name) and name == name.lower()):
        problems.append(
            Problem(
                (*path, "name"),
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name is invalid ({name!r}): lower case letters, digits, - and _.",
            )
        )
    if not item.get("description"):
        problems.append(Problem((*path, "description"), "BASE_TYPE_REQUIRED", "Must not be empty."))
    options = item.get("options") or []
    optional_seen = False
    for index, option in enumerate(options if isinstance(options, list) else []):
        if not isinstance(option, dict):
            continue
        where = (*path, "options", index)
        problems += _chat_input_problems(option, where)
        if option.get("type") in (1, 2):
            continue
        if option.get("required") and optional_seen:
            problems.append(
                Problem(
                    where,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options.",
                )
            )
        optional_seen = optional_seen or not option.get("required")
    return problems


def _command_strings(item: Mapping[str, Any]) -> Iterator[str]:
    for key in ("name", "description"):
        if isinstance(item.get(key), str):
            yield item[key]
    for choice in item.get("choices") or []:
        if isinstance(choice, dict):
            yield str(choice.get("name", ""))
            yield str(choice.get("value", ""))
    for option in item.get("options") or []:
        if isinstance(option, dict):
            yield from _command_strings(option)
