"""The ``rnncli`` command line: one thin module per command, the options they share in ``options``, errors
shown in one place (``group``). A command parses its options, builds a config or a request, calls one library
function and prints the result. TensorFlow is imported inside the commands that compute, so ``--help``,
``cells`` and ``datasets list`` answer at once.
"""

import rich_click as click

from rnncli.cli.cells import cells
from rnncli.cli.compare import compare
from rnncli.cli.datasets import datasets
from rnncli.cli.diagonal import diagonal
from rnncli.cli.evaluate import evaluate
from rnncli.cli.export import export
from rnncli.cli.group import RnncliGroup, start_command
from rnncli.cli.inspect import inspect
from rnncli.cli.runs import runs
from rnncli.cli.sample import sample
from rnncli.cli.train import train

click.rich_click.TEXT_MARKUP = None
click.rich_click.SHOW_ARGUMENTS = True
click.rich_click.OPTIONS_TABLE_COLUMN_TYPES = ["required", "opt_short", "opt_long", "help"]
click.rich_click.OPTIONS_TABLE_HELP_SECTIONS = ["help", "deprecated", "envvar", "default", "required", "metavar"]


@click.group(cls=RnncliGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rnncli")
@click.option("--debug", is_flag=True, envvar="RNNCLI_DEBUG",
              help="Show Python tracebacks and TensorFlow's native log instead of one-line errors.")
def main(debug):
    """Train, sample and evaluate recurrent networks written from scratch in TensorFlow 2.

    Every cell is its textbook equations in a few lines of TensorFlow; rnncli trains them as character
    language models with truncated BPTT, saved state, clipping and decayed SGD.

    Shell completion: eval "$(_RNNCLI_COMPLETE=bash_source rnncli)" (zsh_source, fish_source likewise).
    """
    start_command(debug)


for command in (train, sample, evaluate, inspect, export, runs, datasets, cells, compare, diagonal):
    main.add_command(command)
