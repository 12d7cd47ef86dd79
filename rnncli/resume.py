"""What options given with ``--resume`` (or by a re-run ``compare``) do to a run: applied, or refused by name.

Applied (``APPLIED``): the budget, the optimisation and the settings of its schedule, the cadence of reports
and checkpoints, what non-finite steps do, the dropout rate and kind, how the loop is unrolled, where layers
run, the download cache and its stall timeout, and the momentum of the weight average. None of them changes the
shape of the weights, the saved state, what the checkpoint holds or the ids the run trains on.

A new ``--lr`` is the base rate of the same schedule; with the staircase, whose count of steps goes on from
the run's:
``lr(step) = lr_0' · decay_rate'^floor(step / decay_steps')`` with ``step`` the steps already taken, so
``--resume RUN --lr 0.5`` at step 6000 with the default decay trains at 0.05. A new ``--optimizer`` starts
with fresh slots (moments), keeping the step count and so the schedule.

Refused: everything else, with the option, both values and why: the architecture and the data (they fix the
weights' shapes and the training ids), the options that only shape a new run's initial weights (``seed``,
``init``, ``orthogonal_scale``, ``forget_bias``) and those that decide which random generators, schedule state
and models the checkpoint holds (``schedule``, ``state_dropout``, ``weight_drop``, ``embedding_dropout``, a
``dropout`` or ``input_dropout`` above 0 for a run that drew no dropout masks, and an ``average_weights`` that
turns the average on or off; another non-zero one applies).
"""

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from rnncli.config import TrainConfig
from rnncli.errors import UsageProblem

APPLIED = ("steps", "max_seconds", "lr", "decay_rate", "decay_steps", "warmup_steps", "patience", "weight_decay",
           "clip_norm", "momentum", "optimizer", "log_every", "eval_every", "sample_every", "checkpoint_every",
           "keep_checkpoints", "on_nan", "max_bad_steps", "max_rollbacks", "max_corpus_bytes", "reset_state_every",
           "dropout", "input_dropout", "variational_dropout", "unroll_mode", "steps_per_call", "layer_devices",
           "data_dir", "stall_timeout", "average_weights")

#: Why each option outside ``APPLIED`` cannot change, by the kind of thing it decides.
_DATA = ("corpus", "valid_size", "test_size", "valid_position", "encoding", "normalize", "level", "vocab_size",
         "max_vocab", "tokenizer", "member")
_INITIAL_WEIGHTS = ("seed", "init", "orthogonal_scale", "forget_bias")
#: Options that decide which random generators and schedule state the checkpoint holds.
_CHECKPOINTED = ("schedule", "state_dropout", "weight_drop", "embedding_dropout")


def _why_fixed(name):
    if name in _CHECKPOINTED:
        return "the run's checkpoint holds what it needs and no more"
    if name in _DATA:
        return "a resumed run trains on the ids it started with"
    if name in _INITIAL_WEIGHTS:
        return "it only shapes a new run's initial weights"
    return "a resumed run keeps its architecture"


def _option(name):
    return "--" + name.replace("_", "-")


def option_text(name, value):
    """Option ``name`` set to ``value`` as the command line writes it: ``--name value``, a flag ``--name`` or
    ``--no-name``."""
    if isinstance(value, bool):
        return _option(name) if value else "--no-" + _option(name)[2:]
    return f"{_option(name)} {value}"


def applied_text(changed):
    """The line that reports ``Resumption.changed``: ``applied: --lr 1.0 -> 0.5, --no-variational-dropout``."""
    return "applied: " + ", ".join(option_text(name, after) if isinstance(after, bool)
                                   else f"{option_text(name, before)} -> {after}"
                                   for name, (before, after) in changed.items())


def same_corpus(saved, given):
    """Whether ``--corpus given`` names the corpus saved as ``saved`` (a local path is compared resolved)."""
    return given == saved or (Path(given).exists() and str(Path(given).resolve()) == saved)


@dataclass
class Resumption:
    """A run's config with the options given on resuming applied, and what they changed."""

    config: TrainConfig
    #: ``{option: [before, after]}`` for every applied option whose value changed.
    changed: dict

    @property
    def new_optimizer(self):
        return "optimizer" in self.changed


def apply_options(saved, given):
    """The ``Resumption`` of ``saved`` (the run's ``TrainConfig``) under ``given`` (``{field: value}`` of the
    options given again); raises ``UsageProblem`` naming every option that may not change."""
    refused = [f"{option_text(name, value)} differs from the run's {_saved_text(name, getattr(saved, name))} "
               f"({_why_fixed(name)})" for name, value in given.items()
               if name not in APPLIED and not _unchanged(saved, name, value)]
    refused += [f"{option_text(name, given[name])} on a run trained without dropout (its checkpoint holds no dropout "
                "generator to continue)" for name in ("dropout", "input_dropout")
                if given.get(name) and not saved.draws_masks]
    averaging, saved_averaging = given.get("average_weights", saved.average_weights), saved.average_weights
    if bool(averaging) != bool(saved_averaging):
        held = (f"with {option_text('average_weights', saved_averaging)} (its checkpoint's model is the average)"
                if saved_averaging else "without a weight average (its checkpoint holds none)")
        refused.append(f"{option_text('average_weights', averaging)} on a run trained {held}")
    if refused:
        raise UsageProblem("; ".join(refused) + ". Start a new run to change them")
    changed = {name: [getattr(saved, name), value] for name, value in given.items()
               if name in APPLIED and getattr(saved, name) != value}
    config = dataclasses.replace(saved, **{name: after for name, (_, after) in changed.items()})
    return Resumption(config, changed)


def _saved_text(name, value):
    return option_text(name, value) if isinstance(value, bool) else value


def _unchanged(saved, name, value):
    if name == "corpus":
        return same_corpus(saved.corpus, value)
    return getattr(saved, name) == value


def record(resumption, step):
    """``resumption.config`` with this resume, at ``step``, appended to its ``resumes`` history."""
    return dataclasses.replace(resumption.config,
                               resumes=[*resumption.config.resumes, {"step": step, "changed": resumption.changed}])
