"""Overall and second-x losses and the hit rate on hand-made predictions."""

import numpy as np
import pytest

from rnncli.grid.metrics import hit_rate, task_metrics
from rnncli.tensorflow_quiet import tf

SECOND_X = np.array([[2, 1], [1, 3]], dtype=np.int32)
TARGETS = np.zeros((2, 4, 5), np.float32)


def logits_from(probabilities):
    p = np.clip(np.asarray(probabilities, np.float64), 1e-6, 1 - 1e-6)
    return tf.constant(np.log(p / (1 - p)), tf.float32)


def test_hit_needs_the_second_x_lit_and_the_rest_of_its_row_dark():
    p = np.full((2, 4, 5), 0.1)
    p[0, 2, 1] = 0.9  # grid 0: a hit
    p[0, 3, 4] = 0.9  # another row does not matter
    p[1, 1, 3] = 0.9
    p[1, 1, 0] = 0.7  # grid 1: a second lit cell in the row spoils it
    assert float(hit_rate(logits_from(p), SECOND_X)) == 0.5
    p[1, 1, 0] = 0.1
    assert float(hit_rate(logits_from(p), SECOND_X)) == 1.0
    p[0, 2, 1] = 0.4
    assert float(hit_rate(logits_from(p), SECOND_X)) == 0.5


@pytest.mark.parametrize("kind", ["mse", "bce"])
def test_second_x_loss_is_the_loss_at_that_cell_only(kind):
    targets = TARGETS.copy()
    targets[0, 2, 1] = targets[1, 1, 3] = 1.0
    p = np.full((2, 4, 5), 0.2)
    p[0, 2, 1], p[1, 1, 3] = 0.7, 0.4
    overall, second, _ = task_metrics(logits_from(p), targets, SECOND_X, kind)
    # by hand: 38 of the 2 x 4 x 5 cells have p = 0.2 and target 0; the second x's have 0.7 and 0.4, target 1
    if kind == "mse":
        expected_second, expected_overall = (0.3 ** 2 + 0.6 ** 2) / 2, (38 * 0.2 ** 2 + 0.3 ** 2 + 0.6 ** 2) / 40
    else:
        expected_second = -(np.log(0.7) + np.log(0.4)) / 2
        expected_overall = -(38 * np.log(0.8) + np.log(0.7) + np.log(0.4)) / 40
    assert float(second) == pytest.approx(expected_second, rel=1e-4)
    assert float(overall) == pytest.approx(expected_overall, rel=1e-4)
