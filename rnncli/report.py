"""What a run shows a person: console lines, a progress bar on a terminal, TensorBoard scalars, curves.png."""

import math

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from rnncli.data.symbols import id_counts


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


def corpus_baselines(train_ids, vocab_size):
    """Losses a model must beat: uniform over the vocabulary, and the unigram (character frequency) model."""
    counts = id_counts(train_ids, vocab_size).astype(np.float64)
    frequencies = counts[counts > 0] / counts.sum()
    unigram = float(-(frequencies * np.log(frequencies)).sum())
    return {"uniform": math.log(vocab_size), "unigram": unigram}


#: ln of the largest float32 (88.7228): TensorBoard stores scalars as float32.
_LARGEST_LOG = math.log(float(np.finfo(np.float32).max))


def perplexity(nats):
    """``exp(nats)``, infinite past float32 range (a diverged model) rather than an overflow error."""
    return math.exp(nats) if nats < _LARGEST_LOG else math.inf


def describe_loss(name, nats):
    return f"{name}: {nats:.3f} nats = {nats / math.log(2):.3f} bpc = perplexity {perplexity(nats):.2f}"


def plot_curves(records, path):
    """``curves.png``: training loss and validation perplexity against step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train = [r for r in records if "loss" in r]
    valid = [r for r in records if "valid_perplexity" in r]
    figure, (loss_axis, ppl_axis) = plt.subplots(1, 2, figsize=(10, 4))
    loss_axis.plot([r["step"] for r in train], [r["loss"] for r in train])
    loss_axis.set(xlabel="step", ylabel="average training loss (nats)", title="Training loss")
    ppl_axis.plot([r["step"] for r in valid], [r["valid_perplexity"] for r in valid], marker="o")
    ppl_axis.set(xlabel="step", ylabel="perplexity", title="Validation perplexity")
    for axis in (loss_axis, ppl_axis):
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
