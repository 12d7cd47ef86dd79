"""Every option of a training run in one dataclass, saved as ``config.json`` beside the checkpoints."""

import dataclasses
import json
import typing
from dataclasses import dataclass

from rnncli.data.spec import CorpusSpec
from rnncli.errors import UsageProblem
from rnncli.models.stack_options import StackOptions

#: ``--optimizer`` (built by ``rnncli.optimizers.make_optimizer``).
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
#: ``--on-nan``: what ``max_bad_steps`` non-finite steps in a row do.
ON_NAN = ("stop", "rollback")
#: ``--strategy`` (made by ``rnncli.distribute.make_strategy``).
STRATEGIES = ("default", "mirrored", "multi-worker")
#: ``--schedule`` (``rnncli.schedules``), and the one each optimiser gets when ``--schedule`` is not given: the
#: seed's staircase for SGD, a cosine over the run's budget for the adaptive optimisers.
SCHEDULES = ("staircase", "cosine", "plateau")
DEFAULT_SCHEDULES = {"sgd": "staircase", "momentum": "staircase", "adam": "cosine", "rmsprop": "cosine"}


@dataclass
class TrainConfig(StackOptions, CorpusSpec):
    """The data options (``CorpusSpec``'s fields, first), the stack's (``StackOptions``'s), then the model,
    optimisation and reporting."""

    # model
    cell: str = "lstm"
    hidden: int = 64
    layers: int = 1
    embedding_size: int = 0
    init: str = "uniform"
    orthogonal_scale: float = 1.1
    forget_bias: float = 0.0
    tie_weights: bool = False
    embedding_dropout: float = 0.0
    unroll_mode: str = "auto"
    #: 0: from the step time (``rnncli.steps_per_call.StepsPerCall``)
    steps_per_call: int = 0
    # optimisation (defaults: the Udacity notebook's)
    batch_size: int = 64
    unroll: int = 10
    steps: int = 7001
    max_seconds: float | None = None
    optimizer: str = "sgd"
    lr: float = 10.0
    #: None: ``DEFAULT_SCHEDULES[optimizer]``, resolved when the config is made
    schedule: str | None = None
    warmup_steps: int = 0
    decay_rate: float = 0.1
    decay_steps: int = 5000
    patience: int = 2
    weight_decay: float = 0.0
    #: M of ``rnncli.weight_average`` (0: off)
    average_weights: float = 0.0
    clip_norm: float = 1.25
    norm_stabilizer: float = 0.0
    momentum: float = 0.9
    reset_state_every: int = 0
    seed: int = 0
    # bad numbers
    max_bad_steps: int = 10
    on_nan: str = "stop"
    max_rollbacks: int = 5
    # the recipe the options were filled in from (``rnncli.presets``), if any
    preset: str | None = None
    # reporting
    log_every: int = 100
    eval_every: int = 1000
    sample_every: int = 1000
    sample_length: int = 80
    eval_batch_size: int = 32
    checkpoint_every: int = 1000
    keep_checkpoints: int = 3
    # the model's trainable parameters, recorded once it is built (not an option)
    parameters: int | None = None
    # the corpus a local file or folder held when the run started (``rnncli.data.sources.fingerprint``)
    corpus_bytes: int | None = None
    corpus_sha256: str | None = None
    # one ``{"step": N, "changed": {option: [before, after]}}`` per resume that changed options
    resumes: list = dataclasses.field(default_factory=list)

    def __post_init__(self):
        if self.schedule is None:
            self.schedule = DEFAULT_SCHEDULES[self.optimizer]

    def check(self):
        """Raise ``UsageProblem`` for options that cannot apply together (before TensorFlow loads)."""
        StackOptions.from_config(self).check(self.layers, self.cell)
        if self.tie_weights and self.embedding_size != self.hidden:
            raise UsageProblem(f"--tie-weights shares the embedding with the output layer, so it needs "
                               f"--embedding-size equal to --hidden {self.hidden} (it is {self.embedding_size})")

    def to_json(self):
        return json.dumps(dataclasses.asdict(self), indent=2)

    @classmethod
    def from_json(cls, text):
        """The config saved as ``text``; ``ValueError`` saying what is wrong when it is not a JSON object
        holding at least ``REQUIRED``, or when a known field has a value of the wrong type (unknown fields are
        ignored, missing ones take their defaults: runs saved before a field existed, but a word-level run saved
        before ``--tokenizer`` existed split words on whitespace, and a run saved before ``--schedule`` existed
        followed the staircase whatever its optimiser)."""
        saved = json.loads(text)
        if not isinstance(saved, dict):
            raise ValueError(f"it holds a JSON {type(saved).__name__}, not an object of training options")
        if saved.get("level") == "word":  # a word-level run saved before --tokenizer existed split on whitespace
            saved.setdefault("tokenizer", "whitespace")
        saved.setdefault("schedule", "staircase")  # every optimiser followed the staircase before --schedule
        missing = [name for name in cls.REQUIRED if name not in saved]
        if missing:
            raise ValueError(f"it lacks {', '.join(missing)}: not the config of an rnncli training run")
        hints = typing.get_type_hints(cls)
        for name, value in saved.items():
            if name in hints and not _fits(value, hints[name]):
                raise ValueError(f"{name} is {json.dumps(value)}, not {_describe(hints[name])}")
        return cls(**{name: value for name, value in saved.items() if name in hints})

    #: The fields every run's ``config.json`` has held, from the first version on.
    REQUIRED = ("corpus", "cell", "hidden", "layers", "batch_size", "unroll", "steps", "lr")


def _fits(value, hint):
    """Whether the JSON ``value`` is of type ``hint`` (an int is a float; a bool is not a number)."""
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin in (list, tuple):  # list[int], tuple[int, ...]: JSON has lists only
        return isinstance(value, list) and all(_fits(item, arguments[0]) for item in value)
    if arguments:  # a union such as float | None
        return any(_fits(value, argument) for argument in arguments)
    return isinstance(value, hint)


def _describe(hint):
    return getattr(hint, "__name__", None) or str(hint)
