"""No token in any output of `pitboard run`, whichever way it ends: a token the platform
rejects (python-telegram-bot quotes it in InvalidToken's message), a start refused for another
reason, and a normal stop. Run as a user runs it, against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
SCHEDULES = ROOT / "schedules"
# Shaped like a real token, assembled so that no committed line looks like a leaked one.
REJECTED = ":".join(["987654321", "AAH" + "rejected" * 4 + "Zz9"])


async def start(tmp_path: Path, base_url: str, token: str) -> asyncio.subprocess.Process:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[general]\nschedules = "{SCHEDULES}"\ndatabase = "{tmp_path / "db.sqlite3"}"\n'
        f'[telegram]\nenabled = true\napi_base_url = "{base_url}"\n',
        "utf-8",
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "run",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": token},
    )


def assert_no_token(output: str, token: str) -> None:
    secret = token.split(":", 1)[1]
    assert secret not in output and token not in output
    assert secret[:12] not in output  # not even a recognisable part of it


async def test_a_rejected_token_is_named_but_never_printed(tmp_path: Path) -> None:
    async with FakeTelegram(allow_violations=True) as fake:
        process = await start(tmp_path, fake.base_url.removesuffix("/bot"), REJECTED)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
        assert fake.calls("getMe"), "the token was tried against the fake and refused"
    output = stdout.decode() + stderr.decode()
    assert process.returncode == 2, output
    assert "Telegram rejected the bot token in TELEGRAM_BOT_TOKEN" in output
    assert "Traceback" not in output
    assert_no_token(output, REJECTED)


async def test_a_full_start_and_stop_prints_no_token(tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        process = await start(tmp_path, fake.base_url.removesuffix("/bot"), fake.token)
        async with asyncio.timeout(120):
            while not fake.calls("getUpdates"):  # noqa: ASYNC110 - the fake records, not signals
                await asyncio.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    output = stdout.decode() + stderr.decode()
    assert process.returncode == 0, output
    assert "telegram front-end started" in output
    assert_no_token(output, fake.token)
