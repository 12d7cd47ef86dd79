"""The window unroll's own backward pass against autodiff of the static loop, and which cores take it."""

import functools

import numpy as np
import pytest

from rnncli.cells import REGISTRY
from rnncli.cells.base import RecurrentMasks
from rnncli.cells.lstm import VARIANTS
from rnncli.models.cores import CellCore, StateAveraging, TimeSkip
from rnncli.tensorflow_quiet import tf
from rnncli.unroll import dynamic_unroll, static_unroll, unroll, window_unroll
from tests.cells.checks import cell_with_random_weights

STEPS, BATCH, INPUT, HIDDEN, CHUNK = 12, 3, 5, 4, 5
AFFINE = set(VARIANTS) | {"rnn", "irnn", "jordan"}


def values_and_gradients(unroll_function, cell, core=None):
    """Outputs, final state, and the gradients of a random weighting of both with respect to the inputs, the
    initial state and every weight, in a ``tf.function`` as the trainer runs it."""
    rng = np.random.default_rng(3)
    core = core or cell
    xs = tf.constant(rng.normal(size=(STEPS, BATCH, INPUT)), tf.float32)
    state = core.initial_state(BATCH)
    state = tf.nest.map_structure(lambda part: tf.constant(rng.normal(0, 0.5, part.shape), tf.float32), state)
    weights = tf.constant(rng.normal(size=(STEPS, BATCH, HIDDEN)), tf.float32)

    @tf.function
    def run(xs, state):
        with tf.GradientTape() as tape:
            tape.watch([xs, state])
            outputs, final = unroll_function(core, xs, state)
            loss = tf.reduce_sum(outputs * weights) + tf.add_n([tf.reduce_sum(p * p) for p in tf.nest.flatten(final)])
        return [outputs, final, tape.gradient(loss, [xs, state, core.trainable_variables])]

    return tf.nest.flatten(run(xs, state))


def assert_all_close(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(a.numpy(), e.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(AFFINE))
def test_window_backward_pass_equals_autodiff_of_the_static_loop(name):
    """Over three weight-gradient chunks (5 + 5 + 2 steps), from a random state, every gradient agrees."""
    cell = cell_with_random_weights(name, INPUT, HIDDEN, seed=2)
    window = functools.partial(window_unroll, chunk=CHUNK)
    assert_all_close(values_and_gradients(window, cell), values_and_gradients(static_unroll, cell))


def dropping(unroll_function, cell, masks):
    """``unroll_function`` run inside ``cell.dropping(masks)``; the gradient is taken after it has returned."""
    def run(core, xs, state):
        with cell.dropping(masks):
            return unroll_function(core, xs, state)
    return run


def recurrent_masks(cell, state=True, weights=True):
    """Random 0/2 masks (rate 0.5) on the state the recurrence reads and on each recurrent matrix."""
    rng = np.random.default_rng(5)

    def mask(shape):
        return tf.constant(2.0 * (rng.uniform(size=shape) >= 0.5), tf.float32)
    return RecurrentMasks(mask([BATCH, HIDDEN]) if state else None,
                          [mask(kernel.shape) for kernel in cell.recurrent_kernels()] if weights else None)


@pytest.mark.parametrize("name, state, weights", [(name, True, True) for name in sorted(AFFINE)] +
                         [("lstm", True, False), ("lstm", False, True)])
def test_window_backward_pass_with_recurrent_dropout_masks_equals_autodiff_of_the_static_loop(name, state, weights):
    """``--state-dropout`` and ``--weight-drop``: the masked state and matrices, and the gradients through them."""
    cell = cell_with_random_weights(name, INPUT, HIDDEN, seed=2)
    masks = recurrent_masks(cell, state, weights)
    window = functools.partial(window_unroll, chunk=CHUNK)
    masked = values_and_gradients(dropping(window, cell, masks), cell)
    assert_all_close(masked, values_and_gradients(dropping(static_unroll, cell, masks), cell))
    plain = values_and_gradients(window, cell)
    assert not np.allclose(masked[0].numpy(), plain[0].numpy())  # the masks changed the outputs


def test_the_window_backward_pass_runs_eagerly_too():
    cell = cell_with_random_weights("lstm", INPUT, HIDDEN, seed=2)
    xs = tf.constant(np.random.default_rng(0).normal(size=(STEPS, BATCH, INPUT)), tf.float32)
    gradients = []
    for unroll_function in (functools.partial(window_unroll, chunk=CHUNK), static_unroll):
        with tf.GradientTape() as tape:
            outputs, final = unroll_function(cell, xs, cell.initial_state(BATCH))
            loss = tf.reduce_sum(outputs ** 2) + tf.reduce_sum(final.cell)
        gradients.append(tape.gradient(loss, cell.trainable_variables))
    assert_all_close(*gradients)


def test_the_affine_cells_take_the_window_path_and_the_others_fall_back():
    cells = {name: cell_with_random_weights(name, INPUT, HIDDEN) for name in REGISTRY}
    assert {name for name, cell in cells.items() if cell.affine_recurrence is not None} == AFFINE
    core = CellCore(cells["lstm"], INPUT)
    assert core.affine_recurrence is cells["lstm"]
    assert TimeSkip(core, 2, HIDDEN).affine_recurrence is None
    assert StateAveraging(core, 0.5).affine_recurrence is None


def test_a_wrapped_core_falls_back_to_the_static_loop():
    cell = cell_with_random_weights("lstm", INPUT + HIDDEN, HIDDEN, seed=1)
    core = TimeSkip(CellCore(cell, INPUT), 2, HIDDEN)
    assert_all_close(values_and_gradients(window_unroll, cell, core),
                     values_and_gradients(static_unroll, cell, core))


def matmuls_in_the_gradient(unroll_function, steps, masked=False):
    cell = cell_with_random_weights("lstm", INPUT, HIDDEN)
    if masked:
        unroll_function = dropping(unroll_function, cell, recurrent_masks(cell))
    xs = tf.zeros([steps, BATCH, INPUT])

    @tf.function
    def gradient(xs):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(unroll_function(cell, xs, cell.initial_state(BATCH))[0])
        return tape.gradient(loss, cell.trainable_variables)

    graph = gradient.get_concrete_function(xs).graph
    return sum(op.type == "MatMul" for op in graph.get_operations())


@pytest.mark.parametrize("masked", [False, True])
def test_the_window_backward_pass_has_no_per_step_weight_matmuls(masked):
    """Autodiff of the static loop: per step, 4 forward matmuls, 4 for ∂h and 4 for the weights. The window
    unroll: per step 4 forward and 1 fused for ∂h (the gate math's gradient comes from the step's own tape,
    without matmuls), and the weights once per chunk of 25 steps (the first step has no ∂h_0 to compute: the
    initial state is a constant)."""
    steps = 20
    static = matmuls_in_the_gradient(static_unroll, steps, masked)
    window = matmuls_in_the_gradient(window_unroll, steps, masked)
    assert static >= 11 * steps
    assert window <= 5 * steps + 5


@pytest.mark.parametrize("mode, hidden, expected", [("auto", 384, window_unroll), ("auto", 383, static_unroll),
                                                    ("static", 1024, static_unroll), ("window", 8, window_unroll),
                                                    ("dynamic", 512, dynamic_unroll)])
def test_auto_runs_the_window_unroll_from_384_units(mode, hidden, expected):
    assert unroll(mode, hidden) is expected
