"""The GRU and MUT1-3 against their NumPy equations (tests/cells/reference.py), with and without the input
projection that MUT1 and MUT2 need when the input is not as wide as the hidden layer."""

import pytest

from rnncli.cells import make_cell
from rnncli.cells.initializers import WeightInit
from rnncli.unroll import dynamic_unroll, static_unroll
from tests.cells.checks import assert_unroll_matches_numpy


@pytest.mark.parametrize("name", ["gru", "mut1", "mut2", "mut3"])
@pytest.mark.parametrize("unroll", [static_unroll, dynamic_unroll], ids=["static", "dynamic"])
@pytest.mark.parametrize("inputs", [5, 4], ids=["input5", "input4"])
def test_cell_matches_numpy_equations_over_20_steps(name, unroll, inputs):
    assert_unroll_matches_numpy(name, unroll, input_size=inputs, hidden_size=4)


@pytest.mark.parametrize("name, input_matrices, recurrent_matrices, projection", [
    ("gru", 3, 3, None), ("mut1", 2, 2, "P_x"), ("mut2", 2, 3, "P_r"), ("mut3", 3, 3, None),
])
@pytest.mark.parametrize("inputs, hidden", [(450, 450), (65, 32)])
def test_parameter_counts_follow_the_formulas(name, input_matrices, recurrent_matrices, projection, inputs, hidden):
    cell = make_cell(name, inputs, hidden, WeightInit("glorot"))
    projected = projection is not None and inputs != hidden
    expected = (input_matrices + projected) * inputs * hidden + recurrent_matrices * hidden ** 2 + 3 * hidden
    assert cell.parameter_count == expected
    names = {v.name.split("/")[-1].split(":")[0] for v in cell.trainable_variables}
    assert (projection in names) == projected


def test_jzs_names_are_the_mutants():
    for alias, name in [("jzs1", "mut1"), ("jzs2", "mut2"), ("jzs3", "mut3")]:
        cell = make_cell(alias, 3, 4, WeightInit("glorot"))
        assert type(cell) is type(make_cell(name, 3, 4, WeightInit("glorot")))
        assert cell.name == name
