"""What a run shows a person: console lines, a progress bar on a terminal, TensorBoard scalars, curves.png."""

import math

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


def make_console(json_output=False):
    """The one console: stderr when stdout carries the ``--json`` object."""
    return Console(stderr=json_output, highlight=False, soft_wrap=True)


def training_progress(console, total_steps, completed, label="train"):
    """A rich progress bar with ETA on a terminal; disabled (plain log lines only) in a pipe or CI log."""
    progress = Progress(
        TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=console, disable=not console.is_terminal,
    )
    task = progress.add_task("train", total=total_steps, completed=completed, status="")
    return progress, task


def sample_blocks(texts, description):
    """Samples as blocks a reader can tell apart: a header rule naming the sample and ``description``, then
    every line of the sample indented by two spaces."""
    blocks = []
    for number, text in enumerate(texts, 1):
        indented = "\n".join("  " + line for line in text.split("\n"))
        blocks.append(f"── sample {number} of {len(texts)}, {description} ──\n{indented}\n")
    return "".join(blocks)


#: ln of the largest float32, ``(2 - 2⁻²³) 2¹²⁷`` (88.7228): TensorBoard stores scalars as float32.
_LARGEST_LOG = math.log((2 - 2**-23) * 2.0**127)


def perplexity(nats):
    """``exp(nats)``, infinite past float32 range (a diverged model) rather than an overflow error."""
    return math.exp(nats) if nats < _LARGEST_LOG else math.inf


def describe_loss(name, nats):
    return f"{name}: {nats:.3f} nats = {nats / math.log(2):.3f} bpc = perplexity {perplexity(nats):.2f}"


def plot_curves(records, path, title, baselines, unit="character"):
    """``curves.png``: training loss (average per log) and validation loss against step, both in bits per
    ``unit`` on one axis, under ``title``, with the ``baselines`` (``{name: nats}``, see
    ``rnncli.data.describe.corpus_baselines``) as labelled horizontal lines; the axis stops a little above the
    worst baseline, so a model still learning fills the picture."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bits = 1 / math.log(2)
    train = [r for r in records if "loss" in r and math.isfinite(r["loss"])]
    valid = [r for r in records if "valid_bpc" in r and math.isfinite(r["valid_bpc"])]
    figure, axis = plt.subplots(figsize=(9, 5))
    axis.plot([r["step"] for r in train], [r["loss"] * bits for r in train], color="tab:blue", alpha=0.8,
              label="training (average since the last log)")
    axis.plot([r["step"] for r in valid], [r["valid_bpc"] for r in valid], color="tab:orange", marker="o",
              label="validation (whole split)")
    for (name, nats), style in zip(baselines.items(), (":", "--")):
        axis.axhline(nats * bits, color="grey", linestyle=style, linewidth=1)
        axis.annotate(f"{name} baseline {nats * bits:.2f}", (0.99, nats * bits), xycoords=("axes fraction", "data"),
                      ha="right", va="bottom", fontsize=8, color="dimgrey")
    shown = [r["loss"] * bits for r in train] + [r["valid_bpc"] for r in valid]
    top = 1.05 * max(baselines.values()) * bits
    axis.set_ylim(max(0.0, 0.95 * min(shown, default=0.0)), top)
    axis.set(xlabel="step", ylabel=f"bits per {unit}", title=title)
    axis.grid(alpha=0.3)
    axis.legend(loc="upper right", bbox_to_anchor=(1.0, 0.93), fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
