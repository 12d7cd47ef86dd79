"""The gated recurrent unit and the three best of its mutants found by Jozefowicz, Zaremba and Sutskever 2015
("An Empirical Exploration of Recurrent Network Architectures", ICML), in that paper's notation with row
vectors. The class docstrings give each cell's equations.

In the GRU the update gate ``z`` keeps the previous state, ``h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h̃_t``; in the
mutants it weights the candidate, ``h_t = h̃_t ⊙ z + h_{t-1} ⊙ (1 - z)``. All four apply the reset gate before
the recurrent matrix of the candidate, ``(r ⊙ h_{t-1}) R_h``.

MUT1 and MUT2 add the input ``x_t`` itself to a hidden-width sum, which needs ``input = H``. When the widths
agree the cells do exactly that; when they differ (the one-hot first layer of a character model) ``x_t`` is
replaced by ``x_t P``, a learned ``[input, H]`` projection, so ``--cell mut1`` trains on any corpus.

``--forget-bias b`` moves the gate that carries ``h_{t-1}`` forward towards keeping it, as Jozefowicz et al.
recommend for the LSTM's forget gate: ``b_z + b`` for the GRU, ``b_z - b`` for the mutants (there ``1 - z``
keeps). 0 reproduces the RecurrentArchitectures seed. (Project_RNN_Enhancement starts both gate biases at 1.0;
that is not reproduced.)

``--layer-norm`` (the GRU and MUT3) normalises each matrix product in a pre-activation on its own
(``rnncli.cells.base.LayerNormTerms``); MUT1 and MUT2 have no such form.

Each window's ``x_t W + b`` terms are one matmul outside the time loop (for MUT1 also ``σ`` of the x-only
update gate and ``tanh`` of ``x_t``). Recurrent matrices stay one per gate. ``benchmarks/gru_gates.py`` (a GRU
character model at H = 256, batch 64, 50-step windows, on the 2-core CPU while other jobs shared it,
2026-12-01) timed one fused ``[R_r | R_z]`` ``[H, 2H]`` matmul against them in three runs: with the static
unroll (what ``--unroll-mode auto`` runs for the GRU) fused trained at 0.92x and 0.85x the per-gate speed
(medians of the per-round ratios of 20 alternating rounds) and 0.84x (ratio of the medians of 10 rounds), so
per-gate stays; with the ``tf.while_loop`` unroll fused was 1.38x, 1.05x and 1.36x as fast.
"""

from rnncli.cells.base import Internals, LayerNormTerms
from rnncli.cells.hidden_state import HiddenState, HiddenStateCell
from rnncli.tensorflow_quiet import tf


class GatedHiddenCell(LayerNormTerms, HiddenStateCell):
    """What the GRU and its mutants share: weights by term name, the update-gate bias offset, the candidate, the
    recurrent terms (layer-normalised in the GRU and MUT3 with ``--layer-norm``)."""

    #: Terms whose matrix is ``x_t`` itself (or its learned projection, see ``input_itself``).
    input_itself_terms = ()
    recurrent_terms = ("r", "z", "h")
    #: True when ``z`` multiplies ``h_{t-1}`` (the GRU), False when ``1 - z`` does (the mutants).
    z_keeps_previous = False

    def __init__(self, input_size, hidden_size, init, forget_bias=0.0, layer_norm=False, name=None):
        super().__init__(input_size, hidden_size, name=name, layer_norm=layer_norm)
        keep_offset = forget_bias if self.z_keeps_previous else -forget_bias
        with self.name_scope:
            self.W = {k: self.input_itself(init, k) if k in self.input_itself_terms else self.input_matrix(init, k)
                      for k in self.input_terms}
            self.R = {k: self.recurrent_matrix(init, f"R_{k}") for k in self.recurrent_terms}
            self.b = {k: self.bias(init, k, keep_offset if k == "z" else 0.0) for k in ("r", "z", "h")}
            if layer_norm:
                self.create_layer_norm_gains(self.input_terms, self.recurrent_terms)

    def candidate(self, x_term, r, h_prev):
        """``h̃ = tanh(x_term + (r ⊙ h_{t-1}) R_h)``, its recurrent term layer-normalised with ``--layer-norm``;
        ``x_term`` already holds ``b_h``."""
        return tf.tanh(x_term + self.recurrent_term("h", r * h_prev))


class GRU(GatedHiddenCell):
    """Gated recurrent unit (Cho et al. 2014, arXiv 1406.1078), as written by Jozefowicz et al. 2015::

        r_t = σ(x_t W_r + h_{t-1} R_r + b_r)
        z_t = σ(x_t W_z + h_{t-1} R_z + b_z)
        h̃_t = tanh(x_t W_h + (r_t ⊙ h_{t-1}) R_h + b_h)
        h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t

    Parameters: ``3(input·H + H² + H)``. ``--forget-bias`` is added to ``b_z``.

    ``--layer-norm`` (Ba et al. 2016, "Layer Normalization"; ``rnncli.cells.layer_norm``) normalises each
    x-term and each recurrent term on its own over its H features::

        r_t = σ(LN(x_t W_r; α_r) + LN(h_{t-1} R_r; α'_r) + b_r)
        z_t = σ(LN(x_t W_z; α_z) + LN(h_{t-1} R_z; α'_z) + b_z)
        h̃_t = tanh(LN(x_t W_h; α_h) + LN((r_t ⊙ h_{t-1}) R_h; α'_h) + b_h)
        h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t

    The LNs have no shift, which would only add to the biases. Gains start at 1: ``+ 6H`` parameters.
    """

    name_in_registry = "gru"
    input_terms = ("r", "z", "h")
    z_keeps_previous = True
    layer_norm_form = True

    def step_with_internals(self, projected_inputs, state):
        x = self.split_terms(projected_inputs)
        h_prev = state.hidden
        r = tf.sigmoid(x["r"] + self.recurrent_term("r", h_prev))
        z = tf.sigmoid(x["z"] + self.recurrent_term("z", h_prev))
        h = z * h_prev + (1.0 - z) * self.candidate(x["h"], r, h_prev)
        return h, HiddenState(h), Internals({}, {"r": r, "z": z})


class MUT1(GatedHiddenCell):
    """MUT1 of Jozefowicz et al. 2015 (``jzs1``)::

        z_t = σ(x_t W_z + b_z)
        r_t = σ(x_t W_r + h_{t-1} R_r + b_r)
        h_t = tanh((r_t ⊙ h_{t-1}) R_h + tanh(x_t) + b_h) ⊙ z_t + h_{t-1} ⊙ (1 - z_t)

    ``x_t`` inside ``tanh(x_t)`` becomes ``x_t P_x`` when ``input ≠ H``. Parameters: ``2·input·H + 2H² + 3H``,
    plus ``input·H`` for ``P_x`` when ``input ≠ H``. ``--forget-bias`` is subtracted from ``b_z``.
    The update gate reads the input only, so ``z_t`` and ``tanh(x_t) + b_h`` of a window are computed
    before the time loop. No ``--layer-norm``: Ba et al. normalise the terms that weight matrices make, and
    ``tanh(x_t)`` has none (``x_t`` itself when ``input = H``).
    """

    name_in_registry = "mut1"
    input_terms = ("z", "r", "x")
    input_itself_terms = ("x",)
    recurrent_terms = ("r", "h")

    def input_projection(self):
        kernel = tf.concat([self.W[k] for k in self.input_terms], axis=1)
        # b_h is added after tanh(x_t), in project_inputs
        bias = tf.concat([self.b["z"], self.b["r"], tf.zeros([self.hidden_size])], axis=0)
        return kernel, bias

    def project_inputs(self, inputs):
        """``[z_t | x_t W_r + b_r | tanh(x_t) + b_h]`` for one step or a window."""
        x = self.split_terms(super().project_inputs(inputs))
        return tf.concat([tf.sigmoid(x["z"]), x["r"], tf.tanh(x["x"]) + self.b["h"]], axis=-1)

    def step_with_internals(self, projected_inputs, state):
        x = self.split_terms(projected_inputs)
        h_prev = state.hidden
        z = x["z"]
        r = tf.sigmoid(x["r"] + self.recurrent_term("r", h_prev))
        h = self.candidate(x["x"], r, h_prev) * z + h_prev * (1.0 - z)
        return h, HiddenState(h), Internals({}, {"r": r, "z": z})


class MUT2(GatedHiddenCell):
    """MUT2 of Jozefowicz et al. 2015 (``jzs2``)::

        z_t = σ(x_t W_z + h_{t-1} R_z + b_z)
        r_t = σ(x_t + h_{t-1} R_r + b_r)
        h_t = tanh((r_t ⊙ h_{t-1}) R_h + x_t W_h + b_h) ⊙ z_t + h_{t-1} ⊙ (1 - z_t)

    ``x_t`` in the reset gate becomes ``x_t P_r`` when ``input ≠ H``. Parameters: ``2·input·H + 3H² + 3H``,
    plus ``input·H`` for ``P_r`` when ``input ≠ H``. ``--forget-bias`` is subtracted from ``b_z``.
    No ``--layer-norm``: Ba et al. normalise the terms that weight matrices make, and the reset gate's ``x_t``
    has none when ``input = H``.
    """

    name_in_registry = "mut2"
    input_terms = ("z", "r", "h")
    input_itself_terms = ("r",)

    def step_with_internals(self, projected_inputs, state):
        x = self.split_terms(projected_inputs)
        h_prev = state.hidden
        z = tf.sigmoid(x["z"] + self.recurrent_term("z", h_prev))
        r = tf.sigmoid(x["r"] + self.recurrent_term("r", h_prev))
        h = self.candidate(x["h"], r, h_prev) * z + h_prev * (1.0 - z)
        return h, HiddenState(h), Internals({}, {"r": r, "z": z})


class MUT3(GatedHiddenCell):
    """MUT3 of Jozefowicz et al. 2015 (``jzs3``)::

        z_t = σ(x_t W_z + tanh(h_{t-1}) R_z + b_z)
        r_t = σ(x_t W_r + h_{t-1} R_r + b_r)
        h_t = tanh((r_t ⊙ h_{t-1}) R_h + x_t W_h + b_h) ⊙ z_t + h_{t-1} ⊙ (1 - z_t)

    Parameters: ``3(input·H + H² + H)``. ``--forget-bias`` is subtracted from ``b_z``.

    ``--layer-norm`` normalises each term on its own, as in the GRU (no shifts; ``+ 6H`` parameters)::

        z_t = σ(LN(x_t W_z; α_z) + LN(tanh(h_{t-1}) R_z; α'_z) + b_z)
        r_t = σ(LN(x_t W_r; α_r) + LN(h_{t-1} R_r; α'_r) + b_r)
        h_t = tanh(LN((r_t ⊙ h_{t-1}) R_h; α'_h) + LN(x_t W_h; α_h) + b_h) ⊙ z_t + h_{t-1} ⊙ (1 - z_t)
    """

    name_in_registry = "mut3"
    input_terms = ("z", "r", "h")
    layer_norm_form = True

    def step_with_internals(self, projected_inputs, state):
        x = self.split_terms(projected_inputs)
        h_prev = state.hidden
        z = tf.sigmoid(x["z"] + self.recurrent_term("z", tf.tanh(h_prev)))
        r = tf.sigmoid(x["r"] + self.recurrent_term("r", h_prev))
        h = self.candidate(x["h"], r, h_prev) * z + h_prev * (1.0 - z)
        return h, HiddenState(h), Internals({}, {"r": r, "z": z})
