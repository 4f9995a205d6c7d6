"""Equal replies are rendered once: fifty fans asking for the same standings, or a broadcast
to thousands of chats, cost one rendering (issue 11: rendering was the largest part of a
command's own work). What is sent is exactly what `render` makes."""

from __future__ import annotations

from dataclasses import replace

import pytest

import bot.frontends.telegram.sender as sender
from bot.core.reply import Reply
from bot.frontends.telegram.render import TelegramMessage, render
from tests.telegram.test_render import results_reply


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[Reply]:
    """Every reply the real `render` is asked for from now on."""
    sender._rendered.cache_clear()
    seen: list[Reply] = []

    def counting(reply: Reply, *, spoiler_safe: bool = False) -> list[TelegramMessage]:
        seen.append(reply)
        return render(reply, spoiler_safe=spoiler_safe)

    monkeypatch.setattr(sender, "render", counting)
    return seen


def test_equal_replies_are_rendered_once(renders: list[Reply]) -> None:
    first = sender.render_once(results_reply(), spoiler_safe=False)
    again = sender.render_once(results_reply(), spoiler_safe=False)  # equal, not the same
    assert first == again == render(results_reply())
    assert len(renders) == 1


def test_a_spoiler_safe_chat_gets_its_own_rendering(renders: list[Reply]) -> None:
    shown = sender.render_once(results_reply(), spoiler_safe=False)
    hidden = sender.render_once(results_reply(), spoiler_safe=True)
    assert "<tg-spoiler>" in hidden[0].text and "<tg-spoiler>" not in shown[0].text
    assert hidden == render(results_reply(), spoiler_safe=True)
    assert len(renders) == 2


def test_a_changed_reply_is_rendered_anew(renders: list[Reply]) -> None:
    sender.render_once(results_reply(), spoiler_safe=False)
    other = Reply(title="Race 2 — Oschersleben", blocks=results_reply().blocks)
    assert "Race 2" in sender.render_once(other, spoiler_safe=False)[0].text
    assert len(renders) == 2


def test_a_broadcasts_posts_differing_only_in_their_delivery_key_are_rendered_once(
    renders: list[Reply],
) -> None:
    # Each delivery of a fan-out carries its own idempotency key (bot.runtime.keyed); the
    # Telegram rendering never shows it, so thousands of chats must cost one rendering.
    posts = [replace(results_reply(), idempotency_key=f"free|x|telegram:{n}") for n in range(5)]
    sent = [sender.render_once(post, spoiler_safe=False) for post in posts]
    assert all(messages == render(results_reply()) for messages in sent)
    assert len(renders) == 1
