"""``--preset NAME``: measured recipes that fill in the options of a new run (options given on the command line
still win). Each preset's measured result, and the command that produced it, is in README.md.

``seed`` is the defaults themselves (the Udacity notebook's). The CPU presets are for
``--corpus tinyshakespeare``-sized corpora and a budget of minutes set with ``--max-seconds``: their
``steps`` only bounds the run, the cosine schedule follows the clock.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    #: ``TrainConfig`` fields and their values.
    options: dict


_CPU = {"optimizer": "adam", "schedule": "cosine", "steps": 10**7, "clip_norm": 5.0, "log_every": 200,
        "sample_every": 0}
_TIED = {**_CPU, "cell": "np", "variational_dropout": True, "tie_weights": True, "unroll": 50, "batch_size": 32,
         "eval_every": 1000}

PRESETS = {preset.name: preset for preset in [
    Preset("seed", "the defaults: the Udacity notebook's 64-unit LSTM, SGD 10 -> 1 at step 5000", {}),
    Preset("cpu-short", "budgets up to 5 minutes on a CPU: 1x256 LSTM (no peepholes), Adam 6e-3 cosine over "
           "--max-seconds, batch 64 x 50",
           {**_CPU, "cell": "np", "hidden": 256, "lr": 0.006, "batch_size": 64, "unroll": 50, "eval_every": 500}),
    Preset("cpu-long", "budgets of 10 to 20 minutes on a CPU: 1x448 LSTM (no peepholes) whose 448-wide embedding is "
           "also its output layer (tied), input dropout 0.25 (one mask per window), variational dropout 0.25 on its "
           "output, Adam 4e-3 cosine over --max-seconds with decoupled weight decay 0.05, batch 32 x 50",
           {**_TIED, "hidden": 448, "embedding_size": 448, "input_dropout": 0.25, "dropout": 0.25, "lr": 0.004,
            "weight_decay": 0.05}),
    Preset("cpu-30min", "budgets of about 30 minutes on a CPU: 1x640 LSTM (no peepholes) whose 640-wide embedding "
           "is also its output layer (tied), embedding dropout 0.1, input dropout 0.35 (one mask per window), "
           "variational dropout 0.35 on its output, Adam 3.5e-3 cosine over --max-seconds with decoupled weight "
           "decay 0.1, batch 32 x 50; evaluated and saved as the average of its weights (0.999)",
           {**_TIED, "hidden": 640, "embedding_size": 640, "embedding_dropout": 0.1, "input_dropout": 0.35,
            "dropout": 0.35, "lr": 0.0035, "weight_decay": 0.1, "average_weights": 0.999}),
]}


def preset_options(name):
    """The ``{field: value}`` of preset ``name`` (None: no preset)."""
    return {} if name is None else dict(PRESETS[name].options)


def with_preset(name, given, set_elsewhere=()):
    """The options ``given`` on the command line over preset ``name``'s recipe, less the fields in
    ``set_elsewhere`` (a study sets its cells and budget itself): what a new run takes instead of the defaults.
    A recipe that ties the embedding to the output layer keeps it as wide as a ``hidden`` given without an
    ``embedding_size``, unless ``given`` unties them."""
    recipe = {field: value for field, value in preset_options(name).items() if field not in set_elsewhere}
    if recipe.get("tie_weights") and given.get("tie_weights", True) and "hidden" in given:
        recipe["embedding_size"] = given["hidden"]
    return {**recipe, **given}
