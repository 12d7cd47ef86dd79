"""The LSTM of Greff et al. 2015 ("LSTM: A Search Space Odyssey", arXiv 1503.04069) and its eight variants,
one class with a variant spec; the ``LSTM`` docstring gives the equations.

The x-terms of all gates are one fused projection for the whole window (layer-normalised there too, with
``--layer-norm``); the recurrent matrices stay one per gate, which measured faster than one fused [H, 4H]
matmul on the CPU (shared/reference/field-notes.md, B2/B3).
"""

from collections import namedtuple
from dataclasses import dataclass

import numpy as np

from rnncli.cells.base import AffineRecurrence, Internals, LayerNormTerms, RecurrentCell, weight
from rnncli.cells.layer_norm import layer_norm
from rnncli.tensorflow_quiet import tf

LSTMState = namedtuple("LSTMState", ["hidden", "cell"])
LSTMGateState = namedtuple("LSTMGateState", ["hidden", "cell", "input_gate", "forget_gate", "output_gate"])


@dataclass(frozen=True)
class LSTMVariant:
    """Which parts of the vanilla LSTM a variant keeps."""

    input_gate: bool = True
    forget_gate: bool = True
    output_gate: bool = True
    input_activation: bool = True
    output_activation: bool = True
    peepholes: bool = True
    coupled_gates: bool = False
    gate_recurrence: bool = False


VARIANTS = {
    "lstm": LSTMVariant(),
    "nig": LSTMVariant(input_gate=False),
    "nfg": LSTMVariant(forget_gate=False),
    "nog": LSTMVariant(output_gate=False),
    "niaf": LSTMVariant(input_activation=False),
    "noaf": LSTMVariant(output_activation=False),
    "np": LSTMVariant(peepholes=False),
    "cifg": LSTMVariant(forget_gate=False, coupled_gates=True),
    "fgr": LSTMVariant(gate_recurrence=True),
}

_GATED = ("i", "f", "o")


class LSTM(AffineRecurrence, LayerNormTerms, RecurrentCell):
    """Greff's vanilla LSTM with peepholes, or one of its variants (row vectors, ``⊙`` elementwise, ``y`` the
    block output, ``c`` the cell)::

        z_t = g(x_t W_z + y_{t-1} R_z + b_z)                           block input,  g = tanh
        i_t = σ(x_t W_i + y_{t-1} R_i + p_i ⊙ c_{t-1} + b_i)            input gate
        f_t = σ(x_t W_f + y_{t-1} R_f + p_f ⊙ c_{t-1} + b_f)            forget gate
        c_t = z_t ⊙ i_t + c_{t-1} ⊙ f_t                                  cell
        o_t = σ(x_t W_o + y_{t-1} R_o + p_o ⊙ c_t + b_o)                output gate (peephole on the new cell)
        y_t = h(c_t) ⊙ o_t                                              block output, h = tanh

    Variants: NIG i_t = 1; NFG f_t = 1; NOG o_t = 1; NIAF g(x) = x; NOAF h(x) = x; NP no peepholes;
    CIFG f_t = 1 - i_t (no forget parameters); FGR every gate also reads the previous step's gates,
    ``+ i_{t-1} R_{i→·} + f_{t-1} R_{f→·} + o_{t-1} R_{o→·}`` (nine more matrices; the state carries i, f, o).
    NP is the Udacity notebook's cell. ``--forget-bias`` is added to ``b_f`` (NFG and CIFG have none).

    Parameters per layer: ``G(input·H + H² + H)`` for the G of the blocks z, i, f, o it keeps, ``+ H`` per
    peephole, ``+ 9H²`` for FGR.

    ``--layer-norm`` (Ba et al. 2016, "Layer Normalization"; ``rnncli.cells.layer_norm``) normalises the
    x-term and the recurrent term of each block g the variant keeps of z, i, f, o on its own over its H
    features, and the cell before ``h``; the cell carried to the next step is the un-normalised ``c_t``::

        a_g = LN(x_t W_g; α_g) + LN(y_{t-1} R_g; α'_g) + b_g
        z_t = g(a_z)
        i_t = σ(a_i + p_i ⊙ c_{t-1})
        f_t = σ(a_f + p_f ⊙ c_{t-1})
        c_t = z_t ⊙ i_t + c_{t-1} ⊙ f_t
        o_t = σ(a_o + p_o ⊙ c_t)
        y_t = h(LN(c_t; α_c, β_c)) ⊙ o_t

    The variants change these as above. The LNs of the x- and recurrent terms have no shift: it would only add
    to ``b_g``. FGR's gate-recurrence terms join ``a_g`` un-normalised, as the peepholes do. Gains start at 1,
    ``β_c`` at 0: ``+ (2G + 2)H`` parameters.
    """

    layer_norm_form = True

    @classmethod
    def build(cls, name, input_size, hidden_size, init, forget_bias=0.0, layer_norm=False):
        return cls(input_size, hidden_size, init, variant=name, forget_bias=forget_bias, layer_norm=layer_norm)

    def __init__(self, input_size, hidden_size, init, variant="lstm", forget_bias=0.0, layer_norm=False,
                 name=None):
        super().__init__(input_size, hidden_size, name=name or variant, layer_norm=layer_norm)
        self.variant = spec = VARIANTS[variant]
        self.State = LSTMGateState if spec.gate_recurrence else LSTMState
        present = {"z": True, "i": spec.input_gate, "f": spec.forget_gate, "o": spec.output_gate}
        self.gates = tuple(gate for gate, kept in present.items() if kept)
        with self.name_scope:
            self.W = {g: weight(init.matrix((input_size, hidden_size)), f"W_{g}") for g in self.gates}
            self.R = {g: weight(init.matrix((hidden_size, hidden_size), True), f"R_{g}") for g in self.gates}
            biases = {g: init.vector(hidden_size) for g in self.gates}
            if "f" in biases:
                biases["f"] = biases["f"] + forget_bias
            self.b = {g: weight(value, f"b_{g}") for g, value in biases.items()}
            peeped = [g for g in _GATED if g in self.gates] if spec.peepholes else []
            self.p = {g: weight(init.vector(hidden_size), f"p_{g}") for g in peeped}
            sources = _GATED if spec.gate_recurrence else ()
            self.gate_R = {
                src + dst: weight(init.matrix((hidden_size, hidden_size), True), f"R_{src}{dst}")
                for src in sources
                for dst in _GATED
            }
            if layer_norm:
                self.create_layer_norm_gains(self.gates, self.gates)
                self.gain_c = weight(np.ones(hidden_size), "gain_c")
                self.shift_c = weight(np.zeros(hidden_size), "shift_c")

    @property
    def state_size(self):
        return self.State(*[self.hidden_size] * len(self.State._fields))

    def input_projection(self):
        kernel = tf.concat([self.W[g] for g in self.gates], axis=1)
        bias = tf.concat([self.b[g] for g in self.gates], axis=0)
        return kernel, bias

    def recurrent_kernels(self):
        return [self.R[gate] for gate in self.gates]

    def preactivations(self, projected_blocks, hidden):
        """The blocks ``a_g``: ``p_g + y_{t-1} R_g`` (``AffineRecurrence``'s), or ``p_g + LN(y_{t-1} R_g; α'_g)``
        layer-normalised."""
        if not self.layer_norm:
            return super().preactivations(projected_blocks, hidden)
        return [block + self.recurrent_term(gate, hidden) for gate, block in zip(self.gates, projected_blocks)]

    def activate_with_internals(self, preactivations, state):
        """The step of the class docstring; the internals are the cell ``c_t`` and the gates the variant
        computes (CIFG's ``f_t = 1 - i_t`` among them; NIG, NFG and NOG lack theirs)."""
        spec = self.variant
        a = dict(zip(self.gates, preactivations))
        c_prev = state.cell
        if spec.gate_recurrence:
            previous = {"i": state.input_gate, "f": state.forget_gate, "o": state.output_gate}
            for gate in _GATED:
                a[gate] += tf.add_n([tf.matmul(previous[src], self.gate_R[src + gate]) for src in _GATED])

        def peephole(gate, cell):
            return self.p[gate] * cell if gate in self.p else 0.0

        z = tf.tanh(a["z"]) if spec.input_activation else a["z"]
        i = tf.sigmoid(a["i"] + peephole("i", c_prev)) if spec.input_gate else None
        if spec.coupled_gates:
            f = 1.0 - i
        elif spec.forget_gate:
            f = tf.sigmoid(a["f"] + peephole("f", c_prev))
        else:
            f = None
        c = (z * i if i is not None else z) + (c_prev * f if f is not None else c_prev)
        o = tf.sigmoid(a["o"] + peephole("o", c)) if spec.output_gate else None
        shown = layer_norm(c, self.gain_c, self.shift_c) if self.layer_norm else c
        y = tf.tanh(shown) if spec.output_activation else shown
        if o is not None:
            y = y * o
        gates = {name: gate for name, gate in zip(_GATED, (i, f, o)) if gate is not None}
        state = LSTMGateState(y, c, i, f, o) if spec.gate_recurrence else LSTMState(y, c)
        return y, state, Internals({"cell": c}, gates)
