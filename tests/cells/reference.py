"""Every cell of the family in NumPy, written from the papers' equations and independent of rnncli's TensorFlow
code: only the weights are taken from a TensorFlow cell, by variable name.

``numpy_cell(name, w, xs, state)`` runs the cell ``name`` over ``xs [T, B, input]`` from ``state`` (a tuple in
the order of the cell's ``State`` fields) and returns ``(outputs [T, B, H], final_state)``; with
``layer_norm=True``, the cell's layer-normalised form (Ba et al. 2016) as the class docstring gives it: every
``v @ W_k`` and ``v @ R_k`` normalised with its gain ``gain_W_k`` / ``gain_R_k`` and no shift, and the LSTM's
cell before ``h`` with ``gain_c`` and ``shift_c``.
"""

import numpy as np


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def normalised(v, gain, shift=0.0):
    """Ba et al. 2016: ``(v - mean) / sqrt(variance + 1e-5) * gain + shift`` over the features (last axis)."""
    return (v - v.mean(-1, keepdims=True)) / np.sqrt(v.var(-1, keepdims=True) + 1e-5) * gain + shift


def product(w, layer_norm, v, matrix):
    """``v @ w[matrix]``, normalised with ``w["gain_" + matrix]`` for ``layer_norm``."""
    return normalised(v @ w[matrix], w[f"gain_{matrix}"]) if layer_norm else v @ w[matrix]


def weights_of(cell):
    """``{"W_z": array, ...}`` in float64, keyed by variable name without scope."""
    return {v.name.split("/")[-1].split(":")[0]: v.numpy().astype(np.float64) for v in cell.trainable_variables}


def numpy_lstm(name, w, xs, state, layer_norm=False):
    """Greff et al. 2015, section 2 and the variant list of section 3, one step at a time."""
    y, c = state[:2]
    i, f, o = state[2:] if name == "fgr" else (None, None, None)
    outputs = []
    for x in xs:
        previous = {"i": i, "f": f, "o": o}

        def pre(gate):
            total = product(w, layer_norm, x, f"W_{gate}") + product(w, layer_norm, y, f"R_{gate}") + w[f"b_{gate}"]
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
        shown = normalised(c, w["gain_c"], w["shift_c"]) if layer_norm else c
        y = (shown if name == "noaf" else np.tanh(shown)) * o
        outputs.append(y)
    return np.stack(outputs), ((y, c, i, f, o) if name == "fgr" else (y, c))


def numpy_simple_rnn(name, w, xs, state):
    """Elman 1990 (tanh), Le et al. 2015 (ReLU), and the seed's Jordan-style vanillaRNN (sigmoid output V fed
    back)."""
    (h,) = state
    outputs = []
    for x in xs:
        if name == "jordan":
            s = np.tanh(x @ w["W_s"] + h @ w["R_s"] + w["b_s"])
            h = sigmoid(s @ w["V"] + w["b_y"])
        else:
            a = x @ w["W_h"] + h @ w["R_h"] + w["b_h"]
            h = np.maximum(a, 0.0) if name == "irnn" else np.tanh(a)
        outputs.append(h)
    return np.stack(outputs), (h,)


def numpy_gru(name, w, xs, state, layer_norm=False):
    """Jozefowicz et al. 2015: their GRU and MUT1-3. ``x_t`` added to a hidden-width sum is ``x_t P`` when a
    projection ``P_x`` / ``P_r`` exists (input width ≠ hidden width)."""
    (h,) = state

    def itself(x, term):
        return x @ w[f"P_{term}"] if f"P_{term}" in w else x

    def times(v, matrix):
        return product(w, layer_norm, v, matrix)

    outputs = []
    for x in xs:
        if name == "gru":
            r = sigmoid(times(x, "W_r") + times(h, "R_r") + w["b_r"])
            z = sigmoid(times(x, "W_z") + times(h, "R_z") + w["b_z"])
            candidate = np.tanh(times(x, "W_h") + times(r * h, "R_h") + w["b_h"])
            h = z * h + (1.0 - z) * candidate
        else:
            if name == "mut1":
                z = sigmoid(x @ w["W_z"] + w["b_z"])
                r = sigmoid(x @ w["W_r"] + h @ w["R_r"] + w["b_r"])
                candidate = np.tanh((r * h) @ w["R_h"] + np.tanh(itself(x, "x")) + w["b_h"])
            elif name == "mut2":
                z = sigmoid(x @ w["W_z"] + h @ w["R_z"] + w["b_z"])
                r = sigmoid(itself(x, "r") + h @ w["R_r"] + w["b_r"])
                candidate = np.tanh((r * h) @ w["R_h"] + x @ w["W_h"] + w["b_h"])
            else:
                z = sigmoid(times(x, "W_z") + times(np.tanh(h), "R_z") + w["b_z"])
                r = sigmoid(times(x, "W_r") + times(h, "R_r") + w["b_r"])
                candidate = np.tanh(times(r * h, "R_h") + times(x, "W_h") + w["b_h"])
            h = candidate * z + h * (1.0 - z)
        outputs.append(h)
    return np.stack(outputs), (h,)


REFERENCES = {
    **{name: numpy_simple_rnn for name in ("rnn", "irnn", "jordan")},
    **{name: numpy_gru for name in ("gru", "mut1", "mut2", "mut3")},
    **{name: numpy_lstm for name in ("lstm", "nig", "nfg", "nog", "niaf", "noaf", "np", "cifg", "fgr")},
}


def numpy_cell(name, w, xs, state, layer_norm=False):
    reference = REFERENCES[name]
    return reference(name, w, xs, state, layer_norm=True) if layer_norm else reference(name, w, xs, state)
