"""Rows and files into edit operations: helper A's pasted-rows parser and helper B's timing
export readers. TEMPORARY: filled in once e16a and e16b are merged."""

from __future__ import annotations

from typing import Any

from bot.core.catalog import Catalog
from bot.frontends.discord.edit_flow import RowsFor


class FileInputs:
    def from_rows(self, text: str, target: RowsFor, catalog: Catalog) -> tuple[Any, list[str]]:
        return None, ["Entering rows is not available yet."]

    def from_file(
        self, data: bytes, filename: str, target: RowsFor, catalog: Catalog
    ) -> tuple[Any, list[str]]:
        return None, ["Importing files is not available yet."]
