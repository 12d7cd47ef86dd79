"""Where a training step's time goes: the TensorFlow profiler's trace of a few steps, summed by op type.

    python benchmarks/profile_step.py [--config small|medium|large] [--implementation rnncli|keras|block]
                                      [--cell lstm] [--unroll-mode auto] [--steps 5] [--logdir DIR]
    python benchmarks/profile_step.py --config tiny --steps 1  # smoke

Builds one of ``benchmarks/speed.py``'s training steps (one-hot over 27 symbols, SGD with clipping, state
carried): rnncli's (``--cell``, ``--unroll-mode``), Keras 3's ``LSTM`` or ``tf.raw_ops.BlockLSTM``; it
times ``--steps`` steps without the profiler, then traces as many under ``tf.profiler.experimental`` (the
trace stays in ``--logdir`` for TensorBoard's profile plugin) and reads back the XSpace protobuf it wrote.
Printed: per op type, the time per step summed over TensorFlow's compute threads, ops per step and mean
microseconds per op; then the matmul share and the ops per step. Thread time over wall time says how well
the step keeps the cores busy. The profiler adds its own overhead to each op.
"""

import argparse
import collections
import tempfile
import time
from pathlib import Path

from speed import CONFIGS, block_lstm_trainer, keras_trainer, rnncli_trainer

from rnncli.tensorflow_quiet import tf
from rnncli.unroll_modes import UNROLL_MODES, concrete_mode
from tensorflow.tsl.profiler.protobuf import xplane_pb2


def trace(step, steps, logdir):
    """The XSpace of ``steps`` calls of ``step`` (after two untraced ones)."""
    step(0)
    step(1)
    tf.profiler.experimental.start(str(logdir))
    for k in range(steps):
        step(2 + k)
    tf.profiler.experimental.stop()
    space = xplane_pb2.XSpace()
    space.ParseFromString(max(Path(logdir).rglob("*.xplane.pb"), key=lambda p: p.stat().st_mtime).read_bytes())
    return space


def time_by_op_type(space, steps):
    """``{op type: (milliseconds per step, ops per step)}`` over the compute threads' op events (named
    ``"name:Type"``; the executor's own events, as ``ExecutorState::Process``, are left out)."""
    milliseconds, counts = collections.Counter(), collections.Counter()
    for plane in space.planes:
        for line in plane.lines:
            if not line.name.startswith("tf_Compute"):
                continue
            for event in line.events:
                name = plane.event_metadata[event.metadata_id].name
                if ":" in name and "::" not in name:
                    op_type = name.rsplit(":", 1)[1]
                    milliseconds[op_type] += event.duration_ps / 1e9 / steps
                    counts[op_type] += 1 / steps
    return {op_type: (ms, counts[op_type]) for op_type, ms in milliseconds.most_common()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=CONFIGS, default="large")
    parser.add_argument("--implementation", choices=("rnncli", "keras", "block"), default="rnncli")
    parser.add_argument("--cell", default="lstm", help="rnncli's cell")
    parser.add_argument("--unroll-mode", choices=UNROLL_MODES, default="auto")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--logdir", type=Path, help="where the trace goes (default: a temporary folder)")
    parser.add_argument("--top", type=int, default=15, help="op types to list")
    args = parser.parse_args()
    hidden, batch, unroll = CONFIGS[args.config]
    if args.implementation == "rnncli":
        step = rnncli_trainer(args.cell, hidden, batch, unroll, args.unroll_mode)
        name = f"rnncli {args.cell}, {concrete_mode(args.unroll_mode, hidden)} unroll"
    else:
        build, name = {"keras": (keras_trainer, "Keras 3 LSTM"), "block": (block_lstm_trainer, "BlockLSTM")}[
            args.implementation]
        step = build(hidden, batch, unroll)
    step(0)
    began = time.perf_counter()
    for k in range(args.steps):
        step(k)
    wall_ms = 1000 * (time.perf_counter() - began) / args.steps
    with tempfile.TemporaryDirectory() as scratch:
        by_type = time_by_op_type(trace(step, args.steps, args.logdir or scratch), args.steps)
    thread_ms = sum(ms for ms, _ in by_type.values())
    ops = sum(count for _, count in by_type.values())
    matmul_ms = sum(ms for op_type, (ms, _) in by_type.items() if "MatMul" in op_type)
    print(f"{args.config} (hidden {hidden}, batch {batch}, unroll {unroll}), {name}")
    print(f"wall time {wall_ms:.1f} ms per step ({batch * unroll / wall_ms * 1000:,.0f} chars/s) without the "
          f"profiler; compute-thread time {thread_ms:.1f} ms per step under it, in {ops:,.0f} ops")
    print(f"matmuls {matmul_ms:.1f} ms ({100 * matmul_ms / thread_ms:.0f}%), everything else "
          f"{thread_ms - matmul_ms:.1f} ms\n")
    print(f"{'op type':<36}{'ms/step':>9}{'share':>7}{'ops/step':>10}{'us/op':>8}")
    for op_type, (ms, count) in list(by_type.items())[:args.top]:
        print(f"{op_type:<36}{ms:>9.2f}{100 * ms / thread_ms:>6.0f}%{count:>10.0f}{1000 * ms / count:>8.1f}")


if __name__ == "__main__":
    main()
