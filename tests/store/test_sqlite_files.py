"""The database on disk: private from the start (0700 folder, 0600 files)."""

from __future__ import annotations

import stat
from pathlib import Path

from bot.core.audience import Chat, ChatRef
from bot.store.sqlite import SQLiteStore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_database_and_its_folder_are_created_for_the_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "data" / "pitboard.sqlite3"
    async with SQLiteStore(database) as store:
        await store.upsert_chat(Chat(ChatRef("telegram", "1001"), zone="Europe/Berlin"))
        files = sorted(database.parent.iterdir())
        # The write-ahead log and shared-memory files hold the same data: private too.
        assert [f.name for f in files] == [
            "pitboard.sqlite3",
            "pitboard.sqlite3-shm",
            "pitboard.sqlite3-wal",
        ]
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    assert mode(database.parent) == 0o700


async def test_an_existing_folder_and_file_keep_their_permissions(tmp_path: Path) -> None:
    database = tmp_path / "pitboard.sqlite3"
    database.touch(mode=0o640)
    database.chmod(0o640)
    async with SQLiteStore(database):
        pass
    assert mode(database) == 0o640  # chosen by the operator, not changed behind their back
