"""Keeping TensorFlow's C++ notices off the console of the command line, without importing TensorFlow."""

import os
import sys


def route_native_logs_to_null():
    """For the command line: TensorFlow's C++ runtime keeps writing notices to descriptor 2 (CUDA probing,
    oneDNN fallbacks) that ``TF_CPP_MIN_LOG_LEVEL`` does not reach. Point descriptor 2 at /dev/null and
    give Python's ``sys.stderr`` a private copy of the real one, so rnncli's own messages and tracebacks
    still show. Does nothing when stderr is not a real file (tests capturing output)."""
    try:
        if sys.stderr.fileno() != 2:
            return
    except (AttributeError, OSError, ValueError):
        return
    sys.stderr.flush()
    real_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = os.fdopen(real_stderr, "w", buffering=1, encoding=sys.stderr.encoding, errors="backslashreplace")
