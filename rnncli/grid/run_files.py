"""What a ``rnncli diagonal`` run writes into its directory.

- ``config.json``: the ``DiagonalConfig`` (written atomically);
- ``metrics.jsonl``: one record per training step and model: ``step, model, overall_loss, second_x_loss,
  hit_rate, seconds`` (since that model's training began), ``skipped`` (the update was not applied because
  a loss or gradient was not finite); non-finite values are written as null;
- ``out_<model>.tsv``: the seed's log, space-separated with a header: zero-padded step, overall loss,
  seconds of that step, second-x ("relevant") loss;
- ``summary.json``, ``loss.png``, ``predictions.png`` (``rnncli.grid.report``).
"""

import json
import math
from pathlib import Path

from rnncli.run_dir import claim_empty_folder, write_atomically


def finite_or_none(value):
    return value if math.isfinite(value) else None


class DiagonalRun:
    def __init__(self, path):
        self.path = Path(path)

    @classmethod
    def create(cls, path, config):
        """A new run directory; refuses a file or a folder that already holds anything."""
        path = Path(path)
        claim_empty_folder(path, "is not empty")
        write_atomically(path / "config.json", config.to_json())
        return cls(path)

    @property
    def loss_plot(self):
        return self.path / "loss.png"

    @property
    def predictions_plot(self):
        return self.path / "predictions.png"

    def write_summary(self, summary):
        write_atomically(self.path / "summary.json", json.dumps(summary, indent=2))

    def metrics_log(self, model):
        return StepLog(self.path, model)


class StepLog:
    """Appends one model's per-step records to ``metrics.jsonl`` and ``out_<model>.tsv``, flushed each step."""

    def __init__(self, path, model):
        self.model = model
        self.jsonl = open(path / "metrics.jsonl", "a", encoding="utf-8")
        self.tsv = open(path / f"out_{model}.tsv", "w", encoding="utf-8")
        self.tsv.write(" ".join(f"{column}_{model}" for column in ("steps", "overall_loss", "time",
                                                                  "relevant_loss")) + "\n")

    def write(self, step, overall_loss, second_x_loss, hit_rate, step_seconds, seconds, skipped):
        record = {"step": step, "model": self.model, "overall_loss": finite_or_none(overall_loss),
                  "second_x_loss": finite_or_none(second_x_loss), "hit_rate": hit_rate, "seconds": seconds,
                  "skipped": skipped}
        self.jsonl.write(json.dumps(record) + "\n")
        self.jsonl.flush()
        self.tsv.write(f"{step:04d} {overall_loss} {step_seconds} {second_x_loss}\n")
        self.tsv.flush()
        return record

    def close(self):
        self.jsonl.close()
        self.tsv.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
