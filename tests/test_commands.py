"""The command table and chat argument parsing."""

import pytest

from bot.core.commands import COMMANDS, find_command, parse_arguments, split_command_line


def command(name: str):
    found = find_command(name)
    assert found is not None
    return found


def test_every_command_has_help_and_an_example() -> None:
    names = [c.name for c in COMMANDS]
    assert len(names) == len(set(names))
    for item in COMMANDS:
        assert item.summary and item.example.startswith(f"/{item.name}")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/standings tcr-germany-2022", ("standings", "tcr-germany-2022")),
        ("/standings@PitboardBot tcr germany", ("standings", "tcr germany")),
        ("/NEXT", ("next", "")),
        ("  /driver   jessica  ", ("driver", "jessica")),
    ],
)
def test_split_command_line(line: str, expected: tuple[str, str]) -> None:
    assert split_command_line(line) == expected


def test_trailing_table_name_is_recognised_and_series_keeps_its_spaces() -> None:
    assert parse_arguments(command("standings"), "tcr germany TEAMS") == {
        "series": "tcr germany",
        "table": "teams",
    }
    assert parse_arguments(command("standings"), "tcr germany") == {"series": "tcr germany"}


def test_driver_with_full_event_id_from_a_button() -> None:
    assert parse_arguments(command("driver"), "jessica-backman tcr-germany-2022/oschersleben") == {
        "name": "jessica-backman",
        "event": "tcr-germany-2022/oschersleben",
    }
    assert parse_arguments(command("driver"), "jessica backman") == {"name": "jessica backman"}


def test_usage_marks_optional_arguments() -> None:
    assert command("standings").usage == "/standings SERIES [drivers|teams|classes]"
    assert command("watch").usage == "/watch [EVENT]"
