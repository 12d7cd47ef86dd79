"""The training loop's pieces: schedule, clipping, saved state, learning on real text."""

import math

import numpy as np
import pytest

from rnncli.cells.initializers import WeightInit
from rnncli.config import TrainConfig
from rnncli.data.batches import WindowBatches
from rnncli.data.corpus import prepare_corpus
from rnncli.evaluate import Evaluator
from rnncli.models.char_lm import CharLanguageModel
from rnncli.models.stack_options import StackOptions
from rnncli.tensorflow_quiet import tf
from rnncli.optimizers import make_optimizer
from rnncli.train import make_train_step, saved_state_variables


def tiny_model(vocab_size=7, cell="lstm", hidden=6, unroll_mode="static", layers=1, stack_options=StackOptions()):
    return CharLanguageModel(vocab_size, cell, hidden, layers, init=WeightInit("uniform", seed=1),
                             unroll_mode=unroll_mode, stack_options=stack_options)


def test_the_seed_schedule_gives_10_until_step_4999_and_1_from_5000():
    optimizer, _ = make_optimizer(TrainConfig())
    optimizer.iterations.assign(4999)
    assert float(optimizer.learning_rate) == pytest.approx(10.0)
    optimizer.iterations.assign(5000)
    assert float(optimizer.learning_rate) == pytest.approx(1.0)


def test_clipping_bounds_the_global_norm_of_the_update():
    model = tiny_model()
    optimizer, _ = make_optimizer(TrainConfig(lr=1.0, clip_norm=0.01))
    saved = saved_state_variables(model, 4)
    step = make_train_step(model, optimizer, saved, clip_norm=0.01)
    before = [w.numpy() for w in model.trainable_variables]
    window = np.random.default_rng(0).integers(0, 7, (4, 6))
    _, norm, applied, _ = step(window)
    assert bool(applied)
    update = math.sqrt(sum(((w.numpy() - b) ** 2).sum() for w, b in zip(model.trainable_variables, before)))
    assert float(norm) > 0.01
    assert update == pytest.approx(0.01, rel=1e-3)


def two_windows_and_one_long_window(model):
    """``(saved, final)``: the saved states after two train steps on consecutive windows (weights effectively
    frozen), and the final states of one call over the same 8 characters from zeros."""
    optimizer, _ = make_optimizer(TrainConfig(optimizer="sgd", lr=1e-30))
    saved = saved_state_variables(model, 3)
    step = make_train_step(model, optimizer, saved, clip_norm=1.0)
    ids = np.random.default_rng(1).integers(0, 7, (3, 9))
    step(ids[:, :5])
    step(ids[:, 4:])
    _, final = model(tf.constant(ids[:, :8].T), model.initial_states(3))
    return saved, final


@pytest.mark.parametrize("unroll_mode", ["static", "dynamic", "window"])
def test_saved_state_carries_two_windows_like_one_long_window(unroll_mode):
    saved, final = two_windows_and_one_long_window(tiny_model(unroll_mode=unroll_mode))
    np.testing.assert_allclose(saved[0].cell.numpy(), final[0].cell.numpy(), atol=1e-6)
    np.testing.assert_allclose(saved[0].hidden.numpy(), final[0].hidden.numpy(), atol=1e-6)


@pytest.mark.parametrize("cell", ["lstm", "np"])
def test_every_layer_saves_its_own_nested_state_across_windows(cell):
    """Three layers with every option that adds state (skips in time, running means) and dropout off."""
    options = StackOptions(vertical="both", residual=True, time_skip=2, state_averaging=0.5)
    saved, final = two_windows_and_one_long_window(tiny_model(cell=cell, layers=3, stack_options=options))
    assert len(saved) == 3
    for saved_part, final_part in zip(tf.nest.flatten(saved), tf.nest.flatten(final), strict=True):
        np.testing.assert_allclose(saved_part.numpy(), final_part.numpy(), atol=1e-6)
    assert not np.allclose(saved[0].recent_outputs.numpy(), saved[1].recent_outputs.numpy())


def test_static_and_dynamic_unroll_give_the_same_logits():
    ids = tf.constant(np.random.default_rng(2).integers(0, 7, (12, 2)))
    static, dynamic = tiny_model(), tiny_model(unroll_mode="dynamic")
    logits_static, _ = static(ids, static.initial_states(2))
    logits_dynamic, _ = dynamic(ids, dynamic.initial_states(2))
    np.testing.assert_allclose(logits_static.numpy(), logits_dynamic.numpy(), atol=1e-6)


def stream_nll(model, ids):
    """Summed cross-entropy of ``ids[1:]`` given ``ids[:-1]``, one stream from zero states (the reference)."""
    logits, _ = model(tf.constant(ids[:-1, None]), model.initial_states(1))
    return float(tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(ids[1:, None], logits)))


def test_evaluation_in_one_stream_is_the_mean_loss_of_one_long_call():
    model = tiny_model()
    ids = np.random.default_rng(3).integers(0, 7, 4321)
    one_stream = Evaluator(model, max_rows=1)(ids)  # 4320 pairs: 86 windows of 50 and one padded window
    assert one_stream.nll == pytest.approx(stream_nll(model, ids) / 4320, rel=1e-5)


def test_evaluation_in_two_streams_counts_every_character_once_and_no_padding():
    """4320 pairs in 2 rows of 2200 (whole windows of 50): row 0 holds pairs 0..2199, row 1 pairs 2200..4319
    and 80 padded positions (id 0 after id 0), each row from zero states. A forget bias of 5 keeps the cell's
    memory for hundreds of steps, so that row 1's fresh start shows in the loss (by 3%)."""
    model = CharLanguageModel(7, "lstm", 16, init=WeightInit("glorot", seed=1), forget_bias=5.0, unroll_mode="static")
    ids = np.random.default_rng(3).integers(0, 7, 4321)
    two_streams = Evaluator(model, max_rows=2)(ids)
    expected = (stream_nll(model, ids[:2201]) + stream_nll(model, ids[2200:])) / 4320
    assert two_streams.nll == pytest.approx(expected, rel=1e-5)
    assert two_streams.nll != pytest.approx(Evaluator(model, max_rows=1)(ids).nll, rel=1e-2)  # the rows matter


@pytest.mark.slow
def test_training_on_real_text_lowers_validation_perplexity_below_the_unigram_baseline(shakespeare):
    corpus = prepare_corpus(shakespeare[:200_000], valid_size=20_000, test_size=0)
    vocab = len(corpus.vocabulary)
    model = CharLanguageModel(vocab, "lstm", 64, init=WeightInit("uniform", seed=0))
    optimizer, _ = make_optimizer(TrainConfig(optimizer="adam", lr=0.01, decay_steps=10_000))
    saved = saved_state_variables(model, 32)
    step = make_train_step(model, optimizer, saved, clip_norm=5.0)
    batches = WindowBatches(corpus.train, 32, 20)
    evaluate = Evaluator(model)
    before = evaluate(corpus.valid).perplexity
    for k in range(400):
        step(batches.window(k))
    after = evaluate(corpus.valid).perplexity
    counts = np.bincount(corpus.train, minlength=vocab) / len(corpus.train)
    unigram = math.exp(-(counts[counts > 0] * np.log(counts[counts > 0])).sum())
    assert before > 0.9 * vocab  # an untrained model is near uniform
    assert after < 0.6 * unigram, (before, after, unigram)


def test_the_perplexity_of_a_diverged_model_is_infinite_not_an_error():
    """TensorBoard stores float32: a perplexity up to float32's largest value (e^88.7228) is kept, one past it
    is infinite."""
    from rnncli.report import perplexity

    assert perplexity(math.log(20.0)) == pytest.approx(20.0)
    largest = math.log(float(np.finfo(np.float32).max))  # 88.72284
    assert perplexity(largest - 1e-6) == pytest.approx(math.exp(largest - 1e-6))
    assert np.isfinite(np.float32(perplexity(largest - 1e-6)))
    assert perplexity(largest + 1e-6) == math.inf and perplexity(1e6) == math.inf
