"""The README and the pages under docs/ link to files and sections that exist.

Pages move and headings get renamed as features land; a link that quietly leads nowhere is how
a README goes stale, so every relative link is followed here, anchors included.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", ROOT / "schedules" / "README.md", *ROOT.glob("docs/*.md")])
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    return {github_anchor(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, re.MULTILINE)}


def links(page: Path) -> list[str]:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    return [
        target
        for target in _LINK.findall(text)
        if not re.match(r"[a-z]+:", target)  # https:, mailto: and the like are not followed
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_a_file_and_section_that_exist(page: Path) -> None:
    broken = []
    for target in links(page):
        path_part, _, anchor = target.partition("#")
        destination = (page.parent / path_part).resolve() if path_part else page
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target}: no section #{anchor}")
    assert broken == []


def test_the_anchor_rule_matches_githubs() -> None:
    assert (
        github_anchor("Telegram: `python -m bench.telegram`") == "telegram-python--m-benchtelegram"
    )
    assert github_anchor("Try it in two minutes") == "try-it-in-two-minutes"


def test_the_readme_links_every_page_under_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pages = {page.name for page in ROOT.glob("docs/*.md")}
    linked = {Path(target.partition("#")[0]).name for target in links(ROOT / "README.md")}
    assert pages - linked == set(), "pages the README does not lead to"
    assert "docs/HELPER-BRIEF.md" not in readme


def test_the_service_page_names_the_environment_the_bot_reads() -> None:
    """docs/DEPLOYMENT.md tells an operator what goes in the unit's EnvironmentFile."""
    from bot.config import DISCORD_TOKEN_ENV, TELEGRAM_TOKEN_ENV

    page = (ROOT / "docs" / "DEPLOYMENT.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([A-Z_]+)` \|", page, re.MULTILINE))
    assert {TELEGRAM_TOKEN_ENV, DISCORD_TOKEN_ENV} <= listed
    unit = (ROOT / "docs" / "pitboard.service").read_text(encoding="utf-8")
    (environment_file,) = re.findall(r"^EnvironmentFile=(.+)$", unit, re.MULTILINE)
    assert f"`{environment_file}` holds the environment the bot needs" in page
