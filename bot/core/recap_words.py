"""How a press release words a result: ordinals, statuses and their notes, who was in a car.

Pure text from model objects; `bot.core.recap` decides what goes into a recap, this module how
each piece reads ("2nd place", "DNS. Due to technical problems (fuel pump).").
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.catalog import Catalog
from bot.core.formatting import ordinal
from bot.core.model import Entry, ResultRow, ResultStatus

# A note naming a part of the car is a technical problem, as the press releases put it ("did not
# start ... technical problems with the fuel pump"); any other note is its own sentence.
_TECHNICAL_WORDS = frozenset(
    {
        "alternator",
        "battery",
        "brake",
        "brakes",
        "clutch",
        "differential",
        "driveshaft",
        "ecu",
        "electrical",
        "electrics",
        "electronics",
        "engine",
        "exhaust",
        "fuel",
        "gearbox",
        "hydraulics",
        "mechanical",
        "oil",
        "power",
        "pump",
        "radiator",
        "sensor",
        "steering",
        "suspension",
        "technical",
        "transmission",
        "turbo",
        "wiring",
    }
)


def is_technical(note: str) -> bool:
    words = note.casefold().replace("-", " ").replace("/", " ").split()
    return any(word.strip(".,;:()") in _TECHNICAL_WORDS for word in words)


def sentence(text: str) -> str:
    """'accident at turn 1' -> 'Accident at turn 1.'"""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def status_word(status: ResultStatus) -> str:
    """The abbreviation a press release uses: DNF, DNS, DSQ (and any status added later)."""
    return status.value.upper()


def outcome(row: ResultRow, class_place: tuple[str, int] | None = None) -> str:
    """'2nd place', '14th place (2nd in TCR)', 'DNS. Due to technical problems (fuel pump).',
    'DNF. Accident at turn 1.' — the words after 'Race 1: '."""
    if row.status is ResultStatus.CLASSIFIED and row.position is not None:
        text = f"{ordinal(row.position)} place"
        if class_place is not None:
            text += f" ({ordinal(class_place[1])} in {class_place[0]})"
        if row.fastest_lap:
            text += ", fastest lap"
        return f"{text} ({row.note})" if row.note else text
    text = f"{status_word(row.status)}."
    if row.note:
        if is_technical(row.note):
            text += f" Due to technical problems ({row.note.strip()})."
        else:
            text += f" {sentence(row.note)}"
    return text


def timing_text(row: ResultRow, race: bool) -> str:
    """What the timing sheet gives of a winner: ', 21 laps in 25:03.456' for a race, the best
    lap (', 1:31.234') for a qualifying or practice; '' when it gives nothing."""
    if not race:
        return f", {row.best_lap}" if row.best_lap else ""
    laps = f"{row.laps} laps" if row.laps is not None else ""
    if row.time:
        return f", {laps} in {row.time}" if laps else f", in {row.time}"
    return f", {laps}" if laps else ""


def names(catalog: Catalog, driver_ids: Sequence[str]) -> str:
    """'Jessica Bäckman'; a shared car: 'Andreas Bäckman, Oliver Söderström and Emil Sällberg'."""
    labels = [catalog.drivers[d].name if d in catalog.drivers else d for d in driver_ids]
    return and_list(labels)


def and_list(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return " and ".join(part for part in (", ".join(items[:-1]), *items[-1:]) if part)


def car_text(entry: Entry | None) -> str:
    """'#120 Lestrup Racing Team, Audi RS 3 LMS TCR' — what is known of the car, or ''."""
    if entry is None:
        return ""
    team = " ".join(p for p in (f"#{entry.number}" if entry.number else "", entry.team or "") if p)
    return ", ".join(p for p in (team, entry.car or "") if p)


def team_text(entry: Entry | None) -> str:
    """' (#120 Lestrup Racing Team)' after a name, or '' when the entry names no team."""
    if entry is None:
        return ""
    team = " ".join(p for p in (f"#{entry.number}" if entry.number else "", entry.team or "") if p)
    return f" ({team})" if team else ""
