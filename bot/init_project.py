"""`pitboard init DIR`: a starter folder for a new operator.

It writes `DIR/config.toml` (the bundled example: every key at its default, each with a comment)
and `DIR/schedules/` (the bundled season, as a model to edit or replace), then says what to do
next. It never overwrites: if either is already there, nothing is written and the message says
which, so an operator's edited config or schedules cannot be lost by running it twice.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.bundled import bundled_schedules, example_config

CONFIG_NAME = "config.toml"
SCHEDULES_NAME = "schedules"


class InitError(Exception):
    """Why nothing was written, in one sentence a user can act on."""


@dataclass(frozen=True)
class Written:
    config: Path
    schedules: Path


def init_project(directory: Path) -> Written:
    """Write the starter config and schedules into `directory` (created if missing)."""
    config, schedules = directory / CONFIG_NAME, directory / SCHEDULES_NAME
    if directory.exists() and not directory.is_dir():
        raise InitError(f"{directory} is a file, not a folder")
    existing = [path for path in (config, schedules) if path.exists() or path.is_symlink()]
    if existing:
        names = " and ".join(str(path) for path in existing)
        verb, them = ("exist", "them") if len(existing) > 1 else ("exists", "it")
        raise InitError(
            f"{names} already {verb}; nothing was written (move {them} away or choose another "
            "folder)"
        )
    sources = example_config(), bundled_schedules()
    missing = [path for path in sources if not path.exists()]
    if missing:
        raise InitError(f"the bundled data is missing from this installation: {missing[0]}")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # The schedules are copied beside their final place and renamed in one step, so an
        # interrupted copy never leaves a half folder under the name the bot reads.
        with tempfile.TemporaryDirectory(prefix=".pitboard-init-", dir=directory) as scratch:
            staged = Path(scratch) / SCHEDULES_NAME
            shutil.copytree(sources[1], staged, ignore=_not_data)
            # "x": created here or refused, even if a config appeared since the check above.
            with config.open("x", encoding="utf-8") as out:
                out.write(sources[0].read_text(encoding="utf-8"))
            try:
                staged.rename(schedules)
            except OSError:
                config.unlink()  # ours, just written: all or nothing
                raise
    except FileExistsError as error:
        raise InitError(f"{error.filename} already exists; it was left as it was") from error
    except OSError as error:
        raise InitError(f"cannot write to {directory}: {error.strerror or error}") from error
    return Written(config, schedules)


def _not_data(folder: str, names: list[str]) -> set[str]:
    """Editor backups, caches and hidden files are not part of the bundled data."""
    return {name for name in names if name.startswith((".", "_")) or name.endswith("~")}


def run_init(directory: Path, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """The `init` command: 0 written, 1 refused (with the reason on stderr)."""
    try:
        written = init_project(directory)
    except InitError as error:
        print(f"pitboard init: {error}", file=err)
        return 1
    print(f"Wrote {written.config}: every setting at its default; edit what you need.", file=out)
    print(f"Wrote {written.schedules}/: the bundled 2022 season, to edit or replace.", file=out)
    print(
        "\nNext:\n"
        f"  cd {directory}\n"
        "  pitboard check                              # validate the schedules\n"
        "  pitboard --at 2022-05-12T09:00+02:00 next   # what fans see in a race week\n"
        "  TELEGRAM_BOT_TOKEN=... pitboard run         "
        "# or DISCORD_BOT_TOKEN; neither: the terminal",
        file=out,
    )
    return 0
