"""The character model's own weights (embedding E, softmax W_out and b_out) follow --init as the cells' do."""

import numpy as np
import pytest

from rnncli.cells.initializers import SCHEMES, WeightInit
from rnncli.models.char_lm import CharLanguageModel

VOCAB, EMBEDDING, HIDDEN = 40, 12, 20


def model_weights(scheme):
    model = CharLanguageModel(VOCAB, "gru", HIDDEN, embedding_size=EMBEDDING, init=WeightInit(scheme, seed=4))
    return {"E": model.embedding.numpy(), "W_out": model.softmax_weights.numpy(), "b_out": model.softmax_bias.numpy()}


def fills_uniform_range(values, limit):
    """Within [-limit, limit] and reaching out to both ends (hundreds of draws, so within 10% of them)."""
    return np.abs(values).max() <= limit and values.min() < -0.9 * limit and values.max() > 0.9 * limit


def orthonormal_up_to(values, scale):
    """``scale`` times a matrix with orthonormal rows or columns (whichever are fewer)."""
    short = values if values.shape[0] <= values.shape[1] else values.T
    return np.allclose(short @ short.T, scale ** 2 * np.eye(short.shape[0]), atol=1e-5)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_embedding_and_softmax_weights_are_drawn_by_the_init_scheme(scheme):
    weights = model_weights(scheme)
    matrices = {"E": (VOCAB, EMBEDDING), "W_out": (HIDDEN, VOCAB)}
    for name, (fan_in, fan_out) in matrices.items():
        values = weights[name]
        assert values.shape == (fan_in, fan_out)
        if scheme == "uniform":
            assert fills_uniform_range(values, 0.1), name
        elif scheme == "truncated-normal":
            assert values.min() >= -0.3 and values.max() <= 0.1 and abs(values.mean() + 0.1) < 0.02, name
        elif scheme == "uniform-unit":
            assert fills_uniform_range(values, np.sqrt(3 / fan_in)), name
        elif scheme == "orthogonal":
            assert orthonormal_up_to(values, 1.1), name
        else:  # glorot, and identity, which sets only square recurrent matrices to I
            assert fills_uniform_range(values, np.sqrt(6 / (fan_in + fan_out))), name
    if scheme == "uniform":  # the seed's scheme draws biases too
        assert fills_uniform_range(weights["b_out"], 0.1)
    else:
        np.testing.assert_array_equal(weights["b_out"], np.zeros(VOCAB))
