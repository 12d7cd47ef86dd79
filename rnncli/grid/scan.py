"""Running a 2D cell over a grid, from the top-left corner: as a wavefront, or one cell at a time.

Both take grid-major inputs ``[H, W, B, C]`` (the 2D analogue of time-major) and return the hidden states
``[H, W, B, n]``; cell (i, j) reads the cell above (i-1, j) and the cell to the left (i, j-1), with a zero
state off the grid. Like the 1D unrolls, both first project every cell's input with one matmul
(``cell.project_inputs``) and leave only the recurrence in the loop.

``wavefront_scan``: the cells of anti-diagonal ``d = i + j`` depend only on diagonal d-1, so the grid
needs H+W-1 sequential steps instead of H·W. Diagonal d holds exactly the cells
``(i, d-i), lo(d) ≤ i ≤ hi(d)`` with ``lo(d) = max(0, d-W+1)``, ``hi(d) = min(d, H-1)``, stored as rows
``[L(d)·B, ·]``, ``L(d) = hi - lo + 1``: no padding to H cells, no mask. One gather puts the inputs in
diagonal order, one matmul projects them and one split cuts them per diagonal; one gather puts the
outputs back in raster order. Within a step the neighbours are two row slices of the previous diagonal,
padded with one zero cell at each end::

    padded(d-1)[k] = state(lo(d-1) - 1 + k, ·)          k = 0 .. L(d-1)+1  (zero at both ends)
    up(i)   = state(i-1, d-i)   = padded[i - lo(d-1)]
    left(i) = state(i, d-1-i)   = padded[i - lo(d-1) + 1]

so for the cells ``i = lo(d) ..`` both are contiguous slices starting at ``s = lo(d) - lo(d-1) ∈ {0, 1}``.
The loop is a Python loop traced once by ``tf.function``, each diagonal with its own static shape: a
``tf.while_loop`` (the only loop XLA compiles quickly, field-notes B2) would need one shape for all,
that is diagonals padded to min(H, W) cells and masked. ``benchmarks/diagonal.py`` measures it against
the per-cell loop.

``cellwise_scan`` is the reference: the seed's raster traversal, one cell per ``tf.while_loop``
iteration, carrying the states of the row above and of the cell to the left. Cell (1, 0) reads cell
(0, 0) above it (the seed's ``t <= w`` test handed it a zero state instead).
"""

import numpy as np

from rnncli.grid.md_lstm import Neighbours
from rnncli.tensorflow_quiet import tf


def diagonal_bounds(height, width, d):
    """``(lo, hi)``: the first and last row of anti-diagonal ``d``."""
    return max(0, d - width + 1), min(d, height - 1)


def diagonal_order(height, width):
    """Raster indices ``i·W + j`` of every cell, diagonal by diagonal, each from its top row down."""
    return np.array([i * width + d - i
                     for d in range(height + width - 1)
                     for i in range(diagonal_bounds(height, width, d)[0], diagonal_bounds(height, width, d)[1] + 1)])


def permute_rows(tensor, order):
    """``tensor[order]`` along the first axis, for a permutation ``order``. Its gradient is the inverse
    permutation of the incoming gradient, one more gather; ``tf.gather``'s own gradient is a scatter-add
    (UnsortedSegmentSum), which took a tenth of the 32x32 wavefront's training step on the CPU."""
    inverse = np.argsort(order)

    @tf.custom_gradient
    def permuted(rows):
        return tf.gather(rows, order), lambda upstream: tf.gather(upstream, inverse)

    return permuted(tensor)


def diagonal_neighbours(previous, shift, cells, batch):
    """``Neighbours`` of the ``cells`` rows of a diagonal: slices of the previous diagonal's state, padded
    with a zero cell (``batch`` rows) at each end, from row ``shift`` (up) and ``shift + batch`` (left)."""
    padded = tf.nest.map_structure(lambda part: tf.pad(part, [[batch, batch], [0, 0]]), previous)
    return Neighbours(up=tf.nest.map_structure(lambda part: tf.slice(part, [shift, 0], [cells, -1]), padded),
                      left=tf.nest.map_structure(lambda part: tf.slice(part, [shift + batch, 0], [cells, -1]), padded))


def wavefront_scan(cell, inputs):
    """``[H, W, B, n]`` hidden states of ``cell`` over ``inputs [H, W, B, C]``, one anti-diagonal per step."""
    height, width = inputs.shape[0], inputs.shape[1]
    batch = tf.shape(inputs)[2]
    order = diagonal_order(height, width)
    inputs_by_diagonal = permute_rows(tf.reshape(inputs, [height * width, batch, -1]), order)
    projected = cell.project_inputs(tf.reshape(inputs_by_diagonal, [height * width * batch, -1]))
    bounds = [diagonal_bounds(height, width, d) for d in range(height + width - 1)]
    sizes = [(hi - lo + 1) * batch for lo, hi in bounds]
    outputs = []
    previous, previous_lo = cell.initial_state(0), 0
    for projected_d, size, (lo, _) in zip(tf.split(projected, sizes), sizes, bounds):
        neighbours = diagonal_neighbours(previous, (lo - previous_lo) * batch, size, batch)
        hidden, previous = cell.step(projected_d, neighbours)
        previous_lo = lo
        outputs.append(hidden)
    hidden_by_diagonal = tf.reshape(tf.concat(outputs, axis=0), [height * width, batch, -1])
    raster = permute_rows(hidden_by_diagonal, np.argsort(order))
    return tf.reshape(raster, [height, width, batch, -1])


def cellwise_scan(cell, inputs):
    """As ``wavefront_scan``, one cell per ``tf.while_loop`` iteration in raster order (the reference)."""
    height, width = inputs.shape[0], inputs.shape[1]
    batch = tf.shape(inputs)[2]
    cells = height * width
    projected = tf.reshape(cell.project_inputs(inputs), [cells, batch, -1])
    projected = tf.TensorArray(tf.float32, size=cells).unstack(projected)
    zero = cell.initial_state(batch)
    row_above = tf.nest.map_structure(lambda s: tf.zeros([width, batch, s]), cell.state_size)
    outputs = tf.TensorArray(tf.float32, size=cells)

    def body(t, row_above, left, outputs):
        column = t % width
        up = tf.nest.map_structure(lambda s: tf.gather(s, column), row_above)
        left = tf.nest.map_structure(lambda s, z: tf.where(column > 0, s, z), left, zero)
        hidden, state = cell.step(projected.read(t), Neighbours(up, left))
        row_above = tf.nest.map_structure(
            lambda row, s: tf.tensor_scatter_nd_update(row, [[column]], s[None]), row_above, state)
        return t + 1, row_above, state, outputs.write(t, hidden)

    _, _, _, outputs = tf.while_loop(lambda t, *_: t < cells, body, (tf.constant(0), row_above, zero, outputs),
                                     maximum_iterations=cells)
    return tf.reshape(outputs.stack(), [height, width, batch, -1])

