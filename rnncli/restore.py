"""Building a model from a run's config, and restoring a trained one from its run directory."""

from rnncli.cells.initializers import WeightInit
from rnncli.data.vocabulary import Vocabulary
from rnncli.models.char_lm import CharLanguageModel
from rnncli.models.stack_options import StackOptions
from rnncli.run_dir import RunDirectory
from rnncli.tensorflow_quiet import tf


def build_model(config, vocab_size):
    init = WeightInit(config.init, seed=config.seed, orthogonal_scale=config.orthogonal_scale)
    return CharLanguageModel(vocab_size, config.cell, config.hidden, config.layers, config.embedding_size,
                             init, config.forget_bias, config.unroll_mode, StackOptions.from_config(config))


def load_trained(path, checkpoint="latest"):
    """``(run, config, vocabulary, model)`` with the weights of the run's checkpoint ``checkpoint`` (``latest``,
    ``best`` or a kept step)."""
    run = RunDirectory.open(path)
    config = run.config()
    vocabulary = Vocabulary.from_json(run.vocab_path.read_text(encoding="utf-8"))
    model = build_model(config, len(vocabulary))
    tf.train.Checkpoint(model=model).restore(run.checkpoint_path(checkpoint)).expect_partial()
    return run, config, vocabulary, model
