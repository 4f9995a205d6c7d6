"""Autocomplete for the admins' edit commands: series, events, sessions and tracks of the
catalog as it is now (a reload swaps it), each shown with its id: an edit names one exactly.

What was typed filters the choices as `/results` and `/driver` filter theirs (every word typed
starts a word of the name, accents and case ignored; `slash.matching`), at most Discord's 25.
"""

from __future__ import annotations

from collections.abc import Callable

import discord
from discord import app_commands

from bot.core import lookup
from bot.core.catalog import Catalog
from bot.core.names import Candidate, normalize
from bot.frontends.discord.slash import MAX_CHOICES, matching

Choice = app_commands.Choice
CHOICE_NAME_MAX = 100  # Discord's limit on a choice's name
SEPARATOR = " · "


def with_id(candidate: Candidate) -> Candidate:
    """The candidate labelled "name · id", the id kept whole when the name must be cut."""
    room = CHOICE_NAME_MAX - len(SEPARATOR) - len(candidate.id)
    label = candidate.label if len(candidate.label) <= room else candidate.label[: room - 1] + "…"
    return Candidate(candidate.id, f"{label}{SEPARATOR}{candidate.id}", candidate.names)


def edit_choices(query: str, candidates: list[Candidate]) -> list[Choice[str]]:
    """The candidates matching what was typed, one named exactly (its id, its name) first."""
    # Matched on the plain names (a label with the id in it would match every slug typed).
    found = {choice.value for choice in matching(query, candidates, limit=None)}
    wanted = normalize(query)
    hits = [c for c in candidates if c.id in found]
    hits.sort(key=lambda c: wanted not in c.match_keys())  # stable: timetable order kept
    return [Choice(name=with_id(c).label, value=c.id) for c in hits][:MAX_CHOICES]


class EditChoices:
    """The autocomplete callbacks; members who may not edit are offered nothing."""

    def __init__(
        self, catalog: Callable[[], Catalog], is_admin: Callable[[discord.Interaction], bool]
    ) -> None:
        self._catalog = catalog
        self._is_admin = is_admin

    def _offer(
        self, interaction: discord.Interaction, current: str, pool: list[Candidate]
    ) -> list[Choice[str]]:
        return edit_choices(current, pool) if self._is_admin(interaction) else []

    async def series(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return self._offer(interaction, current, lookup.series_candidates(self._catalog()))

    async def events(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return self._offer(interaction, current, lookup.event_candidates(self._catalog()))

    async def sessions(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return self._offer(interaction, current, lookup.session_candidates(self._catalog()))

    async def tracks(self, interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return self._offer(interaction, current, lookup.track_candidates(self._catalog()))
