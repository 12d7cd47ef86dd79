"""MD-LSTM training step: the wavefront against the per-cell loop, measured in one process, interleaved.

    PYTHONPATH=. python benchmarks/diagonal.py [--sizes 8 32 64] [--rounds 5] [--round-seconds 1]
                                               [--unrolled-up-to 8] [--xla-wavefront-up-to 32]
                                               [--threads 0] [--json]

One training step = forward, backward and Adam update of ``rnncli.grid.models.MDLSTMModel`` (Graves cell,
batch 16, hidden 16, MSE on a random-diagonal batch), built by ``rnncli.grid.train.make_train_step``.
Variants of the scan over the grid:

- ``wavefront``: ``rnncli.grid.scan.wavefront_scan``, H+W-1 steps, as ``rnncli diagonal`` trains it;
- ``wavefront_xla``: the same compiled with XLA, only for grids up to ``--xla-wavefront-up-to``: XLA on its
  Python loop of H+W-1 differently shaped steps compiles for about 26 s at 32x32;
- ``cellwise_xla``: ``rnncli.grid.scan.cellwise_scan``, a ``tf.while_loop`` over the H·W cells, XLA;
- ``cellwise``: the same loop without XLA (the seed's traversal, which ran in a TF-1 while loop);
- ``cellwise_unrolled``: one Python iteration per cell traced once (field-notes C3's "naive" loop), only
  for grids up to ``--unrolled-up-to``: its trace grows with H·W (74-135 s at 32x32 in the field notes).

After the first call of each (trace and compile, reported apart), the variants take turns, each running
for ``--round-seconds`` (at least one step) per round. Reported: median ms/step and its range over the
rounds, and the per-round ratio of each per-cell variant's time to the wavefront's. The machines are
shared: compare only figures of one run.
"""

import argparse
import json
import statistics
import sys
import time

import keras

from rnncli.cells.initializers import WeightInit
from rnncli.grid.md_lstm import Neighbours
from rnncli.grid.models import MDLSTMModel
from rnncli.grid.scan import cellwise_scan, wavefront_scan
from rnncli.grid.task import DiagonalTask
from rnncli.grid.train import make_train_step
from rnncli.tensorflow_quiet import tf

BATCH, HIDDEN = 16, 16


def unrolled_cellwise_scan(cell, inputs):
    """One ``cell.step`` per grid cell in a Python loop (rows and cells taken by ``tf.unstack``, not by
    indexing, whose gradient would be a dense grid per cell)."""
    zero = cell.initial_state(tf.shape(inputs)[2])
    states, rows = {}, []
    for i, projected_row in enumerate(tf.unstack(cell.project_inputs(inputs))):
        row = []
        for j, projected in enumerate(tf.unstack(projected_row)):
            neighbours = Neighbours(states.get((i - 1, j), zero), states.get((i, j - 1), zero))
            hidden, states[i, j] = cell.step(projected, neighbours)
            row.append(hidden)
        rows.append(tf.stack(row))
    return tf.stack(rows)


VARIANTS = {  # name: (scan, XLA)
    "wavefront": (wavefront_scan, False),
    "wavefront_xla": (wavefront_scan, True),
    "cellwise_xla": (cellwise_scan, True),
    "cellwise": (cellwise_scan, False),
    "cellwise_unrolled": (unrolled_cellwise_scan, False),
}


def build_step(scan, xla):
    model = MDLSTMModel(HIDDEN, WeightInit("glorot", seed=0), scan=scan)
    optimizer = keras.optimizers.Adam(0.01)
    optimizer.build(model.trainable_variables)
    return make_train_step(model, optimizer, "mse", jit_compile=xla)


def time_size(size, args, say, variants=tuple(VARIANTS)):
    """Figures of each of ``variants`` (names of ``VARIANTS``, ``wavefront`` among them) at ``size`` x ``size``."""
    batch = DiagonalTask(size, size, BATCH).batch(0)
    feed = (batch.inputs, batch.targets, batch.second_x)
    largest = {"cellwise_unrolled": args.unrolled_up_to, "wavefront_xla": args.xla_wavefront_up_to}
    names = [n for n in variants if size <= largest.get(n, size)]
    steps, first_call = {}, {}
    for name in names:
        steps[name] = build_step(*VARIANTS[name])
        started = time.perf_counter()
        steps[name](*feed).numpy()
        first_call[name] = time.perf_counter() - started
        say(f"{size}x{size} {name}: first call (trace and compile) {first_call[name]:.1f} s")
    rounds = {name: [] for name in names}
    for _ in range(args.rounds):
        for name in names:
            count, started = 0, time.perf_counter()
            while count == 0 or time.perf_counter() - started < args.round_seconds:
                steps[name](*feed).numpy()
                count += 1
            rounds[name].append(1000 * (time.perf_counter() - started) / count)
    figures = {}
    for name in names:
        ratios = [mine / wave for mine, wave in zip(rounds[name], rounds["wavefront"])]
        figures[name] = {"first_call_s": first_call[name], "ms_per_step": statistics.median(rounds[name]),
                         "ms_min": min(rounds[name]), "ms_max": max(rounds[name]),
                         "ratio_to_wavefront": statistics.median(ratios), "ratio_min": min(ratios),
                         "ratio_max": max(ratios)}
    return figures


def print_table(results):
    print(f"{'grid':>6} {'variant':<18} {'first call s':>12} {'ms/step (range)':>24} {'x wavefront (range)':>22}")
    for size, figures in results.items():
        for name, f in figures.items():
            timing = f"{f['ms_per_step']:.2f} ({f['ms_min']:.2f}-{f['ms_max']:.2f})"
            ratio = f"{f['ratio_to_wavefront']:.1f} ({f['ratio_min']:.1f}-{f['ratio_max']:.1f})"
            print(f"{size:>6} {name:<18} {f['first_call_s']:>12.1f} {timing:>24} {ratio:>22}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 32, 64])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--round-seconds", type=float, default=1.0)
    parser.add_argument("--unrolled-up-to", type=int, default=8, help="largest grid side for cellwise_unrolled")
    parser.add_argument("--xla-wavefront-up-to", type=int, default=32, help="largest grid side for wavefront_xla")
    parser.add_argument("--threads", type=int, default=0, help="intra- and inter-op threads (0: TensorFlow's choice)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    results = {}
    for size in args.sizes:
        results[size] = time_size(size, args, lambda line: print(line, file=sys.stderr, flush=True))
    if args.json:
        print(json.dumps({f"{size}x{size}": figures for size, figures in results.items()}))
    else:
        print_table({f"{size}x{size}": figures for size, figures in results.items()})


if __name__ == "__main__":
    main()
