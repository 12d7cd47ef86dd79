"""An architecture study: every chosen cell trained on the same data, sizes, budget and seeds.

The study directory holds one run directory per (cell, seed) at ``CELL/seedK`` and, once every run is
done, ``study.json``, ``study.csv`` and ``study.png``. A run that finished holds ``result.json`` and is
skipped when the study is run again; a run that was interrupted is resumed from its last checkpoint.

``--match-params N`` picks each cell's hidden size so that the whole model has about N parameters. A
model's parameter count is a polynomial of degree two in the hidden size (weight matrices grow with h²,
vectors and the input and output layers with h), so three tiny models give it exactly and the hidden
size is the root of ``a h² + b h + c = N``.
"""

import csv
import dataclasses
import io
import json
import math
import statistics
from dataclasses import dataclass

import numpy as np
from rich.console import Console

from rnncli.errors import RunFailed
from rnncli.report import training_progress
from rnncli.resume import apply_options, record
from rnncli.run_dir import RunDirectory, write_atomically

RESULT = "result.json"
#: Each study run's own log (what ``rnncli train`` would print), in its run directory.
LOG = "train.log"


def parameter_polynomial(config, vocab_size):
    """``(a, b, c)`` with ``parameters(h) = a h² + b h + c`` for ``config``'s cell and layout."""
    from rnncli.restore import build_model

    sizes = np.array([1.0, 2.0, 3.0])
    counts = [build_model(dataclasses.replace(config, hidden=int(h)), vocab_size).parameter_count for h in sizes]
    return np.linalg.solve(np.vander(sizes, 3), np.array(counts, dtype=float))


def hidden_for_parameters(config, vocab_size, target):
    """The hidden size whose model comes closest to ``target`` parameters (at least 1)."""
    a, b, c = parameter_polynomial(config, vocab_size)
    root = (-b + math.sqrt(b * b - 4 * a * (c - target))) / (2 * a) if a else (target - c) / b
    candidates = {max(1, math.floor(root)), max(1, math.ceil(root))}
    return min(candidates, key=lambda h: abs(a * h * h + b * h + c - target))


@dataclass
class RunResult:
    cell: str
    seed: int
    hidden: int
    parameters: int
    steps: int
    valid_bpc: float
    valid_perplexity: float
    chars_per_sec: float
    wall_seconds: float
    #: The run stopped on non-finite steps; it ranks last (infinite bpc).
    diverged: bool = False


class Study:
    def __init__(self, study_dir, cells, seeds, base_config, match_params=None):
        self.path = study_dir
        self.cells = cells
        self.seeds = seeds
        self.base = base_config
        self.match_params = match_params

    def run_path(self, cell, seed):
        return self.path / cell / f"seed{seed}"

    def plan(self, vocab_size):
        """``{cell: TrainConfig}``: the base options with this cell (and its matched hidden size)."""
        configs = {}
        for cell in self.cells:
            config = dataclasses.replace(self.base, cell=cell)
            if self.match_params:
                config.hidden = hidden_for_parameters(config, vocab_size, self.match_params)
            configs[cell] = config
        return configs

    def train_all(self, configs, given, console, loaded):
        """Train (or resume, or skip) every run; returns their ``RunResult`` in plan order. ``given`` holds the
        options given on the command line: a run resumed from an earlier invocation applies or refuses them
        as ``rnncli train --resume`` does (``rnncli.resume``); ``loaded`` is the study's corpus, read once. Each
        run writes its own log into ``train.log`` in its directory; ``console`` gets one line per run and, on a
        terminal, a bar over the whole study."""
        planned = [dataclasses.replace(config, seed=seed) for config in configs.values() for seed in range(self.seeds)]
        results = []
        progress, task = training_progress(console, len(planned), 0, label="study")
        with progress:
            for number, config in enumerate(planned, 1):
                result, how = self._train_one(config, given, loaded)
                outcome = "diverged" if result.diverged else f"valid bpc {result.valid_bpc:.3f}"
                console.print(f"run {number}/{len(planned)}  {config.cell} seed {config.seed}  {how}  {outcome}  "
                              f"{result.wall_seconds:.0f} s", markup=False)
                progress.update(task, completed=number)
                results.append(result)
        return results

    def _train_one(self, config, given, loaded):
        """``(RunResult, how)``: the run of ``config`` trained, resumed or kept from an earlier invocation."""
        from rnncli.train import Trainer

        path = self.run_path(config.cell, config.seed)
        if (path / RESULT).exists():
            return RunResult(**json.loads((path / RESULT).read_text())), "kept"
        resuming = path.exists() and any(path.iterdir())
        run = RunDirectory.open(path) if resuming else RunDirectory.create(path, config)
        with run.writing(), open(run.path / LOG, "a", encoding="utf-8") as log:
            console = Console(file=log, highlight=False, soft_wrap=True)
            if resuming:
                planned = {name: getattr(config, name) for name in ("cell", "seed", "hidden", "steps", "max_seconds")}
                resumption = apply_options(run.config(), {**given, **planned})
                config, how = resumption.config, "resumed"
                trainer = Trainer(config, run, console, resume=True, fresh_optimizer=resumption.new_optimizer,
                                  loaded=loaded)
                run.save_config(record(resumption, trainer.step))
            else:
                how = f"hidden {config.hidden}"
                trainer = Trainer(config, run, console, loaded=loaded)
            diverged = False
            try:
                trainer.run_training()
            except RunFailed as failure:
                console.print(f"diverged: {failure}")
                diverged = True
        records = run.metrics()
        speeds = [r["chars_per_sec"] for r in records if "chars_per_sec" in r]  # windows without tracing
        final = {"valid_bpc": math.inf, "valid_perplexity": math.inf} if diverged else \
            [r for r in records if "valid_bpc" in r][-1]
        result = RunResult(config.cell, config.seed, config.hidden, trainer.model.parameter_count, trainer.step,
                           final["valid_bpc"], final["valid_perplexity"],
                           statistics.median(speeds) if speeds else math.nan,
                           max((r["elapsed_s"] for r in records if "elapsed_s" in r), default=0.0), diverged)
        write_atomically(path / RESULT, json.dumps(dataclasses.asdict(result)))
        return result, how


def summarise(results):
    """One row per cell, sorted by mean validation bpc: mean and spread (standard deviation) over seeds."""
    rows = []
    for cell in dict.fromkeys(r.cell for r in results):
        runs = [r for r in results if r.cell == cell]
        bpcs = [r.valid_bpc for r in runs]
        rows.append({"cell": cell, "hidden": runs[0].hidden, "parameters": runs[0].parameters, "seeds": len(runs),
                     "valid_bpc_mean": statistics.fmean(bpcs),
                     "valid_bpc_std": statistics.stdev(bpcs) if len(bpcs) > 1 else 0.0,
                     "chars_per_sec": statistics.fmean(r.chars_per_sec for r in runs),
                     "wall_seconds": statistics.fmean(r.wall_seconds for r in runs)})
    return sorted(rows, key=lambda row: row["valid_bpc_mean"])


def write_reports(study, results, rows):
    """``study.json`` (runs and summary), ``study.csv`` (one row per run) and ``study.png``."""
    write_atomically(study.path / "study.json", json.dumps(
        {"summary": rows, "runs": [dataclasses.asdict(r) for r in results]}, indent=2))
    table = io.StringIO()
    writer = csv.DictWriter(table, fieldnames=[f.name for f in dataclasses.fields(RunResult)])
    writer.writeheader()
    writer.writerows(dataclasses.asdict(r) for r in results)
    write_atomically(study.path / "study.csv", table.getvalue())
    plot_study(study, rows, study.path / "study.png")


def validation_curve(study, cell):
    """``(steps, seconds, bpc)`` averaged over the seeds, at the evaluation steps every seed reached."""
    per_seed = []
    for seed in range(study.seeds):
        records = RunDirectory(study.run_path(cell, seed)).metrics()
        elapsed = {r["step"]: r["elapsed_s"] for r in records if "elapsed_s" in r}
        per_seed.append({r["step"]: (elapsed.get(r["step"], math.nan), r["valid_bpc"])
                         for r in records if "valid_bpc" in r})
    steps = sorted(set.intersection(*(set(curve) for curve in per_seed)))
    seconds = [statistics.fmean(curve[s][0] for curve in per_seed) for s in steps]
    bpc = [statistics.fmean(curve[s][1] for curve in per_seed) for s in steps]
    return steps, seconds, bpc


def plot_study(study, rows, path):
    """``study.png``: each cell's validation bpc (mean over seeds) against step and against wall-clock time. Cells
    are told apart by colour and line style together (16 cells stay distinct), the legend outside the plots
    lists them in the table's order with their final figure, and the axis spans the trained range: from just
    below the best value to the highest value any model reaches once it has started learning (its second
    evaluation), so a diverging cell does not flatten the others."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (by_step, by_time) = plt.subplots(1, 2, figsize=(13, 5))
    colours = plt.cm.tab10(np.arange(10))
    styles = ("-", "--", ":", "-.")
    finite = []
    for rank, row in enumerate(rows):
        steps, seconds, bpc = validation_curve(study, row["cell"])
        style = {"marker": ".", "color": colours[rank % 10], "linestyle": styles[rank // 10 % len(styles)],
                 "label": f"{rank + 1}. {row['cell']}  {row['valid_bpc_mean']:.3f}"}
        by_step.plot(steps, bpc, **style)
        by_time.plot(seconds, bpc, **style)
        finite.extend(b for b in bpc[1:] if math.isfinite(b))
    if finite:
        low, high = min(finite), max(finite)
        for axis in (by_step, by_time):
            axis.set_ylim(low - 0.05 * (high - low + 0.1), high + 0.05 * (high - low + 0.1))
    by_step.set(xlabel="step", ylabel="validation bits per character", title="Validation bpc by step")
    by_time.set(xlabel="wall-clock seconds", title="... by wall-clock time")
    for axis in (by_step, by_time):
        axis.grid(alpha=0.3)
    by_time.legend(title="rank, cell, final bpc", fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0))
    figure.suptitle(f"{study.path.name}: {len(rows)} cells, {study.seeds} seed(s) each, ranked by final validation bpc")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def run_study(study_dir, cells, seeds, base, match_params, given, console):
    """Plan, train (resuming what an earlier invocation left) and report a study; returns the summary rows."""
    from rnncli.data.corpus import load_corpus
    from rnncli.data.spec import CorpusSpec
    from rnncli.session import pin_corpus

    base.check()
    pin_corpus(base)
    study = Study(study_dir, cells, seeds, base, match_params)
    loaded = load_corpus(CorpusSpec.of(base), console)  # once for every run of the study
    configs = study.plan(len(loaded[0].vocabulary) if match_params else None)
    if match_params:
        console.print(f"hidden sizes for about {match_params:,} parameters: "
                      + ", ".join(f"{cell} {config.hidden}" for cell, config in configs.items()))
    results = study.train_all(configs, given, console, loaded)
    rows = summarise(results)
    write_reports(study, results, rows)
    return rows
