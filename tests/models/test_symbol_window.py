"""A window given as symbol ids and their table: the first layer projects the table's rows and gathers them, and
that is the same model, values and gradients, as projecting every position's vector."""

import numpy as np
import pytest

from rnncli.cells import CELL_NAMES, LAYER_NORM_CELLS, lookup
from rnncli.cells.initializers import WeightInit
from rnncli.models.char_lm import CharLanguageModel
from rnncli.models.stack_options import StackOptions
from rnncli.models.symbol_window import SymbolWindow, table_pays
from rnncli.tensorflow_quiet import tf

VOCAB, HIDDEN, STEPS, BATCH = 7, 6, 5, 3


def random_ids(steps=STEPS, batch=BATCH, seed=0):
    return tf.constant(np.random.default_rng(seed).integers(0, VOCAB, size=(steps, batch)), tf.int32)


def test_the_projection_runs_on_the_table_and_gathers_its_rows():
    table = tf.constant(np.random.default_rng(1).normal(size=(VOCAB, 4)).astype(np.float32))
    kernel = tf.constant(np.random.default_rng(2).normal(size=(4, 3)).astype(np.float32))
    seen = []

    def projection(rows):
        seen.append(tuple(rows.shape))
        return tf.tensordot(rows, kernel, axes=1) + 1.0

    ids = random_ids()
    projected = SymbolWindow(ids, table).project(projection)
    assert seen == [(VOCAB, 4)]
    np.testing.assert_allclose(projected.numpy(), table.numpy()[ids.numpy()] @ kernel.numpy() + 1.0, rtol=1e-5)


def test_the_table_is_used_only_when_the_vocabulary_has_fewer_rows_than_the_window_has_positions():
    """A word model's one-hot table would be V x V: its window stays vectors."""
    assert table_pays(VOCAB, random_ids(steps=3))  # 9 positions, 7 rows
    assert not table_pays(VOCAB, random_ids(steps=2)) and not table_pays(10_000, random_ids(steps=50))
    unknown = tf.function(lambda ids: tf.constant(table_pays(VOCAB, ids)),
                          input_signature=[tf.TensorSpec([None, BATCH], tf.int32)])
    assert not unknown(random_ids(steps=9)).numpy()  # the shape is not known when the graph is traced
    model, received = build("lstm", 0), []
    stack, states = model.stack, model.initial_states(BATCH)
    model.stack = lambda window, states, training: received.append(window) or stack(window, states, training)
    for steps in (3, 2):
        model.forward(random_ids(steps=steps), states)
    assert isinstance(received[0], SymbolWindow) and not isinstance(received[1], SymbolWindow)
    np.testing.assert_array_equal(received[1].numpy(), tf.one_hot(random_ids(steps=2), VOCAB).numpy())


def build(cell, embedding_size, layers=1, options=StackOptions(), embedding_dropout=0.0):
    layer_norm = lookup(cell).name in LAYER_NORM_CELLS
    return CharLanguageModel(VOCAB, cell, HIDDEN, layers=layers, embedding_size=embedding_size,
                             init=WeightInit("glorot", seed=3), stack_options=StackOptions(
                                 **{**vars(options), "layer_norm": layer_norm}), embedding_dropout=embedding_dropout)


def loss_and_gradients(model, run):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.sin(run()))
    return loss.numpy(), [tf.convert_to_tensor(g).numpy() if g is not None else None
                          for g in tape.gradient(loss, model.trainable_variables)]


def assert_same(first, second):
    np.testing.assert_allclose(first[0], second[0], rtol=1e-5)
    for one, other in zip(first[1], second[1]):
        assert (one is None) == (other is None)
        if one is not None:
            np.testing.assert_allclose(one, other, atol=1e-5)


@pytest.mark.parametrize("embedding_size", [0, 4], ids=["one-hot", "embedding"])
@pytest.mark.parametrize("cell", CELL_NAMES)
def test_every_cell_gives_the_same_logits_and_gradients_through_the_table(cell, embedding_size):
    """Layer-normalised where the cell has that form (its normalisation is row-wise too); the simple RNN with skips
    in time, whose first layer projects only the window part of its input."""
    model = build(cell, embedding_size, options=StackOptions(time_skip=2) if cell == "rnn" else StackOptions())
    ids, states = random_ids(), model.initial_states(BATCH)
    through_table = loss_and_gradients(model, lambda: model.forward(ids, states).logits)
    through_vectors = loss_and_gradients(
        model, lambda: model.output_logits(model.stack(model.embed(ids), states).outputs))
    assert_same(through_table, through_vectors)


def test_embedding_and_input_dropout_and_vertical_inputs_see_the_same_vectors_through_the_table():
    """A dropped symbol's row, and a dropped input feature's column, are zero in the table itself; layer 1 receives
    the first layer's undropped input vectors."""
    model = build("lstm", 4, layers=2, options=StackOptions(vertical="input", input_dropout=0.3),
                  embedding_dropout=0.4)
    ids, states = random_ids(steps=9), model.initial_states(BATCH)
    generators = [model.embedding_dropout_rng, model.stack.dropout_rng]
    saved = [generator.state.numpy() for generator in generators]
    kept = tf.random.Generator.from_state(saved[0], generators[0].algorithm).uniform([VOCAB]).numpy() >= 0.4
    assert 0 < kept.mean() < 1 and set(ids.numpy().ravel()) & set(np.flatnonzero(~kept))  # some ids in it dropped
    through_table = loss_and_gradients(model, lambda: model.forward(ids, states, training=True).logits)
    for generator, state in zip(generators, saved):
        generator.reset(state)  # to draw the same masks again
    scale = (kept / 0.6).astype(np.float32)[:, None]
    through_vectors = loss_and_gradients(model, lambda: model.output_logits(
        model.stack(tf.gather(model.embedding * scale, ids), states, training=True).outputs))
    assert_same(through_table, through_vectors)
