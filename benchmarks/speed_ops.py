"""Graph ops per training step (function bodies included) and ms/step of rnncli lstm, Keras LSTM and BlockLSTM.

    python benchmarks/speed_ops.py

At the small configuration per-op overhead, not FLOPs, sets the speed: the static unroll has ~3x the ops of
Keras (whose while-loop body counts once).
"""
import sys
import time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))

from speed import CONFIGS, block_lstm_trainer, keras_trainer, rnncli_trainer, tf, windows

def count_ops(concrete):
    graph = concrete.graph.as_graph_def()
    n = len(graph.node)
    n += sum(len(f.node_def) for f in graph.library.function)
    return n

for name, (h, b, u) in CONFIGS.items():
    row = {}
    for key, build in {"rnncli lstm": lambda: rnncli_trainer("lstm", h, b, u), "keras LSTM": lambda: keras_trainer(h, b, u),
                       "BlockLSTM": lambda: block_lstm_trainer(h, b, u)}.items():
        step = build(); step(0)
        fn = [c.cell_contents for c in step.__closure__ if hasattr(c.cell_contents, "get_concrete_function")][0]
        data = windows(b, u)
        ops = count_ops(fn.get_concrete_function(tf.constant(data[0])))
        began = time.perf_counter(); n = 0
        while time.perf_counter() - began < 2: step(n); n += 1
        row[key] = (ops, 1000 * (time.perf_counter() - began) / n)
    print(name, {k: f"{o} ops, {ms:.1f} ms/step" for k, (o, ms) in row.items()})
