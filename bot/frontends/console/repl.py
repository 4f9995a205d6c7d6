"""The terminal front-end: a read-answer loop over the core's dispatch, and a poster that shows
scheduled announcements in the same terminal.

One `ConsoleWriter` owns the output stream, the colour choice and an asyncio.Lock; the loop's
answers and the poster's announcements both go through it. That is why `run_console` takes a
writer rather than a bare stdout and colour flag: the app builds one writer, hands it to
`run_console` and to `ConsolePoster`, and the two can never write over each other. The writer
also knows whether the prompt is on screen, so an announcement arriving while the user is at
the prompt moves to a fresh line and redraws the prompt after itself.

Input is read by a daemon thread, so the event loop keeps running (the scheduler fires, the
poster writes) while the prompt waits; a daemon thread, not the default executor, because a
thread blocked in readline() would otherwise keep the program from exiting after Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import threading
from collections.abc import Awaitable, Callable
from typing import TextIO, TypeVar

from bot.core.reply import Reply
from bot.frontends.console.files import default_directory, save_attachment
from bot.frontends.console.render import render
from bot.frontends.console.spoilers import SpoilerShelf

__all__ = [
    "PROMPT",
    "ConsolePoster",
    "ConsoleWriter",
    "Dispatch",
    "run_console",
    "should_use_colour",
]

PROMPT = "pitboard> "
EXIT_WORDS = frozenset({"exit", "quit", "/exit", "/quit"})
DEFAULT_WIDTH = 100

Dispatch = Callable[[str], Awaitable[Reply]]
_T = TypeVar("_T")


def should_use_colour(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when the user asked for none (https://no-color.org)
    or the terminal cannot show it."""
    try:
        is_tty = stream.isatty()
    except (AttributeError, ValueError, OSError):  # a closed or stream-like object
        return False
    if not is_tty or os.environ.get("NO_COLOR", ""):
        return False
    return os.environ.get("TERM") != "dumb"


class ConsoleWriter:
    """Everything written to the terminal, one whole block at a time, under one lock.

    Blocks are separated by one blank line. `width=None` follows the terminal's current width
    (falling back to 100 columns when the stream is not a terminal).
    """

    def __init__(self, stream: TextIO, *, colour: bool, width: int | None = None) -> None:
        self.stream = stream
        self.colour = colour
        self._width = width
        self.lock = asyncio.Lock()
        self._prompt_showing = False
        self._gap_needed = False  # a block was written: the next one starts after a blank line
        # Results kept back in a spoiler-safe chat, for replies and posts alike.
        self.spoilers = SpoilerShelf()
        # Where images (charts) are written: the terminal shows their paths.
        self.files_directory = default_directory()

    @property
    def width(self) -> int:
        if self._width is not None:
            return self._width
        if _is_tty(self.stream):
            return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
        return DEFAULT_WIDTH

    async def write_reply(self, reply: Reply, *, header: str | None = None) -> None:
        text = render(reply, colour=self.colour, width=self.width)
        if reply.attachment is not None:
            path = await asyncio.to_thread(save_attachment, reply.attachment, self.files_directory)
            text = f"{text}\nChart: {path}" if text else f"Chart: {path}"
        if header:
            marker = f"» {header}"
            marker = f"\x1b[1;36m{marker}\x1b[22;39m" if self.colour else marker
            text = f"{marker}\n{text}" if text else marker
        await self.write_block(text)

    async def write_error(self, message: str) -> None:
        line = f"error: {message}"
        await self.write_block(f"\x1b[31m{line}\x1b[39m" if self.colour else line)

    async def write_block(self, text: str) -> None:
        """Write `text` as one block; if the prompt is showing, around it (see module doc)."""
        if not text:
            return
        async with self.lock:
            interrupted_prompt = self._prompt_showing
            out = "\n" if interrupted_prompt else ""
            if self._gap_needed and not interrupted_prompt:
                out += "\n"
            out += text + "\n"
            if interrupted_prompt:
                out += "\n" + PROMPT
            else:
                self._gap_needed = True
            self._write(out)

    async def show_prompt(self) -> None:
        async with self.lock:
            self._write(("\n" if self._gap_needed else "") + PROMPT)
            self._gap_needed = False
            self._prompt_showing = True

    async def end_prompt(self, *, newline: bool) -> None:
        """The prompt was answered; `newline` when the terminal did not move to a new line
        itself (Ctrl-D or Ctrl-C at the prompt, unlike Enter)."""
        async with self.lock:
            if newline and self._prompt_showing:
                self._write("\n")
            self._prompt_showing = False

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


class ConsolePoster:
    """Shows announcements (from the scheduler) in the terminal between the loop's answers."""

    def __init__(self, writer: ConsoleWriter) -> None:
        self.writer = writer

    async def post(self, reply: Reply, *, header: str | None = None) -> None:
        await self.writer.write_reply(reply, header=header)


class _LineSource:
    """Lines of `stream`, read by a daemon thread and handed to the event loop; None at EOF."""

    def __init__(self, stream: TextIO) -> None:
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(
            target=self._pump, args=(stream,), name="console-input", daemon=True
        )
        self._thread.start()

    def _pump(self, stream: TextIO) -> None:
        try:
            for raw in iter(stream.readline, ""):
                self._hand_over(raw)
        except (OSError, ValueError):  # stdin closed under us: treat as end of input
            pass
        finally:
            self._hand_over(None)

    def _hand_over(self, item: str | None) -> None:
        # The loop may be gone already (the console returned and the app shut down).
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)

    async def readline(self) -> str | None:
        return await self._queue.get()


class _Interrupted(Exception):
    """Ctrl-C arrived while waiting."""


async def _unless_interrupted(awaitable: Awaitable[_T], stop: asyncio.Event) -> _T:
    """`awaitable`'s result, or _Interrupted (after cancelling it) if `stop` is set first."""
    work = asyncio.ensure_future(awaitable)
    if stop.is_set():
        work.cancel()
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({work, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        if not work.done():
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work
    if work.cancelled():
        raise _Interrupted
    return work.result()


def _command(raw: str) -> str | None:
    """The command a raw input line asks for, or None for a line to skip."""
    stripped = raw.strip()
    if not stripped or stripped.startswith("#"):
        return None
    return stripped if stripped.startswith("/") else "/" + stripped


async def run_console(
    dispatch: Dispatch,
    *,
    stdin: TextIO,
    writer: ConsoleWriter,
    interactive: bool,
    banner: str = "",
    catch_interrupt: bool = True,
) -> int:
    """Answer commands read from `stdin` until end of input or "exit"/"quit"; the exit status.

    Interactive (a terminal): banner and prompt; Ctrl-C ends the console and returns 0 (with
    `catch_interrupt`, a SIGINT handler is installed on the running loop for the duration; pass
    False when the app owns SIGINT). Piped: no banner, no prompt, one command per line, blank
    lines and "#" comments skipped; returns 1 if any command raised, else 0. Either way a
    failing command prints "error: ..." and the loop goes on.
    """
    stop = asyncio.Event()
    handler_installed = interactive and catch_interrupt and _install_sigint(stop)
    failures = 0
    try:
        if interactive and banner:
            await writer.write_block(banner)
        source = _LineSource(stdin)
        while True:
            if interactive:
                await writer.show_prompt()
            try:
                raw = await _unless_interrupted(source.readline(), stop)
            except _Interrupted:
                await writer.end_prompt(newline=True)
                return 0
            if interactive:
                await writer.end_prompt(newline=raw is None)
            if raw is None:
                break
            if raw.strip().lower() in EXIT_WORDS:
                break
            command = _command(raw)
            if command is None:
                continue
            try:
                reply = await _unless_interrupted(dispatch(command), stop)
            except _Interrupted:
                return 0
            except Exception as error:  # any bug in one command must not end the session
                failures += 1
                await writer.write_error(str(error) or type(error).__name__)
                continue
            await writer.write_reply(reply)
    finally:
        if handler_installed:
            _remove_sigint()
    return 1 if failures and not interactive else 0


def _install_sigint(stop: asyncio.Event) -> bool:
    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)
    except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
        return False
    return True


def _remove_sigint() -> None:
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)
