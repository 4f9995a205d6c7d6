"""The rules of a multipart message (files with `payload_json`) that the spec cannot express.

Discord's multipart form: the JSON body in a `payload_json` field, each file in a field named
`files[n]`; an `attachments` entry in the body with `id` n describes file n (its filename,
description), and an embed shows an uploaded file by `attachment://<its filename>`.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.discord_model import Upload

FILE_FIELD = re.compile(r"files\[(\d+)\]")
# Attachment ids below this are indexes of files in the request; above, ids of files a message
# already has (an edit keeping them).
_SNOWFLAKE_FLOOR = 1 << 22


def upload_problems(uploads: list[Upload], body: Any) -> list[str]:
    problems: list[str] = []
    indexes: dict[int, Upload] = {}
    for upload in uploads:
        match = FILE_FIELD.fullmatch(upload.field)
        if match is None:
            problems.append(f"file part {upload.field!r}: files go in fields named files[n]")
            continue
        indexes[int(match.group(1))] = upload
        if not upload.data:
            problems.append(f"{upload.field}: empty file")
    if not isinstance(body, dict):
        return problems
    # An interaction's answer carries its message in "data".
    message = body["data"] if isinstance(body.get("data"), dict) else body
    return problems + _message_problems(message, indexes, uploads)


def _message_problems(
    body: dict[str, Any], indexes: dict[int, Upload], uploads: list[Upload]
) -> list[str]:
    problems: list[str] = []
    for entry in body.get("attachments") or []:
        raw = entry.get("id") if isinstance(entry, dict) else None
        try:
            number = int(raw) if raw is not None else None
        except (TypeError, ValueError):
            number = None
        if number is None:
            problems.append(f"attachments: entry {entry!r} has no id")
        elif number < _SNOWFLAKE_FLOOR and number not in indexes:
            problems.append(f"attachments: id {number} names no uploaded files[{number}]")
    names = {upload.filename for upload in uploads}
    for index, embed in enumerate(body.get("embeds") or []):
        image = (embed.get("image") or {}).get("url", "") if isinstance(embed, dict) else ""
        if image.startswith("attachment://") and image.removeprefix("attachment://") not in names:
            problems.append(f"embeds.{index}.image: {image} names no file uploaded with it")
    return problems
