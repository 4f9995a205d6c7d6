"""Finding what a fan meant: names without case or accents, ambiguity, nearest suggestions.

"backman" finds both Bäckmans and asks which; "sallberg" finds Emil Sällberg; "jesica" finds
nothing but suggests Jessica Bäckman.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Letters NFKD does not split into a base letter and an accent.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "å": "a", "ß": "ss", "ł": "l", "đ": "d", "þ": "th"})


def normalize(value: str) -> str:
    """Lower case, accents removed, punctuation folded to single spaces."""
    folded = value.casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", folded)  # i18n: not user text
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped).strip()


@dataclass(frozen=True)
class Candidate:
    id: str
    label: str  # what to show: "Jessica Bäckman"
    names: tuple[str, ...]  # every name it answers to; the id and label are added

    def match_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(normalize(n) for n in (self.id, self.label, *self.names)))


@dataclass(frozen=True)
class Resolution:
    match: Candidate | None = None
    ambiguous: tuple[Candidate, ...] = ()  # several fit equally well: ask which (all of them)
    suggestions: tuple[Candidate, ...] = ()  # nothing fits: the nearest ones

    @property
    def found(self) -> bool:
        return self.match is not None


def resolve(query: str, candidates: Iterable[Candidate], *, limit: int = 5) -> Resolution:
    """The candidate `query` names, or every one it could mean, or the `limit` nearest ones.

    Every ambiguous match is returned, never the first few: it is for the caller to show them
    all or to say how many more there are (`bot.core.lookup`); a match cut off here would
    vanish without a word."""
    wanted = normalize(query)
    pool = list(candidates)
    if not wanted:
        return Resolution(suggestions=tuple(pool[:limit]))
    for rule in (_exact, _all_words_prefix, _substring):
        hits = [c for c in pool if any(rule(wanted, key) for key in c.match_keys())]
        if len(hits) == 1:
            return Resolution(match=hits[0])
        if hits:
            return Resolution(ambiguous=tuple(hits))
    return Resolution(suggestions=_nearest(wanted, pool, limit))


def _exact(wanted: str, key: str) -> bool:
    return wanted == key


def _all_words_prefix(wanted: str, key: str) -> bool:
    # Every word typed starts some word of the name: "jess back", "backman", "r1".
    words = key.split()
    return all(any(word.startswith(part) for word in words) for part in wanted.split())


def _substring(wanted: str, key: str) -> bool:
    return wanted in key.replace(" ", "") or wanted.replace(" ", "") in key.replace(" ", "")


def _nearest(wanted: str, pool: list[Candidate], limit: int) -> tuple[Candidate, ...]:
    scored: list[tuple[float, str, Candidate]] = []
    for candidate in pool:
        best = 0.0
        for key in candidate.match_keys():
            for piece in (key, *key.split()):
                best = max(best, difflib.SequenceMatcher(None, wanted, piece).ratio())
        if best >= 0.6:
            scored.append((-best, candidate.label, candidate))
    scored.sort(key=lambda item: (item[0], item[1]))
    return tuple(candidate for _, _, candidate in scored[:limit])
