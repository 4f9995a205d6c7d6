"""Tokens never reach the logs, and a config file that holds one is refused."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.core.clock import ScaledClock
from bot.logsafe import REDACTED, RedactSecrets, configure_logging
from tests.telegram.test_end_to_end import BEFORE_REMINDER, FAN, containing, running_bot


def test_the_filter_scrubs_messages_arguments_and_tracebacks() -> None:
    token = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets([token]))
    log = logging.getLogger("test.secrets")
    log.addHandler(handler)
    try:
        log.warning("POST https://api.telegram.org/bot%s/sendMessage", token)
        try:
            raise RuntimeError(f"failed calling /bot{token}/getMe")
        except RuntimeError:
            log.exception("boom")
    finally:
        log.removeHandler(handler)
    assert token not in stream.getvalue()
    assert stream.getvalue().count(REDACTED) == 2  # the message and the exception text


async def test_a_full_telegram_run_logs_no_token(tmp_path: Path) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    clock = ScaledClock(BEFORE_REMINDER, speed=1.0, started=False)
    async with running_bot(tmp_path, clock, start_clock=False) as (fake, runtime):
        # Everything, even the HTTP libraries' debug lines with the token in each URL.
        configure_logging([fake.token], level=logging.DEBUG, stream=stream)
        for noisy in ("httpx", "httpcore", "telegram", "apscheduler"):
            logging.getLogger(noisy).setLevel(logging.DEBUG)
        try:
            fake.push_message(FAN, "/subscribe 24h-series-2022")
            await fake.wait_for_message(FAN, containing("Following"))
            fake.block(FAN)  # an error path too: a 403 is logged
            runtime.start_clock()  # the reminder, half a second away, goes to FAN and the channel
            fake.push_message(FAN, "/next")
            await fake.wait_for(lambda: fake.calls("sendMessage")[2:] or None)
        finally:
            root.handlers[:], _ = saved[0], root.setLevel(saved[1])
    logs = stream.getvalue()
    assert "sendMessage" in logs or "getUpdates" in logs  # the HTTP lines were there
    assert fake.token not in logs
    assert fake.token.split(":", 1)[1] not in logs


@pytest.mark.parametrize("key", ["token", "bot_token", "discord_token"])
def test_a_config_file_with_a_token_is_refused(tmp_path: Path, key: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[telegram]\n{key} = "123:ABC"\n')
    with pytest.raises(ConfigError) as error:
        load_config(config, {})
    assert "environment" in str(error.value) and "123:ABC" not in str(error.value)
