"""`make lint`'s language check: no user-facing English left outside the message catalogs.

1. In every module of the packages that build text (TEXT_PACKAGES) that is not on the
   allow-list `tools/i18n_unconverted.txt`, a string literal (or an f-string's literal parts)
   that reads like words for a person must be the argument of `_()`, `ngettext()`,
   `pgettext()` or `N_()`. Not flagged: docstrings, log calls, exceptions raised, assertions,
   comparisons and `case` patterns (keywords typed by fans, never shown), lower-case single
   tokens ("drivers", "on": ids and keywords), commands ("/settings zone"), URLs, and text
   without words (" · ", "%H:%M"). A line ending in `# i18n: not user text` (or under that
   comment on a line of its own) is skipped: use it for the rare literal that looks like
   words but is not read by a fan (a file name, a protocol value, a log's reason), and say
   why in the comment.
2. The allow-list names only modules that exist and still need converting: a converted
   module must leave it (so that it is checked from then on).
3. The committed .pot holds exactly the messages the code marks, and every committed .mo file
   is its .po compiled (`make i18n` was run after the last change).

Exit 1 with one line per problem, `file:line: message`, as the schedule checker writes them.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# A sibling script, not a package: found through the path above.
from i18n_catalogs import stale_mo_files, template_is_stale

ROOT = Path(__file__).resolve().parent.parent
ALLOW_LIST = Path(__file__).resolve().parent / "i18n_unconverted.txt"
# Packages and modules whose text a fan or an operator reads.
TEXT_PACKAGES = (
    "bot/core",
    "bot/chats",
    "bot/charts",
    "bot/feeds",
    "bot/web",
    "bot/frontends",
    "bot/scheduling",
    "bot/delivery",
    "bot/editing",
)
# Not text at all: the schedule files' parser (its problems are for the data's authors, in
# the project's working language), the store, the language machinery itself.
NOT_TEXT = ("bot/core/schedules/", "bot/core/i18n.py")
WRAPPERS = {"_", "ngettext", "pgettext", "N_", "NP_", "translate_for"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
ESCAPE = "# i18n: not user text"
WORD = re.compile(r"[A-Za-zÀ-ÿ]{2,}")
# Commands, URLs, format specs; one token with a separator: an id, a zone, a header name.
NOT_WORDS = re.compile(r"^(/|https?://|%)|^[a-z0-9]+$|^\S*[_\-/.:@%{}]\S*$")


def reads_like_words(text: str) -> bool:
    stripped = text.strip()
    if not WORD.search(stripped) or NOT_WORDS.search(stripped):
        return False
    # A capitalised word or several words: text for a person ("Driver", "no results yet").
    return " " in stripped or stripped[:1].isupper()


class Finder(ast.NodeVisitor):
    def __init__(self, source_lines: list[str]) -> None:
        self.lines = source_lines
        self.found: list[tuple[int, str]] = []

    def _skip_line(self, lineno: int) -> bool:
        """The escape on the literal's own line, or alone on the line above it."""
        above = self.lines[lineno - 2].strip() if lineno > 1 else ""
        return ESCAPE in self.lines[lineno - 1] or above.startswith(ESCAPE)

    def visit_Call(self, node: ast.Call) -> None:
        name = _called_name(node.func)
        if name in WRAPPERS:
            return  # wrapped: the catalogs hold it
        if name in LOG_METHODS and isinstance(node.func, ast.Attribute):
            return  # a log line is for the operator's log, in English
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        return  # an exception's message is for the log (a fan sees the router's apology)

    def visit_Assert(self, node: ast.Assert) -> None:
        return

    def visit_Compare(self, node: ast.Compare) -> None:
        return  # a fan's typed keyword compared, never shown

    def visit_match_case(self, node: ast.match_case) -> None:
        for statement in node.body:
            self.visit(statement)
        if node.guard is not None:
            self.visit(node.guard)

    def visit_Assign(self, node: ast.Assign) -> None:
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return  # names exported, not text
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return  # a docstring
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        literal = "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
        if reads_like_words(literal) and not self._skip_line(node.lineno):
            self.found.append((node.lineno, literal))
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                self.visit(part.value)

    def visit_Constant(self, node: ast.Constant) -> None:
        if (
            isinstance(node.value, str)
            and reads_like_words(node.value)
            and not self._skip_line(node.lineno)
        ):
            self.found.append((node.lineno, node.value))


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def text_modules() -> list[Path]:
    found = []
    for package in TEXT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not relative.startswith(NOT_TEXT):
                found.append(path)
    return found


def allowed() -> dict[str, int]:
    """The allow-list's modules, with the line each is named on."""
    names = {}
    for number, raw in enumerate(ALLOW_LIST.read_text(encoding="utf-8").splitlines(), 1):
        entry = raw.split("#", 1)[0].strip()
        if entry:
            names[entry] = number
    return names


def unwrapped(path: Path) -> Iterator[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    finder = Finder(source.splitlines())
    finder.visit(ast.parse(source, filename=str(path)))
    yield from finder.found


def problems() -> list[str]:
    found = []
    unconverted = allowed()
    modules = {path.relative_to(ROOT).as_posix(): path for path in text_modules()}
    for name, number in unconverted.items():
        if name not in modules:
            found.append(f"{ALLOW_LIST.name}:{number}: {name}: no such text module; remove it")
    for name, path in modules.items():
        hits = list(unwrapped(path))
        if name in unconverted:
            if not hits:
                where = f"{ALLOW_LIST.name}:{unconverted[name]}"
                found.append(f"{where}: {name} is converted now: remove it from the list")
            continue
        for lineno, text in hits:
            found.append(f"{name}:{lineno}: user-facing text outside _(): {text.strip()!r}")
    found += template_is_stale() + stale_mo_files()
    return found


def main() -> int:
    found = problems()
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
