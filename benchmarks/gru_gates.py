"""Per-gate or fused recurrent matrices for the GRU's reset and update gates: which trains faster here?

Both gates read ``h_{t-1}``, so ``h_{t-1} R_r`` and ``h_{t-1} R_z`` can be one ``[H, 2H]`` matmul; the
candidate's ``(r ⊙ h_{t-1}) R_h`` waits for ``r`` either way. Times whole training steps (forward, backward, SGD
update) of a one-hot character model in alternating rounds, so load from other processes hits both arrangements
alike. The fused arm is the same model with the cell of its layer (what the stack runs, ``stack.layers[0].cell``)
replaced by ``FusedGateGRU`` holding the same weights: as a check that the swap took, the script prints each
arm's first loss (equal) and the MatMul ops in its training step (fewer when fused).

    PYTHONPATH=. python benchmarks/gru_gates.py [--hidden 256 --batch-size 64 --unroll 50 --rounds 5]
    PYTHONPATH=. python benchmarks/gru_gates.py --hidden 8 --batch-size 4 --unroll 5 --rounds 1 --steps 2  # smoke
"""

import argparse
import statistics
import time

import numpy as np

from rnncli.cells.base import RecurrentCell, weight
from rnncli.cells.gru import GRU
from rnncli.cells.hidden_state import HiddenState
from rnncli.cells.initializers import WeightInit
from rnncli.config import TrainConfig
from rnncli.models.char_lm import CharLanguageModel
from rnncli.optimizers import make_optimizer
from rnncli.tensorflow_quiet import tf
from rnncli.train import make_train_step, saved_state_variables

VOCAB = 65


class FusedGateGRU(GRU):
    """The GRU with ``[R_r | R_z]`` as one ``[H, 2H]`` matrix: ``[r | z] = σ([x_r | x_z] + h_{t-1} R_rz)``; built
    from a per-gate ``GRU``, whose input weights and biases it shares and whose ``R_r``, ``R_z`` it copies."""

    def __init__(self, per_gate):
        RecurrentCell.__init__(self, per_gate.input_size, per_gate.hidden_size, name="fused_gate_gru")
        with self.name_scope:
            self.W, self.b = per_gate.W, per_gate.b
            self.R_rz = weight(np.concatenate([per_gate.R["r"].numpy(), per_gate.R["z"].numpy()], axis=1), "R_rz")
            self.R = {"h": per_gate.R["h"]}

    def step(self, projected_inputs, state):
        h_prev = state.hidden
        x_rz, x_h = tf.split(projected_inputs, [2 * self.hidden_size, self.hidden_size], axis=-1)
        r, z = tf.split(tf.sigmoid(x_rz + tf.matmul(h_prev, self.R_rz)), 2, axis=-1)
        h = z * h_prev + (1.0 - z) * self.candidate(x_h, r, h_prev)
        return h, HiddenState(h)


def make_model(fused, args):
    model = CharLanguageModel(VOCAB, "gru", args.hidden, init=WeightInit("glorot", seed=0),
                              unroll_mode=args.unroll_mode)
    if fused:
        layer = model.stack.layers[0]
        layer.cell = model.stack.cells[0] = FusedGateGRU(layer.cell)
    return model


def matmul_ops(step, window):
    """MatMul ops in the traced training step, loop bodies (``--unroll-mode dynamic``) counted once."""
    graph = step.get_concrete_function(window).graph.as_graph_def()
    nodes = list(graph.node) + [node for function in graph.library.function for node in function.node_def]
    return sum(node.op == "MatMul" for node in nodes)


def make_step(fused, args):
    """``(step, window, first loss, MatMul ops)``; the first loss is taken before any update."""
    model = make_model(fused, args)
    optimizer, _ = make_optimizer(TrainConfig(optimizer="sgd", lr=0.1, decay_steps=10**9))
    step = make_train_step(model, optimizer, saved_state_variables(model, args.batch_size), clip_norm=5.0)
    window = np.random.default_rng(0).integers(0, VOCAB, (args.batch_size, args.unroll + 1))
    first_loss = float(step(window)[0])  # traces
    step(window)  # one warm step
    return step, window, first_loss, matmul_ops(step, window)


def chars_per_second(step, window, steps):
    started = time.perf_counter()
    for _ in range(steps):
        loss = step(window)[0]
    float(loss)  # wait for the last step
    return window.shape[0] * (window.shape[1] - 1) * steps / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--unroll", type=int, default=50)
    parser.add_argument("--unroll-mode", choices=["static", "dynamic"], default="static")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10, help="Timed steps per round and arrangement.")
    args = parser.parse_args()
    arms = {"per-gate": make_step(False, args), "fused": make_step(True, args)}
    rates = {name: [] for name in arms}
    for _ in range(args.rounds):
        for name, (step, window, _, _) in arms.items():
            rates[name].append(chars_per_second(step, window, args.steps))
    print(f"GRU H={args.hidden} batch={args.batch_size} unroll={args.unroll} ({args.unroll_mode}), training "
          f"characters/s over {args.rounds} alternating rounds of {args.steps} steps:")
    for name, values in rates.items():
        _, _, first_loss, matmuls = arms[name]
        print(f"  {name:9s} median {statistics.median(values):9,.0f}   range {min(values):,.0f}-{max(values):,.0f}"
              f"   first loss {first_loss:.6f}   MatMul ops {matmuls}")
    ratios = [fused / per_gate for per_gate, fused in zip(rates["per-gate"], rates["fused"])]
    print(f"  fused / per-gate, round by round: median {statistics.median(ratios):.2f}x, "
          f"range {min(ratios):.2f}-{max(ratios):.2f}x")


if __name__ == "__main__":
    main()
