"""The fake Discord's rules for what the edit commands need: command definitions with
subcommands and autocomplete, attachments served from its CDN, modal submits shaped and
limited as Discord's client makes them."""

from __future__ import annotations

import aiohttp
import pytest

from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_forms import _check_input, _submitted
from tests.fakes.discord_rules import command_problems


def _command(*options: dict[str, object]) -> dict[str, object]:
    return {"name": "edit", "description": "Edit", "type": 1, "options": list(options)}


def _string(name: str, **extra: object) -> dict[str, object]:
    return {"name": name, "description": name, "type": 3, **extra}


def test_subcommands_with_autocomplete_pass() -> None:
    sub = {
        "name": "time",
        "description": "t",
        "type": 1,
        "options": [_string("session", autocomplete=True, required=True)],
    }
    assert command_problems([_command(sub)]) == []


def test_autocomplete_with_choices_is_refused() -> None:
    option = _string("session", autocomplete=True, choices=[{"name": "a", "value": "a"}])
    (problem,) = command_problems([_command(option)])
    assert problem.code == "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID"


def test_autocomplete_on_an_attachment_is_refused() -> None:
    option = {"name": "file", "description": "f", "type": 11, "autocomplete": True}
    (problem,) = command_problems([_command(option)])
    assert "only for string" in problem.message


def test_subcommands_mixed_with_options_are_refused() -> None:
    sub = {"name": "time", "description": "t", "type": 1}
    problems = command_problems([_command(sub, _string("session"))])
    assert [p.code for p in problems] == ["APPLICATION_COMMAND_OPTIONS_TYPE_INVALID"]


def test_a_group_inside_a_subcommand_is_refused() -> None:
    group = {"name": "g", "description": "g", "type": 2}
    sub = {"name": "time", "description": "t", "type": 1, "options": [group]}
    problems = command_problems([_command(sub)])
    assert any("cannot hold subcommands" in p.message for p in problems)


async def test_an_attachment_is_served_once_asked_for_by_its_url() -> None:
    async with FakeDiscord(heartbeat_interval=0.05) as fake:
        attachment = fake.attachment("race-1.csv", b"POSITION;NUMBER\n1;7\n")
        assert attachment.payload()["size"] == len(attachment.data)
        async with aiohttp.ClientSession() as session:
            async with session.get(attachment.url) as response:
                assert response.status == 200
                assert await response.read() == attachment.data
            async with session.get(attachment.url.replace("race-1", "other")) as response:
                assert response.status == 404
        assert fake.downloads == [attachment.id]


def test_a_modal_submit_is_held_to_the_limits_discords_client_enforces() -> None:
    text_input = {"type": 4, "custom_id": "rows", "style": 2, "label": "Rows", "max_length": 5}
    _check_input(text_input, "1 #7")
    with pytest.raises(AssertionError, match="required"):
        _check_input(text_input, "")
    with pytest.raises(AssertionError, match="at most 5"):
        _check_input(text_input, "1 #7 fl")


def test_a_submit_carries_each_text_input_with_its_value() -> None:
    row = {"type": 1, "components": [{"type": 4, "custom_id": "rows", "style": 2, "label": "R"}]}
    assert _submitted(row, {"rows": "1 #7"}) == {
        "type": 1,
        "components": [{"type": 4, "custom_id": "rows", "value": "1 #7"}],
    }
    label = {"type": 18, "label": "R", "component": {"type": 4, "custom_id": "rows", "style": 2}}
    assert _submitted(label, {"rows": "x"})["component"]["value"] == "x"
