"""Test doubles for the platforms Pitboard talks to (a local Bot API server, ...)."""
