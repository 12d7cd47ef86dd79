"""Each --optimizer's update, two steps of a constant gradient, against its rule written out in NumPy, under the
staircase schedule (here halving the rate after the first step)."""

import numpy as np
import pytest

from rnncli.config import TrainConfig
from rnncli.optimizers import make_optimizer
from rnncli.tensorflow_quiet import tf

W0 = np.array([1.0, -2.0, 0.5])
G = np.array([0.5, 0.25, -1.0])
LR = 0.1
#: The learning rate of step k: lr, then lr / 2 (decay_steps 1, decay_rate 0.5).
RATES = [LR, LR / 2]


def two_updates(**options):
    optimizer, _ = make_optimizer(TrainConfig(lr=LR, schedule="staircase", decay_steps=1, decay_rate=0.5, **options))
    w = tf.Variable(W0, dtype=tf.float64)
    for _ in RATES:
        optimizer.apply_gradients([(tf.constant(G), w)])
    return w.numpy()


def test_sgd_steps_against_the_gradient():
    np.testing.assert_allclose(two_updates(optimizer="sgd"), W0 - sum(RATES) * G)


@pytest.mark.parametrize("momentum", [0.5, 0.9])
def test_momentum_carries_a_velocity_v_that_decays_by_the_momentum(momentum):
    """v_k = μ v_{k-1} - lr_k g,  w_k = w_{k-1} + v_k."""
    w, v = W0.copy(), np.zeros_like(W0)
    for rate in RATES:
        v = momentum * v - rate * G
        w = w + v
    np.testing.assert_allclose(two_updates(optimizer="momentum", momentum=momentum), w)
    assert not np.allclose(w, W0 - sum(RATES) * G)  # not plain SGD


def test_rmsprop_divides_by_the_root_of_a_running_mean_of_squared_gradients():
    """s_k = ρ s_{k-1} + (1 - ρ) g²,  w_k = w_{k-1} - lr_k g / sqrt(s_k + ε), with Keras's ρ = 0.9, ε = 1e-7."""
    w, s = W0.copy(), np.zeros_like(W0)
    for rate in RATES:
        s = 0.9 * s + 0.1 * G ** 2
        w = w - rate * G / np.sqrt(s + 1e-7)
    np.testing.assert_allclose(two_updates(optimizer="rmsprop"), w, rtol=1e-6)
