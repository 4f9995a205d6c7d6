"""Discord's limits that its OpenAPI spec does not encode: messages (content, embeds,
allowed_mentions) and command definitions (names, option order, uniqueness, total size)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from tests.fakes.discord_schema import Path_, Problem

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
    options = [o for o in options if isinstance(o, dict)] if isinstance(options, list) else []
    problems += _nesting_problems(item, options, path)
    optional_seen = False
    for index, option in enumerate(options):
        where = (*path, "options", index)
        problems += _chat_input_problems(option, where)
        problems += _autocomplete_problems(option, where)
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


_SUBCOMMAND, _GROUP = 1, 2
_AUTOCOMPLETE_TYPES = (3, 4, 10)  # string, integer, number


def _nesting_problems(
    item: Mapping[str, Any], options: list[dict[str, Any]], path: Path_
) -> list[Problem]:
    """Subcommands and groups: a level holds either subcommands (and groups) or plain options,
    never both; a group holds subcommands only; groups sit only at the top."""
    kinds = [option.get("type") for option in options]
    nested = [kind in (_SUBCOMMAND, _GROUP) for kind in kinds]
    problems: list[Problem] = []
    if any(nested) and not all(nested):
        problems.append(
            Problem(
                (*path, "options"),
                "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "Subcommands and subcommand groups cannot be mixed with other options.",
            )
        )
    # A command's own "type" 1 is CHAT_INPUT; only below it is 1 a subcommand.
    own = item.get("type") if "options" in path else None
    if own == _GROUP and any(kind != _SUBCOMMAND for kind in kinds):
        problems.append(
            Problem(
                (*path, "options"),
                "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "A subcommand group holds subcommands only.",
            )
        )
    if own == _SUBCOMMAND and any(nested):
        problems.append(
            Problem(
                (*path, "options"),
                "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "A subcommand cannot hold subcommands or groups.",
            )
        )
    return problems


def _autocomplete_problems(option: Mapping[str, Any], path: Path_) -> list[Problem]:
    if not option.get("autocomplete"):
        return []
    if option.get("type") not in _AUTOCOMPLETE_TYPES:
        why = "Autocomplete is only for string, integer and number options."
    elif option.get("choices"):
        why = "Autocomplete and choices cannot both be set on an option."
    else:
        return []
    return [Problem((*path, "autocomplete"), "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID", why)]


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
