"""TensorFlow, imported once with its start-up chatter kept off the user's console.

TensorFlow writes oneDNN and CUDA notices to file descriptor 2 before its logging is configured, so
``TF_CPP_MIN_LOG_LEVEL`` alone does not silence them; the descriptor is pointed at /dev/null while the
import runs and restored afterwards, so later errors still reach the user.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _import_quietly():
    saved_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)
    tensorflow.get_logger().setLevel("ERROR")
    return tensorflow


tf = _import_quietly()


def route_native_logs_to_null():
    """For the command line: TensorFlow's C++ runtime keeps writing notices to descriptor 2 (CUDA probing,
    oneDNN fallbacks) that ``TF_CPP_MIN_LOG_LEVEL`` does not reach. Point descriptor 2 at /dev/null and
    give Python's ``sys.stderr`` a private copy of the real one, so rnncli's own messages and tracebacks
    still show. Does nothing when stderr is not a real file (tests capturing output)."""
    import sys

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
