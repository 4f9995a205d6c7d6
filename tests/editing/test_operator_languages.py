"""The operator's replies in English, Swedish and German, exactly: an /edit done, a pasted row's
problem, /audit and /status. The admin's chat starts in the language their platform reports; the
audit log keeps each edit's summary as it recorded it (in English: a record), while the words
around it follow the reader."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.chats import Caller, Router
from bot.chats.admin import Admin
from bot.chats.health import ChannelHealth
from bot.chats.settings import ChatSettings
from bot.core.audience import ChatKind, ChatRef
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.plan import Announcement, AnnouncementKind
from bot.core.schedules import load_catalog
from bot.core.service import Service
from bot.frontends.console.render import render
from bot.store.sqlite import SQLiteStore
from tests.chats.test_router import FakeReloader

from .conftest import copy_schedules, running_bot
from .test_chat_commands import AFTER_RACE_2, ANNA, RACE_2, shown

LANGUAGES = ["en", "sv", "de"]
FILE_LINES = """\
2022/tcr-germany.toml:91: - time = "TBA"
2022/tcr-germany.toml:91: + time = "15:40"
2022/tcr-germany.toml:92: + source = ["tcr-germany-premiere", "edit-1"]
2022/tcr-germany.toml:97: + source = "tcr-germany-premiere"
2022/tcr-germany.toml:150: + [sources.edit-1]
2022/tcr-germany.toml:151: + kind = "operator"
2022/tcr-germany.toml:152: + by = "telegram:12345 (@anna)"
2022/tcr-germany.toml:153: + at = 2022-04-24T16:00:00Z"""
MOVED = f"{RACE_2}: 2022-04-24 TBA -> 2022-04-24T13:40:00+00:00"
EDIT_DONE = {
    "en": f"""\
Edit #1 done
────────────

{RACE_2}: time set to 2022-04-24 15:40
• moved {MOVED}

{FILE_LINES}

Undo with /undo 1""",
    "sv": f"""\
Ändring #1 klar
───────────────

{RACE_2}: tiden satt till 2022-04-24 15:40
• flyttat {MOVED}

{FILE_LINES}

Ångra med /undo 1""",
    "de": f"""\
Änderung #1 erledigt
────────────────────

{RACE_2}: Zeit gesetzt auf 2022-04-24 15:40
• verschoben {MOVED}

{FILE_LINES}

Rückgängig mit /undo 1""",
}
ROW_PROBLEM = {
    "en": "line 3, column 3: unknown driver 'jesica' (did you mean Jessica Bäckman?)",
    "sv": "rad 3, kolumn 3: okänd förare 'jesica' (menade du Jessica Bäckman?)",
    "de": "Zeile 3, Spalte 3: unbekannter Fahrer 'jesica' (meintest du Jessica Bäckman?)",
}
# The summary is the log's record, in English whoever reads it; the rest is theirs.
RECORD = f"telegram:12345 (@anna): {RACE_2}: time set to 2022-04-24 15:40"
AUDIT = {
    "en": f"Edits\n─────\n\n#1 Sun 24 Apr 18:00 CEST {RECORD}",
    "sv": f"Ändringar\n─────────\n\n#1 sön 24 apr. 18:00 CEST {RECORD}",
    "de": f"Änderungen\n──────────\n\n#1 So., 24. Apr. 18:00 CEST {RECORD}",
}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_edit_its_row_problem_and_the_audit_in_the_admins_language(
    tmp_path: Path, language: str
) -> None:
    admin = replace(ANNA, language=language)
    async with running_bot(tmp_path, AFTER_RACE_2) as bot:
        router = bot.runtime.router
        refused = await router.handle(
            "/edit results oschersleben race 2\n5 jessica\n6 jesica", admin
        )
        assert shown(refused).strip() == ROW_PROBLEM[language]
        done = await router.handle("/edit time oschersleben race 2 2022-04-24 15:40", admin)
        assert shown(done).strip() == EDIT_DONE[language]
        assert shown(await router.handle("/audit", admin)).strip() == AUDIT[language]
        # Recorded once, in English, whatever the admin's language.
        [record] = await bot.runtime.store.recent_edits(5)
        assert record.summary == f"{RACE_2}: time set to 2022-04-24 15:40"


NOW = datetime(2022, 5, 13, 8, 0, tzinfo=UTC)
STATUS = {
    "en": """\
Pitboard status
───────────────

Chats: 1 active (0 subscribed), 0 inactive
Deliveries: 0 pending, 0 sending, 0 sent, 0 failed, 0 skipped
Next announcements:
• Fri 13 May 16:05 CEST — reminder 15 min: Free Practice
Last delivery errors: none
Channels: all fine
Front-ends: all running
Last edits:
• #1 Fri 13 May 09:00 CEST telegram:12345 (@anna): x/y: cancelled""",
    "sv": """\
Pitboards status
────────────────

Chattar: 1 aktiva (0 prenumererar), 0 inaktiva
Leveranser: 0 väntande, 0 skickas, 0 skickade, 0 misslyckade, 0 överhoppade
Nästa utskick:
• fre 13 maj 16:05 CEST — påminnelse 15 min: Free Practice
Senaste leveransfel: inga
Kanaler: allt fungerar
Gränssnitt: alla igång
Senaste ändringar:
• #1 fre 13 maj 09:00 CEST telegram:12345 (@anna): x/y: cancelled""",
    "de": """\
Pitboard-Status
───────────────

Chats: 1 aktiv (0 abonniert), 0 inaktiv
Zustellungen: 0 wartend, 0 im Versand, 0 gesendet, 0 fehlgeschlagen, 0 übersprungen
Nächste Ankündigungen:
• Fr., 13. Mai 16:05 CEST — Erinnerung 15 Min.: Free Practice
Letzte Zustellfehler: keine
Kanäle: alles in Ordnung
Frontends: alle laufen
Letzte Änderungen:
• #1 Fr., 13. Mai 09:00 CEST telegram:12345 (@anna): x/y: cancelled""",
}


class OneReminder:
    """The announcer's plan: one reminder ahead."""

    def __init__(self, session_id: str, due: datetime) -> None:
        self._due = due
        self._session_id = session_id

    def pending(self) -> list[Announcement]:
        return [
            Announcement(
                kind=AnnouncementKind.REMINDER,
                subject=self._session_id,
                due=self._due,
                planned_start=self._due + timedelta(minutes=15),
                offset_minutes=15,
                series_id="24h-series-2022",
                event_id="24h-series-2022/hockenheim",
                session_kind=None,
            )
        ]

    async def broadcast(self, text: str) -> int:
        return 0


@pytest.mark.parametrize("language", LANGUAGES)
async def test_status_in_the_admins_language(tmp_path: Path, language: str) -> None:
    store = SQLiteStore(tmp_path / "db.sqlite3")
    await store.open()
    try:
        await store.migrate()
        catalogs = CatalogHolder(load_catalog(copy_schedules(tmp_path)))
        practice = next(
            s.id for s in catalogs.current.sessions.values() if s.name == "Free Practice"
        )
        clock = FixedClock(NOW)
        await store.record_edit(
            edit_id=await store.next_edit_id(),
            at=NOW - timedelta(hours=1),
            actor="telegram:12345 (@anna)",
            action="cancel",
            target="x/y",
            summary="x/y: cancelled",
            files={},
        )
        service = Service(catalogs, clock)
        settings = ChatSettings(store, service, clock, default_zone="Europe/Berlin",
                                default_reminders=())  # fmt: skip
        planner = OneReminder(practice, datetime(2022, 5, 13, 14, 5, tzinfo=UTC))
        admin = Admin(store, catalogs, clock, planner, FakeReloader(), ChannelHealth())
        router = Router(service, settings, admin)
        caller = Caller(ChatRef("telegram", "12345"), ChatKind.PRIVATE, "12345", True,
                        language=language)  # fmt: skip
        assert (
            render(await router.handle("/status", caller), colour=False).strip()
            == (STATUS[language])
        )
    finally:
        await store.close()
