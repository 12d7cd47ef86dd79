"""The training loop: truncated BPTT with saved state, global-norm clipping and a decayed learning rate.

For window k (ids ``[B, T+1]``, see ``rnncli.data.batches``) with carried states ``S``::

    logits, S' = model(ids[:, :T], S)                         (training: with dropout, if any)
    loss = (1 / BT) Σ_{b,t} -log softmax(logits)[b, t, ids[b, t+1]]   (+ the norm stabiliser, if any)
    g = ∇loss;  g ← g · min(1, clip_norm / ||g||_2)          (global norm over every weight)
    θ ← optimizer(θ, g, lr(step)),  lr(step) = lr · decay_rate^floor(step / decay_steps)
    S ← S'                                                    (stop-gradient: the saved state)

Everything the loop needs to continue exactly lives in the checkpoint: weights, optimiser slots and step
counter (hence the learning rate), the saved states and the model's dropout generator; window k is a pure
function of k.
"""

import contextlib
import math
import time

import keras

from rnncli.data.batches import WindowBatches
from rnncli.data.corpus import Vocabulary, prepare_corpus, read_corpus, split_sizes
from rnncli.errors import UsageProblem
from rnncli.evaluate import Evaluator
from rnncli.models.norm_stabilizer import norm_stabilizer
from rnncli.report import corpus_baselines, describe_loss, plot_curves, training_progress
from rnncli.restore import build_model
from rnncli.run_dir import write_atomically
from rnncli.sample import Sampler
from rnncli.tensorflow_quiet import tf

OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")


def make_optimizer(config):
    schedule = keras.optimizers.schedules.ExponentialDecay(config.lr, config.decay_steps, config.decay_rate,
                                                           staircase=True)
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(schedule)
    if config.optimizer == "momentum":
        return keras.optimizers.SGD(schedule, momentum=config.momentum)
    if config.optimizer == "adam":
        return keras.optimizers.Adam(schedule)
    return keras.optimizers.RMSprop(schedule)


def saved_state_variables(model, batch_size):
    """Non-trainable variables holding each layer's state between windows (the seed's saved_state), in the
    structure of ``model.initial_states`` (a layer's state nests when it carries skips in time or averages)."""
    return tf.nest.map_structure(lambda part: tf.Variable(part, trainable=False), model.initial_states(batch_size))


def make_train_step(model, optimizer, saved_states, clip_norm, norm_stabilizer_beta=0.0):
    """``train_step(window) -> (cross_entropy, gradient_norm, norm_stabilizer)``; it minimises
    ``cross_entropy + norm_stabilizer``."""
    weights = model.trainable_variables

    @tf.function
    def train_step(window):
        ids = tf.transpose(tf.cast(window, tf.int32))
        states = tf.nest.map_structure(lambda v: v.read_value(), saved_states)
        with tf.GradientTape() as tape:
            result = model.forward(ids[:-1], states, training=True)
            cross_entropy = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(ids[1:], result.logits))
            stabilizer = norm_stabilizer(result.trajectories, norm_stabilizer_beta)
            loss = cross_entropy + stabilizer
        gradients = tape.gradient(loss, weights)
        clipped, norm = tf.clip_by_global_norm(gradients, clip_norm)
        optimizer.apply_gradients(zip(clipped, weights))
        tf.nest.map_structure(lambda v, s: v.assign(s), saved_states, result.final_states)
        return cross_entropy, norm, stabilizer

    return train_step


class Trainer:
    """One run: data, model, optimiser, checkpoint; ``run()`` trains to ``config.steps`` and returns a summary."""

    def __init__(self, config, run, console, resume=False):
        self.config = config
        self.run = run
        self.console = console
        tf.random.set_seed(config.seed)
        source = read_corpus(config.corpus, config.data_dir, console)
        valid_size, test_size = split_sizes(len(source.text), config.valid_size if config.valid_size is not None
                                            else source.valid_size, config.test_size if config.test_size is not None
                                            else source.test_size, source.valid_fraction)
        if not resume:
            config.valid_size, config.test_size = valid_size, test_size
            run.save_config(config)
        vocabulary = Vocabulary.from_json(run.vocab_path.read_text(encoding="utf-8")) if resume else None
        self.corpus = prepare_corpus(source.text, valid_size, test_size, config.valid_position, vocabulary)
        if not resume:
            write_atomically(run.vocab_path, self.corpus.vocabulary.to_json())
        self.vocabulary = self.corpus.vocabulary
        self.batches = WindowBatches(self.corpus.train, config.batch_size, config.unroll)
        self.model = build_model(config, len(self.vocabulary))
        self.optimizer = make_optimizer(config)
        self.optimizer.build(self.model.trainable_variables)
        self.saved_states = saved_state_variables(self.model, config.batch_size)
        self.checkpoint = tf.train.Checkpoint(model=self.model, optimizer=self.optimizer,
                                              saved_states=self.saved_states)
        self.manager = tf.train.CheckpointManager(self.checkpoint, run.checkpoints,
                                                  max_to_keep=config.keep_checkpoints)
        self.train_step = make_train_step(self.model, self.optimizer, self.saved_states, config.clip_norm,
                                          config.norm_stabilizer)
        self.evaluator = Evaluator(self.model, config.eval_batch_size)
        self.sampler = Sampler(self.model)
        self.writer = tf.summary.create_file_writer(str(run.tensorboard))
        if resume:
            self._restore()

    @property
    def step(self):
        return int(self.optimizer.iterations.numpy())

    def _restore(self):
        latest = self.manager.latest_checkpoint
        if latest is None:
            raise UsageProblem(f"{self.run.path} has no checkpoint to resume from")
        self.checkpoint.restore(latest).assert_existing_objects_matched()
        self.run.truncate_metrics(self.step - 1)
        self.console.print(f"resumed {self.run.path} at step {self.step}")

    def reset_states(self):
        for state, zero in zip(self.saved_states, self.model.initial_states(self.config.batch_size)):
            tf.nest.map_structure(lambda v, z: v.assign(z), state, zero)

    def announce(self):
        c, corpus = self.config, self.corpus
        self.console.print(
            f"corpus {c.corpus}: {len(corpus.train):,} train / {len(corpus.valid):,} valid / {len(corpus.test):,} "
            f"test characters, vocabulary {len(self.vocabulary)}; model {c.cell} {c.layers}x{c.hidden}, "
            f"{self.model.parameter_count:,} parameters; run directory {self.run.path}")
        for name, nats in corpus_baselines(corpus.train, len(self.vocabulary)).items():
            self.console.print("  baseline " + describe_loss(name, nats))
        if corpus.unknown_in_valid or corpus.unknown_in_test:
            self.console.print(f"  left out {corpus.unknown_in_valid:,} validation and {corpus.unknown_in_test:,} "
                               "test characters that the training split does not contain")

    def run_training(self):
        c = self.config
        self.announce()
        chars_per_step = c.batch_size * c.unroll
        losses, stabilizers, window_start, started = [], [], time.perf_counter(), time.perf_counter()
        last = {}
        progress, task = training_progress(self.console, c.steps, self.step)
        with progress, self._checkpoint_on_interrupt():
            while self.step < c.steps:
                step = self.step
                if c.reset_state_every and step % c.reset_state_every == 0:
                    self.reset_states()
                loss, _, stabilizer = self.train_step(self.batches.window(step))
                losses.append(float(loss))
                stabilizers.append(float(stabilizer))
                progress.update(task, advance=1, status=f"loss {losses[-1]:.3f}")
                final = step == c.steps - 1
                if step % c.log_every == 0 or final:
                    elapsed = time.perf_counter() - window_start
                    last = self._log(step, losses, stabilizers, chars_per_step * len(losses) / elapsed,
                                     time.perf_counter() - started)
                    losses, stabilizers, window_start = [], [], time.perf_counter()
                if step % c.eval_every == 0 or final:
                    last.update(self._evaluate(step))
                    window_start = time.perf_counter()
                if c.sample_every and (step % c.sample_every == 0 or final):
                    self._write_samples(step)
                    window_start = time.perf_counter()
                if (step + 1) % c.checkpoint_every == 0 or final:
                    self.manager.save(checkpoint_number=step + 1)
        self.writer.flush()
        plot_curves(self.run.metrics(), self.run.curves)
        return {**last, "step": self.step, "run_dir": str(self.run.path)}

    @contextlib.contextmanager
    def _checkpoint_on_interrupt(self):
        """Ctrl-C lands between steps (a graph call finishes first): save it all, then let it propagate."""
        try:
            yield
        except KeyboardInterrupt:
            self.manager.save(checkpoint_number=self.step)
            self.writer.flush()
            self.console.print(f"interrupted at step {self.step}; checkpoint saved. "
                               f"Continue with: rnncli train --resume {self.run.path}")
            raise

    def _log(self, step, losses, stabilizers, chars_per_sec, elapsed):
        record = {"step": step, "loss": sum(losses) / len(losses), "minibatch_perplexity": math.exp(losses[-1]),
                  "lr": float(self.optimizer.learning_rate), "chars_per_sec": chars_per_sec, "elapsed_s": elapsed}
        stabilizer_text = ""
        if self.config.norm_stabilizer:  # its own metric, so the loss stays the cross-entropy
            record["norm_stabilizer"] = sum(stabilizers) / len(stabilizers)
            stabilizer_text = f"norm stabiliser {record['norm_stabilizer']:.4f}  "
        self.run.append_metrics(record)
        with self.writer.as_default(step=step):
            for name in sorted(record.keys() - {"step", "elapsed_s"}):
                tf.summary.scalar(name, record[name])
        self.console.print(f"step {step:>6}  loss {record['loss']:.4f}  minibatch ppl "
                           f"{record['minibatch_perplexity']:.2f}  lr {record['lr']:.4g}  {stabilizer_text}"
                           f"{chars_per_sec:,.0f} chars/s")
        return dict(record)

    def _evaluate(self, step):
        if len(self.corpus.valid) < 2:
            return {}
        result = self.evaluator(self.corpus.valid)
        record = {"step": step, "valid_perplexity": result.perplexity, "valid_bpc": result.bpc}
        self.run.append_metrics(record)
        with self.writer.as_default(step=step):
            tf.summary.scalar("valid_perplexity", result.perplexity)
            tf.summary.scalar("valid_bpc", result.bpc)
        self.console.print(f"step {step:>6}  validation perplexity {result.perplexity:.2f}  bpc {result.bpc:.3f}")
        return record

    def _write_samples(self, step):
        ids = self.sampler.sample([], self.config.sample_length, num_samples=5, seed=self.config.seed + step)
        lines = [self.vocabulary.decode(row) for row in ids]
        with open(self.run.samples, "a", encoding="utf-8") as stream:
            stream.write(f"--- step {step}\n" + "\n".join(lines) + "\n")
        for line in lines:
            self.console.print("  " + line, markup=False, highlight=False)
