"""TEMPORARY stand-in for helper A's pasted-rows parser (SPEC16 §6), deleted once it lands."""

from __future__ import annotations

from bot.core.catalog import Catalog
from bot.core.edits.inputs import ResultRowInput
from bot.core.model import Session


def parse_rows(
    text: str, session: Session, catalog: Catalog
) -> tuple[tuple[ResultRowInput, ...], tuple[str, ...]]:
    raise NotImplementedError("pasted rows arrive with bot.core.edits' parse_rows")
