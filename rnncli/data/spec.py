"""What decides the ids a corpus becomes: the data options of a run, shared by ``train``, ``eval`` and
``datasets info``. ``None`` means "the corpus's default" (see ``rnncli.data.catalog.CorpusDefaults``); a run
saves the values it resolved, so resuming, sampling and evaluating map text to the same ids.
"""

import dataclasses
from dataclasses import dataclass

NORMALIZATIONS = ("none", "lower", "text8")
LEVELS = ("char", "word")
#: ``--tokenizer`` (``rnncli.data.words``): how words are split at ``--level word``.
TOKENIZERS = ("words", "whitespace")
#: The widest character vocabulary accepted unless ``--max-vocab`` says otherwise; more usually means the
#: wrong encoding or binary data.
MAX_CHARACTERS = 5000
#: The most bytes a corpus is read to, unless ``--max-corpus-bytes`` says otherwise: a device or a stream
#: that never ends (``/dev/zero`` through a pipe) fails at this size instead of filling the memory.
MAX_CORPUS_BYTES = 4 * 2**30
#: The word vocabulary when neither the corpus nor ``--vocab-size`` gives one (the Penn Treebank's).
WORD_VOCAB_SIZE = 10000


@dataclass
class CorpusSpec:
    corpus: str = "text8"
    data_dir: str | None = None
    valid_size: int | None = None
    test_size: int | None = None
    valid_position: str = "end"
    encoding: str | None = None
    normalize: str | None = None
    level: str | None = None
    vocab_size: int | None = None
    #: How ``--level word`` splits words (``rnncli.data.words.TOKENIZERS``); None at character level.
    tokenizer: str | None = None
    max_vocab: int = MAX_CHARACTERS
    #: The file of an archive to read (``--member``), when it holds more than one.
    member: str | None = None
    #: Seconds without a byte from the server before a download counts as stalled (and is retried).
    stall_timeout: float = 30.0
    max_corpus_bytes: int = MAX_CORPUS_BYTES

    @classmethod
    def of(cls, options, **changes):
        """The spec held by ``options`` (a ``TrainConfig`` or anything with these fields), with ``changes``."""
        return cls(**{f.name: getattr(options, f.name) for f in dataclasses.fields(cls)} | changes)
