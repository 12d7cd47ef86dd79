"""The candidate sets of top-k and nucleus (top-p) sampling, against a NumPy reference on fixed logits."""

import numpy as np
import pytest

from rnncli.sample import candidates
from rnncli.tensorflow_quiet import tf

LOGITS = np.array([[2.0, -1.0, 0.5, 3.0, 0.5, -2.0, 1.0],
                   [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                   [9.0, 1.0, 0.0, -1.0, 8.5, 2.0, 0.3]], dtype=np.float32)


def reference_set(row, k, p):
    """Indices kept: rank by logit (ties by index), keep the first min(k, n_p), n_p the fewest whose softmax
    probabilities sum to at least p."""
    order = sorted(range(len(row)), key=lambda i: (-row[i], i))
    probabilities = np.exp(row - row.max()) / np.exp(row - row.max()).sum()
    mass, nucleus = 0.0, 0
    for i in order:
        nucleus += 1
        mass += probabilities[i]
        if mass >= p - 1e-7:
            break
    return set(order[:min(k or len(row), nucleus)])


@pytest.mark.parametrize("k, p", [(0, 1.0), (1, 1.0), (3, 1.0), (7, 1.0), (50, 1.0), (0, 0.5), (0, 0.9),
                                  (0, 0.999), (2, 0.9), (4, 0.3)])
def test_the_candidates_are_the_reference_set(k, p):
    kept = candidates(tf.constant(LOGITS), tf.constant(k), tf.constant(p)).numpy()
    for row, filtered in zip(LOGITS, kept):
        expected = reference_set(row, k, p)
        assert set(np.flatnonzero(np.isfinite(filtered))) == expected
        assert np.array_equal(filtered[list(expected)], row[list(expected)])


def test_top_k_keeps_exactly_k_even_among_ties():
    kept = candidates(tf.constant(LOGITS[1:2]), tf.constant(3), tf.constant(1.0)).numpy()
    assert np.isfinite(kept).sum() == 3


def test_top_p_keeps_the_smallest_set_whose_mass_reaches_p():
    row = np.log(np.array([[0.5, 0.3, 0.15, 0.05]], dtype=np.float32))
    assert np.isfinite(candidates(tf.constant(row), tf.constant(0), tf.constant(0.8)).numpy()).sum() == 2
    assert np.isfinite(candidates(tf.constant(row), tf.constant(0), tf.constant(0.81)).numpy()).sum() == 3
    assert np.isfinite(candidates(tf.constant(row), tf.constant(0), tf.constant(0.1)).numpy()).sum() == 1
