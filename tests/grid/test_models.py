"""What each model's output at a cell can see, and finite gradients from all-zero grids."""

import numpy as np
import pytest

from rnncli.cells.initializers import WeightInit
from rnncli.grid.config import DiagonalConfig
from rnncli.grid.models import HorizontalLSTMModel, MDLSTMModel, SnakeLSTMModel, snake_order
from rnncli.grid.train import build_model
from rnncli.tensorflow_quiet import tf

BATCH, HEIGHT, WIDTH, HIDDEN = 2, 4, 5, 6


def grids(seed=0):
    return np.random.default_rng(seed).uniform(0, 0.1, (BATCH, HEIGHT, WIDTH)).astype(np.float32)


def cells_moved_by(model, i, j):
    """Which output cells change when the input at (i, j) changes."""
    inputs = grids()
    changed = inputs.copy()
    changed[:, i, j] += 1.0
    return np.abs(model(changed).numpy() - model(inputs).numpy()).max(axis=0) > 1e-6


def test_the_horizontal_model_sees_only_its_own_row_up_to_the_cell():
    model = HorizontalLSTMModel(HIDDEN, WeightInit("glorot", seed=2))
    for i in range(HEIGHT):
        for j in range(WIDTH):
            expected = np.zeros((HEIGHT, WIDTH), bool)
            expected[i, j:] = True  # never the row above, so never the first one of the diagonal
            np.testing.assert_array_equal(cells_moved_by(model, i, j), expected)


@pytest.mark.parametrize("order", ["raster", "boustrophedon"])
def test_the_snake_sees_every_cell_read_before_it(order):
    model = SnakeLSTMModel(HIDDEN, WeightInit("glorot", seed=3), order)
    reading_position = np.argsort(snake_order(HEIGHT, WIDTH, order)).reshape(HEIGHT, WIDTH)
    for i in range(HEIGHT):
        for j in range(WIDTH):
            np.testing.assert_array_equal(cells_moved_by(model, i, j), reading_position >= reading_position[i, j])


def test_boustrophedon_reverses_every_other_row():
    assert list(snake_order(3, 3, "boustrophedon")) == [0, 1, 2, 5, 4, 3, 6, 7, 8]
    assert list(snake_order(2, 3, "raster")) == [0, 1, 2, 3, 4, 5]


def test_the_md_lstm_sees_the_cells_above_and_left():
    model = MDLSTMModel(HIDDEN, WeightInit("glorot", seed=4))
    expected = np.zeros((HEIGHT, WIDTH), bool)
    expected[1:, 2:] = True
    np.testing.assert_array_equal(cells_moved_by(model, 1, 2), expected)


@pytest.mark.parametrize("name, layer_norm", [("md_lstm", False), ("md_lstm", True), ("horizontal_sd_lstm", False),
                                              ("snake_sd_lstm", False)])
def test_all_zero_grids_give_finite_gradients(name, layer_norm):
    model = build_model(name, DiagonalConfig(hidden=HIDDEN, layer_norm=layer_norm))
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.sigmoid(model(np.zeros((BATCH, HEIGHT, WIDTH), np.float32))) - 1.0))
    gradients = tape.gradient(loss, model.trainable_variables)
    assert all(np.isfinite(g.numpy()).all() for g in gradients)
    assert any(np.abs(g.numpy()).max() > 0 for g in gradients)


@pytest.mark.parametrize("name, layer_norm, parameters", [("md_lstm", True, 2849), ("md_lstm", False, 2737),
                                                          ("horizontal_sd_lstm", False, 1169),
                                                          ("snake_sd_lstm", False, 1169)])
def test_parameter_counts_match_the_seed(name, layer_norm, parameters):
    """Seed: the layer-normalised MD-LSTM has 2,849 parameters with its head, the 1D LSTMs 1,169 (hidden 16);
    without layer norm the MD-LSTM trades 192 gains and shifts for an 80-wide bias."""
    assert build_model(name, DiagonalConfig(layer_norm=layer_norm)).parameter_count == parameters
