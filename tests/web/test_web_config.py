"""The `web` section: defaults, and every mistake named by its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, WebConfig, load_config


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "pitboard.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, {})
    return [line.removeprefix(f"{path}: ") for line in str(caught.value).splitlines()]


def test_defaults_are_off_and_on_loopback():
    web = WebConfig()
    assert (web.enabled, web.host, web.port) == (False, "127.0.0.1", 8080)
    assert web.base_url() == "http://127.0.0.1:8080"


def test_a_section_is_read(tmp_path: Path):
    path = tmp_path / "pitboard.toml"
    path.write_text(
        '[web]\nenabled = "auto"\nhost = "::1"\nport = 9000\n'
        'public_url = "https://bot.example.org/pitboard/"\nmax_outbox_lag_seconds = 60\n',
        encoding="utf-8",
    )
    config = load_config(path, {})
    assert config.web == WebConfig("auto", "::1", 9000, "https://bot.example.org/pitboard/", 60)
    assert config.web.base_url() == "https://bot.example.org/pitboard"


def test_an_ipv6_host_is_bracketed_in_links():
    assert WebConfig(host="::1", port=9000).base_url() == "http://[::1]:9000"


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[web]\nport = 0", "web.port: expected a port from 1 to 65535, got 0"),
        ("[web]\nport = 70000", "web.port: expected a port from 1 to 65535, got 70000"),
        ('[web]\nport = "8080"', 'web.port: expected an integer, got "8080"'),
        ('[web]\nhost = ""', "web.host: expected a host name or address"),
        (
            '[web]\nhost = "local host"',
            'web.host: expected a host name or address such as "127.0.0.1", got "local host"',
        ),
        (
            '[web]\npublic_url = "bot.example.org"',
            "web.public_url: expected a URL starting with https:// or http://",
        ),
        ('[web]\nenabled = "yes"', 'web.enabled: expected true or false or "auto", got "yes"'),
        ("[web]\nmax_outbox_lag_seconds = 0", "web.max_outbox_lag_seconds: must be more than 0"),
        ("[web]\nprot = 9000", 'web.prot: unknown key; did you mean "web.port"?'),
    ],
)
def test_a_bad_value_names_its_key(tmp_path: Path, toml: str, expected: str):
    problems = problems_of(tmp_path, toml)
    assert len(problems) == 1
    assert problems[0].startswith(expected), problems[0]


def test_the_web_port_cannot_be_the_webhook_port(tmp_path: Path):
    problems = problems_of(
        tmp_path,
        '[telegram]\nmode = "webhook"\nwebhook_url = "https://bot.example.org/tg"\n'
        "webhook_port = 8443\n[web]\nport = 8443\n",
    )
    assert problems == [
        "web.port: 8443 is telegram.webhook_port too; give the web server another port"
    ]
