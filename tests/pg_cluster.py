"""A throwaway PostgreSQL server for the registry's tests and benchmark.

:func:`server_url` answers, in order: ``ETR_TEST_POSTGRES_URL`` when set (a server the caller runs); else a
private cluster started from the PostgreSQL binaries on this machine (``initdb`` in a temporary directory,
``pg_ctl start`` on a free loopback port, trust authentication, stopped and removed at exit); else ``None``
with the reason (:func:`unavailable_reason`). Running as root, the cluster runs as the ``postgres`` user
(``initdb`` refuses root). CI (``.ci/run``) installs Debian's ``postgresql`` package and sets
``ETR_REQUIRE_POSTGRES=1``, so the PostgreSQL tests fail there instead of skipping.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

#: The tests that need PostgreSQL fail instead of skipping when this is set (CI sets it), or when the
#: shared-data requirement is (CI's other switch).
REQUIRE = os.environ.get("ETR_REQUIRE_POSTGRES") == "1" or os.environ.get("ETR_REQUIRE_SHARED_DATA") == "1"

_state: dict[str, str | None] = {}


def _bindir() -> Path | None:
    for candidate in [os.environ.get("ETR_PG_BINDIR", ""), *sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                                                   reverse=True)]:
        if candidate and (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def _start() -> tuple[str | None, str]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "psycopg is not installed (pip install 'etr[postgres]')"
    url = os.environ.get("ETR_TEST_POSTGRES_URL")
    if url:
        return url, ""
    bindir = _bindir()
    if bindir is None:
        return None, ("no PostgreSQL server: set ETR_TEST_POSTGRES_URL, or install the binaries "
                      "(apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="etr-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(sockets, "postgres", "postgres")
        root.chmod(0o700)
    log = root / "log"
    init = subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                        "--no-sync", "-E", "UTF8"]), capture_output=True, text=True)
    if init.returncode:
        shutil.rmtree(root, ignore_errors=True)
        return None, f"initdb failed: {init.stderr.strip()[-300:]}"
    port = _free_port()
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={sockets} " \
              "-c max_connections=100 -c fsync=on"
    start = subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
                                         "-w", "-t", "60", "start"]), capture_output=True, text=True)
    if start.returncode:
        text = log.read_text(errors="replace")[-300:] if log.exists() else start.stderr[-300:]
        shutil.rmtree(root, ignore_errors=True)
        return None, f"pg_ctl start failed: {text.strip()}"

    def stop() -> None:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres", ""


def server_url() -> str | None:
    """The URL of a server's maintenance database (started once per process), or ``None``."""
    if "url" not in _state:
        _state["url"], _state["reason"] = _start()
    return _state["url"]


def unavailable_reason() -> str:
    server_url()
    return _state.get("reason") or ""


def fresh_database(server: str) -> str:
    """A new, empty database on ``server``; its URL."""
    import psycopg

    name = f"etr_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = server.rpartition("/")
    return f"{base}/{name}"


def drop_database(server: str, url: str) -> None:
    import psycopg

    name = url.rpartition("/")[2]
    with contextlib.suppress(Exception), psycopg.connect(server, autocommit=True) as conn:
        for _ in range(20):
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except psycopg.Error:
                time.sleep(0.1)
