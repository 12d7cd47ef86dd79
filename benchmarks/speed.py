"""Training, evaluation and sampling speed of rnncli's cells against the framework's own LSTMs.

    python benchmarks/speed.py [--configs small,medium,large] [--rounds 3] [--seconds 2]
                               [--sections training,cells,evaluation,sampling,grid,corpus] [--json FILE|-]
    python benchmarks/speed.py --configs tiny --sections training --rounds 1 --seconds 0.05  # smoke

Every implementation trains the same character LSTM (one-hot input over 27 symbols, softmax output, SGD
with global-norm clipping, state carried across windows) in the same process, interleaved round by round,
so the ratios are taken under the same machine load. Compile/trace time (the first call) is reported
apart. Baselines: Keras 3 ``keras.layers.LSTM`` (stateful, own ``tf.function`` step), the fused
``tf.raw_ops.BlockLSTM`` op, and PyTorch's ``nn.LSTM`` when torch is installed (never a dependency).
rnncli's ``lstm`` runs in each ``--unroll-mode``: the static (Python-unrolled) loop, the window loop (static, with
the recurrent weight gradient once per window), the ``tf.while_loop`` loop, and that loop compiled with XLA
(``jit_compile``); the table says which of them the default (``auto``) picks. The row ``rnncli default`` is the
step as ``rnncli train`` runs it: that unroll, with as many windows a call as ``--steps-per-call 0`` picks from the
step time.

Further sections: every cell of the family at the medium configuration; evaluation characters/s (the
``Evaluator`` over a 200k-character stream); sampling characters/s at batch 1 and 64, with and without XLA;
the MD-LSTM wavefront against the per-cell loops (``benchmarks/diagonal.py`` in a subprocess); and the time and peak
memory to load and batch a 100 MB text8-like corpus (``benchmarks/load_text8_like.py`` in a subprocess).
"""

import argparse
import importlib.util
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from rnncli.config import TrainConfig
from rnncli.models.char_lm import CharLanguageModel
from rnncli.cells import REGISTRY
from rnncli.cells.initializers import WeightInit
from rnncli.evaluate import Evaluator
from rnncli.sample import Sampler
from rnncli.optimizers import make_optimizer
from rnncli.tensorflow_quiet import tf
from rnncli.steps_per_call import StepsPerCall
from rnncli.train import make_repeated_step, make_train_step, saved_state_variables
from rnncli.unroll_modes import concrete_mode

import keras

VOCAB = 27
#: hidden, batch, unroll; ``tiny`` is the smoke setting of tests/test_benchmarks.py, not a measurement
CONFIGS = {"small": (64, 64, 10), "medium": (256, 64, 50), "large": (512, 32, 100), "tiny": (8, 4, 5)}


def lstm_flops_per_char(hidden, vocab=VOCAB):
    """Forward: 2 (vocab + hidden) 4 hidden for the gates + 2 hidden vocab for the softmax; backward ~2x."""
    return 3 * (2 * (vocab + hidden) * 4 * hidden + 2 * hidden * vocab)


def windows(batch, unroll, count=8, seed=0):
    return np.random.default_rng(seed).integers(0, VOCAB, (count, batch, unroll + 1)).astype(np.int32)


def rnncli_trainer(cell, hidden, batch, unroll, unroll_mode="auto", jit_compile=False, repeated=False):
    """rnncli's training step; ``repeated``: as the trainer runs it by default, as many windows a call as
    ``StepsPerCall`` picks from the step time (the function's ``steps_per_call``)."""
    model = CharLanguageModel(VOCAB, cell, hidden, init=WeightInit("uniform"), unroll_mode=unroll_mode)
    optimizer, schedule = make_optimizer(TrainConfig(lr=0.1, decay_steps=10**9))
    optimizer.build(model.trainable_variables)
    step = make_train_step(model, optimizer, saved_state_variables(model, batch), clip_norm=1.25,
                           jit_compile=jit_compile)
    data = windows(batch, unroll)

    def single(k):
        return step(data[k % len(data)])[0].numpy()

    if not repeated:
        return single
    calls = make_repeated_step(step, schedule.progress, tf.TensorSpec([None, batch, unroll + 1], tf.int32))
    chooser = StepsPerCall(0)
    for k in range(8):  # as in the trainer: single steps until one is timed, then calls sized by the last one
        count = chooser.limit()
        began = time.perf_counter()
        if count == 1:
            single(k)
        else:
            calls(windows(batch, unroll, count), np.zeros(count, np.float32))
        chooser.record(count, time.perf_counter() - began)
    count = chooser.limit()
    if count == 1:
        return single
    progress = np.zeros(count, np.float32)
    stacked = [windows(batch, unroll, count, seed) for seed in range(4)]

    def several(k):
        return calls(stacked[k % len(stacked)], progress)[0].numpy()

    several.steps_per_call = count
    return several


def keras_trainer(hidden, batch, unroll):
    inputs = keras.Input(batch_shape=(batch, unroll, VOCAB))
    outputs = keras.layers.Dense(VOCAB)(keras.layers.LSTM(hidden, return_sequences=True, stateful=True)(inputs))
    model = keras.Model(inputs, outputs)
    optimizer = keras.optimizers.SGD(0.1, global_clipnorm=1.25)
    data = windows(batch, unroll)

    @tf.function
    def step(window):
        x = tf.one_hot(window[:, :-1], VOCAB)
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(window[:, 1:], logits))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss

    return lambda k: step(data[k % len(data)]).numpy()


def block_lstm_trainer(hidden, batch, unroll):
    rng = np.random.default_rng(0)
    kernel = tf.Variable(rng.uniform(-0.1, 0.1, (VOCAB + hidden, 4 * hidden)).astype(np.float32))
    bias = tf.Variable(np.zeros(4 * hidden, np.float32))
    out_w = tf.Variable(rng.uniform(-0.1, 0.1, (hidden, VOCAB)).astype(np.float32))
    out_b = tf.Variable(np.zeros(VOCAB, np.float32))
    h_saved = tf.Variable(tf.zeros([batch, hidden]), trainable=False)
    c_saved = tf.Variable(tf.zeros([batch, hidden]), trainable=False)
    weights = [kernel, bias, out_w, out_b]
    optimizer = keras.optimizers.SGD(0.1, global_clipnorm=1.25)
    no_peephole = tf.zeros([hidden])
    data = windows(batch, unroll)

    @tf.function
    def step(window):
        ids = tf.transpose(window)
        x = tf.one_hot(ids[:-1], VOCAB)
        with tf.GradientTape() as tape:
            _, cell, _, _, _, _, h = tf.raw_ops.BlockLSTM(
                seq_len_max=tf.constant(unroll, tf.int64), x=x, cs_prev=c_saved, h_prev=h_saved, w=kernel,
                wci=no_peephole, wcf=no_peephole, wco=no_peephole, b=bias, forget_bias=0.0, cell_clip=-1.0,
                use_peephole=False)
            logits = tf.reshape(tf.reshape(h, [-1, hidden]) @ out_w + out_b, [unroll, batch, VOCAB])
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(ids[1:], logits))
        optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
        h_saved.assign(h[-1])
        c_saved.assign(cell[-1])
        return loss

    return lambda k: step(data[k % len(data)]).numpy()


def torch_trainer(hidden, batch, unroll):
    import torch

    lstm, head = torch.nn.LSTM(VOCAB, hidden), torch.nn.Linear(hidden, VOCAB)
    parameters = list(lstm.parameters()) + list(head.parameters())
    optimizer = torch.optim.SGD(parameters, lr=0.1)
    state = [torch.zeros(1, batch, hidden), torch.zeros(1, batch, hidden)]
    data = torch.from_numpy(windows(batch, unroll)).long()

    def step(k):
        ids = data[k % len(data)].T
        x = torch.nn.functional.one_hot(ids[:-1], VOCAB).float()
        output, (h, c) = lstm(x, tuple(s.detach() for s in state))
        loss = torch.nn.functional.cross_entropy(head(output).reshape(-1, VOCAB), ids[1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.25)
        optimizer.step()
        state[:] = [h, c]
        return loss.item()

    return step


def time_steps(step, seconds, start):
    """Steps run in about ``seconds``; returns (steps, elapsed)."""
    count, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        step(start + count)
        count += 1
    return count, time.perf_counter() - began


def matmul_peak_gflops(size=2048, repeats=10):
    a = tf.random.normal([size, size])
    b = tf.random.normal([size, size])
    (a @ b).numpy()
    began = time.perf_counter()
    for _ in range(repeats):
        c = a @ b
    c.numpy()
    return 2 * size**3 * repeats / (time.perf_counter() - began) / 1e9


def compare_training(name, hidden, batch, unroll, rounds, seconds, with_torch):
    builders = {
        "lstm static": lambda: rnncli_trainer("lstm", hidden, batch, unroll, "static"),
        "lstm window": lambda: rnncli_trainer("lstm", hidden, batch, unroll, "window"),
        "lstm while": lambda: rnncli_trainer("lstm", hidden, batch, unroll, "dynamic"),
        "lstm while+xla": lambda: rnncli_trainer("lstm", hidden, batch, unroll, "dynamic", True),
        "np static": lambda: rnncli_trainer("np", hidden, batch, unroll, "static"),
        "np window": lambda: rnncli_trainer("np", hidden, batch, unroll, "window"),
        "rnncli default": lambda: rnncli_trainer("lstm", hidden, batch, unroll, repeated=True),
        "keras LSTM": lambda: keras_trainer(hidden, batch, unroll),
        "BlockLSTM": lambda: block_lstm_trainer(hidden, batch, unroll),
    }
    if with_torch:
        builders["torch nn.LSTM"] = lambda: torch_trainer(hidden, batch, unroll)
    return interleaved(builders, batch * unroll, rounds, seconds)


def interleaved(builders, chars_per_step, rounds, seconds):
    """Median, low and high characters/s of each step function, timed round-robin; first call apart. A step
    function that runs several windows a call says how many in its ``steps_per_call``."""
    steps, first_call, speeds, per_call = {}, {}, {k: [] for k in builders}, {}
    for key, build in builders.items():
        began = time.perf_counter()
        steps[key] = build()
        per_call[key] = getattr(steps[key], "steps_per_call", 1)
        steps[key](0)
        first_call[key] = time.perf_counter() - began
        steps[key](1)
    position = {k: 2 for k in builders}
    for _ in range(rounds):
        for key, step in steps.items():
            count, elapsed = time_steps(step, seconds, position[key])
            position[key] += count
            speeds[key].append(count * per_call[key] * chars_per_step / elapsed)
    return {key: {"chars_per_sec": statistics.median(v), "low": min(v), "high": max(v),
                  "first_call_s": first_call[key], "steps_per_call": per_call[key]} for key, v in speeds.items()}


def compare_cells(rounds, seconds):
    """Training characters/s of every registered cell at the medium configuration (static unroll)."""
    hidden, batch, unroll = CONFIGS["medium"]
    builders = {name: (lambda name=name: rnncli_trainer(name, hidden, batch, unroll)) for name in REGISTRY}
    return interleaved(builders, batch * unroll, rounds, seconds)


def medium_model(unroll_mode="auto"):
    return CharLanguageModel(VOCAB, "lstm", CONFIGS["medium"][0], init=WeightInit("uniform"), unroll_mode=unroll_mode)


def evaluation_speed(rounds, characters=200_000):
    """Characters/s of ``Evaluator`` (32 streams, windows of 50) over a random stream, medium LSTM."""
    ids = np.random.default_rng(1).integers(0, VOCAB, characters).astype(np.int32)
    results = {}
    for mode, xla in (("static", False), ("dynamic", False), ("dynamic", True)):
        evaluator = Evaluator(medium_model(mode), jit_compile=xla)
        began = time.perf_counter()
        evaluator(ids[:5000])
        first = time.perf_counter() - began
        speeds = []
        for _ in range(rounds):
            began = time.perf_counter()
            evaluator(ids)
            speeds.append((characters - 1) / (time.perf_counter() - began))
        results[f"evaluate ({mode}{' + XLA' if xla else ''})"] = {
            "chars_per_sec": statistics.median(speeds), "low": min(speeds), "high": max(speeds),
            "first_call_s": first}
    return results


def sampling_speed(rounds, length=2000):
    """Generated characters/s (all rows together) at batch 1 and 64, XLA-compiled loop vs plain graph."""
    model = medium_model()
    samplers = {"xla": Sampler(model, jit_compile=True), "graph": Sampler(model, jit_compile=False)}
    results = {}
    for batch in (1, 64):
        for kind, sampler in samplers.items():
            began = time.perf_counter()
            sampler.sample([], length, num_samples=batch)
            first = time.perf_counter() - began
            speeds = []
            for r in range(rounds):
                began = time.perf_counter()
                sampler.sample([], length, num_samples=batch, seed=r)
                speeds.append(batch * length / (time.perf_counter() - began))
            results[f"sample batch {batch} ({kind})"] = {
                "chars_per_sec": statistics.median(speeds), "low": min(speeds), "high": max(speeds),
                "first_call_s": first}
    return results


def grid_speed(rounds):
    """benchmarks/diagonal.py (MD-LSTM wavefront against the per-cell loops at 8x8, 32x32, 64x64) in a fresh
    process, so its threads and traces do not mix with this one's."""
    script = Path(__file__).with_name("diagonal.py")
    done = subprocess.run([sys.executable, str(script), "--json", "--rounds", str(rounds)], capture_output=True,
                          text=True)
    if done.returncode:
        return {"error": done.stderr[-500:]}
    return json.loads(done.stdout)


def corpus_speed():
    """Runs benchmarks/load_text8_like.py in a fresh process (twice if it first has to write the file)."""
    script = Path(__file__).with_name("load_text8_like.py")
    for _ in range(2):
        done = subprocess.run([sys.executable, str(script), "--batch"], capture_output=True, text=True)
        if "load time" in done.stdout:
            break
    text = done.stdout + done.stderr
    load = re.search(r"load time ([\d.]+) s", text)
    batched = re.search(r"batched in ([\d.]+) s", text)
    peak = re.search(r"(\d+) MiB after", text)
    if not (load and batched and peak):
        return {"error": text[-500:]}
    return {"load_s": float(load[1]), "batch_s": float(batched[1]), "peak_rss_mib": float(peak[1]),
            "output": text.strip()}


def print_table(title, results, reference=None):
    print(f"\n{title}")
    print(f"  {'implementation':<26}{'chars/s':>10}{'(low-high)':>20}"
          + (f"{'vs ' + reference:>16}" if reference else "") + f"{'first call s':>13}")
    for key, r in results.items():
        ratio = f"{r['chars_per_sec'] / results[reference]['chars_per_sec']:>15.2f}x" if reference else ""
        print(f"  {key:<26}{r['chars_per_sec']:>10,.0f}{r['low']:>10,.0f}-{r['high']:<9,.0f}{ratio}"
              f"{r['first_call_s']:>13.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="small,medium,large")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0, help="timed seconds per implementation per round")
    parser.add_argument("--sections", default="training,cells,evaluation,sampling,grid,corpus")
    parser.add_argument("--threads", type=int, default=0,
                        help="intra/inter-op threads of TF (tf.config.threading) and torch (0: their defaults)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure as JSON to FILE ('-': stdout)")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
        if importlib.util.find_spec("torch") is not None:
            import torch

            torch.set_num_threads(args.threads)
    try:
        import torch  # noqa: F401

        with_torch = True
    except ImportError:
        with_torch = False
    peak = matmul_peak_gflops()
    report = {"matmul_peak_gflops": peak, "training": {}}
    print(f"fp32 matmul peak (2048^3): {peak:.0f} GFLOP/s")
    for name in (args.configs.split(",") if "training" in sections else []):
        hidden, batch, unroll = CONFIGS[name]
        results = compare_training(name, hidden, batch, unroll, args.rounds, args.seconds, with_torch)
        report["training"][name] = results
        flops = lstm_flops_per_char(hidden)
        print(f"\n{name}: hidden {hidden}, batch {batch}, unroll {unroll} "
              f"({flops / 1e6:.2f} MFLOP per training character)")
        print(f"  {'implementation':<16}{'chars/s':>10}{'(low-high)':>20}{'GFLOP/s':>9}{'% peak':>8}"
              f"{'vs keras':>9}{'vs Block':>9}{'vs torch':>9}{'first call s':>13}")
        keras_speed = results["keras LSTM"]["chars_per_sec"]
        block_speed = results["BlockLSTM"]["chars_per_sec"]
        torch_speed = results.get("torch nn.LSTM", {}).get("chars_per_sec", float("nan"))
        for key, r in results.items():
            gflops = r["chars_per_sec"] * flops / 1e9
            r.update(gflops=gflops, percent_of_peak=100 * gflops / peak,
                     ratio_to_keras=r["chars_per_sec"] / keras_speed, ratio_to_block=r["chars_per_sec"] / block_speed,
                     ratio_to_torch=r["chars_per_sec"] / torch_speed)
            print(f"  {key:<16}{r['chars_per_sec']:>10,.0f}{r['low']:>10,.0f}-{r['high']:<9,.0f}{gflops:>9.1f}"
                  f"{r['percent_of_peak']:>7.0f}%{r['ratio_to_keras']:>8.2f}x{r['ratio_to_block']:>8.2f}x"
                  f"{r['ratio_to_torch']:>8.2f}x{r['first_call_s']:>13.1f}")
        default = f"lstm {concrete_mode('auto', hidden)}"
        report.setdefault("default_implementation", {})[name] = default
        print(f"  rnncli's default (--unroll-mode auto, --steps-per-call 0) at {hidden} units runs '{default}', "
              f"{results['rnncli default']['steps_per_call']} step(s) a call: the row 'rnncli default'")
    if "cells" in sections:
        report["cells_medium"] = compare_cells(args.rounds, args.seconds)
        print_table("every cell, medium configuration (default unroll: static at 256 units), training",
                    report["cells_medium"], "lstm")
    if "evaluation" in sections:
        report["evaluation"] = evaluation_speed(args.rounds)
        print_table("evaluation, medium LSTM, 200k characters in 32 streams", report["evaluation"])
    if "sampling" in sections:
        report["sampling"] = sampling_speed(args.rounds)
        print_table("sampling, medium LSTM, 2000 characters per row", report["sampling"])
    if "grid" in sections:
        report["grid"] = grid_speed(args.rounds)
        print("\nMD-LSTM training step (batch 16, hidden 16): wavefront against the per-cell loops")
        for size, figures in report["grid"].items():
            if size == "error":
                print("  failed: " + figures)
                continue
            print(f"  {size}: " + ", ".join(f"{name} {f['ms_per_step']:.1f} ms ({f['ratio_to_wavefront']:.1f}x)"
                                           for name, f in figures.items()))
    if "corpus" in sections:
        report["corpus"] = corpus_speed()
        corpus = report["corpus"]
        print("\ntext8-like corpus (100 MB), fresh process:\n  " + corpus.get("output", "").replace("\n", "\n  ")
              + corpus.get("error", ""))
    if args.json:
        text = json.dumps(report, indent=1)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text)


if __name__ == "__main__":
    main()
