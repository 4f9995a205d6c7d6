"""Line numbers for key paths in a TOML text.

tomllib returns values without positions, so this scans the raw text once and records the line of
every table header, array-of-tables entry, key and array element. It runs only on text tomllib has
already accepted, so it can trust the syntax; anything it does not expect stops the scan and the
lines found so far are kept (a problem then points at the nearest located ancestor instead).
"""

from __future__ import annotations

import contextlib
from bisect import bisect_left
from collections.abc import Mapping

from bot.core.schedules.problems import KeyPath

_BARE_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_SCALAR_END = frozenset(",]}\n#")
# Deeper nesting than this is not worth locating (tomllib itself recurses out near 500).
_MAX_DEPTH = 64


class Locator:
    """Maps key paths to 1-based line numbers; unknown paths fall back to their nearest ancestor."""

    def __init__(self, lines: Mapping[KeyPath, int]) -> None:
        self._lines = dict(lines)

    def line_of(self, path: KeyPath) -> int:
        for end in range(len(path), 0, -1):
            line = self._lines.get(path[:end])
            if line is not None:
                return line
        return 1

    def knows(self, path: KeyPath) -> bool:
        return path in self._lines


def locate(text: str) -> Locator:
    scanner = _Scanner(text)
    with contextlib.suppress(_Confused):  # keep what was located before the surprise
        scanner.run()
    return Locator(scanner.lines)


class _Confused(Exception):
    """The text is not shaped as the scanner expects; stop scanning."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.newlines = [i for i, char in enumerate(text) if char == "\n"]
        self.lines: dict[KeyPath, int] = {}
        # array-of-tables path -> how many [[...]] headers have opened an element so far
        self.counts: dict[KeyPath, int] = {}
        self.table: KeyPath = ()

    def line_at(self, pos: int) -> int:
        return bisect_left(self.newlines, pos) + 1

    def peek(self, size: int = 1) -> str:
        return self.text[self.pos : self.pos + size]

    def expect(self, token: str) -> None:
        if self.peek(len(token)) != token:
            raise _Confused
        self.pos += len(token)

    def skip_blank(self, *, newlines: bool) -> None:
        """Skip spaces and comments, and line breaks too when `newlines`."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def run(self) -> None:
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            before = self.pos
            if self.peek(2) == "[[":
                self.header(is_array=True)
            elif self.peek() == "[":
                self.header(is_array=False)
            else:
                self.key_value(self.table)
            if self.pos <= before:
                raise _Confused

    def header(self, *, is_array: bool) -> None:
        start = self.pos
        self.expect("[[" if is_array else "[")
        parts = self.key()
        self.expect("]]" if is_array else "]")
        path = self.resolve(parts)
        line = self.line_at(start)
        self.record_ancestors(path, line, keep_from=0)
        if is_array:
            index = self.counts.get(path, 0)
            self.counts[path] = index + 1
            self.lines.setdefault(path, line)
            path = (*path, index)
        self.lines[path] = line  # an explicit header beats an earlier implicit mention
        self.table = path

    def resolve(self, parts: list[str]) -> KeyPath:
        """Header keys name the latest element of any array of tables on the way."""
        path: KeyPath = ()
        for i, part in enumerate(parts):
            path = (*path, part)
            if i < len(parts) - 1 and path in self.counts:
                path = (*path, self.counts[path] - 1)
        return path

    def record_ancestors(self, path: KeyPath, line: int, *, keep_from: int) -> None:
        # Tables created implicitly by a dotted key or header get the line that first names them.
        for end in range(keep_from + 1, len(path)):
            self.lines.setdefault(path[:end], line)

    def key_value(self, table: KeyPath) -> None:
        start = self.pos
        path = (*table, *self.key())
        line = self.line_at(start)
        self.record_ancestors(path, line, keep_from=len(table))
        self.lines[path] = line
        self.skip_blank(newlines=False)
        self.expect("=")
        self.skip_blank(newlines=False)
        self.value(path, depth=0)

    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            char = self.peek()
            if char == '"':
                parts.append(self.basic_string())
            elif char == "'":
                parts.append(self.literal_string())
            else:
                start = self.pos
                while self.pos < len(self.text) and self.text[self.pos] in _BARE_KEY_CHARS:
                    self.pos += 1
                if self.pos == start:
                    raise _Confused
                parts.append(self.text[start : self.pos])
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return parts
            self.pos += 1

    def value(self, path: KeyPath, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise _Confused
        char = self.peek()
        if char == '"':
            self.basic_string()
        elif char == "'":
            self.literal_string()
        elif char == "[":
            self.array(path, depth)
        elif char == "{":
            self.inline_table(path, depth)
        else:
            # Numbers, booleans, dates; a datetime may hold a space, so stop only at delimiters.
            start = self.pos
            while self.pos < len(self.text) and self.text[self.pos] not in _SCALAR_END:
                self.pos += 1
            if self.pos == start:
                raise _Confused

    def array(self, path: KeyPath, depth: int) -> None:
        self.expect("[")
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.peek() == "]":
                self.pos += 1
                return
            element = (*path, index)
            self.lines[element] = self.line_at(self.pos)
            self.value(element, depth + 1)
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.pos += 1
                index += 1
            else:
                self.expect("]")
                return

    def inline_table(self, path: KeyPath, depth: int) -> None:
        self.expect("{")
        while True:
            self.skip_blank(newlines=True)
            if self.peek() == "}":
                self.pos += 1
                return
            start = self.pos
            inner = (*path, *self.key())
            line = self.line_at(start)
            self.record_ancestors(inner, line, keep_from=len(path))
            self.lines[inner] = line
            self.skip_blank(newlines=False)
            self.expect("=")
            self.skip_blank(newlines=False)
            self.value(inner, depth + 1)
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.pos += 1
            else:
                self.expect("}")
                return

    def basic_string(self) -> str:
        if self.peek(3) == '"""':
            self.pos += 3
            self.skip_multiline('"""', escapes=True)
            return ""  # multi-line strings are values, never keys
        self.expect('"')
        out: list[str] = []
        while True:
            char = self.peek()
            if char in ("", "\n"):
                raise _Confused
            self.pos += 1
            if char == '"':
                return "".join(out)
            if char != "\\":
                out.append(char)
                continue
            out.append(self.escape())

    def escape(self) -> str:
        code = self.peek()
        self.pos += 1
        if code in _ESCAPES:
            return _ESCAPES[code]
        width = {"u": 4, "U": 8}.get(code)
        digits = self.peek(width or 0)
        if width is None or len(digits) != width:
            raise _Confused
        self.pos += width
        try:
            return chr(int(digits, 16))
        except ValueError:
            raise _Confused from None

    def literal_string(self) -> str:
        if self.peek(3) == "'''":
            self.pos += 3
            self.skip_multiline("'''", escapes=False)
            return ""
        self.expect("'")
        end = self.text.find("'", self.pos)
        if end < 0 or "\n" in self.text[self.pos : end]:
            raise _Confused
        key = self.text[self.pos : end]
        self.pos = end + 1
        return key

    def skip_multiline(self, quotes: str, *, escapes: bool) -> None:
        while self.pos < len(self.text):
            if escapes and self.peek() == "\\":
                self.pos += 2
            elif self.peek(3) == quotes:
                # Up to two quotes right before the closing three belong to the content.
                run = 3
                while run < 5 and self.peek(run + 1) == quotes[0] * (run + 1):
                    run += 1
                self.pos += run
                return
            else:
                self.pos += 1
        raise _Confused
