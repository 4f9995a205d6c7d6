"""What the Telegram edit tests share: the bot on a copy of the schedules to edit, and an admin
starting the guided /edit and walking it by its buttons' labels, as a person would."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.core.clock import Clock
from bot.runtime import Runtime
from tests.fakes.telegram_api import FakeTelegram, SentMessage
from tests.telegram.harness import ADMIN, SCHEDULES, running_bot

TIMEOUT = 20.0  # generous: a busy 2-core machine runs eight test suites at once


def cest(text: str) -> datetime:
    """A wall time of the bundled weekends (Central European Summer Time)."""
    return datetime.fromisoformat(text + "+02:00")


def copy_schedules(tmp_path: Path) -> Path:
    folder = tmp_path / "schedules"
    shutil.copytree(SCHEDULES, folder)
    return folder


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under `folder` by its content: equal before and after means nothing changed."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def labels(message: SentMessage) -> list[str]:
    return [str(button.get("text")) for row in message.buttons for button in row]


async def next_message(fake: FakeTelegram, chat: int) -> SentMessage:
    return await fake.wait_for_message(chat, timeout=TIMEOUT)


@asynccontextmanager
async def editing_bot(
    tmp_path: Path, clock: Clock, schedules: Path, **options: Any
) -> AsyncIterator[tuple[FakeTelegram, Runtime]]:
    """The bot for an edit test: on `schedules` (a copy: edits write files) and posting to no
    channel; `options` as `running_bot` takes them (followers, admins, ...)."""
    async with running_bot(tmp_path, clock, channels=(), schedules=schedules, **options) as bot:
        yield bot


async def start_edit(fake: FakeTelegram, chat: int = ADMIN) -> SentMessage:
    """The admin sends a bare /edit in `chat` (their private chat by default, or a group);
    returns the first menu."""
    fake.push_message(chat, "/edit", user_id=ADMIN)
    return await next_message(fake, chat)


async def walk(
    fake: FakeTelegram, chat: int, *choices: str, user: int | None = None
) -> SentMessage:
    """Press `choices` one after another, each on the message the previous press brought (the
    first on the latest message sent to `chat`); returns the message after the last press."""
    message = fake.sent(chat)[-1]
    for label in choices:
        fake.press(chat, message.message_id, label, user_id=user)
        message = await next_message(fake, chat)
    return message


def transcript(messages: list[SentMessage], *, start: int = 0) -> str:
    """The messages as a person reads them, with their buttons: for the README's example."""
    out = []
    for message in messages[start:]:
        out.append(message.text)
        if message.buttons:
            out.append("  " + "  ".join(f"[{label}]" for label in labels(message)))
        out.append("")
    return "\n".join(out)
