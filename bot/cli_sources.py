"""`pitboard check --sources`: every fact of the schedules with where it came from."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.core.catalog import Catalog
from bot.core.fact_sources import report_lines, sources_report
from bot.core.formatting import count
from bot.core.schedules import check_directory

SOURCES_HELP = (
    "also list every fact by the source that states it (press release, document, import, "
    "edit), the inferred facts with their reasons, and every fact without a source; exit "
    "code 1 when any fact lacks one, as for a problem"
)


def checked_catalog(directory: Path) -> Catalog | None:
    """The catalog `directory` loads into; None once its problems are printed (one a line,
    then how many on stderr), for `pitboard check` with or without --sources."""
    catalog, problems = check_directory(directory)
    for item in problems:
        print(item)
    if problems or catalog is None:
        print(f"{count(len(problems), 'problem')} in {directory}", file=sys.stderr)
        return None
    return catalog


def run_check_sources(directory: Path) -> int:
    """0 when the files load and every fact has a source (or is marked inferred), else 1."""
    catalog = checked_catalog(directory)
    if catalog is None:
        return 1
    report = sources_report(catalog)
    for text in report_lines(catalog, report):
        print(text)
    print()
    stated = report.total - len(report.unsourced)
    if report.unsourced:
        missing = count(len(report.unsourced), "fact")
        print(f"{missing} of {report.total} without a source in {directory}", file=sys.stderr)
        return 1
    print(
        f"ok: {count(report.total, 'fact')}, every one with a source "
        f"({stated - len(report.inferred)} stated only, {len(report.inferred)} inferred) "
        f"in {directory}"
    )
    return 0
