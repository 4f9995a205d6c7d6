"""The platform-neutral core: model, schedule files, standings, queries, replies.

Imports only the standard library: never a platform, scheduler or database library
(checked by import-linter in CI).
"""
