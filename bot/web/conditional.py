"""Conditional GETs for everything the web server renders once and serves many times: a body's
ETag, and whether the client's If-None-Match already names it (then a bodiless 304 answers).
aiohttp parses the header (`request.if_none_match`, weak tags and "*" included); this only
compares (weakly, as RFC 9110 asks for GET)."""

from __future__ import annotations

import hashlib

from aiohttp import web

__all__ = ["etag_of", "not_modified"]


def etag_of(body: bytes) -> str:
    """A strong entity tag, quoted as the ETag header carries it."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def not_modified(request: web.Request, etag: str) -> bool:
    """Whether the client's If-None-Match names `etag` (or is "*")."""
    asked = request.if_none_match
    if not asked:
        return False
    value = etag.strip('"')
    return any(tag.value in ("*", value) for tag in asked)
