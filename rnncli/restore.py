"""Building a model from a run's config, and restoring a trained one from its run directory."""

import warnings

from rnncli.cells.initializers import WeightInit
from rnncli.checkpoints import restore_newest_readable
from rnncli.models.char_lm import CharLanguageModel
from rnncli.models.stack_options import StackOptions
from rnncli.run_dir import RunDirectory
from rnncli.tensorflow_quiet import tf


def build_model(config, vocab_size):
    init = WeightInit(config.init, seed=config.seed, orthogonal_scale=config.orthogonal_scale)
    return CharLanguageModel(vocab_size, config.cell, config.hidden, config.layers, config.embedding_size,
                             init, config.forget_bias, config.unroll_mode, StackOptions.from_config(config),
                             config.tie_weights, config.embedding_dropout)


def load_trained(path, checkpoint="latest"):
    """``(run, config, vocabulary, model)`` with the weights of the run's checkpoint ``checkpoint``: ``latest``,
    the newest readable one (read without the run's lock: a checkpoint being written is skipped with a
    warning), ``best`` or a kept step."""
    run = RunDirectory.open(path)
    config = run.config()
    vocabulary = run.vocabulary()
    model = build_model(config, len(vocabulary))
    if checkpoint == "latest":
        restore_newest_readable(tf.train.Checkpoint(model=model), run, warnings.warn, partial=True)
    else:
        tf.train.Checkpoint(model=model).restore(run.checkpoint_path(checkpoint)).expect_partial()
    return run, config, vocabulary, model
