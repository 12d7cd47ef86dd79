"""The regularisers for recurrent nets: variational, state and embedding dropout, weight drop, and tied weights.

The recurrent masks are checked against the plain cell with its matrices changed by hand: for one sequence,
``(h ⊙ m) R = h (diag(m) R)``, and weight drop is the plain cell with ``R ⊙ M``. The masks are replayed from a
copy of the stack's generator."""

import numpy as np
import pytest

from rnncli.cells import AFFINE_RECURRENCE_CELLS, CELL_NAMES, lookup
from rnncli.cells.initializers import WeightInit
from rnncli.errors import UsageProblem
from rnncli.models.char_lm import CharLanguageModel
from rnncli.models.stack import CellStack
from rnncli.models.stack_options import StackOptions
from rnncli.tensorflow_quiet import tf

STEPS, INPUT, HIDDEN = 6, 5, 8


def make_stack(options, cell="lstm", layers=1, unroll_mode="static"):
    return CellStack(cell, INPUT, HIDDEN, layers, WeightInit("glorot", seed=4), unroll_mode=unroll_mode,
                     options=options)


def window(batch, seed=0):
    return tf.constant(np.random.default_rng(seed).normal(size=(STEPS, batch, INPUT)).astype(np.float32))


def replay(generator):
    """A generator that will draw what ``generator`` draws next."""
    return tf.random.Generator.from_state(generator.state.numpy(), generator.algorithm)


def replayed_mask(generator, shape, rate):
    return (generator.uniform(shape).numpy() >= rate) / (1 - rate)


def test_variational_dropout_keeps_one_mask_over_the_window_and_draws_a_new_one_for_the_next():
    stack = make_stack(StackOptions(dropout=0.5, variational_dropout=True))
    xs = window(batch=8)
    first = stack(xs, stack.initial_states(8), training=True).outputs.numpy()
    second = stack(xs, stack.initial_states(8), training=True).outputs.numpy()
    for outputs in (first, second):
        dropped = outputs == 0  # the output dropout zeroes units; a kept unit is never exactly 0
        assert (dropped == dropped[:1]).all()  # the same units of each sequence at every step
        assert 0 < dropped.mean() < 1
    assert ((first == 0) != (second == 0)).any()  # a fresh mask for the next window


def test_per_step_dropout_changes_its_mask_from_step_to_step():
    dropped = make_stack(StackOptions(dropout=0.5))(window(8), make_stack(StackOptions()).initial_states(8),
                                                     training=True).outputs.numpy() == 0
    assert (dropped != dropped[:1]).any()


def set_recurrent_kernels(cell, kernels):
    for variable, value in zip(cell.recurrent_kernels(), kernels):
        variable.assign(value)


@pytest.mark.parametrize("unroll_mode", ["static", "dynamic", "window"])
@pytest.mark.parametrize("cell", ["lstm", "rnn"])
def test_state_dropout_is_the_plain_cell_reading_a_masked_state(cell, unroll_mode):
    stack = make_stack(StackOptions(state_dropout=0.5), cell, unroll_mode=unroll_mode)
    masks = replay(stack.dropout_rng)
    state_mask = replayed_mask(masks, (1, HIDDEN), 0.5)
    trained = stack(window(1), stack.initial_states(1), training=True).outputs.numpy()
    plain = make_stack(StackOptions(), cell)
    set_recurrent_kernels(plain.cells[0], [state_mask[0][:, None] * R.numpy() for R in stack.cells[0].recurrent_kernels()])
    np.testing.assert_allclose(trained, plain(window(1), plain.initial_states(1)).outputs.numpy(), atol=1e-6)
    assert 0 < state_mask.mean() < 2  # some units dropped, some kept (kept ones read 2)


@pytest.mark.parametrize("unroll_mode", ["static", "window"])
def test_weight_drop_is_the_plain_cell_with_masked_matrices_and_leaves_the_weights_alone(unroll_mode):
    stack = make_stack(StackOptions(weight_drop=0.4), unroll_mode=unroll_mode)
    kernels = [R.numpy() for R in stack.cells[0].recurrent_kernels()]
    masks = replay(stack.dropout_rng)
    kernel_masks = [replayed_mask(masks, R.shape, 0.4) for R in kernels]
    with tf.GradientTape() as tape:
        trained = stack(window(3), stack.initial_states(3), training=True).outputs
        loss = tf.reduce_sum(trained ** 2)
    gradients = tape.gradient(loss, stack.cells[0].recurrent_kernels())
    for R, before in zip(stack.cells[0].recurrent_kernels(), kernels):
        np.testing.assert_array_equal(R.numpy(), before)  # the variables are never dropped
    for gradient, mask in zip(gradients, kernel_masks):
        assert (gradient.numpy()[mask == 0] == 0).all() and (gradient.numpy()[mask > 0] != 0).any()
    plain = make_stack(StackOptions())
    set_recurrent_kernels(plain.cells[0], [R * M for R, M in zip(kernels, kernel_masks)])
    np.testing.assert_allclose(trained.numpy(), plain(window(3), plain.initial_states(3)).outputs.numpy(),
                               atol=1e-6)


def test_the_recurrent_regularisers_refuse_a_cell_whose_recurrence_is_not_affine():
    for cell, options in [("gru", StackOptions(weight_drop=0.3)), ("lstm", StackOptions(state_dropout=0.3,
                                                                                          layer_norm=True))]:
        with pytest.raises(UsageProblem, match="need a cell whose recurrence is affine"):
            make_stack(options, cell)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_the_cells_the_recurrent_regularisers_accept_are_those_with_an_affine_recurrence(cell):
    built = make_stack(StackOptions(), cell).cells[0]
    assert (built.affine_recurrence is not None) == (lookup(cell).name in AFFINE_RECURRENCE_CELLS)


def make_model(**regularisers):
    options = StackOptions(**{name: value for name, value in regularisers.items() if name != "embedding_dropout"})
    return CharLanguageModel(11, "lstm", HIDDEN, layers=2, embedding_size=HIDDEN, init=WeightInit("glorot", seed=2),
                             stack_options=options, embedding_dropout=regularisers.get("embedding_dropout", 0.0))


EVERY_REGULARISER = {"dropout": 0.3, "variational_dropout": True, "state_dropout": 0.3, "weight_drop": 0.3,
                     "embedding_dropout": 0.3}


def test_every_regulariser_is_off_in_evaluation_and_in_the_sampling_step():
    regularised, plain = make_model(**EVERY_REGULARISER), make_model()
    ids = tf.constant(np.random.default_rng(1).integers(0, 11, size=(STEPS, 3)))
    evaluated, _ = regularised(ids, regularised.initial_states(3))
    np.testing.assert_allclose(evaluated.numpy(), plain(ids, plain.initial_states(3))[0].numpy(), atol=1e-6)
    trained, _ = regularised(ids, regularised.initial_states(3), training=True)
    assert np.abs(trained.numpy() - evaluated.numpy()).max() > 1e-3
    stepped, _ = regularised.step(ids[0], regularised.initial_states(3))
    np.testing.assert_allclose(stepped.numpy(), evaluated[0].numpy(), atol=1e-6)


def test_embedding_dropout_drops_a_symbol_everywhere_in_the_window_and_draws_again_for_the_next():
    model = make_model(embedding_dropout=0.5)
    ids = tf.constant(np.arange(11 * 4).reshape(4, 11) % 11)  # every symbol in every row
    embedded = [model.embed(ids, training=True).numpy() for _ in range(2)]
    rows = model.embedding.numpy()[ids.numpy()]
    for values in embedded:
        kept = (values != 0).any(axis=-1)
        assert all(len(set(kept[ids.numpy() == symbol])) == 1 for symbol in range(11))  # all or nothing
        np.testing.assert_allclose(values[kept], 2 * rows[kept], rtol=1e-6)
        assert 0 < kept.mean() < 1
    assert ((embedded[0] != 0) != (embedded[1] != 0)).any()


def test_tied_weights_score_with_the_transposed_embedding_and_train_both_ends():
    model = CharLanguageModel(11, "lstm", HIDDEN, embedding_size=HIDDEN, init=WeightInit("glorot", seed=2),
                              tie_weights=True)
    untied = CharLanguageModel(11, "lstm", HIDDEN, embedding_size=HIDDEN, init=WeightInit("glorot", seed=2))
    assert untied.parameter_count - model.parameter_count == HIDDEN * 11
    hidden = tf.constant(np.random.default_rng(3).normal(size=(2, HIDDEN)).astype(np.float32))
    np.testing.assert_allclose(model.output_logits(hidden).numpy(),
                               hidden.numpy() @ model.embedding.numpy().T + model.softmax_bias.numpy(), rtol=1e-5)
    ids = tf.constant([[1], [2]])
    with tf.GradientTape() as tape:
        logits, _ = model(ids[:1], model.initial_states(1))
        loss = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(ids[1:], logits))
    gradient = tape.gradient(loss, model.embedding).numpy()
    # the output layer reaches every row; the input end only row 1: their sum differs from the output end alone
    assert np.count_nonzero(np.abs(gradient).sum(axis=1)) == 11
