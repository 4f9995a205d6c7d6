"""The /edit dialogue in the channel's language, through the real discord.py client against the
fake: the modal's title and label, the preview and its Confirm/Cancel buttons, in a Swedish and
a German server; the /edit group's option texts synced with their Swedish and German
localizations; every translation within Discord's limits."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FixedClock
from bot.core.i18n import translate_for
from bot.frontends.discord import edit_replies, edit_views
from tests.discord.edit_harness import buttons, running_editors, seen
from tests.discord.test_conventions import Server, answer_to, pitboard, shown
from tests.fakes import discord_gateway as gw
from tests.fakes.discord_api import FakeDiscord

WEDNESDAY = datetime.fromisoformat("2022-05-11T09:00+02:00")
LOCALES = {"sv": "sv-SE", "de": "de"}
# language: modal title, row label, preview title word, Confirm, Cancel, cancelled
EXPECTED = {
    "sv": (
        "Ställning: ",
        "Rader (en per rad, eller en CSV)",
        "Förhandsvisning",
        "Bekräfta",
        "Avbryt",
        "Avbrutet: ingenting ändrades.",
    ),
    "de": (
        "Stand: ",
        "Zeilen (eine pro Zeile, oder eine CSV)",
        "Vorschau",
        "Bestätigen",
        "Abbrechen",
        "Abgebrochen: nichts wurde geändert.",
    ),
}


@pytest.mark.parametrize("language", ["sv", "de"])
async def test_the_rows_modal_preview_and_buttons_in_the_servers_language(
    tmp_path: Path, language: str
) -> None:
    title, label, preview_word, confirm, cancel, cancelled = EXPECTED[language]
    async with running_editors(tmp_path, FixedClock(WEDNESDAY), locale=LOCALES[language]) as world:
        before = world.files()
        asked = await world.fake.dispatch_interaction(
            "edit",
            {
                "standings": {
                    "series": "tcr-germany-2022",
                    "after": "tcr-germany-2022/oschersleben",
                }
            },
            channel_id=world.channel_id,
            user_id=world.admin_id,
        )
        await world.fake.wait_for_callback(asked.id)
        modal = asked.modal or {}
        assert modal["title"].startswith(title)
        (row,) = modal["components"]
        (text_input,) = row["components"]
        assert text_input["label"] == label
        submitted = await world.fake.submit_modal(
            asked.id, {label: "1 Martin Andersen 66\n2 Jonas Karklys 55"}
        )
        preview = await world.fake.wait_for_response(submitted.id, timeout=20)
        assert preview_word in seen(preview)
        assert set(buttons(preview)) == {confirm, cancel}
        pressed = await world.fake.dispatch_component(
            preview.id, buttons(preview)[cancel], user_id=world.admin_id
        )
        await world.fake.wait_for_callback(pressed.id)
        await world.fake.wait_for(lambda: not buttons(preview) or None, 20, "the preview answered")
        assert cancelled in seen(preview)
        assert world.files() == before
        assert world.fake.violations == []


async def test_the_edit_groups_options_are_synced_in_swedish_and_german(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(WEDNESDAY)) as world:
        synced = {c["name"]: c for c in world.fake.commands(guild_id=world.guild_id)}
        edit = synced["edit"]
        assert edit["description_localizations"] == {
            "sv-SE": "Admins: ändra tidsschemat, för in resultat eller ställning",
            "de": "Admins: Zeitplan ändern, Ergebnisse oder Meisterschaftsstand eintragen",
        }
        subcommands = {o["name"]: o for o in edit["options"]}
        results = {o["name"]: o for o in subcommands["results"]["options"]}
        assert results["session"]["description_localizations"] == {
            "sv-SE": "passet",
            "de": "die Session",
        }
        replace = next(c for c in results["mode"]["choices"] if c["value"] == "replace")
        assert replace["name_localizations"] == {
            "sv-SE": "ersätt: hela klassificeringen",
            "de": "ersetzen: das ganze Klassement",
        }
        assert replace["value"] == "replace"  # what the choice sends stays English
        subscribe = {o["name"]: o for o in synced["subscribe"]["options"]}
        assert subscribe["role"]["description_localizations"]["de"] == (
            "eine Rolle, die in den Posts erwähnt wird"
        )
        assert world.fake.violations == []


def _texts(item: dict[str, Any]) -> list[tuple[str, int]]:
    """Every text of a synced command or option with its Discord limit."""
    found: list[tuple[str, int]] = []
    for value in (item.get("description_localizations") or {}).values():
        found.append((value, 100))
    for choice in item.get("choices") or []:
        found += [(value, 100) for value in (choice.get("name_localizations") or {}).values()]
    for option in item.get("options") or []:
        found += _texts(option)
    return found


async def test_every_synced_translation_fits_discords_limits(tmp_path: Path) -> None:
    async with running_editors(tmp_path, FixedClock(WEDNESDAY)) as world:
        synced = world.fake.commands(guild_id=world.guild_id)
        texts = [text for command in synced for text in _texts(command)]
        assert texts, "localizations were synced"
        assert [text for text, limit in texts if len(text) > limit] == []


@pytest.mark.parametrize("language", ["sv", "de"])
def test_modal_and_button_texts_fit_in_every_language(language: str) -> None:
    # A modal's title and a text input's label: 45 characters; a button's label: 80.
    title_room = edit_views.TITLE_MAX - len("Race 1")
    for word in ("Results: {session}", "Standings: {series}"):
        assert len(translate_for(language, word).format(session="", series="")) < title_room
    assert len(translate_for(language, edit_replies.ROWS_LABEL)) <= edit_views.TITLE_MAX
    for label in ("Confirm", "Cancel"):
        assert 0 < len(translate_for(language, label)) <= 80


async def test_subscribe_where_the_bot_cannot_post_is_refused_in_the_servers_language(
    tmp_path: Path,
) -> None:
    async with FakeDiscord(heartbeat_interval=0.5) as fake:
        guild = fake.guild("Rennsport", locale="de")
        no_send = FakeDiscord.overwrite(guild.id, deny=gw.SEND_MESSAGES)
        locked = fake.channel(guild.id, "nur-lesen", overwrites=(no_send,))
        server = Server(
            fake, guild.id, locked.id, locked.id, locked.id, guild.owner_id, guild.owner_id,
            fake.default_user_id(guild.id),
        )  # fmt: skip
        async with pitboard(server, tmp_path / "pitboard.sqlite3", FixedClock(WEDNESDAY)):
            refused = await answer_to(
                server, "subscribe", {"what": "tcr-germany-2022"}, user=guild.owner_id
            )
        assert refused.ephemeral
        assert shown(refused).startswith(
            "Ich kann in #nur-lesen nicht posten: Mir fehlt dort die Berechtigung"
            " Nachrichten senden, daher ist der Kanal nicht abonniert. Gib Pitboard dort"
            " Kanal ansehen, Nachrichten senden und Links einbetten"
        )
