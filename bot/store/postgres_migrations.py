"""The PostgreSQL schema, as numbered migrations applied in order (bot.store.postgres_base).

The same tables and meaning as the SQLite schema (bot.store.migrations), in PostgreSQL's own
types; numbered on their own, since an engine's history is its own. The rules are the same:
append, never edit a migration that has shipped; each runs in one transaction with its
version row.

Conventions:
- Instants are timestamptz (microseconds, like the SQLite engine's integers).
- Lists are arrays: text[] for series, drivers and session kinds (sorted, so that equal
  subscriptions are equal rows), integer[] for reminder minutes (in the chat's order).
- Ids and keys are compared and sorted byte by byte (COLLATE "C"), as SQLite does: the store's
  orders ("by platform, then id") do not depend on the server's locale.
"""

from __future__ import annotations

from bot.store.migrations import Migration

__all__ = ["POSTGRES_MIGRATIONS"]

_INITIAL = Migration(
    1,
    "chats, subscriptions, outbox and deliveries",
    (
        """
        CREATE TABLE chats (
            platform           text COLLATE "C" NOT NULL,
            chat_id            text COLLATE "C" NOT NULL,
            kind               text NOT NULL,
            zone               text NOT NULL,
            language           text NOT NULL,
            reminder_minutes   integer[] NOT NULL,
            spoiler_safe       boolean NOT NULL,
            active             boolean NOT NULL,
            inactive_reason    text,
            mention_role       text,
            chart_with_results boolean NOT NULL DEFAULT false,
            PRIMARY KEY (platform, chat_id)
        )
        """,
        """
        CREATE TABLE subscriptions (
            platform      text COLLATE "C" NOT NULL,
            chat_id       text COLLATE "C" NOT NULL,
            series        text[] NOT NULL,
            drivers       text[] NOT NULL,
            session_kinds text[] NOT NULL,
            PRIMARY KEY (platform, chat_id),
            FOREIGN KEY (platform, chat_id) REFERENCES chats (platform, chat_id)
                ON UPDATE CASCADE ON DELETE CASCADE
        )
        """,
        """
        CREATE TABLE outbox (
            key      text COLLATE "C" PRIMARY KEY,
            kind     text NOT NULL,
            subject  text NOT NULL,
            due_at   timestamptz NOT NULL,
            payload  jsonb NOT NULL,
            complete boolean NOT NULL DEFAULT true
        )
        """,
        # As in SQLite: rewriting a chat's id carries its deliveries along; a chat with a
        # delivery history is not deleted by accident (no ON DELETE action).
        """
        CREATE TABLE deliveries (
            id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            key             text COLLATE "C" NOT NULL
                REFERENCES outbox (key) ON UPDATE CASCADE ON DELETE CASCADE,
            platform        text COLLATE "C" NOT NULL,
            chat_id         text COLLATE "C" NOT NULL,
            status          text NOT NULL
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
            priority        integer NOT NULL,
            attempts        integer NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL,
            last_attempt_at timestamptz,
            last_error      text,
            sent_at         timestamptz,
            message_id      text,
            parts_sent      integer NOT NULL DEFAULT 0,
            UNIQUE (key, platform, chat_id),
            FOREIGN KEY (platform, chat_id) REFERENCES chats (platform, chat_id)
                ON UPDATE CASCADE
        )
        """,
        "CREATE INDEX deliveries_by_chat ON deliveries (platform, chat_id)",
        # Partial indexes stay as small as the queue, however long the delivery log grows.
        """
        CREATE INDEX deliveries_to_claim
            ON deliveries (platform, priority DESC, next_attempt_at, id) WHERE status = 'pending'
        """,
        """
        CREATE INDEX deliveries_due ON deliveries (priority DESC, next_attempt_at, id)
            WHERE status = 'pending'
        """,
        "CREATE INDEX deliveries_in_flight ON deliveries (id) WHERE status = 'sending'",
        """
        CREATE INDEX deliveries_with_errors ON deliveries (last_attempt_at)
            WHERE last_error IS NOT NULL
        """,
        "CREATE INDEX outbox_unfinished ON outbox (due_at) WHERE NOT complete",
    ),
)

_CALLBACKS_AND_VALUES = Migration(
    2,
    "button callbacks and kept values",
    (
        """
        CREATE TABLE callbacks (
            platform   text COLLATE "C" NOT NULL,
            key        text COLLATE "C" NOT NULL,
            command    text NOT NULL,
            expires_at timestamptz NOT NULL,
            PRIMARY KEY (platform, key)
        )
        """,
        "CREATE INDEX callbacks_by_expiry ON callbacks (expires_at)",
        """
        CREATE TABLE kept_values (
            key   text COLLATE "C" PRIMARY KEY,
            value text NOT NULL
        )
        """,
    ),
)

# Claimed deliveries are leased to the process that claimed them (bot.store.leases).
_LEASES = Migration(
    3,
    "claimed deliveries carry a lease: an owner and an expiry",
    (
        "ALTER TABLE deliveries ADD COLUMN lease_owner text,"
        " ADD COLUMN lease_expires_at timestamptz",
        """
        CREATE INDEX deliveries_by_lease ON deliveries (lease_owner, lease_expires_at)
            WHERE status = 'sending'
        """,
    ),
)

# The operators' edits to the schedules (bot.editing), as the SQLite schema's `edits`: who
# changed which files when, each file's text before and after ({path: [before, after]}).
_EDITS = Migration(
    4,
    "the audit log of operator edits",
    (
        """
        CREATE TABLE edits (
            id        bigint PRIMARY KEY,
            at        timestamptz NOT NULL,
            actor     text NOT NULL,
            action    text NOT NULL,
            target    text NOT NULL,
            summary   text NOT NULL,
            files     jsonb NOT NULL,
            undone_by bigint REFERENCES edits (id)
        )
        """,
    ),
)

# The platforms' limits shared by every process (bot.store.postgres_pace): per bucket (a
# platform), the instant its next send slot starts (seconds since the epoch, by the server's
# clock, the one clock all processes share); and the chats a platform told to wait ("retry
# after"), with the instant the wait ends ('*': the whole platform).
_SEND_PACE = Migration(
    5,
    "send slots and pauses shared by every process",
    (
        """
        CREATE TABLE send_pace (
            bucket  text COLLATE "C" PRIMARY KEY,
            next_at double precision NOT NULL
        )
        """,
        """
        CREATE TABLE send_pauses (
            bucket  text COLLATE "C" NOT NULL,
            chat_id text COLLATE "C" NOT NULL,
            until   double precision NOT NULL,
            PRIMARY KEY (bucket, chat_id)
        )
        """,
    ),
)

# Telegram updates received by any webhook worker, handed to the worker of their chat's
# partition (bot.store.postgres_relay): the update id is Telegram's, so a push retried after
# a lost answer is kept once; `taken` once handed to its worker, kept a while for that check.
_RELAYED_UPDATES = Migration(
    6,
    "telegram updates handed between webhook workers",
    (
        """
        CREATE TABLE relayed_updates (
            update_id bigint PRIMARY KEY,
            part      integer NOT NULL,
            body      text NOT NULL,
            taken     boolean NOT NULL DEFAULT false
        )
        """,
        "CREATE INDEX relayed_updates_waiting ON relayed_updates (part, update_id) WHERE NOT taken",
    ),
)

# Languages (issue 13), as the SQLite schema's: a chat's 12- or 24-hour clock, NULL keeping its
# language's own.
_CLOCK = Migration(
    7,
    "chats choose a 12- or 24-hour clock",
    ("ALTER TABLE chats ADD COLUMN clock integer CHECK (clock IN (12, 24))",),
)

# What is wrong with where the bot posts (bot.chats.health), as the SQLite schema's: every
# process reports and clears there, and /status in any of them shows it.
_CHANNEL_PROBLEMS = Migration(
    8,
    "channel problems, known to every process",
    ("CREATE TABLE channel_problems (channel text PRIMARY KEY, problem text NOT NULL)",),
)

# A replay's clock shared by every process (bot.store.postgres_replay_clock): one row, the
# planning leader's last move (its reading, hold and speed) and the server's wall time of it
# (seconds since the epoch, the one clock all processes share); `move` counts the moves.
_REPLAY_CLOCK = Migration(
    9,
    "the replay clock the planning leader publishes",
    (
        """
        CREATE TABLE replay_clock (
            one     boolean PRIMARY KEY DEFAULT true CHECK (one),
            reading timestamptz NOT NULL,
            hold    timestamptz,
            speed   double precision NOT NULL CHECK (speed > 0),
            wall    double precision NOT NULL,
            move    bigint NOT NULL
        )
        """,
    ),
)

POSTGRES_MIGRATIONS: tuple[Migration, ...] = (
    _INITIAL,
    _CALLBACKS_AND_VALUES,
    _LEASES,
    _EDITS,
    _SEND_PACE,
    _RELAYED_UPDATES,
    _CLOCK,
    _CHANNEL_PROBLEMS,
    _REPLAY_CLOCK,
)
