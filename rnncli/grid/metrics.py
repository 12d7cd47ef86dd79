"""Losses and the hit rate of the diagonal task, from a model's logits ``s`` (``p = σ(s)``) and targets ``y``.

Per-cell loss, averaged over all B·H·W cells for the optimised ``overall_loss`` (the seed's)::

    mse:  (p - y)²
    bce:  -(y log p + (1 - y) log(1 - p))          (computed from the logits, stable for large |s|)

``second_x_loss`` is the mean over the batch of the per-cell loss at the second x alone, the only cell
whose target the input determines. A grid is a hit when ``p > 0.5`` at the second x and at no other cell
of its row; ``hit_rate`` is the share of hits.
"""

from rnncli.tensorflow_quiet import tf


def cell_losses(logits, targets, kind):
    """Per-cell loss ``[B, H, W]`` of the kind named by ``--loss``."""
    if kind == "mse":
        return tf.square(tf.sigmoid(logits) - targets)
    if kind == "bce":
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits)
    raise ValueError(f"unknown loss {kind!r}")


def at_second_x(values, second_x):
    """``values[b, row_b, column_b]`` for every grid ``b``: ``[B]``."""
    grids = tf.range(tf.shape(second_x)[0], dtype=second_x.dtype)
    return tf.gather_nd(values, tf.concat([grids[:, None], second_x], axis=1))


def hit_rate(logits, second_x):
    """Share of grids whose row of the second x has ``p > 0.5`` there and nowhere else (``s > 0`` ⇔ ``p > 0.5``)."""
    rows = tf.gather(logits, second_x[:, 0], batch_dims=1)  # [B, W]
    lit = rows > 0.0
    at_x = tf.gather(lit, second_x[:, 1], batch_dims=1)
    alone = tf.reduce_sum(tf.cast(lit, tf.int32), axis=1) == 1
    return tf.reduce_mean(tf.cast(at_x & alone, tf.float32))


def task_metrics(logits, targets, second_x, kind):
    """``(overall_loss, second_x_loss, hit_rate)`` of one batch."""
    losses = cell_losses(logits, targets, kind)
    return tf.reduce_mean(losses), tf.reduce_mean(at_second_x(losses, second_x)), hit_rate(logits, second_x)
