"""Who makes an edit: the audit log's "by", and whether they may edit at all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    platform: str  # "telegram" | "discord" | "console" | "cli"
    user_id: str | None
    display: str | None = None  # "@anna", "anna#0": for people reading the log
    is_admin: bool = False

    @property
    def label(self) -> str:
        """As the audit log shows it: `telegram:12345 (@anna)`, `cli:alice`, `console`."""
        if self.platform == "console":  # the operator at the terminal
            return "console"
        who = f"{self.platform}:{self.user_id}" if self.user_id else self.platform
        return f"{who} ({self.display})" if self.display else who


CONSOLE = Actor("console", None, None, is_admin=True)


def cli_actor(name: str) -> Actor:
    """The operator at the command line (an admin: they can edit the files anyway)."""
    return Actor("cli", name, None, is_admin=True)
