"""``rnncli compare``: the architecture study, one command (the study itself is ``rnncli.compare``)."""

import json
import sys
from datetime import datetime
from pathlib import Path

import rich_click as click

from rnncli.cells import CELL_NAMES, REGISTRY, lookup
from rnncli.cli_options import POSITIVE, fail
from rnncli.errors import UsageProblem

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
@click.option("--cells", "cell_list", default="lstm,gru", show_default=True,
              help="Comma-separated cells (see `rnncli cells`), or all.")
@click.option("--seeds", type=POSITIVE, default=3, show_default=True, help="Runs per cell, seeds 0..N-1.")
@click.option("--budget-steps", type=POSITIVE, help="Training steps of every run.")
@click.option("--budget-seconds", type=click.FloatRange(min=0, min_open=True),
              help="Wall-clock seconds of every run (with --budget-steps: whichever ends first).")
@click.option("--match-params", type=POSITIVE,
              help="Choose each cell's --hidden so that every model has about this many parameters.")
@click.option("--study-dir", type=click.Path(file_okay=False), help="Where the runs and reports go "
              "(default studies/<date>-<time>); running the same command again resumes the study.")
@click.option("--json", "json_output", is_flag=True, help="Print the summary as one JSON object on stdout.")
def compare(cell_list, seeds, budget_steps, budget_seconds, match_params, study_dir, json_output, **options):
    """Train every chosen cell with identical data, sizes, budget and seeds, then rank them by validation
    bits per character (mean and spread over seeds).

    Takes every option of `rnncli train` too. Writes study.json, study.csv and study.png into the study
    directory; finished runs are kept and interrupted ones resumed when the command is run again.
    """
    from rnncli.report import make_console

    console = make_console(json_output)
    try:
        cells = parse_cells(cell_list)
        if budget_steps is None and budget_seconds is None:
            raise UsageProblem("give a budget: --budget-steps N, --budget-seconds S, or both")
        rows = _run_study(console, cells, seeds, budget_steps, budget_seconds, match_params,
                          Path(study_dir or f"studies/{datetime.now():%Y%m%d-%H%M%S}"), options)
    except click.BadParameter:
        raise
    except UsageProblem as problem:
        fail(problem)
    except KeyboardInterrupt:
        sys.exit(130)
    if json_output:
        click.echo(json.dumps({"study_dir": str(study_dir), "summary": rows}))


def _run_study(console, cells, seeds, budget_steps, budget_seconds, match_params, study_dir, options):
    from rich.table import Table

    from rnncli.compare import Study, summarise, write_reports
    from rnncli.config import TrainConfig
    from rnncli.data.corpus import load_corpus
    from rnncli.data.spec import CorpusSpec
    from rnncli.models.stack_options import StackOptions
    from rnncli.train import Trainer

    base = TrainConfig(**options, steps=budget_steps or 10**12, max_seconds=budget_seconds)
    StackOptions.from_config(base).check(base.layers)
    study = Study(study_dir, cells, seeds, base, match_params)
    vocab_size = len(load_corpus(CorpusSpec.of(base), console)[0].vocabulary) if match_params else None
    configs = study.plan(vocab_size)
    if match_params:
        console.print(f"hidden sizes for about {match_params:,} parameters: "
                      + ", ".join(f"{cell} {config.hidden}" for cell, config in configs.items()))
    results = study.train_all(configs, lambda config, run, resume: Trainer(config, run, console, resume),
                              console.print)
    rows = summarise(results)
    write_reports(study, results, rows)
    table = Table(title=f"Study {study_dir}: {seeds} seed(s) per cell, sorted by validation bpc")
    for header in ("cell", "hidden", "parameters", "valid bpc", "± std", "chars/s", "wall s"):
        table.add_column(header, justify="left" if header == "cell" else "right")
    for row in rows:
        table.add_row(row["cell"], str(row["hidden"]), f"{row['parameters']:,}", f"{row['valid_bpc_mean']:.4f}",
                      f"{row['valid_bpc_std']:.4f}", f"{row['chars_per_sec']:,.0f}", f"{row['wall_seconds']:.1f}")
    console.print(table)
    console.print(f"wrote {study_dir / 'study.json'}, {study_dir / 'study.csv'} and {study_dir / 'study.png'}")
    return rows


def inherit_training_options(train_command):
    """Give ``compare`` every option of ``rnncli train`` that a study does not set itself."""
    compare.params.extend(p for p in train_command.params if p.name not in NOT_FROM_TRAIN)
