"""What every cell reports through ``step_with_internals``: the step itself unchanged, the gates each cell's
equations have, the LSTM's cell state, and FGR's gates against the NumPy reference (its state carries them)."""

import numpy as np
import pytest

from rnncli.cells import REGISTRY
from rnncli.tensorflow_quiet import tf
from tests.cells.checks import cell_with_random_weights, in_float32, random_state
from tests.cells.reference import numpy_cell, weights_of

GATES = {"rnn": "", "irnn": "", "jordan": "", "gru": "rz", "mut1": "rz", "mut2": "rz", "mut3": "rz",
         "lstm": "ifo", "nig": "fo", "nfg": "io", "nog": "if", "niaf": "ifo", "noaf": "ifo", "np": "ifo",
         "cifg": "ifo", "fgr": "ifo"}
INPUT, HIDDEN, BATCH = 5, 4, 3


def one_step(name, seed=3):
    rng = np.random.default_rng(seed)
    cell = cell_with_random_weights(name, INPUT, HIDDEN, seed=seed)
    x = in_float32(rng.normal(size=(BATCH, INPUT)))
    state = random_state(cell, BATCH, rng)
    tf_state = cell.State(*[tf.constant(part, tf.float32) for part in state])
    projected = cell.project_inputs(tf.constant(x, tf.float32))
    return cell, x, state, cell.step(projected, tf_state), cell.step_with_internals(projected, tf_state)


def test_the_table_covers_the_family():
    assert set(GATES) == set(REGISTRY)


@pytest.mark.parametrize("name", sorted(GATES))
def test_internals_come_with_the_unchanged_step(name):
    cell, _, _, (output, state), (reported_output, reported_state, internals) = one_step(name)
    np.testing.assert_array_equal(reported_output, output)
    for part, reported in zip(state, reported_state):
        np.testing.assert_array_equal(reported, part)
    assert "".join(internals.gates) == GATES[name]
    for gate in internals.gates.values():
        assert gate.shape == (BATCH, HIDDEN) and np.all((gate.numpy() > 0) & (gate.numpy() < 1))
    if "cell" in cell.State._fields:
        assert list(internals.states) == ["cell"]
        np.testing.assert_array_equal(internals.states["cell"], state.cell)
    else:
        assert internals.states == {}


def test_the_coupled_forget_gate_is_one_minus_the_input_gate():
    *_, (_, _, internals) = one_step("cifg")
    np.testing.assert_allclose(internals.gates["f"], 1.0 - internals.gates["i"].numpy(), atol=1e-7)


def test_fgr_gates_equal_the_numpy_reference():
    cell, x, state, _, (_, _, internals) = one_step("fgr")
    _, (_, _, i, f, o) = numpy_cell("fgr", weights_of(cell), x[None], state)
    for name, expected in zip("ifo", (i, f, o)):
        np.testing.assert_allclose(internals.gates[name], expected, atol=1e-5)
