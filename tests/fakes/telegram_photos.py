"""sendPhoto for FakeTelegram: the photo uploaded as a multipart file part, kept with its bytes.

The request has passed the spec's checks (the caption's 1024 characters after entities, the
parse mode, `photo` naming a file part that was uploaded) before it gets here. Like Telegram,
the fake then refuses a file that is not an image it can process, and answers with a Message
carrying the photo's sizes instead of a text.
"""

from __future__ import annotations

import struct
import time
from typing import Any

from tests.fakes.telegram_html import ParsedText, parse_html
from tests.fakes.telegram_model import ApiError, Chat, SentMessage, Upload
from tests.fakes.telegram_state import TelegramState

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # "The photo must be at most 10 MB in size."
MAX_PHOTO_SIDES = 10_000  # "The photo's width and height must not exceed 10000 in total."


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR chunk; None when `data` is not a PNG."""
    if len(data) < 24 or data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


class TelegramPhotos(TelegramState):
    # The file parts of the request being handled: set by the server just before it calls a
    # handler, which reads them before its first await.
    _uploads: dict[str, Upload]

    async def _send_photo(self, params: dict[str, Any], chat: Chat | None) -> Any:
        assert chat is not None
        upload = self._uploaded_photo(params.get("photo"))
        size = png_size(upload.data)
        if size is None or len(upload.data) > MAX_PHOTO_BYTES or sum(size) > MAX_PHOTO_SIDES:
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        caption = params.get("caption") or ""
        mode = params.get("parse_mode")
        parsed = (
            parse_html(caption)
            if isinstance(mode, str) and mode.lower() == "html"
            else ParsedText(caption, list(params.get("caption_entities", [])))
        )
        number = self._new_message(chat, None)["message_id"]
        sent = SentMessage(
            chat.id,
            number,
            parsed.text,
            caption,
            params.get("parse_mode"),
            parsed.entities,
            params.get("reply_markup"),
            params,
            int(time.time()),
            photo=upload,
            has_spoiler=bool(params.get("has_spoiler")),
        )
        self._sent.setdefault(chat.id, []).append(sent)
        self._all_sent.append(sent)
        self.stats.sent_messages += 1
        return self._photo_dict(chat, sent, size)

    def _uploaded_photo(self, value: Any) -> Upload:
        """The file part `photo` names (by "attach://<name>" or as the part itself)."""
        uploads = getattr(self, "_uploads", {})
        name = str(value).removeprefix("attach://")
        if name not in uploads:
            # A file_id or a URL: the bot always uploads its charts, so this is not modelled.
            raise ApiError(400, "Bad Request: wrong remote file identifier specified")
        return uploads[name]

    def _photo_dict(self, chat: Chat, sent: SentMessage, size: tuple[int, int]) -> dict[str, Any]:
        message = self._message_dict(chat, sent)
        message.pop("text", None)
        message.pop("entities", None)
        width, height = size
        message["photo"] = [
            {
                "file_id": f"photo-{chat.id}-{sent.message_id}",
                "file_unique_id": f"u{chat.id}x{sent.message_id}",
                "width": width,
                "height": height,
                "file_size": len(sent.photo.data) if sent.photo else 0,
            }
        ]
        if sent.text:
            message["caption"] = sent.text
        if sent.entities:
            message["caption_entities"] = sent.entities
        if sent.has_spoiler:
            message["has_media_spoiler"] = True
        return message
