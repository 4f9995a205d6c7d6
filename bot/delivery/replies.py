"""A command reply, one message at a time: the fan is waiting, so it is sent now.

Each message takes its tokens with priority (ahead of broadcasts). A short "retry after" is
waited out, a transient failure retried twice, a migration followed; a blocked chat is
deactivated and the error raised for the caller to decide what the fan hears.
"""

from __future__ import annotations

import asyncio
import logging

from bot.core.audience import Chat
from bot.delivery.errors import (
    ChatBlocked,
    ChatMigrated,
    RetryAfter,
    SendError,
    TransientError,
    describe,
)
from bot.delivery.lane import Lane
from bot.delivery.moves import ChatMoves

__all__ = ["send_reply_part"]

log = logging.getLogger("pitboard.delivery")

# How long a command reply may wait out a platform's "retry after" before giving up on it:
# the fan asked a question and is looking at the screen.
REPLY_PATIENCE_SECONDS = 30.0
REPLY_TRANSIENT_RETRIES = 2
REPLY_BACKOFF_SECONDS = 0.5
REPLY_MAX_TRIES = 10


async def send_reply_part(
    lane: Lane, moves: ChatMoves, chat: Chat, part: object
) -> tuple[Chat, str | None]:
    """Send one message of a reply; returns the chat (it may have moved) and the message id."""
    transient_left = REPLY_TRANSIENT_RETRIES
    waited = 0.0
    # Bounded even against a platform answering "retry after 0 s" forever.
    for _ in range(REPLY_MAX_TRIES):
        grant = await lane.limiter.acquire(chat, priority=True)
        try:
            message_id = await lane.send(chat, part, grant)
            lane.limiter.answered(chat, grant)
            return chat, message_id
        except RetryAfter as error:
            lane.rate_limited(chat, error)
            waited += error.seconds
            if waited > REPLY_PATIENCE_SECONDS:
                raise
        except ChatMigrated as error:
            chat = await moves.migrate(chat, error.new_id, lane.stats)
        except ChatBlocked as error:
            await moves.deactivate(chat.ref, describe(error), lane.stats)
            raise
        except TransientError:
            if transient_left <= 0:
                raise
            transient_left -= 1
            await asyncio.sleep(REPLY_BACKOFF_SECONDS)
        except SendError:
            raise
        except Exception as error:
            log.warning("%s sender failed unexpectedly: %s", lane.platform, describe(error))
            raise TransientError(describe(error)) from error
    raise TransientError(f"no reply could be sent to {chat.ref} in {REPLY_MAX_TRIES} tries")
