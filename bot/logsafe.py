"""Keeping secrets out of logs: every record is scrubbed of the bot tokens before it is written.

Libraries log request URLs (Telegram's carry the token in the path: /bot<token>/sendMessage),
and exceptions may quote them. Rather than trust every logger, the handlers get a filter that
replaces each token with a placeholder in the final message and any traceback text.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import TextIO

REDACTED = "<redacted>"


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a token containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        record.msg, record.args = self.scrub(message), None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = self.scrub(formatter.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


def configure_logging(
    secrets: Iterable[str],
    level: int = logging.INFO,
    stream: TextIO | None = None,
    *,
    stream_level: int | None = None,
    log_file: Path | None = None,
    formatter: logging.Formatter | None = None,
) -> None:
    """Log to stderr (or `stream`) with every token scrubbed; quiet the HTTP clients'
    per-request lines (which would repeat the token-bearing URL at every poll).

    `stream_level` raises the bar for the stream only, and `log_file` gets every record at
    `level`: the terminal front-end shares its screen with the chat, so there only warnings
    reach the screen and the rest goes to the file. `formatter`: how each record is written
    (bot.logformat; one line of text by default)."""
    formatter = formatter or logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    redact = RedactSecrets(secrets)
    handler: logging.Handler = logging.StreamHandler(stream)
    handler.setLevel(stream_level or level)
    handlers = [handler]
    if log_file is not None:
        # Beside the database, whose folder is the owner's alone (bot.store.sqlite_files).
        log_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for one in handlers:
        one.setFormatter(formatter)
        one.addFilter(redact)
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(level)
    # Whatever would reach stderr around the log goes through it, and so through the filter:
    # warnings, and an exception nobody caught (python-telegram-bot's InvalidToken quotes
    # the token in its message; the default hook would print it whole).
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
    for noisy in ("httpx", "httpcore", "apscheduler", "discord.gateway", "discord.http"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _log_uncaught(
    kind: type[BaseException], error: BaseException, traceback: TracebackType | None
) -> None:
    logging.getLogger("pitboard").critical("uncaught error", exc_info=(kind, error, traceback))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)
