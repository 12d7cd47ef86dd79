"""Checks shared by the cell tests: a TensorFlow cell against its NumPy reference (tests/cells/reference.py)."""

import numpy as np

from rnncli.cells import make_cell
from rnncli.cells.initializers import WeightInit
from rnncli.tensorflow_quiet import tf
from tests.cells.reference import numpy_cell, weights_of


def cell_with_random_weights(name, input_size, hidden_size, seed=0, std=0.5):
    """A cell whose every tensor (biases and peepholes too) is N(0, std²), so every term matters."""
    cell = make_cell(name, input_size, hidden_size, WeightInit("glorot", seed=seed))
    rng = np.random.default_rng(seed)
    for variable in cell.trainable_variables:
        variable.assign(rng.normal(0.0, std, variable.shape).astype(np.float32))
    return cell


def in_float32(values):
    """``values`` rounded to float32 and back, so TensorFlow and NumPy start from the same numbers."""
    return np.asarray(values, np.float32).astype(np.float64)


def random_state(cell, batch_size, rng):
    """A non-zero state: gates in (0, 1), other parts N(0, 0.5²)."""
    return cell.State(*[in_float32(rng.uniform(0.05, 0.95, (batch_size, width)) if field.endswith("gate")
                                   else rng.normal(0.0, 0.5, (batch_size, width)))
                        for field, width in zip(cell.State._fields, cell.state_size)])


def assert_unroll_matches_numpy(name, unroll, input_size, hidden_size, steps=20, batch_size=3, seed=7):
    """Outputs and every part of the final state of ``unroll`` over a random window equal the NumPy reference's
    to 1e-5, from a random state with the same weights."""
    rng = np.random.default_rng(seed)
    cell = cell_with_random_weights(name, input_size, hidden_size, seed=seed)
    xs = in_float32(rng.normal(size=(steps, batch_size, input_size)))
    state = random_state(cell, batch_size, rng)
    tf_state = cell.State(*[tf.constant(part, tf.float32) for part in state])
    outputs, final = tf.function(lambda x, s: unroll(cell, x, s))(tf.constant(xs, tf.float32), tf_state)
    expected_outputs, expected_final = numpy_cell(name, weights_of(cell), xs, state)
    np.testing.assert_allclose(outputs.numpy(), expected_outputs, atol=1e-5)
    assert len(final) == len(expected_final)
    for part, expected in zip(final, expected_final):
        np.testing.assert_allclose(part.numpy(), expected, atol=1e-5)
