"""What members hand the bot beyond options and button presses: the text typed into a modal
(MODAL_SUBMIT, interaction type 5) and files given to an attachment option (type 11), which
the bot downloads from the fake's own CDN on 127.0.0.1.

Discord's client enforces a modal's rules before it submits (required inputs filled, lengths
within `min_length`/`max_length`); `submit_modal` does the same, so a test cannot submit what
no member could. A submit is made from the modal the bot answered an interaction with
(callback type 9), shaped like that modal (action rows or labels around the text inputs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.discord_dispatch import DiscordDispatch
from tests.fakes.discord_model import FakeInteraction

ATTACHMENT_OPTION = 11
TEXT_INPUT = 4
ACTION_ROW = 1
LABEL = 18
CDN_PREFIX = "/ephemeral-attachments"


@dataclass(frozen=True)
class FakeAttachment:
    """A file a member attached to a command option, served at `url` until the test ends."""

    id: str
    filename: str
    data: bytes
    content_type: str
    url: str

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
            "ephemeral": True,
        }


class DiscordForms(DiscordDispatch):
    """Modal submits and attachments; FakeDiscord.__init__ sets the attributes declared here."""

    attachments: dict[str, FakeAttachment]
    downloads: list[str]  # the ids of attachments the bot downloaded, in order

    # --- attachments ------------------------------------------------------------------------

    def attachment(
        self, filename: str, data: bytes, content_type: str = "text/csv"
    ) -> FakeAttachment:
        """A file a member uploads with a command: pass its `id` as the attachment option's
        value; the interaction then carries it in `resolved.attachments`."""
        attachment_id = self.new_id()
        url = f"http://127.0.0.1:{self.port}{CDN_PREFIX}/{attachment_id}/{filename}"
        attachment = FakeAttachment(attachment_id, filename, data, content_type, url)
        self.attachments[attachment_id] = attachment
        return attachment

    def resolved_attachments(self, options: list[dict[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        stack = list(options)
        while stack:
            option = stack.pop()
            stack += option.get("options", [])
            key = str(option.get("value", ""))
            if option.get("type") == ATTACHMENT_OPTION and key in self.attachments:
                found[key] = self.attachments[key].payload()
        return found

    async def serve_attachment(self, request: web.Request) -> web.StreamResponse:
        """GET of an attachment's URL (Discord's CDN: no Authorization needed)."""
        attachment = self.attachments.get(request.match_info["attachment_id"])
        if attachment is None or attachment.filename != request.match_info["filename"]:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(attachment.id)
        self.notify()
        return web.Response(body=attachment.data, content_type=attachment.content_type)

    # --- modals -----------------------------------------------------------------------------

    async def submit_modal(
        self,
        interaction_id: str,
        values: Mapping[str, str],
        *,
        user_id: str | None = None,
        custom_id: str | None = None,
    ) -> FakeInteraction:
        """The member submits the modal the bot opened in answer to `interaction_id`, with
        `values` keyed by each text input's custom_id (or its label).

        `user_id` other than the opener's, or another `custom_id`, makes a submit Discord would
        never send (a modal is shown to its opener only): for testing what the bot does with a
        forged one."""
        opened = self.interaction(interaction_id)
        modal = opened.modal
        if modal is None:
            raise AssertionError(f"interaction {interaction_id} was not answered with a modal")
        inputs = list(_text_inputs(modal["components"]))
        by_label = {str(i.get("label") or ""): str(i["custom_id"]) for i in inputs}
        given = {by_label.get(key, key): value for key, value in values.items()}
        known = {str(i["custom_id"]) for i in inputs}
        if unknown := set(given) - known:
            raise AssertionError(f"the modal has no text input {sorted(unknown)}; it has {known}")
        for text_input in inputs:
            _check_input(text_input, given.get(str(text_input["custom_id"]), ""))
        data = {
            "custom_id": custom_id or modal["custom_id"],
            "components": [_submitted(row, given) for row in modal["components"]],
        }
        channel = self._channels[opened.channel_id]
        extra: dict[str, Any] = {}
        if opened.message_id is not None:  # a modal opened from a button: Discord sends its message
            extra["message"] = self.message_payload(self.message(opened.message_id))
        return await self._dispatch(
            5,
            str(data["custom_id"]),
            data,
            channel,
            user_id or opened.user_id,
            "en-US",
            extra,
            opened.message_id,
        )


def _text_inputs(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for component in components:
        if component.get("type") == ACTION_ROW:
            found += [c for c in component.get("components", []) if c.get("type") == TEXT_INPUT]
        elif component.get("type") == LABEL and component["component"].get("type") == TEXT_INPUT:
            found.append({**component["component"], "label": component.get("label")})
    return found


def _check_input(text_input: Mapping[str, Any], value: str) -> None:
    name = text_input.get("label") or text_input["custom_id"]
    if text_input.get("required", True) and not value:
        raise AssertionError(f"{name!r} is required; Discord's client would not submit it empty")
    low, high = text_input.get("min_length"), text_input.get("max_length") or 4000
    if value and low is not None and len(value) < low:
        raise AssertionError(f"{name!r} needs at least {low} characters")
    if len(value) > high:
        raise AssertionError(f"{name!r} takes at most {high} characters; Discord stops typing")


def _submitted(component: dict[str, Any], given: Mapping[str, str]) -> dict[str, Any]:
    """A modal component as the submit carries it: each text input with its value."""

    def text_input(item: Mapping[str, Any]) -> dict[str, Any]:
        custom_id = str(item["custom_id"])
        return {"type": TEXT_INPUT, "custom_id": custom_id, "value": given.get(custom_id, "")}

    if component.get("type") == LABEL:
        return {"type": LABEL, "component": text_input(component["component"])}
    inner = [text_input(c) for c in component.get("components", []) if c.get("type") == TEXT_INPUT]
    return {"type": ACTION_ROW, "components": inner}
