"""Published standings that our results contradict are reported at the published row."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.test_schedules_helpers import (
    REAL_SCHEDULES,
    SERIES,
    line_of,
    problems_in,
    replace_once,
    write_schedules,
)

RACE_1 = '[[events.sessions]]\nid = "race-1"'
JESSICA_WINS = 'position = 1\ndriver = "jessica-backman"'


def copy_with_tcr_germany(tmp_path: Path, edit: str, replacement: str) -> tuple[Path, str]:
    root = tmp_path / "schedules"
    shutil.copytree(REAL_SCHEDULES, root)
    path = root / "2022" / "tcr-germany.toml"
    text = path.read_text(encoding="utf-8")
    # Edit Race 1 only: the same lines could appear in another session.
    head, race_1 = text.split(RACE_1)
    text = head + RACE_1 + replace_once(race_1, edit, replacement)
    path.write_text(text, encoding="utf-8")
    return root, text


def test_jessica_second_in_race_1_contradicts_the_published_44_points(tmp_path: Path) -> None:
    root, text = copy_with_tcr_germany(tmp_path, JESSICA_WINS, JESSICA_WINS.replace("1", "2", 1))
    (problem,) = problems_in(root)
    assert problem.file == "2022/tcr-germany.toml"
    # Jessica's published row: position 3, driver, then `points = 44`.
    points_line = line_of(text, "points = 44")
    assert text.splitlines()[points_line - 2] == 'driver = "jessica-backman"'
    assert problem.line == points_line
    assert problem.key == "standings[0].rows[2].points"
    assert problem.message == "published 44 points, results give 39"


def test_a_series_with_other_problems_is_not_compared(tmp_path: Path) -> None:
    # A broken result row would make any computed total wrong: only the row itself is reported.
    root, _ = copy_with_tcr_germany(
        tmp_path, JESSICA_WINS, 'position = "2"\ndriver = "jessica-backman"'
    )
    (problem,) = problems_in(root)
    assert problem.key == "events[0].sessions[3].results[0].position"


def _result(position: int, driver: str) -> str:
    return f'\n[[events.sessions.results]]\nposition = {position}\ndriver = "{driver}"\n'


def _session(slug: str, kind: str, at: str, *results: str) -> str:
    head = f'\n[[events.sessions]]\nid = "{slug}"\nname = "{slug}"\nkind = "{kind}"\n'
    return head + f'date = 2022-05-14\ntime = "{at}"\nduration = "30m"\n' + "".join(results)


# Anna and Cleo both score 35: Anna 18 + 15 in the races and 2 in qualifying, Cleo 25 + 10.
# Cleo's race win puts her ahead by count-back; the published table has them the other way.
COUNT_BACK = (
    SERIES.split("[[events.sessions]]")[0]
    + _session("qualifying", "qualifying", "09:00", _result(2, "anna"), _result(4, "cleo"))
    + _session("race-1", "race", "11:00", _result(1, "cleo"), _result(2, "anna"))
    + _session("race-2", "race", "15:00", _result(3, "anna"), _result(5, "cleo"))
    + """
[[standings]]
after = "ring"

[[standings.rows]]
position = 1
driver = "anna"
points = 35

[[standings.rows]]
position = 2
driver = "cleo"
points = 35
"""
)


def test_a_published_table_in_the_wrong_count_back_order_is_reported(tmp_path: Path) -> None:
    root = write_schedules(tmp_path, COUNT_BACK)
    (problem,) = problems_in(root)
    assert (problem.file, problem.key) == ("demo.toml", "standings[0].rows[1].position")
    assert problem.line == line_of(COUNT_BACK, "position = 2", 3)
    assert problem.message == (
        "published position 2, results give 1 (equal points with 'anna', ahead by count-back)"
    )


def test_the_right_count_back_order_passes(tmp_path: Path) -> None:
    fixed = COUNT_BACK.replace('driver = "anna"\npoints', 'driver = "x"\npoints')
    fixed = fixed.replace('driver = "cleo"\npoints', 'driver = "anna"\npoints')
    fixed = fixed.replace('driver = "x"\npoints', 'driver = "cleo"\npoints')
    assert problems_in(write_schedules(tmp_path, fixed)) == ()
