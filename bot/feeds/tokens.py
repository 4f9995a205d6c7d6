"""Each chat's calendar token: a random, non-guessable part of its feed's URL, made once and
kept in the store (`kept_values`), so the link stays the same across restarts.

Two kept values per chat: chat -> token (the first writer wins, so two /calendar at once hand
out one link) and token -> chat (for the web server to find the chat a link belongs to).
"""

from __future__ import annotations

import json
import secrets

from bot.core.audience import ChatRef
from bot.store.protocol import Store

TOKEN_BYTES = 18  # 144 random bits, 24 URL-safe characters


def _chat_key(ref: ChatRef) -> str:
    return f"calendar:token:{json.dumps([ref.platform, ref.id])}"


def _token_key(token: str) -> str:
    return f"calendar:chat:{token}"


async def chat_token(store: Store, ref: ChatRef) -> str:
    token = await store.keep_value(_chat_key(ref), secrets.token_urlsafe(TOKEN_BYTES))
    await store.keep_value(_token_key(token), json.dumps([ref.platform, ref.id]))
    return token


async def chat_for_token(store: Store, token: str) -> ChatRef | None:
    # Only the characters a token is made of: anything else is no token of ours.
    if not token or len(token) > 64 or not all(c.isalnum() or c in "-_" for c in token):
        return None
    raw = await store.get_value(_token_key(token))
    if raw is None:
        return None
    platform, chat_id = json.loads(raw)
    return ChatRef(str(platform), str(chat_id))
