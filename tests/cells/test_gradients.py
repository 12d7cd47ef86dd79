"""TensorFlow's gradients of every cell against central finite differences of its NumPy reference in float64
(``tests.cells.checks.assert_gradients_match_finite_differences`` says how)."""

import pytest

from rnncli.cells import REGISTRY
from rnncli.unroll import static_unroll, window_unroll
from tests.cells.checks import assert_gradients_match_finite_differences


@pytest.mark.parametrize("name", list(REGISTRY))
@pytest.mark.parametrize("unroll", [static_unroll, window_unroll], ids=["static", "window"])
def test_tape_gradients_match_finite_differences_of_the_numpy_equations(name, unroll):
    """With ``window_unroll`` the gradients of the affine cells come from its own backward pass."""
    assert_gradients_match_finite_differences(name, unroll)
