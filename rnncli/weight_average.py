"""``--average-weights M``: Polyak averaging of the trained weights (Polyak & Juditsky 1992) as an exponential
moving average, updated after the n-th applied update of the weights::

    a_0 = θ_0,    a_n = M_n · a_{n-1} + (1 - M_n) · θ_n,    M_n = min(M, (1 + n) / (10 + n))

so ``a_n`` weighs the weights of ``k`` updates back by about ``(1 - M) M^k``: the last ``1 / (1 - M)`` or so.
``M_n`` ramps up as ``tf.train.ExponentialMovingAverage``'s does with ``num_updates``, so that early in a run the
average follows the weights instead of dragging their random start along. Late in a run the weights wander
around a minimum with the noise of the gradient; their average sits nearer to it.

The averages are the weights of a second model of the run's shape. Evaluation and sampling during training run
it, and the checkpoint holds it under ``model``, where every reader of a run (``eval``, ``sample``, ``inspect``,
``export``, ``--checkpoint best``) restores a model from; the trained weights are held under ``trained_model``,
for training to go on from.

Keras's optimisers can keep such an average (``use_ema``), but among their slots, which a resume with another
``--optimizer`` starts afresh (from zeros, not from the weights), and which no reader of a run restores.
"""

from rnncli.tensorflow_quiet import tf


class WeightAverage:
    """The average of ``trained``'s trainable weights, held as the weights of ``averaged`` (a model built like
    ``trained``); it starts equal to them."""

    def __init__(self, trained, averaged, momentum):
        self.trained = trained
        self.averaged = averaged
        self.momentum = momentum
        for average, weight in self._pairs():
            average.assign(weight)

    def _pairs(self):
        return zip(self.averaged.trainable_variables, self.trained.trainable_variables, strict=True)

    def update(self, updates):
        """``a ← M_n · a + (1 - M_n) · θ`` for every weight, ``updates`` (n) counting the update just applied (in
        a ``tf.function``: after the optimiser's update)."""
        n = tf.cast(updates, tf.float32)
        momentum = tf.minimum(self.momentum, (1.0 + n) / (10.0 + n))
        for average, weight in self._pairs():
            average.assign(momentum * average + (1.0 - momentum) * weight)


def checkpointed_models(model, average):
    """The models of a run's checkpoint by name: ``model`` alone, or, with a ``WeightAverage``, its averages as
    ``model`` (what readers of the run restore) and the trained weights as ``trained_model``."""
    return {"model": average.averaged, "trained_model": model} if average else {"model": model}
