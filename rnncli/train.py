"""The training loop: truncated BPTT with saved state, global-norm clipping and a scheduled learning rate.

For window k (ids ``[B, T+1]``, see ``rnncli.data.batches``) with carried states ``S``::

    logits, S' = model(ids[:, :T], S)                         (training: with dropout, if any)
    loss = (1 / BT) Σ_{b,t} -log softmax(logits)[b, t, ids[b, t+1]]   (+ the norm stabiliser, if any)
    g = ∇loss;  g ← g · min(1, clip_norm / ||g||_2)          (global norm over every weight)
    θ ← optimizer(θ, g, lr(step))                           (lr: rnncli.schedules, over the run's budget)
    S ← S'                                                    (stop-gradient: the saved state)

A step whose loss or gradient norm is not finite applies no update and zeroes the saved states; it is
counted (``bad_steps`` in the metrics), and ``max_bad_steps`` of them in a row stop the run or roll it back
to the last good checkpoint at half the learning rate (``on_nan``), at most ``max_rollbacks`` times.

Everything the loop needs to continue exactly lives in the checkpoint: weights (and their average, with
``--average-weights``: ``rnncli.weight_average``), optimiser slots and iterations (hence the learning rate), the
step counter, the saved states, the model's dropout generators, the plateau schedule's record and the losses since
the last log (``LossWindow``); window k is a pure function of k. A resume or a rollback to step S begins a new
session of the metrics log, which supersedes what was recorded for steps S and later (``rnncli.metrics_log``), and
of ``samples.txt``, which gets a line saying so.
"""

import contextlib
import dataclasses
import time

import numpy as np

from rnncli.best_checkpoint import BestCheckpoint
from rnncli.checkpoints import os_reason, restore_newest_readable, save_checkpoint
from rnncli.data.batches import WindowBatches
from rnncli.data.corpus import load_corpus
from rnncli.data.describe import corpus_baselines, unknown_rate_lines
from rnncli.data.spec import CorpusSpec
from rnncli.errors import RunFailed, UsageProblem
from rnncli.evaluate import Evaluator
from rnncli.models.norm_stabilizer import norm_stabilizer
from rnncli.optimizers import make_optimizer
from rnncli.schedules import Plateau, budget_progress
from rnncli.report import describe_loss, perplexity, plot_curves, sample_blocks, training_progress
from rnncli.restore import build_model
from rnncli.run_dir import reporting_write_errors
from rnncli.sample import Sampler
from rnncli.steps_per_call import StepsPerCall, steps_in_call
from rnncli.stop_signals import StopRequested, StopSignals
from rnncli.tensorflow_quiet import tf
from rnncli.weight_average import WeightAverage, checkpointed_models


def saved_state_variables(model, batch_size):
    """Non-trainable variables holding each layer's state between windows (the seed's saved_state), in the
    structure of ``model.initial_states`` (a layer's state nests when it carries skips in time or averages)."""
    return tf.nest.map_structure(lambda part: tf.Variable(part, trainable=False), model.initial_states(batch_size))


def make_train_step(model, optimizer, saved_states, clip_norm, step_counter=None, strategy=None,
                    norm_stabilizer_beta=0.0, jit_compile=None, average=None):
    """A ``tf.function`` taking window ids ``[B, T+1]`` and returning ``(loss, gradient_norm, applied,
    norm_stabilizer)``: it minimises the cross-entropy ``loss`` plus the norm stabiliser (0 when
    ``norm_stabilizer_beta`` is), and reports them apart. The model runs in training mode (dropout on). An
    applied update also updates ``average`` (a ``rnncli.weight_average.WeightAverage``), if any.

    Under a ``tf.distribute`` strategy with R replicas, replica r takes batch rows ``[r B/R, (r+1) B/R)``
    and their saved states; its loss is scaled by the global ``B T`` (its stabiliser, a mean over its rows,
    by ``1 / R``) so that the all-reduced (summed) gradient is the gradient of the global mean loss, which is
    then clipped by its global norm exactly as on one device. Keras's ``apply_gradients`` sums the replicas'
    gradients once more, hence the ``1 / R``. The update is applied outside ``strategy.run`` because a
    synchronising call may not sit inside control flow of a replica function. With the default strategy all
    of this reduces to the one-device step.

    ``jit_compile=True`` compiles the step with XLA; use it with the ``dynamic`` (``tf.while_loop``) unroll
    only: XLA on a long Python-unrolled loop compiles for a minute (field-notes B2).
    """
    strategy = strategy or tf.distribute.get_strategy()
    replicas = strategy.num_replicas_in_sync
    weights = model.trainable_variables
    step_counter = step_counter if step_counter is not None else tf.Variable(0, dtype=tf.int64, trainable=False)

    def replica_gradients(ids, states):
        context = tf.distribute.get_replica_context()
        rows = tf.shape(ids)[1] // replicas
        first = context.replica_id_in_sync_group * rows
        ids = ids[:, first:first + rows]
        states = tf.nest.map_structure(lambda s: s[first:first + rows], states)
        global_count = tf.cast(tf.size(ids[1:]) * replicas, tf.float32)
        with tf.GradientTape() as tape:
            result = model.forward(ids[:-1], states, training=True)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(ids[1:], result.logits)
            loss = tf.reduce_sum(losses) / global_count
            stabilizer = norm_stabilizer(result.trajectories, norm_stabilizer_beta) / replicas
            objective = loss + stabilizer
        gradients = [tf.convert_to_tensor(g) for g in tape.gradient(objective, weights)]
        gradients = context.all_reduce(tf.distribute.ReduceOp.SUM, gradients)
        loss, stabilizer = context.all_reduce(tf.distribute.ReduceOp.SUM, [loss, stabilizer])
        clipped, norm = tf.clip_by_global_norm(gradients, clip_norm)
        finite = tf.math.is_finite(loss) & tf.math.is_finite(stabilizer) & tf.math.is_finite(norm)
        return finite, loss, norm, stabilizer, [g / replicas for g in clipped], result.final_states

    def apply(gradients):
        optimizer.apply_gradients(zip(gradients, weights))

    @tf.function(jit_compile=jit_compile)
    def train_step(window):
        ids = tf.transpose(tf.cast(window, tf.int32))
        states = tf.nest.map_structure(lambda v: v.read_value(), saved_states)
        finite, loss, norm, stabilizer, gradients, final_states = strategy.run(replica_gradients, args=(ids, states))
        finite, loss, norm, stabilizer = (strategy.experimental_local_results(v)[0]
                                          for v in (finite, loss, norm, stabilizer))

        def update():
            strategy.run(apply, args=(gradients,))
            if average is not None:
                average.update(optimizer.iterations)
            gathered = tf.nest.map_structure(lambda s: strategy.gather(s, axis=0), final_states)
            tf.nest.map_structure(lambda v, s: v.assign(s), saved_states, gathered)
            return tf.constant(True)

        def skip():
            tf.nest.map_structure(lambda v: v.assign(tf.zeros_like(v)), saved_states)
            return tf.constant(False)

        applied = tf.cond(finite, update, skip)
        step_counter.assign_add(1)
        return loss, norm, applied, stabilizer

    return train_step


def make_repeated_step(train_step, budget_progress_variable, window_spec):
    """Keras's ``steps_per_execution`` for ``train_step``: one ``tf.function`` call runs windows ``[K, B, T+1]``
    (``window_spec`` ``[None, B, T+1]``) one after the other, step k after setting the cosine's budget progress
    to ``progress[k]``, and stops after the first step that was not applied, so that the caller's NaN guard
    acts after it as after a call of one step. Returns the ``(losses, stabilizers, applied)`` of the steps run.
    The step's ops are the same, so the weights after K steps equal those after K calls of ``train_step``; why
    it pays, and how long a call is: ``rnncli.steps_per_call``.
    """

    @tf.function(input_signature=[window_spec, tf.TensorSpec([None], tf.float32)])
    def repeated_step(windows, progress):
        losses = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        stabilizers = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        applied_steps = tf.TensorArray(tf.bool, size=0, dynamic_size=True)
        for k in tf.range(tf.shape(windows)[0]):
            budget_progress_variable.assign(progress[k])
            loss, _, applied, stabilizer = train_step(windows[k])
            losses = losses.write(k, loss)
            stabilizers = stabilizers.write(k, stabilizer)
            applied_steps = applied_steps.write(k, applied)
            if not applied:
                break
        return losses.stack(), stabilizers.stack(), applied_steps.stack()

    return repeated_step


class LossWindow:
    """The training losses since the last log: their sums, count and the latest loss. Kept in the checkpoint
    (``state``), so that the first log after a resume or a rollback averages the same steps as an uninterrupted
    run's (a log at step s averages the applied steps after the previous log, up to s) instead of only the
    steps since the restart, which would make a sawtooth of the curve."""

    def __init__(self):
        #: ``[loss sum, stabiliser sum, count, latest loss]``, written by ``store`` before each save.
        self.state = tf.Variable(tf.zeros(4, tf.float64), trainable=False, name="loss_window")
        self.load()

    def add(self, loss, stabilizer):
        self.loss_sum += loss
        self.stabilizer_sum += stabilizer
        self.count += 1
        self.latest = loss

    def clear(self):
        self.loss_sum = self.stabilizer_sum = self.latest = 0.0
        self.count = 0

    def store(self):
        self.state.assign([self.loss_sum, self.stabilizer_sum, self.count, self.latest])

    def load(self):
        self.loss_sum, self.stabilizer_sum, count, self.latest = self.state.numpy().tolist()
        self.count = int(count)


class Trainer:
    """One run: data, model, optimiser, checkpoint; ``run_training()`` trains to ``config.steps``.

    ``resume`` restores the run's newest readable checkpoint; with ``fresh_optimizer`` (the run trained with
    another ``--optimizer``) everything but the optimiser's slots, whose step count it keeps. ``loaded`` is
    ``load_corpus``'s answer for the run's corpus when the caller already has it (read once, before the run
    directory exists); else the run's corpus is loaded here.
    """

    def __init__(self, config, run, console, resume=False, strategy=None, fresh_optimizer=False, loaded=None):
        self.config = config
        self.run = run
        self.console = console
        strategy = strategy or tf.distribute.get_strategy()
        if config.batch_size % strategy.num_replicas_in_sync:
            raise UsageProblem(f"--batch-size {config.batch_size} does not split evenly over "
                               f"{strategy.num_replicas_in_sync} replicas")
        tf.random.set_seed(config.seed)
        self.corpus, spec = loaded or load_corpus(CorpusSpec.of(config, corpus=run.corpus_source(config.corpus)),
                                                  console)
        self.batches = WindowBatches(self.corpus.train, config.batch_size, config.unroll)
        self.vocabulary = self.corpus.vocabulary
        if resume:
            self._check_vocabulary()
        with strategy.scope():
            self.model = build_model(config, len(self.vocabulary))
            self.optimizer, self.schedule = make_optimizer(config, self.model.trainable_variables)
            average = (WeightAverage(self.model, build_model(config, len(self.vocabulary)), config.average_weights)
                       if config.average_weights else None)
            self.saved_states = saved_state_variables(self.model, config.batch_size)
            self.step_counter = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        if not resume:
            self._save_data_options(spec)
        self.window = LossWindow()
        self.plateau = Plateau(self.schedule, config.patience) if config.schedule == "plateau" else None
        self.models = checkpointed_models(self.model, average)
        self.checkpoint = tf.train.Checkpoint(**self.models, optimizer=self.optimizer, step=self.step_counter,
                                              lr_scale=self.schedule.scale, saved_states=self.saved_states,
                                              loss_window=self.window.state, **self._schedule_state())
        self.manager = self._checkpoint_manager()
        self.best = BestCheckpoint(self.checkpoint, run)
        self.train_step = make_train_step(self.model, self.optimizer, self.saved_states, config.clip_norm,
                                          self.step_counter, strategy, norm_stabilizer_beta=config.norm_stabilizer,
                                          average=average)
        window_spec = tf.TensorSpec([None, config.batch_size, config.unroll + 1], self.batches.ids.dtype)
        self.repeated_step = make_repeated_step(self.train_step, self.schedule.progress, window_spec)
        self.steps_per_call = StepsPerCall(
            config.steps_per_call, timed=not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy))
        evaluated = self.models["model"]  # the average, if any
        self.evaluator = Evaluator(evaluated, config.eval_batch_size)
        self.sampler = Sampler(evaluated)
        self.signals = StopSignals()
        self.bad_steps = 0
        self.rollbacks = 0
        self.saved_step = None  # the step of the checkpoint that holds the state in memory, once there is one
        self.baselines = corpus_baselines(self.corpus.train, len(self.vocabulary))
        self.warned_not_learning = False
        if resume:
            restored = self.checkpoint
            if fresh_optimizer:
                restored = tf.train.Checkpoint(**self.models, step=self.step_counter, lr_scale=self.schedule.scale,
                                               saved_states=self.saved_states, loss_window=self.window.state,
                                               optimizer=tf.train.Checkpoint(_iterations=self.optimizer.iterations),
                                               **self._schedule_state())
            path = self._restore(restored)
            self.console.print(f"resumed {self.run.path} from {path} at step {self.step}")
        else:
            self._save(0)  # the last good checkpoint that a rollback returns to; with it, the run exists
            if run.target is not None:
                run.promote()
                self.manager = self._checkpoint_manager()  # its folder moved with the run
        self._begin_session()
        # TensorBoard's event loader drops a tag's events from the step where a later event goes back below
        # them ("out of order event.step ... Purging", purge_orphaned_data, on by default), so a resume's
        # events supersede the interrupted session's there too; nothing is written for it.
        with self._tensorboard_errors():
            self.writer = tf.summary.create_file_writer(str(self.run.tensorboard))

    def _schedule_state(self):
        """What of the schedule the checkpoint holds besides ``lr_scale``: the plateau's record, for that schedule
        (a cosine's progress follows from the step and the elapsed time)."""
        return {"plateau": self.plateau.state} if self.plateau else {}

    def _checkpoint_manager(self):
        return tf.train.CheckpointManager(self.checkpoint, self.run.checkpoints,
                                          max_to_keep=self.config.keep_checkpoints)

    def _restore(self, checkpoint):
        """Restore the newest readable checkpoint into ``checkpoint`` (with its loss window); its path."""
        path = restore_newest_readable(checkpoint, self.run, lambda message: self.console.print("warning: " + message))
        self.window.load()
        self.saved_step = self.step
        return path

    def _save(self, step):
        """Save the checkpoint of ``step``; a failed write (a full disk, no permission) removes what it left
        and stops the run with ``RunFailed``, the checkpoints before it intact."""
        self.window.store()
        save_checkpoint(self.manager, step)
        self.saved_step = step

    def _begin_session(self):
        """Records from here on supersede what earlier sessions recorded for this step and later."""
        self.run.metrics_log.begin_session(self.step)
        if self.step and self.run.samples.exists():
            self.run.append_samples(f"── from here on, the run continues from step {self.step}: sections "
                                    f"above for step {self.step} and later are superseded ──\n")

    def _save_data_options(self, spec):
        """A new run keeps the data options as resolved (split sizes and all), its model's parameter count and
        its vocabulary."""
        for name, value in dataclasses.asdict(spec).items():
            if name != "corpus":  # the name the user gave (resolved by the session), not a run's copy of stdin
                setattr(self.config, name, value)
        self.config.parameters = self.model.parameter_count
        self.run.save_config(self.config)
        self.run.save_vocabulary(self.vocabulary)

    def _check_vocabulary(self):
        """A resumed run must read a corpus that gives the vocabulary it was trained with."""
        saved = self.run.vocabulary()
        if saved.symbols != self.vocabulary.symbols:
            added = sorted(set(self.vocabulary.symbols) - set(saved.symbols))
            missing = sorted(set(saved.symbols) - set(self.vocabulary.symbols))
            raise UsageProblem(f"the corpus's vocabulary differs from the run's (new: {''.join(added)!r}, "
                               f"missing: {''.join(missing)!r}); resume with the corpus the run started on")

    @property
    def step(self):
        return int(self.step_counter.numpy())

    def announce(self):
        c, corpus = self.config, self.corpus
        self.console.print(
            f"corpus {c.corpus}: {len(corpus.train):,} train / {len(corpus.valid):,} valid / {len(corpus.test):,} "
            f"test {self.vocabulary.unit}s, vocabulary {len(self.vocabulary)}; model {c.cell} {c.layers}x{c.hidden}, "
            f"{self.model.parameter_count:,} parameters; run directory {self.run.path}")
        for name, nats in self.baselines.items():
            self.console.print("  baseline " + describe_loss(name, nats))
        if corpus.unknown_in_valid or corpus.unknown_in_test:
            outcome = "mapped to <unk>" if self.vocabulary.has_unknown else "left out"
            self.console.print(f"  {corpus.unknown_in_valid:,} validation and {corpus.unknown_in_test:,} test "
                               f"{self.vocabulary.unit}s are not in the training split: {outcome}")
        for line in unknown_rate_lines(corpus):
            self.console.print(line, markup=False, highlight=False)

    def reset_states(self):
        tf.nest.map_structure(lambda v: v.assign(tf.zeros_like(v)), self.saved_states)

    def run_training(self):
        """Train to ``config.steps``; returns the summary of the last log and evaluation (of the weight average,
        if any) and the ``parameter_checksum`` of the trained weights."""
        c = self.config
        self.announce()
        chars_per_step = c.batch_size * c.unroll
        window, bad_in_a_row, last = self.window, 0, {}
        traced = False  # the first log window of a session includes tracing: no speed for it
        window_start = time.perf_counter()
        started = window_start - self._elapsed_before()
        progress, task = training_progress(self.console, c.steps, self.step)
        with progress, self.signals.installed(), self._checkpoint_when_stopped():
            while (first := self.step) < c.steps:  # one read of the step counter per call
                self.signals.raise_if_requested()
                if c.reset_state_every and first % c.reset_state_every == 0:
                    self.reset_states()
                results = self._run_steps(first, steps_in_call(first, self.steps_per_call.limit(), c), started)
                step = first + len(results) - 1  # the last step run; only it can have been skipped
                for loss, stabilizer, applied in results:
                    if applied:
                        window.add(loss, stabilizer)
                        bad_in_a_row = 0
                    else:
                        self.bad_steps += 1
                        bad_in_a_row += 1
                if bad_in_a_row >= c.max_bad_steps:
                    self._after_bad_steps(bad_in_a_row)
                    bad_in_a_row = 0
                    continue
                progress.update(task, completed=step + 1, status=f"loss {loss:.3f}")
                over_time = c.max_seconds is not None and time.perf_counter() - started >= c.max_seconds
                final = step == c.steps - 1 or over_time
                if (step % c.log_every == 0 or final) and window.count:
                    speed = chars_per_step * window.count / (time.perf_counter() - window_start) if traced else None
                    last = self._log(step, speed, time.perf_counter() - started)
                    window.clear()
                    window_start, traced = time.perf_counter(), True
                if step % c.eval_every == 0 or final:
                    last.update(self._evaluate(step, time.perf_counter() - started))
                    window_start = time.perf_counter()
                if c.sample_every and (step % c.sample_every == 0 or final):
                    self._write_samples(step)
                    window_start = time.perf_counter()
                if ((step + 1) % c.checkpoint_every == 0 or final) and bad_in_a_row == 0:
                    self._save(step + 1)
                if over_time:
                    self.console.print(f"time limit {c.max_seconds:g} s reached at step {step}; checkpoint saved")
                    break
        with self._tensorboard_errors():
            self.writer.flush()
        with reporting_write_errors(self.run.curves):
            plot_curves(self.run.metrics(), self.run.curves, f"{self.run.path.name}: {c.cell} {c.layers}x{c.hidden}, "
                        f"{self.model.parameter_count:,} parameters", self.baselines, self.vocabulary.unit)
        checksum = float(sum(tf.reduce_sum(w) for w in self.model.trainable_variables))
        best = {f"best_{name}": value for name, value in (self.best.record or {}).items() if name != "checkpoint"}
        return {**last, "steps_done": self.step, "bad_steps": self.bad_steps, **best, "parameter_checksum": checksum,
                "run_dir": str(self.run.path)}

    def _run_steps(self, first, count, started):
        """Run steps ``first`` to ``first + count - 1`` in one call, stopping after one that is not applied; the
        ``(loss, stabilizer, applied)`` of each step run. The cosine's budget progress is set before each step,
        from its step and the time spent when the call begins."""
        c = self.config
        elapsed = time.perf_counter() - started
        progress = [budget_progress(s, c.steps, elapsed, c.max_seconds) for s in range(first, first + count)]
        began = time.perf_counter()
        if count == 1:
            if c.schedule == "cosine":
                self.schedule.progress.assign(progress[0])
            loss, _, applied, stabilizer = self.train_step(self.batches.window(first))
            results = [(float(loss), float(stabilizer), bool(applied))]
        else:
            outputs = self.repeated_step(self.batches.windows(first, count), np.float32(progress))
            results = list(zip(*(output.numpy().tolist() for output in outputs)))
        self.steps_per_call.record(len(results), time.perf_counter() - began)
        return results

    def _elapsed_before(self):
        """Seconds of training that earlier sessions of this run logged (0 for a new run)."""
        return max((r["elapsed_s"] for r in self.run.metrics() if "elapsed_s" in r), default=0.0)

    def _after_bad_steps(self, count):
        """``count`` non-finite steps in a row: stop (keeping the last good checkpoint) or roll back at half the
        learning rate. The halving applies to the scale in use, after restoring (the checkpoint holds an older
        scale), so rollbacks go on halving; past ``max_rollbacks`` of them the run stops."""
        last_good = self.run.checkpoints / f"ckpt-{max(self.run.checkpoint_steps())}"
        if self.config.on_nan == "stop":
            self.run.append_metrics({"step": self.step, "diverged": True, "bad_steps": self.bad_steps})
            raise RunFailed(f"{count} non-finite steps in a row at step {self.step}; stopped. The last good checkpoint "
                            f"{last_good} is kept: resume with a lower --lr or --on-nan rollback")
        if self.rollbacks == self.config.max_rollbacks:
            raise RunFailed(f"{count} non-finite steps in a row at step {self.step} after {self.rollbacks} rollbacks "
                            f"(--max-rollbacks) down to x{float(self.schedule.scale):g} the learning rate; stopped. "
                            f"The last good checkpoint {last_good} is kept: resume with a much lower --lr")
        scale = float(self.schedule.scale)
        path = self._restore(self.checkpoint)
        self.schedule.scale.assign(scale * 0.5)
        self.rollbacks += 1
        self._begin_session()
        self.console.print(f"{count} non-finite steps in a row: rolled back to {path} (step {self.step}) and "
                           f"halved the learning rate (now x{float(self.schedule.scale):g})")

    @contextlib.contextmanager
    def _checkpoint_when_stopped(self):
        """SIGINT/SIGTERM (or a second Ctrl-C) between steps: save everything, say how to resume, re-raise."""
        try:
            yield
        except (StopRequested, KeyboardInterrupt):
            if self.step != self.saved_step:  # never write the same state twice, nor over a good checkpoint
                self._save(self.step)
            with self._tensorboard_errors():
                self.writer.flush()
            self.console.print(f"stopped at step {self.step}; checkpoint saved. "
                               f"Continue with: rnncli train --resume {self.run.path}")
            raise

    def _log(self, step, chars_per_sec, elapsed):
        """Record and print the average loss since the last log (``self.window``); ``chars_per_sec`` is None for
        a window that included tracing, and is then left out of the record."""
        window = self.window
        record = {"step": step, "loss": window.loss_sum / window.count, "minibatch_perplexity": perplexity(window.latest),
                  "lr": float(self.optimizer.learning_rate), "elapsed_s": elapsed, "bad_steps": self.bad_steps}
        speed_text = "tracing"
        if chars_per_sec is not None:
            record["chars_per_sec"] = chars_per_sec
            speed_text = f"{chars_per_sec:,.0f} chars/s"
        stabilizer_text = ""
        if self.config.norm_stabilizer:  # its own metric, so the loss stays the cross-entropy
            record["norm_stabilizer"] = window.stabilizer_sum / window.count
            stabilizer_text = f"norm stabiliser {record['norm_stabilizer']:.4f}  "
        self.run.append_metrics(record)
        self._summaries(step, {name: record[name] for name in ("loss", "minibatch_perplexity", "lr", "chars_per_sec",
                                                             "norm_stabilizer") if name in record})
        self.console.print(f"step {step:>6}  loss {record['loss']:.4f}  minibatch ppl "
                           f"{record['minibatch_perplexity']:.2f}  lr {record['lr']:.4g}  {stabilizer_text}"
                           f"{speed_text}" + (f"  bad steps {self.bad_steps}" if self.bad_steps else ""))
        return dict(record)

    def _summaries(self, step, scalars):
        with self._tensorboard_errors(), self.writer.as_default(step=step):
            for name, value in scalars.items():
                tf.summary.scalar(name, value)

    @contextlib.contextmanager
    def _tensorboard_errors(self):
        """A failed write of the TensorBoard events (a full disk) as ``RunFailed``."""
        try:
            yield
        except tf.errors.OpError as error:
            raise RunFailed(f"cannot write {self.run.tensorboard}: {os_reason(error)}") from None

    def _evaluate(self, step, elapsed):
        if len(self.corpus.valid) < 2:
            return {}
        result = self.evaluator(self.corpus.valid)
        record = {"step": step, "valid_perplexity": result.perplexity, "valid_bpc": result.bpc, "elapsed_s": elapsed}
        if self.best.offer(step, result.perplexity, result.bpc):
            record["best"] = True
        self.run.append_metrics(record)
        self._summaries(step, {"valid_perplexity": result.perplexity, "valid_bpc": result.bpc})
        self.console.print(f"step {step:>6}  validation perplexity {result.perplexity:.2f}  bpc {result.bpc:.3f}")
        if self.plateau and self.plateau.observe(result.nll):
            self.console.print(f"step {step:>6}  no better validation loss in {self.config.patience} evaluations: "
                               f"learning rate x{self.config.decay_rate:g}")
        self._warn_if_not_learning(step, result.perplexity)
        return record

    def _warn_if_not_learning(self, step, validation_perplexity):
        """Once per session: after training began, a validation perplexity above the unigram model's (which
        only counts symbol frequencies) means the run diverged or is not learning."""
        unigram = perplexity(self.baselines["unigram"])
        if step > 0 and validation_perplexity > unigram and not self.warned_not_learning:
            self.warned_not_learning = True
            self.console.print(f"warning: at step {step} the validation perplexity {validation_perplexity:.2f} is "
                               f"above the unigram baseline {unigram:.2f}: the run is not learning; try a lower "
                               f"--lr (now {float(self.optimizer.learning_rate):g})")

    def _write_samples(self, step):
        ids = self.sampler.sample([], self.config.sample_length, num_samples=5, seed=self.config.seed + step)
        blocks = sample_blocks([self.vocabulary.decode(row) for row in ids], f"step {step}, temperature 1")
        self.run.append_samples(blocks)
        self.console.print(blocks, end="", markup=False, highlight=False)
