"""The stack's connections against the NumPy equations of tests/models/reference.py, for more than one cell."""

import dataclasses

import numpy as np
import pytest

from rnncli.cells.initializers import WeightInit
from rnncli.models.stack import CellStack
from rnncli.models.stack_options import StackOptions
from rnncli.tensorflow_quiet import tf
from tests.models.reference import numpy_stack, window_widths

STEPS, BATCH, INPUT, HIDDEN, LAYERS = 3, 2, 5, 4, 3
EVERYTHING = StackOptions(vertical="both", layer_skip=0, residual=True, time_skip=2, state_averaging=0.5)

OPTIONS = {
    "plain": StackOptions(),
    "vertical-hidden": StackOptions(vertical="hidden"),
    "vertical-input-skip-1": StackOptions(vertical="input", layer_skip=1),
    "vertical-both": StackOptions(vertical="both"),
    "residual": StackOptions(residual=True),
    "time-skip-2": StackOptions(time_skip=2),
    "state-averaging": StackOptions(state_averaging=0.75),
    "everything": EVERYTHING,
}


def make_stack(cell, options, unroll_mode="static", input_size=INPUT):
    return CellStack(cell, input_size, HIDDEN, LAYERS, WeightInit("glorot", seed=4), forget_bias=0.5,
                     unroll_mode=unroll_mode, options=options)


def inputs(steps=STEPS, seed=0):
    return np.random.default_rng(seed).normal(size=(steps, BATCH, INPUT)).astype(np.float32)


def assert_matches_reference(result, expected):
    outputs, trajectories = expected
    np.testing.assert_allclose(result.outputs.numpy(), outputs, atol=1e-5)
    for trajectory, expected_trajectory in zip(result.trajectories, trajectories):
        np.testing.assert_allclose(trajectory.numpy(), expected_trajectory, atol=1e-5)


@pytest.mark.parametrize("cell", ["lstm", "np"])
@pytest.mark.parametrize("name", list(OPTIONS))
def test_each_option_matches_the_numpy_equations(cell, name):
    stack = make_stack(cell, OPTIONS[name])
    xs = inputs()
    result = stack(tf.constant(xs), stack.initial_states(BATCH))
    assert_matches_reference(result, numpy_stack(stack.cells, OPTIONS[name], xs))


def test_vertical_connections_widen_the_cell_input_of_the_layers_they_reach():
    widths = [cell.input_size for cell in make_stack("lstm", EVERYTHING).cells]
    assert widths == [INPUT + HIDDEN, HIDDEN + INPUT + 2 * HIDDEN, HIDDEN + 3 * HIDDEN]
    skip_1 = [cell.input_size for cell in make_stack("lstm", StackOptions(vertical="input", layer_skip=1)).cells]
    assert skip_1 == [INPUT, HIDDEN, HIDDEN + INPUT]


@pytest.mark.parametrize("input_dropout", [None, 0.0, 0.25], ids=["input-as-dropout", "input-0", "input-0.25"])
@pytest.mark.parametrize("unroll_mode", ["static", "dynamic"])
def test_dropout_in_training_matches_the_numpy_equations_with_the_same_masks(unroll_mode, input_dropout):
    """--input-dropout replaces the first layer's masks by one over its features for the window and batch."""
    options = StackOptions(dropout=0.5, input_dropout=input_dropout, vertical="both", residual=True, time_skip=1)
    stack = make_stack("lstm", options, unroll_mode)
    xs = inputs()
    replay = tf.random.Generator.from_state(stack.dropout_rng.state.numpy(), stack.dropout_rng.algorithm)
    shapes = [(STEPS, BATCH, width) for width in window_widths(stack.cells, options)] + [(STEPS, BATCH, HIDDEN)]
    if input_dropout is None:
        first = (replay.uniform(shapes[0]).numpy() >= 0.5) / 0.5
    elif input_dropout:
        first = np.broadcast_to((replay.uniform([INPUT]).numpy() >= input_dropout) / (1 - input_dropout), shapes[0])
    else:
        first = np.ones(shapes[0])
    masks = [first] + [(replay.uniform(shape).numpy() >= 0.5) / 0.5 for shape in shapes[1:]]
    result = stack(tf.constant(xs), stack.initial_states(BATCH), training=True)
    assert_matches_reference(result, numpy_stack(stack.cells, options, xs, masks))
    # the masks dropped some units and kept others
    assert all(0 < (mask > 0).mean() < 1 for mask in masks[int(input_dropout == 0):])


def test_dropout_is_off_in_evaluation_and_in_the_sampling_step():
    options = StackOptions(dropout=0.5, vertical="hidden")
    stack = make_stack("lstm", options)
    xs = inputs()
    evaluated = stack(tf.constant(xs), stack.initial_states(BATCH))
    assert_matches_reference(evaluated, numpy_stack(stack.cells, options, xs))
    trained = stack(tf.constant(xs), stack.initial_states(BATCH), training=True)
    assert np.abs(trained.outputs.numpy() - evaluated.outputs.numpy()).max() > 1e-3
    output, _ = stack.step(tf.constant(xs[0]), stack.initial_states(BATCH))
    np.testing.assert_allclose(output.numpy(), evaluated.outputs[0].numpy(), atol=1e-6)


@pytest.mark.parametrize("unroll_mode", ["static", "dynamic"])
def test_two_windows_equal_one_long_window(unroll_mode):
    """Skips in time, running means and vertical previous-step outputs all carry across the window boundary."""
    stack = make_stack("lstm", dataclasses.replace(EVERYTHING, time_skip=3), unroll_mode)
    xs = tf.constant(inputs(steps=7))
    whole = stack(xs, stack.initial_states(BATCH))
    first = stack(xs[:2], stack.initial_states(BATCH))
    second = stack(xs[2:], first.final_states)
    np.testing.assert_allclose(tf.concat([first.outputs, second.outputs], 0).numpy(), whole.outputs.numpy(),
                               atol=1e-5)
    for carried, expected in zip(tf.nest.flatten(second.final_states), tf.nest.flatten(whole.final_states)):
        np.testing.assert_allclose(carried.numpy(), expected.numpy(), atol=1e-5)
    for first_layer, second_layer in zip(first.trajectories, second.trajectories):
        np.testing.assert_allclose(second_layer[0].numpy(), first_layer[-1].numpy())


def test_the_sampling_step_equals_the_window_with_every_option():
    stack = make_stack("np", EVERYTHING)
    xs = inputs(steps=4)
    whole = stack(tf.constant(xs), stack.initial_states(BATCH))
    states = stack.initial_states(BATCH)
    for t, x in enumerate(xs):
        output, states = stack.step(tf.constant(x), states)
        np.testing.assert_allclose(output.numpy(), whole.outputs[t].numpy(), atol=1e-5)


def test_every_initial_state_is_zero_so_zeroing_the_saved_states_resets_them():
    """The trainer resets (and, after a non-finite step, clears) the saved states by zeroing every part."""
    stack = make_stack("lstm", EVERYTHING)
    assert all(not part.numpy().any() for part in tf.nest.flatten(stack.initial_states(BATCH)))
