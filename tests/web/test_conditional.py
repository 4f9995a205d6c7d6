"""One ETag rule for the page and the feeds: a weak or strong tag naming the body, or "*"."""

from __future__ import annotations

from aiohttp.test_utils import make_mocked_request

from bot.web.conditional import etag_of, not_modified


def asking(header: str | None):  # type: ignore[no-untyped-def]
    headers = {"If-None-Match": header} if header is not None else {}
    return make_mocked_request("GET", "/s/x", headers=headers)


def test_a_tag_naming_the_body_strong_weak_or_in_a_list_is_not_modified() -> None:
    tag = etag_of(b"timetable")
    assert tag.startswith('"') and tag.endswith('"') and etag_of(b"timetable") == tag
    assert not_modified(asking(tag), tag)
    assert not_modified(asking("W/" + tag), tag)
    assert not_modified(asking(f'"other", {tag}'), tag)
    assert not_modified(asking("*"), tag)


def test_another_body_or_no_header_is_modified() -> None:
    tag = etag_of(b"timetable")
    assert not not_modified(asking(etag_of(b"moved")), tag)
    assert not not_modified(asking(None), tag)
    assert not not_modified(asking(""), tag)
