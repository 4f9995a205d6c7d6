"""The config loader: the example file is the defaults; every mistake is named, key by key."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from bot.config import (
    Config,
    ConfigError,
    DiscordConfig,
    load_config,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"
TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
# Shaped like a real token (the config checks shapes) but assembled, so that no committed
# line looks like a leaked secret to the repository's token scan.
DISCORD_TOKEN = ".".join(["MTk4NjIyNDgzNDcxOTI1MjQ4", "Cl2FMQ", "ZnCjm1XVW7vRze4b7Cq4se7kKWs"])


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pitboard.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path | None, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, env or {})
    return str(caught.value).splitlines()


# --- the example file is the defaults ------------------------------------------------------------


def test_example_file_loads_to_exactly_the_defaults():
    assert load_config(EXAMPLE, {}) == Config()


def test_example_file_lists_every_key_and_nothing_else():
    # Equality above cannot see a key left out of the example (it would keep its default anyway).
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    defaults = Config()
    # From the environment only.
    secrets = {
        "telegram_token",
        "discord_token",
        "telegram_webhook_secret",
        "database_url_from_env",
    }
    assert set(raw) == {f.name for f in fields(Config)} - secrets
    for name, table in raw.items():
        assert set(table) == {f.name for f in fields(getattr(defaults, name))}, name


def test_every_key_in_the_example_has_a_comment_on_the_line_above():
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            assert lines[number - 1].startswith("# "), f"line {number + 1}: {line}"


def test_no_file_means_the_defaults():
    config = load_config(None, {})
    assert config == Config()
    assert config.general.timezone == "Europe/Stockholm"
    assert config.announcements.reminder_minutes == (60, 15)


def test_a_partial_file_overrides_only_what_it_names(tmp_path):
    path = write(
        tmp_path,
        """
        [general]
        timezone = "Europe/Berlin"
        [announcements]
        reminder_minutes = [30]
        [telegram]
        channels = [-1001234567890, "@pitboard_news"]
        admins = [42]
        global_per_second = 10
        """,
    )
    config = load_config(path, {})
    assert config.general.timezone == "Europe/Berlin"
    assert config.general.language == "en"
    assert config.announcements.reminder_minutes == (30,)
    assert config.announcements.preview_days == 2
    assert config.telegram.channels == (-1001234567890, "@pitboard_news")
    assert config.telegram.admins == (42,)
    assert config.telegram.global_per_second == 10.0
    assert config.discord == DiscordConfig()


def test_paths_become_path_objects(tmp_path):
    path = write(tmp_path, '[general]\ndatabase = "/var/lib/pitboard/db.sqlite3"\n')
    assert load_config(path, {}).general.database == Path("/var/lib/pitboard/db.sqlite3")


# --- unknown keys --------------------------------------------------------------------------------


def test_unknown_key_is_named_with_the_nearest_known_key(tmp_path):
    path = write(tmp_path, "[telegram]\nadmin = [1]\n")
    assert problems_of(path) == [
        f'{path}: telegram.admin: unknown key; did you mean "telegram.admins"?'
    ]


def test_unknown_section_is_named_with_the_nearest_section(tmp_path):
    path = write(tmp_path, "[telegam]\nenabled = false\n")
    assert problems_of(path) == [f'{path}: telegam: unknown section; did you mean "telegram"?']


def test_a_key_in_the_wrong_section_points_to_the_right_one(tmp_path):
    path = write(tmp_path, '[announcements]\ntimezone = "UTC"\n')
    assert problems_of(path) == [
        f'{path}: announcements.timezone: unknown key; did you mean "general.timezone"?'
    ]


def test_an_unknown_key_with_nothing_near_lists_what_is_known(tmp_path):
    path = write(tmp_path, "[announcements]\nxyzzy = 1\n")
    assert problems_of(path) == [
        f"{path}: announcements.xyzzy: unknown key; known: "
        "live_grace_minutes, preview_days, reminder_minutes"
    ]


# --- wrong types and bad values ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[telegram]\nwebhook_port = "8443"',
            'telegram.webhook_port: expected an integer, got "8443"',
        ),
        (
            "[telegram]\nwebhook_port = true",
            "telegram.webhook_port: expected an integer, got true or false",
        ),
        (
            '[telegram]\nenabled = "yes"',
            'telegram.enabled: expected true or false or "auto", got "yes"',
        ),
        (
            "[telegram]\nenabled = 1",
            'telegram.enabled: expected true or false or "auto", got an integer',
        ),
        (
            '[telegram]\nmode = "hook"',
            'telegram.mode: expected one of "polling", "webhook", got "hook"',
        ),
        ("[telegram]\nadmins = 42", "telegram.admins: expected a list of integers, got an integer"),
        ('[telegram]\nadmins = [1, "2"]', 'telegram.admins[1]: expected an integer, got "2"'),
        (
            "[telegram]\nchannels = [1.5]",
            "telegram.channels[0]: expected an integer or a string, got a number",
        ),
        (
            '[telegram]\nglobal_per_second = "30"',
            'telegram.global_per_second: expected a number, got "30"',
        ),
        (
            '[general]\nschedules = ""',
            "general.schedules: expected a path (a non-empty string), got a string",
        ),
        ("[general]\ntimezone = 1", "general.timezone: expected a string, got an integer"),
        ("general = 1", "general: expected a table ([general]), got an integer"),
        (
            "[announcements]\npreview_days = 2022-05-13",
            "announcements.preview_days: expected an integer, got a date or time",
        ),
    ],
)
def test_wrong_type_names_the_key_and_the_expected_type(tmp_path, toml, expected):
    path = write(tmp_path, toml + "\n")
    assert problems_of(path) == [f"{path}: {expected}"]


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[general]\ntimezone = "Europe/Stokholm"',
            'general.timezone: unknown time zone "Europe/Stokholm"; '
            'did you mean "Europe/Stockholm"?',
        ),
        (
            '[general]\ntimezone = "Mars/Olympus"',
            'general.timezone: unknown time zone "Mars/Olympus" '
            '(an IANA name such as "Europe/Berlin")',
        ),
        (
            '[general]\ntimezone = "../../etc/passwd"',
            'general.timezone: unknown time zone "../../etc/passwd" '
            '(an IANA name such as "Europe/Berlin")',
        ),
        (
            '[general]\nlanguage = "English"',
            'general.language: expected a language code such as "en" or "sv", got "English"',
        ),
        (
            "[announcements]\nreminder_minutes = [60, 0]",
            "announcements.reminder_minutes: must be more than 0, got 0",
        ),
        (
            "[announcements]\npreview_days = -1",
            "announcements.preview_days: must be at least 0, got -1",
        ),
        (
            "[telegram]\nwebhook_port = 70000",
            "telegram.webhook_port: expected a port from 1 to 65535, got 70000",
        ),
        (
            "[telegram]\nper_chat_per_second = 0",
            "telegram.per_chat_per_second: must be more than 0, got 0",
        ),
        (
            "[telegram]\nglobal_per_second = nan",
            "telegram.global_per_second: must be a finite number, got nan",
        ),
        (
            "[discord]\nglobal_per_second = inf",
            "discord.global_per_second: must be a finite number, got inf",
        ),
        (
            '[telegram]\napi_base_url = "api.telegram.org"',
            "telegram.api_base_url: expected a URL starting with https:// or http://",
        ),
        (
            '[telegram]\nwebhook_url = "http://bot.example.org/hook"',
            "telegram.webhook_url: expected a URL starting with https://",
        ),
        (
            '[telegram]\nchannels = ["pitboard"]',
            'telegram.channels: expected a chat id or "@channelname", got "pitboard"',
        ),
        (
            '[discord]\ngateway_url = "https://gateway.discord.gg"',
            "discord.gateway_url: expected a URL starting with wss:// or ws://",
        ),
        ("[discord]\nsync_guild = -5", "discord.sync_guild: must be at least 0, got -5"),
        (
            '[telegram]\nmode = "webhook"',
            'telegram.webhook_url: required when telegram.mode is "webhook"',
        ),
    ],
)
def test_bad_value_names_the_key_and_what_is_wrong(tmp_path, toml, expected):
    path = write(tmp_path, toml + "\n")
    assert problems_of(path) == [f"{path}: {expected}"]


def test_webhook_mode_with_an_https_url_is_accepted(tmp_path):
    path = write(
        tmp_path, '[telegram]\nmode = "webhook"\nwebhook_url = "https://bot.example.org/tg"\n'
    )
    telegram = load_config(path, {}).telegram
    assert (telegram.mode, telegram.webhook_url) == ("webhook", "https://bot.example.org/tg")


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(
        tmp_path,
        '[general]\ntimezone = "Nowhere/Town"\nlangauge = "sv"\n[discord]\nadmins = ["me"]\n',
    )
    lines = problems_of(path)
    assert [line.split(": ")[1] for line in lines] == [
        "general.timezone",
        "general.langauge",
        "discord.admins[0]",
    ]


# --- the file itself -----------------------------------------------------------------------------


def test_a_file_asked_for_by_name_must_exist(tmp_path):
    missing = tmp_path / "nope.toml"
    assert problems_of(missing) == [f"{missing}: no such file"]


def test_broken_toml_names_file_and_line(tmp_path):
    path = write(tmp_path, '[general]\ntimezone = "Europe/Berlin"\nlanguage = en\n')
    (line,) = problems_of(path)
    assert line.startswith(f"{path}: line 3, column 12: not valid TOML: ")


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[general]\nlanguage = "sv"\n# Bäckman\n'.encode("latin-1"))
    (line,) = problems_of(path)
    assert line.startswith(f"{path}: not UTF-8 text")


# --- tokens: from the environment only, never shown ----------------------------------------------


def test_tokens_come_from_the_environment():
    config = load_config(
        None, {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "DISCORD_BOT_TOKEN": DISCORD_TOKEN}
    )
    assert config.telegram_token == TELEGRAM_TOKEN
    assert config.discord_token == DISCORD_TOKEN
    assert config.telegram_active and config.discord_active


def test_without_a_token_a_front_end_does_not_run_even_if_enabled():
    config = load_config(None, {"TELEGRAM_BOT_TOKEN": "  ", "DISCORD_BOT_TOKEN": ""})
    assert config.telegram_token is None and config.discord_token is None
    assert config.telegram.enabled == "auto" and not config.telegram_active
    assert not config.discord_active


def test_a_disabled_front_end_does_not_run_even_with_a_token(tmp_path):
    path = write(tmp_path, "[discord]\nenabled = false\n")
    config = load_config(path, {"DISCORD_BOT_TOKEN": DISCORD_TOKEN})
    assert config.discord_token == DISCORD_TOKEN
    assert not config.discord_active


def test_repr_and_str_never_show_a_token():
    config = load_config(
        None, {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "DISCORD_BOT_TOKEN": DISCORD_TOKEN}
    )
    for shown in (repr(config), str(config), f"{config}", f"{config!r}"):
        assert TELEGRAM_TOKEN not in shown and DISCORD_TOKEN not in shown
        assert "telegram_token='<hidden>'" in shown
        assert "discord_token='<hidden>'" in shown
    assert "telegram_token=None" in repr(load_config(None, {}))


def test_a_token_in_the_file_is_refused_without_repeating_it(tmp_path):
    path = write(tmp_path, f'[telegram]\ntoken = "{TELEGRAM_TOKEN}"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, {})
    assert str(caught.value) == (
        f"{path}: telegram.token: tokens are read from the TELEGRAM_BOT_TOKEN environment "
        "variable, never from a file"
    )
    assert TELEGRAM_TOKEN not in repr(caught.value)


@pytest.mark.parametrize(
    ("toml", "key", "where"),
    [
        (
            '[discord]\nbot_token = "x"',
            "discord.bot_token",
            "the DISCORD_BOT_TOKEN environment variable",
        ),
        (
            '[telegram]\nTelegram_Token = "x"',
            "telegram.Telegram_Token",
            "the TELEGRAM_BOT_TOKEN environment variable",
        ),
        (
            '[discord.auth]\naccess_token = "x"',
            "discord.auth.access_token",
            "the DISCORD_BOT_TOKEN environment variable",
        ),
        (
            'bot_token = "x"',
            "bot_token",
            "the TELEGRAM_BOT_TOKEN and DISCORD_BOT_TOKEN environment variables",
        ),
        (
            '[tokens]\ntelegram = "x"',
            "tokens",
            "the TELEGRAM_BOT_TOKEN and DISCORD_BOT_TOKEN environment variables",
        ),
    ],
)
def test_any_key_named_like_a_token_is_refused(tmp_path, toml, key, where):
    path = write(tmp_path, toml + "\n")
    assert f"{path}: {key}: tokens are read from {where}, never from a file" in problems_of(path)


def test_a_token_pasted_into_another_key_is_refused_and_not_echoed(tmp_path):
    path = write(tmp_path, f'[telegram]\nchannels = ["{TELEGRAM_TOKEN}"]\n')
    assert problems_of(path) == [
        f"{path}: telegram.channels: holds something shaped like a bot token; tokens are read "
        "from the TELEGRAM_BOT_TOKEN environment variable, never from a file"
    ]


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        (f'[telegram]\napi_base_url = "https://api.telegram.org/bot{TELEGRAM_TOKEN}/"', "telegram"),
        (f'[discord]\napi_base_url = "https://discord.com/api/v10?t={DISCORD_TOKEN}"', "discord"),
        (f'[general]\nschedules = "schedules/{TELEGRAM_TOKEN}"', "general"),
        (f'[discord]\ngateway_url = "wss://gw.example/{DISCORD_TOKEN}"', "discord"),
    ],
)
def test_a_token_shaped_value_anywhere_in_the_file_is_refused(tmp_path, toml, key):
    path = write(tmp_path, toml + "\n")
    (line,) = problems_of(path)
    assert line.startswith(f"{path}: {key}.") and "shaped like a bot token" in line
    assert TELEGRAM_TOKEN not in line and DISCORD_TOKEN not in line


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[announcements]\npreview_days = 9223372036854775807", "must be at most 366"),
        ("[announcements]\nreminder_minutes = [60, 9223372036854775807]", "must be at most 43200"),
        ("[announcements]\nlive_grace_minutes = 100000000000", "must be at most 1440"),
        ("[telegram]\nglobal_per_second = 1e300", "must be at most 1000000000"),
        ("[discord]\nglobal_per_second = 1e300", "must be at most 1000000000"),
    ],
)
def test_huge_numbers_are_named_not_overflowed_later(tmp_path, toml, message):
    path = write(tmp_path, toml + "\n")
    (line,) = problems_of(path)
    assert message in line


def test_a_front_end_enabled_in_the_file_without_its_token_is_named(tmp_path):
    path = write(tmp_path, "[telegram]\nenabled = true\n[discord]\nenabled = true\n")
    config = load_config(path, {"DISCORD_BOT_TOKEN": "  "})
    (telegram, discord) = config.missing_tokens()
    assert telegram.startswith("telegram.enabled is true but TELEGRAM_BOT_TOKEN is not set")
    assert discord.startswith("discord.enabled is true but DISCORD_BOT_TOKEN is not set")
    assert load_config(None, {}).missing_tokens() == []  # "auto": the terminal, no error


def test_a_token_with_spaces_or_quotes_is_refused_without_repeating_it():
    lines = problems_of(None, {"TELEGRAM_BOT_TOKEN": f'"{TELEGRAM_TOKEN}"'})
    assert lines == [
        "environment: TELEGRAM_BOT_TOKEN: contains spaces or quotes; set the token alone"
    ]
