"""One training session: a new run, or a resumed one, on this process's worker of a ``tf.distribute`` strategy.

A new run is built in a staging folder and locked (``rnncli.run_dir``); a resume holds the run's lock, so a
second ``train`` on the same run is refused with the pid of the first. A new run records a local corpus by its absolute path, size and SHA-256 (``--corpus -`` by a copy of the text
in the run), so that it resumes from any folder and refuses a corpus that changed. A resume applies or refuses
the options given again (``rnncli.resume``) and writes them into ``config.json`` only once the corpus and the
checkpoint have been read back: a refused or failed resume changes nothing on disk, and one asked to train to
a step the run has reached trains nothing and touches nothing.
"""

import contextlib
import dataclasses
import shutil
import tempfile
from pathlib import Path

from rnncli.data.corpus import load_corpus
from rnncli.data.sources import STDIN, fingerprint, is_local, read_stdin
from rnncli.data.spec import CorpusSpec
from rnncli.errors import UsageProblem
from rnncli.resume import applied_text, apply_options, record
from rnncli.run_dir import RunDirectory, default_run_path


def train_new(config, run_dir, console, strategy_options):
    """Create a run for ``config`` at ``run_dir`` (default ``runs/<time>-<cell>``) and train it; returns the
    summary."""
    config.check()
    pin_corpus(config)
    # read (or refuse) the corpus once, before the run is created; standard input is kept in the run first
    loaded = None if config.corpus == STDIN else load_corpus(CorpusSpec.of(config), console)
    with _worker(strategy_options, run_dir=run_dir) as (strategy, run_dir, _):
        run = RunDirectory.create(run_dir or default_run_path(config.cell), config)
        with run.writing():
            if config.corpus == STDIN:
                run.keep_stdin(read_stdin(config.max_corpus_bytes, console))
            return _train(config, run, console, strategy, loaded)


def pin_corpus(config):
    """Record a local corpus (a file or folder) by its absolute path, size and SHA-256."""
    if is_local(config.corpus):
        config.corpus_bytes, config.corpus_sha256 = fingerprint(config.corpus)
        config.corpus = str(Path(config.corpus).resolve())


def train_resumed(run_dir, given, console, strategy_options):
    """Continue the run in ``run_dir`` with the options ``given`` again (``{field: value}``); returns the summary,
    or ``{"step": S, "nothing_to_train": True}`` when the run is already at ``--steps`` or beyond."""
    run = RunDirectory.open(run_dir)
    resumption = apply_options(run.config(), given)
    config = resumption.config
    reached = max(run.checkpoint_steps(), default=0)
    if config.steps <= reached:
        console.print(f"{run.path} is already at step {reached} of --steps {config.steps}; nothing to train")
        return {"step": reached, "nothing_to_train": True, "run_dir": str(run.path)}
    _check_corpus_unchanged(config)
    if resumption.new_optimizer:
        before, after = resumption.changed["optimizer"]
        console.print(f"warning: --optimizer {after} replaces the run's {before}: it starts with fresh slots "
                      "(moments), keeping the step count and the learning-rate schedule")
    with _worker(strategy_options, resume_dir=run.path) as (strategy, _, resume_dir):
        from rnncli.train import Trainer

        worker_run = RunDirectory.open(resume_dir)
        with worker_run.writing():
            trainer = Trainer(config, worker_run, console, resume=True, strategy=strategy,
                              fresh_optimizer=resumption.new_optimizer)
            worker_run.save_config(record(resumption, trainer.step))  # the resume was valid: now it is on disk
            if resumption.changed:
                console.print(applied_text(resumption.changed))
            return _summary(trainer.run_training(), trainer.config)


def _check_corpus_unchanged(config):
    if config.corpus_sha256 is None:
        return
    size, digest = fingerprint(config.corpus)
    if (size, digest) != (config.corpus_bytes, config.corpus_sha256):
        raise UsageProblem(f"--corpus {config.corpus} changed since the run started ({config.corpus_bytes:,} bytes, "
                           f"SHA-256 {config.corpus_sha256[:12]}…; now {size:,} bytes, {digest[:12]}…): resume with "
                           "the text the run started on")


def _train(config, run, console, strategy, loaded):
    from rnncli.train import Trainer

    trainer = Trainer(config, run, console, strategy=strategy, loaded=loaded)
    return _summary(trainer.run_training(), trainer.config)


def _summary(summary, config):
    return {**summary, "config": dataclasses.asdict(config)}


@contextlib.contextmanager
def _worker(strategy_options, run_dir=None, resume_dir=None):
    """``(strategy, run_dir, resume_dir)`` for this process: the chief writes the run directory itself, every
    other worker a scratch copy that goes when the session ends."""
    from rnncli.distribute import is_chief, make_strategy

    strategy = make_strategy(*strategy_options)
    if is_chief(strategy):
        yield strategy, run_dir, resume_dir
        return
    scratch = Path(tempfile.mkdtemp(prefix="rnncli-worker-"))
    try:
        if resume_dir:
            yield strategy, None, shutil.copytree(resume_dir, scratch / "run")
        else:
            yield strategy, scratch / "run", None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
