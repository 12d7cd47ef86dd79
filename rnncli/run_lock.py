"""One writer per run directory: an exclusive ``fcntl.flock`` on ``<run>/.lock`` while a process trains the run.

The kernel releases the lock when its holder ends, however it ends (kill -9 included), so a lock is never
stale; the holder writes its pid into the file so that a second writer can be told who holds it. Readers
(``sample``, ``eval``) take no lock: they read the checkpoints a writer completed (``rnncli.checkpoints``).
"""

import fcntl
import os
from pathlib import Path

from rnncli.errors import UsageProblem

LOCK_FILE = ".lock"


class RunLock:
    def __init__(self, folder):
        self.path = Path(folder) / LOCK_FILE
        self._descriptor = None

    def acquire(self):
        """Take the lock (creating the file) and write this pid into it; ``UsageProblem`` naming the holder's pid
        when another process has it, or the reason when the folder cannot hold a lock file (read-only, say)."""
        try:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as problem:
            raise UsageProblem(f"cannot lock {self.path.parent} for training: {self.path}: {problem.strerror}") from None
        if not self._lock(descriptor):
            holder = os.read(descriptor, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(descriptor)
            raise UsageProblem(f"{self.path.parent} is being trained by another rnncli process (pid {holder}, "
                               f"holding {self.path}); wait for it to end or stop it")
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode("ascii"))
        return self

    def acquire_if_free(self):
        """Take an existing lock file's lock when nobody holds it (never creates the file); True when taken."""
        try:
            descriptor = os.open(self.path, os.O_RDWR)
        except OSError:
            return False
        if self._lock(descriptor):
            return True
        os.close(descriptor)
        return False

    def is_held(self):
        """Whether a process holds the lock, asked without waiting and without taking it from anyone."""
        try:
            descriptor = os.open(self.path, os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return False
        except BlockingIOError:
            return True
        finally:
            os.close(descriptor)

    def _lock(self, descriptor):
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self._descriptor = descriptor
        return True

    def release(self):
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing the file releases the flock
            self._descriptor = None
