"""The random-diagonal generator: where the ones fall, the noise, the shifted target, the second x."""

import numpy as np
import pytest

from rnncli.grid.task import NOISE_HIGH, DiagonalTask


@pytest.mark.parametrize("height, width", [(8, 8), (3, 3), (5, 9), (9, 4)])
def test_two_ones_on_a_diagonal_inside_the_border_and_noise_elsewhere(height, width):
    batch = DiagonalTask(height, width, batch_size=200, seed=3).batch(0)
    assert batch.inputs.shape == batch.targets.shape == (200, height, width)
    assert batch.inputs.dtype == np.float32
    for grid in batch.inputs:
        ones = np.argwhere(grid == 1.0)
        assert len(ones) == 2
        (a, c), (a2, c2) = ones
        assert (a2, c2) == (a + 1, c + 1)
        assert 1 <= a <= height - 2 and 1 <= c <= width - 2
        noise = np.delete(grid.reshape(-1), [a * width + c, a2 * width + c2])
        assert noise.min() >= 0.0 and noise.max() < NOISE_HIGH


def test_every_allowed_position_of_the_first_one_occurs():
    batch = DiagonalTask(5, 6, batch_size=2000, seed=0).batch(0)
    first = {tuple(np.argwhere(grid == 1.0)[0]) for grid in batch.inputs}
    assert first == {(a, c) for a in range(1, 4) for c in range(1, 5)}


def test_target_is_the_input_shifted_one_step_left_with_wrap_round():
    batch = DiagonalTask(6, 7, batch_size=4).batch(5)
    for j in range(7):
        np.testing.assert_array_equal(batch.targets[:, :, j], batch.inputs[:, :, (j + 1) % 7])


def test_second_x_is_the_target_cell_equal_to_the_lower_one():
    batch = DiagonalTask(7, 5, batch_size=50).batch(1)
    for grid, target, (row, column) in zip(batch.inputs, batch.targets, batch.second_x):
        assert target[row, column] == 1.0
        assert grid[row, column + 1] == 1.0 and grid[row - 1, column] == 1.0  # the first one is up-left of it
        assert np.array_equal(np.argwhere(target == 1.0)[1], [row, column])  # the second one in raster order


def test_batches_depend_on_seed_and_step_only_and_evaluation_grids_are_apart():
    task = DiagonalTask(8, 8, 16, seed=1)
    np.testing.assert_array_equal(task.batch(7).inputs, DiagonalTask(8, 8, 16, seed=1).batch(7).inputs)
    assert not np.array_equal(task.batch(7).inputs, task.batch(8).inputs)
    assert not np.array_equal(task.batch(7).inputs, DiagonalTask(8, 8, 16, seed=2).batch(7).inputs)
    evaluation = task.evaluation_batch(16).inputs
    assert not any(np.array_equal(evaluation, task.batch(k).inputs) for k in range(20))


def test_grids_too_small_for_the_diagonal_are_refused():
    with pytest.raises(ValueError, match="at least 3"):
        DiagonalTask(2, 8, 4)
