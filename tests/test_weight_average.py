"""--average-weights: the average against its recursion worked out in NumPy, a run whose evaluations, `eval` and
checkpoint read the average while training goes on from the trained weights, and resumes that keep both."""

import json

import keras
import numpy as np
import pytest

from rnncli.cells.initializers import WeightInit
from rnncli.evaluate import Evaluator, text_ids
from rnncli.models.char_lm import CharLanguageModel
from rnncli.restore import build_model, load_trained
from rnncli.run_dir import RunDirectory
from rnncli.tensorflow_quiet import tf
from rnncli.train import make_train_step, saved_state_variables
from rnncli.weight_average import WeightAverage
from tests.command_line import invoke
from tests.test_train_options import TINY_ARGS, new_trainer, resumed_trainer

M = 0.75


def tiny_model(seed):
    return CharLanguageModel(7, "lstm", 6, embedding_size=5, init=WeightInit("uniform", seed=seed))


def values(model):
    return [weight.numpy() for weight in model.trainable_variables]


def assert_values_equal(got, expected):
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_average_starts_at_the_weights_and_follows_its_ramped_recursion_skipping_non_finite_steps():
    trained, averaged = tiny_model(seed=1), tiny_model(seed=2)
    average = WeightAverage(trained, averaged, M)
    expected = values(trained)  # a_0 = θ_0, not the averaged model's own initial weights
    assert_values_equal(values(averaged), expected)
    saved_states = saved_state_variables(trained, 3)
    step = make_train_step(trained, keras.optimizers.Adam(0.05), saved_states, 5.0, average=average)
    windows = np.random.default_rng(0).integers(0, 7, size=(30, 3, 9))
    for n, window in enumerate(windows, 1):  # M_n = (1 + n) / (10 + n) up to n = 25, then M
        step(tf.constant(window, tf.int32))
        momentum = min(M, (1 + n) / (10 + n))
        expected = [momentum * a + (1 - momentum) * theta for a, theta in zip(expected, values(trained))]
    for got, want, theta in zip(values(averaged), expected, values(trained), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        assert not np.allclose(got, theta, atol=1e-3)  # Adam moved the weights away from their average
    before = values(averaged)
    tf.nest.map_structure(lambda state: state.assign(tf.fill(state.shape, np.nan)), saved_states)
    _, _, applied, _ = step(tf.constant(windows[0], tf.int32))
    assert not applied
    assert_values_equal(values(averaged), before)  # a skipped step averages nothing


@pytest.fixture(scope="module")
def averaging_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("averaging")
    corpus = folder / "corpus.txt"
    corpus.write_text("to be or not to be, that is the question. " * 80, encoding="utf-8")
    result = invoke("train", "--corpus", corpus, "--steps", 12, "--run-dir", folder / "run", *TINY_ARGS,
                    "--optimizer", "adam", "--lr", 0.05, "--average-weights", M, "--eval-every", 11)
    assert result.exit_code == 0, result.output
    return folder / "run"


def validation_nats(run_dir, model):
    run = RunDirectory.open(run_dir)
    config, vocabulary = run.config(), run.vocabulary()
    return Evaluator(model, config.eval_batch_size)(text_ids(run, config, vocabulary)[0]).nll


def test_training_evaluates_and_checkpoints_the_average_which_eval_reads(averaging_run):
    records = [json.loads(line) for line in (averaging_run / "metrics.jsonl").read_text().splitlines()]
    logged = [r["valid_perplexity"] for r in records if r.get("step") == 11 and "valid_perplexity" in r]
    run, config, vocabulary, average = load_trained(averaging_run)
    trained = build_model(config, len(vocabulary))
    tf.train.Checkpoint(trained_model=trained).restore(str(run.checkpoints / "ckpt-12")).expect_partial()
    averaged_nats, trained_nats = validation_nats(averaging_run, average), validation_nats(averaging_run, trained)
    assert logged == [pytest.approx(np.exp(averaged_nats), rel=1e-6)]
    assert abs(averaged_nats - trained_nats) > 1e-4  # the two sets of weights differ, so the check above can fail
    result = invoke("eval", averaging_run, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["perplexity"] == pytest.approx(np.exp(averaged_nats), rel=1e-6)


def test_a_resume_may_not_turn_the_average_off(averaging_run):
    result = invoke("train", "--resume", averaging_run, "--steps", 14, "--average-weights", 0)
    assert result.exit_code == 2
    assert "--average-weights 0.0 on a run trained with --average-weights 0.75" in result.output


@pytest.mark.parametrize("optimizer", ["adam", "sgd"], ids=["same-optimizer", "new-optimizer"])
def test_a_resume_restores_the_trained_weights_and_their_average(tmp_path, small_corpus, optimizer):
    """With another --optimizer the checkpoint is read without the optimiser's slots, and both models still."""
    trainer = new_trainer(tmp_path / "run", small_corpus, steps=6, optimizer="adam", lr=0.05, average_weights=M)
    trainer.run_training()
    resumed = resumed_trainer(tmp_path / "run", optimizer=optimizer, steps=8)
    for name in ("model", "trained_model"):
        assert_values_equal(values(resumed.models[name]), values(trainer.models[name]))
    assert not np.allclose(values(trainer.models["model"])[0], values(trainer.models["trained_model"])[0])
