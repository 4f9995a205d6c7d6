"""The terminal front-end: try Pitboard without any platform token, and drive it from scripts.

`render` turns a core Reply into terminal text (ANSI colour optional); `run_console` is the
read-answer loop; `ConsolePoster` shows scheduled announcements in the same terminal. Imports
only bot.core and the standard library.
"""

from bot.frontends.console.render import display_width, render, truncate
from bot.frontends.console.repl import (
    PROMPT,
    ConsolePoster,
    ConsoleWriter,
    Dispatch,
    run_console,
    should_use_colour,
)

__all__ = [
    "PROMPT",
    "ConsolePoster",
    "ConsoleWriter",
    "Dispatch",
    "display_width",
    "render",
    "run_console",
    "should_use_colour",
    "truncate",
]
