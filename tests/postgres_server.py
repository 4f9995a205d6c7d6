"""A throw-away PostgreSQL server for the test session: `initdb` a cluster in a temporary
folder, start it on a free port of 127.0.0.1 (its socket in that folder too), stop it and
remove everything at the end.

The server binaries are Debian's (`apt-get install postgresql`: /usr/lib/postgresql/N/bin), or
any `pg_ctl` on PATH. PostgreSQL refuses to run as root, so as root (CI, this container) the
cluster belongs to the `postgres` system user that Debian's package creates, and its commands
run as that user (`runuser`).

Without a server the PostgreSQL tests skip, saying why, on a developer's machine; in CI (`CI`
set) or with PITBOARD_REQUIRE_POSTGRES=1 (.ci/run sets it) they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRE_ENV = "PITBOARD_REQUIRE_POSTGRES"
SERVER_USER = "postgres"  # the system user Debian's package creates
DATABASE_USER = "pitboard"
INSTALL_HINT = "Debian: apt-get install postgresql"


class ServerUnavailable(Exception):
    """No PostgreSQL server can be started here; the message says why."""


def unavailable(reason: str) -> None:
    """Skip (a developer's machine) or fail (CI, PITBOARD_REQUIRE_POSTGRES=1), loudly."""
    message = f"PostgreSQL tests not run: {reason}"
    if os.environ.get("CI") or os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message}; CI and {REQUIRE_ENV}=1 need them")
    pytest.skip(message)


def find_bindir() -> Path | None:
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    bindir: Path
    folder: Path
    run_as: list[str]
    port: int = 0

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql://{DATABASE_USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [*self.run_as, str(self.bindir / tool), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise ServerUnavailable(
                f"{tool} failed ({done.returncode}): {done.stderr.strip()[-1000:]} {tail}"
            )

    def start(self) -> None:
        # No fsync: the cluster lives for one test session and is thrown away.
        self._run(
            "initdb", "-D", str(self.data), "-U", DATABASE_USER, "-A", "trust", "-E", "UTF8",
            "--no-locale", "--no-sync",
        )  # fmt: skip
        for attempt in range(3):
            self.port = _free_port()
            options = (
                f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
                " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
            )
            try:
                self._run(
                    "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
                    "-w", "-t", "60", "-o", options, "start",
                )  # fmt: skip
                return
            except ServerUnavailable:
                if attempt == 2:  # the port was taken meanwhile, twice: give up
                    raise

    def stop(self) -> None:
        with contextlib.suppress(ServerUnavailable, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> PostgresServer:
    """Raises ServerUnavailable, saying why, when no server can be started here."""
    bindir = find_bindir()
    if bindir is None or not (bindir / "initdb").exists():
        raise ServerUnavailable(f"no PostgreSQL server binaries (initdb, pg_ctl) ({INSTALL_HINT})")
    folder = Path(tempfile.mkdtemp(prefix="pitboard-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam(SERVER_USER)
        except KeyError:
            shutil.rmtree(folder, ignore_errors=True)
            raise ServerUnavailable(
                f"running as root, and there is no {SERVER_USER!r} user to run the server as"
                f" ({INSTALL_HINT} creates it)"
            ) from None
        os.chown(folder, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", SERVER_USER, "--"]
    server = PostgresServer(bindir, folder, run_as)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server
