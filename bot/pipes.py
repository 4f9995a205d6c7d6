"""`pitboard … | head`: when the reader stops reading, the command ends quietly.

Without this, the first write after `head` exits raises BrokenPipeError and Python prints a
traceback (and a second one while flushing stdout at exit). The reader going away is not an
error of ours, so the command exits with the status a Unix tool killed by SIGPIPE has (141),
as `git log | head` does, and prints nothing more.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import ParamSpec

P = ParamSpec("P")

SIGPIPE_STATUS = 128 + 13


def quiet_on_broken_pipe(main: Callable[P, int]) -> Callable[P, int]:
    @functools.wraps(main)
    def run(*args: P.args, **kwargs: P.kwargs) -> int:
        try:
            status = main(*args, **kwargs)
            sys.stdout.flush()  # a pipe closed early may only show here
        except BrokenPipeError:
            # Python's own advice: point stdout at /dev/null, so that the interpreter's flush
            # at exit does not fail a second time and print "Exception ignored …".
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return SIGPIPE_STATUS
        return status

    return run
