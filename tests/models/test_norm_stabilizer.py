"""The norm stabiliser against Krueger and Memisevic's formula, alone and inside a training step."""

import numpy as np
import pytest

from rnncli.cells.initializers import WeightInit
from rnncli.config import TrainConfig
from rnncli.models.char_lm import CharLanguageModel
from rnncli.models.norm_stabilizer import norm_stabilizer
from rnncli.models.stack_options import StackOptions
from rnncli.tensorflow_quiet import tf
from rnncli.optimizers import make_optimizer
from rnncli.train import make_train_step, saved_state_variables


def formula(trajectories, beta):
    """β Σ_layers (1/T) Σ_t mean_batch (||h_t|| - ||h_{t-1}||)², a loop per term."""
    total = 0.0
    for h in trajectories:
        steps, batch = h.shape[0] - 1, h.shape[1]
        for t in range(1, steps + 1):
            for b in range(batch):
                total += (np.linalg.norm(h[t, b]) - np.linalg.norm(h[t - 1, b])) ** 2 / (steps * batch)
    return beta * total


def test_the_penalty_is_the_formula_summed_over_layers():
    rng = np.random.default_rng(0)
    trajectories = [rng.normal(size=(5, 3, 4)), rng.normal(size=(5, 3, 4)) * 2]
    value = norm_stabilizer([tf.constant(h, tf.float32) for h in trajectories], 50.0)
    assert float(value) == pytest.approx(formula(trajectories, 50.0), rel=1e-5)
    assert float(norm_stabilizer([tf.constant(h, tf.float32) for h in trajectories], 0.0)) == 0.0


def test_the_gradient_stays_finite_where_a_hidden_state_is_zero():
    """A zero state beside a non-zero one (a layer of dead ReLUs waking up): ||h|| has no gradient at 0."""
    trajectory = tf.Variable(np.concatenate([np.zeros((1, 2, 4)), np.ones((2, 2, 4))]).astype(np.float32))
    with tf.GradientTape() as tape:
        value = norm_stabilizer([trajectory], 50.0)
    assert np.isfinite(tape.gradient(value, trajectory).numpy()).all()


def test_the_training_step_adds_the_penalty_on_the_model_trajectories_and_reports_it_apart():
    model = CharLanguageModel(7, "lstm", 5, layers=2, init=WeightInit("glorot", seed=3),
                              stack_options=StackOptions(time_skip=1))
    saved = saved_state_variables(model, 2)
    optimizer, _ = make_optimizer(TrainConfig(lr=1e-30))
    step = make_train_step(model, optimizer, saved, clip_norm=1.0, norm_stabilizer_beta=50.0)
    ids = np.random.default_rng(2).integers(0, 7, (2, 6))
    step(ids)  # the second window starts from a carried, non-zero output
    states = tf.nest.map_structure(lambda v: v.numpy(), saved)
    second = np.random.default_rng(3).integers(0, 7, (2, 6))
    result = model.forward(tf.constant(second[:, :-1].T), states)
    cross_entropy, _, applied, penalty = step(second)
    expected_entropy = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(second[:, 1:].T, result.logits))
    assert float(cross_entropy) == pytest.approx(float(expected_entropy), rel=1e-5)
    assert float(penalty) == pytest.approx(formula([h.numpy() for h in result.trajectories], 50.0), rel=1e-4)
    np.testing.assert_allclose(result.trajectories[0][0].numpy(), states[0].core.hidden)
    assert bool(applied) and float(penalty) > 0
