"""``rnncli compare``: the architecture study, one command (the study itself is ``rnncli.compare``)."""

import json
from datetime import datetime
from pathlib import Path

import rich_click as click

from rnncli.cells import CELL_NAMES, REGISTRY, lookup
from rnncli.cli.options import POSITIVE, POSITIVE_FLOAT, json_option, options_given
from rnncli.cli.train import train
from rnncli.config import TrainConfig
from rnncli.errors import UsageProblem
from rnncli.presets import with_preset

STUDY = "Study"
#: ``rnncli train`` options that a study sets itself, or that do not apply to a study of local runs.
NOT_FROM_TRAIN = {"cell", "steps", "max_seconds", "seed", "run_dir", "resume_dir", "json_output", "strategy",
                  "replicas", "workers", "task_index"}


def parse_cells(text):
    """``all`` or a comma-separated list of cell names and aliases, as registry names."""
    if text.strip() == "all":
        return list(REGISTRY)
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in CELL_NAMES]
    if unknown or not names:
        raise click.BadParameter(f"unknown cell {', '.join(unknown) or '(none given)'}; "
                                 f"choose from {', '.join(CELL_NAMES)} or all", param_hint="--cells")
    return list(dict.fromkeys(lookup(name).name for name in names))


@click.command()
@click.option("--cells", "cell_list", default="lstm,gru", show_default=True, panel=STUDY,
              help="Comma-separated cells (see `rnncli cells`), or all.")
@click.option("--seeds", type=POSITIVE, default=3, show_default=True, panel=STUDY, help="Runs per cell, seeds 0..N-1.")
@click.option("--budget-steps", type=POSITIVE, panel=STUDY, help="Training steps of every run.")
@click.option("--budget-seconds", type=POSITIVE_FLOAT, panel=STUDY,
              help="Wall-clock seconds of every run (with --budget-steps: whichever ends first).")
@click.option("--match-params", type=POSITIVE, panel=STUDY,
              help="Choose each cell's --hidden so that every model has about this many parameters.")
@click.option("--study-dir", type=click.Path(file_okay=False), panel=STUDY, help="Where the runs and reports go "
              "(default studies/<date>-<time>); running the same command again resumes the study.")
@json_option("the summary as one JSON object")
def compare(cell_list, seeds, budget_steps, budget_seconds, match_params, study_dir, json_output, **options):
    """Train every chosen cell with identical data, sizes, budget and seeds, then rank them by validation
    bits per character (mean and spread over seeds).

    Takes the options of `rnncli train` that describe a run, --preset among them (the study's cells and budget
    replace the preset's; options given here still win). Writes study.json, study.csv and study.png into
    the study directory; running the same command again keeps finished runs and resumes interrupted ones,
    applying or refusing changed options as `rnncli train --resume` does.
    """
    from rich.table import Table

    from rnncli.compare import run_study
    from rnncli.report import make_console

    cells = parse_cells(cell_list)
    if budget_steps is None and budget_seconds is None:
        raise UsageProblem("give a budget: --budget-steps N, --budget-seconds S, or both")
    console = make_console(json_output)
    study_dir = Path(study_dir or f"studies/{datetime.now():%Y%m%d-%H%M%S}")
    preset = options.pop("preset")
    # the preset's recipe counts as given: a re-run study applies or refuses it as it does options
    given = with_preset(preset, options_given(options), set_elsewhere=NOT_FROM_TRAIN)
    base = TrainConfig(**{**options, **given}, preset=preset, steps=budget_steps or 10**12, max_seconds=budget_seconds)
    rows = run_study(study_dir, cells, seeds, base, match_params, given, console)
    table = Table(title=f"Study {study_dir}: {seeds} seed(s) per cell, sorted by validation bpc")
    for header in ("cell", "hidden", "parameters", "valid bpc", "± std", "chars/s", "wall s"):
        table.add_column(header, justify="left" if header == "cell" else "right")
    for row in rows:
        table.add_row(row["cell"], str(row["hidden"]), f"{row['parameters']:,}", f"{row['valid_bpc_mean']:.4f}",
                      f"{row['valid_bpc_std']:.4f}", f"{row['chars_per_sec']:,.0f}", f"{row['wall_seconds']:.1f}")
    console.print(table)
    console.print(f"wrote {study_dir / 'study.json'}, {study_dir / 'study.csv'} and {study_dir / 'study.png'}")
    if json_output:
        click.echo(json.dumps({"study_dir": str(study_dir), "summary": rows}))


compare.params.extend(p for p in train.params if p.name not in NOT_FROM_TRAIN)
