"""`pitboard edit ...`, `pitboard audit [N]` and `pitboard undo N`: the admins' edits from a shell.

The same edits as the chat's `/edit` (one parser, `bot.core.edits.commands`), made through the
`Editor`: validated with the whole folder, recorded in the audit log, written atomically. A bot
running in another process on the same folder sees the files change and reloads within a
second (its folder watch); the posts go out from there. `--dry-run` shows what would change
and writes nothing. The operator at the shell is an admin: they could edit the files anyway.

    pitboard edit time "oschersleben race 1" 2022-04-23 10:30
    pitboard edit results tcr-germany-2022/oschersleben/race-1 --rows rows.txt
    pitboard edit add-event tcr-germany-2022 red-bull-ring name="Red Bull Ring" tz=Europe/Vienna
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

from bot.bundled import bundled_schedules
from bot.config import Config
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock, FixedClock, SystemClock
from bot.core.edits.commands import parse_edit_command
from bot.core.schedules import ScheduleError, load_catalog
from bot.editing import Actor, Editor, EditOutcome, cli_actor
from bot.scheduling.reloader import ScheduleReloader
from bot.store.protocol import StoreError
from bot.store.sqlite import SQLiteStore

EDIT_COMMANDS = ("edit", "audit", "undo")


def add_edit_parsers(commands: Any) -> None:
    edit = commands.add_parser(
        "edit",
        help="change the schedules: time, cancel, reinstate, postpone, add-event, add-session, "
        "results, results-replace, standings",
        description="The chat's /edit from the shell, e.g. "
        '`pitboard edit time "oschersleben race 1" 2022-04-23 10:30`.',
    )
    edit.add_argument("words", nargs="+", help="what to change, as after /edit in a chat")
    edit.add_argument(
        "--rows", help="results or standings rows, one per line, from this file (- for stdin)"
    )
    edit.add_argument(
        "--dry-run", action="store_true", help="show what would change; write nothing"
    )
    _who_and_where(edit)
    audit = commands.add_parser("audit", help="the last edits: who made them, when, what")
    audit.add_argument("count", nargs="?", type=int, default=10, help="how many (default 10)")
    audit.add_argument("--database", type=Path, help="database file (default: the config's)")
    undo = commands.add_parser("undo", help="undo an edit by its number (see pitboard audit)")
    undo.add_argument("edit_id", type=int, metavar="N", help="the edit's number")
    _who_and_where(undo)


def _who_and_where(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="actor", help="who the audit log names (default: you)")
    parser.add_argument("--database", type=Path, help="database file (default: the config's)")


def refused_bundled(schedules: Path, instead: str) -> bool:
    """True, said on stderr, when `schedules` is the bundled season (read-only): `instead`
    names what to do to one's own folder ("edit", "import into")."""
    if schedules.resolve() != bundled_schedules().resolve():
        return False
    print(
        f"pitboard: the bundled season is read-only; {instead} your own folder "
        "(--schedules DIR, or `pitboard init` for a starter one)",
        file=sys.stderr,
    )
    return True


def loaded_schedules(schedules: Path) -> CatalogHolder | None:
    """The schedules to edit; None, their problems said on stderr, when they do not load."""
    try:
        return CatalogHolder(load_catalog(schedules))
    except ScheduleError as error:
        print(f"pitboard: the schedules in {schedules} have problems:\n{error}", file=sys.stderr)
        return None


def edit_database(args: argparse.Namespace, config: Config) -> str | Path:
    """--database, else the config's; a dry run on a database not made yet uses none."""
    database: str | Path = args.database or Path(config.general.database)
    if getattr(args, "dry_run", False) and not Path(database).exists():
        database = ":memory:"  # a dry run creates no database file
    return database


def edit_clock(args: argparse.Namespace) -> Clock:
    """--at (the moment the edit is recorded at), else the system's clock."""
    return FixedClock(args.at) if args.at else SystemClock()


def edit_command(args: argparse.Namespace, config: Config, schedules: Path) -> int:
    """Run `edit`, `audit` or `undo`; the exit code (0 done, 1 refused, 2 cannot start)."""
    if args.command != "audit" and refused_bundled(schedules, "edit"):
        return 2
    catalogs = loaded_schedules(schedules)
    if catalogs is None:
        return 2
    database = edit_database(args, config)
    clock = edit_clock(args)
    actor = cli_actor(getattr(args, "actor", None) or getpass.getuser())
    try:
        return asyncio.run(_run(args, schedules, catalogs, database, clock, actor))
    except StoreError as error:
        print(f"pitboard: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"pitboard: {error}", file=sys.stderr)
        return 2


async def _run(
    args: argparse.Namespace,
    schedules: Path,
    catalogs: CatalogHolder,
    database: str | Path,
    clock: Clock,
    actor: Actor,
) -> int:
    async with open_editor(schedules, catalogs, database, clock) as editor:
        if args.command == "audit":
            return await _audit(editor, args.count)
        if args.command == "undo":
            return _print_outcome(await editor.undo(args.edit_id, actor))
        parsed = parse_edit_command(
            command_text(args.words), catalogs.current, rows=_rows(args.rows) or ""
        )
        if parsed.edit is None:
            for problem in parsed.problems:
                print(f"pitboard: {problem}", file=sys.stderr)
            return 1
        if args.dry_run:
            preview = await editor.preview(parsed.edit, actor)
            if not preview.ok:
                return _print_problems(preview.summary, preview.problems)
            print(f"Would do: {preview.summary}")
            print("\n".join(preview.lines))
            print("Dry run: nothing written.")
            return 0
        return _print_outcome(await editor.apply(parsed.edit, actor))


def command_text(words: Sequence[str]) -> str:
    """The shell's words as the chat line: `name=Red Bull Ring` (one argument) is quoted back."""
    parts = []
    for word in words:
        key, equals, value = word.partition("=")
        if equals and any(ch.isspace() for ch in value) and not value.startswith('"'):
            word = f'{key}="{value}"'
        parts.append(word)
    return "edit " + " ".join(parts)


def _rows(source: str | None) -> str | None:
    if source is None:
        return None
    if source == "-":
        return sys.stdin.read()
    return Path(source).read_text(encoding="utf-8")


@asynccontextmanager
async def open_editor(
    schedules: Path, catalogs: CatalogHolder, database: str | Path, clock: Clock
) -> AsyncIterator[Editor]:
    """An Editor on the folder and the database; its reload re-reads the folder for this
    process only (a bot running elsewhere follows the files itself)."""

    async def nothing_to_replan() -> None:
        return None

    if isinstance(database, Path):
        database.parent.mkdir(parents=True, exist_ok=True)
    reloader = ScheduleReloader(schedules, catalogs, nothing_to_replan)
    async with SQLiteStore(database) as store:
        yield Editor(schedules, store, catalogs, clock, reloader.reload)


async def _audit(editor: Editor, count: int) -> int:
    records = await editor.audit(max(1, count))
    if not records:
        print("No edits yet.")
    for record in records:
        at = record.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        undone = f" (undone by #{record.undone_by})" if record.undone_by else ""
        print(f"#{record.id}  {at}  {record.actor}  {record.summary}{undone}")
    return 0


def _print_outcome(outcome: EditOutcome) -> int:
    if not outcome.ok:
        return _print_problems(outcome.summary, outcome.problems)
    print(f"Edit #{outcome.edit_id}: {outcome.summary}")
    for change in outcome.changes:
        print(f"  {change}")
    print("\n".join(outcome.lines))
    print(f"Undo with: pitboard undo {outcome.edit_id}")
    return 0


def _print_problems(summary: str, problems: Sequence[object]) -> int:
    print(f"pitboard: not changed: {summary}", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1
