"""A throwaway PostgreSQL server for the tests (issue 18): initdb and pg_ctl in a temporary directory, on a free
localhost port, as a user that is not root (initdb refuses root; scripts/ensure-test-postgres makes the user
`hashiya-pg` when the tests run as root). Started once per test session, on first use; stopped and removed
at the end. Each test gets a database of its own.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

SERVER_USER = "hashiya-pg"  # the user the server runs as when the tests run as root
SUPERUSER = "hashiya_admin"  # the cluster's superuser (trust authentication on localhost only)


class PostgresUnavailable(RuntimeError):
    pass


def _bin(program: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"), key=_version_key)
    if found:
        return found[-1]
    path = shutil.which(program)
    if path:
        return path
    raise PostgresUnavailable(f"{program} was not found: install the PostgreSQL server "
                              "(scripts/ensure-test-postgres does, as root)")


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TestServer:
    """A running throwaway server; `url(database)` is a SQLAlchemy URL for psycopg 3."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="hashiya-pg-"))
        self.port = _free_port()
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.root, SERVER_USER)
        self.root.chmod(0o700)
        data = self.root / "data"
        self._run(_bin("initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
                  "--locale=C.UTF-8", "--lc-collate=C", "--no-sync", "-N")
        self.data = data
        self.resume()

    def _run(self, *command: str) -> None:
        if self._as_root:
            command = ("runuser", "-u", SERVER_USER, "--", *command)
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.root / "log"
            raise PostgresUnavailable(f"{' '.join(command)} failed: {done.stderr.strip()[-2000:]}"
                                      + (f"\n{log.read_text()[-2000:]}" if log.exists() else ""))

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database (C collation, as a project's sorting expects); its name."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' '
                               "LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'")
        return name

    def halt(self) -> None:
        """Stop the server (fast shutdown: connections cut, commits kept) until `resume`."""
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-o",
                  f"-k {self.root} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
                  "-c synchronous_commit=off -c full_page_writes=off", "start")

    def restart(self) -> None:
        """Restart the server as its admin would: every connection is cut (fast shutdown), what was committed
        is kept (an immediate stop would lose the test server's last commits: it runs without waiting for the
        disk)."""
        self.halt()
        self.resume()

    def stop(self) -> None:
        try:
            self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
