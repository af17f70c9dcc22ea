"""Read an input file safely: regular files only, a bounded number of bytes, located errors.

Every command that reads a file the user names goes through :func:`read_bytes`. It opens the
path without blocking (a FIFO would otherwise wait forever for a writer), accepts only a
regular file (not a FIFO, a device such as ``/dev/zero``, a socket or a folder), and reads at
most ``limit`` bytes plus one: the size check counts the bytes actually read, since
``st_size`` is 0 for ``/proc`` files and devices. Every failure of the operating system
(permission denied, a path too long, an unreadable ``/proc`` file) becomes a one-line
:class:`~realpolitik.errors.InputError` naming the file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from realpolitik.errors import InputError

__all__ = ["read_bytes", "is_file", "missing"]

_KINDS = (
    (stat.S_ISDIR, "this is a directory", "a path to a file, not a folder"),
    (stat.S_ISFIFO, "this is a named pipe (FIFO)", "a path to a regular file"),
    (stat.S_ISCHR, "this is a character device", "a path to a regular file"),
    (stat.S_ISBLK, "this is a block device", "a path to a regular file"),
    (stat.S_ISSOCK, "this is a socket", "a path to a regular file"),
)


def _os_error(name: str, exc: OSError) -> InputError:
    why = {
        errno.ENOENT: "no such file",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENAMETOOLONG: "the path is too long for the system",
        errno.ELOOP: "too many levels of symbolic links",
        errno.ENOTDIR: "a part of the path is not a folder",
        errno.EISDIR: "this is a directory",
    }.get(exc.errno or 0, f"cannot be read ({exc.strerror or exc.__class__.__name__})")
    return InputError(file=name, problem=why, expected="a path to a readable file")


def is_file(path: str | Path) -> bool:
    """Whether ``path`` names an existing regular file (False for any error, e.g. too long)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def missing(path: str | Path) -> bool:
    """Whether ``path`` names nothing at all (not: a path too long, a folder denied, ...)."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return str(path) != ""
    except (OSError, ValueError):
        return False
    return False


def read_bytes(path: str | Path, *, display: str | None = None, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them, or an InputError."""
    name = display if display is not None else str(path)
    if str(path) == "":
        raise InputError(file="''", problem="an empty path", expected="a path to a file")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except ValueError:  # a NUL character in the path
        raise InputError(
            file=name, problem="the path has a NUL character", expected="a path to a file"
        ) from None
    except OSError as exc:
        raise _os_error(name, exc) from None
    try:
        info = os.fstat(fd)
        mode = info.st_mode
        for test, problem, expected in _KINDS:
            if test(mode):
                raise InputError(file=name, problem=problem, expected=expected)
        if not stat.S_ISREG(mode):
            raise InputError(
                file=name, problem="not a regular file", expected="a path to a regular file"
            )
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise _os_error(name, exc) from None
    finally:
        os.close(fd)
    if total > limit:  # st_size is the size of a regular file (0 for /proc files)
        size = max(info.st_size, total)
        raise InputError(
            file=name,
            problem=f"the file is {size / 1e6:.1f} MB",
            expected=f"a file of at most {limit / 2**20:g} MB",
        )
    return b"".join(chunks)
