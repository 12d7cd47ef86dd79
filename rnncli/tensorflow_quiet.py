"""TensorFlow, imported once with its start-up chatter kept off the user's console, and nothing of its
AutoGraph modules left in the temporary folder.

TensorFlow writes oneDNN and CUDA notices to file descriptor 2 before its logging is configured, so
``TF_CPP_MIN_LOG_LEVEL`` alone does not silence them; the descriptor is pointed at /dev/null while the
import runs and restored afterwards, so later errors still reach the user.

AutoGraph writes each function that a ``tf.function`` converts to ``$TMPDIR/__autograph_generated_file*.py``
and imports it, and removes that file at exit. But importing it also made Python cache its bytecode in
``$TMPDIR/__pycache__/`` (unless ``PYTHONDONTWRITEBYTECODE`` is set), which nothing removed: every run left
one ``.pyc`` per converted function. ``_remove_autograph_bytecode`` removes them at exit too.
"""

import atexit
import contextlib
import os
import sys

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


#: The module names AutoGraph gives the code it generates (``tensorflow/python/autograph/pyct/loader.py``).
AUTOGRAPH_MODULE_PREFIX = "__autograph_generated_file"


def _remove_autograph_bytecode():
    """Delete the cached bytecode of every AutoGraph module this process imported, and its ``__pycache__``
    folder if that leaves it empty."""
    folders = set()
    for name, module in list(sys.modules.items()):
        cached = getattr(module, "__cached__", None)
        if name.startswith(AUTOGRAPH_MODULE_PREFIX) and cached:
            with contextlib.suppress(OSError):
                os.remove(cached)
            folders.add(os.path.dirname(cached))
    for folder in folders:
        with contextlib.suppress(OSError):  # not empty: another process's files are there
            os.rmdir(folder)


tf = _import_quietly()
atexit.register(_remove_autograph_bytecode)

