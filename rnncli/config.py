"""Every option of a training run in one dataclass, saved as ``config.json`` beside the checkpoints."""

import dataclasses
import json
from dataclasses import dataclass

from rnncli.data.spec import CorpusSpec
from rnncli.models.stack_options import StackOptions

#: ``--optimizer`` (built by ``rnncli.optimizers.make_optimizer``).
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
#: ``--on-nan``: what ``max_bad_steps`` non-finite steps in a row do.
ON_NAN = ("stop", "rollback")
#: ``--strategy`` (made by ``rnncli.distribute.make_strategy``).
STRATEGIES = ("default", "mirrored", "multi-worker")


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
    unroll_mode: str = "auto"
    # optimisation (defaults: the Udacity notebook's)
    batch_size: int = 64
    unroll: int = 10
    steps: int = 7001
    max_seconds: float | None = None
    optimizer: str = "sgd"
    lr: float = 10.0
    decay_rate: float = 0.1
    decay_steps: int = 5000
    clip_norm: float = 1.25
    norm_stabilizer: float = 0.0
    momentum: float = 0.9
    reset_state_every: int = 0
    seed: int = 0
    # bad numbers
    max_bad_steps: int = 10
    on_nan: str = "stop"
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

    def to_json(self):
        return json.dumps(dataclasses.asdict(self), indent=2)

    @classmethod
    def from_json(cls, text):
        """A saved config; a word-level run saved before ``--tokenizer`` existed split words on whitespace."""
        known = {f.name for f in dataclasses.fields(cls)}
        saved = json.loads(text)
        if saved.get("level") == "word":
            saved.setdefault("tokenizer", "whitespace")
        return cls(**{k: v for k, v in saved.items() if k in known})

