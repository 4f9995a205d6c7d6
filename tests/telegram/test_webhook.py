"""Webhook mode end to end: the fake Bot API pushes updates to the bot's webhook with the secret
token the bot gave setWebhook; a forged update without it is refused (403), logged, and runs
nothing."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import ConfigError, load_config
from bot.core.audience import ChatRef, Subscription
from bot.core.clock import FixedClock
from bot.frontends.telegram.webhook import SECRET_HEADER, SECRET_KEY
from tests.fakes.telegram_api import FakeTelegram
from tests.telegram.harness import ADMIN, FAN, OTHER_FAN, QUIET_DAY, bot_on, containing


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_settings(port: int) -> dict[str, Any]:
    return {
        "mode": "webhook",
        "webhook_url": f"http://127.0.0.1:{port}/pitboard",
        "webhook_listen": "127.0.0.1",
        "webhook_port": port,
    }


def forged_announce() -> dict[str, Any]:
    """What an attacker who knows an admin's user id would POST."""
    text = "/announce Free beer at the paddock"
    return {
        "update_id": 999_001,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": ADMIN, "type": "private", "first_name": "Boss"},
            "from": {"id": ADMIN, "is_bot": False, "first_name": "Boss"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len("/announce")}],
        },
    }


async def test_updates_arrive_by_webhook_and_a_forged_one_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="pitboard.telegram")
    port = free_port()
    async with (
        FakeTelegram() as fake,
        bot_on(
            fake, tmp_path, FixedClock(QUIET_DAY), channels=(), **webhook_settings(port)
        ) as runtime,
    ):
        (call,) = fake.calls("setWebhook")  # checked against the Bot API spec by the fake
        secret, url = call["secret_token"], call["url"]
        assert secret == await runtime.store.get_value(SECRET_KEY)  # generated and kept
        assert len(secret) >= 32
        prefix = f"http://127.0.0.1:{port}/pitboard/"
        assert url.startswith(prefix) and len(url.removeprefix(prefix)) == 32
        assert secret not in url

        # A fan's command, pushed by the fake with the secret header, is answered.
        await runtime.store.set_subscription(
            Subscription(ChatRef("telegram", str(OTHER_FAN)), series=frozenset({"stcc-2022"}))
        )
        fake.push_message(FAN, "/next")
        assert "Free Practice" in (await fake.wait_for_message(FAN, timeout=20)).text
        assert 200 in fake.webhook_answers

        async with aiohttp.ClientSession() as session:
            for headers in ({}, {SECRET_HEADER: "guessed"}, {SECRET_HEADER: secret[:-1]}):
                async with session.post(url, json=forged_announce(), headers=headers) as r:
                    assert r.status == 403
            guessable = f"http://127.0.0.1:{port}/"
            async with session.post(guessable, json=forged_announce()) as r:
                assert r.status == 404

        # The admin's real command still works, and it is the only thing the admin got.
        fake.push_message(ADMIN, "/status")
        await fake.wait_for_message(ADMIN, containing("Pitboard"), timeout=20)
        assert len(fake.sent(ADMIN)) == 1
        assert await runtime.store.announcement_keys("free|") == set()
        assert not any("Free beer" in m.text for m in fake.all_sent())
        refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
        assert len(refusals) == 3
        assert not any(secret in line or "guessed" in line for line in refusals)


async def test_the_secret_comes_from_the_environment_and_survives_a_restart(
    tmp_path: Path,
) -> None:
    port = free_port()
    given = "A_secret-from-the-environment_0123456789"
    async with FakeTelegram() as fake:
        settings = webhook_settings(port)
        async with bot_on(
            fake, tmp_path, FixedClock(QUIET_DAY), channels=(), webhook_secret=given, **settings
        ) as runtime:
            assert fake.calls("setWebhook")[-1]["secret_token"] == given
            assert await runtime.store.get_value(SECRET_KEY) is None  # nothing written
        async with bot_on(fake, tmp_path, FixedClock(QUIET_DAY), channels=(), **settings):
            generated = fake.calls("setWebhook")[-1]
        async with bot_on(fake, tmp_path, FixedClock(QUIET_DAY), channels=(), **settings):
            again = fake.calls("setWebhook")[-1]
            assert (again["secret_token"], again["url"]) == (
                generated["secret_token"],
                generated["url"],
            )
            fake.push_message(FAN, "/next")
            assert "Free Practice" in (await fake.wait_for_message(FAN, timeout=20)).text


def test_the_webhook_secret_is_read_from_the_environment_and_never_echoed() -> None:
    env = {"TELEGRAM_WEBHOOK_SECRET": "Fine_secret-123"}
    config = load_config(None, env)
    assert config.telegram_webhook_secret == "Fine_secret-123"
    assert "Fine_secret" not in repr(config)
    with pytest.raises(ConfigError) as refused:
        load_config(None, {"TELEGRAM_WEBHOOK_SECRET": "has spaces and ümlauts"})
    assert "TELEGRAM_WEBHOOK_SECRET" in str(refused.value)
    assert "ümlauts" not in str(refused.value)
