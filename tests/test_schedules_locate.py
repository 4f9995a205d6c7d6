"""The line locator: key paths to lines in raw TOML text."""

from __future__ import annotations

import tomllib

from bot.core.schedules.locate import locate
from bot.core.schedules.problems import format_path

TEXT = """\
# [[events]] in a comment is not a header
[series]
id = "x"   # trailing comment with = and [brackets]
"quoted key" = 1
'literal.key' = 2
dotted.inner.leaf = 3

[[events]]
id = "first"
notes = \"\"\"
[[events]]
id = "not a key"
\"\"\"
more = '''
[not.a.header]
'''

[[events.sessions]]
id = "s0"

[[events.sessions]]
id = "s1"
broadcasts = [
  { name = "TV", url = "https://tv.example" },  # a comment
  { name = "Web", url = "https://web.example" },
]

[[events]]
id = "second"

[[events.sessions]]
id = "s0-of-second"
list = [1, [2, 3], "a,]b"]
\"escaped \\\" quote\" = true
"""


def test_the_fixture_is_valid_toml() -> None:
    doc = tomllib.loads(TEXT)
    assert doc["events"][1]["sessions"][0]["id"] == "s0-of-second"
    assert doc["series"]["dotted"]["inner"]["leaf"] == 3


def test_lines_of_headers_keys_and_elements() -> None:
    locator = locate(TEXT)
    expected = {
        ("series",): 2,
        ("series", "id"): 3,
        ("series", "quoted key"): 4,
        ("series", "literal.key"): 5,
        ("series", "dotted"): 6,
        ("series", "dotted", "inner", "leaf"): 6,
        ("events", 0): 8,
        ("events", 0, "id"): 9,
        ("events", 0, "notes"): 10,
        ("events", 0, "more"): 14,
        ("events", 0, "sessions", 0): 18,
        ("events", 0, "sessions", 0, "id"): 19,
        ("events", 0, "sessions", 1): 21,
        ("events", 0, "sessions", 1, "broadcasts"): 23,
        ("events", 0, "sessions", 1, "broadcasts", 0): 24,
        ("events", 0, "sessions", 1, "broadcasts", 0, "url"): 24,
        ("events", 0, "sessions", 1, "broadcasts", 1, "name"): 25,
        ("events", 1): 28,
        ("events", 1, "id"): 29,
        ("events", 1, "sessions", 0): 31,
        ("events", 1, "sessions", 0, "id"): 32,
        ("events", 1, "sessions", 0, "list", 1, 1): 33,
        ("events", 1, "sessions", 0, 'escaped " quote'): 34,
    }
    got = {path: locator.line_of(path) for path in expected}
    assert got == expected
    # The fake headers and keys inside multi-line strings were not taken for real ones.
    assert not locator.knows(("events", 2))
    assert not locator.knows(("not", "a", "header"))


def test_unknown_paths_fall_back_to_the_nearest_known_ancestor() -> None:
    locator = locate(TEXT)
    assert locator.line_of(("events", 0, "sessions", 1, "time")) == 21
    assert locator.line_of(("events", 5, "id")) == 8  # the array's first header
    assert locator.line_of(("nowhere",)) == 1
    assert locator.line_of(()) == 1


def test_crlf_line_endings() -> None:
    locator = locate("[a]\r\nb = 1\r\n\r\n[[c]]\r\nd = 2\r\n")
    assert locator.line_of(("a", "b")) == 2
    assert locator.line_of(("c", 0, "d")) == 5


def test_multiline_basic_string_with_quotes_at_the_end() -> None:
    text = 'a = """x""""\nb = 1\n'
    assert tomllib.loads(text)["a"] == 'x"'
    assert locate(text).line_of(("b",)) == 2


def test_format_path_quotes_keys_that_are_not_bare() -> None:
    assert format_path(("events", 0, "sessions", 2, "time")) == "events[0].sessions[2].time"
    assert format_path(("a.b", "c d", 1)) == '"a.b"."c d"[1]'
