"""The wavefront against the per-cell loop, and what a 2D scan lets each cell see."""

import numpy as np
import pytest

from rnncli.cells.initializers import WeightInit
from rnncli.grid.md_lstm import MDLSTMCell
from rnncli.grid.scan import cellwise_scan, diagonal_order, wavefront_scan
from rnncli.tensorflow_quiet import tf

BATCH, INPUT, HIDDEN = 2, 2, 3
SHAPES = [(1, 1), (1, 5), (4, 1), (3, 5), (5, 3), (4, 4)]
CELLS = [("graves", False), ("stable", False), ("graves", True), ("stable", True)]


def make_cell(kind="graves", layer_norm=False, seed=0):
    cell = MDLSTMCell(INPUT, HIDDEN, WeightInit("glorot", seed=seed), kind, layer_norm, forget_bias=0.5)
    rng = np.random.default_rng(seed)
    for variable in cell.trainable_variables:
        variable.assign(variable + rng.normal(0, 0.2, variable.shape).astype(np.float32))
    return cell


def grid(height, width, seed=0):
    return tf.constant(np.random.default_rng(seed).uniform(-1, 1, (height, width, BATCH, INPUT)).astype(np.float32))


def outputs_and_gradients(scan, cell, inputs):
    """Hidden states and the gradients of a fixed nonlinear function of them w.r.t. weights and inputs."""
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        hidden = scan(cell, inputs)
        weighting = tf.reshape(tf.range(tf.size(hidden), dtype=tf.float32), hidden.shape) / 100.0
        loss = tf.reduce_sum(tf.sin(weighting) * hidden ** 2 + hidden)
    return hidden.numpy(), [g.numpy() for g in tape.gradient(loss, list(cell.trainable_variables) + [inputs])]


def test_diagonal_order_visits_every_cell_once_by_anti_diagonal_then_row():
    order = diagonal_order(3, 4)
    assert sorted(order) == list(range(12))
    assert [(k // 4, k % 4) for k in order] == [(0, 0), (0, 1), (1, 0), (0, 2), (1, 1), (2, 0), (0, 3), (1, 2),
                                                (2, 1), (1, 3), (2, 2), (2, 3)]


@pytest.mark.parametrize("kind, layer_norm", CELLS)
@pytest.mark.parametrize("height, width", SHAPES)
def test_wavefront_equals_the_per_cell_loop_in_values_and_gradients(kind, layer_norm, height, width):
    cell, inputs = make_cell(kind, layer_norm), grid(height, width)
    wave, wave_gradients = outputs_and_gradients(wavefront_scan, cell, inputs)
    loop, loop_gradients = outputs_and_gradients(cellwise_scan, cell, inputs)
    assert wave.shape == (height, width, BATCH, HIDDEN)
    np.testing.assert_allclose(wave, loop, rtol=1e-5, atol=1e-6)
    for from_wave, from_loop in zip(wave_gradients, loop_gradients):
        np.testing.assert_allclose(from_wave, from_loop, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("scan", [wavefront_scan, cellwise_scan])
def test_cell_below_the_corner_reads_the_corner(scan):
    """The seed's off-by-one gave cell (1, 0) a zero state instead of the state of (0, 0)."""
    cell, inputs = make_cell(), grid(3, 3)
    changed = tf.tensor_scatter_nd_add(inputs, [[0, 0]], [tf.fill([BATCH, INPUT], 3.0)])
    difference = np.abs(scan(cell, changed).numpy() - scan(cell, inputs).numpy()).max(axis=(2, 3))
    assert difference[1, 0] > 1e-3


@pytest.mark.parametrize("scan", [wavefront_scan, cellwise_scan])
@pytest.mark.parametrize("kind", ["graves", "stable"])
def test_output_at_a_cell_depends_exactly_on_the_cells_above_and_left_of_it(scan, kind):
    """Grid k+1 of the batch is grid 0 with the input of cell k changed; the scan keeps grids apart."""
    height, width = 4, 5
    cell = make_cell(kind)
    base = np.random.default_rng(1).uniform(-1, 1, (height, width, 1, INPUT)).astype(np.float32)
    inputs = np.repeat(base, 1 + height * width, axis=2)
    for k in range(height * width):
        inputs[k // width, k % width, 1 + k] += 2.0
    hidden = scan(cell, tf.constant(inputs)).numpy()
    for k in range(height * width):
        i, j = divmod(k, width)
        moved = np.abs(hidden[:, :, 1 + k] - hidden[:, :, 0]).max(axis=-1) > 1e-6
        seen_from = np.zeros((height, width), bool)
        seen_from[i:, j:] = True  # (i', j') sees (i, j) exactly when i' >= i and j' >= j
        np.testing.assert_array_equal(moved, seen_from, err_msg=f"changed input at ({i}, {j})")


@pytest.mark.parametrize("kind, layer_norm", CELLS)
def test_all_zero_inputs_give_finite_gradients(kind, layer_norm):
    """The seed's README reports NaN gradients for inputs that are exactly 0."""
    cell = MDLSTMCell(1, HIDDEN, WeightInit("glorot"), kind, layer_norm)
    inputs = tf.zeros([4, 4, BATCH, 1])
    _, gradients = outputs_and_gradients(wavefront_scan, cell, inputs)
    assert all(np.isfinite(g).all() for g in gradients)
