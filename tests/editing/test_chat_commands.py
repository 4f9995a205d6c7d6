"""/edit, /audit and /undo through the running bot's router, as any front-end sends them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.chats import Caller
from bot.core.audience import ChatKind, ChatRef
from bot.core.reply import Reply
from bot.frontends.console.render import render

from .conftest import running_bot, snapshot

ANNA = Caller(ChatRef("telegram", "12345"), ChatKind.PRIVATE, "12345", True, display="@anna")
FAN = Caller(ChatRef("telegram", "999"), ChatKind.PRIVATE, "999", False)
AFTER_RACE_2 = datetime.fromisoformat("2022-04-24T18:00+02:00")
RACE_2 = "tcr-germany-2022/oschersleben/race-2"


def shown(reply: Reply) -> str:
    return render(reply, colour=False)


async def test_an_admin_edits_sees_the_audit_and_undoes_it(tmp_path: Path) -> None:
    async with running_bot(tmp_path, AFTER_RACE_2) as bot:
        router = bot.runtime.router
        before = snapshot(bot.folder)
        done = await router.handle("/edit time oschersleben race 2 2022-04-24 15:40", ANNA)
        assert shown(done).splitlines()[:3] == [
            "Edit #1 done",
            "────────────",
            "",
        ]
        assert f"{RACE_2}: time set to 2022-04-24 15:40" in shown(done)
        assert "Undo with /undo 1" in shown(done)
        session = bot.runtime.catalogs.current.sessions[RACE_2]
        assert session.local_time is not None and session.local_time.isoformat() == "15:40:00"
        audit = shown(await router.handle("/audit", ANNA))
        assert "#1 Sun 24 Apr 18:00 CEST telegram:12345 (@anna):" in audit
        status = shown(await router.handle("/status", ANNA))
        assert "Last edits:" in status and "time set to 2022-04-24 15:40" in status
        undone = await router.handle("/undo 1", ANNA)
        assert "Edit #2 done" in shown(undone)
        assert snapshot(bot.folder) == before
        assert "(undone by #2)" in shown(await router.handle("/audit 5", ANNA))


async def test_results_pasted_below_the_command_go_in_or_are_refused_with_line_and_column(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, AFTER_RACE_2) as bot:
        router = bot.runtime.router
        before = snapshot(bot.folder)
        refused = await router.handle(
            "/edit results oschersleben race 2\n5 jessica\n6 jesica", ANNA
        )
        assert "line 3, column 3: unknown driver 'jesica' (did you mean Jessica Bäckman?)" in shown(
            refused
        )
        assert snapshot(bot.folder) == before
        done = await router.handle(
            "/edit results oschersleben race 2\n5 jessica laps=21 gap=+12.5 - brake issue", ANNA
        )
        assert "Edit #1 done" in shown(done), shown(done)
        [row] = bot.runtime.catalogs.current.sessions[RACE_2].results
        assert (row.position, row.note) == (5, "brake issue")


@pytest.mark.parametrize("command", ["/edit time oschersleben race 2 2022-04-24 15:40", "/audit",
                                     "/undo 1", "/edit"])  # fmt: skip
async def test_a_fan_is_refused_every_edit_command(tmp_path: Path, command: str) -> None:
    async with running_bot(tmp_path, AFTER_RACE_2) as bot:
        await bot.runtime.router.handle("/edit cancel oschersleben race 2", ANNA)
        before = snapshot(bot.folder)
        reply = await bot.runtime.router.handle(command, FAN)
        name = command.split()[0]
        assert shown(reply).strip() == f"Sorry, {name} is only for Pitboard's admins."
        assert snapshot(bot.folder) == before
        assert len(await bot.runtime.editor.audit()) == 1


async def test_help_lists_the_edit_commands_for_admins_only(tmp_path: Path) -> None:
    async with running_bot(tmp_path, AFTER_RACE_2) as bot:
        for_admin = shown(await bot.runtime.router.handle("/help", ANNA))
        for_fan = shown(await bot.runtime.router.handle("/help", FAN))
        for name in ("/edit", "/audit", "/undo"):
            assert name in for_admin and name not in for_fan
        usage = shown(await bot.runtime.router.handle("/edit", ANNA))
        assert "/edit time SESSION [DATE] TIME|TBA" in usage
