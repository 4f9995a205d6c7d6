"""Name resolution: no case, no accents, ambiguity asks, unknown suggests."""

from bot.core.names import Candidate, normalize, resolve

DRIVERS = [
    Candidate("jessica-backman", "Jessica Bäckman", ()),
    Candidate("andreas-backman", "Andreas Bäckman", ()),
    Candidate("emil-sallberg", "Emil Sällberg", ()),
    Candidate("oliver-soderstrom", "Oliver Söderström", ()),
    Candidate("martin-andersen", "Martin Andersen", ()),
]


def test_normalize_folds_case_accents_and_punctuation() -> None:
    assert normalize("  Jessica BÄCKMAN ") == "jessica backman"
    assert normalize("Söderström") == "soderstrom"
    assert normalize("Race – Part 1") == "race part 1"
    assert normalize("Øresund") == "oresund"


def test_accentless_surname_finds_the_driver() -> None:
    assert resolve("sallberg", DRIVERS).match == DRIVERS[2]
    assert resolve("SODERSTROM", DRIVERS).match == DRIVERS[3]


def test_first_name_is_enough_when_unique() -> None:
    assert resolve("jessica", DRIVERS).match == DRIVERS[0]
    assert resolve("jess", DRIVERS).match == DRIVERS[0]


def test_shared_surname_is_ambiguous_and_lists_both() -> None:
    found = resolve("backman", DRIVERS)
    assert found.match is None
    assert {c.id for c in found.ambiguous} == {"jessica-backman", "andreas-backman"}


def test_exact_id_wins_over_partial_matches() -> None:
    assert resolve("andreas-backman", DRIVERS).match == DRIVERS[1]


def test_misspelling_suggests_the_nearest() -> None:
    found = resolve("jesica bakman", DRIVERS)
    assert found.match is None and not found.ambiguous
    assert found.suggestions[0].id == "jessica-backman"


def test_nonsense_suggests_nothing() -> None:
    found = resolve("zzzzqqq", DRIVERS)
    assert not found.found and not found.ambiguous and not found.suggestions
