"""No tracked file ties the project to one machine's folders.

Code, tests and docs find things relative to the checkout (`../shared/specs` beside it, the
schedules inside it). A path such as the checkout's own absolute location, an absolute path to a
`shared/` folder or into a checkout (`<somewhere>/bot/core/...`, `<somewhere>/.venv`) works on
the machine where it was written and nowhere else, so any such path in a tracked file fails here.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# An absolute path starts with "/" not glued to a word, a dot, a scheme or another path
# ("https://host/shared/x", "../shared/x", "{base}/bot" and an elided "…/bot/x" are not).
_START = r"(?<![\w.:/~}\-…])/"
_SEGMENTS = r"(?:[\w.\-]+/)"

# The folder every checkout and `shared/` live in on the machines this project is built on.
_MACHINE_ROOT = re.compile(_START + r"work(?![\w.\-])")
_SHARED = re.compile(_START + _SEGMENTS + r"*shared(?![\w.\-])")


def _checkout_entries() -> tuple[list[str], list[str]]:
    """The checkout's top-level folders and files, as every checkout of this project has them
    (the virtualenv, untracked, is matched on its own)."""
    entries = {Path(name).parts[0] for name in _tracked_files()}
    folders = sorted(name for name in entries if (ROOT / name).is_dir())
    files = sorted(name for name in entries if (ROOT / name).is_file())
    return folders, files


def _tracked_files() -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    )
    return [name for name in listing.stdout.split("\0") if name]


def _into_checkout() -> re.Pattern[str]:
    """An absolute path into a checkout: a folder with something below it, or a top-level file
    (`/home/me/pitboard/bot/core`, `/srv/x/.venv`, `/srv/x/pyproject.toml`), but not a URL path
    such as `GET /gateway/bot` that merely ends in a folder's name."""
    folders, files = _checkout_entries()
    folder = "|".join(re.escape(name) for name in folders)
    file = "|".join(re.escape(name) for name in files)
    return re.compile(
        _START + _SEGMENTS + rf"+(?:(?:{folder})/[\w.\-]|\.venv(?![\w\-])|(?:{file})(?![\w.\-]))"
    )


def offending_paths(text: str, into_checkout: re.Pattern[str]) -> list[str]:
    """Every machine-specific absolute path in `text`."""
    found: list[str] = []
    own = {str(ROOT), str(Path(__file__).parents[1])}
    found += [path for path in own if path in text]
    for pattern in (_MACHINE_ROOT, _SHARED, into_checkout):
        found += [match.group(0) for match in pattern.finditer(text)]
    return found


def test_no_tracked_file_names_an_absolute_path_to_a_checkout_or_shared_folder():
    into_checkout = _into_checkout()
    this_file = Path(__file__).resolve().relative_to(ROOT).as_posix()
    problems = []
    for name in _tracked_files():
        # This file spells out the patterns it looks for.
        if name == this_file:
            continue
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # a binary file, or one deleted in the working tree
        for number, line in enumerate(text.splitlines(), start=1):
            for path in offending_paths(line, into_checkout):
                problems.append(f"{name}:{number}: {path}")
    assert problems == [], "absolute paths tie the project to one machine:\n" + "\n".join(problems)


def test_the_check_finds_machine_paths_and_leaves_relative_ones_and_urls_alone():
    into_checkout = _into_checkout()
    flagged = [
        'SPEC_PATH = Path("/work/shared/specs/discord-openapi.json")',
        "Project: /work/main (git repo)",
        "Virtualenv: /srv/build/main/.venv (pytest ...)",
        "run /home/me/pitboard/bot/core/model.py",
        "config at /home/me/pitboard/pyproject.toml",
        "specs in /opt/x/shared/specs",
        f"cd {ROOT} && make",
    ]
    for line in flagged:
        assert offending_paths(line, into_checkout), line
    allowed = [
        "../shared/specs/telegram-bot-api.json",
        "Path(__file__).resolve().parents[3] / 'shared' / 'specs'",
        "GET /gateway/bot",
        'f"{base}/file/bot"',
        "https://example.org/work/shared/bot/core",
        "ExecStart=/opt/pitboard/venv/bin/pitboard run",
        "tests/fakes/discord_spec.py and bot/core/model.py",
        "ok: ... in …/site-packages/bot/_bundled/schedules",
    ]
    for line in allowed:
        assert offending_paths(line, into_checkout) == [], line
