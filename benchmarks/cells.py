"""Every cell trained with the same budget on tinyshakespeare (as packaged with rnncli): parameters, validation
bits per character, and training characters per second, as one table.

Each cell gets the same one-hot character model (one or more layers, softmax output), optimiser, windows and
number of steps, with state carried between windows as ``rnncli train`` does. Characters per second count
training steps only (forward, backward, update), after the first step that traces the graph. Validation is
the last 10% of the text unless ``--valid-size`` says otherwise, evaluated with state carried
(rnncli.evaluate).

    PYTHONPATH=. python benchmarks/cells.py [--steps 300 --hidden 128 --cells lstm gru ...]
    PYTHONPATH=. python benchmarks/cells.py --cells lstm gru --steps 3 --hidden 8 --unroll 5 --valid-size 500  # smoke
"""

import argparse
import time

from rich.console import Console
from rich.table import Table

from rnncli.cells import REGISTRY
from rnncli.cells.initializers import SCHEMES, WeightInit
from rnncli.config import OPTIMIZERS, TrainConfig
from rnncli.data.batches import WindowBatches
from rnncli.data.corpus import load_corpus
from rnncli.data.spec import CorpusSpec
from rnncli.evaluate import Evaluator
from rnncli.models.char_lm import CharLanguageModel
from rnncli.optimizers import make_optimizer
from rnncli.train import make_train_step, saved_state_variables


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="tinyshakespeare", help="as rnncli train's --corpus")
    parser.add_argument("--valid-size", type=int, help="validation characters (default: the last 10%%)")
    parser.add_argument("--cells", nargs="+", choices=list(REGISTRY), default=list(REGISTRY))
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--unroll", type=int, default=50)
    parser.add_argument("--unroll-mode", choices=["static", "dynamic"], default="static")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    parser.add_argument("--lr", type=float, default=0.005)
    parser.add_argument("--clip-norm", type=float, default=5.0)
    parser.add_argument("--init", choices=SCHEMES, default="uniform")
    parser.add_argument("--forget-bias", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def train_and_measure(name, corpus, args):
    """``(parameters, validation bpc, training characters/s)`` of cell ``name`` after ``args.steps`` steps."""
    model = CharLanguageModel(len(corpus.vocabulary), name, args.hidden, args.layers,
                              init=WeightInit(args.init, seed=args.seed), forget_bias=args.forget_bias,
                              unroll_mode=args.unroll_mode)
    config = TrainConfig(optimizer=args.optimizer, lr=args.lr, decay_steps=10 ** 9)
    optimizer, _ = make_optimizer(config)
    step = make_train_step(model, optimizer, saved_state_variables(model, args.batch_size), args.clip_norm)
    batches = WindowBatches(corpus.train, args.batch_size, args.unroll)
    step(batches.window(0))
    started = time.perf_counter()
    for k in range(1, args.steps):
        loss = step(batches.window(k))[0]
    float(loss)  # wait for the last step
    chars_per_second = (args.steps - 1) * args.batch_size * args.unroll / (time.perf_counter() - started)
    return model.parameter_count, Evaluator(model)(corpus.valid).bpc, chars_per_second


def main():
    args = parse_arguments()
    corpus, _ = load_corpus(CorpusSpec(args.corpus, valid_size=args.valid_size, test_size=0))
    console = Console()
    console.print(f"{args.corpus}: {len(corpus.train):,} train / {len(corpus.valid):,} valid characters; "
                  f"{args.layers}x{args.hidden}, batch {args.batch_size}, unroll {args.unroll} "
                  f"({args.unroll_mode}), {args.steps} steps of {args.optimizer} lr {args.lr}, clip {args.clip_norm}, "
                  f"init {args.init}, forget bias {args.forget_bias}")
    table = Table(title="Cells trained with the same budget")
    for column in ("cell", "parameters", "validation bpc", "characters/s"):
        table.add_column(column, justify="left" if column == "cell" else "right")
    for name in args.cells:
        parameters, bpc, speed = train_and_measure(name, corpus, args)
        console.print(f"  {name}: {parameters:,} parameters, {bpc:.3f} bpc, {speed:,.0f} characters/s")
        table.add_row(name, f"{parameters:,}", f"{bpc:.3f}", f"{speed:,.0f}")
    console.print(table)


if __name__ == "__main__":
    main()
