"""Every LSTM variant against the NumPy implementation of Greff et al.'s equations in tests/cells/reference.py,
and the parameter formulas. What every cell owes (one-step calls, --forget-bias) is in test_family.py."""

import pytest

from rnncli.cells import make_cell
from rnncli.cells.initializers import WeightInit
from rnncli.cells.lstm import VARIANTS
from rnncli.unroll import dynamic_unroll, static_unroll, window_unroll
from tests.cells.checks import assert_unroll_matches_numpy


@pytest.mark.parametrize("name", sorted(VARIANTS))
@pytest.mark.parametrize("unroll", [static_unroll, dynamic_unroll, window_unroll], ids=["static", "dynamic", "window"])
def test_variant_matches_numpy_equations_over_20_steps(name, unroll):
    assert_unroll_matches_numpy(name, unroll, input_size=5, hidden_size=4)


def test_a_450_unit_vanilla_lstm_layer_with_450_inputs_has_1623150_parameters():
    assert make_cell("lstm", 450, 450, WeightInit("glorot")).parameter_count == 1_623_150  # seeds.md 1.3


@pytest.mark.parametrize("name, blocks, peepholes, gate_recurrence", [
    ("lstm", 4, 3, 0), ("nig", 3, 2, 0), ("nfg", 3, 2, 0), ("nog", 3, 2, 0), ("niaf", 4, 3, 0),
    ("noaf", 4, 3, 0), ("np", 4, 0, 0), ("cifg", 3, 2, 0), ("fgr", 4, 3, 9),
])
@pytest.mark.parametrize("inputs, hidden", [(450, 450), (65, 32)])
def test_parameter_counts_follow_the_formulas(name, blocks, peepholes, gate_recurrence, inputs, hidden):
    expected = blocks * (inputs * hidden + hidden * hidden + hidden) + peepholes * hidden \
        + gate_recurrence * hidden * hidden
    assert make_cell(name, inputs, hidden, WeightInit("glorot")).parameter_count == expected

