"""The ``rnncli`` command line: parses and validates options, then hands plain values to library code.

TensorFlow is imported inside the commands, so ``--help`` answers at once.
"""

import dataclasses
import json
import sys

import rich_click as click

from rnncli.cells import CELL_NAMES
from rnncli.cells.initializers import SCHEMES
from rnncli.config import TrainConfig
from rnncli.errors import UsageProblem

click.rich_click.USE_MARKDOWN = False
click.rich_click.SHOW_ARGUMENTS = True

POSITIVE = click.IntRange(min=1)
NON_NEGATIVE = click.IntRange(min=0)
DEFAULTS = TrainConfig()


def fail(message):
    """Print one clear line on stderr and exit 2 (bad input)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rnncli")
def main():
    """Train, sample and evaluate recurrent networks written from scratch in TensorFlow 2.

    Every cell is its textbook equations in a few lines of TensorFlow; rnncli trains them as character
    language models with truncated BPTT, saved state, clipping and decayed SGD.
    """
    from rnncli.tensorflow_quiet import route_native_logs_to_null

    route_native_logs_to_null()


@main.command()
@click.option("--corpus", default=DEFAULTS.corpus, show_default=True,
              help="Catalog name (text8, tinyshakespeare), path to a UTF-8 text file, http(s) URL, or - for stdin.")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Download cache (default $RNNCLI_DATA_DIR, "
              "else the platform cache folder).")
@click.option("--valid-size", type=NON_NEGATIVE, help="Validation characters (default: the corpus's, e.g. "
              "5M for text8, else 10%).")
@click.option("--test-size", type=NON_NEGATIVE, help="Test characters taken from the end (default: the corpus's).")
@click.option("--valid-position", type=click.Choice(["end", "start"]), default="end", show_default=True,
              help="Where validation text sits: after the training text, or at the start (the Udacity seed).")
@click.option("--cell", type=click.Choice(CELL_NAMES), default=DEFAULTS.cell, show_default=True,
              help="Recurrent cell (Greff et al. 2015 names).")
@click.option("--hidden", type=POSITIVE, default=DEFAULTS.hidden, show_default=True, help="Units per layer.")
@click.option("--layers", type=POSITIVE, default=DEFAULTS.layers, show_default=True, help="Stacked layers.")
@click.option("--embedding-size", type=NON_NEGATIVE, default=0, show_default=True,
              help="Embedding width; 0 feeds one-hot characters (the seed).")
@click.option("--init", type=click.Choice(SCHEMES), default=DEFAULTS.init, show_default=True,
              help="Weight initialiser.")
@click.option("--orthogonal-scale", type=click.FloatRange(min=0, min_open=True), default=1.1, show_default=True)
@click.option("--forget-bias", type=float, default=0.0, show_default=True,
              help="Added to the forget-gate bias (Jozefowicz et al. recommend 1.0).")
@click.option("--unroll-mode", type=click.Choice(["static", "dynamic"]), default="static", show_default=True,
              help="Python loop traced once, or tf.while_loop.")
@click.option("--batch-size", type=POSITIVE, default=DEFAULTS.batch_size, show_default=True)
@click.option("--unroll", type=POSITIVE, default=DEFAULTS.unroll, show_default=True,
              help="Characters per window of truncated BPTT.")
@click.option("--steps", type=POSITIVE, default=DEFAULTS.steps, show_default=True,
              help="Training steps (with --resume: the new total).")
@click.option("--optimizer", type=click.Choice(["sgd", "momentum", "adam", "rmsprop"]), default="sgd",
              show_default=True)
@click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=DEFAULTS.lr, show_default=True,
              help="Initial learning rate.")
@click.option("--decay-rate", type=click.FloatRange(min=0, min_open=True, max=1), default=DEFAULTS.decay_rate,
              show_default=True, help="lr x decay-rate every --decay-steps steps (staircase).")
@click.option("--decay-steps", type=POSITIVE, default=DEFAULTS.decay_steps, show_default=True)
@click.option("--clip-norm", type=click.FloatRange(min=0, min_open=True), default=DEFAULTS.clip_norm,
              show_default=True, help="Global-norm gradient clipping.")
@click.option("--momentum", type=click.FloatRange(0, 1), default=DEFAULTS.momentum, show_default=True,
              help="Momentum of --optimizer momentum.")
@click.option("--reset-state-every", type=NON_NEGATIVE, default=0, show_default=True,
              help="Zero the saved state every N steps (0: never, as the seed).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of weights, sampling and TensorFlow.")
@click.option("--log-every", type=POSITIVE, default=DEFAULTS.log_every, show_default=True)
@click.option("--eval-every", type=POSITIVE, default=DEFAULTS.eval_every, show_default=True)
@click.option("--sample-every", type=NON_NEGATIVE, default=DEFAULTS.sample_every, show_default=True,
              help="Print five sample lines every N steps (0: never).")
@click.option("--checkpoint-every", type=POSITIVE, default=DEFAULTS.checkpoint_every, show_default=True)
@click.option("--keep-checkpoints", type=POSITIVE, default=DEFAULTS.keep_checkpoints, show_default=True)
@click.option("--run-dir", type=click.Path(), help="Where the run is written (default runs/<time>-<cell>).")
@click.option("--resume", "resume_dir", type=click.Path(), help="Continue the run in this directory.")
@click.option("--json", "json_output", is_flag=True, help="Print one JSON summary object on stdout.")
def train(run_dir, resume_dir, json_output, **options):
    """Train a character language model built from a low-level recurrent cell.

    Defaults are the Udacity text8 notebook's: a 64-unit LSTM, batch 64, 10-character windows, SGD from
    lr 10 decayed x0.1 every 5000 steps, clipping at 1.25, 7001 steps.
    """
    from rnncli.report import make_console

    console = make_console(json_output)
    try:
        summary = _train(run_dir, resume_dir, options, console)
    except UsageProblem as problem:
        fail(problem)
    except KeyboardInterrupt:
        sys.exit(130)
    if json_output:
        click.echo(json.dumps(summary))


def _train(run_dir, resume_dir, options, console):
    from rnncli.run_dir import RunDirectory, default_run_path
    from rnncli.train import Trainer

    if resume_dir:
        run = RunDirectory.open(resume_dir)
        config = run.config()
        given = click.get_current_context()
        for name in TrainConfig.ARCHITECTURE + ("corpus",):
            if given.get_parameter_source(name).name == "COMMANDLINE" and options[name] != getattr(config, name):
                raise UsageProblem(f"--{name.replace('_', '-')} {options[name]} differs from the run's "
                                   f"{getattr(config, name)}; a resumed run keeps its architecture and corpus")
        if given.get_parameter_source("steps").name == "COMMANDLINE":
            config.steps = options["steps"]
            run.save_config(config)
        trainer = Trainer(config, run, console, resume=True)
    else:
        config = TrainConfig(**options)
        run = RunDirectory.create(run_dir or default_run_path(config.cell), config)
        trainer = Trainer(config, run, console)
    summary = trainer.run_training()
    return {**summary, "config": dataclasses.asdict(config)}


@main.command()
@click.argument("run_dir", type=click.Path())
@click.option("--length", type=POSITIVE, default=500, show_default=True, help="Characters to generate.")
@click.option("--temperature", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Divides the logits; 0 picks the most likely character.")
@click.option("--prime", default="", help="Text that warms up the state; the sample continues it.")
@click.option("--prime-file", type=click.Path(exists=True, dir_okay=False), help="Read the priming text from a file.")
@click.option("--num-samples", type=POSITIVE, default=1, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same text.")
@click.option("--json", "json_output", is_flag=True, help="Print one JSON object on stdout.")
def sample(run_dir, length, temperature, prime, prime_file, num_samples, seed, json_output):
    """Generate text from a trained run."""
    from pathlib import Path

    from rnncli.restore import load_trained
    from rnncli.sample import Sampler

    if prime_file:
        prime = Path(prime_file).read_text(encoding="utf-8")
    try:
        _, _, vocabulary, model = load_trained(run_dir)
        unknown = vocabulary.unknown_characters(prime)
        if unknown:
            raise UsageProblem(f"--prime has characters outside the run's vocabulary: {''.join(unknown)!r}")
    except UsageProblem as problem:
        fail(problem)
    prime_ids, _ = vocabulary.encode(prime)
    ids = Sampler(model).sample(prime_ids, length, num_samples, temperature, seed)
    texts = [prime + vocabulary.decode(row) for row in ids]
    if json_output:
        click.echo(json.dumps({"text": texts[0], "texts": texts}))
    else:
        click.echo("\n\n".join(texts))


@main.command(name="eval")
@click.argument("run_dir", type=click.Path())
@click.option("--corpus", required=True, help="Catalog name, text file, http(s) URL, or - for stdin.")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Download cache.")
@click.option("--json", "json_output", is_flag=True, help="Print one JSON object on stdout.")
def evaluate(run_dir, corpus, data_dir, json_output):
    """Perplexity and bits per character of a text under a trained run."""
    from rnncli.data.corpus import read_corpus
    from rnncli.evaluate import Evaluator
    from rnncli.report import make_console
    from rnncli.restore import load_trained

    console = make_console(json_output)
    try:
        _, config, vocabulary, model = load_trained(run_dir)
        text = read_corpus(corpus, data_dir, console).text
        ids, unknown = vocabulary.encode(text)
        if len(ids) < 2:
            raise UsageProblem(f"--corpus {corpus}: fewer than two characters of the run's vocabulary")
    except UsageProblem as problem:
        fail(problem)
    result = Evaluator(model, config.eval_batch_size)(ids)
    summary = {"perplexity": result.perplexity, "bpc": result.bpc, "characters": result.characters,
               "unknown_characters_skipped": unknown}
    if json_output:
        click.echo(json.dumps(summary))
    else:
        console.print(f"{result.characters:,} characters: perplexity {result.perplexity:.3f}, "
                      f"{result.bpc:.4f} bits per character" + (f" ({unknown:,} unknown characters skipped)"
                                                                 if unknown else ""))


from rnncli.cli_diagonal import diagonal  # noqa: E402  (its own module; imported last, it imports nothing from here)

main.add_command(diagonal)
