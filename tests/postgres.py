"""A throwaway PostgreSQL server for the tests, from Debian's server binaries.

The server lives in a temporary directory, listens on a free loopback port
with its socket beside its data, and is gone after the session. PostgreSQL
refuses to run as root, so under root it runs as the ``postgres`` OS user.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from tests.servers import free_port

SERVER_ROOT = Path("/usr/lib/postgresql")
SERVER_USER = "postgres"
STARTUP_SECONDS = 30.0


def server_binaries() -> Path | None:
    """The newest installed ``bin`` directory holding initdb and pg_ctl."""
    found = [
        initdb.parent
        for initdb in SERVER_ROOT.glob("*/bin/initdb")
        if (initdb.parent / "pg_ctl").exists()
    ]
    return max(found, key=_major_version, default=None)


def _major_version(bin_dir: Path) -> int:
    version = bin_dir.parent.name
    return int(version) if version.isdigit() else 0


@dataclass(frozen=True)
class PostgresServer:
    bin_dir: Path
    home: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_path(self) -> Path:
        return self.home / "server.log"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A fresh, empty database; its SQLAlchemy URL."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        asyncio.run(self._execute(f'CREATE DATABASE "{name}"'))
        return self.url(name)

    async def _execute(self, statement: str) -> None:
        connection = await asyncpg.connect(
            host="127.0.0.1", port=self.port, user=SERVER_USER, database="postgres"
        )
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    def initialise(self) -> None:
        self._run(
            "initdb",
            ["-D", str(self.data_dir), "-U", SERVER_USER, "-A", "trust"],
            ["-E", "UTF8", "--locale=C", "--no-sync"],
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.home} -h 127.0.0.1 -F"
        self._run(
            "pg_ctl",
            ["-D", str(self.data_dir), "-l", str(self.log_path), "-o", options],
            ["-w", "-t", str(int(STARTUP_SECONDS)), "start"],
        )
        self._wait_until_accepting()

    def stop(self) -> None:
        self._run("pg_ctl", ["-D", str(self.data_dir), "-m", "fast", "-w", "stop"])

    def _run(self, program: str, *arguments: Sequence[str]) -> None:
        command = [
            str(self.bin_dir / program),
            *(a for args in arguments for a in args),
        ]
        result = subprocess.run(
            _as_server_user(command),
            cwd=self.home,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{program} failed ({result.returncode}):\n{result.stdout}"
                f"{result.stderr}{self._log()}"
            )

    def _wait_until_accepting(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                asyncio.run(self._execute("SELECT 1"))
                return
            except (OSError, asyncpg.PostgresError) as refusal:
                if time.monotonic() > deadline:
                    message = f"PostgreSQL never accepted:\n{self._log()}"
                    raise RuntimeError(message) from refusal
                time.sleep(0.1)

    def _log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", SERVER_USER, "--", *command]
    return command


@contextmanager
def running_postgres(bin_dir: Path) -> Iterator[PostgresServer]:
    """Initialise and start a server in a temporary directory; stop and remove it."""
    # Root's TMPDIR may be closed to the server's user; /tmp never is.
    parent = "/tmp" if os.geteuid() == 0 else None
    home = Path(tempfile.mkdtemp(prefix="postgres-", dir=parent))
    try:
        if os.geteuid() == 0:
            shutil.chown(home, SERVER_USER, SERVER_USER)
        server = PostgresServer(bin_dir, home, free_port())
        server.initialise()
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def postgres_server() -> Iterator[PostgresServer]:
    """Body of a session fixture: a running server, or a skip outside CI."""
    bin_dir = server_binaries()
    if bin_dir is None:
        message = f"needs Debian's postgresql server binaries under {SERVER_ROOT}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must install the postgresql package")
        pytest.skip(f"{message}; install the postgresql package")
    with running_postgres(bin_dir) as server:
        yield server
