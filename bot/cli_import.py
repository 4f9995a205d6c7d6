"""`pitboard import results SESSION FILE [--dry-run]`: a timing export into a session's results.

The import is one edit through the `Editor`, as a chat upload's is: validated with the whole
folder, recorded in the audit log (undo it with `pitboard undo N`), written atomically. A bot
running in another process on the same folder sees the files change and reloads within a
second; its results post goes out from there. `--dry-run` shows what would change and writes
nothing (not even a new database).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bot.cli_edit import edit_clock, edit_database, loaded_schedules, open_editor, refused_bundled
from bot.config import Config
from bot.core import lookup
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock
from bot.editing import cli_actor
from bot.editing.imports import import_apply, import_preview
from bot.frontends.console.render import render
from bot.store.protocol import StoreError


def add_import_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "import",
        help="import a timing export (Al Kamel CSV or a CSV with a header) into results",
    )
    kinds = parser.add_subparsers(dest="import_kind", required=True, metavar="WHAT")
    results = kinds.add_parser(
        "results",
        help="a session's classification: `pitboard import results SESSION FILE`",
    )
    results.add_argument("session", help="the session: its id, or words naming it in quotes")
    results.add_argument("file", type=Path, help="the export (.csv)")
    results.add_argument(
        "--dry-run", action="store_true", help="show what would change and write nothing"
    )
    results.add_argument(
        "--diff", action="store_true", help="also show each schedule line that would change"
    )
    results.add_argument("--as", dest="actor", help="who the audit log names (default: you)")
    results.add_argument("--database", type=Path, help="database file (default: the config's)")
    whole = results.add_mutually_exclusive_group()
    whole.add_argument(
        "--complete",
        dest="complete",
        action="store_const",
        const=True,
        help="the file lists every classified finisher (an Al Kamel export says so itself)",
    )
    whole.add_argument(
        "--partial",
        dest="complete",
        action="store_const",
        const=False,
        help="the file lists only some finishers",
    )


def import_command(args: argparse.Namespace, config: Config, schedules: Path) -> int:
    if refused_bundled(schedules, "import into"):
        return 2
    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"pitboard: cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    catalogs = loaded_schedules(schedules)
    if catalogs is None:
        return 2
    found = lookup.lookup(
        args.session,
        lookup.session_candidates(catalogs.current),
        what="session",
        command=lambda cid: f"pitboard import results {cid} {args.file}",
    )
    if not isinstance(found, str):
        print(render(found, colour=False), file=sys.stderr)
        return 1
    database = edit_database(args, config)
    clock = edit_clock(args)
    try:
        return asyncio.run(_run(args, schedules, catalogs, database, found, data, clock))
    except StoreError as error:
        print(f"pitboard: {error}", file=sys.stderr)
        return 2


async def _run(
    args: argparse.Namespace,
    schedules: Path,
    catalogs: CatalogHolder,
    database: str | Path,
    session_id: str,
    data: bytes,
    clock: Clock,
) -> int:
    actor = cli_actor(args.actor or getpass.getuser())
    name = args.file.name
    async with open_editor(schedules, catalogs, database, clock) as editor:
        if args.dry_run:
            preview = await import_preview(
                editor, session_id, name, data, actor, complete=args.complete
            )
            print("\n".join(preview.lines))
            if preview.ok:
                print(_would_change(preview.changes, diff=args.diff))
                print("Dry run: nothing written.")
            return 0 if preview.ok else 1
        outcome = await import_apply(editor, session_id, name, data, actor, complete=args.complete)
    print("\n".join(outcome.lines))
    if outcome.ok and outcome.outcome is not None:
        if args.diff:
            print("\n".join(outcome.outcome.lines))
        print(f"Imported as edit #{outcome.edit_id} (undo: pitboard undo {outcome.edit_id}).")
    return 0 if outcome.ok else 1


def _would_change(lines: tuple[str, ...], *, diff: bool) -> str:
    """'Would change 2023/tcr-demo.toml (+84 lines), drivers.toml (+2 lines)', or the lines."""
    if diff:
        return "\n".join(("Would change:", *lines))
    added: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    for line in lines:
        file, _, rest = line.partition(":")
        marker = rest.partition(": ")[2][:1]
        (added if marker == "+" else removed)[file] += 1
    files = sorted(set(added) | set(removed))
    parts = []
    for file in files:
        counted = (_count("+", added[file]), _count("-", removed[file]))
        parts.append(f"{file} ({', '.join(part for part in counted if part)})")
    return "Would change " + ", ".join(parts) + " (--diff shows the lines)."


def _count(sign: str, number: int) -> str:
    return f"{sign}{number} line{'s' if number != 1 else ''}" if number else ""
