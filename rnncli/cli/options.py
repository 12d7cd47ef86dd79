"""The options the commands share, grouped into the panels ``--help`` shows.

Every default comes from the dataclass that holds the option (``TrainConfig``, ``CorpusSpec``) and every
choice from its registry, so ``--help`` cannot disagree with what a run does. Float options refuse ``nan``
and ``inf``. Imports neither TensorFlow nor NumPy, so ``--help`` stays instant.
"""

import codecs
import dataclasses
import math

import rich_click as click
from click.core import ParameterSource

from rnncli.cells import CELL_NAMES
from rnncli.cells.init_schemes import SCHEMES
from rnncli.config import DEFAULT_SCHEDULES, ON_NAN, OPTIMIZERS, SCHEDULES, STRATEGIES, TrainConfig
from rnncli.data.spec import LEVELS, NORMALIZATIONS, TOKENIZERS
from rnncli.models.stack_options import VERTICAL_MODES
from rnncli.steps_per_call import CALL_SECONDS, MOST_PER_CALL
from rnncli.unroll_modes import UNROLL_MODES, WINDOW_FROM_HIDDEN

POSITIVE = click.IntRange(min=1)
NON_NEGATIVE = click.IntRange(min=0)

DATA, MODEL, STACK = "Data", "Model", "Stack and regularisation"
OPTIMISATION, RUN_DIRECTORY, LOGGING, DEVICES = ("Optimisation and schedule", "Run directory and checkpoints",
                                                 "Logging and sampling", "Devices and distribution")


class FiniteFloat(click.FloatRange):
    """A ``click.FloatRange`` that also refuses ``nan`` and ``±inf`` (which pass every range comparison)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number

    def _describe_range(self):
        return "finite" if self.min is None and self.max is None else super()._describe_range()


FLOAT = FiniteFloat()
POSITIVE_FLOAT = FiniteFloat(min=0, min_open=True)
NON_NEGATIVE_FLOAT = FiniteFloat(min=0)
FRACTION = FiniteFloat(0, 1)
RATE = FiniteFloat(0, 1, max_open=True)

_TRAIN_DEFAULTS = {field.name: field.default for field in dataclasses.fields(TrainConfig)}


def config_option(name, help, panel, type=None, **attrs):
    """``--name`` (underscores as dashes) for the ``TrainConfig`` field ``name``, with the field's default. A
    boolean flag also gets ``--no-name``, so that a run can turn off what a preset turns on."""
    attrs.setdefault("show_default", True)
    option = f"--{name.replace('_', '-')}"
    if attrs.get("is_flag") is True:
        option += f"/--no-{option[2:]}"
    return click.option(option, name, type=type, default=_TRAIN_DEFAULTS[name], help=help, panel=panel, **attrs)


def options_given(options):
    """The ``{name: value}`` of ``options`` that the user gave (on the command line or in the environment), not
    the defaults: what a resume applies or refuses."""
    context = click.get_current_context()
    return {name: value for name, value in options.items()
            if context.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)}


def _known_encoding(context, parameter, value):
    if value is not None:
        try:
            codecs.lookup(value)
        except LookupError:
            raise click.BadParameter(f"{value!r} is not an encoding Python knows (e.g. utf-8, latin-1)") from None
    return value


def encoding_option(default_is):
    return click.option("--encoding", callback=_known_encoding, panel=DATA,
                        help=f"Text encoding of the corpus (default: {default_is}).")


def normalize_option(default_is):
    return click.option("--normalize", type=click.Choice(NORMALIZATIONS), panel=DATA,
                        help=f"none, lower, or text8: lowercase a-z and single spaces (default: {default_is}).")


def data_dir_option():
    return click.option("--data-dir", type=click.Path(file_okay=False), panel=DATA,
                        help="Download cache (default $RNNCLI_DATA_DIR, else the platform cache folder).")


def checkpoint_option():
    return click.option("--checkpoint", default="latest", show_default=True, metavar="latest|best|STEP",
                        help="Which checkpoint: the newest, the one with the best validation perplexity, or a kept "
                        "step (see checkpoints/).")


def json_option(what="one JSON object"):
    return click.option("--json", "json_output", is_flag=True, panel=LOGGING, help=f"Print {what} on stdout.")


def stall_timeout_option():
    return config_option("stall_timeout", "Seconds a download may go without receiving a byte before it is "
                         "retried.", DATA, POSITIVE_FLOAT)


CORPUS_OPTIONS = [
    data_dir_option(),
    config_option("valid_size", "Validation symbols (default: the corpus's, e.g. 5M for text8 or the Penn "
                  "Treebank's own file, else 10%).", DATA, NON_NEGATIVE, show_default=False),
    config_option("test_size", "Test symbols taken from the end (default: the corpus's).", DATA, NON_NEGATIVE,
                  show_default=False),
    config_option("valid_position", "Where validation text sits: after the training text, or at the start (the "
                  "Udacity seed).", DATA, click.Choice(["end", "start"])),
    encoding_option("the corpus's, else utf-8"),
    normalize_option("the corpus's, else none"),
    config_option("level", "Model characters, or words with <eos> at line ends (default: the corpus's, else "
                  "char).", DATA, click.Choice(LEVELS), show_default=False),
    config_option("tokenizer", "How --level word splits words: words (words, numbers and each punctuation mark "
                  "apart, contractions as the Penn Treebank: do n't) or whitespace (default: the corpus's, else "
                  "words).", DATA, click.Choice(TOKENIZERS), show_default=False),
    config_option("vocab_size", "At most N symbols: the most frequent, with <unk> for the rest (default: every "
                  "character; 10000 words).", DATA, click.IntRange(min=2), show_default=False),
    config_option("max_vocab", "Refuse a character vocabulary larger than this (a wrong --encoding or binary "
                  "data).", DATA, POSITIVE),
    config_option("member", "The file to read from an archive (zip, tar.gz, ...) that holds several.", DATA,
                  show_default=False, metavar="NAME"),
    stall_timeout_option(),
    config_option("max_corpus_bytes", "Refuse a corpus (a file, or standard input) larger than this many bytes.",
                  DATA, POSITIVE),
]


def corpus_options(command):
    """Decorate ``command`` with every option of ``CORPUS_OPTIONS`` (train and datasets info share them)."""
    return _decorate(command, CORPUS_OPTIONS)


def _decorate(command, options):
    for option in reversed(options):
        command = option(command)
    return command


def parse_layer_devices(context, parameter, value):
    """``"0,0,1,1"`` -> ``[0, 0, 1, 1]``: one GPU index per layer."""
    if value is None:
        return None
    parts = value.split(",")
    if not all(part.strip().isdigit() for part in parts):
        raise click.BadParameter(f"{value!r}: give one GPU index per layer, comma-separated, e.g. 0,0,1,1")
    return [int(part) for part in parts]


#: The options of ``rnncli train`` that describe a run (``compare`` takes them too), panel by panel.
RUN_OPTIONS = [
    config_option("corpus", "Catalog name (see rnncli datasets list), text file, archive (.zip, .tar.gz, .gz, "
                  ".bz2, .xz), folder of .txt files, http(s) URL, or - for stdin.", DATA),
    *CORPUS_OPTIONS,
    config_option("cell", "Recurrent cell; `rnncli cells` lists them with their equations.", MODEL,
                  click.Choice(CELL_NAMES)),
    config_option("hidden", "Units per layer.", MODEL, POSITIVE),
    config_option("layers", "Stacked layers.", MODEL, POSITIVE),
    config_option("embedding_size", "Embedding width; 0 feeds one-hot characters (the seed).", MODEL, NON_NEGATIVE),
    config_option("init", "Initialiser of every weight: cells, embedding and output layer.", MODEL,
                  click.Choice(SCHEMES)),
    config_option("orthogonal_scale", "Gain of --init orthogonal.", MODEL, POSITIVE_FLOAT),
    config_option("forget_bias", "Added to the bias of the gate that keeps the old state (LSTM forget gate, GRU "
                  "update gate; Jozefowicz et al. recommend 1.0).", MODEL, FLOAT),
    config_option("layer_norm", "Layer-normalised cells (Ba et al. 2016): the LSTM family and the GRU; `rnncli cells "
                  "NAME` gives the equations.", MODEL, is_flag=True),
    config_option("tie_weights", "One matrix for the embedding and the output layer (Press & Wolf 2017); needs "
                  "--embedding-size equal to --hidden.", MODEL, is_flag=True),
    config_option("unroll_mode", "static: Python loop traced once; dynamic: tf.while_loop; window: the static loop "
                  "with the recurrent weight gradients computed once per window (LSTM family and simple RNNs; "
                  f"others run static); auto: window from {WINDOW_FROM_HIDDEN} units, static below.", MODEL,
                  click.Choice(UNROLL_MODES)),
    config_option("steps_per_call", f"Training steps per TensorFlow call (0: as many as run in about "
                  f"{CALL_SECONDS * 1000:g} ms, which speeds up small models; one with --strategy multi-worker); "
                  "logs, evaluations, checkpoints and resets still happen at their step.", MODEL,
                  click.IntRange(0, MOST_PER_CALL)),
    config_option("dropout", "Dropout rate on each layer's input and the output (Zaremba et al.: a new mask every "
                  "step); training only. --input-dropout, when given, replaces it on the first layer's input.",
                  STACK, RATE),
    config_option("input_dropout", "Dropout rate on the first layer's input (the embedding or one-hot vectors) with "
                  "one mask per window for the whole batch, in place of --dropout's there (0: none there). It drops "
                  "columns of the embedding, so that layer projects each symbol of the vocabulary once per window "
                  "instead of every position: faster with a wide embedding. [default: --dropout's masks]", STACK, RATE,
                  show_default=False),
    config_option("variational_dropout", "Draw each --dropout mask once per sequence and window and reuse it at "
                  "every step (Gal & Ghahramani 2016).", STACK, is_flag=True),
    config_option("state_dropout", "Variational dropout rate on the state the recurrence reads, h_t-1 in "
                  "h_t-1 R (one mask per sequence and window; LSTM family and simple RNNs).", STACK, RATE),
    config_option("weight_drop", "DropConnect rate on the recurrent matrices R, one mask per window (Merity et al. "
                  "2017; LSTM family and simple RNNs); the saved weights are never dropped.", STACK, RATE),
    config_option("embedding_dropout", "Rate at which whole symbols are dropped from a window's input (one draw per "
                  "vocabulary entry and window).", STACK, RATE),
    config_option("vertical", "Vertical connections: layer i also receives the previous-step output and/or the "
                  "input of layer i-K-1 (K = --layer-skip).", STACK, click.Choice(VERTICAL_MODES)),
    config_option("layer_skip", "K of --vertical: 0 links each layer to the one below.", STACK, NON_NEGATIVE),
    config_option("residual", "Residual connections between layers (every layer above the first).", STACK,
                  is_flag=True),
    config_option("time_skip", "K > 0: each layer's output of step t-K also feeds step t (0: off).", STACK,
                  NON_NEGATIVE),
    config_option("norm_stabilizer", "Krueger & Memisevic's penalty beta * mean_t (||h_t|| - ||h_t-1||)^2, logged "
                  "apart from the loss; given without a value: 50, the seed's (0: off).", STACK, NON_NEGATIVE_FLOAT,
                  is_flag=False, flag_value=50.0),
    config_option("state_averaging", "ALPHA: each step starts from (1-ALPHA) * last state + ALPHA * mean of the "
                  "states so far; given without a value: 0.5, the seed's (0: off).", STACK, FRACTION,
                  is_flag=False, flag_value=0.5),
    config_option("batch_size", "Rows of a batch: parallel streams through the training text, each with its "
                  "own saved state.", OPTIMISATION, POSITIVE),
    config_option("unroll", "Symbols per window of truncated BPTT.", OPTIMISATION, POSITIVE),
    config_option("steps", "Training steps (with --resume: the new total).", OPTIMISATION, POSITIVE),
    config_option("max_seconds", "Stop (evaluate, checkpoint) once training has run this long, counting earlier "
                  "sessions.", OPTIMISATION, POSITIVE_FLOAT),
    config_option("optimizer", "Optimiser, driven by --schedule.", OPTIMISATION, click.Choice(OPTIMIZERS)),
    config_option("lr", "Base learning rate lr_0.", OPTIMISATION, POSITIVE_FLOAT),
    config_option("schedule", "staircase: lr_0 * decay_rate^floor(step / decay_steps) (the seed's); cosine: from "
                  "lr_0 down to lr_0 * decay_rate over the budget, --steps or --max-seconds, whichever ends the run; "
                  "plateau: x decay_rate after --patience evaluations without a better validation loss. Default: "
                  + ", ".join(f"{schedule} for {optimizer}" for optimizer, schedule in DEFAULT_SCHEDULES.items())
                  + ".", OPTIMISATION, click.Choice(SCHEDULES), show_default=False),
    config_option("warmup_steps", "Raise the learning rate linearly over the first N steps (0: no warm-up).",
                  OPTIMISATION, NON_NEGATIVE),
    config_option("decay_rate", "Learning-rate factor: per --decay-steps (staircase), at the end (cosine), per "
                  "plateau.", OPTIMISATION, FiniteFloat(min=0, min_open=True, max=1)),
    config_option("decay_steps", "Steps between two decays of --schedule staircase.", OPTIMISATION, POSITIVE),
    config_option("patience", "Evaluations without a better validation loss before --schedule plateau lowers the "
                  "rate.", OPTIMISATION, POSITIVE),
    config_option("weight_decay", "Decoupled weight decay (AdamW's): every matrix shrinks by lr * this after each "
                  "update (0: off).", OPTIMISATION, NON_NEGATIVE_FLOAT),
    config_option("average_weights", "Polyak averaging: keep a <- M_n * a + (1 - M_n) * weights after the n-th "
                  "update, M_n = min(M, (1 + n) / (10 + n)), about the last 1 / (1 - M) updates, and evaluate, sample, "
                  "checkpoint and export that average (0: off).",
                  OPTIMISATION, RATE, metavar="M"),
    config_option("clip_norm", "Global-norm gradient clipping.", OPTIMISATION, POSITIVE_FLOAT),
    config_option("momentum", "Momentum of --optimizer momentum.", OPTIMISATION, FRACTION),
    config_option("reset_state_every", "Zero the saved state every N steps (0: never, as the seed).", OPTIMISATION,
                  NON_NEGATIVE),
    config_option("seed", "Seed of weights, sampling and TensorFlow.", OPTIMISATION, int),
    config_option("max_bad_steps", "Non-finite steps in a row (each skipped and counted) before --on-nan acts.",
                  OPTIMISATION, POSITIVE),
    config_option("on_nan", "stop: exit 1 keeping the last good checkpoint; rollback: restore it and halve the lr.",
                  OPTIMISATION, click.Choice(ON_NAN)),
    config_option("max_rollbacks", "Rollbacks (--on-nan rollback) one session makes before it stops with exit 1.",
                  OPTIMISATION, NON_NEGATIVE),
    config_option("checkpoint_every", "Save a checkpoint every N steps (and at the end, and on Ctrl-C).",
                  RUN_DIRECTORY, POSITIVE),
    config_option("keep_checkpoints", "Checkpoints kept: the newest N.", RUN_DIRECTORY, POSITIVE),
    config_option("log_every", "Print and record the average training loss every N steps.", LOGGING, POSITIVE),
    config_option("eval_every", "Evaluate the whole validation split every N steps.", LOGGING, POSITIVE),
    config_option("sample_every", "Print five samples every N steps (0: never).", LOGGING, NON_NEGATIVE),
    config_option("layer_devices", "GPU index per layer, e.g. 0,0,1,1; a GPU this machine lacks falls back to the "
                  "CPU.", DEVICES, callback=parse_layer_devices, metavar="SPEC", show_default=False),
]


def run_options(command):
    """Decorate ``command`` with every option of ``RUN_OPTIONS``."""
    return _decorate(command, RUN_OPTIONS)


STRATEGY_OPTIONS = [
    click.option("--strategy", type=click.Choice(STRATEGIES), default=STRATEGIES[0], show_default=True,
                 panel=DEVICES, help="tf.distribute strategy: one device, local GPUs (or --replicas logical CPUs), "
                 "or several workers."),
    click.option("--replicas", type=click.IntRange(min=2), default=2, show_default=True, panel=DEVICES,
                 help="Logical CPU devices for --strategy mirrored on a machine without a GPU."),
    click.option("--workers", panel=DEVICES,
                 help="host:port of every worker, comma-separated (else TF_CONFIG) for multi-worker."),
    click.option("--task-index", type=NON_NEGATIVE, default=0, show_default=True, panel=DEVICES,
                 help="This worker's place in --workers; worker 0 is the chief that writes the run directory."),
]


def strategy_options(command):
    return _decorate(command, STRATEGY_OPTIONS)
