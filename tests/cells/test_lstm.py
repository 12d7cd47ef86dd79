"""Every LSTM variant against a NumPy implementation of Greff et al.'s equations, written out here."""

import numpy as np
import pytest

from rnncli.cells import make_cell
from rnncli.cells.initializers import WeightInit
from rnncli.cells.lstm import VARIANTS
from rnncli.tensorflow_quiet import tf
from rnncli.unroll import dynamic_unroll, static_unroll

STEPS, BATCH, INPUT, HIDDEN = 20, 3, 5, 4


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def numpy_lstm(name, w, xs, y, c):
    """Greff et al. 2015, section 2 and the variant list of section 3, one step at a time."""
    i = f = o = np.zeros_like(y)  # FGR: previous gates start at zero, as the rest of the state
    outputs = []
    for x in xs:
        previous = {"i": i, "f": f, "o": o}

        def pre(gate):
            total = x @ w[f"W_{gate}"] + y @ w[f"R_{gate}"] + w[f"b_{gate}"]
            if name == "fgr" and gate != "z":
                total = total + sum(previous[src] @ w[f"R_{src}{gate}"] for src in "ifo")
            return total

        def peep(gate, cell):
            return 0.0 if name == "np" else w[f"p_{gate}"] * cell

        z = pre("z") if name == "niaf" else np.tanh(pre("z"))
        i = np.ones_like(y) if name == "nig" else sigmoid(pre("i") + peep("i", c))
        if name == "cifg":
            f = 1.0 - i
        elif name == "nfg":
            f = np.ones_like(y)
        else:
            f = sigmoid(pre("f") + peep("f", c))
        c = z * i + c * f
        o = np.ones_like(y) if name == "nog" else sigmoid(pre("o") + peep("o", c))
        y = (c if name == "noaf" else np.tanh(c)) * o
        outputs.append(y)
    return np.stack(outputs), y, c


def weights_of(cell):
    return {v.name.split("/")[-1].split(":")[0]: v.numpy().astype(np.float64) for v in cell.trainable_variables}


@pytest.fixture(scope="module")
def sequence():
    rng = np.random.default_rng(7)
    return (rng.normal(size=(STEPS, BATCH, INPUT)).astype(np.float32),
            rng.normal(size=(BATCH, HIDDEN)).astype(np.float32) * 0.5,
            rng.normal(size=(BATCH, HIDDEN)).astype(np.float32) * 0.5)


@pytest.mark.parametrize("name", sorted(VARIANTS))
@pytest.mark.parametrize("unroll", [static_unroll, dynamic_unroll], ids=["static", "dynamic"])
def test_variant_matches_numpy_equations_over_20_steps(name, unroll, sequence):
    xs, y0, c0 = sequence
    cell = make_cell(name, INPUT, HIDDEN, WeightInit("uniform", seed=3), forget_bias=0.5)
    state = cell.initial_state(BATCH)._replace(hidden=tf.constant(y0), cell=tf.constant(c0))
    outputs, final = tf.function(lambda x, s: unroll(cell, x, s))(tf.constant(xs), state)
    expected, y, c = numpy_lstm(name, weights_of(cell), xs.astype(np.float64), y0.astype(np.float64),
                                c0.astype(np.float64))
    np.testing.assert_allclose(outputs.numpy(), expected, atol=1e-5)
    np.testing.assert_allclose(final.hidden.numpy(), y, atol=1e-5)
    np.testing.assert_allclose(final.cell.numpy(), c, atol=1e-5)


def test_one_call_per_step_equals_the_unrolled_window(sequence):
    xs, _, _ = sequence
    cell = make_cell("lstm", INPUT, HIDDEN, WeightInit("glorot", seed=1))
    state = cell.initial_state(BATCH)
    for x in xs:
        output, state = cell(tf.constant(x), state)
    outputs, final = static_unroll(cell, tf.constant(xs), cell.initial_state(BATCH))
    np.testing.assert_allclose(output.numpy(), outputs[-1].numpy(), atol=1e-6)
    np.testing.assert_allclose(state.cell.numpy(), final.cell.numpy(), atol=1e-6)


@pytest.mark.parametrize("name, expected", [
    ("lstm", 8 * 450 * 450 + 4 * 450 + 3 * 450),  # 1,623,150 as in seeds.md 1.3
    ("np", 8 * 450 * 450 + 4 * 450),
    ("cifg", 6 * 450 * 450 + 3 * 450 + 2 * 450),
    ("fgr", 8 * 450 * 450 + 4 * 450 + 3 * 450 + 9 * 450 * 450),
    ("nog", 6 * 450 * 450 + 3 * 450 + 2 * 450),
])
def test_parameter_counts_follow_the_formulas(name, expected):
    assert make_cell(name, 450, 450, WeightInit("glorot")).parameter_count == expected
    assert make_cell("lstm", 450, 450, WeightInit("glorot")).parameter_count == 1_623_150


def test_forget_bias_is_added_to_the_forget_gate_only():
    cell = make_cell("lstm", 3, 4, WeightInit("glorot"), forget_bias=1.0)
    np.testing.assert_array_equal(cell.b["f"].numpy(), np.ones(4))
    np.testing.assert_array_equal(cell.b["i"].numpy(), np.zeros(4))
