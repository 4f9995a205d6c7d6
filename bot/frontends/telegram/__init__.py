"""Telegram front-end: renders core replies as Telegram HTML messages and inline keyboards."""
