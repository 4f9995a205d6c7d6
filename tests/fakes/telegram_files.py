"""Files users send the bot, for FakeTelegram: a document message, getFile, and the download.

A test injects a message carrying a `document` (`push_document`); the bot asks `getFile` for the
file's path and downloads it from ``/file/bot<token>/<file_path>``, as from the real API. The
pushed update is checked against the spec's `Update` type like every answer the fake gives, so
a test cannot hand the bot a document the real API would never send. As on Telegram, the
download needs the right token and a path `getFile` handed out, and a file over the Bot API's
20 MB download limit gets no path at all.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.telegram_model import ApiError, Chat, ChatType, RecordedRequest, _type_for
from tests.fakes.telegram_state import TelegramState, _utf16

# "For the moment, bots can download files of up to 20MB in size." (getFile)
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
FILE_ROUTE = "/file/bot"


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    data: bytes
    file_path: str


class TelegramFiles(TelegramState):
    """Documents users send; FakeTelegram.__init__ sets the attributes declared here."""

    token: str
    self_check_failures: list[str]
    _files: dict[str, StoredFile]
    _file_numbers: itertools.count[int]

    def push_document(
        self,
        chat_id: int,
        file_name: str,
        data: bytes,
        *,
        caption: str | None = None,
        mime_type: str = "text/csv",
        user_id: int | None = None,
        chat_type: ChatType | None = None,
        first_name: str = "Fan",
        username: str | None = None,
    ) -> dict[str, Any]:
        """A user sends `data` as a document (with an optional caption); returns the Message."""
        number = next(self._file_numbers)
        stored = StoredFile(
            file_id=f"BQACAgIAAx{number:06d}",
            file_unique_id=f"AgAD{number:06d}",
            file_name=file_name,
            mime_type=mime_type,
            data=data,
            file_path=f"documents/file_{number}.{file_name.rpartition('.')[2] or 'bin'}",
        )
        self._files[stored.file_id] = stored
        chat_type = chat_type or (
            self.chats[chat_id].type if chat_id in self.chats else _type_for(chat_id)
        )
        chat = self.add_chat(chat_id, chat_type)
        message = self._new_message(chat, None)
        self._user_messages.setdefault(chat.id, set()).add(message["message_id"])
        sender = user_id or (chat_id if chat_type == "private" else 424242)
        message["from"] = self._user(sender, first_name, username, "en")
        message["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        if caption:
            message["caption"] = caption
            entities = _caption_commands(caption)
            if entities:
                message["caption_entities"] = entities
        for problem in self.spec.check_types(("Message",), message, "message"):
            self.self_check_failures.append(f"push_document: {problem}")
        self.push_update("message", message)
        return message

    def downloads(self) -> list[str]:
        """The file paths the bot downloaded, in order."""
        return [r.params["file_path"] for r in self.requests if r.method == "file download"]

    async def _get_file(self, params: dict[str, Any], chat: Chat | None) -> Any:
        stored = self._files.get(params["file_id"])
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        answer: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
        answer["file_path"] = stored.file_path
        return answer

    def _serve_file(self, request: web.Request, record: RecordedRequest) -> web.Response:
        """GET /file/bot<token>/<file_path>: the bytes, or 404 as Telegram answers."""
        record.method = "file download"
        token, _, path = request.path.removeprefix(FILE_ROUTE).partition("/")
        record.params = {"file_path": path}
        by_path = {f.file_path: f for f in self._files.values()}
        if request.method != "GET" or token != self.token or path not in by_path:
            record.status, record.description = 404, "Not Found"
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        stored = by_path[path]
        return web.Response(body=stored.data, content_type="application/octet-stream")


def _caption_commands(caption: str) -> list[dict[str, Any]]:
    """A bot_command entity for a caption that starts with a command, as Telegram marks it."""
    if not caption.startswith("/"):
        return []
    command = caption.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": _utf16(command)}]
