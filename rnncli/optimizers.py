"""Optimisers driven by a schedule of ``rnncli.schedules``, with optional decoupled weight decay.

``--weight-decay λ`` is AdamW's (Loshchilov & Hutter 2019) for every optimiser: after each update,
``θ ← θ - lr(n) · λ · θ`` for every matrix (biases, peepholes and gains are not decayed), apart from the
gradient and so from Adam's moments.
"""

import keras

from rnncli.schedules import BudgetSchedule

#: The Keras class and its options for each ``--optimizer``.
_OPTIMIZERS = {
    "sgd": (keras.optimizers.SGD, lambda config: {}),
    "momentum": (keras.optimizers.SGD, lambda config: {"momentum": config.momentum}),
    "adam": (keras.optimizers.Adam, lambda config: {}),
    "rmsprop": (keras.optimizers.RMSprop, lambda config: {}),
}


def make_optimizer(config, weights=None):
    """``(optimizer, schedule)``: the Keras optimiser named by ``config.optimizer`` driven by the
    ``BudgetSchedule`` of ``config``; given the ``weights`` it will train, it is built for them, with the vectors
    among them excluded from weight decay."""
    schedule = BudgetSchedule(config)
    kind, options = _OPTIMIZERS[config.optimizer]
    optimizer = kind(schedule, weight_decay=config.weight_decay or None, **options(config))
    if weights is not None:
        if config.weight_decay:
            optimizer.exclude_from_weight_decay(var_list=[w for w in weights if len(w.shape) < 2])
        optimizer.build(weights)
    return optimizer, schedule
