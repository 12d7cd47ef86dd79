"""One command for the day a GPU is available: what TensorFlow sees, whether a training step on the device
computes what the CPU computes, how fast training and the 2D diagonal task run there, and what
``--unroll-mode auto`` and ``--jit`` should choose on it.

    PYTHONPATH=. python benchmarks/gpu_check.py [--device gpu|cpu] [--minutes 8] [--json out.json]
    PYTHONPATH=. python benchmarks/gpu_check.py --device cpu --smoke --json out.json  # smoke

Sections, in order:

1. Devices: every physical device TensorFlow lists. ``--device gpu`` without one exits 1 saying so.
2. Agreement: the loss and every gradient of one training window of a character model (``lstm`` and
   ``gru``, one-hot input, 2 layers) and of the MD-LSTM on an 8x8 diagonal batch, computed under
   ``tf.device`` on the device and on the CPU from the same initial weights; each must agree within a
   relative 1e-4 (largest difference over the largest magnitude of the CPU's tensor). The device's run has
   soft placement off, so an op the device cannot run is an error, not a silent fall-back to the CPU: a
   check that passes ran every op of the step on the device.
3. Training speed at ``benchmarks/speed.py``'s small, medium and large configurations: rnncli's ``lstm`` in
   each unroll mode, with and without XLA (``jit_compile``; the static and window loops with XLA only up to
   ``--xla-static-up-to`` units, since XLA on a long Python-unrolled loop compiles for minutes), against
   Keras's ``keras.layers.LSTM`` (cuDNN on a GPU), interleaved round by round as in ``speed.py``.
4. The diagonal task at 32x32, 64x64 and 128x128: the wavefront, with XLA up to ``--xla-wavefront-up-to``,
   against the per-cell ``tf.while_loop`` compiled with XLA (``benchmarks/diagonal.py``'s variants).
5. What to choose: the fastest unroll mode at each size (what ``--unroll-mode auto`` should pick there) and
   whether XLA won.

``--minutes`` shares the time among the timed rounds (compile time comes on top; it is reported apart).
``--smoke`` runs every section at a tiny size, for the test suite. Not a test: it prints figures.
"""

import argparse
import json
import sys
import time
from types import SimpleNamespace

import numpy as np

import diagonal
import speed
from rnncli.cells.initializers import WeightInit
from rnncli.grid.models import MDLSTMModel
from rnncli.grid.task import DiagonalTask
from rnncli.grid.metrics import task_metrics
from rnncli.models.char_lm import CharLanguageModel
from rnncli.tensorflow_quiet import tf

TOLERANCE = 1e-4
UNROLL_MODES = ("static", "window", "dynamic")


def device_name(kind):
    return "/GPU:0" if kind == "gpu" else "/CPU:0"


def relative_difference(value, reference):
    """Largest absolute difference over the largest magnitude of ``reference`` (1 if that is 0)."""
    value, reference = np.asarray(value, np.float64), np.asarray(reference, np.float64)
    return float(np.max(np.abs(value - reference)) / max(float(np.max(np.abs(reference))), 1.0e-30))


def char_model_gradients(cell, device, batch=8, unroll=20):
    """``(loss, gradients)`` of one window of a 2-layer ``cell`` model built and run on ``device``."""
    ids = np.random.default_rng(0).integers(0, speed.VOCAB, (unroll + 1, batch))
    with tf.device(device):
        model = CharLanguageModel(speed.VOCAB, cell, 32, layers=2, init=WeightInit("glorot", seed=1))

        @tf.function
        def gradients():
            with tf.GradientTape() as tape:
                logits, _ = model(ids[:-1], model.initial_states(batch), training=True)
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(ids[1:], logits))
            return loss, tape.gradient(loss, model.trainable_variables)

        return gradients()


def md_lstm_gradients(device, size=8):
    """``(loss, gradients)`` of the MD-LSTM's training loss (``rnncli diagonal``'s default, mean squared error)
    on one ``size`` x ``size`` diagonal batch."""
    batch = DiagonalTask(size, size, diagonal.BATCH).batch(0)
    with tf.device(device):
        model = MDLSTMModel(diagonal.HIDDEN, WeightInit("glorot", seed=0))

        @tf.function
        def gradients():
            with tf.GradientTape() as tape:
                loss = task_metrics(model(batch.inputs), batch.targets, batch.second_x, "mse")[0]
            return loss, tape.gradient(loss, model.trainable_variables)

        return gradients()


def agreement(device):
    """``{check: relative difference}`` of each model's loss and gradients, ``device`` against the CPU; an op
    that could not run on the device is reported (on standard error) and counts as infinitely different."""
    checks = {"lstm": lambda where: char_model_gradients("lstm", where),
              "gru": lambda where: char_model_gradients("gru", where),
              "md_lstm 8x8": md_lstm_gradients}
    results = {}
    for name, compute in checks.items():
        reference_loss, reference_gradients = compute("/CPU:0")
        tf.config.set_soft_device_placement(False)
        try:
            loss, gradients = compute(device)
        except (tf.errors.InvalidArgumentError, tf.errors.NotFoundError) as error:
            print(f"{name}: an op could not run on {device}: {error.message.splitlines()[0]}", file=sys.stderr)
            results[name] = float("inf")
            continue
        finally:
            tf.config.set_soft_device_placement(True)
        results[name] = max([relative_difference(loss, reference_loss)] + [
            relative_difference(g, r) for g, r in zip(gradients, reference_gradients)])
    return results


def training_speed(device, configs, rounds, seconds, xla_static_up_to):
    """``{config: speed.interleaved's figures}`` for every unroll mode with and without XLA, and Keras."""
    results = {}
    for name in configs:
        hidden, batch, unroll = speed.CONFIGS[name]
        builders = {}
        for mode in UNROLL_MODES:
            builders[f"lstm {mode}"] = (lambda mode=mode: speed.rnncli_trainer("lstm", hidden, batch, unroll, mode))
            if mode == "dynamic" or hidden <= xla_static_up_to:
                builders[f"lstm {mode}+xla"] = (lambda mode=mode: speed.rnncli_trainer("lstm", hidden, batch, unroll,
                                                                                        mode, jit_compile=True))
        builders["keras LSTM"] = lambda: speed.keras_trainer(hidden, batch, unroll)
        with tf.device(device):
            results[name] = speed.interleaved(builders, batch * unroll, rounds, seconds)
    return results


def diagonal_speed(device, sizes, rounds, seconds, xla_wavefront_up_to):
    """``{size: diagonal.time_size's figures}`` for the wavefront (with XLA up to a size) and the per-cell
    ``tf.while_loop`` with XLA."""
    results = {}
    for size in sizes:
        options = SimpleNamespace(rounds=rounds, round_seconds=seconds, unrolled_up_to=0,
                                  xla_wavefront_up_to=xla_wavefront_up_to)
        with tf.device(device):
            figures = diagonal.time_size(size, options, lambda line: print("  " + line, flush=True),
                                         variants=("wavefront", "wavefront_xla", "cellwise_xla"))
        results[f"{size}x{size}"] = figures
    return results


def choices(training):
    """Per configuration, the fastest unroll mode without XLA and whether its XLA form (or the dynamic loop's,
    the one that compiles quickly) was faster still."""
    chosen = {}
    for name, figures in training.items():
        rate = {variant: f["chars_per_sec"] for variant, f in figures.items()}
        mode = max(UNROLL_MODES, key=lambda m: rate[f"lstm {m}"])
        compiled = max((v for v in rate if v.endswith("+xla")), key=rate.get)
        chosen[name] = {"hidden": speed.CONFIGS[name][0], "unroll_mode": mode,
                        "jit": rate[compiled] > rate[f"lstm {mode}"], "fastest_xla": compiled,
                        "vs_keras": rate[f"lstm {mode}"] / rate["keras LSTM"]}
    return chosen


def print_report(report):
    print("devices: " + ", ".join(f"{d['name']} ({d['type']})" for d in report["devices"]))
    print(f"agreement with the CPU on {report['device']} (relative, at most {TOLERANCE:g}; soft placement off):")
    for name, difference in report["agreement"].items():
        print(f"  {name:<12} {difference:.2e}  {'ok' if difference <= TOLERANCE else 'DIFFERS'}")
    for name, figures in report["training"].items():
        print(f"training {name} (hidden, batch, unroll = {speed.CONFIGS[name]}), characters/s:")
        for variant, f in figures.items():
            print(f"  {variant:<18} median {f['chars_per_sec']:>12,.0f}  range {f['low']:,.0f}-{f['high']:,.0f}  "
                  f"first call {f['first_call_s']:.1f} s")
    print("diagonal task, ms per training step:")
    diagonal.print_table(report["diagonal"])
    for name, choice in report["choices"].items():
        print(f"choose at {choice['hidden']} units ({name}): --unroll-mode {choice['unroll_mode']} "
              f"({choice['vs_keras']:.2f}x Keras), --jit {'on' if choice['jit'] else 'off'} "
              f"(fastest with XLA: {choice['fastest_xla']})")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", choices=("gpu", "cpu"), default="gpu")
    parser.add_argument("--minutes", type=float, default=8.0, help="time shared among the timed rounds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--xla-static-up-to", type=int, default=256,
                        help="largest hidden size timed with XLA on the static and window loops")
    parser.add_argument("--xla-wavefront-up-to", type=int, default=64, help="largest grid side for wavefront_xla")
    parser.add_argument("--smoke", action="store_true", help="every section at a tiny size (the test suite's)")
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    args = parser.parse_args(argv)
    visible = [{"name": d.name, "type": d.device_type} for d in tf.config.list_physical_devices()]
    if args.device == "gpu" and not tf.config.list_physical_devices("GPU"):
        raise SystemExit("no GPU visible to TensorFlow (install with pip install '.[gpu]' and check nvidia-smi); "
                         "devices: " + ", ".join(d["name"] for d in visible))
    device = device_name(args.device)
    configs, sizes = (["tiny"], [4]) if args.smoke else (["small", "medium", "large"], [32, 64, 128])
    timed_rounds = args.rounds * (len(configs) * 8 + len(sizes) * 3)
    seconds = 0.05 if args.smoke else 60 * args.minutes / timed_rounds
    started = time.perf_counter()
    report = {"device": device, "devices": visible, "agreement": agreement(device)}
    report["training"] = training_speed(device, configs, args.rounds, seconds, args.xla_static_up_to)
    report["diagonal"] = diagonal_speed(device, sizes, args.rounds, seconds, args.xla_wavefront_up_to)
    report["choices"] = choices(report["training"])
    report["seconds"] = time.perf_counter() - started
    print_report(report)
    print(f"{report['seconds']:.0f} s in all")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(report, file, indent=2)
    if any(difference > TOLERANCE for difference in report["agreement"].values()):
        raise SystemExit(f"the device's numbers differ from the CPU's by more than {TOLERANCE:g}")


if __name__ == "__main__":
    main(sys.argv[1:])
