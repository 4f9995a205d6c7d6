"""The Bot API contract, read from the published spec, and a checker for requests against it.

The fake Telegram server refuses what the real one would refuse, so a front-end that passes its
tests does not meet its first "400 Bad Request" in production. Everything the spec states in a
structured way (methods, fields, types, required) is checked; a few limits that the spec only
states in prose ("1-64 bytes", "At most 100 commands", "Exactly one of the fields ...") are read
from the descriptions with small patterns; the HTML parse mode gets its own parser
(:mod:`tests.fakes.telegram_html`, whose names are all re-exported here).

Where the real API is lenient and the documentation is not, the checker follows the
documentation, so that it catches bugs instead of tolerating them: an unknown parameter, a bare
``&`` or ``>`` in HTML, a tag nested where Telegram would silently drop the formatting, or a
JSON value of the wrong JSON type (Telegram would coerce ``"text": 5`` to ``"5"``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tests.fakes.telegram_html import _ATTR_RE as _ATTR_RE
from tests.fakes.telegram_html import _ENTITIES as _ENTITIES
from tests.fakes.telegram_html import _ENTITY_RE as _ENTITY_RE
from tests.fakes.telegram_html import _SIMPLE as _SIMPLE
from tests.fakes.telegram_html import _TAG_RE as _TAG_RE
from tests.fakes.telegram_html import _TAGS as _TAGS
from tests.fakes.telegram_html import HtmlError as HtmlError
from tests.fakes.telegram_html import ParsedText as ParsedText
from tests.fakes.telegram_html import _attributes as _attributes
from tests.fakes.telegram_html import _entity as _entity
from tests.fakes.telegram_html import _entity_at as _entity_at
from tests.fakes.telegram_html import _offset as _offset
from tests.fakes.telegram_html import _unescape as _unescape
from tests.fakes.telegram_html import _utf16 as _utf16
from tests.fakes.telegram_html import parse_html as parse_html

SPEC_ENV = "PITBOARD_TELEGRAM_SPEC"
_SPEC_CANDIDATES = (
    Path(__file__).with_name("telegram-bot-api.json"),
    # ../shared/specs beside the checkout, as on every developer machine and in CI.
    Path(__file__).resolve().parents[3] / "shared" / "specs" / "telegram-bot-api.json",
)
PARSE_MODES = frozenset({"html", "markdownv2", "markdown"})
_SCALARS = {"Integer": "int", "Float": "float", "Boolean": "bool", "String": "str"}
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_USERNAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool
    description: str
    # Limits the spec states in prose, read once when the spec is loaded.
    length: tuple[int, int, str] | None = None  # (min, max, "characters" | "bytes")
    after_entities: bool = False  # length counts the text after the parse mode is applied
    max_items: int | None = None
    choices: frozenset[str] | None = None


@dataclass(frozen=True)
class ShapeSpec:
    """A method's parameters or an object type's fields (the two are checked alike)."""

    name: str
    fields: dict[str, FieldSpec]
    subtypes: tuple[str, ...] = ()
    tag: tuple[str, str] | None = None  # discriminator: (field, constant), e.g. ("type", "chat")
    exactly_one_of: tuple[str, ...] = ()
    returns: tuple[str, ...] = ()


def _field(raw: Mapping[str, Any]) -> FieldSpec:
    desc = str(raw.get("description", ""))
    types = tuple(raw["types"])
    length = None
    if "String" in types and (m := re.search(r"(\d+)-(\d+) (characters|bytes)", desc, re.I)):
        length = (int(m.group(1)), int(m.group(2)), m.group(3).lower())
    max_items = None
    if types[0].startswith("Array of") and (m := re.search(r"[Aa]t most (\d+) ", desc)):
        max_items = int(m.group(1))
    choices = None
    if types == ("String",) and "Choose one" in desc:
        choices = frozenset(re.findall(r"\b(typing|[a-z]+_[a-z_]+)\b", desc))
    return FieldSpec(
        name=str(raw["name"]),
        types=types,
        required=bool(raw.get("required", False)),
        description=desc,
        length=length,
        after_entities=bool(re.search(r"after entit(y|ies) parsing", desc)),
        max_items=max_items,
        choices=choices,
    )


def _shape(raw: Mapping[str, Any]) -> ShapeSpec:
    fields = {f["name"]: _field(f) for f in raw.get("fields", [])}
    tag = None
    first = next(iter(fields.values()), None)
    if raw.get("subtype_of") and first is not None:
        m = re.search(r"(?:must be|always)\s+[\"“]?([a-z_]+)", first.description)
        if m:
            tag = (first.name, m.group(1))
    desc = " ".join(raw.get("description", []))
    exactly: tuple[str, ...] = ()
    if m := re.search(r"Exactly one of the fields other than (.+?) must be used", desc):
        excluded = set(re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group(1)))
        exactly = tuple(name for name in fields if name not in excluded)
    elif m := re.search(r"Exactly one of the fields (\w+) or (\w+) must be used", desc):
        exactly = (m.group(1), m.group(2))
    elif "exactly one of the optional fields" in desc:
        exactly = tuple(name for name, f in fields.items() if not f.required)
    return ShapeSpec(
        name=str(raw["name"]),
        fields=fields,
        subtypes=tuple(raw.get("subtypes", ())),
        tag=tag,
        exactly_one_of=exactly,
        returns=tuple(raw.get("returns", ())),
    )


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return {float: "float", str: "str", list: "list", dict: "dict"}.get(type(value), "null")


_KIND_NAMES = {
    "int": "integer",
    "bool": "boolean",
    "str": "string",
    "list": "array",
    "dict": "object",
}


class BotApiSpec:
    """The spec's methods and types, and the checks a request must pass."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.version = str(raw.get("version", "?"))
        self.methods = {name: _shape(m) for name, m in raw["methods"].items()}
        self.types = {name: _shape(t) for name, t in raw["types"].items()}
        # The real API matches method names case-insensitively ("sendmessage" works).
        self._by_lower = {name.lower(): name for name in self.methods}

    @staticmethod
    @cache
    def load(path: str | None = None) -> BotApiSpec:
        candidates = [Path(p) for p in (path, os.environ.get(SPEC_ENV)) if p]
        for candidate in [*candidates, *_SPEC_CANDIDATES]:
            if candidate.is_file():
                return BotApiSpec(json.loads(candidate.read_text(encoding="utf-8")))
        raise FileNotFoundError(f"Bot API spec not found; set {SPEC_ENV} to telegram-bot-api.json")

    def method(self, name: str) -> ShapeSpec | None:
        canonical = self._by_lower.get(name.lower())
        return self.methods[canonical] if canonical else None

    # --- requests ---------------------------------------------------------------------------

    def decode_request(
        self,
        method: ShapeSpec,
        raw: Mapping[str, Any],
        *,
        form_keys: frozenset[str],
        files: frozenset[str] = frozenset(),
    ) -> tuple[dict[str, Any], list[str]]:
        """Decode the transport encoding and check every parameter; returns (params, problems).

        Form bodies carry every value as a string (PTB's HTTPXRequest sends objects and arrays
        JSON-encoded, numbers as digits, booleans as "true"/"false"); JSON bodies carry typed
        values, and there an object may also arrive as a JSON string, as the real API allows.
        """
        params: dict[str, Any] = {}
        problems: list[str] = []
        for key, value in raw.items():
            spec = method.fields.get(key)
            if spec is None:
                problems.append(f"unknown parameter {key!r} for {method.name}")
                continue
            decoded, error = _decode(value, spec.types, form=key in form_keys, files=files)
            if error:
                problems.append(f"{key}: {error}")
                continue
            params[key] = decoded
        problems.extend(self.check_fields(method, params, path=""))
        return params, problems

    # --- values -----------------------------------------------------------------------------

    def check_fields(self, shape: ShapeSpec, obj: Mapping[str, Any], path: str) -> list[str]:
        problems: list[str] = []
        for name, spec in shape.fields.items():
            if spec.required and name not in obj:
                problems.append(f"{path}{name} is required")
        for name, value in obj.items():
            where = f"{path}{name}"
            if (known := shape.fields.get(name)) is None:
                problems.append(f"unknown field {where!r} in {shape.name}")
                continue
            found = self.check_types(known.types, value, where)
            problems.extend(found or self._limits(known, value, obj, where))
        if shape.tag and obj.get(shape.tag[0]) != shape.tag[1]:
            problems.append(f"{path}{shape.tag[0]} must be {shape.tag[1]!r}")
        if shape.exactly_one_of:
            used = [name for name in shape.exactly_one_of if name in obj]
            if len(used) != 1:
                problems.append(
                    f"{path.rstrip('.') or shape.name}: exactly one of "
                    f"{', '.join(shape.exactly_one_of)} must be used, found {used or 'none'}"
                )
        if shape.name == "BotCommand":
            problems.extend(_bot_command(obj, path))
        return problems

    def check_types(self, types: tuple[str, ...], value: Any, path: str) -> list[str]:
        """Problems with `value` as any one of `types` (a union); [] when one fits."""
        fitting = [t for t in types if self._kind_fits(t, value)]
        if not fitting:
            wanted = " or ".join(types)
            return [f"{path}: expected {wanted}, got {_KIND_NAMES.get(_kind(value), _kind(value))}"]
        best: list[str] | None = None
        for type_expr in fitting:
            problems = self.check_value(type_expr, value, path)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best or []

    def check_value(self, type_expr: str, value: Any, path: str) -> list[str]:
        if type_expr.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path}: expected {type_expr}"]
            inner = type_expr.removeprefix("Array of ")
            return [
                p
                for i, item in enumerate(value)
                for p in self.check_types((inner,), item, f"{path}[{i}]")
            ]
        if type_expr in _SCALARS or type_expr == "InputFile":
            return [] if self._kind_fits(type_expr, value) else [f"{path}: expected {type_expr}"]
        shape = self.types.get(type_expr)
        if shape is None:
            return [f"{path}: unknown type {type_expr} in the spec"]
        if shape.subtypes:
            return self._check_union(shape, value, path)
        if not isinstance(value, dict):
            return [f"{path}: expected {type_expr} object"]
        return self.check_fields(shape, value, f"{path}.")

    def _check_union(self, shape: ShapeSpec, value: Any, path: str) -> list[str]:
        # Tagged unions (BotCommandScope, ChatMember, ...) name their member in a field.
        if isinstance(value, dict):
            for sub in shape.subtypes:
                member = self.types.get(sub)
                if member and member.tag and value.get(member.tag[0]) == member.tag[1]:
                    return self.check_value(sub, value, path)
        problems = self.check_types(shape.subtypes, value, path)
        return [f"{path}: not a valid {shape.name} ({problems[0]})"] if problems else []

    def _kind_fits(self, type_expr: str, value: Any) -> bool:
        kind = _kind(value)
        if type_expr.startswith("Array of "):
            return kind == "list"
        if type_expr in ("Integer", "InputFile"):
            return kind == "int" if type_expr == "Integer" else kind == "str"
        if type_expr == "Float":
            return kind in ("int", "float")
        if type_expr in _SCALARS:
            return _SCALARS[type_expr] == kind
        shape = self.types.get(type_expr)
        if shape is not None and shape.subtypes:
            return any(self._kind_fits(sub, value) for sub in shape.subtypes)
        return kind == "dict"

    def _limits(self, spec: FieldSpec, value: Any, obj: Mapping[str, Any], where: str) -> list[str]:
        problems: list[str] = []
        if isinstance(value, str):
            problems.extend(_string_limits(spec, value, obj, where))
            if spec.choices and value not in spec.choices:
                problems.append(f"{where}: {value!r} is not one of {sorted(spec.choices)}")
            if spec.name.endswith("parse_mode") and value.lower() not in PARSE_MODES:
                problems.append(f"unsupported parse_mode {value!r}")
            chat_ref = spec.types == ("Integer", "String") and "@" in spec.description
            if chat_ref and not (_USERNAME.fullmatch(value) or re.fullmatch(r"-?\d+", value)):
                problems.append(f"{where}: expected an integer id or @username, got {value!r}")
        if isinstance(value, list) and spec.max_items is not None and len(value) > spec.max_items:
            problems.append(f"{where}: at most {spec.max_items} items, got {len(value)}")
        return problems


def _string_limits(spec: FieldSpec, value: str, obj: Mapping[str, Any], where: str) -> list[str]:
    if spec.length is None:
        return []
    low, high, unit = spec.length
    measured = value
    if spec.after_entities:
        mode = obj.get(f"{spec.name}_parse_mode", obj.get("parse_mode"))
        if isinstance(mode, str) and mode.lower() == "html":
            try:
                measured = parse_html(value).text
            except HtmlError as exc:
                return [f"can't parse entities: {exc}"]
        if not measured.strip() and low > 0:
            return [f"{where}: message text is empty"]
    # Measured evidence says Telegram counts Unicode scalars (not UTF-16 units) for text limits.
    size = len(measured.encode("utf-8")) if unit == "bytes" else len(measured)
    if size < low or size > high:
        too = "too long" if size > high else "too short"
        return [f"{where} is {too}: {size} {unit}, allowed {low}-{high}"]
    return []


def _bot_command(obj: Mapping[str, Any], path: str) -> list[str]:
    command = obj.get("command")
    if isinstance(command, str) and not _COMMAND.fullmatch(command):
        return [f"{path}command {command!r}: 1-32 of a-z, 0-9, _ (BOT_COMMAND_INVALID)"]
    return []


def _decode(
    value: Any, types: tuple[str, ...], *, form: bool, files: frozenset[str]
) -> tuple[Any, str | None]:
    """Turn a transport value into its JSON value for `types`; (value, error)."""
    structured = any(t not in _SCALARS and t != "InputFile" for t in types)
    if isinstance(value, str) and "InputFile" in types and value in files:
        return value, None  # an uploaded file part
    if isinstance(value, str) and value.startswith("attach://") and "InputFile" in types:
        name = value.removeprefix("attach://")
        return (value, None) if name in files else (value, f"no file part named {name!r}")
    if not form:
        if isinstance(value, str) and structured and "String" not in types and value[:1] in "[{":
            try:
                return json.loads(value), None
            except ValueError:
                return value, "invalid JSON"
        return value, None
    if not isinstance(value, str):
        return value, None
    for type_expr in types:
        if type_expr == "Integer" and re.fullmatch(r"-?\d+", value):
            return int(value), None
        if type_expr == "Float" and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", value):
            return float(value), None
        if type_expr == "Boolean" and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1"), None
    if structured:
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = None
        if isinstance(decoded, list | dict):
            return decoded, None
    if "String" in types or "InputFile" in types:
        return value, None
    return value, f"expected {' or '.join(types)}, got {value!r}"
