"""The Telegram renderer's and the terminal spoiler shelf's own words, in each language."""

from __future__ import annotations

import pytest

from bot.core.i18n import use_language
from bot.core.reply import Reply, paragraph
from bot.frontends.console.spoilers import SpoilerShelf
from bot.frontends.telegram import edit_forms as forms
from bot.frontends.telegram.edit_input import read_import_caption
from bot.frontends.telegram.render import render
from tests.telegram.test_edit_steps import CATALOG

NOTHING = {"en": "(nothing to show)", "sv": "(inget att visa)", "de": "(nichts anzuzeigen)"}
HIDDEN = {
    "en": "Results hidden: spoiler-safe results are on. Type show 1 to see them.",
    "sv": "Resultaten är dolda: spoilerskyddet är på. Skriv show 1 för att se dem.",
    "de": "Ergebnisse verborgen: der Spoilerschutz ist an. Tippe show 1, um sie zu sehen.",
}
MISSING = {
    "en": "No hidden results numbered 7: 1.",
    "sv": "Inga dolda resultat med nummer 7: 1.",
    "de": "Keine verborgenen Ergebnisse mit der Nummer 7: 1.",
}


@pytest.mark.parametrize("language", ["en", "sv", "de"])
def test_an_empty_reply_says_so_in_the_language_it_was_written_in(language: str) -> None:
    with use_language(language):
        reply = Reply(None, ())
    # Rendered outside any language: the reply carries its own.
    assert [message.text for message in render(reply)] == [NOTHING[language]]


@pytest.mark.parametrize("language", ["en", "sv", "de"])
def test_the_spoiler_shelf_speaks_the_covered_replys_language(language: str) -> None:
    with use_language(language):
        results = Reply("Race 1", (paragraph("1. Jessica Bäckman"),), contains_results=True)
    shelf = SpoilerShelf()
    covered = shelf.cover(results)
    assert str(covered.blocks[0]).count(HIDDEN[language]) == 1
    missing = shelf.reveal(7)
    assert MISSING[language] in str(missing.blocks)
    assert missing.locale.language == language


USAGE = {
    "en": "Send the file with the caption /import SESSION, e.g. ",
    "sv": "Skicka filen med bildtexten /import PASS, t.ex. ",
    "de": "Schick die Datei mit der Bildunterschrift /import SESSION, z. B. ",
}


@pytest.mark.parametrize("language", ["en", "sv", "de"])
def test_an_import_caption_without_a_session_is_explained_in_the_chats_language(
    language: str,
) -> None:
    with use_language(language):
        answer = read_import_caption("/import", CATALOG)
    assert isinstance(answer, Reply)
    assert USAGE[language] in str(answer.blocks)


WRONG_KIND = {
    "en": "'sprint' is not a session kind: one of ",
    "sv": "”sprint” är ingen passtyp: en av ",
    "de": "„sprint“ ist keine Session-Art: eine von ",
}
SESSION_HELP = {
    "en": "Send the new session as NAME, KIND, DAY TIME, e.g.",
    "sv": "Skicka det nya passet som NAMN, TYP, DAG TID, t.ex.",
    "de": "Schick die neue Session als NAME, ART, TAG ZEIT, z. B.",
}


@pytest.mark.parametrize("language", ["en", "sv", "de"])
def test_a_typed_form_is_asked_for_and_refused_in_the_chats_language(language: str) -> None:
    event = CATALOG.events["tcr-germany-2022/oschersleben"]
    with use_language(language):
        problems = forms.read_new_session("Race 3, sprint, 2022-04-24 16:00", event)
        help_text = forms.help_lines(forms.NEW_SESSION_HELP)
    assert isinstance(problems, tuple) and problems[0].startswith(WRONG_KIND[language])
    assert help_text[0] == SESSION_HELP[language]
    assert help_text[1].startswith("Race 3, race, 2022-04-24 16:00")  # the syntax stays
