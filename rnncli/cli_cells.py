"""``rnncli cells``: the recurrent cells as a table, one cell's equations, or either as JSON for scripts."""

import inspect
import json

import rich_click as click

from rnncli.cells import CELL_NAMES, REGISTRY, cell_class, lookup, parameter_count
from rnncli.cli_options import POSITIVE


def describe(entry, input_size, hidden_size):
    return {"name": entry.name, "aliases": list(entry.aliases), "family": entry.family, "paper": entry.paper,
            "parameters": parameter_count(entry.name, input_size, hidden_size)}


@click.command(name="cells")
@click.argument("name", required=False, type=click.Choice(CELL_NAMES))
@click.option("--hidden", type=POSITIVE, default=64, show_default=True, help="Units of the layer counted.")
@click.option("--input", "input_size", type=POSITIVE,
              help="Input width of the layer counted (default: --hidden, as in the seeds).")
@click.option("--json", "json_output", is_flag=True, help="Print one JSON object on stdout.")
def cells(name, hidden, input_size, json_output):
    """List the recurrent cells: name, family, paper and the parameters of one layer; with NAME, show that
    cell's equations."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from rnncli.report import make_console

    input_size = input_size or hidden
    sizes = {"input": input_size, "hidden": hidden}
    console = make_console(json_output)
    if name:
        cell = {**describe(lookup(name), input_size, hidden), "equations": inspect.getdoc(cell_class(name))}
        if json_output:
            click.echo(json.dumps({**cell, **sizes}))
            return
        aliases = f" (alias {', '.join(cell['aliases'])})" if cell["aliases"] else ""
        console.print(Panel(Text(cell["equations"]), title=f"[bold]{cell['name']}[/bold]{aliases}: {cell['paper']}",
                            title_align="left"))
        console.print(f"{cell['parameters']:,} parameters in one layer with {input_size} inputs and {hidden} units")
        return
    listed = [describe(entry, input_size, hidden) for entry in REGISTRY.values()]
    if json_output:
        click.echo(json.dumps({**sizes, "cells": listed}))
        return
    table = Table(title=f"Recurrent cells: parameters of one layer with {input_size} inputs and {hidden} units")
    for column, justify in [("name", "left"), ("family", "left"), ("paper", "left"), ("parameters", "right")]:
        table.add_column(column, justify=justify)
    for cell in listed:
        aliases = f" ({', '.join(cell['aliases'])})" if cell["aliases"] else ""
        table.add_row(cell["name"] + aliases, cell["family"], cell["paper"], f"{cell['parameters']:,}")
    console.print(table)
    console.print("rnncli cells NAME shows a cell's equations.")
