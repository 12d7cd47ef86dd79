"""A 2-layer LSTM with and without dropout, residual connections and the norm stabiliser, trained on
tinyshakespeare with the same budget (steps, batch, window, optimiser): validation bits per character and speed.

    python benchmarks/stack.py [--steps 600] [--hidden 128] [--dropout 0.25] [--beta 50]
    python benchmarks/stack.py --steps 3 --hidden 8 --unroll 5 --valid-size 500  # smoke

tinyshakespeare as packaged with rnncli; its last 10% is the validation text unless ``--valid-size`` says
otherwise. Not a test: it prints figures.
"""

import argparse
import dataclasses
import statistics
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from rnncli.config import TrainConfig
from rnncli.run_dir import RunDirectory
from rnncli.train import Trainer


def variants(dropout, beta):
    """``{name: the options that differ from the plain stack}``."""
    return {
        "2-layer LSTM": {},
        f"+ dropout {dropout}": {"dropout": dropout},
        "+ residual": {"residual": True},
        f"+ norm stabiliser {beta:g}": {"norm_stabilizer": beta},
        "+ all three": {"dropout": dropout, "residual": True, "norm_stabilizer": beta},
    }


def train(config, folder, console):
    """``(validation bpc, median training chars/s)`` of one run; the first log window (tracing) is left out."""
    run = RunDirectory.create(Path(folder) / "run", config)
    summary = Trainer(config, run, console).run_training()
    speeds = [r["chars_per_sec"] for r in run.metrics() if "chars_per_sec" in r][1:]
    return summary["valid_bpc"], statistics.median(speeds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--unroll", type=int, default=50)
    parser.add_argument("--valid-size", type=int, help="validation characters (default: the last 10%%)")
    parser.add_argument("--dropout", type=float, default=0.25)
    parser.add_argument("--beta", type=float, default=50.0)
    args = parser.parse_args()
    base = TrainConfig(corpus="tinyshakespeare", valid_size=args.valid_size, cell="lstm", hidden=args.hidden,
                       layers=2, batch_size=32, unroll=args.unroll, steps=args.steps, optimizer="adam", lr=2e-3,
                       decay_steps=10 * args.steps, clip_norm=5.0, log_every=max(1, args.steps // 10),
                       eval_every=args.steps, sample_every=0, checkpoint_every=args.steps)
    console = Console(stderr=True, highlight=False)
    table = Table(title=f"tinyshakespeare, 2 x {args.hidden} LSTM, batch 32 x {args.unroll} characters, Adam 2e-3, "
                        f"{args.steps} steps")
    for column in ("variant", "validation bpc", "chars/s"):
        table.add_column(column, justify="left" if column == "variant" else "right")
    for name, options in variants(args.dropout, args.beta).items():
        console.rule(name)
        with tempfile.TemporaryDirectory() as folder:
            bpc, speed = train(dataclasses.replace(base, **options), folder, console)
        table.add_row(name, f"{bpc:.3f}", f"{speed:,.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
