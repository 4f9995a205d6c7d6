"""Runtime state: chats, subscriptions, the outbox and its delivery log.

Import from here: `Store` (the protocol), the records, the errors, and `SQLiteStore`; the
PostgreSQL engine is `bot.store.postgres.PostgresStore` (it imports asyncpg).
"""

from bot.store.protocol import (
    EditIdTaken,
    SchemaTooNew,
    Store,
    StoreError,
    UnknownChat,
    UnknownDelivery,
)
from bot.store.records import (
    Backlog,
    Delivery,
    DeliveryStatus,
    EditRecord,
    OutboxItem,
    RecentError,
)
from bot.store.sqlite import SQLiteStore, upgrade_database

__all__ = [
    "Backlog",
    "Delivery",
    "DeliveryStatus",
    "EditIdTaken",
    "EditRecord",
    "OutboxItem",
    "RecentError",
    "SQLiteStore",
    "SchemaTooNew",
    "Store",
    "StoreError",
    "UnknownChat",
    "UnknownDelivery",
    "upgrade_database",
]
