"""Learning-rate schedules (``--schedule``), each over the run's budget, with an optional linear warm-up.

With ``lr_0 = --lr``, ``r = --decay-rate``, ``n`` the updates applied so far (the optimiser's iterations),
``W = --warmup-steps`` and ``s`` the scale (1, halved by each ``--on-nan rollback``, lowered by ``plateau``)::

    lr(n) = s · lr_0 · warm(n) · shape(n),       warm(n) = min(1, (n + 1) / W)   (1 when W = 0)

    staircase   shape = r^floor(n / --decay-steps)                       the seed's, whatever the budget
    cosine      shape = r + (1 - r) (1 + cos(π p)) / 2                    from 1 down to r at the budget's end
    plateau     shape = 1;  s ← r s  after --patience evaluations in a row without a new best validation loss

``p`` is the fraction of the budget spent: ``max(n / --steps, elapsed / --max-seconds)``, whichever ends the
run first; a time budget gives a time-based cosine. The trainer sets ``p`` before every step, and ``p``, ``s``
and the plateau's record live in the checkpoint, so a resumed run continues its schedule.
"""

import math

import keras
import numpy as np

from rnncli.tensorflow_quiet import tf


class BudgetSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """The schedule of the module docstring for a ``TrainConfig``'s options."""

    def __init__(self, config):
        self.kind = config.schedule
        self.initial_rate = config.lr
        self.decay_rate = config.decay_rate
        self.decay_steps = config.decay_steps
        self.warmup_steps = config.warmup_steps
        self.scale = tf.Variable(1.0, trainable=False, name="lr_scale")
        self.progress = tf.Variable(0.0, trainable=False, name="budget_progress")

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        rate = self.scale * self.initial_rate
        if self.warmup_steps:
            rate *= tf.minimum(1.0, (step + 1.0) / self.warmup_steps)
        if self.kind == "staircase":
            rate *= tf.pow(tf.cast(self.decay_rate, tf.float32), tf.floor(step / self.decay_steps))
        elif self.kind == "cosine":
            rate *= self.decay_rate + (1.0 - self.decay_rate) * 0.5 * (1.0 + tf.cos(math.pi * self.progress))
        return rate

    def get_config(self):
        return {"kind": self.kind, "initial_rate": self.initial_rate, "decay_rate": self.decay_rate,
                "decay_steps": self.decay_steps, "warmup_steps": self.warmup_steps}


def budget_progress(step, steps, elapsed, max_seconds):
    """``p``: the fraction of the budget spent after ``step`` steps and ``elapsed`` seconds, at most 1."""
    spent = step / steps
    if max_seconds is not None:
        spent = max(spent, elapsed / max_seconds)
    return min(1.0, spent)


class Plateau:
    """``--schedule plateau``: ``scale ← decay_rate · scale`` once ``patience`` evaluations in a row have not
    lowered the best validation loss. ``state`` (best loss, evaluations since it) is a checkpointed variable."""

    def __init__(self, schedule, patience):
        self.schedule = schedule
        self.patience = patience
        self.state = tf.Variable([np.inf, 0.0], dtype=tf.float64, trainable=False, name="plateau")

    def observe(self, valid_loss):
        """Record one evaluation; True when it lowered the learning rate."""
        best, waited = self.state.numpy().tolist()
        if valid_loss < best:
            self.state.assign([valid_loss, 0.0])
            return False
        waited += 1
        lowered = waited >= self.patience
        if lowered:
            self.schedule.scale.assign(self.schedule.scale * self.schedule.decay_rate)
            waited = 0
        self.state.assign([best, waited])
        return lowered
