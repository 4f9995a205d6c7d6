"""The soak in short: the Hockenheim weekend replayed by the real `pitboard run` in a subprocess,
against the fake Telegram and Discord under injected faults (429s, 5xx, resets, lost responses,
blocked chats, deleted channels, a migrated group), with the bot killed once in the middle of a
fan-out and restarted from the clock time it had reached. The full season with 10,000 + 1,000
chats and three kills is `python -m bench.soak` (see README, Reliability).

Every figure comes from the ledger bench/soak.py builds from what the fakes received.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bench.soak import parse, soak

# The bot paces its replay clock (bot.scheduling.pacer): however slow this machine, no
# reminder is still queued when its session starts, so none is lost to speed.
ARGS = ["--quick", "--kills", "1", "--telegram-chats", "150", "--discord-channels", "15"]


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    return asyncio.run(soak(parse(ARGS)))


def test_the_run_really_was_faulty_and_killed(figures: dict[str, Any]) -> None:
    killed = [run for run in figures["runs"] if run["killed"]]
    assert len(killed) == 1
    assert sum(figures["fakes"]["telegram_faults"].values()) > 20
    assert figures["fakes"]["telegram_faults"].get("flood", 0) > 10
    assert figures["ledger"]["due"] > 500
    # The clock times the ledger gives arrivals are never before the post was due.
    assert figures["ledger"]["earliest_s"] >= -1
    assert figures["fakes"]["violations"] == 0, figures["fakes"]["violation_examples"]


def test_nothing_due_is_lost(figures: dict[str, Any]) -> None:
    ledger = figures["ledger"]
    assert ledger["lost"] == 0, figures["lost_posts"]
    assert ledger["delivered"] == ledger["due"]
    assert ledger["unexpected"] == 0, figures["unexpected_posts"]
    assert ledger["unnamed_arrivals"] == 0, figures["unnamed"]


def test_every_extra_copy_was_in_flight_at_the_kill_or_lost_its_answer(
    figures: dict[str, Any],
) -> None:
    ledger = figures["ledger"]
    assert ledger["unrecorded_unexplained"] == 0, figures["unexplained"]
    # In flight means exactly: open at a fake when the bot died, or answered and not yet
    # recorded (its delivery still claimed in the store) - not "sent shortly before".
    (killed,) = [run for run in figures["runs"] if run["killed"]]
    in_flight_at_most = killed["open_requests_at_kill"] + killed["claimed_unrecorded_at_kill"]
    assert ledger["in_flight_at_kills"] <= in_flight_at_most
    # Each copy the bot did not know it had delivered explains at most one more, post by post.
    assert ledger["duplicates_beyond_bound"] == 0, figures["duplicated_posts"]
    assert ledger["duplicates"] <= ledger["duplicate_bound"]
    assert ledger["duplicates"] == ledger["duplicates_telegram"] + ledger["duplicates_discord"]
    lost = ledger["duplicates_from_lost_answers_telegram"]
    lost += ledger["duplicates_from_lost_answers_discord"]
    assert lost <= ledger["lost_responses"] + ledger["answers_after_timeout"]
    # A kill repeats a post at most once; each lost response (a timeout the platform had
    # already served) may repeat it once more, which no Bot API idempotency could prevent.
    assert ledger["max_copies_without_lost_responses"] <= 2, figures["duplicated_posts"]


def test_blocked_chats_are_deactivated_at_their_first_refusal_and_never_retried(
    figures: dict[str, Any],
) -> None:
    ledger = figures["ledger"]
    assert ledger["blocked_refused"] >= 1
    assert ledger["deactivated_in_store"] == ledger["blocked_refused"]
    assert ledger["sends_after_first_refusal"] == 0
    assert ledger["deactivated_wrongly"] == 0


def test_the_migrated_group_gets_its_posts_before_and_after_the_move(
    figures: dict[str, Any],
) -> None:
    group = figures["ledger"]["migrated_group"]
    assert group["to_old_id"] >= 1 and group["to_new_id"] >= 1
    assert group["to_old_id"] + group["to_new_id"] == group["due"]


def test_downtime_is_caught_up_as_the_rules_say(figures: dict[str, Any]) -> None:
    """The bot was stopped and restarted 70 minutes of clock later than the clock it reached:
    what fell in the gap went out late (counted in due and lost above) or, as the rules say,
    not at all; no chat got two reminders of one session from the catch-up."""
    down = figures["downtime"]
    assert down["late_due"] >= 1 and down["late_delivered"] == down["late_due"]
    assert down["missed_skipped"] >= 1
    assert down["missed_covered_by_a_nearer_reminder"] >= 1
    assert (
        down["missed_as_expected"]
        == down["missed_skipped"] + down["missed_covered_by_a_nearer_reminder"]
    )
    assert down["missed_but_sent"] == 0
    assert down["two_reminders_one_session"] == 0


def test_every_chat_gets_every_part_of_a_long_post_once(figures: dict[str, Any]) -> None:
    """An admin post longer than a Telegram message (and a Discord one) goes out in parts:
    every chat gets every part; a part twice only where the bot could not know it had gone."""
    many = figures["multipart"]
    assert many["recipients"] > 100
    assert many["chats_complete"] == many["recipients"]
    assert many["messages_telegram"] >= 2 * many["complete_telegram"] > 0
    assert many["messages_discord"] >= 2 * many["complete_discord"] > 0
    assert many["parts_twice_unexplained"] == 0
