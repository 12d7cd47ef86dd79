"""Optimisers with the seed's staircase learning-rate decay, scaled down after a rollback."""

import keras

from rnncli.tensorflow_quiet import tf


class StaircaseDecay(keras.optimizers.schedules.LearningRateSchedule):
    """``lr(step) = scale · lr_0 · decay_rate^floor(step / decay_steps)``.

    ``step`` counts applied updates (the optimiser's iterations), as the seed's ``global_step``. ``scale`` is
    a checkpointed variable, 1 unless ``--on-nan rollback`` halved it.
    """

    def __init__(self, initial_rate, decay_steps, decay_rate):
        self.initial_rate = initial_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.scale = tf.Variable(1.0, trainable=False, name="lr_scale")

    def __call__(self, step):
        decays = tf.floor(tf.cast(step, tf.float32) / self.decay_steps)
        return self.scale * self.initial_rate * tf.pow(tf.cast(self.decay_rate, tf.float32), decays)

    def get_config(self):
        return {"initial_rate": self.initial_rate, "decay_steps": self.decay_steps, "decay_rate": self.decay_rate}


def make_optimizer(config):
    """``(optimizer, schedule)``: the Keras optimiser named by ``config.optimizer``, driven by a
    ``StaircaseDecay`` schedule."""
    schedule = StaircaseDecay(config.lr, config.decay_steps, config.decay_rate)
    if config.optimizer == "sgd":
        optimizer = keras.optimizers.SGD(schedule)
    elif config.optimizer == "momentum":
        optimizer = keras.optimizers.SGD(schedule, momentum=config.momentum)
    elif config.optimizer == "adam":
        optimizer = keras.optimizers.Adam(schedule)
    else:
        optimizer = keras.optimizers.RMSprop(schedule)
    return optimizer, schedule
