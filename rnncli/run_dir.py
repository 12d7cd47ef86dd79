"""A run directory: config.json, vocab.json, checkpoints/, metrics.jsonl, tensorboard/, samples.txt, curves.png,
and ``.lock`` (``rnncli.run_lock``: one training process at a time).

A new run is built in a hidden staging folder beside its target (``.NAME.starting-XXXXXXXX``) and renamed into
place once its first checkpoint (step 0) exists, so a start that fails or is interrupted leaves no half-made
run behind: the staging folder is removed, or, after a kill -9, removed by the next run started beside it
(its lock is free). Config and vocabulary are written atomically (a temporary file renamed into place), and
metrics are appended, never rewritten (``rnncli.metrics_log``), so an interrupted run never leaves a file
half-written. A write that fails (a full disk, no permission) is one line naming the file and why.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

from rnncli.config import TrainConfig
from rnncli.errors import RunFailed, UsageProblem
from rnncli.metrics_log import MetricsLog
from rnncli.run_lock import LOCK_FILE, RunLock

CONFIG = "config.json"
VOCAB = "vocab.json"
METRICS = "metrics.jsonl"
SAMPLES = "samples.txt"
#: The copy of the text a run read from standard input (``--corpus -``), so it can be resumed and evaluated.
STDIN_COPY = "stdin.txt"
#: What a run directory may hold; a folder with nothing else and no checkpoint is a start that never finished.
RUN_FILES = {CONFIG, VOCAB, METRICS, SAMPLES, STDIN_COPY, LOCK_FILE, "checkpoints", "tensorboard", "curves.png",
             "train.log"}
STAGING = ".starting-"
#: A staging folder without a lock file (its start was killed between mkdir and locking) is stale after this.
STAGING_GRACE_SECONDS = 60
_CHECKPOINT_INDEX = re.compile(r"ckpt-(\d+)\.index")


@contextlib.contextmanager
def reporting_write_errors(path):
    """Turn an ``OSError`` of the block (ENOSPC, EACCES, EROFS, ...) into ``RunFailed`` naming ``path``."""
    try:
        yield
    except OSError as problem:
        raise RunFailed(f"cannot write {path}: {problem.strerror or problem}") from None


def write_atomically(path, text, binary=False):
    """Write ``text`` (bytes when ``binary``) to ``path`` through a temporary file renamed into place; a failed
    write leaves ``path`` as it was and no temporary file."""
    path = Path(path)
    temporary = None
    with reporting_write_errors(path):
        try:
            with tempfile.NamedTemporaryFile("wb" if binary else "w", dir=path.parent, delete=False,
                                             encoding=None if binary else "utf-8", prefix=f".{path.name}.") as stream:
                temporary = stream.name
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            if temporary:
                Path(temporary).unlink(missing_ok=True)
            raise


def default_run_path(cell):
    """``runs/<date>-<time>-<cell>-<pid>``, with ``-2``, ``-3``, ... when that exists: runs started in the same
    second by two processes, or one after another by one process, get folders of their own."""
    base = Path("runs") / f"{datetime.now():%Y%m%d-%H%M%S}-{cell}-{os.getpid()}"
    path, number = base, 1
    while path.exists():
        number += 1
        path = base.with_name(f"{base.name}-{number}")
    return path


def make_folder(path):
    """``mkdir -p path``; an ``OSError`` (a parent that is a file, no permission) becomes a ``UsageProblem``."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as problem:
        raise UsageProblem(f"cannot create {path}: {problem.strerror}") from None


def claim_empty_folder(path, not_empty_reason):
    """Create ``path`` for a new run; refuse a file, or a folder that already holds anything."""
    if path.exists() and not path.is_dir():
        raise UsageProblem(f"--run-dir {path} is a file, not a folder")
    if path.exists() and any(path.iterdir()):
        raise UsageProblem(f"{path} {not_empty_reason}; choose another --run-dir")
    make_folder(path)


def checkpoint_steps(folder):
    """Steps of the checkpoints in ``folder``, oldest first, read from their file names (no TensorFlow):
    ``ckpt-N`` holds the run after N steps."""
    if not folder.is_dir():
        return []
    return sorted(int(m[1]) for m in map(_CHECKPOINT_INDEX.fullmatch, os.listdir(folder)) if m)


def never_started(path):
    """Whether the folder ``path`` holds only run files and no checkpoint: a start interrupted before its first
    checkpoint (by an rnncli that wrote run files in place), which a new run may replace."""
    return (path.is_dir() and not checkpoint_steps(path / "checkpoints")
            and all(entry.name in RUN_FILES for entry in path.iterdir()))


def remove_stale_staging(parent):
    """Remove the staging folders in ``parent`` whose start died (their lock is free)."""
    for staging in parent.glob(f".*{STAGING}*") if parent.is_dir() else ():
        lock = RunLock(staging)
        with contextlib.suppress(OSError):  # another run may remove it first
            if lock.acquire_if_free() or (not lock.path.exists()
                                          and time.time() - staging.stat().st_mtime > STAGING_GRACE_SECONDS):
                shutil.rmtree(staging, ignore_errors=True)
        lock.release()


class RunDirectory:
    def __init__(self, path):
        self.path = Path(path)
        #: Where a run still in its staging folder goes (``promote``); None once it is there.
        self.target = None
        self.lock = None
        self.metrics_log = MetricsLog(self.path / METRICS)

    @classmethod
    def create(cls, path, config):
        """A new run for ``config``, locked and built in a staging folder beside ``path`` until ``promote``.
        Refuses a file, a run (``--resume`` it), and a folder holding anything else."""
        target = Path(path)
        _check_free(target)
        make_folder(target.parent)
        remove_stale_staging(target.parent)
        staging = target.parent / f".{target.name}{STAGING}{secrets.token_hex(4)}"
        try:
            staging.mkdir()
        except OSError as problem:
            raise UsageProblem(f"cannot create a run beside {target}: {problem.strerror}") from None
        run = cls(staging)
        run.target = target
        run.lock = RunLock(staging).acquire()
        run.save_config(config)
        return run

    def promote(self):
        """Rename the staging folder to the run's path (replacing a start that never finished there)."""
        _check_free(self.target)
        if self.target.exists():
            shutil.rmtree(self.target)
        try:
            os.rename(self.path, self.target)
        except OSError as problem:
            raise UsageProblem(f"cannot create {self.target}: {problem.strerror}") from None
        self.path, self.target = self.target, None
        self.metrics_log = MetricsLog(self.path / METRICS)

    @contextlib.contextmanager
    def writing(self):
        """Hold the run's lock while the block trains it; a new run whose block ends before ``promote`` (a
        failed or interrupted start) is removed."""
        if self.lock is None:
            self.lock = RunLock(self.path).acquire()
        try:
            yield self
        finally:
            if self.target is not None:
                shutil.rmtree(self.path, ignore_errors=True)
            self.lock.release()
            self.lock = None

    @classmethod
    def open(cls, path):
        """An existing run directory; refuses a folder that is not one, and a start that never finished."""
        path = Path(path)
        if not path.is_dir():
            raise UsageProblem(f"{path}: no such run directory")
        if (path / CONFIG).exists() and never_started(path):
            raise UsageProblem(f"{path} holds no checkpoint: its start never finished. Start it again with "
                               f"rnncli train --run-dir {path} (this replaces it)")
        if not (path / CONFIG).exists() or not (path / VOCAB).exists():
            raise UsageProblem(f"{path} is not an rnncli run directory (no {CONFIG} or {VOCAB})")
        return cls(path)

    def config(self):
        path = self.path / CONFIG
        try:
            return TrainConfig.from_json(path.read_bytes().decode("utf-8"))
        except (ValueError, TypeError) as problem:
            raise UsageProblem(f"{path} is not a valid run config: {problem}") from None
        except OSError as problem:
            raise UsageProblem(f"cannot read {path}: {problem.strerror}") from None

    def save_config(self, config):
        write_atomically(self.path / CONFIG, config.to_json())

    def vocabulary(self):
        # imported here: the vocabulary needs NumPy, and `rnncli --help` and `rnncli runs` load this module
        from rnncli.data.vocabulary import Vocabulary

        path = self.vocab_path
        try:
            return Vocabulary.from_json(path.read_bytes().decode("utf-8"))
        except (ValueError, TypeError, KeyError, AttributeError) as problem:
            raise UsageProblem(f"{path} is not a valid vocabulary: {problem or type(problem).__name__}") from None
        except OSError as problem:
            raise UsageProblem(f"cannot read {path}: {problem.strerror}") from None

    def save_vocabulary(self, vocabulary):
        write_atomically(self.vocab_path, vocabulary.to_json())

    def keep_stdin(self, text):
        """Keep ``text``, read from standard input (``--corpus -``), in the run."""
        write_atomically(self.path / STDIN_COPY, text, binary=True)

    def corpus_source(self, corpus):
        """What to read for the run's ``--corpus``: its copy of standard input for ``-``, else the corpus."""
        return str(self.path / STDIN_COPY) if corpus == "-" else corpus

    def checkpoint_steps(self):
        return checkpoint_steps(self.checkpoints)

    def is_locked(self):
        """Whether a process is training the run (holds its lock)."""
        return RunLock(self.path).is_held()

    @property
    def best_checkpoints(self):
        return self.checkpoints / "best"

    @property
    def best_record_path(self):
        return self.best_checkpoints / "best.json"

    def best_record(self):
        """``{"step", "valid_perplexity", "valid_bpc", "checkpoint"}`` of the best checkpoint
        (``rnncli.best_checkpoint``), or None before the first evaluation."""
        try:
            record = json.loads(self.best_record_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (ValueError, UnicodeDecodeError) as problem:
            raise UsageProblem(f"{self.best_record_path} is unreadable: {problem}") from None
        if not isinstance(record, dict) or not {"step", "valid_perplexity", "valid_bpc", "checkpoint"} <= record.keys():
            raise UsageProblem(f"{self.best_record_path} is not the record of a best checkpoint")
        return record

    def checkpoint_path(self, which="latest"):
        """The checkpoint prefix that ``--checkpoint which`` names: ``latest``, ``best``, or a step number whose
        checkpoint is still kept."""
        if which == "best":
            record = self.best_record()
            if record is None:
                raise UsageProblem(f"{self.path} has no best checkpoint yet (none before the first evaluation)")
            return str(self.best_checkpoints / record["checkpoint"])
        steps = self.checkpoint_steps()
        if not steps:
            raise UsageProblem(f"{self.path} has no checkpoint yet")
        if which == "latest":
            return str(self.checkpoints / f"ckpt-{steps[-1]}")
        if not str(which).isdigit() or int(which) not in steps:
            raise UsageProblem(f"--checkpoint {which}: choose latest, best or a kept step "
                               f"({', '.join(map(str, steps))})")
        return str(self.checkpoints / f"ckpt-{int(which)}")

    @property
    def vocab_path(self):
        return self.path / VOCAB

    @property
    def checkpoints(self):
        return self.path / "checkpoints"

    @property
    def tensorboard(self):
        return self.path / "tensorboard"

    @property
    def samples(self):
        return self.path / SAMPLES

    @property
    def curves(self):
        return self.path / "curves.png"

    @property
    def metrics_path(self):
        return self.path / METRICS

    def append_metrics(self, record):
        self.metrics_log.append(record)

    def metrics(self):
        """One record per (step, kind): the latest session's (``rnncli.metrics_log``)."""
        return self.metrics_log.records()

    def append_samples(self, text):
        with reporting_write_errors(self.samples), open(self.samples, "a", encoding="utf-8") as stream:
            stream.write(text)


def _check_free(target):
    """Refuse ``target`` for a new run unless it is absent, empty, or a start that never finished."""
    blocker = next((p for p in (target, *target.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise UsageProblem(f"--run-dir {target}: {blocker} is a file, not a folder")
    if not target.is_dir() or not any(target.iterdir()) or never_started(target):
        return
    if (target / CONFIG).exists():
        raise UsageProblem(f"{target} already holds a run; continue it with --resume {target} "
                           "or choose another --run-dir")
    raise UsageProblem(f"{target} is not empty and is not an rnncli run; choose another --run-dir")
