"""--schedule, --warmup-steps and --weight-decay: the rates against their formulas worked out by hand, and a
resumed run that continues its schedule exactly."""

import math
import shutil

import numpy as np
import pytest

from rnncli.config import TrainConfig
from rnncli.evaluate import Evaluation
from rnncli.optimizers import make_optimizer
from rnncli.schedules import BudgetSchedule, Plateau, budget_progress
from rnncli.tensorflow_quiet import tf
from tests.test_train_options import metrics, new_trainer, resumed_trainer


def rate(schedule, step, progress=0.0):
    schedule.progress.assign(progress)
    return float(schedule(tf.constant(step, tf.int64)))


def test_cosine_goes_from_lr_to_lr_times_decay_rate_over_the_budget():
    schedule = BudgetSchedule(TrainConfig(schedule="cosine", lr=2.0, decay_rate=0.1))
    # 2 (0.1 + 0.9 (1 + cos(pi p)) / 2)
    for progress, expected in [(0.0, 2.0), (0.25, 2 * (0.1 + 0.45 * (1 + math.sqrt(0.5)))), (0.5, 1.1), (1.0, 0.2)]:
        assert rate(schedule, 123, progress) == pytest.approx(expected, rel=1e-6)


def test_the_staircase_ignores_the_budget_and_warm_up_scales_the_first_steps_linearly():
    schedule = BudgetSchedule(TrainConfig(schedule="staircase", lr=1.0, decay_rate=0.5, decay_steps=10,
                                          warmup_steps=4))
    assert [rate(schedule, n, progress=0.9) for n in (0, 1, 2, 3, 9, 10, 25)] == pytest.approx(
        [0.25, 0.5, 0.75, 1.0, 1.0, 0.5, 0.25])


def test_the_budget_spent_is_the_larger_of_steps_and_seconds_and_stops_at_one():
    assert budget_progress(50, 200, 30.0, None) == 0.25
    assert budget_progress(50, 200, 30.0, 60.0) == 0.5
    assert budget_progress(190, 200, 30.0, 60.0) == 0.95
    assert budget_progress(500, 200, 90.0, 60.0) == 1.0


def test_plateau_lowers_the_rate_after_patience_evaluations_without_a_new_best():
    schedule = BudgetSchedule(TrainConfig(schedule="plateau", lr=1.0, decay_rate=0.5))
    plateau = Plateau(schedule, patience=2)
    scales = []
    for loss in [3.0, 2.5, 2.6, 2.7, 2.4, 2.5, 2.5, 2.45, 2.6]:
        plateau.observe(loss)
        scales.append(float(schedule.scale))
    # new bests at 3.0, 2.5, 2.4; two misses in a row after 2.5 and twice after 2.4
    assert scales == [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125]
    assert rate(schedule, 1000) == 0.125


def test_each_optimizer_gets_its_default_schedule_and_an_old_run_keeps_the_staircase():
    assert TrainConfig(optimizer="sgd").schedule == "staircase"
    assert TrainConfig(optimizer="adam").schedule == "cosine"
    assert TrainConfig(optimizer="adam", schedule="plateau").schedule == "plateau"
    saved = TrainConfig(optimizer="adam").to_json().replace('"schedule": "cosine",', "")
    assert "schedule" not in saved and TrainConfig.from_json(saved).schedule == "staircase"


def test_weight_decay_shrinks_matrices_by_lr_times_decay_and_leaves_vectors_alone():
    matrix, vector = tf.Variable(np.full((2, 2), 4.0, np.float32)), tf.Variable(np.full(2, 4.0, np.float32))
    optimizer, _ = make_optimizer(TrainConfig(optimizer="sgd", lr=0.5, weight_decay=0.1), [matrix, vector])
    optimizer.apply_gradients([(tf.zeros((2, 2)), matrix), (tf.zeros(2), vector)])
    np.testing.assert_allclose(matrix.numpy(), 4.0 * (1 - 0.5 * 0.1))
    np.testing.assert_allclose(vector.numpy(), 4.0)


def logged_rates(run):
    return {r["step"]: r["lr"] for r in metrics(run) if "lr" in r}


def test_a_cosine_over_steps_logs_its_formula_at_every_step(tmp_path, small_corpus):
    run = tmp_path / "run"
    new_trainer(run, small_corpus, steps=8, optimizer="adam", lr=0.01, decay_rate=0.1).run_training()
    expected = {n: 0.01 * (0.1 + 0.45 * (1 + math.cos(math.pi * n / 8))) for n in range(8)}
    assert logged_rates(run) == pytest.approx(expected, rel=1e-5)


def resume_from_the_middle(whole, interrupted):
    """A copy of the finished run ``whole`` that lost its last checkpoint, resumed (from step 6) to the end."""
    shutil.copytree(whole, interrupted)
    for path in (interrupted / "checkpoints").glob("ckpt-12*"):
        path.unlink()
    resumed = resumed_trainer(interrupted)
    assert resumed.step == 6
    return resumed


def test_a_run_resumed_mid_cosine_ends_with_the_weights_and_rates_of_the_uninterrupted_run(tmp_path, small_corpus):
    """Every regulariser on: their masks, drawn from generators in the checkpoint, are drawn again alike; the
    weight average goes on from the checkpoint's."""
    trainer = new_trainer(tmp_path / "whole", small_corpus, steps=12, optimizer="adam", lr=0.3, checkpoint_every=6,
                          warmup_steps=3, weight_decay=0.1, dropout=0.3, variational_dropout=True, state_dropout=0.2,
                          weight_drop=0.2, embedding_dropout=0.1, average_weights=0.5)
    trainer.run_training()
    resumed = resume_from_the_middle(tmp_path / "whole", tmp_path / "interrupted")
    resumed.run_training()
    for model in ("model", "trained_model"):
        for weight, expected in zip(resumed.models[model].trainable_variables,
                                    trainer.models[model].trainable_variables):
            np.testing.assert_array_equal(weight.numpy(), expected.numpy())
    assert logged_rates(tmp_path / "interrupted") == logged_rates(tmp_path / "whole")


#: Scripted validation losses by step: a new best at 0 and 2, misses at 4 and 6 (patience 2: lowered at 6), a miss
#: at 8, a new best at 10, a miss at 11. The checkpoint of step 6 is written before step 6's evaluation, with one
#: miss counted: a resume that forgot it would not lower the rate at 6.
SCRIPTED_LOSSES = {0: 3.0, 2: 2.9, 4: 3.0, 6: 3.1, 8: 3.2, 10: 2.8, 11: 2.9}


def scripted_evaluator(trainer):
    return lambda ids: Evaluation(SCRIPTED_LOSSES[trainer.step - 1], len(ids))  # after step s, the count is s + 1


def test_a_run_resumed_mid_plateau_remembers_the_evaluations_since_its_best(tmp_path, small_corpus):
    trainer = new_trainer(tmp_path / "whole", small_corpus, steps=12, optimizer="adam", lr=0.3, schedule="plateau",
                          patience=2, decay_rate=0.5, eval_every=2, checkpoint_every=6)
    trainer.evaluator = scripted_evaluator(trainer)
    trainer.run_training()
    rates = logged_rates(tmp_path / "whole")
    assert [rates[n] for n in (6, 7, 11)] == pytest.approx([0.3, 0.15, 0.15])  # logged before the evaluation
    resumed = resume_from_the_middle(tmp_path / "whole", tmp_path / "interrupted")
    resumed.evaluator = scripted_evaluator(resumed)
    resumed.run_training()
    assert logged_rates(tmp_path / "interrupted") == rates
    for weight, expected in zip(resumed.model.trainable_variables, trainer.model.trainable_variables):
        np.testing.assert_array_equal(weight.numpy(), expected.numpy())
