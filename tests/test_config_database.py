"""The database setting: SQLite by default, PostgreSQL by database.url or DATABASE_URL; a
password only ever from the environment, and never shown."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import DATABASE_URL_ENV, ConfigError, load_config
from bot.logsafe import RedactSecrets

PASSWORD = "s3cret-Pa55"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sqlite_is_the_default() -> None:
    config = load_config(None, {})
    assert config.database_url == ""
    assert config.secrets == []


def test_a_postgresql_url_in_the_file_selects_postgresql(tmp_path: Path) -> None:
    url = "postgresql://pitboard@db.example.org:5432/pitboard"
    config = load_config(write(tmp_path, f'[database]\nurl = "{url}"\n'), {})
    assert config.database_url == url


def test_the_environment_wins_and_its_password_is_a_secret(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "postgresql://pitboard@file-host/pitboard"\n')
    url = f"postgresql://pitboard:{PASSWORD}@env-host:5432/pitboard"
    config = load_config(path, {DATABASE_URL_ENV: url})
    assert config.database_url == url
    assert config.secrets == [PASSWORD]
    assert PASSWORD not in repr(config)
    record = logging.LogRecord("x", logging.ERROR, "", 0, "connecting to %s", (url,), None)
    RedactSecrets(config.secrets).filter(record)
    assert PASSWORD not in record.getMessage()


def test_a_password_in_the_file_is_refused_without_quoting_it(tmp_path: Path) -> None:
    url = f"postgresql://pitboard:{PASSWORD}@db.example.org/pitboard"
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, f'[database]\nurl = "{url}"\n'), {})
    assert "database.url: holds a password" in str(raised.value)
    assert DATABASE_URL_ENV in str(raised.value)
    assert PASSWORD not in str(raised.value)


@pytest.mark.parametrize(
    "url", ["sqlite:///data/pitboard.sqlite3", "mysql://u@h/db", "postgresql://h:port/db"]
)
def test_anything_but_a_postgresql_url_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match=r"database\.url: "):
        load_config(write(tmp_path, f'[database]\nurl = "{url}"\n'), {})
    with pytest.raises(ConfigError) as raised:
        load_config(None, {DATABASE_URL_ENV: url})
    assert f"environment: {DATABASE_URL_ENV}: expected a URL starting with postgresql://" in str(
        raised.value
    )
    assert url not in str(raised.value)  # an environment value is never echoed


def test_a_process_name_is_checked(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[database]\nprocess_name = "worker-1"\n'), {})
    assert config.database.process_name == "worker-1"
    with pytest.raises(ConfigError, match=r"database\.process_name: expected up to 64"):
        load_config(write(tmp_path, '[database]\nprocess_name = "a/b"\n'), {})
