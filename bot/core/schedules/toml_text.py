"""TOML text to a document: rtoml (Rust) on the hot path, the stdlib tomllib as the judge.

rtoml parses a big schedules directory roughly ten times faster than tomllib, but it reads a newer
TOML than the one tomllib (and our schedules README) defines, so on its own it would accept files
that used to be syntax errors. tomllib stays the single authority on what is valid TOML and on how
a syntax error is worded; rtoml is only trusted where both agree:

- rtoml rejects the text: tomllib re-parses it. Its error is the problem we report, word for word
  as before. Should tomllib accept it (rtoml refuses a float beyond the double range such as
  `1e400`, which tomllib reads as inf), its document is used, so nothing valid is refused.
- rtoml accepts text that may hold a construct only its newer TOML allows (see `_needs_judge`):
  tomllib judges the file instead, at the old speed for that file only.
- The loader re-judges any file that has a problem to report (`judge`), so a problem in a file
  tomllib rejects is always tomllib's syntax error, as it was.

Values: rtoml returns the same Python types as tomllib (str, int, float, bool, dict, list, date,
time, datetime). Only an offset datetime's tzinfo differs (rtoml's own TzInfo instead of
datetime.timezone; the instants compare equal); no schedule key accepts a datetime, so it never
reaches the catalog. rtoml reads nothing as None (its `none_value` is left unset), as tomllib.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

import rtoml

from bot.core.schedules.problems import Problem

Document = dict[str, Any]

_AT_LINE = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_AT_END = " (at end of document)"
_LONG_NUMBER = re.compile(r"\d{4000,}", re.ASCII)

# What rtoml's newer TOML reads and tomllib's TOML 1.0 refuses, found on the text without parsing
# it: an inline table over several lines or with a trailing comma, the \e and \xHH escapes, a
# byte order mark, a time without its seconds. A false alarm (say, a "{" in a string) only costs
# a tomllib parse of that file, so the checks err on the side of alarm. A time without seconds in
# an array is not looked for: no key accepts an array of times, so such a file always has a
# problem, and a file with a problem is judged by tomllib anyway.
_NEWER_TOML_MARKS = ("{", "\ufeff")
_NEWER_ESCAPES = ("\\e", "\\x")
# A time without seconds: a value `=[ \t]*\d[\d\-Tt ]*:\d\d(?!:\d)`, never over two lines. Searched
# as one pattern, it is tried at every "=" of the file (half a million in the bench catalog, a
# tenth of its load time); it is found instead from its minutes, ":\d\d", which few places have
# (quoted times, say), and the rest of it is matched on the text before them in their line.
TIME_WITHOUT_SECONDS = r"=[ \t]*\d[\d\-Tt ]*:\d\d(?!:\d)"  # the whole pattern, for the tests
_MINUTES = re.compile(r":\d\d(?!:\d)", re.ASCII)
_BEFORE_MINUTES = re.compile(r"=[ \t]*\d[\d\-Tt ]*\Z", re.ASCII)


@dataclass(frozen=True)
class Parsed:
    doc: Document | None  # None when the file is not valid TOML
    problem: Problem | None  # tomllib's syntax error, when it is not
    judged: bool  # tomllib has read this text already (a second opinion would say the same)


def parse(name: str, text: str) -> Parsed:
    """The document, or the problem that keeps the file from being read (tomllib's words)."""
    try:
        doc: Document = rtoml.loads(text)
    except (ValueError, RecursionError):  # rtoml.TomlParsingError is a ValueError
        return _tomllib_parse(name, text)
    if _may_be_newer_toml(text):
        return _tomllib_parse(name, text)
    return Parsed(doc, None, judged=False)


def _may_be_newer_toml(text: str) -> bool:
    """Whether the text may hold something only rtoml's newer TOML reads (see the marks above).

    Each check is one scan of the text for a single character where it can be: a backslash
    is rare, so the two escapes are looked for only in a text that has one."""
    if any(mark in text for mark in _NEWER_TOML_MARKS):
        return True
    if "\\" in text and any(escape in text for escape in _NEWER_ESCAPES):
        return True
    return _has_time_without_seconds(text)


def _has_time_without_seconds(text: str) -> bool:
    """Whether the one-line pattern of a time without seconds (above) is in the text."""
    for minutes in _MINUTES.finditer(text):
        end = minutes.start()
        line_start = text.rfind("\n", 0, end) + 1
        if _BEFORE_MINUTES.search(text, line_start, end):
            return True
    return False


def judge(name: str, text: str) -> Problem | None:
    """tomllib's verdict on a text rtoml accepted: its syntax error, or None when it is valid."""
    return _tomllib_parse(name, text).problem


def _tomllib_parse(name: str, text: str) -> Parsed:
    try:
        return Parsed(tomllib.loads(text), None, judged=True)
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError is a ValueError
        return Parsed(None, syntax_problem(name, text, exc), judged=True)


def syntax_problem(name: str, text: str, exc: ValueError | RecursionError) -> Problem:
    message = str(exc)
    if isinstance(exc, RecursionError):
        return Problem(name, 1, "", "TOML syntax error: arrays or tables nested too deeply")
    if not isinstance(exc, tomllib.TOMLDecodeError):
        # tomllib lets int() errors through, e.g. a number with thousands of digits.
        long_number = _LONG_NUMBER.search(text)
        line = text.count("\n", 0, long_number.start()) + 1 if long_number else 1
        return Problem(name, line, "", f"TOML value error: {message}")
    at_line = _AT_LINE.search(message)
    if at_line:
        detail = message[: at_line.start()] + message[at_line.end() :]
        return Problem(
            name, int(at_line[1]), "", f"TOML syntax error: {detail} (column {at_line[2]})"
        )
    line = text.rstrip().count("\n") + 1  # the error is at the end: point at the last line
    return Problem(
        name, line, "", f"TOML syntax error: {message.replace(_AT_END, '')} at the end of the file"
    )
