"""The SQLite schema, as numbered migrations applied in order.

A migration is a tuple of statements rather than a .sql script: sqlite3's executescript()
commits before it runs, which would take a migration out of its transaction, and splitting a
script on ";" breaks on triggers and string literals. Kept in Python, the schema also ships
inside the wheel without any package-data configuration.

Rules for adding one:
- Append; never edit or renumber a migration that has shipped. Numbers run 1, 2, 3, ...
- Each migration runs in one transaction with the version row, so it applies wholly or not.
- Foreign keys stay ON during a migration (the pragma cannot change inside a transaction):
  rebuild a table by the create-copy-drop-rename procedure of https://sqlite.org/lang_altertable.html
  only where no other table's foreign key points at it, or ask first.

Conventions of the schema:
- Instants are INTEGER microseconds since 1970-01-01 UTC: they compare and sort as numbers,
  which ISO text does only while every writer uses the same offset and precision.
- Lists (series, drivers, session kinds, reminder minutes) are JSON arrays in TEXT, sorted so
  that equal subscriptions are equal rows.
- Booleans are INTEGER 0/1.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MIGRATIONS", "Migration"]


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


_INITIAL = Migration(
    1,
    "chats, subscriptions, outbox and deliveries",
    (
        """
        CREATE TABLE chats (
            platform         TEXT NOT NULL,
            chat_id          TEXT NOT NULL,
            kind             TEXT NOT NULL,
            zone             TEXT NOT NULL,
            language         TEXT NOT NULL,
            reminder_minutes TEXT NOT NULL,
            spoiler_safe     INTEGER NOT NULL CHECK (spoiler_safe IN (0, 1)),
            active           INTEGER NOT NULL CHECK (active IN (0, 1)),
            inactive_reason  TEXT,
            mention_role     TEXT,
            PRIMARY KEY (platform, chat_id)
        )
        """,
        """
        CREATE TABLE subscriptions (
            platform      TEXT NOT NULL,
            chat_id       TEXT NOT NULL,
            series        TEXT NOT NULL,
            drivers       TEXT NOT NULL,
            session_kinds TEXT NOT NULL,
            PRIMARY KEY (platform, chat_id),
            FOREIGN KEY (platform, chat_id) REFERENCES chats (platform, chat_id)
                ON UPDATE CASCADE ON DELETE CASCADE
        )
        """,
        """
        CREATE TABLE outbox (
            key     TEXT PRIMARY KEY,
            kind    TEXT NOT NULL,
            subject TEXT NOT NULL,
            due_at  INTEGER NOT NULL,
            payload TEXT NOT NULL
        )
        """,
        # ON UPDATE CASCADE on the chat key: rewriting a chat's id moves its deliveries with
        # it. No ON DELETE action: a chat with a delivery history is not deleted by accident.
        """
        CREATE TABLE deliveries (
            id              INTEGER PRIMARY KEY,
            key             TEXT NOT NULL
                REFERENCES outbox (key) ON UPDATE CASCADE ON DELETE CASCADE,
            platform        TEXT NOT NULL,
            chat_id         TEXT NOT NULL,
            status          TEXT NOT NULL
                CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
            priority        INTEGER NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            last_attempt_at INTEGER,
            last_error      TEXT,
            sent_at         INTEGER,
            message_id      TEXT,
            UNIQUE (key, platform, chat_id),
            FOREIGN KEY (platform, chat_id) REFERENCES chats (platform, chat_id)
                ON UPDATE CASCADE
        )
        """,
        # The chat's deliveries: the cascade of a rewritten chat, and skipping on deactivation.
        "CREATE INDEX deliveries_by_chat ON deliveries (platform, chat_id)",
        # Partial indexes stay as small as the queue, however long the delivery log grows.
        # Claiming per platform (one lane per platform) reads this one in order and stops at
        # `limit`; a claim for all platforms sorts the due rows instead (deliveries_due).
        """
        CREATE INDEX deliveries_to_claim
            ON deliveries (platform, priority DESC, next_attempt_at, id) WHERE status = 'pending'
        """,
        "CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending'",
        "CREATE INDEX deliveries_in_flight ON deliveries (id) WHERE status = 'sending'",
        """
        CREATE INDEX deliveries_with_errors ON deliveries (last_attempt_at)
            WHERE last_error IS NOT NULL
        """,
    ),
)

# Telegram buttons whose command is too long for callback_data carry a hash; the hash → command
# pairs live here so that a button pressed after a restart still works (until it expires). And
# small values a deployment keeps between runs, such as the generated webhook secret.
_CALLBACKS_AND_VALUES = Migration(
    2,
    "button callbacks and kept values",
    (
        """
        CREATE TABLE callbacks (
            platform   TEXT NOT NULL,
            key        TEXT NOT NULL,
            command    TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            PRIMARY KEY (platform, key)
        )
        """,
        "CREATE INDEX callbacks_by_expiry ON callbacks (expires_at)",
        """
        CREATE TABLE kept_values (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )
        """,
    ),
)
# A post can run to several messages (Telegram's 4096 characters): each is recorded as it goes
# out, so a retry or a restart resends only the messages that did not.
_PARTS_SENT = Migration(
    3,
    "deliveries record how many messages of a post went out",
    ("ALTER TABLE deliveries ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0",),
)

# An announcement to 100,000 chats is written in chunks, each in its own transaction, so that
# commands are answered meanwhile. Until the last chunk is in, its row says so: a restart or a
# retry finishes writing it (a delivery per chat, never two: UNIQUE (key, platform, chat_id)).
_ENQUEUE_IN_CHUNKS = Migration(
    4,
    "an announcement records whether all its deliveries are written",
    (
        "ALTER TABLE outbox ADD COLUMN complete INTEGER NOT NULL DEFAULT 1"
        " CHECK (complete IN (0, 1))",
    ),
)

# A chat may ask for the standings chart with its results posts (off unless it asks).
_CHART_WITH_RESULTS = Migration(
    5,
    "chats choose whether results posts carry the standings chart",
    (
        "ALTER TABLE chats ADD COLUMN chart_with_results INTEGER NOT NULL DEFAULT 0"
        " CHECK (chart_with_results IN (0, 1))",
    ),
)

# The operators' edits to the schedules (bot.editing): who changed which files when, with each
# file's text before and after, so that an edit can be shown, traced and undone. `at` is UTC
# ISO text (the audit log is read by people and ordered by id, never compared as instants).
_EDITS = Migration(
    6,
    "the audit log of operator edits",
    (
        """
        CREATE TABLE edits (
            id        INTEGER PRIMARY KEY,
            at        TEXT NOT NULL,
            actor     TEXT NOT NULL,
            action    TEXT NOT NULL,
            target    TEXT NOT NULL,
            summary   TEXT NOT NULL,
            files     TEXT NOT NULL,
            undone_by INTEGER REFERENCES edits (id)
        )
        """,
    ),
)

# A claimed delivery is leased to the process that claimed it, until an expiry that its claims
# renew (bot.store.leases): a starting process takes back only expired leases, never the sends
# of another process still at work. Deliveries left in flight by a Pitboard without leases
# get an expired one (0: 1970), so that they are taken back as before.
_LEASES = Migration(
    7,
    "claimed deliveries carry a lease: an owner and an expiry",
    (
        "ALTER TABLE deliveries ADD COLUMN lease_owner TEXT",
        "ALTER TABLE deliveries ADD COLUMN lease_expires_at INTEGER",
        "UPDATE deliveries SET lease_expires_at = 0 WHERE status = 'sending'",
        """
        CREATE INDEX deliveries_by_lease ON deliveries (lease_owner, lease_expires_at)
            WHERE status = 'sending'
        """,
    ),
)

# Languages (issue 13): a chat may choose a 12- or 24-hour clock; NULL keeps its language's.
_CLOCK = Migration(
    8,
    "chats choose a 12- or 24-hour clock",
    ("ALTER TABLE chats ADD COLUMN clock INTEGER CHECK (clock IN (12, 24))",),
)

# What is wrong with where the bot posts (bot.chats.health): shared by every process of a
# deployment, and kept until a process finds the channel fine again.
_CHANNEL_PROBLEMS = Migration(
    9,
    "channel problems, known to every process",
    ("CREATE TABLE channel_problems (channel TEXT PRIMARY KEY, problem TEXT NOT NULL)",),
)

# A CHECK of `status IN (five values)` is coded by SQLite (3.40) as a temporary B-tree of the
# five values, built again for every row written: for an announcement to 100,000 chats, half
# a million B-tree inserts beside the real ones (bench/fanout.py's announce phase, by
# callgrind), and again for every claim and mark. The same rule written as comparisons costs
# five of them. A CHECK cannot be altered in place, so the table is rebuilt by the procedure
# of https://sqlite.org/lang_altertable.html (no other table's foreign key points at it):
# the same columns in the same order, every row with its id, then the same indexes.
_DELIVERY_COLUMNS = (
    "id, key, platform, chat_id, status, priority, attempts, next_attempt_at, last_attempt_at,"
    " last_error, sent_at, message_id, parts_sent, lease_owner, lease_expires_at"
)
_STATUS_CHECKED_BY_COMPARISONS = Migration(
    10,
    "deliveries check their status by comparisons, not a temporary table per row",
    (
        """
        CREATE TABLE deliveries_rebuilt (
            id               INTEGER PRIMARY KEY,
            key              TEXT NOT NULL
                REFERENCES outbox (key) ON UPDATE CASCADE ON DELETE CASCADE,
            platform         TEXT NOT NULL,
            chat_id          TEXT NOT NULL,
            status           TEXT NOT NULL
                CHECK (status = 'pending' OR status = 'sending' OR status = 'sent'
                       OR status = 'failed' OR status = 'skipped'),
            priority         INTEGER NOT NULL,
            attempts         INTEGER NOT NULL DEFAULT 0,
            next_attempt_at  INTEGER NOT NULL,
            last_attempt_at  INTEGER,
            last_error       TEXT,
            sent_at          INTEGER,
            message_id       TEXT,
            parts_sent       INTEGER NOT NULL DEFAULT 0,
            lease_owner      TEXT,
            lease_expires_at INTEGER,
            UNIQUE (key, platform, chat_id),
            FOREIGN KEY (platform, chat_id) REFERENCES chats (platform, chat_id)
                ON UPDATE CASCADE
        )
        """,
        f"INSERT INTO deliveries_rebuilt ({_DELIVERY_COLUMNS})"
        f" SELECT {_DELIVERY_COLUMNS} FROM deliveries ORDER BY id",
        "DROP TABLE deliveries",
        "ALTER TABLE deliveries_rebuilt RENAME TO deliveries",
        # The indexes of migrations 1 and 7, as they were (see there for what each serves).
        "CREATE INDEX deliveries_by_chat ON deliveries (platform, chat_id)",
        """
        CREATE INDEX deliveries_to_claim
            ON deliveries (platform, priority DESC, next_attempt_at, id) WHERE status = 'pending'
        """,
        "CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending'",
        "CREATE INDEX deliveries_in_flight ON deliveries (id) WHERE status = 'sending'",
        """
        CREATE INDEX deliveries_with_errors ON deliveries (last_attempt_at)
            WHERE last_error IS NOT NULL
        """,
        """
        CREATE INDEX deliveries_by_lease ON deliveries (lease_owner, lease_expires_at)
            WHERE status = 'sending'
        """,
    ),
)

MIGRATIONS: tuple[Migration, ...] = (
    _INITIAL,
    _CALLBACKS_AND_VALUES,
    _PARTS_SENT,
    _ENQUEUE_IN_CHUNKS,
    _CHART_WITH_RESULTS,
    _EDITS,
    _LEASES,
    _CLOCK,
    _CHANNEL_PROBLEMS,
    _STATUS_CHECKED_BY_COMPARISONS,
)
