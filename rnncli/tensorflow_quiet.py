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

