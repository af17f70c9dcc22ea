"""A throwaway PostgreSQL cluster for the store tests: initdb in a temporary folder, a server
on a Unix socket only (no TCP port), removed afterwards.

PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` user
(``runuser``). Where PostgreSQL is not installed the tests skip with a notice; with
``REALPOLITIK_REQUIRE_POSTGRES`` set (``.ci/run``) they fail instead. ``make test`` installs
Debian's ``postgresql`` when it is missing and the user is root.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["postgres_cluster", "skip_or_fail"]


def skip_or_fail(reason: str) -> None:
    if os.environ.get("REALPOLITIK_REQUIRE_POSTGRES"):  # set by .ci/run: CI must run them
        pytest.fail(f"PostgreSQL tests required but cannot run: {reason}")
    warnings.warn(f"PostgreSQL tests skipped: {reason}", stacklevel=2)
    pytest.skip(reason)


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A running cluster; yields its SQLAlchemy URL (psycopg, Unix socket)."""
    bindir = _bindir()
    if bindir is None:
        skip_or_fail("PostgreSQL is not installed (apt-get install postgresql)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        skip_or_fail("psycopg is not installed (pip install 'realpolitik[store]')")
    root = os.geteuid() == 0
    if root:
        try:
            import pwd

            pg = pwd.getpwnam("postgres")
        except KeyError:
            skip_or_fail("running as root and there is no postgres user to own the cluster")
    tmp = Path(tempfile.mkdtemp(prefix="realpolitik-pg-"))
    data, sock = tmp / "data", tmp / "sock"
    sock.mkdir()
    if root:
        os.chown(tmp, pg.pw_uid, pg.pw_gid)
        os.chown(sock, pg.pw_uid, pg.pw_gid)
    as_owner = ["runuser", "-u", "postgres", "--"] if root else []
    port = 5400 + os.getpid() % 500
    opts = f"-k {sock} -c listen_addresses='' -p {port} -c fsync=off"

    def run(*cmd: str) -> None:
        subprocess.run([*as_owner, *cmd], check=True, capture_output=True, timeout=120)

    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "-N",
        )
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-l",
            str(tmp / "log"),
            "-w",
            "start",
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        skip_or_fail(
            f"could not start a throwaway cluster: {exc} {detail.decode(errors='replace')[-300:]}"
        )
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={sock}&port={port}"
    finally:
        subprocess.run(
            [*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(tmp, ignore_errors=True)
