"""The checkpoint with the best validation perplexity so far, kept apart from the newest ones.

``checkpoints/best/`` holds one checkpoint (a ``tf.train.CheckpointManager`` that keeps one) and ``best.json``
its step and figures, written after it, so a reader that finds ``best.json`` finds its checkpoint. A run that
overfits keeps its best model however many newer checkpoints replace each other; ``sample``, ``eval`` and
``export`` load it with ``--checkpoint best``.
"""

import json
import math
import os

from rnncli.checkpoints import save_checkpoint
from rnncli.run_dir import write_atomically
from rnncli.tensorflow_quiet import tf


class BestCheckpoint:
    def __init__(self, checkpoint, run):
        self.checkpoint = checkpoint
        self.run = run
        self.record = run.best_record()

    def offer(self, step, valid_perplexity, valid_bpc):
        """Save the model evaluated at ``step`` (the metrics' step: after ``step + 1`` updates, the number its
        checkpoint gets) if its validation perplexity is finite and below the best so far; returns whether it
        was."""
        best = self.record["valid_perplexity"] if self.record else math.inf
        if not valid_perplexity < best:  # nan and inf never win
            return False
        # a manager of the run's folder as it is now: a new run's folder moves once it starts (RunDirectory.promote)
        manager = tf.train.CheckpointManager(self.checkpoint, self.run.best_checkpoints, max_to_keep=1)
        path = save_checkpoint(manager, step + 1)
        self.record = {"step": step, "valid_perplexity": valid_perplexity, "valid_bpc": valid_bpc,
                       "checkpoint": os.path.basename(path)}
        write_atomically(self.run.best_record_path, json.dumps(self.record))
        return True
