"""Elman RNN, IRNN and the Jordan-style RNN against their NumPy equations (tests/cells/reference.py)."""

import numpy as np
import pytest

from rnncli.cells import make_cell
from rnncli.cells.initializers import WeightInit
from rnncli.unroll import dynamic_unroll, static_unroll, window_unroll
from tests.cells.checks import assert_unroll_matches_numpy


@pytest.mark.parametrize("name", ["rnn", "irnn", "jordan"])
@pytest.mark.parametrize("unroll", [static_unroll, dynamic_unroll, window_unroll], ids=["static", "dynamic", "window"])
def test_cell_matches_numpy_equations_over_20_steps(name, unroll):
    assert_unroll_matches_numpy(name, unroll, input_size=5, hidden_size=4)


@pytest.mark.parametrize("inputs, hidden", [(450, 450), (65, 32)])
def test_parameter_counts_follow_the_formulas(inputs, hidden):
    one_layer = inputs * hidden + hidden * hidden + hidden
    assert make_cell("rnn", inputs, hidden, WeightInit("glorot")).parameter_count == one_layer
    assert make_cell("irnn", inputs, hidden, WeightInit("glorot")).parameter_count == one_layer
    assert make_cell("jordan", inputs, hidden, WeightInit("glorot")).parameter_count == one_layer + hidden ** 2 + hidden


@pytest.mark.parametrize("scheme", ["uniform", "orthogonal", "truncated-normal"])
def test_irnn_starts_from_the_identity_and_zero_biases_whatever_the_scheme(scheme):
    irnn = make_cell("irnn", 6, 5, WeightInit(scheme, seed=2))
    rnn = make_cell("rnn", 6, 5, WeightInit(scheme, seed=2))
    np.testing.assert_array_equal(irnn.R_h.numpy(), np.eye(5))
    np.testing.assert_array_equal(irnn.b["h"].numpy(), np.zeros(5))
    np.testing.assert_array_equal(irnn.W["h"].numpy(), rnn.W["h"].numpy())  # the input matrix follows --init
    assert not np.allclose(rnn.R_h.numpy(), np.eye(5))

