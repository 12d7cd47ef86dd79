"""The random short-diagonal task (philipperemy/tensorflow-multi-dimensional-lstm, ``data_random_short_diagonal.py``).

Each grid ``x`` (H x W) is noise ~ U[0, 0.1) with two ones on a line parallel to the diagonal::

    x[a, c] = x[a + 1, c + 1] = 1,      a ∈ {1 .. H-2},  c ∈ {1 .. W-2}

and the target is the input shifted one step along the width (``y[i, j] = x[i, (j + 1) mod W]``, wrapping
round, not zeroed). The target's ones sit at ``(a, c-1)`` and ``(a+1, c)``. Only the second is predictable:
the cell ``(a+1, c)`` must output 1 because ``(a, c)``, up and to the left of it, holds a one. A 2D LSTM
scanning from the top-left sees that cell; a left-to-right LSTM over each row cannot; a raster-order LSTM
has seen it W steps earlier. ``(a+1, c)`` is "the second x".

Batches are a pure function of ``(seed, step)``, so every model of a run sees the same data and a run can
be repeated exactly. The seed drew the row of the first one from ``{1 .. W-2}`` and its column from
``{1 .. H-2}``; here rows come from the height and columns from the width, which only matters off-square.
"""

from dataclasses import dataclass

import numpy as np

NOISE_HIGH = 0.1
SMALLEST_SIDE = 3
TRAINING_STREAM, EVALUATION_STREAM = 0, 1


@dataclass(frozen=True)
class DiagonalBatch:
    inputs: np.ndarray  # [B, H, W] float32
    targets: np.ndarray  # [B, H, W] float32
    second_x: np.ndarray  # [B, 2] int32: (row, column) of the target cell that must predict the second one


@dataclass(frozen=True)
class DiagonalTask:
    height: int
    width: int
    batch_size: int
    seed: int = 0

    def __post_init__(self):
        if min(self.height, self.width) < SMALLEST_SIDE:
            raise ValueError(f"grids need at least {SMALLEST_SIDE} rows and columns to hold the diagonal")

    def batch(self, step):
        """The training batch of ``step``."""
        return self.draw(np.random.default_rng((self.seed, TRAINING_STREAM, step)), self.batch_size)

    def evaluation_batch(self, size):
        """``size`` grids from a stream that no training step draws from."""
        return self.draw(np.random.default_rng((self.seed, EVALUATION_STREAM)), size)

    def draw(self, rng, size):
        inputs = rng.uniform(0.0, NOISE_HIGH, (size, self.height, self.width)).astype(np.float32)
        rows = rng.integers(1, self.height - 1, size)
        columns = rng.integers(1, self.width - 1, size)
        grids = np.arange(size)
        inputs[grids, rows, columns] = 1.0
        inputs[grids, rows + 1, columns + 1] = 1.0
        targets = np.roll(inputs, -1, axis=2)
        second_x = np.stack([rows + 1, columns], axis=1).astype(np.int32)
        return DiagonalBatch(inputs, targets, second_x)
