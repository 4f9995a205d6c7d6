"""A JSON Schema (OpenAPI 3.1) validator that answers in Discord's error vocabulary.

It covers what Discord's spec uses: ``$ref``, ``type`` (arrays of types give nullability),
``enum``, ``properties``, ``required``, ``additionalProperties``, ``min/maxProperties``,
``items``, ``min/maxItems``, ``uniqueItems``, ``min/maxLength``, ``pattern``,
``minimum``/``maximum``, ``format`` (int32, int64, date-time, uri), ``allOf``/``anyOf``/``oneOf``.
See :mod:`tests.fakes.discord_spec` for where it is stricter or more lenient than JSON Schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Fields Discord documents (and answers with) that the preview spec's request schemas lack.
SPEC_GAPS: dict[str, frozenset[str]] = {
    "ApplicationCommandUpdateRequest": frozenset({"nsfw"}),
    "ApplicationCommandCreateRequest": frozenset({"nsfw"}),
    "ApplicationCommandPatchRequestPartial": frozenset({"nsfw"}),
    # discord.py always sends these two; Discord accepts them.
    "RichEmbed": frozenset({"flags"}),
    "IncomingWebhookUpdateForInteractionCallbackRequestPartial": frozenset({"tts"}),
    # ...and this one on every edit of an interaction's message (edit_original_response).
    "IncomingWebhookUpdateRequestPartial": frozenset({"tts"}),
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


class SchemaValidator:
    """Validates values against the schemas of one OpenAPI document (``schemas``)."""

    schemas: Mapping[str, Any]

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
