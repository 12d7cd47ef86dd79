"""Training windows with one cursor per batch row (the Udacity BatchGenerator, vectorised).

Row ``b`` reads the id stream from ``b * segment`` on, ``segment = len(ids) // batch_size``. Window ``k``
holds ``unroll + 1`` ids per row, starting at ``b * segment + k * unroll`` (wrapping round the end), so the
last id of one window is the first of the next: every id is a label exactly once, and each row is one
contiguous stream that the carried state can follow. Window ``k`` is a pure function of ``k``, which makes
resuming at any step exact without saving cursors.
"""

import numpy as np

from rnncli.errors import UsageProblem


class WindowBatches:
    def __init__(self, ids, batch_size, unroll):
        if len(ids) < batch_size * (unroll + 1):
            raise UsageProblem(f"the training text has {len(ids):,} characters, fewer than one batch of "
                               f"{batch_size} rows x {unroll + 1} characters; use a smaller --batch-size "
                               f"or --unroll, or a longer corpus")
        self.ids = ids
        self.batch_size = batch_size
        self.unroll = unroll
        self.segment = len(ids) // batch_size
        self._offsets = np.arange(batch_size)[:, None] * self.segment + np.arange(unroll + 1)[None, :]

    def window(self, k):
        """Window ``k``: ids ``[batch_size, unroll + 1]``."""
        return self.windows(k, 1)[0]

    def windows(self, first, count):
        """Windows ``first`` to ``first + count - 1``: ids ``[count, batch_size, unroll + 1]``."""
        starts = (first + np.arange(count))[:, None, None] * self.unroll
        return self.ids[(self._offsets + starts) % len(self.ids)]
