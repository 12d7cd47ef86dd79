"""Each ``--init`` scheme draws what rnncli/cells/initializers.py says it draws, reproducibly from its seed."""

import numpy as np
import pytest

from rnncli.cells.initializers import SCHEMES, WeightInit

SHAPE = (300, 200)  # fan_in 300, fan_out 200: enough draws that the extremes come near the bounds


def assert_fills_the_interval(values, low, high):
    """Inside [low, high], and within 3% of the width of both ends (so the bounds are not too narrow)."""
    margin = 0.03 * (high - low)
    assert values.min() >= low and values.max() <= high
    assert values.min() < low + margin and values.max() > high - margin


def test_uniform_draws_matrices_and_vectors_from_plus_minus_0_1():
    init = WeightInit("uniform", seed=0)
    assert_fills_the_interval(init.matrix(SHAPE), -0.1, 0.1)
    assert_fills_the_interval(init.matrix((200, 200), recurrent=True), -0.1, 0.1)
    assert_fills_the_interval(init.vector(5000), -0.1, 0.1)


def test_truncated_normal_has_mean_minus_0_1_and_stays_within_two_deviations():
    values = WeightInit("truncated-normal", seed=0).matrix(SHAPE)
    assert_fills_the_interval(values, -0.3, 0.1)
    assert values.mean() == pytest.approx(-0.1, abs=0.002)
    assert values.std() == pytest.approx(0.1 * 0.8796, rel=0.02)  # std of a normal truncated at ±2σ


def test_uniform_unit_scales_by_fan_in():
    init = WeightInit("uniform-unit", seed=0)
    values = init.matrix(SHAPE)
    assert_fills_the_interval(values, -np.sqrt(3 / 300), np.sqrt(3 / 300))
    assert values.var() == pytest.approx(1 / 300, rel=0.03)


def test_glorot_scales_by_fan_in_plus_fan_out():
    limit = np.sqrt(6 / (300 + 200))
    assert_fills_the_interval(WeightInit("glorot", seed=0).matrix(SHAPE), -limit, limit)


@pytest.mark.parametrize("shape", [(60, 60), (90, 60), (27, 64)], ids=["square", "tall", "wide"])
@pytest.mark.parametrize("scale", [1.0, 1.1])
def test_orthogonal_is_scaled_orthonormal_rows_or_columns(shape, scale):
    values = WeightInit("orthogonal", seed=0, orthogonal_scale=scale).matrix(shape)
    assert values.shape == shape
    gram = values.T @ values if shape[0] >= shape[1] else values @ values.T
    np.testing.assert_allclose(gram, scale ** 2 * np.eye(min(shape)), atol=1e-10)


def test_orthogonal_default_scale_is_the_seeds_1_1():
    values = WeightInit("orthogonal", seed=0).matrix((50, 50))
    np.testing.assert_allclose(np.linalg.svd(values, compute_uv=False), np.full(50, 1.1))


def test_identity_sets_square_recurrent_matrices_only():
    init = WeightInit("identity", seed=0)
    np.testing.assert_array_equal(init.matrix((7, 7), recurrent=True), np.eye(7))
    input_matrix = init.matrix((7, 7))
    limit = np.sqrt(6 / 14)
    assert np.abs(input_matrix).max() <= limit and not np.allclose(input_matrix, np.eye(7))


@pytest.mark.parametrize("scheme", [s for s in SCHEMES if s != "uniform"])
def test_vectors_are_zero_outside_the_seeds_uniform_scheme(scheme):
    np.testing.assert_array_equal(WeightInit(scheme, seed=0).vector(9), np.zeros(9))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_same_seed_draws_the_same_weights_and_another_seed_others(scheme):
    def draws(seed):
        init = WeightInit(scheme, seed=seed)
        return [init.matrix((6, 5)), init.matrix((5, 5), recurrent=True), init.vector(5), init.matrix((6, 5))]

    for first, again in zip(draws(3), draws(3)):
        np.testing.assert_array_equal(first, again)
    assert not np.array_equal(draws(3)[-1], draws(4)[-1])


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="unknown init scheme"):
        WeightInit("xavier")
