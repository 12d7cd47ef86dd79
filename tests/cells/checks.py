"""Checks shared by the cell tests: a TensorFlow cell against its NumPy reference (tests/cells/reference.py), in
values and in gradients."""

import numpy as np

from rnncli.cells import make_cell
from rnncli.cells.initializers import WeightInit
from rnncli.tensorflow_quiet import tf
from tests.cells.reference import numpy_cell, weights_of


def cell_with_random_weights(name, input_size, hidden_size, seed=0, std=0.5, layer_norm=False):
    """A cell whose every tensor (biases, peepholes and layer-norm gains too) is N(0, std²), so every term
    matters."""
    cell = make_cell(name, input_size, hidden_size, WeightInit("glorot", seed=seed), layer_norm=layer_norm)
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


def assert_unroll_matches_numpy(name, unroll, input_size, hidden_size, steps=20, batch_size=3, seed=7,
                                layer_norm=False, rtol=0.0, atol=1e-5):
    """Outputs and every part of the final state of ``unroll`` over a random window equal the NumPy reference's
    (to ``atol + rtol·|expected|``), from a random state with the same weights."""
    rng = np.random.default_rng(seed)
    cell = cell_with_random_weights(name, input_size, hidden_size, seed=seed, layer_norm=layer_norm)
    xs = in_float32(rng.normal(size=(steps, batch_size, input_size)))
    state = random_state(cell, batch_size, rng)
    tf_state = cell.State(*[tf.constant(part, tf.float32) for part in state])
    outputs, final = tf.function(lambda x, s: unroll(cell, x, s))(tf.constant(xs, tf.float32), tf_state)
    expected_outputs, expected_final = numpy_cell(name, weights_of(cell), xs, state, layer_norm)
    np.testing.assert_allclose(outputs.numpy(), expected_outputs, rtol=rtol, atol=atol)
    assert len(final) == len(expected_final)
    for part, expected in zip(final, expected_final):
        np.testing.assert_allclose(part.numpy(), expected, rtol=rtol, atol=atol)


def numpy_loss(name, w, xs, state, output_weights, state_weights, layer_norm):
    outputs, final = numpy_cell(name, w, xs, state, layer_norm)
    return (outputs * output_weights).sum() + sum((part * k).sum() for part, k in zip(final, state_weights))


def finite_differences(loss, w, epsilon=1e-6):
    """``{name: ∂loss/∂w[name]}`` by central differences, one element at a time."""
    gradients = {}
    for key, value in w.items():
        gradient = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            original = value[index]
            value[index] = original + epsilon
            above = loss(w)
            value[index] = original - epsilon
            below = loss(w)
            value[index] = original
            gradient[index] = (above - below) / (2 * epsilon)
        gradients[key] = gradient
    return gradients


def assert_gradients_match_finite_differences(name, unroll, layer_norm=False, steps=5, batch_size=2, input_size=3,
                                              hidden_size=4):
    """TensorFlow's gradients of the cell ``name`` unrolled by ``unroll`` against central finite differences of
    its NumPy reference in float64.

    Loss: a fixed random weighting of every output and every part of the final state after a short window, so
    each weight reaches the loss through the recurrence. Finite differences in float64 with ε = 1e-6 are exact
    to about 1e-9 here; the tape's float32 gradients are compared with a tolerance that float32 round-off meets
    and a wrong or missing gradient path does not.
    """
    rng = np.random.default_rng(11)
    cell = cell_with_random_weights(name, input_size, hidden_size, seed=5, layer_norm=layer_norm)
    xs = in_float32(rng.normal(size=(steps, batch_size, input_size)))
    state = random_state(cell, batch_size, rng)
    output_weights = rng.normal(size=(steps, batch_size, hidden_size))
    state_weights = [rng.normal(size=part.shape) for part in state]

    with tf.GradientTape() as tape:
        outputs, final = unroll(cell, tf.constant(xs, tf.float32),
                                cell.State(*[tf.constant(part, tf.float32) for part in state]))
        loss = tf.reduce_sum(outputs * output_weights) + tf.add_n(
            [tf.reduce_sum(part * k) for part, k in zip(final, state_weights)])
    tape_gradients = dict(zip(weights_of(cell), tape.gradient(loss, cell.trainable_variables)))

    expected = finite_differences(
        lambda w: numpy_loss(name, w, xs, state, output_weights, state_weights, layer_norm), weights_of(cell))
    assert tape_gradients.keys() == expected.keys()
    for key, gradient in expected.items():
        assert np.abs(gradient).max() > 1e-3, f"{key} barely reaches the loss"
        assert tape_gradients[key] is not None, f"no gradient path to {key}"
        np.testing.assert_allclose(tape_gradients[key].numpy(), gradient, rtol=1e-3, atol=1e-4, err_msg=key)
