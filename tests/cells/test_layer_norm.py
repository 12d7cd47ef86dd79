"""The layer-normalised cells (``--layer-norm``: every LSTM variant, the GRU and MUT3) against the NumPy
equations of Ba et al. 2016 in tests/cells/reference.py, their gradients against finite differences, their
weights and internals, and the refusal of the other cells. Parameter counts are in test_family.py."""

import numpy as np
import pytest

from rnncli.cells import LAYER_NORM_CELLS, REGISTRY, make_cell, parameter_count
from rnncli.cells.initializers import WeightInit
from rnncli.tensorflow_quiet import tf
from rnncli.unroll import dynamic_unroll, static_unroll, window_unroll
from tests.cells.checks import (assert_gradients_match_finite_differences, assert_unroll_matches_numpy,
                                cell_with_random_weights, in_float32, random_state)
from tests.cells.reference import weights_of

WITHOUT = [name for name in REGISTRY if name not in LAYER_NORM_CELLS]


def test_the_lstm_variants_the_gru_and_mut3_have_the_form():
    assert set(LAYER_NORM_CELLS) == {"lstm", "nig", "nfg", "nog", "niaf", "noaf", "np", "cifg", "fgr", "gru", "mut3"}


@pytest.mark.parametrize("name", LAYER_NORM_CELLS)
@pytest.mark.parametrize("unroll", [static_unroll, dynamic_unroll, window_unroll], ids=["static", "dynamic", "window"])
def test_cell_matches_numpy_equations_over_12_steps(name, unroll):
    assert_unroll_matches_numpy(name, unroll, input_size=5, hidden_size=4, steps=12, layer_norm=True,
                                rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", LAYER_NORM_CELLS)
def test_tape_gradients_match_finite_differences_of_the_numpy_equations(name):
    assert_gradients_match_finite_differences(name, static_unroll, layer_norm=True)


@pytest.mark.parametrize("name", LAYER_NORM_CELLS)
def test_the_plain_weights_are_drawn_as_without_layer_norm_and_the_gains_start_at_1(name):
    """The layer-norm weights draw nothing from the initialiser: a seed gives the plain cell's weights; besides,
    a gain of 1 for each x-term and recurrent term, and for the LSTM the cell's gain 1 and shift 0."""
    plain = weights_of(make_cell(name, 3, 4, WeightInit("uniform", seed=1), forget_bias=0.5))
    normalised = weights_of(make_cell(name, 3, 4, WeightInit("uniform", seed=1), forget_bias=0.5, layer_norm=True))
    for key, value in plain.items():
        np.testing.assert_array_equal(normalised[key], value)
    blocks = [key[2:] for key in plain if key.startswith("b_")]
    added = {f"gain_{matrix}_{block}": 1.0 for block in blocks for matrix in "WR"}
    if REGISTRY[name].family == "lstm":
        added.update(gain_c=1.0, shift_c=0.0)
    assert set(normalised) - set(plain) == set(added)
    for key, start in added.items():
        np.testing.assert_array_equal(normalised[key], np.full(4, start))


@pytest.mark.parametrize("name", LAYER_NORM_CELLS)
def test_the_window_unroll_falls_back_to_the_static_unroll(name):
    """``LN(h_{t-1} R)`` is not affine in ``h_{t-1}``: no ``affine_recurrence``, so ``window_unroll`` runs the
    static unroll, while the plain cell keeps its own."""
    cell = make_cell(name, 3, 4, WeightInit("glorot"), layer_norm=True)
    assert cell.affine_recurrence is None
    plain = make_cell(name, 3, 4, WeightInit("glorot"))
    assert plain.affine_recurrence is (plain if REGISTRY[name].family == "lstm" else None)


@pytest.mark.parametrize("name", LAYER_NORM_CELLS)
def test_internals_and_state_are_those_of_the_plain_cell(name):
    rng = np.random.default_rng(2)
    cell = cell_with_random_weights(name, 5, 4, seed=2, layer_norm=True)
    plain = make_cell(name, 5, 4, WeightInit("glorot"))
    state = cell.State(*[tf.constant(part, tf.float32) for part in random_state(cell, 3, rng)])
    projected = cell.project_inputs(tf.constant(in_float32(rng.normal(size=(3, 5))), tf.float32))
    output, new_state, internals = cell.step_with_internals(projected, state)
    _, _, plain_internals = plain.step_with_internals(plain.project_inputs(tf.zeros([3, 5])), state)
    assert type(new_state) is type(state) and list(internals.gates) == list(plain_internals.gates)
    np.testing.assert_array_equal(output, new_state.hidden)
    if "cell" in cell.State._fields:
        assert list(internals.states) == ["cell"]
        np.testing.assert_array_equal(internals.states["cell"], new_state.cell)


@pytest.mark.parametrize("name", WITHOUT)
def test_the_other_cells_refuse_layer_norm_naming_those_that_have_it(name):
    expected = "the cells with one are " + ", ".join(LAYER_NORM_CELLS)
    with pytest.raises(ValueError, match=f"cell '{name}' has no layer-normalised form") as built:
        make_cell(name, 3, 4, WeightInit("glorot"), layer_norm=True)
    assert expected in str(built.value)
    with pytest.raises(ValueError, match=expected):
        parameter_count(name, 3, 4, layer_norm=True)
