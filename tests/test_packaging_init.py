"""`pitboard init`, `pitboard --version`, and which config and schedules a command uses when
none is named (the installed package is tested end to end in tests/test_packaging.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import bot
from bot.init_project import InitError, init_project

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (ROOT / "config.example.toml").read_text(encoding="utf-8")


def pitboard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_init_writes_the_example_config_and_the_bundled_schedules(tmp_path: Path) -> None:
    written = init_project(tmp_path / "new" / "bot")
    assert written.config.read_text(encoding="utf-8") == EXAMPLE
    assert _files(written.schedules) == _files(ROOT / "schedules")
    assert sorted(path.name for path in (tmp_path / "new" / "bot").iterdir()) == [
        "config.toml",
        "schedules",
    ]


def test_init_into_an_existing_folder_keeps_what_is_there(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    init_project(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "config.toml").is_file() and (tmp_path / "schedules").is_dir()


@pytest.mark.parametrize("existing", ["config.toml", "schedules"])
def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path, existing: str) -> None:
    if existing == "schedules":
        (tmp_path / "schedules").mkdir()
        (tmp_path / "schedules" / "my.toml").write_text("# my season\n")
    else:
        (tmp_path / "config.toml").write_text("# my config\n")
    before = _files(tmp_path)
    with pytest.raises(InitError, match=rf"{existing} already exists; nothing was written"):
        init_project(tmp_path)
    assert _files(tmp_path) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [existing]


def test_init_on_a_file_says_so(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    with pytest.raises(InitError, match="is a file, not a folder"):
        init_project(tmp_path / "taken")


def test_init_command_says_what_it_wrote_and_what_it_refused(tmp_path: Path) -> None:
    done = pitboard("init", "mybot", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Wrote mybot/config.toml: every setting at its default")
    assert "cd mybot" in done.stdout and "pitboard check" in done.stdout

    again = pitboard("init", "mybot", cwd=tmp_path)
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr == (
        "pitboard init: mybot/config.toml and mybot/schedules already exist; nothing was "
        "written (move them away or choose another folder)\n"
    )


def test_version_is_the_packages() -> None:
    done = pitboard("--version", cwd=ROOT)
    assert (done.returncode, done.stdout) == (0, f"pitboard {bot.__version__}\n")


def test_outside_a_checkout_without_a_config_the_bundled_schedules_are_used(
    tmp_path: Path,
) -> None:
    done = pitboard("check", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # From a source checkout the bundled data is the checkout's own (an installed package
    # carries a copy: tests/test_packaging.py).
    assert (
        done.stdout == f"ok: 3 series, 5 events, 10 sessions, 7 drivers in {ROOT / 'schedules'}\n"
    )


def test_a_schedules_folder_in_the_working_directory_comes_first(tmp_path: Path) -> None:
    init_project(tmp_path)
    (tmp_path / "config.toml").unlink()
    done = pitboard("check", cwd=tmp_path)
    assert done.stdout == "ok: 3 series, 5 events, 10 sessions, 7 drivers in schedules\n"


def test_an_operators_config_never_falls_back_to_the_bundled_schedules(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[general]\nschedules = "season"\n')
    done = pitboard("next", cwd=tmp_path)
    assert done.returncode == 2
    assert "schedules directory 'season' not found" in done.stderr
