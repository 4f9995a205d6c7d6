"""Applying operator edits to the schedule files: validated, audited, undoable (`Editor`)."""

from bot.editing.actor import CONSOLE, Actor, cli_actor
from bot.editing.editor import ADMINS_ONLY, Editor
from bot.editing.outcome import EditOutcome, EditPreview

__all__ = ["ADMINS_ONLY", "CONSOLE", "Actor", "EditOutcome", "EditPreview", "Editor", "cli_actor"]
