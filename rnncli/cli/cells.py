"""``rnncli cells``: the recurrent cells as a table, one cell's equations, or either as JSON for scripts.

Imports no TensorFlow: counts and equations come from the registry (``rnncli.cells``).
"""

import json
import re
import shutil
import textwrap

import rich_click as click

from rnncli.cells import CELL_NAMES, LAYER_NORM_CELLS, REGISTRY, equations, lookup, parameter_count
from rnncli.cli.options import POSITIVE, json_option


def describe(entry, input_size, hidden_size):
    """A cell's row; ``layer_norm_parameters`` is its count with ``--layer-norm``, None without that form."""
    layer_normalised = (parameter_count(entry.name, input_size, hidden_size, layer_norm=True)
                        if entry.name in LAYER_NORM_CELLS else None)
    return {"name": entry.name, "aliases": list(entry.aliases), "family": entry.family, "paper": entry.paper,
            "parameters": parameter_count(entry.name, input_size, hidden_size),
            "layer_norm_parameters": layer_normalised}


def plain_text(docstring, width):
    """A docstring's reStructuredText as plain text wrapped at ``width``: literals lose their backquotes and
    ``::`` becomes ``:``; prose paragraphs are refilled, and each indented (equation) line wraps under its
    own indent plus four spaces."""
    text = re.sub(r"``(.*?)``", r"\1", docstring).replace("::\n", ":\n")
    blocks = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        if lines and not lines[0].startswith(" "):
            blocks.append(textwrap.fill(" ".join(line.strip() for line in lines), width, break_on_hyphens=False))
            continue
        wrapped = []
        for line in lines:
            indent = line[:len(line) - len(line.lstrip())]
            wrapped.extend(textwrap.wrap(line.strip(), width, initial_indent=indent,
                                         subsequent_indent=indent + "    ", break_on_hyphens=False))
        blocks.append("\n".join(wrapped))
    return "\n\n".join(blocks)


@click.command(name="cells")
@click.argument("name", required=False, type=click.Choice(CELL_NAMES))
@click.option("--hidden", type=POSITIVE, default=64, show_default=True, help="Units of the layer counted.")
@click.option("--input", "input_size", type=POSITIVE,
              help="Input width of the layer counted (default: --hidden, as in the seeds).")
@json_option()
def cells(name, hidden, input_size, json_output):
    """List the recurrent cells (name, family, paper, parameters of one layer, and with --layer-norm where the
    cell has that form), or show cell NAME's equations."""
    from rich.table import Table

    from rnncli.report import make_console

    input_size = input_size or hidden
    sizes = {"input": input_size, "hidden": hidden}
    console = make_console(json_output)
    if name:
        cell = {**describe(lookup(name), input_size, hidden), "equations": equations(name)}
        if json_output:
            click.echo(json.dumps({**cell, **sizes}))
            return
        aliases = f" (alias {', '.join(cell['aliases'])})" if cell["aliases"] else ""
        click.echo(f"{cell['name']}{aliases}: {cell['paper']}\n")
        click.echo(plain_text(cell["equations"], min(shutil.get_terminal_size().columns, 100)))
        click.echo(f"\n{cell['parameters']:,} parameters in one layer with {input_size} inputs and {hidden} units")
        if cell["layer_norm_parameters"] is not None:
            click.echo(f"{cell['layer_norm_parameters']:,} with --layer-norm")
        return
    listed = [describe(entry, input_size, hidden) for entry in REGISTRY.values()]
    if json_output:
        click.echo(json.dumps({**sizes, "cells": listed}))
        return
    table = Table(title=f"Recurrent cells: parameters of one layer with {input_size} inputs and {hidden} units")
    for column, justify in [("name", "left"), ("family", "left"), ("paper", "left"), ("parameters", "right"),
                            ("with --layer-norm", "right")]:
        table.add_column(column, justify=justify)
    for cell in listed:
        aliases = f" ({', '.join(cell['aliases'])})" if cell["aliases"] else ""
        layer_normalised = "-" if cell["layer_norm_parameters"] is None else f"{cell['layer_norm_parameters']:,}"
        table.add_row(cell["name"] + aliases, cell["family"], cell["paper"], f"{cell['parameters']:,}",
                      layer_normalised)
    console.print(table)
    console.print("rnncli cells NAME shows a cell's equations.")
