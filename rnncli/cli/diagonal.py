"""``rnncli diagonal``: the random-diagonal grid task, a 2D LSTM against 1D LSTMs (seed 001).

Registered on the ``rnncli`` group at the end of ``rnncli.cli``; TensorFlow loads inside the command.
"""

import json

import rich_click as click

from rnncli.cli.options import FLOAT, POSITIVE, POSITIVE_FLOAT, json_option
from rnncli.grid.config import DEVICES, LOSSES, MD_CELLS, MODEL_NAMES, SNAKE_ORDERS, DiagonalConfig

DEFAULTS = DiagonalConfig()
GRID_SIDE = click.IntRange(min=3)


@click.command()
@click.option("--model", type=click.Choice(MODEL_NAMES + ("all",)), default="all", show_default=True,
              help="Model to train; all trains the three in turn on the same data.")
@click.option("--size", type=GRID_SIDE, default=DEFAULTS.height, show_default=True,
              help="Grid height and width.")
@click.option("--height", type=GRID_SIDE, help="Grid height (overrides --size).")
@click.option("--width", type=GRID_SIDE, help="Grid width (overrides --size).")
@click.option("--steps", type=POSITIVE, default=DEFAULTS.steps, show_default=True,
              help="Training steps, a fresh batch each.")
@click.option("--batch-size", type=POSITIVE, default=DEFAULTS.batch_size, show_default=True,
              help="Grids per training step.")
@click.option("--hidden", type=POSITIVE, default=DEFAULTS.hidden, show_default=True, help="Units of each LSTM.")
@click.option("--lr", type=POSITIVE_FLOAT, default=DEFAULTS.lr, show_default=True,
              help="Adam learning rate.")
@click.option("--md-cell", type=click.Choice(MD_CELLS), default=DEFAULTS.md_cell, show_default=True,
              help="graves: a forget gate per dimension (Graves et al. 2007); stable: one forget gate times "
                   "a lambda-weighted mix of the two predecessors (Leifert et al. 2016).")
@click.option("--layer-norm/--no-layer-norm", default=DEFAULTS.layer_norm, show_default=True,
              help="Layer-normalise the MD-LSTM's gates and cell, as the seed did.")
@click.option("--forget-bias", type=FLOAT, default=DEFAULTS.forget_bias, show_default=True,
              help="Initial bias of the MD-LSTM's forget gates (the 1D LSTMs keep the seed's 1.0).")
@click.option("--snake-order", type=click.Choice(SNAKE_ORDERS), default=DEFAULTS.snake_order, show_default=True,
              help="How snake_sd_lstm reads the grid: every row left to right, or every other row reversed.")
@click.option("--loss", type=click.Choice(LOSSES), default=DEFAULTS.loss, show_default=True,
              help="Per-cell loss of the sigmoid outputs: squared error (the seed) or binary cross-entropy.")
@click.option("--device", type=click.Choice(DEVICES), default=DEFAULTS.device, show_default=True,
              help="auto: a GPU when TensorFlow sees one, else the CPU.")
@click.option("--eval-grids", type=POSITIVE, default=DEFAULTS.eval_grids, show_default=True,
              help="Held-out grids the final figures are measured on.")
@click.option("--log-every", type=POSITIVE, default=DEFAULTS.log_every, show_default=True,
              help="Print a line every N steps (metrics.jsonl records every step).")
@click.option("--seed", type=int, default=DEFAULTS.seed, show_default=True, help="Seed of the weights and the data.")
@click.option("--run-dir", type=click.Path(), help="Where the run is written (default runs/<time>-diagonal).")
@json_option("one JSON object, keyed by model name,")
def diagonal(model, size, height, width, run_dir, json_output, **options):
    """Train a 2D LSTM and 1D LSTMs on the random-diagonal task and compare them.

    Each grid is noise with two ones on a line parallel to the diagonal; the target is the grid shifted
    one step left. Only a model that sees up and to the left can predict the second one. Defaults are
    the seed's: 8x8 grids, batch 16, 16 units, Adam 0.01, 1000 steps.
    """
    from rnncli.grid.train import run_task
    from rnncli.report import make_console

    console = make_console(json_output)
    config = DiagonalConfig(models=list(MODEL_NAMES) if model == "all" else [model],
                            height=height or size, width=width or size, **options)
    summary = run_task(config, run_dir, console)
    if json_output:
        click.echo(json.dumps(summary))

