"""TensorFlow's gradients of every cell against central finite differences of its NumPy reference in float64.

Loss: a fixed random weighting of every output and every part of the final state after a short window, so
each weight reaches the loss through the recurrence. Finite differences in float64 with ε = 1e-6 are exact to
about 1e-9 here; the tape's float32 gradients are compared with a tolerance that float32 round-off meets and a
wrong or missing gradient path does not.
"""

import numpy as np
import pytest

from rnncli.cells import REGISTRY
from rnncli.tensorflow_quiet import tf
from rnncli.unroll import static_unroll, window_unroll
from tests.cells.checks import cell_with_random_weights, in_float32, random_state
from tests.cells.reference import numpy_cell, weights_of

STEPS, BATCH, INPUT, HIDDEN = 5, 2, 3, 4
EPSILON = 1e-6


def numpy_loss(name, w, xs, state, output_weights, state_weights):
    outputs, final = numpy_cell(name, w, xs, state)
    return (outputs * output_weights).sum() + sum((part * k).sum() for part, k in zip(final, state_weights))


def finite_differences(loss, w):
    """``{name: ∂loss/∂w[name]}`` by central differences, one element at a time."""
    gradients = {}
    for key, value in w.items():
        gradient = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            original = value[index]
            value[index] = original + EPSILON
            above = loss(w)
            value[index] = original - EPSILON
            below = loss(w)
            value[index] = original
            gradient[index] = (above - below) / (2 * EPSILON)
        gradients[key] = gradient
    return gradients


@pytest.mark.parametrize("name", list(REGISTRY))
@pytest.mark.parametrize("unroll", [static_unroll, window_unroll], ids=["static", "window"])
def test_tape_gradients_match_finite_differences_of_the_numpy_equations(name, unroll):
    """With ``window_unroll`` the gradients of the affine cells come from its own backward pass."""
    rng = np.random.default_rng(11)
    cell = cell_with_random_weights(name, INPUT, HIDDEN, seed=5)
    xs = in_float32(rng.normal(size=(STEPS, BATCH, INPUT)))
    state = random_state(cell, BATCH, rng)
    output_weights = rng.normal(size=(STEPS, BATCH, HIDDEN))
    state_weights = [rng.normal(size=part.shape) for part in state]

    with tf.GradientTape() as tape:
        outputs, final = unroll(cell, tf.constant(xs, tf.float32),
                                cell.State(*[tf.constant(part, tf.float32) for part in state]))
        loss = tf.reduce_sum(outputs * output_weights) + tf.add_n(
            [tf.reduce_sum(part * k) for part, k in zip(final, state_weights)])
    tape_gradients = dict(zip(weights_of(cell), tape.gradient(loss, cell.trainable_variables)))

    expected = finite_differences(
        lambda w: numpy_loss(name, w, xs, state, output_weights, state_weights), weights_of(cell))
    assert tape_gradients.keys() == expected.keys()
    for key, gradient in expected.items():
        assert np.abs(gradient).max() > 1e-3, f"{key} barely reaches the loss"
        assert tape_gradients[key] is not None, f"no gradient path to {key}"
        np.testing.assert_allclose(tape_gradients[key].numpy(), gradient, rtol=1e-3, atol=1e-4, err_msg=key)
