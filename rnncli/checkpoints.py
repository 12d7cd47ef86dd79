"""Restoring the newest readable checkpoint: a checkpoint torn by a kill falls back to the one before it."""

from rnncli.errors import UsageProblem
from rnncli.tensorflow_quiet import tf


def restore_newest_readable(checkpoint, manager, warn):
    """Restore the newest checkpoint of ``manager`` that reads back whole; returns its path.

    ``warn(message)`` is told about every checkpoint skipped. Raises ``UsageProblem`` when none is readable.
    """
    candidates = list(reversed(manager.checkpoints))
    if not candidates:
        raise UsageProblem(f"{manager.directory} holds no checkpoint to resume from")
    problem = None
    for path in candidates:
        try:
            checkpoint.restore(path).assert_existing_objects_matched()
            return path
        except (tf.errors.OpError, ValueError, AssertionError, IndexError, OSError) as error:
            problem = str(error).strip().splitlines()[0]
            warn(f"warning: checkpoint {path} is unreadable ({problem}); trying the one before it")
    raise UsageProblem(f"no readable checkpoint in {manager.directory}: {problem}")
