"""What every registered cell owes the rest of rnncli: registry names, --forget-bias, one-step calls, stacking,
and a state that the trainer's saved-state machinery carries without knowing the cell."""

import numpy as np
import pytest

from rnncli.cells import (ALIASES, CELL_NAMES, LAYER_NORM_CELLS, REGISTRY, cell_class, lookup, make_cell,
                          parameter_count)
from rnncli.cells.initializers import WeightInit
from rnncli.config import TrainConfig
from rnncli.models.char_lm import CharLanguageModel
from rnncli.tensorflow_quiet import tf
from rnncli.optimizers import make_optimizer
from rnncli.train import make_train_step, saved_state_variables
from rnncli.unroll import static_unroll
from tests.cells.reference import weights_of


def test_every_cell_of_the_issue_is_registered_with_family_and_paper():
    assert set(REGISTRY) == {"rnn", "irnn", "jordan", "gru", "mut1", "mut2", "mut3",
                             "lstm", "nig", "nfg", "nog", "niaf", "noaf", "np", "cifg", "fgr"}
    assert ALIASES == {"jzs1": "mut1", "jzs2": "mut2", "jzs3": "mut3"}
    assert set(CELL_NAMES) == set(REGISTRY) | set(ALIASES)
    for entry in REGISTRY.values():
        assert entry.family in {"rnn", "gru", "lstm"} and entry.paper


@pytest.mark.parametrize("alias, name", [("jzs1", "mut1"), ("jzs2", "mut2"), ("jzs3", "mut3")])
def test_an_alias_builds_the_cell_it_stands_for(alias, name):
    assert lookup(alias) is REGISTRY[name]
    from_alias = make_cell(alias, 3, 4, WeightInit("uniform", seed=1))
    from_name = make_cell(name, 3, 4, WeightInit("uniform", seed=1))
    assert type(from_alias) is type(from_name) and from_alias.name == name
    assert weights_of(from_alias).keys() == weights_of(from_name).keys()
    for key, value in weights_of(from_alias).items():
        np.testing.assert_array_equal(value, weights_of(from_name)[key])


#: Vectors of H that --layer-norm adds, as the class docstrings count them: a gain per x-term and per recurrent
#: term, and the LSTM cell's gain and shift.
LAYER_NORM_VECTORS = {"gru": 6, "mut3": 6, "lstm": 10, "nig": 8, "nfg": 8, "nog": 8, "niaf": 10, "noaf": 10,
                      "np": 10, "cifg": 8, "fgr": 10}


def test_the_classes_with_a_layer_normalised_form_are_the_registered_ones():
    assert set(LAYER_NORM_CELLS) == set(LAYER_NORM_VECTORS)
    for name in REGISTRY:
        assert cell_class(name).layer_norm_form == (name in LAYER_NORM_CELLS), name


@pytest.mark.parametrize("name", LAYER_NORM_CELLS)
@pytest.mark.parametrize("inputs, hidden", [(7, 5), (5, 5), (30, 16)])
def test_layer_normalised_counts_are_the_counts_of_the_built_cells(name, inputs, hidden):
    """As tests/cli/test_cells.py checks the plain counts: the registry's formulas (no TensorFlow) against the
    weights the cell's code creates, and the docstrings' count of vectors."""
    built = make_cell(name, inputs, hidden, WeightInit("uniform"), layer_norm=True).parameter_count
    assert parameter_count(name, inputs, hidden, layer_norm=True) == built
    assert built == parameter_count(name, inputs, hidden) + LAYER_NORM_VECTORS[name] * hidden


#: The bias that --forget-bias moves (by +1 or -1 per unit of forget bias), or None for cells without such a gate.
KEEP_GATE_BIAS = {"gru": ("b_z", 1.0), "mut1": ("b_z", -1.0), "mut2": ("b_z", -1.0), "mut3": ("b_z", -1.0),
                  **{name: ("b_f", 1.0) for name in ("lstm", "nig", "nog", "niaf", "noaf", "np", "fgr")}}


@pytest.mark.parametrize("name", list(REGISTRY))
def test_forget_bias_moves_the_gate_that_keeps_the_previous_state_and_nothing_else(name):
    plain = weights_of(make_cell(name, 3, 4, WeightInit("uniform", seed=1)))
    biased = weights_of(make_cell(name, 3, 4, WeightInit("uniform", seed=1), forget_bias=0.75))
    changed = {key: biased[key] - plain[key] for key in plain if not np.array_equal(plain[key], biased[key])}
    if name not in KEEP_GATE_BIAS:
        assert changed == {}
    else:
        key, sign = KEEP_GATE_BIAS[name]
        assert list(changed) == [key]
        np.testing.assert_allclose(changed[key], np.full(4, sign * 0.75), atol=1e-6)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_the_seeds_uniform_scheme_keeps_every_tensor_within_0_1(name):
    cell = make_cell(name, 3, 4, WeightInit("uniform", seed=1))
    for key, value in weights_of(cell).items():
        if name == "irnn" and key == "R_h":
            continue  # the IRNN starts from the identity whatever the scheme
        assert np.abs(value).max() <= 0.1, key


@pytest.mark.parametrize("name", list(REGISTRY))
def test_one_call_per_step_equals_the_unrolled_window_and_the_state_has_state_size(name):
    xs = tf.constant(np.random.default_rng(3).normal(size=(6, 2, 3)), tf.float32)
    cell = make_cell(name, 3, 4, WeightInit("glorot", seed=1), forget_bias=1.0)
    state = cell.initial_state(2)
    assert [part.shape.as_list() for part in state] == [[2, width] for width in cell.state_size]
    outputs = []
    for x in xs:
        output, state = cell(x, state)
        outputs.append(output)
    unrolled, final = static_unroll(cell, xs, cell.initial_state(2))
    np.testing.assert_allclose(np.stack(outputs), unrolled.numpy(), atol=1e-6)
    for part, expected in zip(state, final):
        np.testing.assert_allclose(part.numpy(), expected.numpy(), atol=1e-6)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_two_stacked_layers_carry_saved_state_across_windows_like_one_long_window(name):
    model = CharLanguageModel(7, name, 5, layers=2, init=WeightInit("glorot", seed=2))
    saved = saved_state_variables(model, 3)
    step = make_train_step(model, make_optimizer(TrainConfig(lr=1e-30))[0], saved, clip_norm=1.0)
    ids = np.random.default_rng(1).integers(0, 7, (3, 9))
    step(ids[:, :5])
    step(ids[:, 4:])
    _, final = model(tf.constant(ids[:, :8].T), model.initial_states(3))
    for layer_saved, layer_final in zip(saved, final):
        for part_saved, part_final in zip(layer_saved, layer_final):
            np.testing.assert_allclose(part_saved.numpy(), part_final.numpy(), atol=1e-6)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_cell_saves_and_restores_through_a_checkpoint(name, tmp_path):
    saved = make_cell(name, 3, 4, WeightInit("glorot", seed=1))
    path = tf.train.Checkpoint(cell=saved).save(str(tmp_path / "ckpt"))
    restored = make_cell(name, 3, 4, WeightInit("glorot", seed=2))
    tf.train.Checkpoint(cell=restored).restore(path).assert_consumed()
    for a, b in zip(saved.trainable_variables, restored.trainable_variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
