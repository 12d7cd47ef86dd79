"""The 2D cells against NumPy versions of their equations, written out here from the papers."""

import numpy as np
import pytest

from rnncli.cells.initializers import WeightInit
from rnncli.cells.lstm import LSTMState
from rnncli.grid.md_lstm import MDLSTMCell, Neighbours
from rnncli.tensorflow_quiet import tf

BATCH, INPUT, HIDDEN = 3, 2, 4


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def normalised(v, gain, shift):
    return (v - v.mean(-1, keepdims=True)) / np.sqrt(v.var(-1, keepdims=True) + 1e-5) * gain + shift


def numpy_step(cell, x, up, left):
    """Graves et al. 2007 (a forget gate per dimension) or Leifert et al. 2016 (forget gate and lambda)."""
    w = {v.name.split("/")[-1].split(":")[0]: v.numpy() for v in cell.trainable_variables}
    z = x @ w["W"] + np.concatenate([up.hidden, left.hidden], -1) @ w["R"]
    blocks = np.split(z, 5, axis=-1)
    if cell.layer_norm:
        gains, shifts = np.split(w["gate_gain"], 5), np.split(w["gate_shift"], 5)
        blocks = [normalised(b, g, s) for b, g, s in zip(blocks, gains, shifts)]
    else:
        blocks = [b + bias for b, bias in zip(blocks, np.split(w["b"], 5))]
    i, f_1, f_2, o = (sigmoid(b) for b in blocks[:4])
    a = np.tanh(blocks[4])
    if cell.kind == "graves":
        c = i * a + f_1 * up.cell + f_2 * left.cell
    else:
        c = i * a + f_1 * (f_2 * up.cell + (1 - f_2) * left.cell)
    shown = normalised(c, w["cell_gain"], w["cell_shift"]) if cell.layer_norm else c
    return o * np.tanh(shown), c


def random_state(rng):
    return LSTMState(*(rng.normal(0, 1, (BATCH, HIDDEN)).astype(np.float32) for _ in range(2)))


@pytest.mark.parametrize("kind", ["graves", "stable"])
@pytest.mark.parametrize("layer_norm", [False, True])
def test_one_step_matches_the_equations(kind, layer_norm):
    rng = np.random.default_rng(4)
    cell = MDLSTMCell(INPUT, HIDDEN, WeightInit("glorot", seed=1), kind, layer_norm, forget_bias=0.3)
    for variable in cell.trainable_variables:  # move gains and shifts off their starting values too
        variable.assign(variable + rng.normal(0, 0.3, variable.shape).astype(np.float32))
    x = rng.normal(0, 1, (BATCH, INPUT)).astype(np.float32)
    up, left = random_state(rng), random_state(rng)
    hidden, state = cell(tf.constant(x), Neighbours(up, left))
    expected_h, expected_c = numpy_step(cell, x, up, left)
    np.testing.assert_allclose(state.cell.numpy(), expected_c, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(hidden.numpy(), expected_h, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(hidden.numpy(), state.hidden.numpy())


@pytest.mark.parametrize("kind, forget_blocks", [("graves", [1, 2]), ("stable", [1])])
def test_forget_bias_starts_the_forget_blocks_only(kind, forget_blocks):
    cell = MDLSTMCell(1, HIDDEN, WeightInit("glorot"), kind, forget_bias=2.0)
    blocks = np.split(cell.b.numpy(), 5)
    for k, block in enumerate(blocks):
        assert np.all(block == (2.0 if k in forget_blocks else 0.0))


def largest_cell_state(cell, size):
    """max |c| over a size x size grid whose every input is 1, stepping cell by cell."""
    zero = cell.initial_state(1)
    projected = cell.project_inputs(tf.ones([1, 1]))
    states = {}
    for i in range(size):
        for j in range(size):
            _, states[i, j] = cell.step(projected, Neighbours(states.get((i - 1, j), zero),
                                                              states.get((i, j - 1), zero)))
    return max(float(tf.reduce_max(tf.abs(state.cell))) for state in states.values())


def test_the_stable_cell_state_stays_bounded_where_graves_grows():
    """With the forget gates saturated at 1, Graves' state sums i·a over every monotone path from the
    corner (C(22, 11) = 705,432 of them to the last cell of 12x12); the stable cell's convex mix adds at
    most |i·a| <= 1 per diagonal, 23 diagonals."""
    graves = MDLSTMCell(1, HIDDEN, WeightInit("glorot"), "graves", forget_bias=30.0)
    stable = MDLSTMCell(1, HIDDEN, WeightInit("glorot"), "stable", forget_bias=30.0)
    assert largest_cell_state(stable, 12) <= 23.0
    assert largest_cell_state(graves, 12) > 1000.0
