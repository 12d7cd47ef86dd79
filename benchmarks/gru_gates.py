"""Per-gate or fused recurrent matrices for the GRU's reset and update gates: which trains faster here?

Both read ``h_{t-1}``, so ``h_{t-1} R_r`` and ``h_{t-1} R_z`` can be one ``[H, 2H]`` matmul; the candidate's
``(r ⊙ h_{t-1}) R_h`` waits for ``r`` either way. Times whole training steps (forward, backward, SGD update) of
a one-hot character model in alternating rounds, so load from other processes hits both arrangements alike.

    PYTHONPATH=. python benchmarks/gru_gates.py [--hidden 256 --batch-size 64 --unroll 50 --rounds 5]
"""

import argparse
import statistics
import time

import numpy as np

from rnncli.cells.base import weight
from rnncli.cells.gru import GRU
from rnncli.cells.hidden_state import HiddenState
from rnncli.cells.initializers import WeightInit
from rnncli.config import TrainConfig
from rnncli.models.char_lm import CharLanguageModel
from rnncli.tensorflow_quiet import tf
from rnncli.train import make_optimizer, make_train_step, saved_state_variables

VOCAB = 65


class FusedGateGRU(GRU):
    """The GRU with ``[R_r | R_z]`` as one ``[H, 2H]`` matrix: ``[r | z] = σ([x_r | x_z] + h_{t-1} R_rz)``."""

    def __init__(self, input_size, hidden_size, init, forget_bias=0.0, name=None):
        super().__init__(input_size, hidden_size, init, forget_bias, name)
        with self.name_scope:
            self.R_rz = weight(np.concatenate([self.R["r"].numpy(), self.R["z"].numpy()], axis=1), "R_rz")
            self.R = {"h": self.R["h"]}

    def step(self, projected_inputs, state):
        h_prev = state.hidden
        x_rz, x_h = tf.split(projected_inputs, [2 * self.hidden_size, self.hidden_size], axis=-1)
        r, z = tf.split(tf.sigmoid(x_rz + tf.matmul(h_prev, self.R_rz)), 2, axis=-1)
        h = z * h_prev + (1.0 - z) * self.candidate(x_h, r, h_prev)
        return h, HiddenState(h)


def make_step(fused, args):
    model = CharLanguageModel(VOCAB, "gru", args.hidden, init=WeightInit("glorot", seed=0),
                              unroll_mode=args.unroll_mode)
    if fused:
        model.cells[0] = FusedGateGRU(VOCAB, args.hidden, WeightInit("glorot", seed=0))
    optimizer = make_optimizer(TrainConfig(lr=0.1))
    step = make_train_step(model, optimizer, saved_state_variables(model, args.batch_size), clip_norm=5.0)
    window = np.random.default_rng(0).integers(0, VOCAB, (args.batch_size, args.unroll + 1))
    for _ in range(2):  # trace, then one warm step
        step(window)
    return step, window


def chars_per_second(step, window, steps):
    started = time.perf_counter()
    for _ in range(steps):
        loss, _ = step(window)
    float(loss)
    return window.shape[0] * (window.shape[1] - 1) * steps / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--unroll", type=int, default=50)
    parser.add_argument("--unroll-mode", choices=["static", "dynamic"], default="static")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10, help="Timed steps per round and arrangement.")
    args = parser.parse_args()
    steps = {"per-gate": make_step(False, args), "fused": make_step(True, args)}
    rates = {name: [] for name in steps}
    for _ in range(args.rounds):
        for name, (step, window) in steps.items():
            rates[name].append(chars_per_second(step, window, args.steps))
    print(f"GRU H={args.hidden} batch={args.batch_size} unroll={args.unroll} ({args.unroll_mode}), training "
          f"characters/s over {args.rounds} alternating rounds of {args.steps} steps:")
    for name, values in rates.items():
        print(f"  {name:9s} median {statistics.median(values):9,.0f}   range {min(values):,.0f}-{max(values):,.0f}")


if __name__ == "__main__":
    main()
