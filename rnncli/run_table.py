"""The runs below a folder, one row each, read from their ``config.json``, ``metrics.jsonl`` and best checkpoint
record alone (no TensorFlow), for ``rnncli runs``.

A run's state:

- ``running``: a process holds its lock (``rnncli.run_dir.RunDirectory.is_locked``);
- ``finished``: it reached the ``--steps`` it was asked for, or its ``--max-seconds``;
- ``diverged``: it stopped on non-finite steps (``--on-nan stop`` records that in the metrics);
- ``interrupted``: anything else (Ctrl-C, a kill, a failure): ``rnncli train --resume`` continues it.
"""

import math
import os
from dataclasses import asdict, dataclass
from datetime import datetime

from rnncli.errors import UsageProblem
from rnncli.run_dir import CONFIG, VOCAB, RunDirectory

STATES = ("running", "finished", "diverged", "interrupted")


@dataclass
class RunRow:
    name: str
    cell: str
    layers: int
    hidden: int
    parameters: int | None
    step: int
    steps: int
    best_valid_bpc: float | None
    best_step: int | None
    chars_per_sec: float | None
    state: str
    changed: str

    @property
    def shape(self):
        return f"{self.layers}x{self.hidden}"


COLUMNS = tuple(field for field in RunRow.__dataclass_fields__)


def find_runs(folder):
    """Every run directory at or below ``folder`` (a folder holding ``config.json`` and ``vocab.json``), sorted."""
    found = []
    for path, folders, files in os.walk(folder):
        if CONFIG in files and VOCAB in files:
            found.append(path)
            folders.clear()  # a run's own folders (checkpoints/, tensorboard/) hold no runs
        folders[:] = [name for name in folders if not name.startswith(".")]
    return sorted(found)


def describe_run(path, root):
    """The ``RunRow`` of the run at ``path``, named relative to ``root``."""
    run = RunDirectory(path)
    config = run.config()
    records = run.metrics()
    steps_done = max(run.checkpoint_steps(), default=0)
    logs = [r for r in records if "loss" in r]
    speeds = [r["chars_per_sec"] for r in logs if "chars_per_sec" in r]
    best = run.best_record() or min((r for r in records if "valid_bpc" in r),
                                    key=lambda r: r["valid_bpc"], default=None)
    elapsed = max((r.get("elapsed_s", 0.0) for r in logs), default=0.0)
    changed = max((p.stat().st_mtime for p in run.path.iterdir()), default=run.path.stat().st_mtime)
    return RunRow(
        name=os.path.relpath(path, root), cell=config.cell, layers=config.layers, hidden=config.hidden,
        parameters=config.parameters, step=steps_done, steps=config.steps,
        best_valid_bpc=best["valid_bpc"] if best else None, best_step=best["step"] if best else None,
        chars_per_sec=speeds[-1] if speeds else None,
        state=_state(run, config, records, steps_done, elapsed),
        changed=datetime.fromtimestamp(changed).strftime("%Y-%m-%d %H:%M"))


def _state(run, config, records, steps_done, elapsed):
    if run.is_locked():
        return "running"
    if steps_done >= config.steps or (config.max_seconds is not None and elapsed >= config.max_seconds):
        return "finished"
    if any(r.get("diverged") for r in records):
        return "diverged"
    return "interrupted"


def run_rows(folder, sort="changed"):
    """``(rows, unreadable)``: the ``RunRow`` of every run below ``folder``, sorted by the column ``sort``
    (missing values last), and a line for each run whose files could not be read."""
    if sort not in COLUMNS:
        raise UsageProblem(f"--sort {sort}: choose one of {', '.join(COLUMNS)}")
    if not os.path.isdir(folder):
        raise UsageProblem(f"{folder}: no such folder")
    rows, unreadable = [], []
    for path in find_runs(folder):
        try:
            rows.append(describe_run(path, folder))
        except (UsageProblem, OSError, ValueError, KeyError, TypeError) as problem:
            unreadable.append(f"{path}: {problem}")
    descending = sort in ("changed", "step", "chars_per_sec", "parameters")
    present = [r for r in rows if getattr(r, sort) is not None]
    present.sort(key=lambda r: getattr(r, sort), reverse=descending)
    return present + [r for r in rows if getattr(r, sort) is None], unreadable


def run_details(path):
    """One run in detail for ``rnncli runs RUN``: its row, options, resumes, best and last figures and files."""
    run = RunDirectory.open(path)
    records = run.metrics()
    last = {key: value for record in records for key, value in record.items()}  # the newest value of each figure
    files = sorted(str(p.relative_to(run.path)) for p in run.path.rglob("*") if p.is_file())
    return {"run": asdict(describe_run(path, os.path.dirname(os.path.abspath(path)) or ".")),
            "config": asdict(run.config()), "best": run.best_record(),
            "last": {k: v for k, v in last.items() if isinstance(v, (int, float)) and not math.isnan(v)},
            "files": files}
