"""``rnncli train``: a new run, or ``--resume RUN`` with the options that may change (``rnncli.resume``)."""

import json

import rich_click as click

from rnncli.cli.options import OPTIMISATION, RUN_DIRECTORY, json_option, options_given, run_options, strategy_options
from rnncli.config import TrainConfig
from rnncli.presets import PRESETS, with_preset


@click.command()
@run_options
@click.option("--preset", type=click.Choice(list(PRESETS)), panel=OPTIMISATION,
              help="Fill in a measured recipe (options given here still win): " + "; ".join(
                  f"{preset.name}: {preset.description}" for preset in PRESETS.values()) + ". README gives each "
              "one's measured result.")
@strategy_options
@click.option("--run-dir", type=click.Path(), panel=RUN_DIRECTORY,
              help="Where the run is written (default runs/<time>-<cell>).")
@click.option("--resume", "resume_dir", type=click.Path(), panel=RUN_DIRECTORY,
              help="Continue the run in this directory; options given with it change the run or are refused.")
@json_option("one JSON summary object")
def train(preset, run_dir, resume_dir, json_output, strategy, replicas, workers, task_index, **options):
    """Train a character language model built from a low-level recurrent cell.

    Defaults are the Udacity text8 notebook's: a 64-unit LSTM, batch 64, 10-character windows, SGD from
    lr 10 decayed x0.1 every 5000 steps, clipping at 1.25, 7001 steps. --preset fills in a measured recipe
    instead (cpu-short, cpu-long and cpu-30min train well in minutes on a CPU with --max-seconds).

    With --resume, the budget, optimisation, schedule settings, cadence, --on-nan, --dropout, --input-dropout
    and devices may change; the architecture, data, initialisation and the kind of schedule may not (the error
    names them).
    """
    from rnncli.report import make_console
    from rnncli.session import train_new, train_resumed

    console = make_console(json_output)
    strategy_options = (strategy, replicas, workers, task_index)
    if resume_dir:
        if run_dir:
            raise click.UsageError("--resume names the run directory already; drop --run-dir")
        if preset:
            raise click.UsageError("--preset fills in a new run's options; a resumed run keeps its own")
        summary = train_resumed(resume_dir, options_given(options), console, strategy_options)
    else:
        config = TrainConfig(**{**options, **with_preset(preset, options_given(options))}, preset=preset)
        summary = train_new(config, run_dir, console, strategy_options)
    if json_output:
        click.echo(json.dumps(summary))
