"""The ``rnncli`` command line: parses and validates options, then hands plain values to library code.

TensorFlow is imported inside the commands, so ``--help`` answers at once.
"""

import dataclasses
import json
import sys
import warnings

import rich_click as click

from rnncli.cells import CELL_NAMES
from rnncli.cells.initializers import SCHEMES
from rnncli.cli_cells import cells
from rnncli.cli_compare import compare, inherit_training_options
from rnncli.cli_datasets import datasets
from rnncli.cli_diagonal import diagonal
from rnncli.cli_options import NON_NEGATIVE, POSITIVE, corpus_options, encoding_option, fail, normalize_option
from rnncli.config import TrainConfig
from rnncli.errors import UsageProblem
from rnncli.models.stack_options import VERTICAL_MODES, StackOptions
from rnncli.unroll_modes import UNROLL_MODES, WINDOW_FROM_HIDDEN

click.rich_click.TEXT_MARKUP = None
click.rich_click.SHOW_ARGUMENTS = True

DEFAULTS = TrainConfig()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rnncli")
def main():
    """Train, sample and evaluate recurrent networks written from scratch in TensorFlow 2.

    Every cell is its textbook equations in a few lines of TensorFlow; rnncli trains them as character
    language models with truncated BPTT, saved state, clipping and decayed SGD.
    """
    from rnncli.native_logs import route_native_logs_to_null

    route_native_logs_to_null()
    warnings.formatwarning = lambda message, *_: f"Warning: {message}\n"  # one line, as errors are


def parse_layer_devices(context, parameter, value):
    """``"0,0,1,1"`` -> ``[0, 0, 1, 1]``: one GPU index per layer."""
    if value is None:
        return None
    parts = value.split(",")
    if not all(part.strip().isdigit() for part in parts):
        raise click.BadParameter(f"{value!r}: give one GPU index per layer, comma-separated, e.g. 0,0,1,1")
    return [int(part) for part in parts]


@main.command()
@click.option("--corpus", default=DEFAULTS.corpus, show_default=True,
              help="Catalog name (see rnncli datasets list), text file, folder of .txt files, http(s) URL, or - for "
              "stdin.")
@corpus_options
@click.option("--cell", type=click.Choice(CELL_NAMES), default=DEFAULTS.cell, show_default=True,
              help="Recurrent cell; `rnncli cells` lists them with their equations.")
@click.option("--hidden", type=POSITIVE, default=DEFAULTS.hidden, show_default=True, help="Units per layer.")
@click.option("--layers", type=POSITIVE, default=DEFAULTS.layers, show_default=True, help="Stacked layers.")
@click.option("--embedding-size", type=NON_NEGATIVE, default=0, show_default=True,
              help="Embedding width; 0 feeds one-hot characters (the seed).")
@click.option("--init", type=click.Choice(SCHEMES), default=DEFAULTS.init, show_default=True,
              help="Weight initialiser.")
@click.option("--orthogonal-scale", type=click.FloatRange(min=0, min_open=True), default=1.1, show_default=True)
@click.option("--forget-bias", type=float, default=0.0, show_default=True,
              help="Added to the bias of the gate that keeps the old state (LSTM forget gate, GRU update gate; Jozefowicz et al. recommend 1.0).")
@click.option("--unroll-mode", type=click.Choice(UNROLL_MODES), default=DEFAULTS.unroll_mode,
              show_default=True,
              help="static: Python loop traced once; dynamic: tf.while_loop; window: the static loop with the "
              "recurrent weight gradients computed once per window (LSTM family and simple RNNs; others run "
              f"static); auto: window from {WINDOW_FROM_HIDDEN} units, static below.")
@click.option("--dropout", type=click.FloatRange(0, 1, max_open=True), default=0.0, show_default=True,
              help="Zaremba dropout rate on each layer's input and the output; training only.")
@click.option("--vertical", type=click.Choice(VERTICAL_MODES), default="none",
              show_default=True, help="Vertical connections: layer i also receives the previous-step output "
              "and/or the input of layer i-K-1 (K = --layer-skip).")
@click.option("--layer-skip", type=NON_NEGATIVE, default=0, show_default=True,
              help="K of --vertical: 0 links each layer to the one below.")
@click.option("--residual", is_flag=True, help="Residual connections between layers (every layer above the first).")
@click.option("--time-skip", type=NON_NEGATIVE, default=0, show_default=True,
              help="K > 0: each layer's output of step t-K also feeds step t (0: off).")
@click.option("--norm-stabilizer", type=click.FloatRange(min=0), default=0.0, is_flag=False, flag_value=50.0,
              show_default=True, help="Krueger & Memisevic's penalty beta * mean_t (||h_t|| - ||h_t-1||)^2, "
              "logged apart from the loss; given without a value: 50, the seed's (0: off).")
@click.option("--state-averaging", type=click.FloatRange(0, 1), default=0.0, is_flag=False, flag_value=0.5,
              show_default=True, help="ALPHA: each step starts from (1-ALPHA) * last state + ALPHA * mean of "
              "the states so far; given without a value: 0.5, the seed's (0: off).")
@click.option("--layer-devices", callback=parse_layer_devices, metavar="SPEC",
              help="GPU index per layer, e.g. 0,0,1,1; a GPU this machine lacks falls back to the CPU.")
@click.option("--batch-size", type=POSITIVE, default=DEFAULTS.batch_size, show_default=True)
@click.option("--unroll", type=POSITIVE, default=DEFAULTS.unroll, show_default=True,
              help="Characters per window of truncated BPTT.")
@click.option("--steps", type=POSITIVE, default=DEFAULTS.steps, show_default=True,
              help="Training steps (with --resume: the new total).")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True),
              help="Stop (evaluate, checkpoint) once training has run this long, counting earlier sessions.")
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
@click.option("--max-bad-steps", type=POSITIVE, default=DEFAULTS.max_bad_steps, show_default=True,
              help="Non-finite steps in a row (each skipped and counted) before --on-nan acts.")
@click.option("--on-nan", type=click.Choice(["stop", "rollback"]), default=DEFAULTS.on_nan, show_default=True,
              help="stop: exit 1 keeping the last good checkpoint; rollback: restore it and halve the lr.")
@click.option("--log-every", type=POSITIVE, default=DEFAULTS.log_every, show_default=True)
@click.option("--eval-every", type=POSITIVE, default=DEFAULTS.eval_every, show_default=True)
@click.option("--sample-every", type=NON_NEGATIVE, default=DEFAULTS.sample_every, show_default=True,
              help="Print five sample lines every N steps (0: never).")
@click.option("--checkpoint-every", type=POSITIVE, default=DEFAULTS.checkpoint_every, show_default=True)
@click.option("--keep-checkpoints", type=POSITIVE, default=DEFAULTS.keep_checkpoints, show_default=True)
@click.option("--strategy", type=click.Choice(["default", "mirrored", "multi-worker"]), default="default",
              show_default=True, help="tf.distribute strategy: one device, local GPUs (or --replicas logical "
              "CPUs), or several workers.")
@click.option("--replicas", type=click.IntRange(min=2), default=2, show_default=True,
              help="Logical CPU devices for --strategy mirrored on a machine without a GPU.")
@click.option("--workers", help="host:port of every worker, comma-separated (else TF_CONFIG) for multi-worker.")
@click.option("--task-index", type=NON_NEGATIVE, default=0, show_default=True,
              help="This worker's place in --workers; worker 0 is the chief that writes the run directory.")
@click.option("--run-dir", type=click.Path(), help="Where the run is written (default runs/<time>-<cell>).")
@click.option("--resume", "resume_dir", type=click.Path(), help="Continue the run in this directory.")
@click.option("--json", "json_output", is_flag=True, help="Print one JSON summary object on stdout.")
def train(run_dir, resume_dir, json_output, strategy, replicas, workers, task_index, **options):
    """Train a character language model built from a low-level recurrent cell.

    Defaults are the Udacity text8 notebook's: a 64-unit LSTM, batch 64, 10-character windows, SGD from
    lr 10 decayed x0.1 every 5000 steps, clipping at 1.25, 7001 steps.
    """
    from rnncli.report import make_console

    from rnncli.stop_signals import StopRequested
    from rnncli.train import TrainingFailed

    console = make_console(json_output)
    try:
        summary = _train(run_dir, resume_dir, options, console, (strategy, replicas, workers, task_index))
    except UsageProblem as problem:
        fail(problem)
    except TrainingFailed as problem:
        click.echo(f"Error: {problem}", err=True)
        sys.exit(1)
    except StopRequested as stop:
        sys.exit(stop.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    if json_output:
        click.echo(json.dumps(summary))


def _train(run_dir, resume_dir, options, console, strategy_options):
    import shutil
    import tempfile
    from pathlib import Path

    from rnncli.distribute import is_chief, make_strategy
    from rnncli.run_dir import RunDirectory, default_run_path
    from rnncli.train import Trainer

    strategy = make_strategy(*strategy_options)
    scratch = None
    if not is_chief(strategy):  # only the chief writes the run directory; other workers use a scratch copy
        scratch = Path(tempfile.mkdtemp(prefix="rnncli-worker-"))
        if resume_dir:
            resume_dir = shutil.copytree(resume_dir, scratch / "run")
        else:
            run_dir = scratch / "run"
    try:
        if resume_dir:
            run = RunDirectory.open(resume_dir)
            config = run.config()
            given = click.get_current_context()
            for name in TrainConfig.ARCHITECTURE + TrainConfig.DATA:
                if given.get_parameter_source(name).name == "COMMANDLINE" and options[name] != getattr(config, name):
                    raise UsageProblem(f"--{name.replace('_', '-')} {options[name]} differs from the run's "
                                       f"{getattr(config, name)}; a resumed run keeps its architecture and corpus")
            extended = [n for n in ("steps", "max_seconds") if given.get_parameter_source(n).name == "COMMANDLINE"]
            for name in extended:  # the budget is the one thing a resumed run may change
                setattr(config, name, options[name])
            if extended:
                run.save_config(config)
            trainer = Trainer(config, run, console, resume=True, strategy=strategy)
        else:
            config = TrainConfig(**options)
            StackOptions.from_config(config).check(config.layers)
            run = RunDirectory.create(run_dir or default_run_path(config.cell), config)
            trainer = Trainer(config, run, console, strategy=strategy)
        summary = trainer.run_training()
        return {**summary, "config": dataclasses.asdict(config)}
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


@main.command()
@click.argument("run_dir", type=click.Path())
@click.option("--length", type=POSITIVE, default=500, show_default=True, help="Symbols to generate.")
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

    import numpy as np

    from rnncli.data.text import normalize_text
    from rnncli.restore import load_trained
    from rnncli.sample import Sampler

    if prime_file:
        prime = Path(prime_file).read_text(encoding="utf-8")
    try:
        _, config, vocabulary, model = load_trained(run_dir)
        prime = normalize_text(prime, config.normalize)
        unknown = vocabulary.unknown_symbols(prime)
        if unknown:
            separator = "" if vocabulary.level == "char" else " "
            raise UsageProblem(f"--prime has {vocabulary.unit}s outside the run's vocabulary: "
                               f"{separator.join(unknown)!r}")
    except UsageProblem as problem:
        fail(problem)
    prime_ids, _ = vocabulary.encode(prime)
    ids = Sampler(model).sample(prime_ids, length, num_samples, temperature, seed)
    texts = [vocabulary.decode(np.concatenate([prime_ids, row])) for row in ids]
    if json_output:
        click.echo(json.dumps({"text": texts[0], "texts": texts}))
    else:
        click.echo("\n\n".join(texts))


@main.command(name="eval")
@click.argument("run_dir", type=click.Path())
@click.option("--corpus", required=True, help="Catalog name, text file, folder of .txt files, http(s) URL, or - "
              "for stdin.")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Download cache.")
@encoding_option("the run's")
@normalize_option("the run's")
@click.option("--json", "json_output", is_flag=True, help="Print one JSON object on stdout.")
def evaluate(run_dir, corpus, data_dir, encoding, normalize, json_output):
    """Perplexity and bits per symbol (character or word) of a text under a trained run."""
    from rnncli.data.corpus import load_ids
    from rnncli.data.spec import CorpusSpec
    from rnncli.evaluate import Evaluator
    from rnncli.report import make_console
    from rnncli.restore import load_trained

    console = make_console(json_output)
    try:
        _, config, vocabulary, model = load_trained(run_dir)
        spec = CorpusSpec.of(config, corpus=corpus, data_dir=data_dir, encoding=encoding or config.encoding,
                             normalize=normalize or config.normalize)
        ids, unknown = load_ids(spec, vocabulary, console)
        if len(ids) < 2:
            raise UsageProblem(f"--corpus {corpus}: fewer than two {vocabulary.unit}s of the run's vocabulary")
    except UsageProblem as problem:
        fail(problem)
    result = Evaluator(model, config.eval_batch_size)(ids)
    unit, bits = vocabulary.unit, "bpc" if vocabulary.level == "char" else "bits_per_word"
    summary = {"perplexity": result.perplexity, bits: result.bpc, f"{unit}s": result.characters,
               "unknown": unknown, "unknown_as": "<unk>" if vocabulary.has_unknown else "skipped"}
    if json_output:
        click.echo(json.dumps(summary))
    else:
        console.print(f"{result.characters:,} {unit}s: perplexity {result.perplexity:.3f}, {result.bpc:.4f} bits "
                      f"per {unit}" + (f" ({unknown:,} unknown {unit}s {summary['unknown_as']})" if unknown else ""))


main.add_command(datasets)
main.add_command(cells)
inherit_training_options(train)
main.add_command(compare)
main.add_command(diagonal)
