"""Training the diagonal-task models one after the other, on the same batches.

For each model, at step k with the batch ``(x_k, y_k)`` of ``DiagonalTask.batch(k)``::

    s = model(x_k);   L = (1 / BHW) Σ loss(s, y_k)            (``rnncli.grid.metrics``)
    g = ∇L;   θ ← Adam(θ, g, lr)   if L and every g are finite, else the update is skipped and counted

The seed warns that MD-LSTMs "can become numerically unstable quite easily"; a skipped update leaves the
weights and Adam's moments as they were. After the last step the model is evaluated on grids no
training step saw (``--eval-grids``), which gives the figures of the summary.
"""

import statistics
import time
from dataclasses import asdict, dataclass

import keras
import numpy as np

from rnncli.cells.initializers import WeightInit
from rnncli.errors import UsageProblem
from rnncli.grid.metrics import task_metrics
from rnncli.grid.models import LONGEST_STATIC_UNROLL, HorizontalLSTMModel, MDLSTMModel, SnakeLSTMModel
from rnncli.grid.report import progress_status
from rnncli.grid.task import DiagonalTask
from rnncli.report import training_progress
from rnncli.tensorflow_quiet import tf

EVALUATION_CHUNK = 256
SHOWCASE_GRIDS = 3


def choose_device(requested):
    """``/GPU:0`` or ``/CPU:0`` for ``--device auto|cpu|gpu``; ``gpu`` without a visible GPU is a usage error."""
    has_gpu = bool(tf.config.list_physical_devices("GPU"))
    if requested == "gpu" and not has_gpu:
        raise UsageProblem("--device gpu: TensorFlow sees no GPU on this machine; use --device cpu or auto")
    return "/GPU:0" if has_gpu and requested != "cpu" else "/CPU:0"


def build_model(name, config):
    init = WeightInit("glorot", seed=config.seed)
    if name == "md_lstm":
        return MDLSTMModel(config.hidden, init, config.md_cell, config.layer_norm, config.forget_bias)
    if name == "horizontal_sd_lstm":
        return HorizontalLSTMModel(config.hidden, init)
    if name == "snake_sd_lstm":
        return SnakeLSTMModel(config.hidden, init, config.snake_order)
    raise ValueError(f"unknown model {name!r}")


def xla_wins(name, config):
    """Whether the train step is compiled with XLA: only where the model runs a ``tf.while_loop``, which XLA
    compiles in seconds and ran 1.7x faster (snake, 32x32). On a Python-unrolled graph XLA compiles for
    minutes (81 s for the 6x6 snake; field-notes B2), and the wavefront's one shape per diagonal needs one."""
    sequence = {"md_lstm": 0, "horizontal_sd_lstm": config.width, "snake_sd_lstm": config.height * config.width}
    return sequence[name] > LONGEST_STATIC_UNROLL


def make_train_step(model, optimizer, loss_kind, jit_compile):
    """``train_step(grids, targets, second_x) -> [overall_loss, second_x_loss, hit_rate, applied]``."""
    weights = model.trainable_variables

    @tf.function(jit_compile=jit_compile)
    def train_step(grids, targets, second_x):
        with tf.GradientTape() as tape:
            logits = model(grids)
            overall, second, hits = task_metrics(logits, targets, second_x, loss_kind)
        gradients = tape.gradient(overall, weights)
        finite = tf.reduce_all([tf.math.is_finite(overall)] + [tf.reduce_all(tf.math.is_finite(g)) for g in gradients])

        def apply():
            optimizer.apply_gradients(zip(gradients, weights))
            return tf.constant(True)

        applied = tf.cond(finite, apply, lambda: tf.constant(False))
        return tf.stack([overall, second, hits, tf.cast(applied, tf.float32)])

    return train_step


def evaluate(predict, batch, loss_kind):
    """``(overall_loss, second_x_loss, hit_rate)`` over every grid of ``batch``, in chunks."""
    logits = tf.concat([predict(batch.inputs[k:k + EVALUATION_CHUNK])
                        for k in range(0, len(batch.inputs), EVALUATION_CHUNK)], axis=0)
    return tuple(float(v) for v in task_metrics(logits, batch.targets, batch.second_x, loss_kind))


@dataclass
class ModelResult:
    parameters: int
    overall_loss: float
    second_x_loss: float
    hit_rate: float
    seconds_per_step: float
    first_step_seconds: float
    skipped_updates: int

    def summary(self):
        return asdict(self)


@dataclass
class TrainedModel:
    name: str
    result: ModelResult
    records: list
    before: np.ndarray  # probabilities on the showcase grids before the first step
    after: np.ndarray


def train_model(name, config, task, run, console, showcase):
    """Train one model for ``config.steps`` steps; log every step; evaluate; return a ``TrainedModel``."""
    model = build_model(name, config)
    optimizer = keras.optimizers.Adam(config.lr)
    optimizer.build(model.trainable_variables)
    train_step = make_train_step(model, optimizer, config.loss, xla_wins(name, config))
    predict = tf.function(model.__call__, input_signature=[tf.TensorSpec([None, config.height, config.width])])
    before = tf.sigmoid(predict(showcase.inputs)).numpy()
    console.print(f"{name}: {model.parameter_count:,} parameters, {config.height}x{config.width} grids")
    records, durations, skipped = [], [], 0
    progress, bar = training_progress(console, config.steps, 0, label=name)
    with progress, run.metrics_log(name) as log:
        started = time.perf_counter()
        for step in range(config.steps):
            batch = task.batch(step)
            step_started = time.perf_counter()
            overall, second, hits, applied = train_step(batch.inputs, batch.targets, batch.second_x).numpy()
            durations.append(time.perf_counter() - step_started)
            skipped += not applied
            records.append(log.write(step, float(overall), float(second), float(hits), durations[-1],
                                     time.perf_counter() - started, not applied))
            status = progress_status(records[-1], skipped)
            progress.update(bar, advance=1, status=status)
            if step % config.log_every == 0 or step == config.steps - 1:
                console.print(f"{name} step {step:>5}  {status}  {1000 * durations[-1]:.1f} ms/step", soft_wrap=True)
    overall, second, hits = evaluate(predict, task.evaluation_batch(config.eval_grids), config.loss)
    after = tf.sigmoid(predict(showcase.inputs)).numpy()
    timed = durations[1:] or durations
    result = ModelResult(model.parameter_count, overall, second, hits, statistics.median(timed), durations[0],
                         skipped)
    return TrainedModel(name, result, records, before, after)


def train_models(config, run, console):
    """Train every model of ``config.models`` in turn on the same data; ``{name: TrainedModel}``."""
    device = choose_device(config.device)
    task = DiagonalTask(config.height, config.width, config.batch_size, config.seed)
    showcase = task.evaluation_batch(SHOWCASE_GRIDS)
    console.print(f"device {device}; run directory {run.path}")
    trained = {}
    with tf.device(device):
        for name in config.models:
            trained[name] = train_model(name, config, task, run, console, showcase)
    return trained, showcase


#: Floats a run keeps per grid cell, batch row and hidden unit, measured: the peak memory of ``--model md_lstm``
#: at the defaults grows by about 200 kB per grid cell from 8x8 to 48x48 grids (the graph traced per
#: diagonal, activations and their gradients), that is about 190 floats per unit.
FLOATS_PER_UNIT = 192
#: Floats held per cell of every evaluation grid at once: inputs, targets, the second-x mask and the logits.
FLOATS_PER_EVALUATION_CELL = 4


def memory_estimate(config):
    """Bytes a run of ``config`` needs at its peak, about: ``4 H W (B n FLOATS_PER_UNIT + E
    FLOATS_PER_EVALUATION_CELL)`` for grids ``H x W``, batch ``B``, ``n`` hidden units and ``E`` evaluation
    grids (float32)."""
    cells = config.height * config.width
    return 4 * cells * (config.batch_size * config.hidden * FLOATS_PER_UNIT
                        + config.eval_grids * FLOATS_PER_EVALUATION_CELL)


def run_task(config, run_dir, console):
    """Train every model of ``config`` in a new run directory (default ``runs/<time>-diagonal``), write its summary,
    ``loss.png`` and ``predictions.png``, print the results table; returns the summary keyed by model name."""
    from rnncli.grid.report import plot_losses, plot_predictions, results_table
    from rnncli.grid.run_files import DiagonalRun
    from rnncli.run_dir import default_run_path

    from rnncli.memory import check_fits

    check_fits(memory_estimate(config), f"{config.height}x{config.width} grids with --batch-size {config.batch_size}, "
               f"--hidden {config.hidden} and --eval-grids {config.eval_grids}")
    choose_device(config.device)  # refuse --device gpu before creating the run directory
    run = DiagonalRun.create(run_dir or default_run_path("diagonal"), config)
    trained, showcase = train_models(config, run, console)
    summary = {name: model.result.summary() for name, model in trained.items()}
    run.write_summary(summary)
    plot_losses(trained, run.loss_plot)
    plot_predictions(trained, showcase, run.predictions_plot)
    console.print(results_table(trained, config))
    console.print(f"written: {run.path}")
    return summary
