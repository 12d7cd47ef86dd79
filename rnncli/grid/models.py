"""The three models of the diagonal task: each maps grids ``[B, H, W]`` to per-cell logits ``[B, H, W]``.

Every model ends in the same per-cell sigmoid head (the seed's one-unit fully connected layer),
``p(i, j) = σ(h(i, j) w + b)``; the models return the logits ``h w + b`` and differ in which cells
``h(i, j)`` has seen:

- ``md_lstm``: a 2D LSTM scanned from the top-left (``rnncli.grid.md_lstm``, ``rnncli.grid.scan``):
  h(i, j) has seen every cell (i', j') with i' ≤ i and j' ≤ j.
- ``horizontal_sd_lstm``: every row is its own left-to-right sequence: h(i, j) has seen (i, j' ≤ j) only.
- ``snake_sd_lstm``: the whole grid is one sequence, row after row; ``raster`` reads every row left to
  right (the seed's "snake"), ``boustrophedon`` reverses every other row. h(i, j) has seen every cell
  read before it.

The 1D models use the Greff LSTM without peepholes (``np``) with forget bias 1, as the seed's
``tf.contrib.rnn.LSTMCell``, unrolled by ``rnncli.unroll``.
"""

import numpy as np

from rnncli.cells.base import weight
from rnncli.cells.lstm import LSTM
from rnncli.grid.md_lstm import MDLSTMCell
from rnncli.grid.scan import wavefront_scan
from rnncli.tensorflow_quiet import tf
from rnncli.unroll import dynamic_unroll, static_unroll

#: Sequences up to this length are unrolled in Python (traced once); longer ones run in a tf.while_loop.
LONGEST_STATIC_UNROLL = 64
SEED_FORGET_BIAS_1D = 1.0


def unroll_for(length):
    return static_unroll if length <= LONGEST_STATIC_UNROLL else dynamic_unroll


class GridModel(tf.Module):
    """A recurrent body producing ``[..., n]`` features per cell, and the shared sigmoid head."""

    def __init__(self, hidden_size, init, name):
        super().__init__(name=name)
        with self.name_scope:
            self.head_w = weight(init.matrix((hidden_size, 1)), "head_w")
            self.head_b = weight(np.zeros(1), "head_b")

    def head(self, hidden):
        """Logits ``[...]`` from features ``[..., n]``."""
        return tf.squeeze(tf.tensordot(hidden, self.head_w, axes=1), -1) + self.head_b

    @property
    def parameter_count(self):
        return int(sum(np.prod(v.shape) for v in self.trainable_variables))


class MDLSTMModel(GridModel):
    def __init__(self, hidden_size, init, kind="graves", layer_norm=False, forget_bias=0.0, scan=wavefront_scan):
        super().__init__(hidden_size, init, name="md_lstm")
        self.scan = scan
        with self.name_scope:
            self.cell = MDLSTMCell(1, hidden_size, init, kind, layer_norm, forget_bias)

    def __call__(self, grids):
        hidden = self.scan(self.cell, tf.transpose(grids, [1, 2, 0])[..., None])  # [H, W, B, n]
        return tf.transpose(self.head(hidden), [2, 0, 1])


class HorizontalLSTMModel(GridModel):
    def __init__(self, hidden_size, init):
        super().__init__(hidden_size, init, name="horizontal_sd_lstm")
        with self.name_scope:
            self.cell = LSTM(1, hidden_size, init, variant="np", forget_bias=SEED_FORGET_BIAS_1D)

    def __call__(self, grids):
        batch, height, width = tf.shape(grids)[0], grids.shape[1], grids.shape[2]
        sequences = tf.reshape(tf.transpose(grids, [2, 0, 1]), [width, -1, 1])  # [W, B·H, 1]
        hidden, _ = unroll_for(width)(self.cell, sequences, self.cell.initial_state(batch * height))
        return tf.transpose(tf.reshape(self.head(hidden), [width, batch, height]), [1, 2, 0])


def snake_order(height, width, order):
    """Raster indices ``i·W + j`` in the order the snake reads them."""
    rows = np.arange(height * width).reshape(height, width)
    if order == "boustrophedon":
        rows[1::2] = rows[1::2, ::-1]
    elif order != "raster":
        raise ValueError(f"unknown snake order {order!r}")
    return rows.reshape(-1)


class SnakeLSTMModel(GridModel):
    def __init__(self, hidden_size, init, order="raster"):
        super().__init__(hidden_size, init, name="snake_sd_lstm")
        self.order = order
        with self.name_scope:
            self.cell = LSTM(1, hidden_size, init, variant="np", forget_bias=SEED_FORGET_BIAS_1D)

    def __call__(self, grids):
        batch, height, width = tf.shape(grids)[0], grids.shape[1], grids.shape[2]
        order = snake_order(height, width, self.order)
        raster = tf.reshape(tf.transpose(grids, [1, 2, 0]), [height * width, batch, 1])
        hidden, _ = unroll_for(height * width)(self.cell, tf.gather(raster, order), self.cell.initial_state(batch))
        logits = tf.gather(self.head(hidden), np.argsort(order))  # [H·W, B], raster order again
        return tf.transpose(tf.reshape(logits, [height, width, batch]), [2, 0, 1])
