"""Generate a large, valid schedules directory for benchmarks (and for trying `pitboard check`).

The default shape is a busy world: 50 series x 10 events x 8 sessions (2 practice, 2 qualifying,
4 races) x 40 entries, one driver per car (2,000 drivers, each in one series), and complete
results for every session. Everything derives from a seed, so two runs write the same bytes.

Times are sane: an event is a Friday-to-Sunday weekend in one of ten zones, its sessions never
overlap, they start between 08:00 and 18:00 local (far from any summer-time change, so no wall
time is skipped or doubled), one series never has two events on the same weekend, and a
per-series minute offset keeps series sharing a weekend from starting on the same instant.

Usage: python -m bench._catalog_gen OUT_DIR [--series N] [--events N] [--entries N]
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ZONES = (
    "Europe/Berlin",
    "Europe/Stockholm",
    "Europe/London",
    "Europe/Lisbon",
    "America/New_York",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Australia/Melbourne",
    "Asia/Dubai",
)
FIRST_NAMES = ("Alva", "Jonas", "Maja", "Emil", "Freja", "Lukas", "Ines", "Mateo", "Yuki", "Noor")
LAST_NAMES = ("Berg", "Keller", "Silva", "Novak", "Tanaka", "Moreau", "Lindqvist", "Rossi", "Kaur")
CARS = ("Audi RS 3 LMS TCR", "Hyundai Elantra N TCR", "Cupra Leon VZ TCR", "Honda Civic Type R TCR")


@dataclass(frozen=True)
class SessionPlan:
    slug: str
    name: str
    short: str
    kind: str
    day: int  # 0 = Friday of the event weekend
    hour: int
    minutes: int  # duration


# Two practices on Friday, a qualifying and two races on each of Saturday and Sunday.
SESSIONS = (
    SessionPlan("practice-1", "Practice 1", "P1", "practice", 0, 10, 60),
    SessionPlan("practice-2", "Practice 2", "P2", "practice", 0, 14, 60),
    SessionPlan("qualifying-1", "Qualifying 1", "Q1", "qualifying", 1, 9, 30),
    SessionPlan("race-1", "Race 1", "R1", "race", 1, 12, 45),
    SessionPlan("race-2", "Race 2", "R2", "race", 1, 16, 45),
    SessionPlan("qualifying-2", "Qualifying 2", "Q2", "qualifying", 2, 9, 30),
    SessionPlan("race-3", "Race 3", "R3", "race", 2, 12, 45),
    SessionPlan("race-4", "Race 4", "R4", "race", 2, 16, 45),
)
RACE_POINTS = (25, 20, 16, 13, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
QUALIFYING_POINTS = (10, 8, 6, 5, 4, 3, 2, 1)
SCALE_VARIANTS = 5  # series share a few scales, as real ones do
TRACKS = 100
MAX_EVENTS = 14  # three weeks apart from March: the last one still ends before December


@dataclass(frozen=True)
class Shape:
    series: int = 50
    events: int = 10
    entries: int = 40
    season: int = 2030


@dataclass(frozen=True)
class Generated:
    """What a benchmark needs to know about the directory it got."""

    directory: Path
    shape: Shape
    series_ids: tuple[str, ...]
    driver_ids: tuple[str, ...]
    files: tuple[Path, ...]
    sessions: int
    results: int
    first_day: date
    last_day: date

    @property
    def total_bytes(self) -> int:
        return sum(path.stat().st_size for path in self.files)


def generate(directory: Path, shape: Shape | None = None, seed: int = 2022) -> Generated:
    """Write the shared files and one file per series under `directory` (created if missing)."""
    shape = shape or Shape()
    if not 1 <= shape.events <= MAX_EVENTS:
        raise ValueError(f"events must be 1 to {MAX_EVENTS} to fit one season's calendar")
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    season_dir = directory / str(shape.season)
    season_dir.mkdir(exist_ok=True)
    files = [
        _write(directory / "scales.toml", _scales_toml()),
        _write(directory / "tracks.toml", _tracks_toml()),
        _write(directory / "drivers.toml", _drivers_toml(shape.series * shape.entries)),
    ]
    series_ids = []
    days: list[date] = []
    for index in range(shape.series):
        series_id = f"bench-series-{index:02d}-{shape.season}"
        text, first, last = _series_toml(index, series_id, shape, rng)
        files.append(_write(season_dir / f"bench-series-{index:02d}.toml", text))
        series_ids.append(series_id)
        days += [first, last]
    sessions = shape.series * shape.events * len(SESSIONS)
    return Generated(
        directory=directory,
        shape=shape,
        series_ids=tuple(series_ids),
        driver_ids=tuple(_driver_id(n) for n in range(shape.series * shape.entries)),
        files=tuple(files),
        sessions=sessions,
        results=sessions * shape.entries,
        first_day=min(days),
        last_day=max(days),
    )


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _q(value: str) -> str:
    # A JSON string with ASCII escapes is also a valid TOML basic string.
    return json.dumps(value)


def _driver_id(number: int) -> str:
    return f"driver-{number:04d}"


def _scales_toml() -> str:
    out = ["# Generated by bench/_catalog_gen.py: points scales."]
    for variant in range(SCALE_VARIANTS):
        for kind, points in (("race", RACE_POINTS), ("qualifying", QUALIFYING_POINTS)):
            # Variants differ in the points for first place, so they are really distinct scales.
            scaled = (points[0] + variant, *points[1:])
            out += [
                "",
                f"[scales.bench-{kind}-{variant}]",
                f"name = {_q(f'Bench {kind} scale {variant}')}",
                f"points = [{', '.join(map(str, scaled))}]",
            ]
    return "\n".join(out) + "\n"


def _tracks_toml() -> str:
    out = ["# Generated by bench/_catalog_gen.py: circuits."]
    for number in range(TRACKS):
        out += [
            "",
            f"[tracks.track-{number:03d}]",
            f"name = {_q(f'Circuit {number:03d}')}",
            f"location = {_q(f'Town {number:03d}')}",
            f"length_km = {3 + (number % 30) / 10:.1f}",
            f"corners = {10 + number % 12}",
        ]
    return "\n".join(out) + "\n"


def _drivers_toml(count: int) -> str:
    out = ["# Generated by bench/_catalog_gen.py: one driver per car, each in one series."]
    for number in range(count):
        first = FIRST_NAMES[number % len(FIRST_NAMES)]
        last = LAST_NAMES[(number // len(FIRST_NAMES)) % len(LAST_NAMES)]
        out += ["", f"[drivers.{_driver_id(number)}]", f"name = {_q(f'{first} {last} {number}')}"]
    return "\n".join(out) + "\n"


def _series_toml(
    index: int, series_id: str, shape: Shape, rng: random.Random
) -> tuple[str, date, date]:
    variant = index % SCALE_VARIANTS
    out = [
        f"# Generated by bench/_catalog_gen.py: series {index}.",
        "",
        "[series]",
        f"id = {_q(series_id)}",
        f"name = {_q(f'Bench Touring Cup {index:02d}')}",
        f"short_name = {_q(f'BTC {index:02d}')}",
        f"season = {shape.season}",
        f"rounds = {shape.events}",
        "",
        "[series.points]",
        f'qualifying = "bench-qualifying-{variant}"',
        f'race = "bench-race-{variant}"',
    ]
    drivers = [_driver_id(index * shape.entries + n) for n in range(shape.entries)]
    fridays = [_event_friday(shape.season, index, event) for event in range(shape.events)]
    for event, friday in enumerate(fridays):
        out += _event_lines(index, event, friday, drivers, rng)
    return "\n".join(out) + "\n", fridays[0], fridays[-1] + timedelta(days=2)


def _event_friday(season: int, series: int, event: int) -> date:
    # Events three weeks apart from March on; series start on one of three weekends, so no
    # series has two events on one weekend and the calendar stays inside the season's year.
    march_first = date(season, 3, 1)
    first_friday = march_first + timedelta(days=(4 - march_first.weekday()) % 7)
    return first_friday + timedelta(weeks=3 * event + series % 3)


def _event_lines(
    series: int, event: int, friday: date, drivers: list[str], rng: random.Random
) -> list[str]:
    zone = ZONES[(series + event) % len(ZONES)]
    offset = (series * 7) % 30  # minutes, so series sharing a weekend do not start together
    out = [
        "",
        "[[events]]",
        f'id = "round-{event + 1:02d}"',
        f"name = {_q(f'Round {event + 1}')}",
        f"round = {event + 1}",
        f'track = "track-{(series * 10 + event) % TRACKS:03d}"',
        f"timezone = {_q(zone)}",
        f"start_date = {friday.isoformat()}",
        f"end_date = {(friday + timedelta(days=2)).isoformat()}",
        f'live_timing = "https://timing.example.org/{series:02d}/{event + 1:02d}"',
        "",
        "[[events.broadcasts]]",
        'name = "Bench TV"',
        f'url = "https://tv.example.org/{series:02d}"',
    ]
    for plan in SESSIONS:
        out += _session_lines(plan, friday, offset, drivers, rng)
    for number, driver in enumerate(drivers, start=1):
        out += [
            "",
            "[[events.entries]]",
            f'number = "{number}"',
            f"team = {_q(f'Team {(number - 1) // 2 + 1}')}",
            f"car = {_q(CARS[number % len(CARS)])}",
            f"drivers = [{_q(driver)}]",
        ]
    return out


def _session_lines(
    plan: SessionPlan, friday: date, offset: int, drivers: list[str], rng: random.Random
) -> list[str]:
    out = [
        "",
        "[[events.sessions]]",
        f'id = "{plan.slug}"',
        f'name = "{plan.name}"',
        f'short = "{plan.short}"',
        f'kind = "{plan.kind}"',
        f"date = {(friday + timedelta(days=plan.day)).isoformat()}",
        f'time = "{plan.hour:02d}:{offset:02d}"',
        f'duration = "{plan.minutes}m"',
        "results_complete = true",
    ]
    order = drivers[:]
    rng.shuffle(order)
    # Races lose a few cars; practice and qualifying classify everyone.
    retired = rng.randint(0, 3) if plan.kind == "race" else 0
    classified = order[: len(order) - retired]
    for position, driver in enumerate(classified, start=1):
        out += ["", "[[events.sessions.results]]", f"position = {position}", f'driver = "{driver}"']
    for number, driver in enumerate(order[len(classified) :]):
        status, note = ("dns", "gearbox") if number == 2 else ("dnf", "engine" if number else "")
        out += ["", "[[events.sessions.results]]", f'driver = "{driver}"', f'status = "{status}"']
        if note:
            out.append(f"note = {_q(note)}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a generated schedules directory.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--series", type=int, default=Shape.series)
    parser.add_argument("--events", type=int, default=Shape.events)
    parser.add_argument("--entries", type=int, default=Shape.entries)
    args = parser.parse_args(argv)
    made = generate(args.out, Shape(args.series, args.events, args.entries))
    print(
        f"{made.directory}: {len(made.files)} files, {made.total_bytes:,} bytes, "
        f"{made.sessions:,} sessions, {made.results:,} results"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
