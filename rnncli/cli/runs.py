"""``rnncli runs``: a table of the runs below a folder, or one run in detail; no TensorFlow."""

import json
import os

import rich_click as click

from rnncli.cli.options import json_option
from rnncli.run_table import COLUMNS


@click.command()
@click.argument("folder", type=click.Path(), default="runs")
@click.option("--sort", type=click.Choice(COLUMNS), default="changed", show_default=True,
              help="Column to sort by (numbers and times: largest first).")
@json_option("the rows (or the run's details) as JSON")
def runs(folder, sort, json_output):
    """List the runs below FOLDER (default runs/, compare studies included): cell, size, parameters, step reached,
    best validation bpc, speed, state (running, finished, diverged, interrupted) and last change. FOLDER that is
    itself a run shows that run in detail: options, resumes, best and last figures, files."""
    from dataclasses import asdict

    from rich.table import Table

    from rnncli.report import make_console
    from rnncli.run_dir import CONFIG
    from rnncli.run_table import run_details, run_rows

    console = make_console(json_output)
    if os.path.isfile(os.path.join(folder, CONFIG)):
        details = run_details(folder)
        if json_output:
            click.echo(json.dumps(details))
        else:
            _print_details(console, details)
        return
    rows, unreadable = run_rows(folder, sort)
    for line in unreadable:
        console.print(f"warning: skipped {line}", markup=False)
    if json_output:
        click.echo(json.dumps([asdict(row) for row in rows]))
        return
    table = Table(title=f"{len(rows)} run(s) below {folder} (best bpc: validation bits per symbol @ its step)")
    for header in ("run", "cell", "size", "parameters", "step", "best bpc", "chars/s", "state", "changed"):
        table.add_column(header, justify="right" if header in ("parameters", "step", "chars/s") else "left",
                         overflow="fold", min_width=len("interrupted") if header == "state" else len(header))
    for row in rows:
        best = f"{row.best_valid_bpc:.3f} @{row.best_step}" if row.best_valid_bpc is not None else "-"
        table.add_row(row.name, row.cell, row.shape, f"{row.parameters:,}" if row.parameters else "-",
                      f"{row.step:,} / {row.steps:,}", best,
                      f"{row.chars_per_sec:,.0f}" if row.chars_per_sec else "-", row.state, row.changed[5:])
    console.print(table)


def _print_details(console, details):
    row, config = details["run"], details["config"]
    console.print(f"{row['name']}: {row['cell']} {row['layers']}x{row['hidden']}, {row['state']}, step "
                  f"{row['step']:,} of {row['steps']:,}, last change {row['changed']}", markup=False)
    console.print("options: " + ", ".join(f"{k}={v}" for k, v in config.items() if k != "resumes"), markup=False)
    for resume in config["resumes"]:
        console.print(f"resumed at step {resume['step']}: " + (", ".join(
            f"{k} {before} -> {after}" for k, (before, after) in resume["changed"].items()) or "no change"),
            markup=False)
    if details["best"]:
        best = details["best"]
        console.print(f"best: validation bpc {best['valid_bpc']:.4f} (perplexity {best['valid_perplexity']:.3f}) at "
                      f"step {best['step']}", markup=False)
    console.print("last: " + ", ".join(f"{k} {v:.4g}" for k, v in details["last"].items()), markup=False)
    console.print("files: " + ", ".join(details["files"]), markup=False)
