"""The fake Discord's rules for multipart messages: files in `files[n]` fields, `attachments`
entries that name uploaded files, an embed image that names a file of the same message."""

from __future__ import annotations

from tests.fakes.discord_model import Upload
from tests.fakes.discord_uploads import upload_problems

PNG = Upload("files[0]", "chart.png", "image/png", b"\x89PNG")


def test_a_well_formed_upload_passes() -> None:
    body = {
        "embeds": [{"title": "Chart", "image": {"url": "attachment://chart.png"}}],
        "attachments": [{"id": 0, "filename": "chart.png"}],
    }
    assert upload_problems([PNG], body) == []
    # An interaction's answer: the message is in "data".
    assert upload_problems([PNG], {"type": 4, "data": body}) == []


def test_a_file_outside_files_n_is_refused() -> None:
    (problem,) = upload_problems([Upload("file", "chart.png", "image/png", b"x")], {})
    assert "files[n]" in problem


def test_an_attachment_entry_naming_no_upload_is_refused() -> None:
    (problem,) = upload_problems([PNG], {"attachments": [{"id": 1, "filename": "other.png"}]})
    assert "names no uploaded files[1]" in problem


def test_an_embed_image_naming_another_file_is_refused() -> None:
    body = {"embeds": [{"image": {"url": "attachment://SPOILER_chart.png"}}]}
    (problem,) = upload_problems([PNG], body)
    assert "names no file uploaded with it" in problem
