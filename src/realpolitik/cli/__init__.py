"""The command line: ``realpolitik COMMAND ...``.

Every module of this package that does not start with ``_`` registers its commands on
:data:`realpolitik.cli._app.app` when imported, and is found automatically. :func:`main`
turns every :class:`~realpolitik.errors.InputError` into one message on standard error and
exit status 2, without a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

from realpolitik.cli._app import app
from realpolitik.errors import EXIT_INPUT, InputError

__all__ = ["app", "main"]


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


_register_commands()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return (and, as a script, exit with) its status."""
    try:
        app(args=argv, prog_name="realpolitik")
    except SystemExit as exc:  # typer's standalone mode: usage errors exit 2, --help 0
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except InputError as exc:
        sys.stdout.flush()
        print(f"realpolitik: {exc}" if exc.file is None else str(exc), file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # e.g. `realpolitik forecast | head`
        return 0
    return 0
