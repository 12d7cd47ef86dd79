"""What the commands share: the one-line failure, and the options that decide how a corpus becomes ids.

Imports neither TensorFlow nor NumPy, so ``--help`` stays instant.
"""

import codecs
import sys

import rich_click as click

from rnncli.data.spec import LEVELS, MAX_CHARACTERS, NORMALIZATIONS

POSITIVE = click.IntRange(min=1)
NON_NEGATIVE = click.IntRange(min=0)


def fail(message):
    """Print one clear line on stderr and exit 2 (bad input)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def _known_encoding(context, parameter, value):
    if value is not None:
        try:
            codecs.lookup(value)
        except LookupError:
            raise click.BadParameter(f"{value!r} is not an encoding Python knows (e.g. utf-8, latin-1)") from None
    return value


def encoding_option(default_is):
    return click.option("--encoding", callback=_known_encoding,
                        help=f"Text encoding of the corpus (default: {default_is}).")


def normalize_option(default_is):
    return click.option("--normalize", type=click.Choice(NORMALIZATIONS),
                        help=f"none, lower, or text8: lowercase a-z and single spaces (default: {default_is}).")


CORPUS_OPTIONS = [
    click.option("--data-dir", type=click.Path(file_okay=False),
                 help="Download cache (default $RNNCLI_DATA_DIR, else the platform cache folder)."),
    click.option("--valid-size", type=NON_NEGATIVE, help="Validation symbols (default: the corpus's, e.g. 5M for "
                 "text8 or the Penn Treebank's own file, else 10%)."),
    click.option("--test-size", type=NON_NEGATIVE, help="Test symbols taken from the end (default: the corpus's)."),
    click.option("--valid-position", type=click.Choice(["end", "start"]), default="end", show_default=True,
                 help="Where validation text sits: after the training text, or at the start (the Udacity seed)."),
    encoding_option("the corpus's, else utf-8"),
    normalize_option("the corpus's, else none"),
    click.option("--level", type=click.Choice(LEVELS),
                 help="Model characters, or whitespace-separated words with <eos> at line ends "
                 "(default: the corpus's, else char)."),
    click.option("--vocab-size", type=click.IntRange(min=2),
                 help="At most N symbols: the most frequent, with <unk> for the rest (default: every character; "
                 "10000 words)."),
    click.option("--max-vocab", type=POSITIVE, default=MAX_CHARACTERS, show_default=True,
                 help="Refuse a character vocabulary larger than this (a wrong --encoding or binary data)."),
]


def corpus_options(command):
    """Decorate ``command`` with every option of ``CORPUS_OPTIONS`` (train and datasets info share them)."""
    for option in reversed(CORPUS_OPTIONS):
        command = option(command)
    return command
