"""[[...broadcasts]] tables: where to watch, as labelled links."""

from __future__ import annotations

from bot.core.model import Link
from bot.core.schedules import formats
from bot.core.schedules.reader import Node

LINK_KEYS = ("name", "url")


def parse_links(parent: Node, key: str) -> tuple[Link, ...]:
    links: list[Link] = []
    for node in parent.children(key):
        node.check_keys(LINK_KEYS)
        name = node.text("name", required=True)
        url = node.formatted("url", formats.url, required=True)
        if name is not None and url is not None:
            links.append(Link(label=name, url=url))
    return tuple(links)
