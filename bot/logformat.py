"""How log records are written: a line of text for people, or one JSON object per line for log
collectors (Loki, Elasticsearch, journald's JSON readers), chosen by `logging.format` or
`--log-format`.

Secrets are scrubbed before a record reaches a formatter (`bot.logsafe.RedactSecrets` is a
handler filter), so the JSON holds the scrubbed message and traceback like the text does.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, and the
    traceback as `exception` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            # When the record was made (the log's own time, not the bot's injected clock:
            # a replay's log still says when things really happened).
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # RedactSecrets has turned exc_info into scrubbed exc_text; without a filter, format it.
        exception = record.exc_text or (
            self.formatException(record.exc_info) if record.exc_info else None
        )
        if exception:
            entry["exception"] = exception
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def formatter_for(kind: str) -> logging.Formatter:
    """The formatter for `logging.format`: "text" or "json"."""
    if kind == "json":
        return JsonFormatter()
    if kind == "text":
        return logging.Formatter(TEXT_FORMAT)
    raise ValueError(f"unknown log format {kind!r}")
