"""The console loop and poster, driven the way a user or a script drives them."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

import pytest

from bot.core.reply import Reply, ReplyStatus, bold, line, paragraph, problem
from bot.frontends.console import (
    PROMPT,
    ConsolePoster,
    ConsoleWriter,
    run_console,
    should_use_colour,
)


class CommandFailed(Exception):
    pass


async def echo_dispatch(command: str) -> Reply:
    """A small stand-in for the core: answers by echoing, fails on /boom."""
    if command == "/boom":
        raise CommandFailed("the timing feed is down")
    if command == "/bare":
        raise RuntimeError
    if command.startswith("/missing"):
        return problem(ReplyStatus.NOT_FOUND, f"nothing for {command}")
    return Reply(title=None, blocks=(paragraph(line("got ", bold(command))),))


async def run_piped(text: str) -> tuple[int, str]:
    out = io.StringIO()
    code = await run_console(
        echo_dispatch,
        stdin=io.StringIO(text),
        writer=ConsoleWriter(out, colour=False),
        interactive=False,
        banner="Welcome to Pitboard",
    )
    return code, out.getvalue()


@pytest.mark.asyncio
async def test_piped_commands_are_answered_in_order_without_banner_or_prompt() -> None:
    code, out = await run_piped("/next\nstandings tcr-germany-2022\n  /when race-1  \n")
    assert code == 0
    assert out == "got /next\n\ngot /standings tcr-germany-2022\n\ngot /when race-1\n"


@pytest.mark.asyncio
async def test_blank_lines_and_comments_are_skipped() -> None:
    code, out = await run_piped("# a script\n\n/next\n   \n  # indented comment\nnext\n")
    assert code == 0
    assert out == "got /next\n\ngot /next\n"


@pytest.mark.asyncio
async def test_a_failing_command_prints_an_error_and_later_commands_are_answered() -> None:
    code, out = await run_piped("/next\n/boom\n/bare\n/standings\n")
    assert out == (
        "got /next\n\nerror: the timing feed is down\n\nerror: RuntimeError\n\ngot /standings\n"
    )
    assert code == 1


@pytest.mark.asyncio
async def test_a_problem_reply_is_an_answer_not_a_failure() -> None:
    code, out = await run_piped("/missing x\n")
    assert (code, out) == (0, "nothing for /missing x\n")


@pytest.mark.asyncio
@pytest.mark.parametrize("word", ["exit", "quit", "/exit", "  QUIT  "])
async def test_exit_stops_before_the_rest_of_the_input(word: str) -> None:
    code, out = await run_piped(f"/next\n{word}\n/standings\n")
    assert (code, out) == (0, "got /next\n")


@pytest.mark.asyncio
async def test_exit_after_a_failure_still_reports_it() -> None:
    code, out = await run_piped("/boom\nexit\n/next\n")
    assert (code, out) == (1, "error: the timing feed is down\n")


@pytest.mark.asyncio
async def test_interactive_shows_banner_and_prompts_and_ends_cleanly_at_eof() -> None:
    out = io.StringIO()
    code = await run_console(
        echo_dispatch,
        stdin=io.StringIO("/next\n\n/boom\n"),
        writer=ConsoleWriter(out, colour=False),
        interactive=True,
        banner="Welcome to Pitboard",
    )
    # Input is not echoed here (a terminal would echo it after each prompt); at EOF (Ctrl-D)
    # the console moves off the prompt line itself. Errors do not change the exit status.
    assert code == 0
    assert out.getvalue() == (
        "Welcome to Pitboard\n\n"
        f"{PROMPT}got /next\n\n"
        f"{PROMPT}"
        f"{PROMPT}error: the timing feed is down\n\n"
        f"{PROMPT}\n"
    )


@pytest.mark.asyncio
async def test_coloured_session_strips_to_the_plain_one() -> None:
    plain, coloured = io.StringIO(), io.StringIO()
    for stream, colour in ((plain, False), (coloured, True)):
        await run_console(
            echo_dispatch,
            stdin=io.StringIO("/next\n/boom\n/missing\n"),
            writer=ConsoleWriter(stream, colour=colour),
            interactive=False,
        )
    assert "\x1b[31merror: the timing feed is down\x1b[39m" in coloured.getvalue()
    assert "\x1b[33mnothing for /missing\x1b[39m" in coloured.getvalue()
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.getvalue()) == plain.getvalue()
    assert "\x1b" not in plain.getvalue()


@pytest.mark.asyncio
async def test_announcements_and_answers_stay_whole_when_they_overlap() -> None:
    out = io.StringIO()
    writer = ConsoleWriter(out, colour=False)
    poster = ConsolePoster(writer)

    async def slow_dispatch(command: str) -> Reply:
        for _ in range(5):
            await asyncio.sleep(0)  # give the poster every chance to cut in
        return Reply(title=f"Answer {command}", blocks=(paragraph("first line", "second line"),))

    async def announce() -> None:
        for n in range(20):
            await poster.post(
                Reply(title=f"Reminder {n}", blocks=(paragraph("Race 1 in 15 min", "Watch live"),)),
                header="TCR Germany",
            )
            await asyncio.sleep(0)

    commands = [f"/c{n}" for n in range(10)]
    announcer = asyncio.create_task(announce())
    code = await run_console(
        slow_dispatch,
        stdin=io.StringIO("".join(c + "\n" for c in commands)),
        writer=writer,
        interactive=False,
    )
    await announcer
    assert code == 0

    def titled(title: str, body: str) -> str:
        return f"{title}\n{'─' * len(title)}\n\n{body}"

    expected_answers = [titled(f"Answer {c}", "first line\nsecond line") for c in commands]
    expected_reminders = [
        "» TCR Germany\n" + titled(f"Reminder {n}", "Race 1 in 15 min\nWatch live")
        for n in range(20)
    ]
    # A titled reply holds a blank line itself, so split where a block starts.
    blocks = re.split(r"\n\n(?=Answer |» )", out.getvalue().removesuffix("\n"))
    answers = [b for b in blocks if b.startswith("Answer ")]
    reminders = [b for b in blocks if b.startswith("» ")]
    assert answers == expected_answers  # whole, and in command order
    assert reminders == expected_reminders
    # They really did overlap: announcements came out between the answers.
    assert blocks.index(expected_reminders[0]) < blocks.index(expected_answers[-1])
    assert len(blocks) == 30


@contextmanager
def pipe_stdin() -> Iterator[tuple[TextIO, TextIO]]:
    """A real pipe as stdin, so reading blocks like a terminal waiting for the user."""
    read_fd, write_fd = os.pipe()
    reader = os.fdopen(read_fd, "r")
    feeder = os.fdopen(write_fd, "w")
    try:
        yield reader, feeder
    finally:
        if not feeder.closed:
            feeder.close()
        for thread in threading.enumerate():
            if thread.name == "console-input":
                thread.join(timeout=5)
        reader.close()


async def wait_for(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


@pytest.mark.asyncio
async def test_an_announcement_at_the_prompt_moves_off_the_prompt_line_and_redraws_it() -> None:
    out = io.StringIO()
    writer = ConsoleWriter(out, colour=False)
    with pipe_stdin() as (stdin, feeder):
        console = asyncio.create_task(
            run_console(echo_dispatch, stdin=stdin, writer=writer, interactive=True, banner="Hi")
        )
        await wait_for(lambda: out.getvalue().endswith(PROMPT))
        await ConsolePoster(writer).post(
            Reply(title=None, blocks=(paragraph("Race 1 starts now"),)), header="Live"
        )
        feeder.write("/next\n")
        feeder.flush()
        await wait_for(lambda: "got /next" in out.getvalue())
        feeder.close()
        assert await asyncio.wait_for(console, 5) == 0
    assert out.getvalue() == (
        f"Hi\n\n{PROMPT}\n» Live\nRace 1 starts now\n\n{PROMPT}got /next\n\n{PROMPT}\n"
    )


@pytest.mark.asyncio
async def test_ctrl_c_at_the_prompt_ends_the_console_with_status_0() -> None:
    out = io.StringIO()
    with pipe_stdin() as (stdin, _feeder):
        console = asyncio.create_task(
            run_console(
                echo_dispatch,
                stdin=stdin,
                writer=ConsoleWriter(out, colour=False),
                interactive=True,
                banner="Hi",
            )
        )
        await wait_for(lambda: out.getvalue().endswith(PROMPT))
        os.kill(os.getpid(), signal.SIGINT)
        assert await asyncio.wait_for(console, 5) == 0
    assert out.getvalue() == f"Hi\n\n{PROMPT}\n"
    # The handler is gone again: SIGINT is back to raising KeyboardInterrupt.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.asyncio
async def test_ctrl_c_during_a_command_cancels_it_and_ends_the_console() -> None:
    out = io.StringIO()
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def hanging_dispatch(command: str) -> Reply:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        raise AssertionError("unreachable")

    with pipe_stdin() as (stdin, feeder):
        console = asyncio.create_task(
            run_console(
                hanging_dispatch,
                stdin=stdin,
                writer=ConsoleWriter(out, colour=False),
                interactive=True,
                banner="",
            )
        )
        feeder.write("/standings\n")
        feeder.flush()
        await asyncio.wait_for(started.wait(), 5)
        os.kill(os.getpid(), signal.SIGINT)
        assert await asyncio.wait_for(console, 5) == 0
    assert cancelled.is_set()
    assert out.getvalue() == PROMPT


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_that_wants_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert should_use_colour(FakeTerminal()) is True
    assert should_use_colour(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert should_use_colour(FakeTerminal()) is False
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: an empty value does not count
    assert should_use_colour(FakeTerminal()) is True
    monkeypatch.setenv("TERM", "dumb")
    assert should_use_colour(FakeTerminal()) is False
