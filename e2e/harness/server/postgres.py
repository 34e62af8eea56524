"""A PostgreSQL server for the test session, from the distribution's own binaries
(Debian's `postgresql`, installed by the README's test command), and a fresh database
for each test, copied from a template that already has DocChat's schema.

Its own: pytest-postgresql runs initdb as the current user, which PostgreSQL refuses
when that is root (as in CI). Here the server runs as `postgres` then, in a folder of
its own under /tmp, reached only through its Unix socket: no port to collide on under
xdist. Durability is off (fsync, synchronous commit): tests never outlive a crash of
the whole machine.
"""

import getpass
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from web.storage import open_database

ROLE = "docchat"
TEMPLATE = "docchat_template"
START_TIMEOUT_S = 30


class PostgresNotFound(RuntimeError):
    pass


def binaries() -> Path:
    """Where initdb and postgres are: PATH (e.g. a PostgreSQL.app or Homebrew), else
    Debian's versioned folder."""
    if on_path := shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    if versions := sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version):
        return Path(versions[-1])
    raise PostgresNotFound(
        "PostgreSQL's server is not installed; ./scripts/test installs it "
        "(Debian/Ubuntu: apt-get install postgresql)."
    )


def _version(folder: str) -> float:
    return float(Path(folder).parent.name)


class PostgresServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="docchat-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root
        self._databases = itertools.count(1)

    def start(self) -> None:
        bin_dir = binaries()
        self._as_owner(
            [bin_dir / "initdb", "-D", self.data, "-U", ROLE, "--auth=trust", "-E", "UTF8"],
            prepare=True,
        )
        self._as_owner(
            [
                bin_dir / "pg_ctl", "start", "-D", self.data, "-w", "-t", START_TIMEOUT_S,
                "-l", self.root / "server.log",
                "-o", f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            ]
        )  # fmt: skip
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
        open_database(self.url(TEMPLATE)).close()  # the schema, made once

    def new_database(self) -> str:
        """A fresh database with DocChat's schema (a copy of the template: milliseconds)."""
        name = f"test_{os.getpid()}_{next(self._databases)}"
        with self._admin() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(TEMPLATE)
                )
            )
        return self.url(name)

    def url(self, database: str) -> str:
        return f"postgresql://{ROLE}@/{database}?host={self.socket_dir}"

    def leases(self, database_url: str) -> int:
        """How many app processes hold a lease on this database: those running."""
        with psycopg.connect(database_url) as conn:
            (count,) = conn.execute("SELECT count(*) FROM processes").fetchone() or (0,)
            return int(count)

    def drop_listeners(self) -> None:
        """Ends every connection listening for notifications, as a network fault would."""
        with self._admin() as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'"
            )

    def restart(self) -> None:
        """Stops the server, which ends every connection to it, and starts it again."""
        self._as_owner(
            [
                binaries() / "pg_ctl", "restart", "-D", self.data, "-m", "fast", "-w",
                "-t", START_TIMEOUT_S, "-l", self.root / "server.log",
            ]
        )  # fmt: skip

    def stop(self) -> None:
        self._as_owner([binaries() / "pg_ctl", "stop", "-D", self.data, "-m", "immediate"])
        shutil.rmtree(self.root, ignore_errors=True)

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def _as_owner(self, command: list[object], prepare: bool = False) -> None:
        """As the current user, or as `postgres` when that is root (initdb refuses root)."""
        args = [str(part) for part in command]
        if getpass.getuser() == "root":
            if prepare:
                shutil.chown(self.root, "postgres", "postgres")
            args = ["runuser", "-u", "postgres", "--", *args]
        subprocess.run(args, check=True, capture_output=True, timeout=START_TIMEOUT_S)
