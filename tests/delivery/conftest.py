"""Fixtures shared by the delivery tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from bot.store.postgres import PostgresStore


@pytest.fixture
async def two_stores(postgres_url: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    """Two bot processes' stores on one PostgreSQL schema of their own (bot-1, bot-2)."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    first = PostgresStore(postgres_url, schema=schema, process_name="bot-1")
    second = PostgresStore(postgres_url, schema=schema, process_name="bot-2")
    await first.open()
    await second.open()
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()
