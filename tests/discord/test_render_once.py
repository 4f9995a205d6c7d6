"""Equal replies are rendered once for Discord too (a channel's /standings asked again, a
broadcast to every channel); what is sent is exactly what `render` makes."""

from __future__ import annotations

import pytest

import bot.frontends.discord.render as discord_render
from bot.core.reply import Reply
from bot.frontends.discord.render import DiscordMessage, render, render_once
from tests.telegram.test_render import results_reply


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[Reply]:
    """Every reply the real `render` is asked for from now on."""
    discord_render._rendered.cache_clear()
    seen: list[Reply] = []

    def counting(
        reply: Reply, *, spoiler_safe: bool = False, mention_role: str | None = None
    ) -> list[DiscordMessage]:
        seen.append(reply)
        return render(reply, spoiler_safe=spoiler_safe, mention_role=mention_role)

    monkeypatch.setattr(discord_render, "render", counting)
    return seen


def test_equal_replies_are_rendered_once(renders: list[Reply]) -> None:
    first = render_once(results_reply())
    assert render_once(results_reply()) == first == render(results_reply())
    assert len(renders) == 1


def test_spoilers_and_mentions_get_their_own_rendering(renders: list[Reply]) -> None:
    shown = render_once(results_reply())
    hidden = render_once(results_reply(), spoiler_safe=True)
    mentioned = render_once(results_reply(), mention_role="123456789012345678")
    assert hidden != shown and mentioned[0].role_mention == "123456789012345678"
    assert hidden == render(results_reply(), spoiler_safe=True)
    assert len(renders) == 3


def test_a_bad_role_is_still_refused(renders: list[Reply]) -> None:
    with pytest.raises(ValueError, match="role id"):
        render_once(results_reply(), mention_role="@everyone")
