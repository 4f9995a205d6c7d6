"""The message catalogs' housekeeping, for `make i18n` and `make lint`.

    python tools/i18n_catalogs.py tidy    after pybabel: stable headers, sorted entries
    python tools/i18n_catalogs.py check   every committed .mo is its .po compiled (exit 1 if not)

`tidy` pins the header dates (pybabel writes the clock's time into every catalog on every run,
which would make two helpers' branches conflict on a line neither meant to change) and writes
each catalog sorted by message without line numbers, so that a branch that adds messages
changes only their own lines.
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "bot" / "locale"
TEMPLATE = LOCALE_DIR / "pitboard.pot"
# Not a real date: a constant, so that a catalog's header changes only when a person edits it.
PINNED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def po_files() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/pitboard.po"))


def read(path: Path, *, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, abort_invalid=True)


def write(path: Path, catalog: Catalog) -> None:
    catalog.creation_date = PINNED_DATE
    catalog.revision_date = PINNED_DATE
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, sort_output=True, include_lineno=False, ignore_obsolete=True)
    path.write_bytes(buffer.getvalue())


def compiled(po: Path) -> bytes:
    catalog = read(po, locale=po.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def tidy() -> None:
    write(TEMPLATE, read(TEMPLATE))
    for po in po_files():
        write(po, read(po, locale=po.parent.parent.name))


# What `make i18n` extracts with (keep in step with the Makefile's pybabel extract).
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "NP_": ((1, "c"), 2)}


def messages_in_code() -> set[tuple[str | None, str]]:
    """(context, msgid) of every message the code marks, as pybabel extract finds them."""
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT / "bot",
        method_map=[("**.py", "python"), ("web/templates/**.html", "jinja2")],
        options_map={"web/templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}},
        keywords=KEYWORDS,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.add((context, msgid))
    return found


def template_is_stale() -> list[str]:
    """Messages in the code that the committed .pot lacks, and the other way round."""
    in_template = {
        (m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in read(TEMPLATE)
    }
    in_template.discard((None, ""))
    in_code = messages_in_code()
    problems = [
        f"{TEMPLATE.relative_to(ROOT)}: lacks {m[1]!r} (run make i18n)"
        for m in sorted(in_code - in_template, key=str)
    ]
    problems += [
        f"{TEMPLATE.relative_to(ROOT)}: {m[1]!r} is no longer in the code (run make i18n)"
        for m in sorted(in_template - in_code, key=str)
    ]
    return problems


def stale_mo_files() -> list[str]:
    """The .po files whose committed .mo is missing or differs from compiling them now."""
    problems = []
    for po in po_files():
        mo = po.with_suffix(".mo")
        if not mo.is_file():
            problems.append(f"{mo.relative_to(ROOT)}: missing (run make i18n)")
        elif mo.read_bytes() != compiled(po):
            problems.append(f"{mo.relative_to(ROOT)}: older than its .po (run make i18n)")
    return problems


def main(argv: list[str]) -> int:
    match argv:
        case ["tidy"]:
            tidy()
            return 0
        case ["check"]:
            problems = template_is_stale() + stale_mo_files()
            for problem in problems:
                print(problem, file=sys.stderr)
            return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
