"""What an answer is built on that no source states, and how an answer says so.

The schedule files mark such facts `inferred = "<reason>"` (bot.core.provenance). A fan is told
where it changes what they read: standings computed with a points scale nobody published,
results or a published table that are partly inferred, a driver's entry that is. Each function
returns the reasons, each once, in the order met; a catalog without any provenance answers at
once, so the hot paths (every /standings) pay nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.core.catalog import Catalog
from bot.core.i18n import N_, _
from bot.core.model import Entry, PublishedStandings, Session
from bot.core.provenance import FactKind


def table_basis(
    catalog: Catalog, sessions: Sequence[Session]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(scale reasons, result reasons) of a table computed from `sessions`: once per catalog
    and set of sessions, as the table's lines are (every fan asks between two sessions)."""
    if not catalog.provenance.stated:
        return (), ()
    return catalog.derived(
        # i18n: not user text (a cache key)
        ("inferred basis", tuple(session.id for session in sessions)),
        lambda: (scale_reasons(catalog, sessions), result_reasons(catalog, sessions)),
    )


def scale_reasons(catalog: Catalog, sessions: Iterable[Session]) -> tuple[str, ...]:
    """Why each inferred points scale these sessions score on is inferred."""
    provenance = catalog.provenance
    if not provenance.stated:
        return ()
    scales = dict.fromkeys(s.points_scale for s in sessions if s.points_scale is not None)
    found = (provenance.inferred((FactKind.SCALE, scale, -1)) for scale in scales)
    return tuple(dict.fromkeys(reason for reason in found if reason))


def result_reasons(catalog: Catalog, sessions: Iterable[Session]) -> tuple[str, ...]:
    """Why each inferred result row of these sessions is inferred."""
    provenance = catalog.provenance
    if not provenance.stated:
        return ()
    found = (
        provenance.inferred((FactKind.RESULT, session.id, index))
        for session in sessions
        for index in range(len(session.results))
    )
    return tuple(dict.fromkeys(reason for reason in found if reason))


def published_reasons(catalog: Catalog, table: PublishedStandings) -> tuple[str, ...]:
    """Why a published table, or any row of it, is inferred."""
    provenance = catalog.provenance
    if not provenance.stated:
        return ()
    keys = [(FactKind.STANDINGS, table.after_event, -1)]
    keys += [(FactKind.STANDINGS_ROW, table.after_event, i) for i in range(len(table.rows))]
    found = (provenance.inferred(key) for key in keys)
    return tuple(dict.fromkeys(reason for reason in found if reason))


def entry_reason(catalog: Catalog, event_id: str, entry: Entry) -> str | None:
    """Why the entry is inferred, or None when a source states it."""
    provenance = catalog.provenance
    event = catalog.events.get(event_id)
    if not provenance.stated or event is None:
        return None
    index = next((i for i, item in enumerate(event.entries) if item is entry), None)
    if index is None:
        index = next((i for i, item in enumerate(event.entries) if item == entry), None)
    return None if index is None else provenance.inferred((FactKind.ENTRY, event_id, index))


def track_reason(catalog: Catalog, track_id: str) -> str | None:
    """Why the track's facts (its name, say) are partly or wholly inferred."""
    provenance = catalog.provenance
    return provenance.inferred((FactKind.TRACK, track_id, -1)) if provenance.stated else None


# -- how answers say it ---------------------------------------------------------------------


def standings_notes(
    source: str, inferred_scales: tuple[str, ...], inferred_rows: tuple[str, ...]
) -> list[str]:
    """Under a standings table: what it is built on that no source states (the scale of a
    computed table, its results, or a published table's own rows)."""
    notes = []
    if inferred_scales and source == "computed":
        notes.append(scale_note(inferred_scales))
    if inferred_rows:
        notes.append((published_note if source == "published" else results_note)(inferred_rows))
    return notes


def scale_note(reasons: tuple[str, ...]) -> str:
    """Under a table computed with an inferred scale."""
    # The reasons are the schedule files' own words: quoted, not translated.
    return _("Points computed with an unpublished scale (inferred: {reasons}).").format(
        reasons="; ".join(reasons)
    )


def results_note(reasons: tuple[str, ...]) -> str:
    return _("Some of these results are inferred: {reasons}.").format(reasons="; ".join(reasons))


def published_note(reasons: tuple[str, ...]) -> str:
    return _("Parts of this table are inferred: {reasons}.").format(reasons="; ".join(reasons))


def entry_note(reason: str) -> str:
    return _("Entry inferred: {reason}.").format(reason=reason)


# Marks beside a value, translated where shown: _(SCALE_MARK).
SCALE_MARK = N_("unpublished points scale, inferred")
ENTRY_MARK = N_("entry inferred")
