"""What a diagonal run shows: the progress status line, the final table, ``loss.png`` and ``predictions.png``."""

import numpy as np
from rich import box
from rich.table import Table

SMOOTHING_STEPS = 25


def progress_status(record, skipped):
    """``loss … second-x … hit …`` of one step's record, plus the skipped updates so far."""
    def shown(value):
        return "nan" if value is None else f"{value:.4f}"

    status = (f"loss {shown(record['overall_loss'])}  second-x {shown(record['second_x_loss'])}  "
              f"hit {record['hit_rate']:.2f}")
    return status + (f"  skipped {skipped}" if skipped else "")


def results_table(trained, config):
    title = (f"random diagonal {config.height}x{config.width}, {config.steps} steps: losses and hit rate on "
             f"{config.eval_grids} held-out grids")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=title)
    table.add_column("model", no_wrap=True)
    for column in ("params", "overall", "second-x", "hit rate", "ms/step", "skipped"):
        table.add_column(column, justify="right", min_width=len(column))
    for name, model in trained.items():
        r = model.result
        table.add_row(name, f"{r.parameters:,}", f"{r.overall_loss:.4f}", f"{r.second_x_loss:.4f}",
                      f"{r.hit_rate:.3f}", f"{1000 * r.seconds_per_step:.1f}", str(r.skipped_updates))
    return table


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def running_mean(values, window):
    """Mean of the last ``window`` finite values at each step (NaN where there are none yet)."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    sums = np.cumsum(np.where(finite, values, 0.0))
    counts = np.cumsum(finite)
    sums[window:] = sums[window:] - sums[:-window]
    counts[window:] = counts[window:] - counts[:-window]
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts


def plot_losses(trained, path):
    """``loss.png``: overall and second-x loss of every model against step, log scale, one figure."""
    plt = _pyplot()
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for axis, key, title in zip(axes, ("overall_loss", "second_x_loss"), ("overall loss", "second-x loss")):
        for name, model in trained.items():
            steps = [r["step"] for r in model.records]
            values = np.array([np.nan if r[key] is None else r[key] for r in model.records])
            line, = axis.plot(steps, values, alpha=0.25, linewidth=0.7)
            axis.plot(steps, running_mean(values, SMOOTHING_STEPS), color=line.get_color(), label=name)
        axis.set(yscale="log", xlabel="step", title=f"{title} (faint: every step; line: {SMOOTHING_STEPS}-step mean)")
        axis.grid(alpha=0.3, which="both")
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def plot_predictions(trained, showcase, path):
    """``predictions.png``: per showcase grid (rows), the input, the target, and each model's prediction
    before and after training (columns), all on the colour scale 0..1 with the second x circled."""
    plt = _pyplot()
    panels = [("input", lambda k: showcase.inputs[k]), ("target", lambda k: showcase.targets[k])]
    for name, model in trained.items():
        panels.append((f"{name}\nbefore", lambda k, m=model: m.before[k]))
        panels.append((f"{name}\nafter", lambda k, m=model: m.after[k]))
    grids = len(showcase.inputs)
    figure, axes = plt.subplots(grids, len(panels), figsize=(2.3 * len(panels) + 1.2, 2.3 * grids + 1.0),
                                squeeze=False)
    for k in range(grids):
        row, column = showcase.second_x[k]
        for axis, (title, values) in zip(axes[k], panels):
            image = axis.imshow(values(k), vmin=0.0, vmax=1.0, cmap="viridis")
            axis.scatter([column], [row], s=120, facecolors="none", edgecolors="red")
            axis.set_xticks([])
            axis.set_yticks([])
            if k == 0:
                axis.set_title(title, fontsize=10)
        axes[k][0].set_ylabel(f"grid {k + 1}", fontsize=10)
    figure.suptitle("Predictions on held-out grids: each output is the probability of a 1 (colour bar)",
                    fontsize=11)
    figure.text(0.5, 0.01, "Red circle: the cell of the second x, which only a model that sees up and to the left "
                "(a 2D receptive field) can predict.", ha="center", fontsize=10)
    figure.tight_layout(rect=(0, 0.04, 0.93, 0.95))
    figure.colorbar(image, ax=axes, fraction=0.02, pad=0.02, label="predicted value")
    figure.savefig(path, dpi=80)
    plt.close(figure)
