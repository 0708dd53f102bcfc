"""How the `handrail` console script (cli.console) runs cli.main.

A command that only reads the spec and prints (validate, schema, --help, --version) runs in well under
a tenth of a second, of which the garbage collector's passes over the objects the imports create and the
interpreter's teardown (freeing every module one by one) took about a sixth. For those commands the
collector stays off, and once main() is done the atexit handlers run, stdout and stderr are flushed and
the process ends with os._exit. Nothing is lost: these commands hold no open output file, thread or
database connection when main() returns. Every other command runs and ends as usual.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections.abc import Callable, Sequence

QUICK_COMMANDS = frozenset({"validate", "schema"})
QUICK_OPTIONS = frozenset({"-h", "--help", "--version"})


def is_quick(argv: Sequence[str]) -> bool:
    """Whether argv names a read-only command, or asks only for help or the version.

    The group's own options are flags (none takes a value), so the first word without a leading dash is
    the command."""
    for arg in argv:
        if arg in QUICK_OPTIONS:
            return True
        if not arg.startswith("-"):
            return arg in QUICK_COMMANDS
    return True  # no command: click prints the usage


def run(main: Callable[[], None], argv: Sequence[str]) -> None:
    """Run main(); for a quick command with the collector off, leaving without the interpreter's teardown
    with the exit code main() gave."""
    if not is_quick(argv):
        main()
        return
    gc.disable()
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = _exit_status(exc.code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: what could be written was
            pass
    os._exit(code)


def _exit_status(code: object) -> int:
    """What sys.exit(code) makes the exit status: None is 0, an int itself, anything else is printed and 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    try:
        print(code, file=sys.stderr)
    except (OSError, ValueError):
        pass
    return 1
