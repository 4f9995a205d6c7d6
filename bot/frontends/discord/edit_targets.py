"""What an edit command's series, event or session option names: the id autocomplete put
there, or whatever the admin typed instead, resolved as every other command resolves names
(`bot.core.names`, accents and case ignored). Anything else is a `ValueError` saying what
was meant or what is known."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.core import lookup
from bot.core.catalog import Catalog
from bot.core.i18n import N_, _, ngettext
from bot.core.names import Candidate, resolve
from bot.frontends.discord.edit_text import RowsFor

SHOWN = 3


def _resolved(value: str, candidates: list[Candidate], not_found: str) -> str:
    wanted = value.strip()
    if any(candidate.id == wanted for candidate in candidates):
        return wanted
    found = resolve(wanted, candidates)
    if found.match is not None:
        return found.match.id
    if found.ambiguous:
        names = ", ".join(c.id for c in found.ambiguous[:SHOWN])
        more = len(found.ambiguous) - SHOWN
        if more > 0:
            names = ngettext("{names} and {n} more", "{names} and {n} more", more).format(
                names=names, n=more
            )
        raise ValueError(
            _("“{value}” could be {names}: pick one from the list").format(value=value, names=names)
        )
    near = ", ".join(c.id for c in found.suggestions[:SHOWN])
    hint = " " + _("Did you mean {names}?").format(names=near) if near else ""
    raise ValueError(_(not_found).format(value=value) + hint)


def _resolver(
    candidates: Callable[[Catalog], list[Candidate]], not_found: str
) -> Callable[[Catalog, str], str]:
    def resolved(catalog: Catalog, value: str) -> str:
        return _resolved(value, candidates(catalog), not_found)

    return resolved


# What is said when nothing is called so (translated when said).
series_id = _resolver(lookup.series_candidates, N_("No series called “{value}”."))
event_id = _resolver(lookup.event_candidates, N_("No event called “{value}”."))
session_id = _resolver(lookup.session_candidates, N_("No session called “{value}”."))


def resolved(catalog: Catalog, target: RowsFor) -> RowsFor:
    """`target` with its session, or its series and event, named by id."""
    if target.kind == "results":
        return replace(target, target_id=session_id(catalog, target.target_id))
    series = series_id(catalog, target.target_id)
    after = event_id(catalog, target.after_event or "")
    if not after.startswith(series + "/"):
        raise ValueError(
            _("{event} is not an event of {series}").format(event=after, series=series)
        )
    return replace(target, target_id=series, after_event=after)
