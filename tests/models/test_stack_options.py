"""Which stack options can apply to a stack of a given depth."""

import pytest

from rnncli.config import TrainConfig
from rnncli.errors import UsageProblem
from rnncli.models.stack_options import StackOptions


@pytest.mark.parametrize("options, layers, message", [
    (StackOptions(vertical="both", layer_skip=2), 3, "--layer-skip 2 needs --layers 4 or more"),
    (StackOptions(vertical="input"), 1, "--layer-skip 0 needs --layers 2 or more"),
    (StackOptions(layer_skip=1), 3, "--layer-skip only applies to vertical connections"),
    (StackOptions(residual=True), 1, "--residual joins layers of equal width"),
    (StackOptions(layer_devices=(0, 1)), 3, "--layer-devices names 2 devices for 3 layers"),
    (StackOptions(vertical="sideways"), 3, "--vertical sideways: choose one of none, hidden, input, both"),
])
def test_options_that_cannot_apply_to_the_stack_are_refused(options, layers, message):
    with pytest.raises(UsageProblem, match=message):
        options.check(layers, "lstm")


def test_the_deepest_link_and_every_option_together_are_accepted():
    StackOptions(dropout=0.5, vertical="both", layer_skip=2, residual=True, time_skip=3, state_averaging=0.5,
                 layer_devices=(0, 0, 1, 1)).check(4, "lstm")


def test_options_come_from_the_run_config():
    options = dict(dropout=0.2, variational_dropout=True, state_dropout=0.1, weight_drop=0.3, layer_norm=True,
                   vertical="input", layer_skip=1, residual=True, time_skip=4, state_averaging=0.25)
    config = TrainConfig(**options, layer_devices=[1, 0, 1])
    assert StackOptions.from_config(config) == StackOptions(**options, layer_devices=(1, 0, 1))


@pytest.mark.parametrize("cell, options, message", [
    ("rnn", StackOptions(layer_norm=True), "--layer-norm: rnn has no layer-normalised form; the cells with one are "
     "gru, mut3, lstm"),
    ("jzs1", StackOptions(layer_norm=True), "--layer-norm: jzs1 has no layer-normalised form"),
    ("lstm", StackOptions(layer_norm=True, time_skip=2), "use one or the other"),
    ("gru", StackOptions(state_dropout=0.2), "need a cell whose recurrence is affine \\(rnn, irnn, jordan, lstm"),
    ("mut1", StackOptions(weight_drop=0.2), "need a cell whose recurrence is affine"),
    ("np", StackOptions(weight_drop=0.2, layer_norm=True), "without --layer-norm"),
])
def test_options_that_cannot_apply_to_the_cell_are_refused(cell, options, message):
    with pytest.raises(UsageProblem, match=message):
        options.check(1, cell)


def test_the_recurrent_regularisers_and_layer_norm_apply_to_the_cells_they_name():
    StackOptions(state_dropout=0.2, weight_drop=0.2).check(1, "jordan")
    StackOptions(layer_norm=True, dropout=0.2, variational_dropout=True).check(2, "jzs3")
