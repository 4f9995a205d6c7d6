"""The test session starts at most one PostgreSQL server.

`postgres_url` is a session fixture of tests/conftest.py. A module that imports it (or defines
its own) gets a fixture of its own in pytest's eyes, cached apart: each such module started
another throw-away server. And only tests/postgres_server.py runs the server tools."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent
HOME = TESTS / "conftest.py"
SERVER = TESTS / "postgres_server.py"
FIXTURE = "postgres_url"


def _module_names(tree: ast.Module) -> set[str]:
    """The names a module binds at its top level by `def` or `import`."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def test_the_postgres_server_fixture_is_defined_once_for_every_directory() -> None:
    binding = [
        str(path.relative_to(TESTS))
        for path in sorted(TESTS.rglob("*.py"))
        if path != HOME and FIXTURE in _module_names(ast.parse(path.read_text()))
    ]
    assert binding == [], f"ask for {FIXTURE} by name instead of importing or redefining it"
    assert FIXTURE in _module_names(ast.parse(HOME.read_text()))


def _names_server_tools(path: Path) -> bool:
    text = path.read_text()
    return "initdb" in text or "pg_ctl" in text


def test_only_the_test_server_module_runs_initdb_or_pg_ctl() -> None:
    others = (path for path in sorted(TESTS.rglob("*.py")) if path not in (SERVER, Path(__file__)))
    running = [str(path.relative_to(TESTS)) for path in others if _names_server_tools(path)]
    assert running == []
