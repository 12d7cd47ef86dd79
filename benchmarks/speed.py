"""Training, evaluation and sampling speed of rnncli's cells against the framework's own LSTMs.

    python benchmarks/speed.py [--configs small,medium,large] [--rounds 3] [--seconds 2] [--json]

Every implementation trains the same character LSTM (one-hot input over 27 symbols, softmax output, SGD
with global-norm clipping, state carried across windows) in the same process, interleaved round by round,
so the ratios are taken under the same machine load. Compile/trace time (the first call) is reported
apart. Baselines: Keras 3 ``keras.layers.LSTM`` (stateful, own ``tf.function`` step), the fused
``tf.raw_ops.BlockLSTM`` op, and PyTorch's ``nn.LSTM`` when torch is installed (never a dependency).
"""

import argparse
import json
import statistics
import time

import numpy as np

from rnncli.config import TrainConfig
from rnncli.models.char_lm import CharLanguageModel
from rnncli.cells.initializers import WeightInit
from rnncli.optimizers import make_optimizer
from rnncli.tensorflow_quiet import tf
from rnncli.train import make_train_step, saved_state_variables

import keras

VOCAB = 27
CONFIGS = {"small": (64, 64, 10), "medium": (256, 64, 50), "large": (512, 32, 100)}  # hidden, batch, unroll


def lstm_flops_per_char(hidden, vocab=VOCAB):
    """Forward: 2 (vocab + hidden) 4 hidden for the gates + 2 hidden vocab for the softmax; backward ~2x."""
    return 3 * (2 * (vocab + hidden) * 4 * hidden + 2 * hidden * vocab)


def windows(batch, unroll, count=8, seed=0):
    return np.random.default_rng(seed).integers(0, VOCAB, (count, batch, unroll + 1)).astype(np.int32)


def rnncli_trainer(cell, hidden, batch, unroll, unroll_mode="static"):
    model = CharLanguageModel(VOCAB, cell, hidden, init=WeightInit("uniform"), unroll_mode=unroll_mode)
    optimizer, _ = make_optimizer(TrainConfig(lr=0.1, decay_steps=10**9))
    optimizer.build(model.trainable_variables)
    step = make_train_step(model, optimizer, saved_state_variables(model, batch), clip_norm=1.25)
    data = windows(batch, unroll)
    return lambda k: step(data[k % len(data)])[0].numpy()


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
        "rnncli lstm": lambda: rnncli_trainer("lstm", hidden, batch, unroll),
        "rnncli np": lambda: rnncli_trainer("np", hidden, batch, unroll),
        "keras LSTM": lambda: keras_trainer(hidden, batch, unroll),
        "BlockLSTM": lambda: block_lstm_trainer(hidden, batch, unroll),
    }
    if with_torch:
        builders["torch nn.LSTM"] = lambda: torch_trainer(hidden, batch, unroll)
    steps, first_call, speeds = {}, {}, {k: [] for k in builders}
    for key, build in builders.items():
        began = time.perf_counter()
        steps[key] = build()
        steps[key](0)
        first_call[key] = time.perf_counter() - began
        steps[key](1)
    position = {k: 2 for k in builders}
    for _ in range(rounds):
        for key, step in steps.items():
            count, elapsed = time_steps(step, seconds, position[key])
            position[key] += count
            speeds[key].append(count * batch * unroll / elapsed)
    return {key: {"chars_per_sec": statistics.median(v), "low": min(v), "high": max(v),
                  "first_call_s": first_call[key]} for key, v in speeds.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="small,medium,large")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0, help="timed seconds per implementation per round")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    try:
        import torch  # noqa: F401

        with_torch = True
    except ImportError:
        with_torch = False
    peak = matmul_peak_gflops()
    report = {"matmul_peak_gflops": peak, "training": {}}
    print(f"fp32 matmul peak (2048^3): {peak:.0f} GFLOP/s")
    for name in args.configs.split(","):
        hidden, batch, unroll = CONFIGS[name]
        results = compare_training(name, hidden, batch, unroll, args.rounds, args.seconds, with_torch)
        report["training"][name] = results
        flops = lstm_flops_per_char(hidden)
        print(f"\n{name}: hidden {hidden}, batch {batch}, unroll {unroll} "
              f"({flops / 1e6:.2f} MFLOP per training character)")
        print(f"  {'implementation':<16}{'chars/s':>10}{'(low-high)':>20}{'GFLOP/s':>9}{'% peak':>8}"
              f"{'vs keras':>9}{'first call s':>13}")
        keras_speed = results["keras LSTM"]["chars_per_sec"]
        for key, r in results.items():
            gflops = r["chars_per_sec"] * flops / 1e9
            r.update(gflops=gflops, percent_of_peak=100 * gflops / peak, ratio_to_keras=r["chars_per_sec"] / keras_speed)
            print(f"  {key:<16}{r['chars_per_sec']:>10,.0f}{r['low']:>10,.0f}-{r['high']:<9,.0f}{gflops:>9.1f}"
                  f"{r['percent_of_peak']:>7.0f}%{r['ratio_to_keras']:>8.2f}x{r['first_call_s']:>13.1f}")
    if args.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
