"""Restoring the newest readable checkpoint, found from the files themselves: one function for ``train --resume``,
a rollback, ``sample`` and ``eval``.

``checkpoints/ckpt-N.index`` (with its ``.data-*``) holds the run after N steps. The ``checkpoint`` index file
that ``tf.train.CheckpointManager`` keeps is not trusted: it may be missing, name a checkpoint torn by a kill
or a full disk, or (for a reader such as ``sample``, which takes no lock) name one that the training process
rotates away while it is read. So the candidates are the ``ckpt-*.index`` files, newest first; each is tried
until one restores whole, and when all of them fail the folder is listed again (a writer may have completed a
newer one meanwhile), ``LISTINGS`` times at most.
"""

import re
import shutil
from pathlib import Path

from rnncli.errors import RunFailed, UsageProblem
from rnncli.tensorflow_quiet import tf

LISTINGS = 10


def restore_newest_readable(checkpoint, run, warn, partial=False):
    """Restore into ``checkpoint`` (a ``tf.train.Checkpoint``) the newest checkpoint of ``run`` (a
    ``RunDirectory``) that reads back whole; returns its path. ``partial`` allows the checkpoint to hold
    objects ``checkpoint`` does not (sampling restores the model alone).

    ``warn(message)`` is told about every checkpoint skipped because it is unreadable (not about one that
    disappeared while it was read). Raises ``UsageProblem`` when none is readable.
    """
    tried, problem = set(), None
    for _ in range(LISTINGS):
        candidates = [step for step in reversed(run.checkpoint_steps()) if step not in tried]
        for step in candidates:
            tried.add(step)
            path = str(run.checkpoints / f"ckpt-{step}")
            try:
                status = checkpoint.restore(path)
                if partial:
                    status.expect_partial()
                else:
                    status.assert_existing_objects_matched()
                return path
            except (tf.errors.OpError, ValueError, AssertionError, IndexError, OSError) as error:
                if not Path(path + ".index").exists():
                    continue  # rotated away by the training process while it was read
                problem = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                warn(f"checkpoint {path} is unreadable ({problem}); trying the one before it")
        if not candidates:
            break
    if problem is None:
        raise UsageProblem(f"{run.path} holds no checkpoint")
    raise UsageProblem(f"no readable checkpoint in {run.checkpoints}: {problem}")


def save_checkpoint(manager, number):
    """``manager.save(checkpoint_number=number)``, its path; a failed write (a full disk, no permission) removes
    what it left and raises ``RunFailed`` naming the file and why, the checkpoints before it intact."""
    folder = Path(manager.directory)
    try:
        return manager.save(checkpoint_number=number)
    except tf.errors.OpError as error:
        for partial in folder.glob(f"ckpt-{number}[._]*"):
            if partial.is_dir():
                shutil.rmtree(partial)
            else:
                partial.unlink()
        kept = sorted(int(path.name[5:-6]) for path in folder.glob("ckpt-*.index"))
        raise RunFailed(f"cannot write checkpoint {folder / f'ckpt-{number}'}: {os_reason(error)}; "
                        + (f"the last good checkpoint ckpt-{kept[-1]} is kept" if kept else
                           "no checkpoint was written there")) from None


def os_reason(error):
    """The operating system's words at the end of a TensorFlow I/O error's first line
    (``{{function_node ...}} /path/file.tempstate123; No space left on device [Op:SaveV2]``)."""
    first = error.message.strip().splitlines()[0] if error.message.strip() else type(error).__name__
    return re.sub(r"\s*\[Op:\w+\]$", "", first).rsplit("; ", 1)[-1]
